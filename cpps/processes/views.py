"""Pages for convening processes (community roles) and for taking part (anyone, no account)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cpps.accounts.policy import Action, can, require
from cpps.common.errors import InvalidInputError, InvalidTransitionError
from cpps.jurisdictions.selectors import jurisdiction_get
from cpps.processes import selectors, services
from cpps.processes.forms import DemographicsForm, LinkRequestForm, ProcessForm
from cpps.processes.models import Participant, Process

SESSION_PARTICIPANT = "cpps_participant_id"


def _agenda_arguments(form: ProcessForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "purpose": data["purpose"],
        "area_codes": data["areas"],
        "languages": data["languages"],
        "opens_on": data["opens_on"],
        "closes_on": data["closes_on"],
    }


@require_http_methods(["GET", "HEAD", "POST"])
def process_create(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    require(request.user, Action.CREATE_PROCESS, jurisdiction)
    form = ProcessForm(request.POST or None, jurisdiction=jurisdiction)
    if request.method == "POST" and form.is_valid():
        try:
            process = services.process_create(
                user=request.user,
                jurisdiction=jurisdiction,
                kind=form.cleaned_data["kind"],
                **_agenda_arguments(form),
            )
        except InvalidInputError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The process was created as a draft."))
            return redirect("processes:detail", slug=slug, pk=process.pk)
    context = {"jurisdiction": jurisdiction, "form": form, "heading": _("Start a process")}
    return render(
        request, "processes/process_form.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "HEAD", "POST"])
def process_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.process_get(jurisdiction=jurisdiction, pk=pk)
    require(request.user, Action.SET_AGENDA, jurisdiction)
    initial = {
        "title": process.title,
        "purpose": process.purpose,
        "languages": process.languages,
        "areas": [area.code for area in process.areas.all()],
        "opens_on": process.opens_on,
        "closes_on": process.closes_on,
    }
    form = ProcessForm(
        request.POST or None, initial=initial, jurisdiction=jurisdiction, with_kind=False
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.process_agenda_update(
                user=request.user, process=process, **_agenda_arguments(form)
            )
        except (InvalidInputError, InvalidTransitionError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The agenda was updated."))
            return redirect("processes:detail", slug=slug, pk=process.pk)
    context = {
        "jurisdiction": jurisdiction,
        "form": form,
        "process": process,
        "heading": _("Change the agenda"),
    }
    return render(
        request, "processes/process_form.html", context, status=400 if form.errors else 200
    )


@require_safe
def process_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.process_get(jurisdiction=jurisdiction, pk=pk)
    context = {
        "jurisdiction": jurisdiction,
        "process": process,
        "participant_count": selectors.participant_count(process=process),
        "next_states": sorted(services.ALLOWED_TRANSITIONS[process.state]),
        "can_convene": can(request.user, Action.CONVENE_PROCESS, jurisdiction),
        "can_set_agenda": can(request.user, Action.SET_AGENDA, jurisdiction),
        "can_invite": can(request.user, Action.INVITE, jurisdiction),
        "can_view_participants": can(request.user, Action.VIEW_PERSONAL_DATA, jurisdiction),
    }
    return render(request, "processes/process_detail.html", context)


@require_POST
def process_state(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.process_get(jurisdiction=jurisdiction, pk=pk)
    services.process_transition(
        user=request.user, process=process, to_state=request.POST.get("state", "")
    )
    messages.success(
        request, _("The process is now %(state)s.") % {"state": process.get_state_display().lower()}
    )
    return redirect("processes:detail", slug=slug, pk=pk)


@require_http_methods(["GET", "HEAD", "POST"])
def process_links(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.process_get(jurisdiction=jurisdiction, pk=pk)
    require(request.user, Action.INVITE, jurisdiction)
    form = LinkRequestForm(request.POST or None)
    links: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            tokens = services.one_time_links_issue(
                user=request.user, process=process, count=form.cleaned_data["count"]
            )
        except (InvalidInputError, InvalidTransitionError) as error:
            form.add_error(None, str(error))
        else:
            links = [
                request.build_absolute_uri(reverse("processes:take_part", args=[token]))
                for token in tokens
            ]
    context = {"jurisdiction": jurisdiction, "process": process, "form": form, "links": links}
    return render(
        request, "processes/process_links.html", context, status=400 if form.errors else 200
    )


@require_safe
def process_participants(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.process_get(jurisdiction=jurisdiction, pk=pk)
    participants = selectors.participant_list_for_facilitator(user=request.user, process=process)
    context = {"jurisdiction": jurisdiction, "process": process, "participants": participants}
    return render(request, "processes/process_participants.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def take_part(request: HttpRequest, token: str) -> HttpResponse:
    """Redeem a one-time link; GET only describes it, so link previews redeem nothing."""
    if request.user.is_authenticated:
        # Taking part is anonymous: a session must never know both an account and a pseudonym.
        message = _(
            "You are signed in. Taking part is anonymous and never linked to an account: "
            "sign out first, then open your link again."
        )
        return render(request, "processes/take_part.html", {"error": message}, status=409)
    if request.method == "POST":
        try:
            participant = services.participant_join_by_link(token=token)
        except InvalidInputError as error:
            return render(request, "processes/take_part.html", {"error": str(error)}, status=400)
        request.session.cycle_key()
        request.session[SESSION_PARTICIPANT] = participant.pk
        return redirect("processes:about_you")
    return render(request, "processes/take_part.html", {"token": token})


def _session_participant(request: HttpRequest) -> Participant | None:
    participant_id = request.session.get(SESSION_PARTICIPANT)
    if participant_id is None:
        return None
    return (
        Participant.objects.select_related("process__jurisdiction")
        .filter(pk=participant_id)
        .first()
    )


@require_http_methods(["GET", "HEAD", "POST"])
def about_you(request: HttpRequest) -> HttpResponse:
    participant = _session_participant(request)
    if participant is None:
        return render(
            request,
            "processes/take_part.html",
            {"error": _("Open your invitation link first.")},
            status=400,
        )
    form = DemographicsForm(request.POST or None, initial=participant.demographics)
    if request.method == "POST" and form.is_valid():
        services.participant_demographics_save(participant=participant, answers=form.cleaned_data)
        messages.success(request, _("Thank you. Your answers were saved."))
        return redirect("processes:about_you")
    process: Process = participant.process
    return render(
        request,
        "processes/about_you.html",
        {"form": form, "process": process},
        status=400 if form.errors else 200,
    )
