"""Paper forms, the same way for every capability: printable form numbers with a check
character, and double entry.

Two different people key each returned form. When their entries agree the capability stores the
answers; when they differ, a facilitator reads the paper and decides. A form number identifies a
form, never a person: it only enters the keyed pseudonym (`Identity.paper_form`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpps.accounts.policy import Action, require
from cpps.audit.services import Actor, audit_event_record
from cpps.common.errors import InvalidInputError, InvalidTransitionError
from cpps.participation.models import PaperEntry
from cpps.processes.models import Process

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User

# Crockford's base 32: no I, L, O or U, so handwriting and typing mix-ups are fewer.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 6
MAX_FORMS_PER_PRINT = 500

EntryValues = dict[str, list[str]]
# What a capability does with a form's agreed values: store them under the form's number.
StoreForm = Callable[[str, EntryValues], None]


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


def paper_forms_count_check(count: int) -> int:
    if not 1 <= count <= MAX_FORMS_PER_PRINT:
        raise InvalidInputError(
            _("Print between 1 and %(max)s forms at a time.") % {"max": MAX_FORMS_PER_PRINT}
        )
    return count


@dataclass(frozen=True)
class EntryOutcome:
    """What keying a form led to: waiting for a second entry, stored, or differences to resolve."""

    form_code: str
    stored: bool
    differences: tuple[str, ...]

    @property
    def waiting(self) -> bool:
        return not self.stored and not self.differences


def differences(
    first: Mapping[str, Sequence[str]], second: Mapping[str, Sequence[str]]
) -> tuple[str, ...]:
    """The fields two entries of one form disagree on."""
    fields = sorted(set(first) | set(second))
    return tuple(
        name for name in fields if sorted(first.get(name, [])) != sorted(second.get(name, []))
    )


def _entries_locked(process: Process, code: str) -> list[PaperEntry]:
    return list(PaperEntry.objects.select_for_update().filter(process=process, form_code=code))


def paper_entry_record(
    *,
    user: User | AnonymousUser,
    process: Process,
    form_code: str,
    values: EntryValues,
    store: StoreForm,
    action: str,
) -> EntryOutcome:
    """Keep one person's keying of a form (audited as ``action``); with a matching second entry,
    have the capability ``store`` the values."""
    role = require(user, Action.ENTER_PAPER_FORMS, process.jurisdiction)
    code = form_code_clean(form_code)
    with transaction.atomic():
        entries = _entries_locked(process, code)
        if any(entry.stored_at for entry in entries):
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
            action=action,
            target=process,
            payload={"entry": len(entries) + 1},
        )
        if not entries:
            return EntryOutcome(code, stored=False, differences=())
        differing = differences(entries[0].values, values)
        if differing:
            return EntryOutcome(code, stored=False, differences=differing)
        _store(process, code, values, [entries[0], entry], store)
    return EntryOutcome(code, stored=True, differences=())


def paper_entry_resolve(
    *,
    user: User | AnonymousUser,
    process: Process,
    form_code: str,
    values: EntryValues,
    store: StoreForm,
    action: str,
) -> None:
    """Store a form whose two entries differ, with the values a facilitator read on the paper
    (audited as ``action``)."""
    role = require(user, Action.ENTER_PAPER_FORMS, process.jurisdiction)
    code = form_code_clean(form_code)
    with transaction.atomic():
        entries = _entries_locked(process, code)
        if len(entries) != 2 or any(entry.stored_at for entry in entries):
            raise InvalidTransitionError(
                _("Form %(code)s has no differing entries to resolve.") % {"code": code}
            )
        _store(process, code, values, entries, store)
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action=action,
            target=process,
            payload={"fields": len(differences(entries[0].values, entries[1].values))},
        )


def _store(
    process: Process, code: str, values: EntryValues, entries: list[PaperEntry], store: StoreForm
) -> None:
    store(code, values)
    PaperEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
        stored_at=timezone.now()
    )


def paper_entries(*, user: User | AnonymousUser, process: Process) -> list[PaperEntry]:
    """Every keying of the process's forms (facilitators only: entries hold answers)."""
    require(user, Action.ENTER_PAPER_FORMS, process.jurisdiction)
    return list(PaperEntry.objects.filter(process=process).order_by("form_code", "keyed_at", "pk"))


@dataclass(frozen=True)
class PaperProgress:
    """Forms keyed once, forms whose two entries differ, and forms stored."""

    waiting: list[str]
    differing: list[str]
    stored: int


def paper_progress(entries: Sequence[PaperEntry]) -> PaperProgress:
    waiting: list[str] = []
    differing: list[str] = []
    by_code: dict[str, list[PaperEntry]] = {}
    for entry in entries:
        if entry.stored_at is None:
            by_code.setdefault(entry.form_code, []).append(entry)
    for code, pair in sorted(by_code.items()):
        (waiting if len(pair) == 1 else differing).append(code)
    return PaperProgress(
        waiting=waiting,
        differing=differing,
        stored=len({entry.form_code for entry in entries if entry.stored_at}),
    )


def differing_entries(
    entries: Sequence[PaperEntry], code: str
) -> tuple[EntryValues, EntryValues] | None:
    """The two entries of form ``code`` still to resolve, or None."""
    pair = [entry for entry in entries if entry.form_code == code and entry.stored_at is None]
    if len(pair) != 2:
        return None
    return pair[0].values, pair[1].values


@dataclass(frozen=True)
class Resolution:
    """The facilitator's choice between two entries of one form: the fields where they differ,
    and the values chosen for every field (None: a difference was left unchosen)."""

    differing: list[str]
    chosen: EntryValues | None


def resolution_of(
    first: EntryValues, second: EntryValues, picks: Mapping[str, str] | None
) -> Resolution:
    """Where two entries differ and, given the posted ``picks`` ("first" or "second" per field;
    fields that agree default to the first), the values to store."""
    names = sorted(set(first) | set(second))
    differing = [n for n in names if sorted(first.get(n, [])) != sorted(second.get(n, []))]
    if picks is None:
        return Resolution(differing, None)
    chosen = {}
    for name in names:
        pick = picks.get(name, "first" if name not in differing else "")
        if pick not in {"first", "second"}:
            return Resolution(differing, None)
        chosen[name] = (first if pick == "first" else second).get(name, [])
    return Resolution(differing, chosen)
