"""What the public record says about processes: set up, agenda changed, opened and closed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cpps.audit.actions import (
    ActionTopic,
    AuditAction,
    ObjectRef,
    RecordedAct,
    audit_action_register,
    audit_object_register,
    audit_process_choices_register,
    says,
)
from cpps.jurisdictions.models import Jurisdiction
from cpps.processes.kinds import UnknownKindError, kind_named
from cpps.processes.models import Process, ProcessState

TOPIC = ActionTopic("processes", _("Processes"))


def _kind_label(value: str) -> str:
    try:
        return str(kind_named(value).label)
    except UnknownKindError:
        return value


def _created(act: RecordedAct) -> str:
    return str(
        _("A process was set up: “%(title)s” (%(kind)s).")
        % {"title": act.payload["title"], "kind": _kind_label(act.payload["kind"])}
    )


def _state_changed(act: RecordedAct) -> str:
    return str(
        _("“%(object)s” went from “%(from)s” to “%(to)s”.")
        % {
            "object": act.object_label,
            "from": ProcessState(act.payload["from"]).label,
            "to": ProcessState(act.payload["to"]).label,
        }
    )


PROCESS_CREATED = audit_action_register(
    AuditAction("process.created", TOPIC, _("Process set up"), _created, process_from="object")
)
PROCESS_AGENDA_CHANGED = audit_action_register(
    AuditAction(
        "process.agenda_changed",
        TOPIC,
        _("Agenda changed"),
        says(_("The agenda of “%(title)s” was changed (its title, areas or languages).")),
        process_from="object",
    )
)
PROCESS_STATE_CHANGED = audit_action_register(
    AuditAction(
        "process.state_changed",
        TOPIC,
        _("Process opened, closed or published"),
        _state_changed,
        process_from="object",
    )
)


def _processes(jurisdiction: Jurisdiction, ids: Sequence[str]) -> Mapping[str, ObjectRef]:
    numbers = [int(pk) for pk in ids if pk.isdigit()]
    found = Process.objects.filter(jurisdiction=jurisdiction, pk__in=numbers).only("pk", "title")
    return {
        str(process.pk): ObjectRef(
            process.title, reverse("processes:detail", args=[jurisdiction.slug, process.pk])
        )
        for process in found
    }


audit_object_register("process", _processes)


def _process_choices(jurisdiction: Jurisdiction) -> list[tuple[int, str]]:
    return list(
        Process.objects.filter(jurisdiction=jurisdiction).order_by("-pk").values_list("pk", "title")
    )


audit_process_choices_register(_process_choices)
