"""Pages for convening processes (community roles) and for taking part (anyone, no account)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cpps.accounts.policy import Action, can, require
from cpps.common.errors import InvalidInputError, InvalidTransitionError
from cpps.jurisdictions.selectors import area_list, jurisdiction_get, jurisdiction_population
from cpps.processes import selectors, services
from cpps.processes.forms import ProcessForm
from cpps.processes.kinds import kind_of
from cpps.processes.models import ProcessState
from cpps.processes.selectors import process_card, process_list

STATE_MESSAGES = {
    ProcessState.OPEN: gettext_lazy("The process is open: residents can take part now."),
    ProcessState.CLOSED: gettext_lazy("The process is closed: it takes no more answers."),
    ProcessState.PUBLISHED: gettext_lazy("The results are published for everyone."),
}


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


@require_safe
def jurisdiction_home(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's page: what residents are working on, in each kind's own words."""
    jurisdiction = jurisdiction_get(slug=slug)
    context = {
        "jurisdiction": jurisdiction,
        "processes": [process_card(process) for process in process_list(jurisdiction=jurisdiction)],
        "areas": area_list(jurisdiction=jurisdiction),
        "population": jurisdiction_population(jurisdiction=jurisdiction),
        "can_create_process": can(request.user, Action.CREATE_PROCESS, jurisdiction),
    }
    return render(request, "processes/jurisdiction_home.html", context)


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
    kind = kind_of(process)
    links = list(kind.links(process, request.user))
    context = {
        "jurisdiction": jurisdiction,
        "process": process,
        "kind": kind,
        "status": kind.status(process),
        "take_part_links": [link for link in links if link.purpose == "take_part"],
        "result_links": [link for link in links if link.purpose == "results"],
        "workspace_links": [link for link in links if link.purpose == "workspace"],
        "next_states": sorted(services.ALLOWED_TRANSITIONS[process.state]),
        "can_convene": can(request.user, Action.CONVENE_PROCESS, jurisdiction),
        "can_set_agenda": can(request.user, Action.SET_AGENDA, jurisdiction),
    }
    return render(request, "processes/process_detail.html", context)


@require_POST
def process_state(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.process_get(jurisdiction=jurisdiction, pk=pk)
    services.process_transition(
        user=request.user, process=process, to_state=request.POST.get("state", "")
    )
    messages.success(request, str(STATE_MESSAGES[ProcessState(process.state)]))
    return redirect("processes:detail", slug=slug, pk=pk)
