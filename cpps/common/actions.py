"""Forms posted to an action URL of their own (answer a commitment, post an update): when the
input is refused, the page the form lives on is shown again with the errors next to the fields
and what was typed kept, never a separate error page that loses it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from cpps.common.errors import DomainError, PermissionRefusedError, status_of

FormT = TypeVar("FormT", bound=forms.Form)


def form_action(
    request: HttpRequest,
    form: forms.Form,
    *,
    act: Callable[[dict[str, Any]], str],
    done: Callable[[], HttpResponse],
    page: Callable[[forms.Form, int], HttpResponse],
    refusal_field: str | None = None,
) -> HttpResponse:
    """Validate ``form``; when valid, ``act`` on its cleaned data (one service call that
    returns the message to show) and answer ``done()``.

    Invalid input, and a service's refusal (put on ``refusal_field``, or above the fields), give
    ``page(form, status)``: the page the form came from, with the bound form. A refusal of the
    person's role is not a mistake in the form: it reaches the error page (403) as before.
    """
    if not form.is_valid():
        return page(form, 400)
    try:
        message = act(form.cleaned_data)
    except PermissionRefusedError:
        raise
    except DomainError as refusal:
        form.add_error(refusal_field, str(refusal))
        return page(form, status_of(refusal))
    messages.success(request, message)
    return done()


def posted_form(bound: forms.Form | None, form_class: type[FormT], **kwargs: Any) -> FormT:
    """The form a page shows: the one just posted (with its errors and input) when it is of
    ``form_class``, else a blank one built with ``kwargs``."""
    if isinstance(bound, form_class):
        return bound
    return form_class(**kwargs)
