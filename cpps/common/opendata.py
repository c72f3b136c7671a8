"""What the apps publish as open data and announce in the feeds, declared without naming them.

A capability declares the datasets of one process through its kind's ``datasets`` slot
(`cpps.processes.kinds.ProcessKindSpec`); datasets of a whole jurisdiction (the commitments,
the public record) and the announcements of the feeds are registered here from the apps'
``AppConfig.ready()``. `cpps.publishing` lists, serves and describes them all, knowing none by
name. Every row a dataset yields is public already: suppressed by `cpps.common.disclosure`,
with no personal data and no text a resident wrote that the public pages do not show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from cpps.jurisdictions.models import Jurisdiction

# The words of the columns every estimate has, shared by every dataset's dictionary.
INTERVAL_LOW = _("Low end of its confidence interval (95 percent)")
INTERVAL_HIGH = _("High end of its confidence interval (95 percent)")
# A dataset's name: a Frictionless resource name that is also a URL slug.
NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
# The field types of the Frictionless Table Schema that the datasets use.
FIELD_TYPES = frozenset({"string", "integer", "number", "boolean", "date", "datetime", "object"})


@dataclass(frozen=True)
class Column:
    """One column of a dataset, as its data dictionary describes it."""

    name: str
    type: str
    meaning: StrOrPromise
    unit: StrOrPromise = ""
    # Whether the small-cell rule may withhold this column's values (they are then empty).
    suppressed: bool = False

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"Column {self.name!r} has the unknown type {self.type!r}.")


@dataclass(frozen=True)
class Dataset:
    """A table published for everyone: its dictionary, where it comes from, and its rows.

    ``rows`` is called only when the data is downloaded (the catalogue lists datasets without
    computing them); each row has one value per column, in order.
    """

    name: str  # unique within the jurisdiction: lower case letters, digits, "-" and "_"
    title: StrOrPromise
    description: StrOrPromise
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[Sequence[Any]]]
    source_url: str
    updated: datetime | None

    def __post_init__(self) -> None:
        if not NAME.fullmatch(self.name):
            raise ValueError(f"A dataset cannot be named {self.name!r}: use a-z, 0-9, - and _.")


@dataclass(frozen=True)
class PublicEvent:
    """An audit event as the feeds read it: public facts only."""

    sequence: int
    recorded_at: datetime
    action: str
    object_type: str
    object_id: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Announcement:
    """One entry of a jurisdiction's feed: something that was published or changed publicly."""

    key: str  # stable and unique within the jurisdiction
    title: str
    url: str
    updated: datetime
    summary: str = ""


JurisdictionDatasets = Callable[["Jurisdiction"], Sequence[Dataset]]
# Given the jurisdiction and its events of the registered actions (newest first), the entries.
Announcer = Callable[["Jurisdiction", Sequence[PublicEvent]], Sequence[Announcement]]

_jurisdiction_datasets: dict[str, JurisdictionDatasets] = {}
_announcers: dict[str, tuple[tuple[str, ...], Announcer]] = {}


def jurisdiction_datasets_register(name: str, datasets: JurisdictionDatasets) -> None:
    _jurisdiction_datasets[name] = datasets


def jurisdiction_dataset_sources() -> dict[str, JurisdictionDatasets]:
    return dict(_jurisdiction_datasets)


def announcer_register(name: str, *, actions: tuple[str, ...], announcer: Announcer) -> None:
    """Announce events of these audit actions in the feeds (never per-resident acts)."""
    _announcers[name] = (actions, announcer)


def announcers() -> dict[str, tuple[tuple[str, ...], Announcer]]:
    return dict(_announcers)
