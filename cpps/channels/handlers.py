"""What a capability writes to take part by text message or phone call: a handler per channel,
named in its kind's registration. The channel layer does the rest — signatures, retries, the
conversation, STOP and START, HELP, the choice of language — and calls the handler with the
conversation's language active, so the handler's gettext strings come out in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from django.utils.module_loading import import_string

from cpps.channels.models import Conversation
from cpps.processes.kinds import kind_of
from cpps.processes.models import Process


@dataclass(frozen=True)
class InboundText:
    """One text message, cleaned: ``body`` without control characters, ``word`` as a keyword
    (upper case, no accents), ``phone`` normalised. ``first`` is the very first message of the
    conversation when it came before the language was chosen (e.g. a letter's code)."""

    body: str
    word: str
    phone: str
    first: str = ""


class TextHandler(Protocol):
    def is_open(self, process: Process) -> bool:
        """Whether the process takes messages now."""
        ...

    def help(self, conversation: Conversation) -> str:
        """What the resident can reply, at this point of the conversation."""
        ...

    def begin(self, conversation: Conversation, message: InboundText) -> str:
        """The first reply once the language is chosen."""
        ...

    def reply(self, conversation: Conversation, message: InboundText) -> str:
        """The reply to one message (empty: send nothing)."""
        ...


@dataclass(frozen=True)
class VoiceTurn:
    """What to say next, and how to gather the answer (None: say it and hang up)."""

    say: list[str]
    gather: str | None = None  # "one" (a single key) or "many" (keys ended by pound)
    # Each sentence's language when they differ (the language menu); else the call's language.
    languages: list[str] = field(default_factory=list)


class VoiceHandler(Protocol):
    def is_open(self, process: Process) -> bool: ...

    def begin(self, conversation: Conversation, phone: str) -> VoiceTurn:
        """The first turn once the language is chosen."""
        ...

    def turn(self, conversation: Conversation, phone: str, digits: str | None) -> VoiceTurn:
        """One turn: the keys pressed (None: nothing pressed, say the prompt again)."""
        ...


class NoHandlerError(LookupError):
    """The process's kind takes no messages through this channel."""


def text_handler(process: Process) -> TextHandler:
    path = kind_of(process).sms_handler
    if not path:
        raise NoHandlerError(process.kind)
    handler: TextHandler = import_string(path)()
    return handler


def voice_handler(process: Process) -> VoiceHandler:
    path = kind_of(process).voice_handler
    if not path:
        raise NoHandlerError(process.kind)
    handler: VoiceHandler = import_string(path)()
    return handler
