"""Paper forms: printable bilingual forms with a checked form number, and double entry.

Two different people key each returned form. When their entries agree the response is stored;
when they differ, the differences are shown to a facilitator, who reads the paper form and
decides. A form number identifies a form, never a person: it only enters the keyed pseudonym.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cpps.accounts.policy import Action, require
from cpps.audit.services import Actor, audit_event_record
from cpps.common.errors import InvalidInputError, InvalidTransitionError
from cpps.listening import services
from cpps.listening.models import PaperEntry, Response
from cpps.participation.identities import Identity
from cpps.processes.models import Process

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User

# Crockford's base 32: no I, L, O or U, so handwriting and typing mix-ups are fewer.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 6
MAX_FORMS_PER_PRINT = 500

EntryValues = dict[str, list[str]]


def check_character(body: str) -> str:
    total = sum((index + 1) * ALPHABET.index(char) for index, char in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def form_code_new() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{body[:3]}-{body[3:]}{check_character(body)}"


def form_code_clean(raw: str) -> str:
    """Normalise a keyed form number and check its last character (catches most typos)."""
    text = raw.strip().upper().replace(" ", "").replace("-", "")
    look_alikes: dict[str, str | int | None] = {"O": "0", "I": "1", "L": "1"}
    text = text.translate(str.maketrans(look_alikes))
    if len(text) != CODE_LENGTH + 1 or any(char not in ALPHABET for char in text):
        raise InvalidInputError(_("A form number looks like ABC-1234. Check it on the form."))
    body, check = text[:CODE_LENGTH], text[CODE_LENGTH]
    if check_character(body) != check:
        raise InvalidInputError(
            _("This form number has a typing mistake (its last character does not match).")
        )
    return f"{body[:3]}-{body[3:]}{check}"


@dataclass(frozen=True)
class EntryOutcome:
    """What keying a form led to: waiting for a second entry, stored, or differences to resolve."""

    form_code: str
    response: Response | None
    differences: tuple[str, ...]

    @property
    def waiting(self) -> bool:
        return self.response is None and not self.differences


def _differences(
    first: Mapping[str, Sequence[str]], second: Mapping[str, Sequence[str]]
) -> tuple[str, ...]:
    fields = sorted(set(first) | set(second))
    return tuple(
        name for name in fields if sorted(first.get(name, [])) != sorted(second.get(name, []))
    )


def paper_entry_record(
    *, user: User | AnonymousUser, process: Process, form_code: str, values: EntryValues
) -> EntryOutcome:
    """Store one person's keying of a form; with a matching second entry, store the response."""
    role = require(user, Action.ENTER_PAPER_FORMS, process.jurisdiction)
    code = form_code_clean(form_code)
    with transaction.atomic():
        entries = list(
            PaperEntry.objects.select_for_update().filter(process=process, form_code=code)
        )
        if any(entry.response_id for entry in entries):
            raise InvalidTransitionError(
                _("Form %(code)s is already stored; each form is counted once.") % {"code": code}
            )
        if any(entry.keyed_by_id == user.pk for entry in entries):
            raise InvalidInputError(
                _("You already keyed form %(code)s. A second person must key it.") % {"code": code}
            )
        if len(entries) >= 2:
            raise InvalidTransitionError(
                _("Form %(code)s has two entries that differ; resolve them first.") % {"code": code}
            )
        try:
            with transaction.atomic():
                entry = PaperEntry.objects.create(
                    process=process, form_code=code, keyed_by=cast("User", user), values=values
                )
        except IntegrityError as error:
            raise InvalidInputError(
                _("You already keyed form %(code)s. A second person must key it.") % {"code": code}
            ) from error
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action="survey.paper_keyed",
            target=process,
            payload={"entry": len(entries) + 1},
        )
        if not entries:
            return EntryOutcome(code, None, ())
        differences = _differences(entries[0].values, values)
        if differences:
            return EntryOutcome(code, None, differences)
        response = _store(process, code, values, [entries[0], entry])
    return EntryOutcome(code, response, ())


def paper_entry_resolve(
    *, user: User | AnonymousUser, process: Process, form_code: str, values: EntryValues
) -> Response:
    """Store a form whose two entries differ, with the values a facilitator read on the paper."""
    role = require(user, Action.ENTER_PAPER_FORMS, process.jurisdiction)
    code = form_code_clean(form_code)
    with transaction.atomic():
        entries = list(
            PaperEntry.objects.select_for_update().filter(process=process, form_code=code)
        )
        if len(entries) != 2 or any(entry.response_id for entry in entries):
            raise InvalidTransitionError(
                _("Form %(code)s has no differing entries to resolve.") % {"code": code}
            )
        response = _store(process, code, values, entries)
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action="survey.paper_resolved",
            target=process,
            payload={"fields": len(_differences(entries[0].values, entries[1].values))},
        )
    return response


def _store(process: Process, code: str, values: EntryValues, entries: list[PaperEntry]) -> Response:
    answers = {
        name.removeprefix("q_"): list(given)
        for name, given in values.items()
        if name.startswith("q_")
    }
    about = {
        name.removeprefix("about_"): given[0]
        for name, given in values.items()
        if name.startswith("about_") and given
    }
    area = about.pop("area", "")
    response_id, _created = services.response_submit(
        process=process,
        client_id=f"paper:{code}",
        identity=Identity.paper_form(code),
        language="en",
        answers=answers,
        area_code=area,
        demographics=about,
    )
    PaperEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
        response_id=response_id
    )
    return Response.objects.get(pk=response_id)


def paper_forms_count_check(count: int) -> int:
    if not 1 <= count <= MAX_FORMS_PER_PRINT:
        raise InvalidInputError(
            _("Print between 1 and %(max)s forms at a time.") % {"max": MAX_FORMS_PER_PRINT}
        )
    return count
