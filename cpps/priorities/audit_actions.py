"""What the public record says about priority rounds. Ideas residents wrote appear by digest
only; the ideas a facilitator seeds are the organisers' own words and are quoted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from cpps.audit.actions import (
    ActionTopic,
    AuditAction,
    ObjectRef,
    RecordedAct,
    audit_action_register,
    audit_object_register,
)
from cpps.jurisdictions.models import Jurisdiction
from cpps.priorities.models import Idea, IdeaState

TOPIC = ActionTopic("priorities", _("Priorities"))


def _seeded(act: RecordedAct) -> str:
    spanish = (get_language() or "en").startswith("es")
    text = act.payload["text_es" if spanish else "text_en"] or act.payload["text_en"]
    return str(
        _("The facilitator added the idea “%(text)s” to “%(object)s”.")
        % {"text": text, "object": act.object_label}
    )


def _submitted_one(act: RecordedAct) -> str:
    return str(_("A resident proposed an idea in “%(object)s”.") % {"object": act.object_label})


def _submitted(count: int) -> str:
    return ngettext(
        "%(count)s resident proposed an idea.", "%(count)s residents proposed an idea.", count
    ) % {"count": count}


def _moderated(act: RecordedAct) -> str:
    return str(
        _("Moderators decided on an idea in “%(object)s”: %(state)s.")
        % {"object": act.object_label, "state": IdeaState(act.payload["state"]).label}
    )


IDEA_SEEDED = audit_action_register(
    AuditAction(
        "priority.idea_seeded",
        TOPIC,
        _("Idea added by the facilitator"),
        _seeded,
        process_from="process",
    )
)
IDEA_SUBMITTED = audit_action_register(
    AuditAction(
        "priority.idea_submitted",
        TOPIC,
        _("Ideas proposed by residents"),
        _submitted_one,
        counted=_submitted,
        process_from="process",
    )
)
IDEA_MODERATED = audit_action_register(
    AuditAction(
        "priority.idea_moderated", TOPIC, _("Idea moderated"), _moderated, process_from="process"
    )
)


def _ideas(jurisdiction: Jurisdiction, ids: Sequence[str]) -> Mapping[str, ObjectRef]:
    """An idea is named by its round, never by its words: a resident may have written them."""
    numbers = [int(pk) for pk in ids if pk.isdigit()]
    found = Idea.objects.filter(process__jurisdiction=jurisdiction, pk__in=numbers).select_related(
        "process"
    )
    return {
        str(idea.pk): ObjectRef(
            idea.process.title,
            reverse("priorities:detail", args=[jurisdiction.slug, idea.process_id]),
        )
        for idea in found
    }


audit_object_register("idea", _ideas)
