"""Writes for processes and for residents taking part in them."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpps.accounts.policy import Action, require
from cpps.audit.services import Actor, audit_event_record
from cpps.common.errors import InvalidInputError, InvalidTransitionError
from cpps.engines.privacy import new_process_salt, pseudonym
from cpps.jurisdictions.models import Area, Jurisdiction
from cpps.processes.demographics import QUESTIONS
from cpps.processes.models import (
    Channel,
    OneTimeLink,
    Participant,
    Process,
    ProcessKind,
    ProcessState,
)
from cpps.processes.signals import process_state_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User

LINK_SIGNING_SALT = "cpps.processes.take-part"
MAX_LINKS_PER_REQUEST = 5000
SUPPORTED_LANGUAGES = ("en", "es")

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ProcessState.DRAFT: frozenset({ProcessState.OPEN}),
    ProcessState.OPEN: frozenset({ProcessState.CLOSED}),
    ProcessState.CLOSED: frozenset({ProcessState.OPEN, ProcessState.PUBLISHED}),
    ProcessState.PUBLISHED: frozenset(),
}


def _validated_agenda(
    *,
    jurisdiction: Jurisdiction,
    title: str,
    purpose: str,
    area_codes: Iterable[str],
    languages: Iterable[str],
    opens_on: date | None,
    closes_on: date | None,
) -> tuple[list[Area], list[str]]:
    if not title.strip():
        raise InvalidInputError(_("Give the process a title."))
    if not purpose.strip():
        raise InvalidInputError(_("Say in a few words what the process is for."))
    chosen_languages = list(dict.fromkeys(languages)) or list(SUPPORTED_LANGUAGES)
    unknown = [code for code in chosen_languages if code not in SUPPORTED_LANGUAGES]
    if unknown:
        listed = ", ".join(unknown)
        raise InvalidInputError(_("Unsupported language: %(codes)s.") % {"codes": listed})
    codes = list(dict.fromkeys(area_codes))
    areas = list(Area.objects.filter(jurisdiction=jurisdiction, code__in=codes))
    if len(areas) != len(codes):
        missing = sorted(set(codes) - {area.code for area in areas})
        raise InvalidInputError(_("Unknown area: %(codes)s.") % {"codes": ", ".join(missing)})
    if opens_on and closes_on and closes_on < opens_on:
        raise InvalidInputError(_("The closing date must not be before the opening date."))
    return areas, chosen_languages


def process_create(
    *,
    user: User | AnonymousUser,
    jurisdiction: Jurisdiction,
    kind: str,
    title: str,
    purpose: str,
    area_codes: Iterable[str] = (),
    languages: Iterable[str] = SUPPORTED_LANGUAGES,
    opens_on: date | None = None,
    closes_on: date | None = None,
) -> Process:
    """Convene a new process (community roles only); it starts as a draft."""
    role = require(user, Action.CREATE_PROCESS, jurisdiction)
    if kind not in ProcessKind.values:
        raise InvalidInputError(_("“%(kind)s” is not a kind of process.") % {"kind": kind})
    areas, chosen_languages = _validated_agenda(
        jurisdiction=jurisdiction,
        title=title,
        purpose=purpose,
        area_codes=area_codes,
        languages=languages,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    with transaction.atomic():
        process = Process.objects.create(
            jurisdiction=jurisdiction,
            kind=kind,
            title=title.strip(),
            purpose=purpose.strip(),
            languages=chosen_languages,
            opens_on=opens_on,
            closes_on=closes_on,
            convened_by=user if user.is_authenticated else None,
            pseudonym_salt=new_process_salt(),
        )
        process.areas.set(areas)
        audit_event_record(
            jurisdiction=jurisdiction,
            actor=Actor.for_user(user, role),
            action="process.created",
            target=process,
            payload={
                "kind": kind,
                "title": process.title,
                "areas": sorted(area.code for area in areas),
                "languages": chosen_languages,
            },
        )
    return process


def process_agenda_update(
    *,
    user: User | AnonymousUser,
    process: Process,
    title: str,
    purpose: str,
    area_codes: Iterable[str] = (),
    languages: Iterable[str] = SUPPORTED_LANGUAGES,
    opens_on: date | None = None,
    closes_on: date | None = None,
) -> Process:
    """Change what a process is about (community roles only, before it closes)."""
    role = require(user, Action.SET_AGENDA, process.jurisdiction)
    if process.state not in {ProcessState.DRAFT, ProcessState.OPEN}:
        raise InvalidTransitionError(_("A closed process's agenda can no longer be changed."))
    areas, chosen_languages = _validated_agenda(
        jurisdiction=process.jurisdiction,
        title=title,
        purpose=purpose,
        area_codes=area_codes,
        languages=languages,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    with transaction.atomic():
        process.title, process.purpose = title.strip(), purpose.strip()
        process.languages, process.opens_on, process.closes_on = (
            chosen_languages,
            opens_on,
            closes_on,
        )
        process.save()
        process.areas.set(areas)
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action="process.agenda_changed",
            target=process,
            payload={
                "title": process.title,
                "areas": sorted(area.code for area in areas),
                "languages": chosen_languages,
            },
        )
    return process


def process_transition(*, user: User | AnonymousUser, process: Process, to_state: str) -> Process:
    """Move a process along its lifecycle (community roles only)."""
    role = require(user, Action.CONVENE_PROCESS, process.jurisdiction)
    if to_state not in ALLOWED_TRANSITIONS.get(process.state, frozenset()):
        raise InvalidTransitionError(
            _("A process that is %(state)s cannot become %(target)s.")
            % {"state": process.get_state_display().lower(), "target": to_state}
        )
    with transaction.atomic():
        previous = process.state
        process.state = to_state
        process.save(update_fields=["state"])
        process_state_changed.send(sender=Process, process=process, previous=previous, user=user)
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action="process.state_changed",
            target=process,
            payload={"from": previous, "to": to_state},
        )
    return process


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
    with transaction.atomic():
        OneTimeLink.objects.bulk_create(
            OneTimeLink(process=process, secret_digest=_digest(secret)) for secret in secrets_issued
        )
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action="process.links_issued",
            target=process,
            payload={"count": count},
        )
    return [
        signing.dumps({"p": process.pk, "s": secret}, salt=LINK_SIGNING_SALT)
        for secret in secrets_issued
    ]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def participant_join_by_link(*, token: str) -> Participant:
    """Redeem a one-time link and return the new participant.

    Raises:
        InvalidInputError: the link is damaged, already used, or its process is not open.
    """
    try:
        claims = signing.loads(token, salt=LINK_SIGNING_SALT)
        process_id, secret = int(claims["p"]), str(claims["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvalidInputError(
            _("This link is not valid. Check that it was copied in full.")
        ) from error
    with transaction.atomic():
        link = (
            OneTimeLink.objects.select_related("process")
            .filter(process_id=process_id, secret_digest=_digest(secret))
            .first()
        )
        if link is None:
            raise InvalidInputError(_("This link is not valid. Check that it was copied in full."))
        if link.process.state != ProcessState.OPEN:
            raise InvalidInputError(_("This process is not open for taking part right now."))
        redeemed = OneTimeLink.objects.filter(pk=link.pk, redeemed_at__isnull=True).update(
            redeemed_at=timezone.now()
        )
        if not redeemed:
            raise InvalidInputError(
                _(
                    "This link has already been used. Continue on the device you used first, "
                    "or ask the organisers for a new link."
                )
            )
        return Participant.objects.create(
            process=link.process,
            channel=Channel.WEB,
            pseudonym=pseudonym(
                key=settings.PSEUDONYM_KEY,
                process_salt=link.process.pseudonym_salt,
                channel="link",
                identity=secret,
            ),
        )


def participant_demographics_save(
    *, participant: Participant, answers: Mapping[str, str]
) -> Participant:
    """Store the optional self-reported answers; blanks mean "prefer not to say"."""
    cleaned: dict[str, str] = {}
    for question in QUESTIONS:
        answer = answers.get(question.key, "")
        if not answer:
            continue
        if answer not in {value for value, _label in question.choices}:
            raise InvalidInputError(_("Choose one of the answers offered."))
        cleaned[question.key] = answer
    participant.demographics = cleaned
    participant.save(update_fields=["demographics"])
    return participant
