"""Writes for jurisdictions, areas and census figures."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cpps.audit.services import SYSTEM, Actor, audit_event_record
from cpps.common.errors import InvalidInputError
from cpps.engines.census import CensusTable
from cpps.jurisdictions.models import Area, CensusFigure, Jurisdiction


def jurisdiction_create(
    *, name: str, slug: str = "", description: str = "", actor: Actor = SYSTEM
) -> Jurisdiction:
    """Create a jurisdiction; its audit chain starts with this event."""
    slug = slug or slugify(name)
    if not slug:
        raise InvalidInputError(_("A jurisdiction needs a name made of letters or digits."))
    if Jurisdiction.objects.filter(slug=slug).exists():
        raise InvalidInputError(
            _("A jurisdiction with the short name “%(slug)s” already exists.") % {"slug": slug}
        )
    with transaction.atomic():
        jurisdiction = Jurisdiction.objects.create(name=name, slug=slug, description=description)
        audit_event_record(
            jurisdiction=jurisdiction,
            actor=actor,
            action="jurisdiction.created",
            target=jurisdiction,
            payload={"name": name, "slug": slug},
        )
    return jurisdiction


def census_import(
    *, jurisdiction: Jurisdiction, table: CensusTable, file_name: str, actor: Actor = SYSTEM
) -> dict[str, int]:
    """Load a validated census table: areas are created or renamed, figures replaced.

    Everything is stored in one transaction, with its audit event, or nothing is.
    """
    with transaction.atomic():
        existing = {area.code: area for area in Area.objects.filter(jurisdiction=jurisdiction)}
        created = 0
        for record in table.areas:
            area = existing.get(record.code)
            if area is None:
                area = Area.objects.create(
                    jurisdiction=jurisdiction, code=record.code, name=record.name, kind=record.kind
                )
                existing[record.code] = area
                created += 1
            elif record.name != record.code and (area.name, area.kind) != (
                record.name,
                record.kind,
            ):
                area.name, area.kind = record.name, record.kind
                area.save(update_fields=["name", "kind"])
        for record in table.areas:
            if record.parent_code:
                Area.objects.filter(pk=existing[record.code].pk).update(
                    parent=existing[record.parent_code]
                )
        area_ids = [existing[record.code].pk for record in table.areas]
        replaced = CensusFigure.objects.filter(
            area_id__in=area_ids,
            variable__in={figure.variable for figure in table.figures},
        ).delete()[0]
        CensusFigure.objects.bulk_create(
            CensusFigure(
                area=existing[figure.area_code],
                variable=figure.variable,
                category=figure.category,
                count=figure.count,
                source=figure.source,
                vintage=figure.vintage,
            )
            for figure in table.figures
        )
        summary = {
            "areas": len(table.areas),
            "areas_created": created,
            "figures": len(table.figures),
            "figures_replaced": replaced,
        }
        audit_event_record(
            jurisdiction=jurisdiction,
            actor=actor,
            action="census.imported",
            payload={"file": file_name, **summary},
        )
    return summary
