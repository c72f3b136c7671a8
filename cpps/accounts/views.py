"""Signing in and out. Residents never need an account to take part."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.decorators import ratelimit


def _login_rate(group: str, request: HttpRequest) -> str:
    return str(settings.LOGIN_RATE)


def _username_key(group: str, request: HttpRequest) -> str:
    """The user name as the sign-in form reads it (stripped, NFKC-normalised), so that
    " demo-facilitator", a tab in front or full-width letters count against the same account."""
    return unicodedata.normalize("NFKC", request.POST.get("username", "").strip())


_limit_by_address = ratelimit(key="ip", rate=_login_rate, method="POST", block=True)
_limit_by_username = ratelimit(key=_username_key, rate=_login_rate, method="POST", block=True)

login = _limit_by_address(
    _limit_by_username(auth_views.LoginView.as_view(template_name="accounts/login.html"))
)
logout = auth_views.LogoutView.as_view()


def login_rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer too many sign-in attempts with a 429 and a plain explanation."""
    return render(request, "accounts/rate_limited.html", status=429)
