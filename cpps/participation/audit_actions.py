"""What the public record says about who may take part and how they are invited."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cpps.audit.actions import ActionTopic, AuditAction, RecordedAct, audit_action_register, says
from cpps.participation.models import EligibilityMode

TOPIC = ActionTopic("taking_part", _("Who may take part"))


def _eligibility(act: RecordedAct) -> str:
    return str(
        _("Who may take part in “%(object)s” was set: %(mode)s.")
        % {"object": act.object_label, "mode": EligibilityMode(act.payload["mode"]).label}
    )


def _verified(count: int) -> str:
    return ngettext(
        "%(count)s resident showed they live here.",
        "%(count)s residents showed they live here.",
        count,
    ) % {"count": count}


LINKS_ISSUED = audit_action_register(
    AuditAction(
        "process.links_issued",
        TOPIC,
        _("One-time links made"),
        says(_("%(count)s one-time links to take part in “%(object)s” were made.")),
        process_from="object",
    )
)
ELIGIBILITY_SET = audit_action_register(
    AuditAction(
        "participation.eligibility_set",
        TOPIC,
        _("Who may take part set"),
        _eligibility,
        process_from="object",
    )
)
RESIDENT_VERIFIED = audit_action_register(
    AuditAction(
        "participation.resident_verified",
        TOPIC,
        _("Residents verified"),
        says(_("A resident showed they live here, to take part in “%(object)s”.")),
        counted=_verified,
        process_from="object",
    )
)
CODES_ISSUED = audit_action_register(
    AuditAction(
        "participation.codes_issued",
        TOPIC,
        _("Letters with codes made"),
        says(_("%(count)s letters with a code to take part in “%(object)s” were made.")),
        process_from="object",
    )
)
PHONES_INVITED = audit_action_register(
    AuditAction(
        "participation.phones_invited",
        TOPIC,
        _("Invitations texted"),
        says(_("%(count)s text-message invitations to take part in “%(object)s” were queued.")),
        process_from="object",
    )
)
