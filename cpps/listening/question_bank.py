"""The standard safety & trust module, in English and Spanish.

Modelled on the resident sentiment questions the Chicago Police Department published with its
Police Sentiment Scores (see data/surveys/README.md): feeling safe from the threat of crime, and
agreeing that the police listen to residents and treat them with respect; extended with the
day/night split, explaining decisions and accountability that residents asked for. Scales run
from 0 to 10, as in the published scores (which are means of 0-10 answers times 10).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cpps.listening.models import QuestionKind


@dataclass(frozen=True)
class BankChoice:
    value: str
    en: str
    es: str


@dataclass(frozen=True)
class BankQuestion:
    key: str
    kind: str
    en: str
    es: str
    choices: tuple[BankChoice, ...] = ()
    low: tuple[str, str] = ("", "")
    high: tuple[str, str] = ("", "")
    topic: str = field(default="safety")


SAFE = (("Not at all safe", "Nada seguro"), ("Completely safe", "Totalmente seguro"))
AGREE = (
    ("Strongly disagree", "Totalmente en desacuerdo"),
    ("Strongly agree", "Totalmente de acuerdo"),
)


def _safety(key: str, en: str, es: str) -> BankQuestion:
    return BankQuestion(
        key,
        QuestionKind.SCALE,
        en,
        es,
        low=SAFE[0],
        high=SAFE[1],
    )


def _trust(key: str, en: str, es: str) -> BankQuestion:
    return BankQuestion(key, QuestionKind.SCALE, en, es, low=AGREE[0], high=AGREE[1], topic="trust")


STANDARD_MODULE: tuple[BankQuestion, ...] = (
    _safety(
        "safe_crime",
        "When it comes to the threat of crime, how safe do you feel in your neighborhood?",
        "En cuanto a la amenaza del crimen, ¿qué tan seguro/a se siente en su vecindario?",
    ),
    _safety(
        "safe_day",
        "How safe do you feel walking alone in your neighborhood during the day?",
        "¿Qué tan seguro/a se siente caminando solo/a por su vecindario durante el día?",
    ),
    _safety(
        "safe_night",
        "How safe do you feel walking alone in your neighborhood at night?",
        "¿Qué tan seguro/a se siente caminando solo/a por su vecindario de noche?",
    ),
    _trust(
        "police_listen",
        "The police in my neighborhood listen to and take into account the concerns of local "
        "residents.",
        "La policía de mi vecindario escucha y toma en cuenta las preocupaciones de los "
        "residentes.",
    ),
    _trust(
        "police_respect",
        "The police in my neighborhood treat local residents with respect.",
        "La policía de mi vecindario trata a los residentes con respeto.",
    ),
    _trust(
        "police_explain",
        "The police in my neighborhood explain their decisions to the people they deal with.",
        "La policía de mi vecindario explica sus decisiones a las personas con quienes trata.",
    ),
    _trust(
        "police_accountable",
        "If a police officer in my neighborhood did something wrong, they would be held "
        "accountable.",
        "Si un policía de mi vecindario hiciera algo indebido, tendría que rendir cuentas.",
    ),
    BankQuestion(
        "police_contact",
        QuestionKind.SINGLE,
        "In the past 12 months, have you had contact with the police in your neighborhood?",
        "En los últimos 12 meses, ¿ha tenido contacto con la policía de su vecindario?",
        choices=(
            BankChoice("asked_for_help", "Yes, I asked them for help", "Sí, les pedí ayuda"),
            BankChoice(
                "they_stopped_me",
                "Yes, they stopped or approached me",
                "Sí, me pararon o abordaron",
            ),
            BankChoice("both", "Both", "Las dos cosas"),
            BankChoice("no", "No", "No"),
        ),
        topic="trust",
    ),
    BankQuestion(
        "worries",
        QuestionKind.MULTI,
        "Which of these worry you most in your neighborhood? Choose any.",
        "¿Cuáles de estas cosas le preocupan más en su vecindario? Elija las que quiera.",
        choices=(
            BankChoice("gun_violence", "Gun violence", "Violencia con armas"),
            BankChoice("theft", "Break-ins and theft", "Robos en casas y hurtos"),
            BankChoice("traffic", "Traffic and speeding", "Tráfico y exceso de velocidad"),
            BankChoice("harassment", "Harassment on the street", "Acoso en la calle"),
            BankChoice(
                "police_conduct", "How police treat people", "Cómo trata la policía a la gente"
            ),
            BankChoice("other", "Something else", "Otra cosa"),
        ),
    ),
    BankQuestion(
        "safer_one_thing",
        QuestionKind.TEXT,
        "What one thing would make you feel safer where you live?",
        "¿Qué cosa le haría sentirse más seguro/a donde vive?",
    ),
)
