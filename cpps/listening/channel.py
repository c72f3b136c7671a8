"""Surveys by text message and by phone call: one question at a time, the same answers and the
same service calls as the web pages (`response_start`, `response_answer`, `response_complete`).

The channel layer has already handled the signature, retries, STOP/START, HELP and the choice
of language, and runs these handlers with the resident's language active. A conversation keeps
the response it is answering in ``state["response"]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from cpps.channels.handlers import InboundText, VoiceTurn
from cpps.channels.models import Conversation
from cpps.channels.services import conversation_save
from cpps.common.db import planned_once_cursor
from cpps.common.errors import DomainError, InvalidInputError, InvalidTransitionError
from cpps.listening import services
from cpps.listening.models import Question, QuestionKind, Response
from cpps.listening.selectors import survey_areas
from cpps.participation.phone import phone_participant
from cpps.processes.models import Process

SKIP_WORDS = frozenset({"SKIP", "SALTAR", "PASS", "PASAR"})
RESTART_WORDS = frozenset({"RESTART", "REINICIAR", "AGAIN"})
MAX_SMS_TEXT = 500
RESPONSE = "response"


@dataclass(frozen=True)
class Step:
    """Where a phone response stands: the next question, or the area question, or done."""

    question: Question | None
    asking_area: bool
    done: bool
    number: int
    total: int


def next_step(response: Response) -> Step:
    questions = services.response_questions(response)
    total = len(questions)
    if response.completed_at is not None:
        return Step(None, asking_area=False, done=True, number=total, total=total)
    for index, question in enumerate(questions, start=1):
        if question.position >= response.position:
            return Step(question, asking_area=False, done=False, number=index, total=total)
    return Step(None, asking_area=True, done=False, number=total + 1, total=total)


def parse_answer(question: Question, body: str) -> list[str]:
    """Map a typed or keyed answer to the question's values (raises InvalidInputError)."""
    if question.kind == QuestionKind.TEXT:
        return [body.strip()[:MAX_SMS_TEXT]]
    numbers = re.findall(r"\d+", body)
    if question.kind == QuestionKind.SCALE:
        if len(numbers) != 1:
            raise InvalidInputError("scale")
        return numbers
    values = [str(choice["value"]) for choice in question.choices]
    picked = [int(number) for number in numbers]
    if not picked or any(not 1 <= n <= len(values) for n in picked):
        raise InvalidInputError("choice")
    if question.kind == QuestionKind.SINGLE and len(set(picked)) != 1:
        raise InvalidInputError("choice")
    return [values[n - 1] for n in dict.fromkeys(picked)]


def area_code_from(process: Process, body: str) -> str:
    codes = {area.code for area in survey_areas(process)}
    numbers: list[str] = re.findall(r"\d+", body)
    if len(numbers) != 1 or numbers[0].lstrip("0") not in codes:
        raise InvalidInputError("area")
    return numbers[0].lstrip("0")


def _taking_answers(process: Process) -> bool:
    try:
        services.survey_context(process)
    except InvalidTransitionError:
        return False
    return True


def _response_of(conversation: Conversation) -> Response | None:
    response_id = conversation.state.get(RESPONSE)
    if response_id is None:
        return None
    response = _unabandoned_response(int(response_id))
    if response is not None:
        response.process = conversation.process
    return response


_RESPONSE_FIELDS = [field.attname for field in Response._meta.concrete_fields]
# Read on every text message and call turn: written by hand and planned once per connection.
_UNABANDONED_RESPONSE = f"""
SELECT {", ".join(field.column for field in Response._meta.concrete_fields)}
FROM {Response._meta.db_table} WHERE id = %(id)s AND NOT abandoned
"""  # noqa: S608 - names come from the model; the id is a parameter


def _unabandoned_response(pk: int) -> Response | None:
    if connection.vendor != "postgresql":
        return Response.objects.filter(pk=pk, abandoned=False).first()
    with planned_once_cursor() as cursor:
        cursor.execute(_UNABANDONED_RESPONSE, {"id": pk})
        row = cursor.fetchone()
    return None if row is None else Response.from_db(connection.alias, _RESPONSE_FIELDS, row)


def _start(conversation: Conversation, message: InboundText) -> Response | str:
    """A new response for the conversation's participant, or the reply saying how to join."""
    participant, refusal = phone_participant(conversation, message)
    if participant is None:
        return refusal
    answered = Response.objects.filter(participant=participant, completed_at__isnull=False)
    if answered.exists():
        return _("You have already answered this survey. Thank you.")
    response = services.response_start(
        participant=participant, channel=conversation.channel, language=conversation.language
    )
    conversation.state = {**conversation.state, RESPONSE: response.pk}
    conversation_save(conversation, "state")
    response.process = conversation.process
    return response


# --- Text messages -----------------------------------------------------------------------------


def sms_prompt(step: Step) -> str:
    if step.asking_area:
        return _(
            "Last question (optional): which area do you live in? Reply with its number, or SKIP."
        )
    question = step.question
    assert question is not None  # noqa: S101 - a prompt is only asked for a pending step
    language = _current_language()
    lines = [f"({step.number}/{step.total}) {question.text(language)}"]
    if question.kind == QuestionKind.SCALE:
        low, high = question.scale_labels(language)
        lines.append(
            _("Reply with a number from 0 (%(low)s) to 10 (%(high)s).") % {"low": low, "high": high}
            if low
            else _("Reply with a number from 0 to 10.")
        )
    elif question.kind in {QuestionKind.SINGLE, QuestionKind.MULTI}:
        lines.extend(
            f"{index} {label}"
            for index, (_value, label) in enumerate(question.choice_labels(language), start=1)
        )
        lines.append(
            _("Reply with one number.")
            if question.kind == QuestionKind.SINGLE
            else _("Reply with one or more numbers, for example 1 3.")
        )
    else:
        lines.append(_("Reply in a few words."))
    return "\n".join(lines)


def _current_language() -> str:
    return (get_language() or "en").split("-")[0]


class SurveyByText:
    """The survey's text-message handler (see `cpps.channels.handlers.TextHandler`)."""

    def is_open(self, process: Process) -> bool:
        return _taking_answers(process)

    def help(self, conversation: Conversation) -> str:
        text = _(
            "Community safety survey. Reply with the number of your answer. SKIP skips a "
            "question, RESTART starts unfinished answers again, STOP stops all messages."
        )
        response = _response_of(conversation)
        if response is None:
            return text
        step = next_step(response)
        return text if step.done else f"{text}\n{sms_prompt(step)}"

    def begin(self, conversation: Conversation, message: InboundText) -> str:
        started = _start(conversation, message)
        if isinstance(started, str):
            return started
        welcome = _(
            "Thank you for taking part. Your number is never stored or shared with the police; "
            "answers are anonymous. Reply SKIP to skip a question, HELP for help, STOP to stop."
        )
        return f"{welcome}\n{sms_prompt(next_step(started))}"

    def reply(self, conversation: Conversation, message: InboundText) -> str:
        response = _response_of(conversation)
        if response is None:
            return self.begin(conversation, message)
        step = next_step(response)
        if message.word in RESTART_WORDS and not step.done:
            restarted = services.response_restart(response=response)
            conversation.state = {**conversation.state, RESPONSE: restarted.pk}
            conversation_save(conversation, "state")
            restarted.process = conversation.process
            return sms_prompt(next_step(restarted))
        if step.done:
            return _("You have already answered this survey. Thank you.")
        return _answer(response, step, message.body, skip=message.word in SKIP_WORDS)


def _answer(response: Response, step: Step, body: str, *, skip: bool) -> str:
    process = response.process
    try:
        if step.asking_area:
            area = "" if skip else area_code_from(process, body)
            services.response_complete(response=response, area_code=area)
            return _("Thank you! Your answers were saved. Results will be published for everyone.")
        assert step.question is not None  # noqa: S101 - not asking the area means a question
        values = [] if skip else parse_answer(step.question, body)
        # Moves response.position on, so the next step needs no reload.
        services.response_answer(response=response, question=step.question, values=values)
    except InvalidInputError:
        sorry = _("Sorry, that answer did not fit the question.")
        return f"{sorry}\n{sms_prompt(step)}"
    except DomainError:
        return _("This survey is not open for answers right now.")
    return sms_prompt(next_step(response))


# --- Calls -------------------------------------------------------------------------------------


def voice_prompt(step: Step) -> VoiceTurn:
    if step.asking_area:
        return VoiceTurn(
            [
                _(
                    "Last question. Enter the number of the area you live in, then press pound. "
                    "To skip, press pound."
                )
            ],
            gather="many",
        )
    question = step.question
    assert question is not None  # noqa: S101 - a prompt is only asked for a pending step
    language = _current_language()
    said = [question.text(language)]
    if question.kind == QuestionKind.SCALE:
        low, high = question.scale_labels(language)
        said.append(
            _("Enter a number from 0, %(low)s, to 10, %(high)s, then press pound.")
            % {"low": low, "high": high}
            if low
            else _("Enter a number from 0 to 10, then press pound.")
        )
        return VoiceTurn(said, gather="many")
    said.extend(
        _("For %(label)s, press %(number)s.") % {"label": label, "number": number}
        for number, (_value, label) in enumerate(question.choice_labels(language), start=1)
    )
    if question.kind == QuestionKind.MULTI:
        said.append(_("Press every number you choose, then press pound."))
        return VoiceTurn(said, gather="many")
    return VoiceTurn(said, gather="one")


def _skip_unspeakable(response: Response) -> Step:
    """Free-text questions cannot be keyed in: record them as skipped and move on."""
    step = next_step(response)
    while step.question is not None and step.question.kind == QuestionKind.TEXT:
        services.response_answer(response=response, question=step.question, values=[])
        step = next_step(response)
    return step


GOODBYE_DONE = gettext_noop("You have already answered this survey. Thank you. Goodbye.")


class SurveyByPhone:
    """The survey's voice handler (see `cpps.channels.handlers.VoiceHandler`)."""

    def is_open(self, process: Process) -> bool:
        return _taking_answers(process)

    def begin(self, conversation: Conversation, phone: str) -> VoiceTurn:
        started = _start(conversation, InboundText(body="", word="", phone=phone))
        if isinstance(started, str):
            return VoiceTurn([started])
        welcome = _(
            "Thank you for calling. Your number is not stored and the police never hear your "
            "answers. Press star to hear a question again. Press pound alone to skip it."
        )
        turn = voice_prompt(_skip_unspeakable(started))
        return VoiceTurn([welcome, *turn.say], turn.gather)

    def turn(self, conversation: Conversation, phone: str, digits: str | None) -> VoiceTurn:
        response = _response_of(conversation)
        if response is None:
            return self.begin(conversation, phone)
        step = _skip_unspeakable(response)
        if step.done:
            return VoiceTurn([_(GOODBYE_DONE)])
        if digits is None or digits == "*":
            return voice_prompt(step)
        skip = digits in {"", "#"}
        try:
            if step.asking_area:
                area = "" if skip else area_code_from(response.process, digits)
                services.response_complete(response=response, area_code=area)
                return VoiceTurn([_("Thank you. Your answers were saved. Goodbye.")])
            assert step.question is not None  # noqa: S101 - not asking the area means a question
            keyed = digits if step.question.kind == QuestionKind.SCALE else " ".join(digits)
            values = [] if skip else parse_answer(step.question, keyed)
            services.response_answer(response=response, question=step.question, values=values)
        except InvalidInputError:
            turn = voice_prompt(step)
            return VoiceTurn([_("Sorry, that did not fit the question."), *turn.say], turn.gather)
        return voice_prompt(_skip_unspeakable(response))
