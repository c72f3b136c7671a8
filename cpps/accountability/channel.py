"""Scorecards by text message: "was this promise kept? reply 1, 2 or 3", the same service call
as the web page (`rating_record`). The commitment being asked about is kept in the
conversation's ``state["commitment"]``, the ones skipped in ``state["skipped"]``."""

from __future__ import annotations

from contextlib import suppress

from django.utils.translation import gettext as _

from cpps.accountability.models import Commitment, RatingValue
from cpps.accountability.selectors import rateable_commitments, rated_commitment_ids
from cpps.accountability.services import rating_record
from cpps.channels.handlers import InboundText
from cpps.channels.models import Conversation
from cpps.channels.services import conversation_save
from cpps.common.errors import DomainError
from cpps.participation.models import Participant
from cpps.participation.phone import phone_participant
from cpps.processes.models import Process, ProcessState

RATING_REPLIES = {
    "1": RatingValue.KEPT,
    "2": RatingValue.PARTLY,
    "3": RatingValue.NOT_KEPT,
    "4": RatingValue.TOO_EARLY,
    "5": RatingValue.DONT_KNOW,
}
COMMITMENT = "commitment"
SKIPPED = "skipped"


def _rating_prompt(commitment: Commitment) -> str:
    return _(
        "Was this promise kept? %(title)s (%(owner)s, due %(due)s). "
        "Reply 1 kept, 2 partly, 3 not kept, 4 too early to say, 5 don't know (0 to skip)."
    ) % {
        "title": commitment.title,
        "owner": commitment.owner.name,
        "due": commitment.due_on.isoformat(),
    }


def _pending(conversation: Conversation) -> Commitment | None:
    commitment_id = conversation.state.get(COMMITMENT)
    if commitment_id is None:
        return None
    return Commitment.objects.select_related("owner").filter(pk=commitment_id).first()


class RatingsByText:
    """The scorecard's text-message handler (see `cpps.channels.handlers.TextHandler`)."""

    def is_open(self, process: Process) -> bool:
        return process.state == ProcessState.OPEN

    def help(self, conversation: Conversation) -> str:
        return _(
            "You are rating the commitments made to the community. Reply 1 if a promise was "
            "kept, 2 partly, 3 not kept, 4 if it is too early to say, 5 if you don't know, "
            "0 to skip it, STOP to end."
        )

    def begin(self, conversation: Conversation, message: InboundText) -> str:
        return self._next(conversation, message)

    def reply(self, conversation: Conversation, message: InboundText) -> str:
        pending = _pending(conversation)
        if pending is not None and conversation.participant is not None:
            if message.word in RATING_REPLIES:
                with suppress(DomainError):  # already rated or no longer agreed: move on
                    rating_record(
                        participant=conversation.participant,
                        commitment=pending,
                        value=RATING_REPLIES[message.word],
                    )
            elif message.word == "0":
                skipped = [*conversation.state.get(SKIPPED, []), pending.pk]
                conversation.state = {**conversation.state, SKIPPED: skipped}
            else:
                again = _("Please reply with one of the numbers.")
                return f"{again} {_rating_prompt(pending)}"
        return self._next(conversation, message)

    def _next(self, conversation: Conversation, message: InboundText) -> str:
        participant, refusal = phone_participant(conversation, message)
        if participant is None:
            return refusal
        upcoming = _remaining(conversation, participant)
        conversation.state = {**conversation.state, COMMITMENT: upcoming.pk if upcoming else None}
        conversation_save(conversation, "state")
        if upcoming is None:
            return _("Thank you: you have rated every commitment.")
        return _rating_prompt(upcoming)


def _remaining(conversation: Conversation, participant: Participant) -> Commitment | None:
    scorecard = conversation.process
    done = rated_commitment_ids(scorecard=scorecard, participant=participant)
    skipped = set(conversation.state.get(SKIPPED, []))
    return next(
        (c for c in rateable_commitments(scorecard=scorecard) if c.pk not in done | skipped),
        None,
    )
