"""Priority rounds by text message: "which matters more? reply 1 or 2", the same service call as
the web page (`comparison_record`). The pair on the resident's screen is kept in the
conversation's ``state["pair"]``."""

from __future__ import annotations

from contextlib import suppress

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cpps.channels.handlers import InboundText
from cpps.channels.models import Conversation
from cpps.channels.services import conversation_save
from cpps.common.errors import DomainError
from cpps.participation.phone import phone_participant
from cpps.priorities.models import Idea, IdeaState
from cpps.priorities.selectors import next_pair
from cpps.priorities.services import comparison_record
from cpps.processes.models import Process, ProcessState

MAX_IDEA_CHARS = 120
PAIR = "pair"


def _pair_prompt(first: Idea, second: Idea) -> str:
    language = get_language() or "en"
    return _(
        "Which matters more for safety in your area? 1: %(first)s 2: %(second)s "
        "Reply 1 or 2 (0 to skip, STOP to end)."
    ) % {
        "first": first.text_for(language)[:MAX_IDEA_CHARS],
        "second": second.text_for(language)[:MAX_IDEA_CHARS],
    }


def _shown(conversation: Conversation) -> tuple[Idea, Idea] | None:
    ids = conversation.state.get(PAIR) or []
    if len(ids) != 2:
        return None
    ideas = {
        idea.pk: idea
        for idea in Idea.objects.filter(
            process=conversation.process, pk__in=ids, state=IdeaState.APPROVED
        )
    }
    if set(ideas) != set(ids):
        return None
    return ideas[ids[0]], ideas[ids[1]]


class ComparisonsByText:
    """The priority round's text-message handler (see `cpps.channels.handlers.TextHandler`)."""

    def is_open(self, process: Process) -> bool:
        return process.state == ProcessState.OPEN

    def help(self, conversation: Conversation) -> str:
        return _(
            "You are comparing ideas for community safety. Reply 1 or 2 for the one that matters "
            "more, 0 to see another pair, STOP to end."
        )

    def begin(self, conversation: Conversation, message: InboundText) -> str:
        return self._next(conversation, message)

    def reply(self, conversation: Conversation, message: InboundText) -> str:
        shown = _shown(conversation)
        if shown is not None and conversation.participant is not None:
            if message.word in {"1", "2"}:
                first, second = shown
                winner, loser = (first, second) if message.word == "1" else (second, first)
                with suppress(DomainError):  # an idea left the round meanwhile: ask the next pair
                    comparison_record(
                        participant=conversation.participant, winner=winner, loser=loser
                    )
            elif message.word != "0":
                again = _("Please reply with one of the numbers.")
                return f"{again} {_pair_prompt(*shown)}"
        return self._next(conversation, message)

    def _next(self, conversation: Conversation, message: InboundText) -> str:
        participant, refusal = phone_participant(conversation, message)
        if participant is None:
            return refusal
        pair = next_pair(process=conversation.process, participant=participant)
        conversation.state = {
            **conversation.state,
            PAIR: [idea.pk for idea in pair] if pair else [],
        }
        conversation_save(conversation, "state")
        if pair is None:
            return _("There are not enough ideas to compare yet. Thank you.")
        return _pair_prompt(*pair)
