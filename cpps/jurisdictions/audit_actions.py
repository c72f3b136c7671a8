"""What the public record says about jurisdictions and their census figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cpps.audit.actions import (
    ActionTopic,
    AuditAction,
    ObjectRef,
    audit_action_register,
    audit_object_register,
    says,
)
from cpps.jurisdictions.models import Jurisdiction

TOPIC = ActionTopic("jurisdiction", _("The jurisdiction and its census figures"))

JURISDICTION_CREATED = audit_action_register(
    AuditAction(
        "jurisdiction.created",
        TOPIC,
        _("Jurisdiction set up"),
        says(_("The jurisdiction “%(name)s” was set up on this platform.")),
    )
)
CENSUS_IMPORTED = audit_action_register(
    AuditAction(
        "census.imported",
        TOPIC,
        _("Census figures imported"),
        says(
            _(
                "Census figures were imported from the file “%(file)s”: %(figures)s figures "
                "for %(areas)s areas."
            )
        ),
    )
)


def _jurisdictions(jurisdiction: Jurisdiction, ids: Sequence[str]) -> Mapping[str, ObjectRef]:
    url = reverse("processes:jurisdiction_home", args=[jurisdiction.slug])
    return {str(jurisdiction.pk): ObjectRef(jurisdiction.name, url)}


audit_object_register("jurisdiction", _jurisdictions)
