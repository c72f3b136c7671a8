"""The Twilio-compatible webhooks: one for text messages, one for calls.

Every request must carry a valid ``X-Twilio-Signature`` for the public URL it was sent to
(behind a proxy, set BEHIND_PROXY so Django rebuilds that URL from the forwarded headers). A
forged, altered or unsigned request gets 403 before anything is read or written. Each delivery
is handled once: a retried or replayed MessageSid (or CallSid and turn) gets the stored reply.

The process comes from the URL (``/hooks/sms/<id>/``, the address a number is pointed at for
one process) or, on the shared ``/hooks/sms/`` address, from the number texted and the
message's first word (see `ChannelRoute`). Older addresses each capability used to have are
kept as aliases of these views, since deployed numbers point at them.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Gather, VoiceResponse

from cpps.accounts.policy import Action, require
from cpps.channels import texts
from cpps.channels.handlers import NoHandlerError, VoiceTurn
from cpps.channels.inbound import sms_receive, voice_receive
from cpps.channels.models import ChannelRoute, Medium
from cpps.channels.selectors import process_for_message
from cpps.channels.services import (
    channel_route_add,
    channel_route_remove,
    delivery_once,
    keyword,
    normalised_phone,
)
from cpps.common.errors import InvalidInputError
from cpps.common.memo import BriefMemo
from cpps.jurisdictions.selectors import jurisdiction_get
from cpps.processes.models import Process
from cpps.processes.selectors import process_get, process_get_by_pk

FORM_ENCODED = "application/x-www-form-urlencoded"


class RouteForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Shared number (with its country code)"), max_length=30
    )
    keyword = forms.CharField(
        label=gettext_lazy("Keyword (when several processes share the number)"),
        max_length=20,
        required=False,
    )


# A call longer than this many turns is not a resident taking part.
MAX_TURNS = 500


def is_signed(request: HttpRequest) -> bool:
    """Whether Twilio signed exactly this URL and these form fields (no token: nothing is)."""
    token = str(settings.TWILIO_AUTH_TOKEN)
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


def _sender(request: HttpRequest, sid_field: str) -> tuple[str, str] | HttpResponse:
    if not is_signed(request):
        return HttpResponseForbidden("Invalid signature.")
    sid, sender = request.POST.get(sid_field, ""), request.POST.get("From", "")
    if not sid or not sender:
        return HttpResponseBadRequest(f"{sid_field} and From are required.")
    try:
        normalised_phone(sender)
    except InvalidInputError as error:
        return HttpResponseBadRequest(str(error))
    return sid, sender


@csrf_exempt
@require_POST
def sms_webhook(request: HttpRequest, pk: int | None = None, **_aliases: object) -> HttpResponse:
    """One inbound text message; replies with TwiML."""
    checked = _sender(request, "MessageSid")
    if isinstance(checked, HttpResponse):
        return checked
    sid, sender = checked
    body = request.POST.get("Body", "")
    process = _process(pk, request.POST.get("To", ""), sender, keyword(body))
    if process is None:
        return twiml(delivery_once(channel=Medium.SMS, sid=sid, step=0, handle=_unrouted))
    try:
        reply = sms_receive(process=process, phone=sender, body=body, sid=sid)
    except NoHandlerError:
        reply = texts.in_each(process.languages or ["en"], texts.CLOSED)
    return twiml(message_twiml(reply))


def _unrouted() -> str:
    languages = [code for code, _name in settings.LANGUAGES]
    return message_twiml(texts.in_each(languages, texts.UNKNOWN_ROUTE))


# Messages arrive in bursts for the same few processes; whether one still takes messages is
# decided by its handler on every message, so a process two seconds old is fresh enough.
_PROCESSES: BriefMemo[Process] = BriefMemo(seconds=2.0)


def _process(pk: int | None, to: str, sender: str, word: str) -> Process | None:
    if pk is not None:
        return _PROCESSES.get(pk, lambda: process_get_by_pk(pk=pk))
    return process_for_message(number=to, sender=sender, word=word)


def _voice_twiml(turn: VoiceTurn, language: str, action: str) -> str:
    document = VoiceResponse()
    spoken = turn.languages or [language] * len(turn.say)
    target = document
    if turn.gather is not None:
        options: dict[str, object] = {
            "input": "dtmf",
            "action": action,
            "method": "POST",
            "timeout": 8,
        }
        if turn.gather == "one":
            options["num_digits"] = 1
        else:
            options["finish_on_key"] = "#"
        target = Gather(**options)
    for sentence, code in zip(turn.say, spoken, strict=True):
        target.say(sentence, language=texts.SAY_LANGUAGE.get(code, "en-US"))
    if turn.gather is None:
        document.hangup()
        return str(document)
    document.append(target)
    # No key pressed before the timeout: ask again (a turn without Digits repeats the prompt).
    document.redirect(action, method="POST")
    return str(document)


@csrf_exempt
@require_POST
def voice_webhook(request: HttpRequest, pk: int) -> HttpResponse:
    """One turn of a call; ``?step=`` numbers the turns so each is handled once."""
    checked = _sender(request, "CallSid")
    if isinstance(checked, HttpResponse):
        return checked
    sid, caller = checked
    step_text = request.GET.get("step", "0")
    if not step_text.isdigit() or int(step_text) > MAX_TURNS:
        return HttpResponseBadRequest("A turn number is required.")
    process = _PROCESSES.get(pk, lambda: process_get_by_pk(pk=pk))
    step = int(step_text)
    digits = request.POST.get("Digits") if "Digits" in request.POST else None
    action = f"{reverse('channels:voice', args=[pk])}?step={step + 1}"
    try:
        document = voice_receive(
            process=process,
            phone=caller,
            digits=digits,
            sid=sid,
            step=step,
            render=lambda turn, language: _voice_twiml(turn, language, action),
        )
    except NoHandlerError:
        language = (process.languages or ["en"])[0]
        with translation.override(language):
            goodbye = VoiceTurn([_("This is not open right now. Goodbye.")])
        document = _voice_twiml(goodbye, language, action)
    return twiml(document)


@require_http_methods(["GET", "HEAD", "POST"])
def routes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Which shared numbers and keywords lead to this process (community roles)."""
    process = process_get(jurisdiction=jurisdiction_get(slug=slug), pk=pk)
    require(request.user, Action.SET_AGENDA, process.jurisdiction)
    form = RouteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            channel_route_add(
                user=request.user,
                process=process,
                number=form.cleaned_data["number"],
                keyword_text=form.cleaned_data["keyword"],
            )
        except InvalidInputError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Text messages to this number now reach this process."))
            return redirect("channels:routes", slug=slug, pk=pk)
    context = {
        "jurisdiction": process.jurisdiction,
        "process": process,
        "form": form,
        "routes": ChannelRoute.objects.filter(process=process).order_by("number", "keyword"),
        "dedicated": request.build_absolute_uri(reverse("channels:sms", args=[pk])),
        "shared": request.build_absolute_uri(reverse("channels:sms_shared")),
        "voice": request.build_absolute_uri(reverse("channels:voice", args=[pk])),
    }
    return render(request, "channels/routes.html", context, status=400 if form.errors else 200)


@require_POST
def route_remove(request: HttpRequest, slug: str, pk: int, route: int) -> HttpResponse:
    process = process_get(jurisdiction=jurisdiction_get(slug=slug), pk=pk)
    target = get_object_or_404(ChannelRoute, pk=route, process=process)
    channel_route_remove(user=request.user, route=target)
    messages.success(request, _("The number no longer leads to this process."))
    return redirect("channels:routes", slug=slug, pk=pk)
