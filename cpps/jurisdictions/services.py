"""Writes for jurisdictions, areas and census figures."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cpps.audit.services import SYSTEM, Actor, audit_event_record
from cpps.common.errors import InvalidInputError
from cpps.common.text import clean_text
from cpps.engines.census import CensusTable, parent_cycle
from cpps.jurisdictions.audit_actions import CENSUS_IMPORTED, JURISDICTION_CREATED
from cpps.jurisdictions.models import Area, CensusFigure, Jurisdiction, natural_sort_key


def _valid_slug(slug: str) -> str:
    """The short name as it appears in every web address of the jurisdiction (/j/<slug>/)."""
    limit = Jurisdiction._meta.get_field("slug").max_length or 50
    try:
        validate_slug(slug)
    except ValidationError:
        raise InvalidInputError(
            _(
                "“%(slug)s” cannot be a short name: use only letters a-z, digits, hyphens and "
                "underscores, as in “south-side”."
            )
            % {"slug": slug}
        ) from None
    if len(slug) > limit:
        raise InvalidInputError(
            _("The short name may have at most %(limit)s characters.") % {"limit": limit}
        )
    return slug


def _valid_name(name: str, *, missing: str) -> str:
    """A jurisdiction's or an area's public name; `missing` is the message when there is none."""
    name = clean_text(name, label=_("Name"))
    if not name:
        raise InvalidInputError(missing)
    limit = Area._meta.get_field("name").max_length or 200
    if len(name) > limit:
        raise InvalidInputError(
            _("A name may have at most %(limit)s characters.") % {"limit": limit}
        )
    return name


def jurisdiction_create(
    *, name: str, slug: str = "", description: str = "", actor: Actor = SYSTEM
) -> Jurisdiction:
    """Create a jurisdiction; its audit chain starts with this event.

    Raises:
        InvalidInputError: the short name is not a slug (it is in every web address) or is
            taken, or the name is empty, too long or holds hidden characters.
    """
    name = _valid_name(name, missing=_("Give the jurisdiction a name."))
    slug = slug or slugify(name)
    if not slug:
        raise InvalidInputError(_("A jurisdiction needs a name made of letters or digits."))
    slug = _valid_slug(slug)
    if Jurisdiction.objects.filter(slug=slug).exists():
        raise InvalidInputError(
            _("A jurisdiction with the short name “%(slug)s” already exists.") % {"slug": slug}
        )
    with transaction.atomic():
        jurisdiction = Jurisdiction.objects.create(name=name, slug=slug, description=description)
        audit_event_record(
            jurisdiction=jurisdiction,
            actor=actor,
            action=JURISDICTION_CREATED,
            target=jurisdiction,
            payload={"name": name, "slug": slug},
        )
    return jurisdiction


def census_import(
    *, jurisdiction: Jurisdiction, table: CensusTable, file_name: str, actor: Actor = SYSTEM
) -> dict[str, int]:
    """Load a validated census table: areas are created or renamed, figures replaced.

    Everything is stored in one transaction, with its audit event, or nothing is.

    Raises:
        InvalidInputError: the file's parents, with those already stored, would make an area
            its own ancestor.
    """
    with transaction.atomic():
        stored = Area.objects.filter(jurisdiction=jurisdiction).select_related("parent")
        existing = {area.code: area for area in stored}
        _refuse_parent_loops(existing.values(), table)
        created = 0
        for record in table.areas:
            area = existing.get(record.code)
            if area is None:
                area = Area.objects.create(
                    jurisdiction=jurisdiction,
                    code=record.code,
                    name=record.name,
                    kind=record.kind,
                    sort_key=natural_sort_key(record.code),
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
            action=CENSUS_IMPORTED,
            payload={"file": file_name, **summary},
        )
    return summary


def _refuse_parent_loops(stored: Iterable[Area], table: CensusTable) -> None:
    """A file's parents replace stored ones; an area the file gives no parent keeps its own."""
    parents = {area.code: area.parent.code if area.parent else "" for area in stored}
    parents.update(
        {record.code: record.parent_code for record in table.areas if record.parent_code}
    )
    cycle = parent_cycle(parents)
    if cycle:
        raise InvalidInputError(
            _(
                "With this file, areas would be their own parents in a loop (%(loop)s); "
                "nothing was loaded."
            )
            % {"loop": " → ".join(cycle)}
        )
