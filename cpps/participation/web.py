"""Taking part on the web, the same way in every capability: who this browser speaks for in a
process, the guard that keeps accounts and pseudonyms apart, and the gate that lets a new
person in by the process's rule.

Capabilities' take-part views call `participant_of` (who is this, if anyone) and `join`
(let them in, or send them where they can prove they may); they never build a participant,
read the session's keys or check eligibility themselves.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cpps.common.errors import DomainError
from cpps.jurisdictions.selectors import area_list
from cpps.participation import services
from cpps.participation.forms import DemographicsForm
from cpps.participation.identities import Identity, IdentityKind
from cpps.participation.models import Participant
from cpps.processes.models import Process

SESSION_PARTICIPANTS = "cpps_participants"
SESSION_RESUME = "cpps_resume_tokens"
DEVICE_COOKIE = "cpps_device"
DEVICE_SALT = "cpps.participation.device"
RESUME_SALT = "cpps.participation.resume"
DEVICE_MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie


def signed_in_refusal(request: HttpRequest, process: Process | None = None) -> HttpResponse | None:
    """Taking part is anonymous: a session that knows an account never also holds a pseudonym.

    Returns the refusal page for a signed-in visitor, or None.
    """
    if not request.user.is_authenticated:
        return None
    return render(
        request,
        "participation/signed_in.html",
        {"process": process},
        status=409,
    )


def anonymous_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse a take-part view to signed-in visitors (see `signed_in_refusal`)."""

    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return signed_in_refusal(request) or view(request, *args, **kwargs)

    guarded.__name__ = view.__name__
    guarded.__doc__ = view.__doc__
    return guarded


def participant_id_of(request: HttpRequest, process_id: int) -> int | None:
    """The id of the participant this browser speaks for in the process, as its session
    remembers it, without reading the participant (a write that needs one checks it as it
    writes). A signed-in account never speaks for a participant."""
    if request.user.is_authenticated:
        return None
    known: dict[str, int] = request.session.get(SESSION_PARTICIPANTS, {})
    return known.get(str(process_id))


def participant_of(request: HttpRequest, process: Process) -> Participant | None:
    """The participant this browser speaks for in ``process``, if any."""
    participant_id = participant_id_of(request, process.pk)
    if participant_id is None:
        return None
    return Participant.objects.filter(pk=participant_id, process=process).first()


def remember(request: HttpRequest, participant: Participant, *, resume_secret: str = "") -> None:
    """Let this browser speak for ``participant`` from now on (a fresh session key, so a key
    seen before joining cannot be replayed afterwards)."""
    known = dict(request.session.get(SESSION_PARTICIPANTS, {}))
    if not known:
        request.session.cycle_key()
    known[str(participant.process_id)] = participant.pk
    request.session[SESSION_PARTICIPANTS] = known
    if resume_secret:
        tokens = dict(request.session.get(SESSION_RESUME, {}))
        tokens[str(participant.process_id)] = resume_secret
        request.session[SESSION_RESUME] = tokens


def client_address(request: HttpRequest) -> str:
    """The address the request came from; behind a trusted proxy, the one it forwarded.

    The proxy appends the address it saw to X-Forwarded-For, after whatever the client sent:
    only the last entry can be trusted.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def device_of(request: HttpRequest) -> str:
    """This browser's device id (a signed random value in an HttpOnly cookie), made on first
    use and set on the response by `DeviceCookieMiddleware`."""
    cached = getattr(request, "_cpps_device", None)
    if cached:
        return str(cached)
    raw = request.COOKIES.get(DEVICE_COOKIE, "")
    try:
        device = signing.loads(raw, salt=DEVICE_SALT) if raw else ""
    except signing.BadSignature:
        device = ""
    if not isinstance(device, str) or not device:
        device = secrets.token_urlsafe(18)
        request._cpps_device_new = signing.dumps(device, salt=DEVICE_SALT)  # type: ignore[attr-defined]
    request._cpps_device = device  # type: ignore[attr-defined]
    return device


def join_context(
    request: HttpRequest, process: Process, *, with_device: bool = True
) -> services.JoinContext:
    return services.JoinContext(
        device=device_of(request) if with_device else "",
        network=services.network_digest(process=process, address=client_address(request)),
    )


class DeviceCookieMiddleware:
    """Set the device cookie made during the request (only pages where someone joined)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        value = getattr(request, "_cpps_device_new", None)
        if value:
            response.set_cookie(
                DEVICE_COOKIE,
                value,
                max_age=DEVICE_MAX_AGE,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
        return response


def join(
    request: HttpRequest,
    process: Process,
    *,
    demographics: Mapping[str, str] | None = None,
) -> Participant:
    """Let a new person in by the process's rule and remember them in this browser.

    Raises:
        NotEligibleError: the process needs an invitation or proof of residency (send the
            visitor to `entry_url`).
        JoinLimitError: an open process's limit for this device or connection is reached.
        InvalidInputError: an answer about oneself was not one of those offered.
    """
    existing = participant_of(request, process)
    if existing is not None:
        return existing
    secret = secrets.token_urlsafe(18)
    identity = services.identity_for_web(
        process=process, secret=secret, context=join_context(request, process)
    )
    participant = services.participant_for(
        process=process, identity=identity, demographics=demographics
    )
    remember(request, participant, resume_secret=secret)
    return participant


def about_you_form(request: HttpRequest, process: Process) -> DemographicsForm:
    """The optional questions about oneself on a start form (participation/start_form.html),
    bound only by the POST that starts."""
    areas = [(area.code, area.name) for area in area_list(jurisdiction=process.jurisdiction)]
    starting = request.method == "POST" and request.POST.get("action") == "start"
    return DemographicsForm(request.POST if starting else None, areas=areas)


def join_from_start_form(request: HttpRequest, process: Process) -> Participant:
    """`join` with the answers about oneself given on the start form, if any."""
    about_you = about_you_form(request, process)
    # Tampered answers about oneself are dropped; taking part never depends on them.
    about_you.is_valid()
    return join(request, process, demographics=about_you.answers())


def enter_with(request: HttpRequest, process: Process, identity: Identity) -> Participant:
    """Remember the participant a proven identity (a code, a verified phone) stands for."""
    participant = services.participant_for(process=process, identity=identity)
    remember(request, participant)
    return participant


def entry_url(process: Process, next_url: str = "") -> str:
    """Where a visitor proves they may take part (by invitation or verified residency)."""
    url = reverse("participation:enter", args=[process.pk])
    return f"{url}?{_next_query(next_url)}" if next_url else url


def _next_query(next_url: str) -> str:
    from urllib.parse import urlencode  # noqa: PLC0415 - only for this one query string

    return urlencode({"next": next_url})


def gate_response(request: HttpRequest, process: Process, error: DomainError) -> HttpResponse:
    """The page for a join that was refused: prove eligibility, or wait (429)."""
    if isinstance(error, services.NotEligibleError):
        return redirect(entry_url(process, request.get_full_path()))
    status = 429 if isinstance(error, services.JoinLimitError) else 400
    return render(
        request,
        "participation/refused.html",
        {"process": process, "message": str(error)},
        status=status,
    )


def resume_url(request: HttpRequest, process: Process) -> str:
    """A link that brings this browser's participation back on another visit, or ""."""
    secret = request.session.get(SESSION_RESUME, {}).get(str(process.pk), "")
    if not secret:
        return ""
    token = signing.dumps({"p": process.pk, "s": secret}, salt=RESUME_SALT)
    return request.build_absolute_uri(reverse("participation:resume", args=[process.pk, token]))


def resume(request: HttpRequest, process: Process, token: str) -> Participant | None:
    """The participant a resume link stands for (None: damaged or never used to take part)."""
    try:
        claims = signing.loads(token, salt=RESUME_SALT)
        process_id, secret = int(claims["p"]), str(claims["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if process_id != process.pk:
        return None
    participant = services.participant_existing(
        process=process, identity=Identity(IdentityKind.WEB_SESSION, secret, "web")
    )
    if participant is not None:
        remember(request, participant, resume_secret=secret)
    return participant
