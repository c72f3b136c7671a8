"""One inbound text message or call turn, from the webhook to the capability's handler.

Everything every capability shares happens here, once: each delivery handled once (a retry or a
replay gets the reply it got the first time), the phone's conversation (locked for the length of
the message), STOP and START, the choice of language, HELP, and refusing politely when the
process takes no messages. The handler runs with the conversation's language active.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from cpps.channels import texts
from cpps.channels.handlers import (
    InboundText,
    TextHandler,
    VoiceTurn,
    text_handler,
    voice_handler,
)
from cpps.channels.models import Conversation, Medium
from cpps.channels.services import (
    DuplicateDeliveryError,
    conversation_for_delivery,
    conversation_save,
    delivery_record,
    delivery_reply,
    keyword,
    normalised_phone,
    printable,
)
from cpps.processes.models import Process

FIRST_MESSAGE = "first"
MAX_BODY = 1600  # Twilio joins long messages up to this many characters


def sms_receive(*, process: Process, phone: str, body: str, sid: str) -> str:
    """Handle one text message (Twilio's ``sid``) from ``phone`` and return the reply (empty:
    send nothing). A retried or replayed ``sid`` gets its first reply and changes nothing."""
    try:
        with transaction.atomic():
            conversation, replied = conversation_for_delivery(
                process=process, channel=Medium.SMS, phone=phone, sid=sid
            )
            if replied is not None:
                return replied
            reply = _reply(conversation, process, phone, body)
            delivery_record(channel=Medium.SMS, sid=sid, step=0, reply=reply)
    except DuplicateDeliveryError:  # everything this request did is rolled back
        return delivery_reply(channel=Medium.SMS, sid=sid, step=0)
    return reply


def _reply(conversation: Conversation, process: Process, phone: str, body: str) -> str:
    handler = text_handler(process)
    languages = texts.process_languages(process.languages)
    cleaned = printable(body)[:MAX_BODY]
    word = keyword(cleaned)
    chosen = conversation.language
    if word in texts.STOP_WORDS:
        conversation.opted_out = True
        conversation_save(conversation, "opted_out")
        return _in(chosen, texts.STOPPED) if chosen else texts.in_each(languages, texts.STOPPED)
    if conversation.opted_out and word not in texts.START_WORDS:
        return ""
    if word in texts.START_WORDS and conversation.opted_out:
        conversation.opted_out = False
        conversation_save(conversation, "opted_out")
    if not handler.is_open(process):
        return _in(chosen, texts.CLOSED) if chosen else texts.in_each(languages, texts.CLOSED)
    message = InboundText(
        body=cleaned,
        word=word,
        phone=normalised_phone(phone),
        first=str(conversation.state.get(FIRST_MESSAGE, "")),
    )
    if not chosen:
        return _choose_language(conversation, handler, message, languages)
    with translation.override(chosen):
        if word in texts.HELP_WORDS:
            return handler.help(conversation)
        return handler.reply(conversation, message)


def _in(language: str, message: str) -> str:
    with translation.override(language):
        return _(message)


def _choose_language(
    conversation: Conversation,
    handler: TextHandler,
    message: InboundText,
    languages: list[str],
) -> str:
    picked = language_picked(message.word, languages)
    if not picked:
        if message.word and message.word not in texts.START_WORDS | texts.HELP_WORDS:
            # Kept so that a message with content sent before the language (a letter's code)
            # is not lost: the latest one counts.
            conversation.state = {**conversation.state, FIRST_MESSAGE: message.body[:200]}
            conversation_save(conversation, "state")
        return texts.language_menu(languages, texts.INTRO)
    conversation.language = picked
    conversation.state = {k: v for k, v in conversation.state.items() if k != FIRST_MESSAGE}
    conversation_save(conversation, "language", "state")
    with translation.override(picked):
        return handler.begin(conversation, message)


def language_picked(word: str, languages: list[str]) -> str:
    """The language a message chooses; with one language only, any message chooses it."""
    if len(languages) == 1:
        return languages[0]
    return texts.language_choice(word, languages)


def voice_receive(
    *,
    process: Process,
    phone: str,
    digits: str | None,
    sid: str,
    step: int,
    render: Callable[[VoiceTurn, str], str],
) -> str:
    """Handle turn ``step`` of a call (Twilio's ``sid``) once and return the TwiML ``render``
    makes of what to say and its language; a retried turn gets the same TwiML."""
    try:
        with transaction.atomic():
            conversation, replied = conversation_for_delivery(
                process=process, channel=Medium.VOICE, phone=phone, sid=sid, step=step
            )
            if replied is not None:
                return replied
            document = render(*_turn(conversation, process, phone, digits))
            delivery_record(channel=Medium.VOICE, sid=sid, step=step, reply=document)
    except DuplicateDeliveryError:  # everything this request did is rolled back
        return delivery_reply(channel=Medium.VOICE, sid=sid, step=step)
    return document


def _turn(
    conversation: Conversation, process: Process, phone: str, digits: str | None
) -> tuple[VoiceTurn, str]:
    handler = voice_handler(process)
    languages = texts.process_languages(process.languages)
    number = normalised_phone(phone)
    if not handler.is_open(process):
        sentences = []
        for code in languages:
            with translation.override(code):
                sentences.append(_("This is not open right now. Goodbye."))
        return VoiceTurn(sentences, languages=languages), languages[0]
    if not conversation.language:
        picked = (
            languages[0] if len(languages) == 1 else texts.language_choice(digits or "", languages)
        )
        if not picked:
            sentences, spoken = texts.voice_language_menu(languages)
            return VoiceTurn(sentences, gather="one", languages=spoken), languages[0]
        conversation.language = picked
        conversation_save(conversation, "language")
        with translation.override(picked):
            return handler.begin(conversation, number), picked
    with translation.override(conversation.language):
        return handler.turn(conversation, number, digits), conversation.language
