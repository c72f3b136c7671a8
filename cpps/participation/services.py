"""Writes for taking part: the one way a person becomes a participant of a process, and the
ways they prove they may (one-time links, mailed codes, text-message codes, in person).

`participant_for` is the only place a channel identity becomes a pseudonym. Everything else here
decides whether that may happen: the process's eligibility rule, the abuse limits of open
processes, and the proofs of verified residency, none of which is ever stored with, or joinable
to, the participant it lets in.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cpps.accounts.policy import Action, require
from cpps.audit.services import Actor, audit_event_record
from cpps.channels.outbound import phone_e164
from cpps.channels.services import sms_dispatch, sms_queue
from cpps.common.db import planned_once_cursor
from cpps.common.errors import (
    InvalidInputError,
    InvalidTransitionError,
    PermissionRefusedError,
    TooManyError,
)
from cpps.engines.privacy import keyed_digest, pseudonym
from cpps.participation.audit_actions import (
    CODES_ISSUED,
    ELIGIBILITY_SET,
    LINKS_ISSUED,
    PHONES_INVITED,
    RESIDENT_VERIFIED,
)
from cpps.participation.demographics import AREA_KEY, demographics_clean
from cpps.participation.identities import Identity, IdentityKind
from cpps.participation.models import (
    BurstFlag,
    Eligibility,
    EligibilityMode,
    EntryPass,
    JoinCounter,
    LimitScope,
    OneTimeLink,
    Participant,
    PassMethod,
    ResidencyCode,
    SmsChallenge,
    Verification,
    VerificationMethod,
)
from cpps.processes.models import Process, ProcessState

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User

LINK_SIGNING_SALT = "cpps.processes.take-part"
MAX_LINKS_PER_REQUEST = 5000
# Links with no closing date stop working after this long; all stop when the process closes.
LINK_LIFETIME = timedelta(days=90)
# Crockford's base 32 without look-alikes: codes are read off paper and typed on phones.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
MAX_CODES_PER_UPLOAD = 20000
OTP_DIGITS = 6
OTP_LIFETIME = timedelta(minutes=10)
OTP_MAX_TRIES = 5
OTP_RESEND_AFTER = timedelta(seconds=60)
# A burst: this many people joining from one network address within BURST_WINDOW.
BURST_JOINS = 5
BURST_WINDOW = timedelta(minutes=10)
# Device limits last the whole process; one fixed window stands for "ever".
_FOREVER = datetime(2000, 1, 1, tzinfo=timezone.get_fixed_timezone(0))


class JoinLimitError(TooManyError):
    """Too many people joined from one device or one network address (answered with 429)."""


class NotEligibleError(PermissionRefusedError):
    """This way of taking part is not open to this person in this process (answered with 403)."""


# --- Pseudonyms and participants -----------------------------------------------------------


def pseudonym_for(*, process: Process, identity: Identity) -> str:
    """The participant's pseudonym in ``process`` for ``identity`` (keyed; the key is outside
    the database). The only place an identity becomes a pseudonym."""
    return pseudonym(
        key=settings.PSEUDONYM_KEY,
        process_salt=process.pseudonym_salt,
        channel=identity.kind.value,
        identity=identity.value,
    )


def participant_for(
    *,
    process: Process,
    identity: Identity,
    demographics: Mapping[str, str] | None = None,
) -> Participant:
    """Return the participant behind ``identity`` in ``process``, creating them on first use.

    The identity only enters the keyed pseudonym; it is not stored. Optional answers about
    oneself are validated (`demographics_clean`) and stored with a new participant, or added to
    an existing one's.

    Raises:
        InvalidInputError: an answer about oneself was not one of those offered.
    """
    row = participant_row(process=process, identity=identity, demographics=demographics)
    participant, created = Participant.objects.get_or_create(
        process=process,
        pseudonym=row.pop("pseudonym"),
        defaults=row,
    )
    cleaned = row["demographics"]
    if not created and cleaned and cleaned != participant.demographics:
        participant.demographics = {**participant.demographics, **cleaned}
        participant.save(update_fields=["demographics"])
    return participant


def participant_row(
    *, process: Process, identity: Identity, demographics: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The columns of a new participant behind ``identity`` (for the one-statement
    submissions that write the row themselves; everything else calls `participant_for`).

    Raises:
        InvalidInputError: an answer about oneself was not one of those offered.
    """
    answers = demographics or {}
    # Only an answer about the area needs the jurisdiction's areas (a query saved otherwise).
    area_codes = (
        frozenset(process.jurisdiction.areas.values_list("code", flat=True))
        if answers.get(AREA_KEY)
        else frozenset()
    )
    return {
        "pseudonym": pseudonym_for(process=process, identity=identity),
        "channel": identity.channel,
        "demographics": demographics_clean(answers, area_codes=area_codes),
        "verified": identity.kind == IdentityKind.CREDENTIAL,
    }


def participant_existing(*, process: Process, identity: Identity) -> Participant | None:
    """The participant behind ``identity`` if they have taken part already; never creates."""
    return Participant.objects.filter(
        process=process, pseudonym=pseudonym_for(process=process, identity=identity)
    ).first()


def participant_demographics_save(
    *, participant: Participant, answers: Mapping[str, str]
) -> Participant:
    """Replace the optional self-reported answers; blanks mean "prefer not to say"."""
    area_codes = frozenset(participant.process.jurisdiction.areas.values_list("code", flat=True))
    participant.demographics = demographics_clean(answers, area_codes=area_codes)
    participant.save(update_fields=["demographics"])
    return participant


def eligibility_of(process: Process) -> Eligibility:
    """The process's rule; a process nobody configured is open with the default limits."""
    try:
        return process.eligibility
    except Eligibility.DoesNotExist:
        return Eligibility(process=process)


# --- Open processes: limits per device and per network address -----------------------------


@dataclass(frozen=True)
class JoinContext:
    """Where a join through the web or the API comes from, as keyed digests only."""

    device: str = ""
    network: str = ""


def network_digest(*, process: Process, address: str) -> str:
    """A keyed digest of the network a request came from (an IPv6 address counts by its /64,
    the block one household is given); never stored as the address itself. Requests that carry
    no address at all (a misconfigured proxy, a bare WSGI call) count as one network, rather
    than failing."""
    address = address.strip() or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        network = address
    else:
        network = (
            str(ipaddress.ip_network(f"{parsed}/64", strict=False))
            if parsed.version == 6
            else str(parsed)
        )
    return keyed_digest(key=settings.PSEUDONYM_KEY, purpose=f"network:{process.pk}", value=network)


def device_digest(*, process: Process, device: str) -> str:
    return keyed_digest(key=settings.PSEUDONYM_KEY, purpose=f"device:{process.pk}", value=device)


def _window_start(now: datetime, length: timedelta) -> datetime:
    seconds = int(length.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=timezone.get_fixed_timezone(0))


_COUNT_JOIN = f"""
INSERT INTO {JoinCounter._meta.db_table} (process_id, scope, digest, window_start, count)
VALUES (%s, %s, %s, %s, 1)
ON CONFLICT (process_id, scope, digest, window_start)
DO UPDATE SET count = {JoinCounter._meta.db_table}.count + 1
WHERE {JoinCounter._meta.db_table}.count < %s
RETURNING count
"""  # noqa: S608 - the table name comes from the model; every value is a parameter


def _count_join(process: Process, scope: str, digest: str, window: datetime, limit: int) -> int:
    """Count one more join, unless ``limit`` joins were counted already; return the new count
    (0: refused)."""
    # Stored exactly as the ORM stores datetimes, so ORM lookups on the window match.
    stored_window = connection.ops.adapt_datetimefield_value(window)
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_JOIN, [process.pk, scope, digest, stored_window, limit or 2**31 - 1])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _flag_burst(process: Process, digest: str, now: datetime, *, refused: bool) -> None:
    window = _window_start(now, BURST_WINDOW)
    attempts = _count_join(process, "burst", digest, window, 0)
    if attempts < BURST_JOINS and not refused:
        return
    flag, _created = BurstFlag.objects.get_or_create(
        process=process, window_start=window, digest=digest, defaults={"joins": 0}
    )
    BurstFlag.objects.filter(pk=flag.pk).update(
        joins=attempts - flag.refused - (1 if refused else 0),
        refused=F("refused") + (1 if refused else 0),
    )


# The network limit, the burst count and the burst flag in one statement, so that the rows of
# one address are locked for one statement and one commit, and a join costs one round trip.
# A refused join (the limit reached: the counter's update is skipped and returns no row) still
# counts as an attempt and a refusal on the flag. Table names come from the models; every value
# is a parameter.
_COUNT_NETWORK_JOIN = f"""
WITH network AS (
    INSERT INTO {JoinCounter._meta.db_table} AS counter
        (process_id, scope, digest, window_start, count)
    VALUES (%(process)s, %(network)s, %(digest)s, %(window)s, 1)
    ON CONFLICT (process_id, scope, digest, window_start)
    DO UPDATE SET count = counter.count + 1 WHERE counter.count < %(limit)s
    RETURNING count
), burst AS (
    INSERT INTO {JoinCounter._meta.db_table} AS counter
        (process_id, scope, digest, window_start, count)
    VALUES (%(process)s, 'burst', %(digest)s, %(burst_window)s, 1)
    ON CONFLICT (process_id, scope, digest, window_start)
    DO UPDATE SET count = counter.count + 1
    RETURNING count
), verdict AS (
    SELECT burst.count AS attempts, NOT EXISTS (SELECT 1 FROM network) AS refused FROM burst
), flag AS (
    INSERT INTO {BurstFlag._meta.db_table} AS flag
        (process_id, window_start, digest, joins, refused, created_at, reviewed_note)
    SELECT %(process)s, %(burst_window)s, %(digest)s, attempts - refused::int, refused::int,
        %(now)s, ''
    FROM verdict WHERE attempts >= %(burst_joins)s OR refused
    ON CONFLICT (process_id, window_start, digest)
    DO UPDATE SET refused = flag.refused + EXCLUDED.refused,
        joins = EXCLUDED.joins - flag.refused
)
SELECT refused FROM verdict
"""  # noqa: S608


def _network_join_allowed(process: Process, digest: str, now: datetime, rule: Eligibility) -> bool:
    """Count one more join from this network address; whether the process's limit allows it."""
    window = _window_start(now, timedelta(hours=max(1, rule.network_window_hours)))
    if connection.vendor != "postgresql":
        with transaction.atomic():
            allowed = bool(
                _count_join(process, LimitScope.NETWORK, digest, window, rule.network_limit)
            )
            _flag_burst(process, digest, now, refused=not allowed)
        return allowed
    ops = connection.ops
    with planned_once_cursor() as cursor:
        cursor.execute(
            _COUNT_NETWORK_JOIN,
            {
                "process": process.pk,
                "network": LimitScope.NETWORK.value,
                "digest": digest,
                "window": ops.adapt_datetimefield_value(window),
                "burst_window": ops.adapt_datetimefield_value(_window_start(now, BURST_WINDOW)),
                "limit": rule.network_limit,
                "burst_joins": BURST_JOINS,
                "now": now,
            },
        )
        row = cursor.fetchone()
    return row is not None and not row[0]


def join_limits_check(*, process: Process, context: JoinContext) -> None:
    """Count one more person joining an open process from this device and network address.

    Raises:
        JoinLimitError: the process's limit for the device or the address is reached; a burst
            of joins or refusals from one address is flagged for the facilitators (the flag and
            the counts stay even though the join is refused).
    """
    rule = eligibility_of(process)
    if context.device and rule.device_limit:
        digest = device_digest(process=process, device=context.device)
        if not _count_join(process, LimitScope.DEVICE, digest, _FOREVER, rule.device_limit):
            raise JoinLimitError(
                _(
                    "This device has already been used to take part here. If you started "
                    "before, continue where you left off; each person takes part once."
                )
            )
    if not context.network or not rule.network_limit:
        return
    if not _network_join_allowed(process, context.network, timezone.now(), rule):
        raise JoinLimitError(
            _(
                "Many people have already taken part from this internet connection "
                "today. Please try again later, from another connection, or ask the "
                "organisers for a paper form."
            )
        )


# --- One-time links ------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _link_expiry(process: Process, now: datetime) -> datetime:
    if process.closes_on is not None:
        closing = datetime.combine(
            process.closes_on + timedelta(days=1),
            datetime.min.time(),
            timezone.get_current_timezone(),
        )
        return max(closing, now + timedelta(days=1))
    return now + LINK_LIFETIME


def one_time_links_issue(*, user: User | AnonymousUser, process: Process, count: int) -> list[str]:
    """Create `count` signed one-time links; the tokens are returned once and never stored."""
    role = require(user, Action.INVITE, process.jurisdiction)
    if not 1 <= count <= MAX_LINKS_PER_REQUEST:
        raise InvalidInputError(
            _("Ask for between 1 and %(max)s links at a time.") % {"max": MAX_LINKS_PER_REQUEST}
        )
    if process.state in {ProcessState.CLOSED, ProcessState.PUBLISHED}:
        raise InvalidTransitionError(_("This process is closed; it takes no new participants."))
    secrets_issued = [secrets.token_urlsafe(18) for _ in range(count)]
    expires_at = _link_expiry(process, timezone.now())
    with transaction.atomic():
        OneTimeLink.objects.bulk_create(
            OneTimeLink(process=process, secret_digest=_digest(secret), expires_at=expires_at)
            for secret in secrets_issued
        )
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action=LINKS_ISSUED,
            target=process,
            payload={"count": count, "expires_on": expires_at.date().isoformat()},
        )
    return [
        signing.dumps({"p": process.pk, "s": secret}, salt=LINK_SIGNING_SALT)
        for secret in secrets_issued
    ]


def _link_claims(token: str) -> tuple[int, str]:
    try:
        claims = signing.loads(token, salt=LINK_SIGNING_SALT)
        return int(claims["p"]), str(claims["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvalidInputError(
            _("This link is not valid. Check that it was copied in full.")
        ) from error


def link_process_id(token: str) -> int:
    """The process a link invites to (without redeeming it)."""
    return _link_claims(token)[0]


def participant_join_by_link(*, token: str) -> Participant:
    """Redeem a one-time link and return the participant it makes.

    Raises:
        InvalidInputError: the link is damaged, already used, expired, or its process is not
            open.
    """
    process_id, secret = _link_claims(token)
    with transaction.atomic():
        link = (
            OneTimeLink.objects.select_related("process__jurisdiction")
            .filter(process_id=process_id, secret_digest=_digest(secret))
            .first()
        )
        if link is None:
            raise InvalidInputError(_("This link is not valid. Check that it was copied in full."))
        if link.process.state != ProcessState.OPEN:
            raise InvalidInputError(_("This process is not open for taking part right now."))
        now = timezone.now()
        if link.expires_at is not None and link.expires_at <= now:
            raise InvalidInputError(
                _("This link has expired. Ask the organisers for a new one if you still can.")
            )
        redeemed = OneTimeLink.objects.filter(pk=link.pk, redeemed_at__isnull=True).update(
            redeemed_at=now
        )
        if not redeemed:
            raise InvalidInputError(
                _(
                    "This link has already been used. Continue on the device you used first, "
                    "or ask the organisers for a new link."
                )
            )
        return participant_for(process=link.process, identity=Identity.link(secret))


def one_time_links_expire(*, process: Process) -> int:
    """End every unused link of a process that stopped taking part (reopening revives none)."""
    now = timezone.now()
    return OneTimeLink.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        process=process,
        redeemed_at__isnull=True,
    ).update(expires_at=now)


# --- Eligibility ---------------------------------------------------------------------------


def eligibility_set(
    *,
    user: User | AnonymousUser,
    process: Process,
    mode: str,
    device_limit: int = 1,
    network_limit: int = 5,
    network_window_hours: int = 24,
    methods: Iterable[str] = (),
) -> Eligibility:
    """Choose who may take part in a process (community roles only, before it closes)."""
    role = require(user, Action.SET_AGENDA, process.jurisdiction)
    if process.state in {ProcessState.CLOSED, ProcessState.PUBLISHED}:
        raise InvalidTransitionError(_("A closed process's rule for taking part cannot change."))
    if mode not in EligibilityMode.values:
        raise InvalidInputError(_("Choose who may take part."))
    chosen = sorted(set(methods))
    if any(method not in VerificationMethod.values for method in chosen):
        raise InvalidInputError(_("Choose among the ways of proving residency offered."))
    if mode == EligibilityMode.VERIFIED and not chosen:
        raise InvalidInputError(_("Offer at least one way for residents to prove residency."))
    limits = (device_limit, network_limit, network_window_hours)
    if any(limit < 0 or limit > 100_000 for limit in limits) or network_window_hours < 1:
        raise InvalidInputError(
            _("Limits are whole numbers from 0 (no limit) to 100000; the window is 1 hour or more.")
        )
    with transaction.atomic():
        rule, _created = Eligibility.objects.update_or_create(
            process=process,
            defaults={
                "mode": mode,
                "device_limit": device_limit,
                "network_limit": network_limit,
                "network_window_hours": network_window_hours,
                "methods": chosen if mode == EligibilityMode.VERIFIED else [],
            },
        )
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action=ELIGIBILITY_SET,
            target=process,
            payload={
                "mode": mode,
                "device_limit": device_limit,
                "network_limit": network_limit,
                "network_window_hours": network_window_hours,
                "methods": rule.methods,
            },
        )
    process.eligibility = rule
    return rule


def burst_flag_review(*, user: User | AnonymousUser, flag: BurstFlag, note: str = "") -> BurstFlag:
    """A facilitator has looked at a burst (e.g. "workshop at the library")."""
    require(user, Action.CONVENE_PROCESS, flag.process.jurisdiction)
    flag.reviewed_at = timezone.now()
    flag.reviewed_note = note.strip()[:300]
    flag.save(update_fields=["reviewed_at", "reviewed_note"])
    return flag


# --- Credentials: mailed codes, text-message codes, in person ------------------------------


def _credential_digest(process: Process, kind: str, value: str) -> str:
    """A credential as the verification stores it: keyed per process, so the same address or
    phone cannot be matched across processes or to a conversation's phone digest."""
    return keyed_digest(
        key=settings.PSEUDONYM_KEY, purpose=f"credential:{process.pk}:{kind}", value=value
    )


def _code_digest(process: Process, code: str) -> str:
    return keyed_digest(key=settings.PSEUDONYM_KEY, purpose=f"code:{process.pk}", value=code)


def normalised_code(raw: str) -> str:
    text = raw.strip().upper().replace(" ", "").replace("-", "")
    look_alikes: dict[str, str | int | None] = {"O": "0", "I": "1", "L": "1"}
    return text.translate(str.maketrans(look_alikes))


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _normalised_address(address: str) -> str:
    return " ".join(address.upper().replace(",", " ").split())


def _record_verification(
    *,
    process: Process,
    method: str,
    credential: str,
    actor: Actor,
    verified_by: User | None = None,
    note: str = "",
) -> bool:
    """Record a proof of residency once per credential; say whether it was new."""
    with transaction.atomic():
        _verification, created = Verification.objects.get_or_create(
            process=process,
            credential_digest=credential,
            defaults={
                "method": method,
                "verified_on": timezone.localdate(),
                "verified_by": verified_by,
                "note": note.strip()[:300],
            },
        )
        if created:
            audit_event_record(
                jurisdiction=process.jurisdiction,
                actor=actor,
                action=RESIDENT_VERIFIED,
                target=process,
                payload={"method": method},
            )
    return created


# What each rule accepts as a way in (VerificationMethod and PassMethod values).
_INVITATION_WAYS = frozenset(
    {VerificationMethod.MAILED_CODE, PassMethod.IN_PERSON, PassMethod.SMS_INVITATION}
)


def _accepts(process: Process, way: str) -> None:
    rule = eligibility_of(process)
    if rule.mode == EligibilityMode.OPEN:
        return
    if rule.mode == EligibilityMode.INVITATION and way in _INVITATION_WAYS:
        return
    if rule.mode == EligibilityMode.VERIFIED and way in rule.methods:
        return
    raise NotEligibleError(_("This way of taking part is not offered for this process."))


def residency_codes_issue(
    *, user: User | AnonymousUser, process: Process, addresses: Iterable[str]
) -> int:
    """Give each address on the list its own code for a letter (addresses already holding a
    code keep it); return how many codes were made. Addresses are contact data: facilitators
    only, never in the audit log."""
    role = require(user, Action.INVITE, process.jurisdiction)
    if process.state in {ProcessState.CLOSED, ProcessState.PUBLISHED}:
        raise InvalidTransitionError(_("This process is closed; it takes no new participants."))
    cleaned = list(dict.fromkeys(a.strip() for a in addresses if a.strip()))
    if not cleaned:
        raise InvalidInputError(_("The list has no addresses."))
    if len(cleaned) > MAX_CODES_PER_UPLOAD:
        raise InvalidInputError(
            _("Send at most %(max)s addresses at a time.") % {"max": MAX_CODES_PER_UPLOAD}
        )
    existing = set(
        ResidencyCode.objects.filter(process=process).values_list("address_digest", flat=True)
    )
    made: list[ResidencyCode] = []
    for address in cleaned:
        digest = _credential_digest(process, "address", _normalised_address(address))
        if digest in existing:
            continue
        existing.add(digest)
        code = _new_code()
        made.append(
            ResidencyCode(
                process=process,
                code_digest=_code_digest(process, code),
                address=address,
                address_digest=digest,
                code_for_letter=code,
            )
        )
    with transaction.atomic():
        ResidencyCode.objects.bulk_create(made)
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action=CODES_ISSUED,
            target=process,
            payload={"count": len(made)},
        )
    return len(made)


def residency_codes_printed(*, user: User | AnonymousUser, process: Process) -> int:
    """Forget the printable codes once the letters are printed: from now on only digests."""
    require(user, Action.INVITE, process.jurisdiction)
    return (
        ResidencyCode.objects.filter(process=process)
        .exclude(code_for_letter="")
        .update(code_for_letter="")
    )


def identity_from_code(*, process: Process, code: str, channel: str) -> Identity:
    """Turn a code from a letter (or an in-person slip) into the credential it proves.

    The same code always leads to the same participant, so using it again (a new phone, a lost
    session) continues rather than counting the person twice.

    Raises:
        InvalidInputError: the code is unknown.
        NotEligibleError: codes are not a way of taking part in this process.
    """
    digest = _code_digest(process, normalised_code(code))
    mailed = ResidencyCode.objects.filter(process=process, code_digest=digest).first()
    if mailed is not None:
        _accepts(process, VerificationMethod.MAILED_CODE)
        _record_verification(
            process=process,
            method=VerificationMethod.MAILED_CODE,
            credential=mailed.address_digest,
            actor=Actor(ref="resident", role="resident"),
        )
        if not mailed.redeemed:
            ResidencyCode.objects.filter(pk=mailed.pk).update(redeemed=True)
        return Identity.credential(mailed.address_digest, channel)
    entry_pass = EntryPass.objects.filter(process=process, code_digest=digest).first()
    if entry_pass is not None:
        _accepts(process, entry_pass.method)
        if not entry_pass.redeemed:
            EntryPass.objects.filter(pk=entry_pass.pk).update(redeemed=True)
        return Identity.credential(entry_pass.credential_digest, channel)
    raise InvalidInputError(
        _("We do not know this code. Check it against your letter or slip (8 letters and digits).")
    )


def in_person_verify(
    *, user: User | AnonymousUser, process: Process, identifier: str, note: str = ""
) -> str:
    """A facilitator has checked in person that someone lives here; return the code of the slip
    to hand them. ``identifier`` (an address, say) only becomes a keyed digest, so the same
    person verified twice gets the same participation, never a second one."""
    role = require(user, Action.ENTER_PAPER_FORMS, process.jurisdiction)
    _accepts(process, VerificationMethod.IN_PERSON)
    if process.state in {ProcessState.CLOSED, ProcessState.PUBLISHED}:
        raise InvalidTransitionError(_("This process is closed; it takes no new participants."))
    if not identifier.strip():
        raise InvalidInputError(
            _("Write what you checked (for example the address), so one person is verified once.")
        )
    credential = _credential_digest(process, "in-person", _normalised_address(identifier))
    assert user.is_authenticated  # noqa: S101 - require() refused anonymous users
    _record_verification(
        process=process,
        method=VerificationMethod.IN_PERSON,
        credential=credential,
        actor=Actor.for_user(user, role),
        verified_by=user,
        note=note,
    )
    code = _new_code()
    EntryPass.objects.create(
        process=process,
        method=PassMethod.IN_PERSON,
        code_digest=_code_digest(process, code),
        credential_digest=credential,
    )
    return code


def phone_invitations_send(
    *, user: User | AnonymousUser, process: Process, phones: Iterable[str], take_part_url: str
) -> int:
    """Invite each number on a list by text message with its own code, which works on the web
    (at ``take_part_url``) and by replying from that phone; return how many were invited.
    Numbers already invited are not texted again. The numbers are contact data: they leave with
    the message and are otherwise kept only as keyed digests."""
    role = require(user, Action.INVITE, process.jurisdiction)
    _accepts(process, PassMethod.SMS_INVITATION)
    if process.state in {ProcessState.CLOSED, ProcessState.PUBLISHED}:
        raise InvalidTransitionError(_("This process is closed; it takes no new participants."))
    numbers: dict[str, str] = {}
    for raw in phones:
        if not raw.strip():
            continue
        try:
            numbers.setdefault(phone_e164(raw), raw)
        except ValueError as error:
            raise InvalidInputError(
                _("“%(value)s” is not a phone number.") % {"value": raw.strip()[:40]}
            ) from error
    if not numbers:
        raise InvalidInputError(_("The list has no phone numbers."))
    if len(numbers) > MAX_CODES_PER_UPLOAD:
        raise InvalidInputError(
            _("Send at most %(max)s numbers at a time.") % {"max": MAX_CODES_PER_UPLOAD}
        )
    invited = set(
        EntryPass.objects.filter(process=process, method=PassMethod.SMS_INVITATION).values_list(
            "credential_digest", flat=True
        )
    )
    queued: list[int] = []
    with transaction.atomic():
        for number in numbers:
            credential = _credential_digest(process, "phone", number)
            if credential in invited:
                continue
            code = _new_code()
            EntryPass.objects.create(
                process=process,
                method=PassMethod.SMS_INVITATION,
                code_digest=_code_digest(process, code),
                credential_digest=credential,
            )
            body = _invitation_text(process, code, take_part_url)
            queued.append(
                sms_queue(
                    key=f"invite:{process.pk}:{credential[:32]}",
                    purpose="process_invitation",
                    to=number,
                    body=body,
                ).pk
            )
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action=PHONES_INVITED,
            target=process,
            payload={"count": len(queued)},
        )
        sms_dispatch(message_ids=queued)
    return len(queued)


def _invitation_text(process: Process, code: str, url: str) -> str:
    """The invitation in every language of the process, shortest first."""
    parts = []
    for language in process.languages or ["en"]:
        with translation.override(language):
            parts.append(
                _(
                    "You are invited to take part in “%(title)s”, run by residents, not the "
                    "police. Reply to this message to start, or enter code %(code)s at %(url)s"
                )
                % {"title": process.title[:60], "code": code, "url": url}
            )
    return " / ".join(parts)


@dataclass(frozen=True)
class SmsChallengeSent:
    """A code is on its way; `proof` is what the resident's session keeps until they type it."""

    proof: str


def sms_challenge_send(*, process: Process, phone: str, language: str) -> SmsChallengeSent:
    """Text a one-time code to ``phone`` to prove it (6 digits, 10 minutes, 5 tries, once).

    Raises:
        InvalidInputError: the number is not a phone number, or a code was sent a moment ago.
        NotEligibleError: text-message codes are not offered for this process.
    """
    _accepts(process, VerificationMethod.SMS_CODE)
    try:
        number = phone_e164(phone)
    except ValueError as error:
        raise InvalidInputError(
            _("Write a mobile phone number, for example 312 555 0100.")
        ) from error
    credential = _credential_digest(process, "phone", number)
    now = timezone.now()
    code = "".join(secrets.choice("0123456789") for _ in range(OTP_DIGITS))
    with transaction.atomic():
        existing = (
            SmsChallenge.objects.select_for_update()
            .filter(process=process, phone_digest=credential)
            .first()
        )
        if existing is not None and existing.expires_at - OTP_LIFETIME + OTP_RESEND_AFTER > now:
            raise InvalidInputError(
                _("A code was sent a moment ago. Wait a minute before asking for another.")
            )
        SmsChallenge.objects.update_or_create(
            process=process,
            phone_digest=credential,
            defaults={
                "code_digest": _code_digest(process, code),
                "expires_at": now + OTP_LIFETIME,
                "attempts": 0,
            },
        )
        with translation.override(language):
            body = _(
                "%(code)s is your code to take part in “%(title)s”. It works for 10 minutes. "
                "Nobody from the organisers or the police will ask you for it."
            ) % {"code": code, "title": process.title[:60]}
        message = sms_queue(
            key=f"otp:{process.pk}:{credential[:24]}:{secrets.token_hex(4)}",
            purpose="residency_code",
            to=number,
            body=body,
        )
        sms_dispatch(message_ids=[message.pk])
    return SmsChallengeSent(proof=credential)


def sms_challenge_check(*, process: Process, proof: str, code: str, channel: str) -> Identity:
    """Check the code the resident typed against the one texted to them.

    Raises:
        InvalidInputError: wrong code (tries are counted), expired, or too many tries.
    """
    _accepts(process, VerificationMethod.SMS_CODE)
    now = timezone.now()
    refusal = ""
    # Tries are counted even when refused: the refusal is raised after the transaction commits.
    with transaction.atomic():
        challenge = (
            SmsChallenge.objects.select_for_update()
            .filter(process=process, phone_digest=proof)
            .first()
        )
        if challenge is None or challenge.expires_at <= now:
            if challenge is not None:
                challenge.delete()
            refusal = _("This code has expired. Ask for a new one.")
        elif challenge.attempts >= OTP_MAX_TRIES:
            challenge.delete()
            refusal = _("Too many tries. Ask for a new code.")
        elif not secrets.compare_digest(
            challenge.code_digest, _code_digest(process, "".join(code.split()))
        ):
            challenge.attempts += 1
            challenge.save(update_fields=["attempts"])
            refusal = _("That is not the code we sent. Check it and try again.")
        else:
            challenge.delete()
    if refusal:
        raise InvalidInputError(refusal)
    _record_verification(
        process=process,
        method=VerificationMethod.SMS_CODE,
        credential=proof,
        actor=Actor(ref="resident", role="resident"),
    )
    return Identity.credential(proof, channel)


def identity_from_phone(*, process: Process, phone: str, channel: str) -> Identity:
    """The identity a phone texting or calling in takes part under, by the process's rule.

    Open: the phone itself. By invitation: a phone on the process's invitation list, under the
    credential its texted code carries (the same participant as that code typed on the web).
    Verified with text-message codes offered: sending from the phone proves it, so the phone's
    credential (the same participant as a text-message code typed on the web).

    Raises:
        NotEligibleError: by invitation, or verified without text-message codes: the resident
            must first give the code from their letter (see `identity_from_code`).
    """
    rule = eligibility_of(process)
    if rule.mode == EligibilityMode.OPEN:
        return Identity.phone(phone, channel)
    try:
        number = phone_e164(phone)
    except ValueError as error:
        raise NotEligibleError(_("Send the code from your letter to take part.")) from error
    credential = _credential_digest(process, "phone", number)
    if (
        rule.mode == EligibilityMode.INVITATION
        and EntryPass.objects.filter(
            process=process, method=PassMethod.SMS_INVITATION, credential_digest=credential
        ).exists()
    ):
        return Identity.credential(credential, channel)
    if rule.mode == EligibilityMode.VERIFIED and VerificationMethod.SMS_CODE in rule.methods:
        _record_verification(
            process=process,
            method=VerificationMethod.SMS_CODE,
            credential=credential,
            actor=Actor(ref="resident", role="resident"),
        )
        return Identity.credential(credential, channel)
    raise NotEligibleError(_("Send the code from your letter to take part."))


def identity_for_web(*, process: Process, secret: str, context: JoinContext) -> Identity:
    """A new web session joining: open processes only, within their limits.

    Raises:
        NotEligibleError: the process is by invitation or for verified residents.
        JoinLimitError: the device or network address reached the process's limit.
    """
    rule = eligibility_of(process)
    if rule.mode != EligibilityMode.OPEN:
        raise NotEligibleError(_("Taking part here needs an invitation or proof of residency."))
    join_limits_check(process=process, context=context)
    return Identity.web_session(secret)


def identity_for_api(*, process: Process, client_id: str, context: JoinContext) -> Identity:
    """A whole submission from an API client (a canvasser's tablet, an offline app): open
    processes only, within their limits per network address.

    Raises:
        NotEligibleError: the process is by invitation or for verified residents.
        JoinLimitError: the address reached the process's limit.
    """
    rule = eligibility_of(process)
    if rule.mode != EligibilityMode.OPEN:
        raise NotEligibleError(
            _("This process takes part by invitation or proof of residency, not through the API.")
        )
    join_limits_check(process=process, context=JoinContext(network=context.network))
    return Identity.api_client(client_id)


def join_counters_forget(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Drop network-address counters whose window ended long ago (device counters last as long
    as their process); return how many went."""
    cutoff = timezone.now() - older_than
    deleted, _by_model = (
        JoinCounter.objects.exclude(scope=LimitScope.DEVICE)
        .filter(window_start__lt=cutoff)
        .delete()
    )
    SmsChallenge.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
