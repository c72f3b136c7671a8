"""Twilio-compatible webhooks for SMS and voice.

Every request must carry a valid ``X-Twilio-Signature`` for the public URL it was sent to
(behind a proxy, set BEHIND_PROXY so Django rebuilds that URL from the forwarded headers). A
forged, altered or unsigned request gets 403 before anything is read or written.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Gather, VoiceResponse

from cpps.common.errors import InvalidInputError
from cpps.listening import phone
from cpps.listening.selectors import survey_get_by_pk
from cpps.processes.models import Channel

FORM_ENCODED = "application/x-www-form-urlencoded"
# A call longer than this many turns is not a resident answering a survey.
MAX_TURNS = 500


def auth_token() -> str:
    """The Twilio auth token (settings, read from the environment)."""
    return str(settings.TWILIO_AUTH_TOKEN)


def is_signed(request: HttpRequest) -> bool:
    """Whether Twilio signed exactly this URL and these form fields (no token: nothing is)."""
    token = auth_token()
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature or request.content_type != FORM_ENCODED:
        return False
    validator = RequestValidator(token)
    return bool(validator.validate(request.build_absolute_uri(), request.POST.dict(), signature))


def twiml(document: str) -> HttpResponse:
    return HttpResponse(document, content_type="text/xml; charset=utf-8")


def message_twiml(reply: str) -> str:
    document = MessagingResponse()
    if reply:
        document.message(reply)
    return str(document)


@csrf_exempt
@require_POST
def sms_webhook(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_signed(request):
        return HttpResponseForbidden("Invalid signature.")
    process = survey_get_by_pk(pk=pk)
    sid = request.POST.get("MessageSid", "")
    sender = request.POST.get("From", "")
    body = request.POST.get("Body", "")
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
        handle=lambda: message_twiml(phone.sms_receive(process=process, phone=sender, body=body)),
    )
    return twiml(document)


def _voice_twiml(turn: phone.VoiceTurn, action: str) -> str:
    document = VoiceResponse()
    languages = ["en", "es"] if turn.language_choice else [turn.language] * len(turn.say)
    if turn.gather is None:
        for sentence, language in zip(turn.say, languages, strict=True):
            document.say(sentence, language=phone.SAY_LANGUAGE[language])
        document.hangup()
        return str(document)
    options: dict[str, object] = {"input": "dtmf", "action": action, "method": "POST", "timeout": 8}
    if turn.gather == "one":
        options["num_digits"] = 1
    else:
        options["finish_on_key"] = "#"
    gather = Gather(**options)
    for sentence, language in zip(turn.say, languages, strict=True):
        gather.say(sentence, language=phone.SAY_LANGUAGE[language])
    document.append(gather)
    # No key pressed before the timeout: ask again (a turn without Digits repeats the prompt).
    document.redirect(action, method="POST")
    return str(document)


@csrf_exempt
@require_POST
def voice_webhook(request: HttpRequest, pk: int) -> HttpResponse:
    """One turn of an IVR call; ``?step=`` numbers the turns so each is handled once."""
    if not is_signed(request):
        return HttpResponseForbidden("Invalid signature.")
    process = survey_get_by_pk(pk=pk)
    sid = request.POST.get("CallSid", "")
    caller = request.POST.get("From", "")
    step_text = request.GET.get("step", "0")
    if not sid or not caller or not step_text.isdigit() or int(step_text) > MAX_TURNS:
        return HttpResponseBadRequest("CallSid, From and a turn number are required.")
    try:
        phone.normalised_phone(caller)
    except InvalidInputError as error:
        return HttpResponseBadRequest(str(error))
    step = int(step_text)
    digits = request.POST.get("Digits") if "Digits" in request.POST else None
    action = f"{reverse('listening:voice', args=[pk])}?step={step + 1}"
    document = phone.delivery_once(
        channel=Channel.VOICE,
        sid=sid,
        step=step,
        handle=lambda: _voice_twiml(
            phone.voice_receive(process=process, phone=caller, digits=digits), action
        ),
    )
    return twiml(document)
