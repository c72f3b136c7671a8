"""What the public record says about the numbers and keywords residents text or call."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cpps.audit.actions import ActionTopic, AuditAction, RecordedAct, audit_action_register

TOPIC = ActionTopic("channels", _("Text messages and calls"))


def _route(act: RecordedAct) -> dict[str, object]:
    keyword = act.payload["keyword"]
    number = act.payload["number"]
    where = _("%(number)s with the keyword “%(keyword)s”") if keyword else _("%(number)s")
    return {
        "where": str(where) % {"number": number, "keyword": keyword},
        "object": act.object_label,
    }


def _added(act: RecordedAct) -> str:
    return str(_("Texts and calls to %(where)s now reach “%(object)s”.") % _route(act))


def _removed(act: RecordedAct) -> str:
    return str(_("Texts and calls to %(where)s no longer reach “%(object)s”.") % _route(act))


ROUTE_ADDED = audit_action_register(
    AuditAction(
        "channels.route_added", TOPIC, _("Number or keyword added"), _added, process_from="object"
    )
)
ROUTE_REMOVED = audit_action_register(
    AuditAction(
        "channels.route_removed",
        TOPIC,
        _("Number or keyword removed"),
        _removed,
        process_from="object",
    )
)
