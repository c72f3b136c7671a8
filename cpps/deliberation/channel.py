"""Conversations by text message: each reply gets the next statement; A / D / P (or 1 / 2 / 3)
votes on it, SUBMIT followed by a sentence adds a statement. The same service calls as the web
page (`vote_cast`, `statement_submit`); the statement on the resident's screen is kept in the
conversation's ``state["statement"]``."""

from __future__ import annotations

from contextlib import suppress

from django.utils.translation import gettext as _

from cpps.channels.handlers import InboundText
from cpps.channels.models import Conversation
from cpps.channels.services import conversation_save
from cpps.common.errors import DomainError
from cpps.deliberation import selectors, services
from cpps.deliberation.models import Statement, VoteValue
from cpps.participation.models import Channel
from cpps.participation.phone import phone_participant
from cpps.processes.models import Process, ProcessState

VOTES = {
    "A": VoteValue.AGREE,
    "1": VoteValue.AGREE,
    "D": VoteValue.DISAGREE,
    "2": VoteValue.DISAGREE,
    "P": VoteValue.PASS,
    "3": VoteValue.PASS,
}
SUBMIT_WORDS = ("SUBMIT", "ENVIAR", "AGREGAR")
STATEMENT = "statement"
MAX_SMS_STATEMENT = 300


def _prompt(statement: Statement) -> str:
    return _(
        "“%(text)s” Reply A to agree, D to disagree, P to pass. SUBMIT and a sentence adds your "
        "own statement."
    ) % {"text": statement.text[:MAX_SMS_STATEMENT]}


class StatementsByText:
    """A conversation's text-message handler (see `cpps.channels.handlers.TextHandler`)."""

    def is_open(self, process: Process) -> bool:
        return process.state == ProcessState.OPEN and selectors.settings_of(process) is not None

    def help(self, conversation: Conversation) -> str:
        return _(
            "A conversation about community safety, run by residents. Reply A (agree), D "
            "(disagree) or P (pass) to each statement; SUBMIT and a sentence adds your own; STOP "
            "ends the messages."
        )

    def begin(self, conversation: Conversation, message: InboundText) -> str:
        settings = selectors.settings_of(conversation.process)
        topic = settings.topic if settings else conversation.process.title
        upcoming = self._next(conversation, message)
        return f"{topic}\n{upcoming}"

    def reply(self, conversation: Conversation, message: InboundText) -> str:
        participant, refusal = phone_participant(conversation, message)
        if participant is None:
            return refusal
        first, _space, rest = message.body.strip().partition(" ")
        if first.upper().strip(":") in SUBMIT_WORDS:
            try:
                services.statement_submit(
                    participant=participant,
                    text=rest,
                    language=conversation.language,
                    channel=Channel.SMS,
                )
            except DomainError as error:
                return str(error)
            thanks = _("Thank you: community moderators will read your statement.")
            return f"{thanks} {self._next(conversation, message)}"
        shown = conversation.state.get(STATEMENT)
        if shown is not None and message.word in VOTES:
            # The statement may have left the conversation meanwhile: then show the next one.
            with suppress(DomainError):
                services.vote_cast(
                    participant_id=participant.pk,
                    process_id=participant.process_id,
                    statement_id=int(shown),
                    value=VOTES[message.word],
                    channel=Channel.SMS,
                )
            return self._next(conversation, message)
        if shown is not None:
            statement = Statement.objects.filter(pk=shown).first()
            if statement is not None:
                again = _("Please reply A, D or P.")
                return f"{again} {_prompt(statement)}"
        return self._next(conversation, message)

    def _next(self, conversation: Conversation, message: InboundText) -> str:
        participant, refusal = phone_participant(conversation, message)
        if participant is None:
            return refusal
        upcoming = selectors.next_statement(process=conversation.process, participant=participant)
        conversation.state = {**conversation.state, STATEMENT: upcoming.pk if upcoming else None}
        conversation_save(conversation, "state")
        if upcoming is None:
            return _(
                "You have voted on every statement for now, thank you. Text again later for "
                "new ones, or SUBMIT and a sentence to add your own."
            )
        return _prompt(upcoming)
