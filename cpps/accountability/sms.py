"""Priority rounds ("reply 1 or 2") and scorecards ("reply 1, 2 or 3") by text message.

A channel adapter: it turns each inbound message into the same service calls as the web pages
(`comparison_record`, `rating_record`) and answers with the next question, in English or Spanish.
Webhooks are Twilio-compatible and must be signed (see `cpps.listening.telephony`).
"""

from __future__ import annotations

from contextlib import suppress

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cpps.accountability.models import RatingValue, SmsConversation
from cpps.accountability.selectors import rateable_commitments, rated_commitment_ids
from cpps.accountability.services import rating_record
from cpps.common.errors import DomainError, InvalidInputError
from cpps.engines.privacy import pseudonym
from cpps.listening import phone
from cpps.listening.telephony import is_signed, message_twiml, twiml
from cpps.priorities.models import Idea
from cpps.priorities.selectors import next_pair
from cpps.priorities.services import comparison_record
from cpps.processes.models import Channel, Participant, Process, ProcessKind, ProcessState

TEXTS = {
    "closed": {
        "en": "This is not open right now. Thank you for writing.",
        "es": "Esto no está abierto ahora. Gracias por escribir.",
    },
    "stopped": {
        "en": "You will get no more messages. Text START to begin again.",
        "es": "No recibirá más mensajes. Envíe START para empezar de nuevo.",
    },
    "pair": {
        "en": "Which matters more for safety in your area? 1: {first} 2: {second} "
        "Reply 1 or 2 (0 to skip, STOP to end).",
        "es": "¿Qué importa más para la seguridad en su zona? 1: {first} 2: {second} "
        "Responda 1 o 2 (0 para saltar, STOP para terminar).",
    },
    "no_pair": {
        "en": "There are not enough ideas to compare yet. Thank you.",
        "es": "Todavía no hay suficientes ideas para comparar. Gracias.",
    },
    "rate": {
        "en": "Was this promise kept? {title} ({owner}, due {due}). "
        "Reply 1 kept, 2 partly, 3 not kept (0 to skip).",
        "es": "¿Se cumplió esta promesa? {title} ({owner}, fecha {due}). "
        "Responda 1 sí, 2 en parte, 3 no (0 para saltar).",
    },
    "rated_all": {
        "en": "Thank you: you have rated every commitment.",
        "es": "Gracias: ha calificado todos los compromisos.",
    },
    "again": {
        "en": "Please reply with one of the numbers.",
        "es": "Responda con uno de los números.",
    },
}
SPANISH_START = frozenset({"ES", "ESPANOL", "HOLA", "SPANISH"})
STOP_WORDS = frozenset({"STOP", "ALTO", "END", "FIN"})
RATING_REPLIES = {"1": RatingValue.KEPT, "2": RatingValue.PARTLY, "3": RatingValue.NOT_KEPT}
MAX_IDEA_CHARS = 120


def _text(key: str, language: str, **values: str) -> str:
    template = TEXTS[key]["es" if language == "es" else "en"]
    return template.format(**values) if values else template


def _conversation(*, process: Process, sender: str, word: str) -> SmsConversation:
    digest = phone.phone_digest(process=process, channel="sms", phone=sender)
    existing = (
        SmsConversation.objects.select_for_update()
        .filter(process=process, phone_digest=digest)
        .first()
    )
    if existing is not None:
        return existing
    participant = Participant.objects.create(
        process=process,
        channel=Channel.SMS,
        pseudonym=pseudonym(
            key=settings.PSEUDONYM_KEY,
            process_salt=process.pseudonym_salt,
            channel="sms",
            identity=digest,
        ),
    )
    return SmsConversation.objects.create(
        process=process,
        phone_digest=digest,
        participant=participant,
        language="es" if word in SPANISH_START else "en",
    )


def sms_receive(*, process: Process, sender: str, body: str) -> str:
    """Handle one inbound text and return the reply to send."""
    if process.kind not in {ProcessKind.PRIORITY_ROUND, ProcessKind.SCORECARD}:
        raise InvalidInputError("This number does not take part this way.")
    word = phone.keyword(body)
    with transaction.atomic():
        conversation = _conversation(process=process, sender=sender, word=word)
        language = conversation.language
        if process.state != ProcessState.OPEN:
            return _text("closed", language)
        if word in STOP_WORDS:
            conversation.stopped = True
            conversation.save(update_fields=["stopped", "updated_at"])
            return _text("stopped", language)
        if conversation.stopped:
            conversation.stopped = False
        if process.kind == ProcessKind.PRIORITY_ROUND:
            return _pair_turn(conversation, word)
        return _rating_turn(conversation, word)


def _pair_turn(conversation: SmsConversation, word: str) -> str:
    first, second = conversation.first, conversation.second
    if first is not None and second is not None:
        if word in {"1", "2"}:
            winner, loser = (first, second) if word == "1" else (second, first)
            with suppress(DomainError):  # an idea left the round meanwhile: ask the next pair
                comparison_record(participant=conversation.participant, winner=winner, loser=loser)
        elif word != "0":
            again = _text("again", conversation.language)
            return f"{again} {_pair_prompt(conversation.language, first, second)}"
    pair = next_pair(process=conversation.process, participant=conversation.participant)
    conversation.first, conversation.second = pair if pair else (None, None)
    conversation.save()
    if pair is None:
        return _text("no_pair", conversation.language)
    return _pair_prompt(conversation.language, *pair)


def _pair_prompt(language: str, first: Idea, second: Idea) -> str:
    return _text(
        "pair",
        language,
        first=first.text_for(language)[:MAX_IDEA_CHARS],
        second=second.text_for(language)[:MAX_IDEA_CHARS],
    )


def _rating_turn(conversation: SmsConversation, word: str) -> str:
    pending = conversation.commitment
    if pending is not None and word in RATING_REPLIES:
        with suppress(DomainError):  # already rated or no longer agreed: move on
            rating_record(
                participant=conversation.participant,
                commitment=pending,
                value=RATING_REPLIES[word],
            )
    elif pending is not None and word == "0":
        conversation.skipped = [*conversation.skipped, pending.pk]
    elif pending is not None:
        return f"{_text('again', conversation.language)} {_rating_prompt(conversation)}"
    scorecard = conversation.process
    done = rated_commitment_ids(scorecard=scorecard, participant=conversation.participant)
    remaining = [
        c
        for c in rateable_commitments(scorecard=scorecard)
        if c.pk not in done and c.pk not in conversation.skipped
    ]
    conversation.commitment = remaining[0] if remaining else None
    conversation.save()
    if conversation.commitment is None:
        return _text("rated_all", conversation.language)
    return _rating_prompt(conversation)


def _rating_prompt(conversation: SmsConversation) -> str:
    commitment = conversation.commitment
    assert commitment is not None  # noqa: S101 - only called with a pending commitment
    return _text(
        "rate",
        conversation.language,
        title=commitment.title,
        owner=commitment.owner.name,
        due=commitment.due_on.isoformat(),
    )


@csrf_exempt
@require_POST
def sms_webhook(request: HttpRequest, pk: int) -> HttpResponse:
    """Twilio-compatible webhook for one priority round or scorecard (signed requests only)."""
    if not is_signed(request):
        return HttpResponseForbidden("Invalid signature.")
    process = get_object_or_404(
        Process, pk=pk, kind__in=[ProcessKind.PRIORITY_ROUND, ProcessKind.SCORECARD]
    )
    sid, sender = request.POST.get("MessageSid", ""), request.POST.get("From", "")
    if not sid or not sender:
        return HttpResponseBadRequest("MessageSid and From are required.")
    try:
        phone.normalised_phone(sender)
    except InvalidInputError as error:
        return HttpResponseBadRequest(str(error))
    document = phone.delivery_once(
        channel=Channel.SMS,
        sid=sid,
        step=0,
        handle=lambda: message_twiml(
            sms_receive(process=process, sender=sender, body=request.POST.get("Body", ""))
        ),
    )
    return twiml(document)
