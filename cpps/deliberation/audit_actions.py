"""What the public record says about conversations: set up, moderated, imported, on paper.

Residents' statements appear by number and digest only, never by their words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cpps.audit.actions import (
    ActionTopic,
    AuditAction,
    CountSentence,
    RecordedAct,
    Sentence,
    audit_action_register,
    says,
)
from cpps.deliberation.models import StatementState

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TOPIC = ActionTopic("conversations", _("Conversations"))


def _moderated(act: RecordedAct) -> str:
    count = len(act.payload["statements"])
    return ngettext(
        "Moderators marked %(count)s statement in “%(object)s”: %(state)s.",
        "Moderators marked %(count)s statements in “%(object)s”: %(state)s.",
        count,
    ) % {
        "count": count,
        "object": act.object_label,
        "state": StatementState(act.payload["state"]).label,
    }


def _submitted(count: int) -> str:
    return ngettext(
        "%(count)s resident wrote a statement.", "%(count)s residents wrote a statement.", count
    ) % {"count": count}


def _ballot_keyed(count: int) -> str:
    return ngettext(
        "%(count)s paper ballot was keyed in.", "%(count)s paper ballots were keyed in.", count
    ) % {"count": count}


def _ballot_resolved(count: int) -> str:
    return ngettext(
        "%(count)s paper ballot whose two keyings differed was settled.",
        "%(count)s paper ballots whose two keyings differed were settled.",
        count,
    ) % {"count": count}


def _action(
    name: str, label: StrOrPromise, sentence: Sentence, counted: CountSentence | None = None
) -> str:
    """Every conversation act is recorded about its process."""
    return audit_action_register(
        AuditAction(name, TOPIC, label, sentence, counted=counted, process_from="object")
    )


CONVERSATION_SET_UP = _action(
    "deliberation.set_up",
    _("Conversation set up"),
    says(_("The conversation “%(object)s” was set up, on the topic “%(topic)s”.")),
)
CONVERSATION_CHANGED = _action(
    "deliberation.changed",
    _("Conversation changed"),
    says(_("The settings of the conversation “%(object)s” were changed.")),
)
STATEMENT_SUBMITTED = _action(
    "deliberation.statement_submitted",
    _("Statements written"),
    says(_("A resident wrote statement %(statement)s in “%(object)s”.")),
    counted=_submitted,
)
STATEMENTS_MODERATED = _action("deliberation.statements_moderated", _("Moderation"), _moderated)
CONVERSATION_IMPORTED = _action(
    "deliberation.imported",
    _("Conversation imported"),
    says(
        _(
            "A conversation was imported into “%(object)s”: %(statements)s statements and "
            "%(votes)s votes from %(participants)s participants."
        )
    ),
)
BALLOT_KEYED = _action(
    "deliberation.ballot_keyed",
    _("Paper ballots keyed in"),
    says(_("A paper ballot for “%(object)s” was keyed in.")),
    counted=_ballot_keyed,
)
BALLOT_RESOLVED = _action(
    "deliberation.ballot_resolved",
    _("Differing paper ballots settled"),
    says(_("A paper ballot for “%(object)s” whose two keyings differed was settled.")),
    counted=_ballot_resolved,
)
