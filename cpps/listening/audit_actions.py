"""What the public record says about surveys: their questions, and answers sealed in batches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cpps.audit.actions import (
    ActionTopic,
    AuditAction,
    ObjectRef,
    RecordedAct,
    audit_action_register,
    audit_object_register,
    says,
)
from cpps.jurisdictions.models import Jurisdiction
from cpps.listening.models import Instrument

TOPIC = ActionTopic("surveys", _("Surveys"))


def _questions_added(act: RecordedAct) -> str:
    count = len(act.payload["keys"])
    return ngettext(
        "%(count)s question was added to “%(object)s”.",
        "%(count)s questions were added to “%(object)s”.",
        count,
    ) % {"count": count, "object": act.object_label}


def _published(act: RecordedAct) -> str:
    return str(
        _(
            "Version %(version)s of the questions of “%(object)s” was published: "
            "%(count)s questions."
        )
        % {**act.fields(), "count": len(act.payload["keys"])}
    )


def _paper_keyed(count: int) -> str:
    return ngettext(
        "%(count)s paper survey form was keyed in.",
        "%(count)s paper survey forms were keyed in.",
        count,
    ) % {"count": count}


def _paper_resolved(count: int) -> str:
    return ngettext(
        "%(count)s paper survey form whose two keyings differed was settled.",
        "%(count)s paper survey forms whose two keyings differed were settled.",
        count,
    ) % {"count": count}


INSTRUMENT_DRAFTED = audit_action_register(
    AuditAction(
        "survey.instrument_drafted",
        TOPIC,
        _("Questions drafted"),
        says(_("Version %(version)s of the questions of “%(object)s” was started.")),
        process_from="process",
    )
)
QUESTIONS_ADDED = audit_action_register(
    AuditAction(
        "survey.questions_added",
        TOPIC,
        _("Questions added"),
        _questions_added,
        process_from="process",
    )
)
QUESTION_REMOVED = audit_action_register(
    AuditAction(
        "survey.question_removed",
        TOPIC,
        _("Question taken out"),
        says(_("The question “%(key)s” was taken out of “%(object)s”.")),
        process_from="process",
    )
)
INSTRUMENT_PUBLISHED = audit_action_register(
    AuditAction(
        "survey.instrument_published",
        TOPIC,
        _("Questions published"),
        _published,
        process_from="process",
    )
)
RESPONSES_IMPORTED = audit_action_register(
    AuditAction(
        "survey.responses_imported",
        TOPIC,
        _("Answers imported"),
        says(_("%(count)s survey responses were imported into “%(object)s”.")),
        process_from="object",
    )
)
RESPONSES_SEALED = audit_action_register(
    AuditAction(
        "survey.responses_sealed",
        TOPIC,
        _("Answers sealed"),
        says(
            _(
                "%(count)s survey responses to “%(object)s” were sealed into the record "
                "(seal %(seal)s)."
            )
        ),
        process_from="object",
    )
)
PAPER_KEYED = audit_action_register(
    AuditAction(
        "survey.paper_keyed",
        TOPIC,
        _("Paper forms keyed in"),
        says(_("A paper survey form for “%(object)s” was keyed in.")),
        counted=_paper_keyed,
        process_from="object",
    )
)
PAPER_RESOLVED = audit_action_register(
    AuditAction(
        "survey.paper_resolved",
        TOPIC,
        _("Differing paper forms settled"),
        says(_("A paper survey form for “%(object)s” whose two keyings differed was settled.")),
        counted=_paper_resolved,
        process_from="object",
    )
)


def _instruments(jurisdiction: Jurisdiction, ids: Sequence[str]) -> Mapping[str, ObjectRef]:
    numbers = [int(pk) for pk in ids if pk.isdigit()]
    found = Instrument.objects.filter(
        process__jurisdiction=jurisdiction, pk__in=numbers
    ).select_related("process")
    return {
        str(instrument.pk): ObjectRef(
            instrument.process.title,
            reverse("processes:detail", args=[jurisdiction.slug, instrument.process_id]),
        )
        for instrument in found
    }


audit_object_register("instrument", _instruments)
