"""What the channel layer itself says, in the conversation's language (gettext catalogues)."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "PARAR", "ALTO", "FIN"}
)
START_WORDS = frozenset({"START", "UNSTOP", "INICIAR", "EMPEZAR"})
HELP_WORDS = frozenset({"HELP", "INFO", "AYUDA"})
# Languages by their name in themselves and in English, without accents. A greeting chooses
# nothing: the first reply always shows every language on offer.
LANGUAGE_WORDS = {
    "en": frozenset({"EN", "ENGLISH", "INGLES"}),
    "es": frozenset({"ES", "ESPANOL", "SPANISH"}),
}
SAY_LANGUAGE = {"en": "en-US", "es": "es-MX"}


def process_languages(languages: Sequence[str]) -> list[str]:
    """The languages a conversation may choose from, in the process's order (UI ones only)."""
    offered = [code for code, _name in settings.LANGUAGES]
    chosen = [code for code in languages if code in offered]
    return chosen or [settings.LANGUAGE_CODE]


def language_choice(word: str, languages: Sequence[str]) -> str:
    """The language a reply picks: its number in the menu, or its name; "" for neither."""
    if word.isdigit() and 1 <= int(word) <= len(languages):
        return languages[int(word) - 1]
    return next((code for code in languages if word in LANGUAGE_WORDS.get(code, ())), "")


def in_each(languages: Sequence[str], message: str) -> str:
    """One sentence in every language, separated by " / " (for messages sent before the
    resident chose a language)."""
    parts = []
    for code in languages:
        with translation.override(code):
            parts.append(_(message))
    return " / ".join(dict.fromkeys(parts))


def language_menu(languages: Sequence[str], intro: str) -> str:
    """The first reply: who runs this, and the number to reply for each language."""
    lines = []
    for number, code in enumerate(languages, start=1):
        with translation.override(code):
            # Translators: each language says this in itself ("Responda 2 para español.").
            lines.append(f"{_(intro)} " + _("Reply %(number)s for English.") % {"number": number})
    return "\n".join(lines)


def voice_language_menu(languages: Sequence[str]) -> tuple[list[str], list[str]]:
    sentences, spoken = [], []
    for number, code in enumerate(languages, start=1):
        with translation.override(code):
            # Translators: each language says this in itself ("Para español, oprima 2.").
            sentences.append(_("For English, press %(number)s.") % {"number": number})
        spoken.append(code)
    return sentences, spoken


# Marked for the catalogues; `in_each` and `language_menu` translate them when sent.
STOPPED = gettext_noop(
    "You will get no more messages from this number about this. Reply START to begin again."
)
CLOSED = gettext_noop("This is not open for taking part right now. Thank you for your interest.")
INTRO = gettext_noop("Community safety, run by residents, not the police.")
UNKNOWN_ROUTE = gettext_noop(
    "This number does not know what you are answering. Use the number or the word on your "
    "invitation."
)
