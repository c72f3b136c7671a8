"""What publishing reads: the jurisdiction's open datasets (each process's, as its kind declares
them, and the jurisdiction-wide ones registered in `cpps.common.opendata`), their Frictionless
descriptor, and the entries of the jurisdiction's feed. Publishing names no capability."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _

from cpps.audit.selectors import public_events
from cpps.common.disclosure import rule_text, small_cell_threshold
from cpps.common.opendata import (
    Announcement,
    Column,
    Dataset,
    announcers,
    jurisdiction_dataset_sources,
)
from cpps.processes.selectors import process_datasets

if TYPE_CHECKING:
    from cpps.jurisdictions.models import Jurisdiction

FEED_ENTRIES = 50
# Frictionless Data Package v1 (https://specs.frictionlessdata.io/data-package/): every
# resource here is a CSV table with a Table Schema.
PACKAGE_PROFILE = "tabular-data-package"
RESOURCE_PROFILE = "tabular-data-resource"


def dataset_list(*, jurisdiction: Jurisdiction) -> list[Dataset]:
    """Every dataset the jurisdiction publishes now: the processes' first, then the
    jurisdiction-wide ones (commitments, the public record) in registration order."""
    datasets = process_datasets(jurisdiction=jurisdiction)
    for source in jurisdiction_dataset_sources().values():
        datasets.extend(source(jurisdiction))
    return datasets


def dataset_get(*, jurisdiction: Jurisdiction, name: str) -> Dataset:
    for dataset in dataset_list(jurisdiction=jurisdiction):
        if dataset.name == name:
            return dataset
    raise Http404(name)


@dataclass(frozen=True)
class License:
    name: str
    path: str


def open_data_license() -> License:
    return License(name=settings.OPEN_DATA_LICENSE, path=settings.OPEN_DATA_LICENSE_URL)


def dataset_table(dataset: Dataset) -> Iterator[Sequence[Any]]:
    """The header and the rows: the dataset's CSV."""
    yield [column.name for column in dataset.columns]
    yield from dataset.rows()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def dataset_document(dataset: Dataset) -> dict[str, Any]:
    """The dataset as JSON: its dictionary and licence, then one object per row."""
    names = [column.name for column in dataset.columns]
    license_ = open_data_license()
    return {
        "name": dataset.name,
        "title": str(dataset.title),
        "description": str(dataset.description),
        "updated": _iso(dataset.updated),
        "license": {"name": license_.name, "path": license_.path},
        "suppression": {"threshold": small_cell_threshold(), "rule": rule_text()},
        "fields": [_field(column) for column in dataset.columns],
        "rows": [dict(zip(names, row, strict=True)) for row in dataset.rows()],
    }


def _field(column: Column) -> dict[str, Any]:
    field = {
        "name": column.name,
        "type": column.type,
        "description": str(column.meaning),
    }
    if column.unit:
        field["unit"] = str(column.unit)
    if column.suppressed:
        field["suppression"] = _("Empty when withheld by the small-cell rule.")
    return field


def datapackage(
    *, jurisdiction: Jurisdiction, absolute: Callable[[str], str], csv_url: Callable[[str], str]
) -> dict[str, Any]:
    """The jurisdiction's Frictionless Data Package descriptor (``datapackage.json``): every
    dataset as a CSV resource with its Table Schema, the licence and the suppression rule."""
    datasets = dataset_list(jurisdiction=jurisdiction)
    license_ = open_data_license()
    updated = [dataset.updated for dataset in datasets if dataset.updated]
    descriptor: dict[str, Any] = {
        "profile": PACKAGE_PROFILE,
        "name": f"cpps-{jurisdiction.slug}",
        "title": _("Open data of %(name)s") % {"name": jurisdiction.name},
        "description": rule_text(),
        "licenses": [{"name": license_.name, "path": license_.path}],
        "resources": [
            {
                "profile": RESOURCE_PROFILE,
                "name": dataset.name,
                "path": absolute(csv_url(dataset.name)),
                "title": str(dataset.title),
                "description": str(dataset.description),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "sources": [{"title": str(dataset.title), "path": absolute(dataset.source_url)}],
                "schema": {
                    "fields": [_field(column) for column in dataset.columns],
                    "missingValues": [""],
                },
            }
            for dataset in datasets
        ],
    }
    if updated:
        descriptor["created"] = max(updated).isoformat()
    return descriptor


def feed_entries(*, jurisdiction: Jurisdiction) -> list[Announcement]:
    """The newest things published in the jurisdiction, from its audit events of the actions
    the apps announce (never residents' own acts or words), newest first."""
    registered = announcers()
    actions = {action for wanted, _announcer in registered.values() for action in wanted}
    events = public_events(jurisdiction=jurisdiction, actions=actions, limit=FEED_ENTRIES)
    entries: list[Announcement] = []
    for wanted, announcer in registered.values():
        mine = [event for event in events if event.action in wanted]
        if mine:
            entries.extend(announcer(jurisdiction, mine))
    return sorted(entries, key=lambda entry: entry.updated, reverse=True)
