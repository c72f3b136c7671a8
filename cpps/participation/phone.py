"""Taking part by text message or call, the same way in every capability: who a phone speaks
for in a process, by the process's rule (see `services.identity_from_phone`)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cpps.channels.handlers import InboundText
from cpps.channels.models import Conversation
from cpps.channels.services import conversation_save
from cpps.common.errors import InvalidInputError
from cpps.participation import services
from cpps.participation.identities import Identity
from cpps.participation.models import Participant


def phone_participant(
    conversation: Conversation, message: InboundText
) -> tuple[Participant | None, str]:
    """The participant this conversation speaks for, made on first need; or None and the reply
    that tells the resident how they may take part (send the code from their letter).

    A process by invitation or for verified residents takes the code from the message (or from
    the conversation's first message, sent before the language was chosen).
    """
    if conversation.participant_id is not None:
        return conversation.participant, ""
    process = conversation.process
    identity: Identity | None
    try:
        identity = services.identity_from_phone(
            process=process, phone=message.phone, channel=conversation.channel
        )
    except services.NotEligibleError as refusal:
        identity = None
        for candidate in (message.body, message.first):
            if not candidate.strip():
                continue
            try:
                identity = services.identity_from_code(
                    process=process, code=candidate, channel=conversation.channel
                )
                break
            except (InvalidInputError, services.NotEligibleError):
                continue
        if identity is None:
            return None, str(refusal) or _("Send the code from your letter to take part.")
    participant = services.participant_for(process=process, identity=identity)
    conversation.participant = participant
    conversation_save(conversation, "participant")
    return participant, ""
