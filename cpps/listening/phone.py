"""The SMS and voice channels: turn one inbound message or key press into survey service calls.

Both channels keep one `PhoneSession` per (survey, channel, phone digest); the number itself only
ever enters a keyed digest and the keyed pseudonym. Each webhook delivery is handled once:
`delivery_once` stores the reply under the provider's id, so a retried or replayed request gets
the original reply and changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from cpps.common.errors import DomainError, InvalidInputError, InvalidTransitionError
from cpps.engines.privacy import keyed_digest
from cpps.listening import services
from cpps.listening.models import InboundDelivery, PhoneSession, Question, QuestionKind, Response
from cpps.listening.selectors import survey_areas
from cpps.processes.models import Channel, Process

# What residents read or hear, in both languages. Placeholders are filled with str.format.
TEXTS: dict[str, dict[str, str]] = {
    "choose_language": {
        "en": "Community safety survey, run by residents. Reply 1 for English.",
        "es": (
            "Encuesta de seguridad comunitaria, dirigida por residentes. Responda 2 para español."
        ),
    },
    "welcome": {
        "en": (
            "Thank you for taking part. Your number is never stored or shared with the police; "
            "answers are anonymous. Reply SKIP to skip a question, HELP for help, STOP to stop."
        ),
        "es": (
            "Gracias por participar. Su número no se guarda ni se comparte con la policía; las "
            "respuestas son anónimas. Responda SALTAR para saltar una pregunta, AYUDA para "
            "ayuda, STOP para dejar de recibir mensajes."
        ),
    },
    "help": {
        "en": (
            "Community safety survey. Reply with the number of your answer. SKIP skips a "
            "question, RESTART starts again, STOP stops all messages."
        ),
        "es": (
            "Encuesta de seguridad comunitaria. Responda con el número de su respuesta. SALTAR "
            "salta una pregunta, REINICIAR empieza de nuevo, STOP detiene los mensajes."
        ),
    },
    "stopped": {
        "en": "You will get no more messages from this survey. Reply START to take part again.",
        "es": "No recibirá más mensajes de esta encuesta. Responda START para volver a participar.",
    },
    "closed": {
        "en": "This survey is not open for answers right now. Thank you for your interest.",
        "es": "Esta encuesta no está abierta en este momento. Gracias por su interés.",
    },
    "scale": {
        "en": "Reply with a number from 0 ({low}) to 10 ({high}).",
        "es": "Responda con un número del 0 ({low}) al 10 ({high}).",
    },
    "scale_plain": {
        "en": "Reply with a number from 0 to 10.",
        "es": "Responda con un número del 0 al 10.",
    },
    "single": {"en": "Reply with one number.", "es": "Responda con un número."},
    "multi": {
        "en": "Reply with one or more numbers, for example 1 3.",
        "es": "Responda con uno o más números, por ejemplo 1 3.",
    },
    "text": {"en": "Reply in a few words.", "es": "Responda en pocas palabras."},
    "area": {
        "en": "Last question (optional): which police district do you live in? Reply with its "
        "number, or SKIP.",
        "es": "Última pregunta (opcional): ¿en qué distrito policial vive? Responda con su "
        "número, o SALTAR.",
    },
    "not_understood": {
        "en": "Sorry, that answer did not fit the question.",
        "es": "Lo sentimos, esa respuesta no corresponde a la pregunta.",
    },
    "thanks": {
        "en": "Thank you! Your answers were saved. Results will be published for everyone.",
        "es": "¡Gracias! Sus respuestas se guardaron. Los resultados se publicarán para todos.",
    },
    "already_done": {
        "en": "You have already answered this survey, thank you. Reply RESTART to answer again.",
        "es": "Ya respondió esta encuesta, gracias. Responda REINICIAR para responder de nuevo.",
    },
}

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "PARAR", "ALTO"})
START_WORDS = frozenset({"START", "UNSTOP", "YES", "INICIAR"})
HELP_WORDS = frozenset({"HELP", "INFO", "AYUDA"})
SKIP_WORDS = frozenset({"SKIP", "SALTAR", "PASS", "PASAR"})
RESTART_WORDS = frozenset({"RESTART", "REINICIAR", "AGAIN"})
ENGLISH_WORDS = frozenset({"1", "EN", "ENGLISH", "INGLES"})
SPANISH_WORDS = frozenset({"2", "ES", "SPANISH", "ESPANOL"})
MAX_SMS_TEXT = 500


def text(key: str, language: str, **values: str) -> str:
    template = TEXTS[key]["es" if language == "es" else "en"]
    return template.format(**values) if values else template


def bilingual(key: str) -> str:
    return f"{text(key, 'en')} / {text(key, 'es')}"


def keyword(body: str) -> str:
    """The message as an upper-case word without accents ("Español" -> "ESPANOL")."""
    decomposed = unicodedata.normalize("NFKD", body.strip().upper())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip(" .!")


def normalised_phone(raw: str) -> str:
    digits = re.sub(r"[^\d+]", "", raw)
    if not re.fullmatch(r"\+?\d{5,16}", digits):
        raise InvalidInputError("The sender's number is missing or malformed.")
    return digits


def phone_digest(*, process: Process, channel: str, phone: str) -> str:
    return keyed_digest(
        key=settings.PSEUDONYM_KEY, purpose=f"{channel}:{process.pk}", value=normalised_phone(phone)
    )


def delivery_once(*, channel: str, sid: str, step: int, handle: Callable[[], str]) -> str:
    """Run ``handle`` once per (channel, sid, step) and return its reply; replays get the same.

    The delivery row is inserted first: on PostgreSQL a concurrent duplicate waits on the unique
    index until the first request commits, then fails and reads the stored reply.
    """
    stored = InboundDelivery.objects.filter(channel=channel, sid=sid, step=step).first()
    if stored is not None:
        return stored.reply
    try:
        with transaction.atomic():
            delivery = InboundDelivery.objects.create(channel=channel, sid=sid, step=step)
            reply = handle()
            delivery.reply = reply
            delivery.save(update_fields=["reply"])
            return reply
    except IntegrityError:
        return InboundDelivery.objects.get(channel=channel, sid=sid, step=step).reply


def session_locked(*, process: Process, channel: str, phone: str) -> PhoneSession:
    """The phone's session, locked until the transaction ends, with its response and process."""
    digest = phone_digest(process=process, channel=channel, phone=phone)
    locked = PhoneSession.objects.select_for_update(of=("self",)).select_related("response")
    session = locked.filter(process=process, channel=channel, phone_digest=digest).first()
    if session is None:  # the first message from this phone
        PhoneSession.objects.get_or_create(process=process, channel=channel, phone_digest=digest)
        session = locked.get(process=process, channel=channel, phone_digest=digest)
    session.process = process
    if session.response is not None:
        session.response.process = process
    return session


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


def sms_prompt(step: Step, language: str, process: Process) -> str:
    if step.asking_area:
        return text("area", language)
    question = step.question
    assert question is not None  # noqa: S101 - a prompt is only asked for a pending step
    lines = [f"({step.number}/{step.total}) {question.text(language)}"]
    if question.kind == QuestionKind.SCALE:
        low, high = question.scale_labels(language)
        lines.append(
            text("scale", language, low=low, high=high) if low else text("scale_plain", language)
        )
    elif question.kind in {QuestionKind.SINGLE, QuestionKind.MULTI}:
        lines.extend(
            f"{index} {label}"
            for index, (_value, label) in enumerate(question.choice_labels(language), start=1)
        )
        lines.append(text(question.kind, language))
    else:
        lines.append(text("text", language))
    return "\n".join(lines)


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


def _language_choice(word: str) -> str:
    if word in ENGLISH_WORDS:
        return "en"
    if word in SPANISH_WORDS:
        return "es"
    return ""


def sms_receive(*, process: Process, phone: str, body: str) -> str:  # noqa: PLR0911 - one reply per keyword, top to bottom
    """Handle one text message from ``phone`` and return the reply (empty: send nothing)."""
    session = session_locked(process=process, channel=Channel.SMS, phone=phone)
    word = keyword(body)
    language = session.language or "en"
    if word in STOP_WORDS:
        session.opted_out = True
        session.save(update_fields=["opted_out", "updated_at"])
        return text("stopped", language) if session.language else bilingual("stopped")
    if session.opted_out and word not in START_WORDS:
        return ""
    if word in START_WORDS:
        session.opted_out = False
        session.save(update_fields=["opted_out", "updated_at"])
    if not _taking_answers(process):
        return text("closed", language) if session.language else bilingual("closed")
    if not session.language:
        chosen = _language_choice(word)
        if not chosen:
            return f"{text('choose_language', 'en')}\n{text('choose_language', 'es')}"
        return _begin(session, process, phone, chosen)
    response = session.response
    if response is None or word in RESTART_WORDS:
        if response is None:
            return _begin(session, process, phone, session.language)
        session.response = services.response_restart(response=response)
        session.save(update_fields=["response", "updated_at"])
        return sms_prompt(next_step(session.response), session.language, process)
    step = next_step(response)
    if word in HELP_WORDS or word in START_WORDS:
        prefix = text("help", language)
        return prefix if step.done else f"{prefix}\n{sms_prompt(step, language, process)}"
    if step.done:
        return text("already_done", language)
    return _answer(session, response, step, body, skip=word in SKIP_WORDS)


def _begin(session: PhoneSession, process: Process, phone: str, language: str) -> str:
    session.language = language
    session.response = services.response_start(
        process=process,
        channel=Channel.SMS,
        identity=normalised_phone(phone),
        language=language,
    )
    session.save(update_fields=["language", "response", "updated_at"])
    first = sms_prompt(next_step(session.response), language, process)
    return f"{text('welcome', language)}\n{first}"


def _answer(session: PhoneSession, response: Response, step: Step, body: str, *, skip: bool) -> str:
    language = session.language
    process = response.process
    try:
        if step.asking_area:
            area = "" if skip else area_code_from(process, body)
            services.response_complete(response=response, area_code=area)
            return text("thanks", language)
        assert step.question is not None  # noqa: S101 - not asking the area means a question
        values = [] if skip else parse_answer(step.question, body)
        # Moves response.position on, so the next step needs no reload.
        services.response_answer(response=response, question=step.question, values=values)
    except InvalidInputError:
        return f"{text('not_understood', language)}\n{sms_prompt(step, language, process)}"
    except DomainError:
        return text("closed", language)
    return sms_prompt(next_step(response), language, process)


# --- Voice -------------------------------------------------------------------------------------

VOICE_TEXTS: dict[str, dict[str, str]] = {
    "choose_language": {
        "en": "Community safety survey, run by residents. For English, press 1.",
        "es": "Encuesta de seguridad comunitaria. Para español, oprima 2.",
    },
    "welcome": {
        "en": (
            "Thank you for calling. Your number is not stored and the police never hear your "
            "answers. Press star to hear a question again. Press pound alone to skip it."
        ),
        "es": (
            "Gracias por llamar. Su número no se guarda y la policía nunca escucha sus "
            "respuestas. Oprima asterisco para repetir una pregunta. Oprima numeral para saltarla."
        ),
    },
    "scale": {
        "en": "Enter a number from 0, {low}, to 10, {high}, then press pound.",
        "es": "Marque un número del 0, {low}, al 10, {high}, y luego oprima numeral.",
    },
    "scale_plain": {
        "en": "Enter a number from 0 to 10, then press pound.",
        "es": "Marque un número del 0 al 10 y luego oprima numeral.",
    },
    "option": {"en": "For {label}, press {number}.", "es": "Para {label}, oprima {number}."},
    "multi": {
        "en": "Press every number you choose, then press pound.",
        "es": "Oprima cada número que elija y luego oprima numeral.",
    },
    "area": {
        "en": "Last question. Enter the number of the police district you live in, then press "
        "pound. To skip, press pound.",
        "es": "Última pregunta. Marque el número del distrito policial donde vive y luego "
        "oprima numeral. Para saltarla, oprima numeral.",
    },
    "not_understood": {
        "en": "Sorry, that did not fit the question.",
        "es": "Lo sentimos, eso no corresponde a la pregunta.",
    },
    "thanks": {
        "en": "Thank you. Your answers were saved. Goodbye.",
        "es": "Gracias. Sus respuestas se guardaron. Adiós.",
    },
    "already_done": {
        "en": "You have already answered this survey. Thank you. Goodbye.",
        "es": "Ya respondió esta encuesta. Gracias. Adiós.",
    },
    "closed": {
        "en": "This survey is not open right now. Goodbye.",
        "es": "Esta encuesta no está abierta en este momento. Adiós.",
    },
}
SAY_LANGUAGE = {"en": "en-US", "es": "es-MX"}


@dataclass(frozen=True)
class VoiceTurn:
    """What to say next, and how to gather the answer (None: say it and hang up)."""

    language: str
    say: list[str]
    gather: str | None = None  # "one" (a single key) or "many" (keys ended by pound)
    language_choice: bool = False


def voice_text(key: str, language: str, **values: str) -> str:
    template = VOICE_TEXTS[key]["es" if language == "es" else "en"]
    return template.format(**values) if values else template


def voice_prompt(step: Step, language: str) -> VoiceTurn:
    if step.asking_area:
        return VoiceTurn(language, [voice_text("area", language)], gather="many")
    question = step.question
    assert question is not None  # noqa: S101 - a prompt is only asked for a pending step
    said = [question.text(language)]
    if question.kind == QuestionKind.SCALE:
        low, high = question.scale_labels(language)
        said.append(
            voice_text("scale", language, low=low, high=high)
            if low
            else voice_text("scale_plain", language)
        )
        return VoiceTurn(language, said, gather="many")
    said.extend(
        voice_text("option", language, label=label, number=str(number))
        for number, (_value, label) in enumerate(question.choice_labels(language), start=1)
    )
    if question.kind == QuestionKind.MULTI:
        said.append(voice_text("multi", language))
        return VoiceTurn(language, said, gather="many")
    return VoiceTurn(language, said, gather="one")


def _skip_unspeakable(response: Response) -> Step:
    """Free-text questions cannot be keyed in: record them as skipped and move on."""
    step = next_step(response)
    while step.question is not None and step.question.kind == QuestionKind.TEXT:
        services.response_answer(response=response, question=step.question, values=[])
        response.refresh_from_db(fields=["position", "completed_at"])
        step = next_step(response)
    return step


def voice_receive(  # noqa: PLR0911 - one turn per situation, top to bottom
    *, process: Process, phone: str, digits: str | None
) -> VoiceTurn:
    """Handle one turn of a call: the keys pressed (None: the call just started or timed out)."""
    session = session_locked(process=process, channel=Channel.VOICE, phone=phone)
    language = session.language or "en"
    if not _taking_answers(process):
        return VoiceTurn(language, [voice_text("closed", "en"), voice_text("closed", "es")])
    response = session.response
    if response is None:
        if digits in {"1", "2"}:
            return _voice_begin(session, process, phone, "en" if digits == "1" else "es")
        return VoiceTurn(
            "en",
            [voice_text("choose_language", "en"), voice_text("choose_language", "es")],
            gather="one",
            language_choice=True,
        )
    step = _skip_unspeakable(response)
    if step.done:
        return VoiceTurn(language, [voice_text("already_done", language)])
    if digits is None or digits == "*":
        return voice_prompt(step, language)
    skip = digits in {"", "#"}
    try:
        if step.asking_area:
            area = "" if skip else area_code_from(process, digits)
            services.response_complete(response=response, area_code=area)
            return VoiceTurn(language, [voice_text("thanks", language)])
        assert step.question is not None  # noqa: S101 - not asking the area means a question
        keyed = digits if step.question.kind == QuestionKind.SCALE else " ".join(digits)
        values = [] if skip else parse_answer(step.question, keyed)
        services.response_answer(response=response, question=step.question, values=values)
    except InvalidInputError:
        turn = voice_prompt(step, language)
        return VoiceTurn(language, [voice_text("not_understood", language), *turn.say], turn.gather)
    response.refresh_from_db(fields=["position", "completed_at"])
    return voice_prompt(_skip_unspeakable(response), language)


def _voice_begin(session: PhoneSession, process: Process, phone: str, language: str) -> VoiceTurn:
    session.language = language
    session.response = services.response_start(
        process=process,
        channel=Channel.VOICE,
        identity=normalised_phone(phone),
        language=language,
    )
    session.save(update_fields=["language", "response", "updated_at"])
    turn = voice_prompt(_skip_unspeakable(session.response), language)
    return VoiceTurn(language, [voice_text("welcome", language), *turn.say], turn.gather)
