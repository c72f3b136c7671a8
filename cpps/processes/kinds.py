"""The registry of process kinds: each capability declares what its kind of process is and how
core pages reach it, so that nothing outside the capability knows its name.

A capability registers one `ProcessKindSpec` from its ``kind.py`` (imported by its AppConfig's
``ready()``). Core pages ask `kind_of(process)` for the process's real state, the links to show
(take part, workspace, results), and the panel to include on the process page; the channel
layer asks for the kind's SMS and voice handlers; publishing asks what the kind publishes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_stubs_ext import StrOrPromise

    from cpps.accounts.models import User
    from cpps.common.opendata import Dataset
    from cpps.processes.models import Process


@dataclass(frozen=True)
class KindLink:
    """A link a process page or the jurisdiction home shows for a process."""

    label: StrOrPromise
    url: str
    # "take_part" (residents), "results" (everyone), "workspace" (organisers)
    purpose: str


@dataclass(frozen=True)
class KindStatus:
    """What a capability says about one process right now, in plain words."""

    label: StrOrPromise
    participant_count: int
    participant_label: StrOrPromise


@dataclass(frozen=True)
class ProcessKindSpec:
    """One kind of process, as its capability declares it.

    Every callable takes the process (and, for links, the viewer) and must not raise for any
    process of this kind in any state.
    """

    value: str
    label: StrOrPromise
    # Plain words for residents: what taking part in this kind of process means.
    description: StrOrPromise
    status: Callable[[Process], KindStatus]
    links: Callable[[Process, User | AnonymousUser], Sequence[KindLink]]
    # The page a resident opens to take part (None: nobody takes part on the web right now).
    take_part_url: Callable[[Process], str | None] = lambda _process: None
    # The main page of this process (the jurisdiction home links it); default: process page.
    home_url: Callable[[Process], str | None] = lambda _process: None
    # Eligibility modes the kind allows (a panel registers by its letters' codes only).
    eligibility_modes: tuple[str, ...] = ("open", "invitation", "verified")
    # Dotted paths of the channel handlers (see cpps.channels.handlers), or "".
    sms_handler: str = ""
    voice_handler: str = ""
    # What the process publishes as open data right now (none while its results are private):
    # the open-data catalogue, the datapackage.json and the downloads read this.
    datasets: Callable[[Process], Sequence[Dataset]] = lambda _process: ()
    # Extra keyword arguments a capability wants kept with its registration.
    extras: dict[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, ProcessKindSpec] = {}


class UnknownKindError(LookupError):
    """A process names a kind no installed capability registered."""


def register(spec: ProcessKindSpec) -> ProcessKindSpec:
    """Declare a kind of process; registering the same value twice is a programming error."""
    if spec.value in _REGISTRY and _REGISTRY[spec.value] is not spec:
        raise ValueError(f"The process kind {spec.value!r} is registered twice.")
    _REGISTRY[spec.value] = spec
    return spec


def kind_of(process: Process) -> ProcessKindSpec:
    return kind_named(process.kind)


def kind_named(value: str) -> ProcessKindSpec:
    try:
        return _REGISTRY[value]
    except KeyError as missing:
        raise UnknownKindError(value) from missing


def registered_kinds() -> list[ProcessKindSpec]:
    return list(_REGISTRY.values())


def kind_choices() -> list[tuple[str, StrOrPromise]]:
    """The kinds as model and form choices, in registration order."""
    return [(spec.value, spec.label) for spec in _REGISTRY.values()] or [
        ("", _("No kind of process is installed"))
    ]


def status_by_state(
    labels: Mapping[str, StrOrPromise],
    *,
    count: Callable[[Process], int],
    counted: StrOrPromise,
) -> Callable[[Process], KindStatus]:
    """A kind's `status`: its own words for each lifecycle state, and whom it counts."""

    def status(process: Process) -> KindStatus:
        return KindStatus(
            label=labels[process.state], participant_count=count(process), participant_label=counted
        )

    return status


def url_while_open(view_name: str) -> Callable[[Process], str | None]:
    """A kind's `take_part_url`: the named page (with the jurisdiction's slug and the process's
    id), while the process is open."""

    def take_part_url(process: Process) -> str | None:
        if process.state != "open":
            return None
        return reverse(view_name, args=[process.jurisdiction.slug, process.pk])

    return take_part_url
