"""What the public record says about roles: who was given which role, asked for, or lost."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cpps.accounts.models import RequestState, Role
from cpps.audit.actions import (
    ActionTopic,
    AuditAction,
    RecordedAct,
    audit_action_register,
    audit_role_labels_register,
)

TOPIC = ActionTopic("roles", _("Roles"))


def _role(act: RecordedAct) -> dict[str, object]:
    return {"account": act.payload["user"], "role": Role(act.payload["role"]).label}


def _granted(act: RecordedAct) -> str:
    return str(_("Account %(account)s was given the role “%(role)s”.") % _role(act))


def _requested(act: RecordedAct) -> str:
    return str(
        _("A technical administrator asked to give account %(account)s the role “%(role)s”.")
        % _role(act)
    )


def _approved(act: RecordedAct) -> str:
    return str(
        _("The request to give account %(account)s the role “%(role)s” was approved.") % _role(act)
    )


def _refused(act: RecordedAct) -> str:
    return str(
        _("The request to give account %(account)s the role “%(role)s” was refused.") % _role(act)
    )


def _revoked(act: RecordedAct) -> str:
    return str(_("Account %(account)s no longer has the role “%(role)s”.") % _role(act))


MEMBERSHIP_GRANTED = audit_action_register(
    AuditAction("membership.granted", TOPIC, _("Role given"), _granted)
)
MEMBERSHIP_REQUESTED = audit_action_register(
    AuditAction("membership.requested", TOPIC, _("Role asked for"), _requested)
)
MEMBERSHIP_DECIDED = {
    RequestState.APPROVED: audit_action_register(
        AuditAction(
            f"membership.{RequestState.APPROVED.value}",
            TOPIC,
            _("Role request approved"),
            _approved,
        )
    ),
    RequestState.REFUSED: audit_action_register(
        AuditAction(
            f"membership.{RequestState.REFUSED.value}", TOPIC, _("Role request refused"), _refused
        )
    ),
}
MEMBERSHIP_REVOKED = audit_action_register(
    AuditAction("membership.revoked", TOPIC, _("Role taken away"), _revoked)
)

audit_role_labels_register(dict(Role.choices))
