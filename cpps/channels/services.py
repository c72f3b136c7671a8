"""Writes of the channel layer: queueing outbound text messages, and keeping each inbound
delivery and each phone's conversation.

Callers check permissions and record their own audit event; these functions only store and
schedule. Bodies and numbers are personal data and never go into an audit payload.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cpps.accounts.policy import Action, require
from cpps.audit.services import Actor, audit_event_record
from cpps.channels.audit_actions import ROUTE_ADDED, ROUTE_REMOVED
from cpps.channels.models import ChannelRoute, Conversation, InboundDelivery, OutboundSms, SmsStatus
from cpps.channels.outbound import phone_e164
from cpps.channels.tasks import sms_deliver_batch
from cpps.common.db import hot_path_cursor, planned_once_cursor
from cpps.common.errors import InvalidInputError, ServiceUnavailableError
from cpps.common.outage import BROKER_ERRORS
from cpps.common.watchdog import silent_since
from cpps.engines.privacy import keyed_digest
from cpps.processes.models import Process

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User

# Characters a phone may send that have no place in an answer (controls, bidi overrides).
_UNPRINTABLE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


def sms_queue(*, key: str, purpose: str, to: str, body: str) -> OutboundSms:
    """Queue the message known by `key`, once: a key already sent or being sent is returned
    untouched, and a key whose sending failed is queued again."""
    message, created = OutboundSms.objects.get_or_create(
        key=key, defaults={"purpose": purpose, "to": to, "body": body}
    )
    if not created and message.status == SmsStatus.FAILED:
        message.status, message.error = SmsStatus.QUEUED, ""
        message.save(update_fields=["status", "error"])
    return message


def sms_dispatch(*, message_ids: Sequence[int]) -> None:
    """Hand the messages to the background task in batches spaced `SMS_BATCH_SECONDS` apart,
    once the current transaction commits (in-process at once without a broker).

    Raises:
        ServiceUnavailableError: the task queue could not be reached after the commit; the
            messages not handed over are marked failed (so sending again retries them).
    """
    size = max(1, int(settings.SMS_BATCH_SIZE))
    spacing = max(0, int(settings.SMS_BATCH_SECONDS))
    ids = list(message_ids)
    batches = [ids[first : first + size] for first in range(0, len(ids), size)]
    now = timezone.now()
    for number, batch in enumerate(batches):
        due = now + timedelta(seconds=number * spacing)
        OutboundSms.objects.filter(pk__in=batch).update(due_at=due)

    def send() -> None:
        for number, batch in enumerate(batches):
            try:
                sms_deliver_batch.apply_async(args=[batch], countdown=number * spacing)
            except BROKER_ERRORS as error:
                unsent = [pk for later in batches[number:] for pk in later]
                OutboundSms.objects.filter(pk__in=unsent, status=SmsStatus.QUEUED).update(
                    status=SmsStatus.FAILED,
                    error=_("Not sent: the background worker could not be reached."),
                )
                raise ServiceUnavailableError(
                    ngettext(
                        "The background worker could not be reached, so %(count)s text "
                        "message was not sent; it is marked as failed. Send it again in a few "
                        "minutes.",
                        "The background worker could not be reached, so %(count)s text "
                        "messages were not sent; they are marked as failed. Send them again in "
                        "a few minutes.",
                        len(unsent),
                    )
                    % {"count": len(unsent)}
                ) from error

    transaction.on_commit(send)


def sms_lost_recover() -> int:
    """Mark failed every message still queued long after its batch was due (its task was lost,
    e.g. with a broker that restarted empty), so that sending again retries it; return how
    many. A lost task that turns up later finds the message no longer queued and skips it."""
    return OutboundSms.objects.filter(status=SmsStatus.QUEUED, due_at__lt=silent_since()).update(
        status=SmsStatus.FAILED,
        error=_("Not sent: the background worker lost this message. Send it again."),
    )


# --- Inbound ------------------------------------------------------------------------------------


def normalised_phone(raw: str) -> str:
    """The sender's number as digits (with a leading + if given).

    Raises:
        InvalidInputError: the number is missing or malformed.
    """
    digits = re.sub(r"[^\d+]", "", raw)
    if not re.fullmatch(r"\+?\d{5,16}", digits):
        raise InvalidInputError(_("The sender's number is missing or malformed."))
    return digits


def printable(body: str) -> str:
    """A message body without control or invisible formatting characters."""
    return _UNPRINTABLE.sub("", body)


def keyword(body: str) -> str:
    """The message as an upper-case word without accents ("Español" -> "ESPANOL")."""
    decomposed = unicodedata.normalize("NFKD", body.strip().upper())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip(" .!¡¿?")


def phone_digest(*, process: Process, channel: str, phone: str) -> str:
    """The keyed digest a conversation is known by; the number itself is never stored."""
    return keyed_digest(
        key=settings.PSEUDONYM_KEY, purpose=f"{channel}:{process.pk}", value=normalised_phone(phone)
    )


def delivery_once(*, channel: str, sid: str, step: int, handle: Callable[[], str]) -> str:
    """Run ``handle`` once per (channel, sid, step) and return its reply; replays get the same.

    The delivery row is inserted first: on PostgreSQL a concurrent duplicate waits on the unique
    index until the first request commits, then fails and reads the stored reply.
    """
    stored = InboundDelivery.objects.filter(channel=channel, sid=sid, step=step).first()
    if stored is not None:
        return stored.reply
    try:
        with transaction.atomic():
            delivery = InboundDelivery.objects.create(channel=channel, sid=sid, step=step)
            reply = handle()
            delivery.reply = reply
            delivery.save(update_fields=["reply"])
            return reply
    except IntegrityError:
        return InboundDelivery.objects.get(channel=channel, sid=sid, step=step).reply


def conversation_for_delivery(
    *, process: Process, channel: str, phone: str, sid: str, step: int = 0
) -> tuple[Conversation, str | None]:
    """The phone's conversation in the process, locked until the transaction ends, and the reply
    already given to this delivery when it is a retry or a replay (None: a new delivery).

    One query on the hot path: the lock serialises the phone's messages, so a duplicate
    delivery waits for the first to commit and then finds its reply (see `delivery_record`).
    """
    digest = phone_digest(process=process, channel=channel, phone=phone)
    lock = _locked_on_postgresql if connection.vendor == "postgresql" else _locked_by_orm
    found = lock(process.pk, channel, digest, sid, step)
    if found is None:  # the first message from this phone
        Conversation.objects.get_or_create(process=process, channel=channel, phone_digest=digest)
        found = lock(process.pk, channel, digest, sid, step)
    assert found is not None  # noqa: S101 - created just above, and locked
    conversation, replied = found
    conversation.process = process
    return conversation, replied


def _locked_by_orm(
    process: int, channel: str, digest: str, sid: str, step: int
) -> tuple[Conversation, str | None] | None:
    replied = InboundDelivery.objects.filter(channel=channel, sid=sid, step=step).values("reply")
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .filter(process_id=process, channel=channel, phone_digest=digest)
        .annotate(replied=Subquery(replied[:1]))
        .first()
    )
    return None if conversation is None else (conversation, conversation.replied)


_CONVERSATION_FIELDS = [field.attname for field in Conversation._meta.concrete_fields]
# Every text message and call turn starts here: written by hand and planned once per
# connection, it costs a third of what building the same query with the ORM costs each time.
_LOCK_CONVERSATION = f"""
SELECT {", ".join(f"c.{field.column}" for field in Conversation._meta.concrete_fields)},
    (SELECT d.reply FROM {InboundDelivery._meta.db_table} d
     WHERE d.channel = %(channel)s AND d.sid = %(sid)s AND d.step = %(step)s)
FROM {Conversation._meta.db_table} c
WHERE c.process_id = %(process)s AND c.channel = %(channel)s AND c.phone_digest = %(digest)s
FOR UPDATE OF c
"""  # noqa: S608 - names come from the model; every value is a parameter


def _locked_on_postgresql(
    process: int, channel: str, digest: str, sid: str, step: int
) -> tuple[Conversation, str | None] | None:
    parameters: dict[str, int | str] = {
        "process": process,
        "channel": channel,
        "digest": digest,
        "sid": sid,
        "step": step,
    }
    with planned_once_cursor() as cursor:
        cursor.execute(_LOCK_CONVERSATION, parameters)
        row = cursor.fetchone()
    if row is None:
        return None
    *values, replied = row
    conversation = Conversation.from_db(connection.alias, _CONVERSATION_FIELDS, values)
    if isinstance(conversation.state, str):  # Django loads jsonb as text and decodes it itself
        conversation.state = json.loads(conversation.state)
    return conversation, replied


class DuplicateDeliveryError(Exception):
    """The same delivery was handled meanwhile by a concurrent request (which won)."""


_RECORD_DELIVERY = f"""
INSERT INTO {InboundDelivery._meta.db_table} (channel, sid, step, reply, received_at)
VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (channel, sid, step) DO NOTHING
RETURNING id
"""  # noqa: S608 - the table name comes from the model; every value is a parameter


def delivery_record(*, channel: str, sid: str, step: int, reply: str) -> None:
    """Keep the reply a delivery got, so that its retries get the same one.

    Raises:
        DuplicateDeliveryError: a concurrent duplicate recorded it first (its lock wait read
            the conversation before that commit); the caller's transaction must roll back, and
            the stored reply is the answer.
    """
    received = connection.ops.adapt_datetimefield_value(timezone.now())
    with hot_path_cursor() as cursor:
        cursor.execute(_RECORD_DELIVERY, [channel, sid, step, reply, received])
        if cursor.fetchone() is None:
            raise DuplicateDeliveryError(sid)


def delivery_reply(*, channel: str, sid: str, step: int) -> str:
    return InboundDelivery.objects.get(channel=channel, sid=sid, step=step).reply


def conversation_save(conversation: Conversation, *fields: str) -> None:
    conversation.save(update_fields=[*fields, "updated_at"])


# --- Routes on shared numbers -------------------------------------------------------------------


def channel_route_add(
    *, user: User | AnonymousUser, process: Process, number: str, keyword_text: str = ""
) -> ChannelRoute:
    """Point a shared number (and keyword) at a process (community roles only)."""
    role = require(user, Action.SET_AGENDA, process.jurisdiction)
    try:
        to = phone_e164(number)
    except ValueError as error:
        raise InvalidInputError(
            _("Write the number in full, for example +1 312 555 0100.")
        ) from error
    word = keyword(keyword_text)
    if word and not re.fullmatch(r"[A-Z0-9]{2,20}", word):
        raise InvalidInputError(_("A keyword is one word of 2 to 20 letters or digits."))
    if ChannelRoute.objects.filter(number=to, keyword=word).exists():
        raise InvalidInputError(_("This number and keyword already lead to a process."))
    with transaction.atomic():
        route = ChannelRoute.objects.create(process=process, number=to, keyword=word)
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action=ROUTE_ADDED,
            target=process,
            payload={"number": to, "keyword": word},
        )
    return route


def channel_route_remove(*, user: User | AnonymousUser, route: ChannelRoute) -> None:
    process = route.process
    role = require(user, Action.SET_AGENDA, process.jurisdiction)
    with transaction.atomic():
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action=ROUTE_REMOVED,
            target=process,
            payload={"number": route.number, "keyword": route.keyword},
        )
        route.delete()
