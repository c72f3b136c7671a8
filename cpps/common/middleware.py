"""Middleware every request goes through: hostile input is refused before any view runs; domain
errors and service outages that escape a view become plain, translated answers; a database
written with another pseudonym key is never served; without a broker the watchdog runs in the
web process."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    MiddlewareNotUsed,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from cpps.common.errors import DomainError, ServiceUnavailableError, status_of
from cpps.common.keys import key_fingerprint_problem
from cpps.common.outage import OUTAGE_ERRORS, outage_response
from cpps.common.watchdog import stuck_work_recover
from cpps.engines.characters import character_name, first_control_character

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# Twilio's webhooks carry the caller's own text; their views refuse and answer in TwiML.
TWILIO_PREFIX = "/hooks/"
TWILIO_SUFFIX = "/register/sms/"
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def error_response(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    """A refusal as the client reads it: JSON `{"detail": ...}` on the API, a page elsewhere."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "error.html", {"message": message, "status": status}, status=status)


def _json_text(document: Any) -> str:
    """Every key and string of a parsed JSON document, one per line (checked in one pass; the
    walk is iterative, as nesting may be deep)."""
    strings: list[str] = []
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            strings.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return "\n".join(strings)


def _form_fields(request: HttpRequest) -> Iterator[tuple[str, str]]:
    for name, values in request.POST.lists():
        yield name, name
        for value in values:
            yield name, value
    for name, uploads in request.FILES.lists():
        for upload in uploads:
            yield name, upload.name or ""


def _body_fields(request: HttpRequest) -> Iterator[tuple[str, str]]:
    """(field, text) pairs of the body: form fields, or every key and string of a JSON body.

    Reading the body here also enforces DATA_UPLOAD_MAX_MEMORY_SIZE before any view runs.
    """
    if request.method not in BODY_METHODS:
        return
    if request.content_type in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        yield from _form_fields(request)
        return
    body = request.body
    # django-ninja reads any body as JSON, whatever its declared content type.
    if body:
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            return  # the view answers malformed JSON itself
        yield "", _json_text(document)


def _address_texts(request: HttpRequest) -> Iterator[str]:
    yield request.path_info
    for name, values in request.GET.lists():
        yield name
        yield from values


def _first_control(texts: Iterator[str]) -> str | None:
    found = (first_control_character(text, line_breaks_allowed=False) for text in texts)
    return next((character for character in found if character is not None), None)


def _control_character_problem(request: HttpRequest) -> str | None:
    character = _first_control(_address_texts(request))
    if character is not None:
        return _(
            "The web address holds a control character (%(character)s), which no page "
            "accepts; remove it and try again."
        ) % {"character": character_name(character)}
    for field, text in _body_fields(request):
        character = first_control_character(text)
        if character is None:
            continue
        if field and first_control_character(field, line_breaks_allowed=False) is None:
            return _(
                "The field “%(field)s” holds a control character (%(character)s); remove it "
                "and send the form again."
            ) % {"field": field[:60], "character": character_name(character)}
        return _(
            "The request holds a control character (%(character)s) in its text; remove it "
            "and send it again."
        ) % {"character": character_name(character)}
    return None


class HostileInputMiddleware:
    """Refuse requests that no view could store safely: a NUL or other control character in the
    address, the query, a form field or a JSON string (tab and line breaks are allowed in
    submitted text), a body over DATA_UPLOAD_MAX_MEMORY_SIZE (413), or a malformed form (400).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith(TWILIO_PREFIX) or path.endswith(TWILIO_SUFFIX):
            return self.get_response(request)
        try:
            problem = _control_character_problem(request)
        except RequestDataTooBig:
            limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
            message = _(
                "The request is larger than %(limit)s, more than this site accepts at once; "
                "send less in each request."
            ) % {"limit": limit}
            return error_response(request, message, status=413)
        except (TooManyFieldsSent, TooManyFilesSent, MultiPartParserError):
            message = _("The form could not be read; reload the page and send it again.")
            return error_response(request, message, status=400)
        if problem is not None:
            return error_response(request, problem, status=400)
        return self.get_response(request)


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        status = status_of(exception)
        return render(
            request, "error.html", {"message": str(exception), "status": status}, status=status
        )


class ServiceOutageMiddleware:
    """A view that meets a database, cache or task-queue outage answers 503 with `Retry-After`
    (JSON under /api/). Outages in other middleware (saving the session) reach the same answer
    through `cpps.common.views.server_error`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OUTAGE_ERRORS):
            return None
        return outage_response(request, exception)


class PseudonymKeyGuardMiddleware:
    """Refuse every request (503, with the reason) while the database holds the fingerprint of
    another `PSEUDONYM_KEY`; checked on the first request each process serves (and again after
    a check the database could not answer), recorded there if the database has none yet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.problem: str | None = None
        self.checked = False

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.checked:
            self.problem = key_fingerprint_problem()
            self.checked = True
            if self.problem:
                logger.error("Not serving: %s", self.problem)
        if self.problem:
            return outage_response(request, ServiceUnavailableError(self.problem))
        return self.get_response(request)


class InProcessWatchdogMiddleware:
    """Without a broker there is no Celery beat: the web process runs the watchdog itself, on
    its first request and then at most once a minute, so work cut short by a crash or a killed
    worker becomes retryable after a restart. Not used when a broker is configured."""

    INTERVAL_SECONDS = 60.0
    _lock = threading.Lock()
    _next_run = 0.0

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cls = type(self)
        # Before the view, so the page that triggered it already shows the returned work.
        if time.monotonic() >= cls._next_run and cls._lock.acquire(blocking=False):
            try:
                cls._next_run = time.monotonic() + self.INTERVAL_SECONDS
                stuck_work_recover()
            except OUTAGE_ERRORS as error:
                logger.warning("The in-process watchdog could not run: %r", error)
            finally:
                cls._lock.release()
        return self.get_response(request)
