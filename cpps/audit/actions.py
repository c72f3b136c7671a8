"""The registry of audit actions: every act the log records has a name here, the topic it belongs
to and a plain-language sentence in every UI language, so the public record reads as sentences,
not codes.

Each app registers its own actions from an ``audit_actions.py`` module its AppConfig imports in
``ready()``; writing an action nobody registered is refused (`audit_event_record`), so a new act
cannot reach the public record without its sentence. Apps also say how an event's object is
named and linked (`audit_object_register`), fetched in bulk for the events a page shows.

Residents' own acts (a rating, an idea, a registration) are marked as such: they are stored with
the day only, in the jurisdiction's residents' chain, and the record shows them as counts per
day, so the log never tells when one resident acted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from cpps.jurisdictions.models import Jurisdiction

logger = logging.getLogger(__name__)


class UnregisteredAuditActionError(LookupError):
    """An act was about to be recorded under a name with no registered sentence."""


@dataclass(frozen=True)
class ActionTopic:
    """What a group of actions is about (a capability's work), for filtering the record."""

    key: str
    label: StrOrPromise


@dataclass(frozen=True)
class RecordedAct:
    """What a sentence is written from: the event's payload and its object's public name."""

    payload: Mapping[str, Any]
    object_label: str = ""

    def fields(self) -> dict[str, Any]:
        """The payload's plain values and the object's name (``object``), for ``%(name)s``."""
        plain = {
            key: value
            for key, value in self.payload.items()
            if isinstance(value, str | int | float | bool)
        }
        return {**plain, "object": self.object_label}


Sentence = Callable[[RecordedAct], str]
CountSentence = Callable[[int], str]


def says(template: StrOrPromise) -> Sentence:
    """A sentence that fills ``%(name)s`` from the payload's plain values and ``%(object)s``."""

    def sentence(act: RecordedAct) -> str:
        return str(template) % act.fields()

    return sentence


@dataclass(frozen=True)
class AuditAction:
    """One kind of act the log records.

    ``sentence`` must not quote text a resident wrote: payloads hold only organisers' words
    (titles, topics), numbers and states, and digests of residents' words.
    """

    name: str
    topic: ActionTopic
    # A short name for the record's filter ("Commitment drafted").
    label: StrOrPromise
    sentence: Sentence
    # Residents' acts are shown as counts per day, never one by one (see the module docstring);
    # `counted` says how many in one sentence: "12 residents rated commitments".
    counted: CountSentence | None = None
    # Which process an event belongs to, for the record's filter: "object" (the event's object
    # is the process), a payload key holding the process id, or "" (none).
    process_from: str = ""

    @property
    def residents_act(self) -> bool:
        return self.counted is not None

    def count_sentence(self, count: int) -> str:
        """How many of these acts a day held, in a sentence ("12 residents rated ...")."""
        if self.counted is None:  # an organisational act is never counted; say what it was
            return str(_("%(action)s: %(count)s") % {"action": self.label, "count": count})
        return self.counted(count)

    def process_of(self, *, object_type: str, object_id: str, payload: Mapping[str, Any]) -> int:
        """The id of the process an event of this action belongs to (0: none)."""
        if self.process_from == "object":
            return int(object_id) if object_type == "process" and object_id else 0
        if self.process_from:
            value = payload.get(self.process_from)
            return value if isinstance(value, int) else 0
        return 0

    def describe(self, act: RecordedAct) -> str:
        """The event in a sentence; a stored payload older than the sentence still reads."""
        try:
            return self.sentence(act)
        except (KeyError, TypeError, ValueError):
            logger.warning("Audit action %s could not describe payload %r", self.name, act.payload)
            return str(_("%(action)s (recorded).") % {"action": self.label})


_actions: dict[str, AuditAction] = {}


def audit_action_register(action: AuditAction) -> str:
    """Register an action and return its name, the constant services record it under."""
    known = _actions.get(action.name)
    if known is not None and known != action:
        raise ValueError(f"Audit action {action.name!r} is registered twice, differently.")
    _actions[action.name] = action
    return action.name


def audit_action(name: str) -> AuditAction:
    """The registered action of this name.

    Raises:
        UnregisteredAuditActionError: no app registered it (add it to its audit_actions.py).
    """
    try:
        return _actions[name]
    except KeyError:
        raise UnregisteredAuditActionError(
            f"Audit action {name!r} is not registered: add it, with its sentence, to the "
            "audit_actions.py of the app that records it."
        ) from None


def audit_actions() -> list[AuditAction]:
    """Every registered action, by topic then name."""
    return sorted(_actions.values(), key=lambda action: (action.topic.key, action.name))


def residents_acts() -> list[str]:
    return [action.name for action in _actions.values() if action.residents_act]


@dataclass(frozen=True)
class ObjectRef:
    """How the public record names an event's object and where it links (None: no page)."""

    label: str
    url: str | None = None


# Given the jurisdiction and the object ids a page shows, name (and link) each one in bulk.
ObjectResolver = Callable[["Jurisdiction", Sequence[str]], Mapping[str, ObjectRef]]
_resolvers: dict[str, ObjectResolver] = {}


def audit_object_register(object_type: str, resolver: ObjectResolver) -> None:
    """Say how events about one model (its ``model_name``) name and link their object."""
    _resolvers[object_type] = resolver


def audit_object_resolver(object_type: str) -> ObjectResolver | None:
    return _resolvers.get(object_type)


# The processes a jurisdiction's record can be narrowed to, as (id, title), newest first: given
# by the processes app, so the filter reads the processes, not every event.
ProcessChoices = Callable[["Jurisdiction"], Sequence[tuple[int, str]]]
_process_choices: list[ProcessChoices] = []


def audit_process_choices_register(choices: ProcessChoices) -> None:
    _process_choices[:] = [choices]


def audit_process_choices(jurisdiction: Jurisdiction) -> list[tuple[int, str]]:
    return [choice for provider in _process_choices for choice in provider(jurisdiction)]


_role_labels: dict[str, StrOrPromise] = {
    "system": _("Automatic (the platform)"),
    "resident": _("A resident"),
}


def audit_role_labels_register(labels: Mapping[str, StrOrPromise]) -> None:
    """Name the roles acts are recorded under (the accounts app registers its roles)."""
    _role_labels.update(labels)


def audit_role_label(role: str) -> StrOrPromise:
    return _role_labels.get(role, role)
