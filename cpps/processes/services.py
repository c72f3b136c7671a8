"""Writes for processes and for residents taking part in them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from cpps.accounts.policy import Action, require
from cpps.audit.services import Actor, audit_event_record
from cpps.common.errors import InvalidInputError, InvalidTransitionError
from cpps.engines.privacy import new_process_salt
from cpps.jurisdictions.models import Area, Jurisdiction
from cpps.processes.audit_actions import (
    PROCESS_AGENDA_CHANGED,
    PROCESS_CREATED,
    PROCESS_STATE_CHANGED,
)
from cpps.processes.kinds import UnknownKindError, kind_named
from cpps.processes.models import Process, ProcessState
from cpps.processes.signals import process_state_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User

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
    try:
        kind_named(kind)
    except UnknownKindError as unknown:
        raise InvalidInputError(
            _("“%(kind)s” is not a kind of process.") % {"kind": kind}
        ) from unknown
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
            action=PROCESS_CREATED,
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
            action=PROCESS_AGENDA_CHANGED,
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
            action=PROCESS_STATE_CHANGED,
            target=process,
            payload={"from": previous, "to": to_state},
        )
    return process
