"""Registration by text message: the invitee texts the code from their letter, chooses English or
Spanish, answers the quota questions by number and gives a name. The same service as web and
paper registration stores the result; the phone number is the contact (facilitators only)."""

from __future__ import annotations

from django.db import transaction

from cpps.common.errors import InvalidInputError, InvalidTransitionError
from cpps.listening.phone import keyword, normalised_phone
from cpps.panels import adapters, services
from cpps.panels.models import Panel, PanelQuota, PanelSmsSession
from cpps.processes.models import Channel

STOP_WORDS = frozenset({"STOP", "ALTO", "CANCEL", "CANCELAR"})
LANGUAGE_WORDS = {"1": "en", "EN": "en", "ENGLISH": "en", "2": "es", "ES": "es", "ESPANOL": "es"}
TEXTS: dict[str, tuple[str, str]] = {
    "unknown_code": (
        "We do not know this code. Text the 8-letter code from your letter.",
        "No conocemos este código. Envíe el código de 8 letras de su carta.",
    ),
    "language": (
        "Thank you. Reply 1 for English.",
        "Gracias. Responda 2 para español.",
    ),
    "choose": (
        "Reply with the number of your answer.",
        "Responda con el número de su respuesta.",
    ),
    "name": (
        "Last question: what name should the organisers use if you are drawn?",
        "Última pregunta: ¿qué nombre deben usar los organizadores si usted sale sorteado/a?",
    ),
    "done": (
        "You are registered. If you are drawn for the panel, the organisers will call or text "
        "you at this number.",
        "Quedó inscrito/a. Si sale sorteado/a para el panel, los organizadores le llamarán o "
        "escribirán a este número.",
    ),
    "stopped": (
        "Registration cancelled. Text your code again to start over.",
        "Inscripción cancelada. Envíe su código otra vez para empezar de nuevo.",
    ),
}


def _text(key: str, language: str) -> str:
    english, spanish = TEXTS[key]
    return spanish if language == "es" else english


def _both(key: str) -> str:
    english, spanish = TEXTS[key]
    return f"{english} / {spanish}"


def _questions(panel: Panel) -> list[tuple[str, list[PanelQuota]]]:
    by_category: dict[str, list[PanelQuota]] = {}
    for quota in panel.quotas.all():
        by_category.setdefault(quota.category, []).append(quota)
    return list(by_category.items())


def _prompt(panel: Panel, session: PanelSmsSession) -> str:
    questions = _questions(panel)
    if session.step >= len(questions):
        return _text("name", session.language)
    category, options = questions[session.step]
    english, spanish = adapters.category_question(category)
    question = spanish if session.language == "es" else english
    numbered = " ".join(
        f"{number}) {quota.label_es if session.language == 'es' else quota.label_en}"
        for number, quota in enumerate(options, start=1)
    )
    return f"{question} {numbered}. {_text('choose', session.language)}"


def registration_sms_receive(*, panel: Panel, phone: str, body: str) -> str:
    """Advance the sender's registration by one message and return the reply to text back."""
    number = normalised_phone(phone)
    digest = services.contact_digest(panel.process, number)
    word = keyword(body)
    with transaction.atomic():
        session = (
            PanelSmsSession.objects.select_for_update()
            .filter(panel=panel, phone_digest=digest)
            .first()
        )
        if word in STOP_WORDS:
            if session is not None:
                session.delete()
            return _both("stopped")
        if session is None:
            return _start(panel, digest, body)
        if not session.language:
            language = LANGUAGE_WORDS.get(word)
            if language is None:
                return _both("language")
            session.language = language
            session.save(update_fields=["language"])
            return _prompt(panel, session)
        return _answer(panel, session, body, number)


def _start(panel: Panel, digest: str, body: str) -> str:
    code = services.normalised_code(body)
    if not panel.invitations.filter(code=code, registration__isnull=True).exists():
        return _both("unknown_code")
    PanelSmsSession.objects.create(panel=panel, phone_digest=digest, code=code)
    return _both("language")


def _answer(panel: Panel, session: PanelSmsSession, body: str, number: str) -> str:
    questions = _questions(panel)
    if session.step < len(questions):
        _category, options = questions[session.step]
        choice = keyword(body)
        if not choice.isdigit() or not 1 <= int(choice) <= len(options):
            return _prompt(panel, session)
        quota = options[int(choice) - 1]
        session.answers = {**session.answers, quota.category: quota.value}
        session.step += 1
        session.save(update_fields=["answers", "step"])
        return _prompt(panel, session)
    name = body.strip()[:200]
    if not name:
        return _prompt(panel, session)
    try:
        services.registration_create(
            panel=panel,
            code=session.code,
            answers=session.answers,
            name=name,
            phone=number,
            channel=Channel.SMS,
        )
    except (InvalidInputError, InvalidTransitionError) as error:
        session.delete()
        return str(error)
    session.delete()
    return _text("done", session.language)
