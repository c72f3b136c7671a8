"""Pages for priority rounds: voting on pairs and adding ideas (residents, no account, no JS),
seeding and moderating ideas (community roles) and the public results."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from cpps.accounts.policy import Action, can, require
from cpps.common.errors import DomainError
from cpps.jurisdictions.selectors import jurisdiction_get
from cpps.participation import web
from cpps.participation.selectors import eligibility_sentence
from cpps.participation.services import JoinLimitError, NotEligibleError
from cpps.priorities import selectors, services
from cpps.priorities.models import IdeaState

FORM_METHODS = ["GET", "HEAD", "POST"]


@require_safe
def round_list(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    context = {
        "jurisdiction": jurisdiction,
        "rounds": selectors.round_list(jurisdiction=jurisdiction),
    }
    return render(request, "priorities/round_list.html", context)


@require_safe
def round_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.round_get(jurisdiction=jurisdiction, pk=pk)
    context = {
        "jurisdiction": jurisdiction,
        "process": process,
        "results": selectors.round_results(process=process),
        "can_seed": can(request.user, Action.SET_AGENDA, jurisdiction),
        "can_moderate": can(request.user, Action.MODERATE, jurisdiction),
        "can_draft_commitment": can(request.user, Action.DECIDE_COMMITMENTS, jurisdiction),
        "language": get_language() or "en",
    }
    return render(request, "priorities/round_detail.html", context)


@require_http_methods(FORM_METHODS)
def round_vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Show a pair; a choice is one of two submit buttons, so no JavaScript is needed."""
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.round_get(jurisdiction=jurisdiction, pk=pk)
    refused = web.signed_in_refusal(request, process)
    if refused:
        return refused
    participant = web.participant_of(request, process)
    error = ""
    if request.method == "POST":
        try:
            if participant is None:
                participant = web.join_from_start_form(request, process)
            elif request.POST.get("choice"):
                choice = request.POST["choice"]
                shown = {request.POST.get("pair_a", ""), request.POST.get("pair_b", "")}
                if choice not in shown or len(shown) != 2:
                    raise ValueError(choice)
                (other,) = shown - {choice}
                winner = selectors.idea_get(process=process, pk=int(choice))
                loser = selectors.idea_get(process=process, pk=int(other))
                services.comparison_record(participant=participant, winner=winner, loser=loser)
            elif request.POST.get("idea", "").strip():
                services.idea_submit(
                    participant=participant,
                    text=request.POST["idea"],
                    language=get_language() or "en",
                )
                messages.success(
                    request, _("Thank you. Community moderators will add your idea soon.")
                )
        except (NotEligibleError, JoinLimitError) as refusal:
            return web.gate_response(request, process, refusal)
        except (DomainError, ValueError) as problem:
            error = str(problem) if isinstance(problem, DomainError) else _("Choose an idea.")
        else:
            return redirect("priorities:vote", slug=slug, pk=pk)
    pair = selectors.next_pair(process=process, participant=participant) if participant else None
    language = get_language() or "en"
    context = {
        "jurisdiction": jurisdiction,
        "process": process,
        "participant": participant,
        "pair_texts": [(idea.pk, idea.text_for(language)) for idea in pair] if pair else [],
        "error": error,
        "answered": selectors.comparison_count(participant=participant) if participant else 0,
        "about_you": web.about_you_form(request, process),
        "eligibility": eligibility_sentence(process),
    }
    return render(request, "priorities/vote.html", context, status=400 if error else 200)


@require_http_methods(FORM_METHODS)
def idea_seed(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.round_get(jurisdiction=jurisdiction, pk=pk)
    require(request.user, Action.SET_AGENDA, jurisdiction)
    error = ""
    if request.method == "POST":
        try:
            services.idea_seed(
                user=request.user,
                process=process,
                text_en=request.POST.get("text_en", ""),
                text_es=request.POST.get("text_es", ""),
                origin=request.POST.get("origin", ""),
            )
        except DomainError as problem:
            error = str(problem)
        else:
            messages.success(request, _("The idea was added to the round."))
            return redirect("priorities:seed", slug=slug, pk=pk)
    context = {
        "jurisdiction": jurisdiction,
        "process": process,
        "ideas": selectors.idea_list(process=process),
        "error": error,
        "values": request.POST,
    }
    return render(request, "priorities/seed.html", context, status=400 if error else 200)


@require_http_methods(FORM_METHODS)
def idea_moderate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.round_get(jurisdiction=jurisdiction, pk=pk)
    require(request.user, Action.MODERATE, jurisdiction)
    error = ""
    if request.method == "POST":
        try:
            idea = selectors.idea_get(process=process, pk=int(request.POST.get("idea", "0")))
            services.idea_moderate(
                user=request.user,
                idea=idea,
                approve=request.POST.get("decision") == "approve",
                text_en=request.POST.get("text_en", ""),
                text_es=request.POST.get("text_es", ""),
                note=request.POST.get("note", ""),
            )
        except (DomainError, ValueError) as problem:
            error = str(problem)
        else:
            messages.success(request, _("The idea was moderated."))
            return redirect("priorities:moderate", slug=slug, pk=pk)
    context = {
        "jurisdiction": jurisdiction,
        "process": process,
        "pending": selectors.idea_list(process=process, state=IdeaState.PENDING),
        "error": error,
    }
    return render(request, "priorities/moderate.html", context, status=400 if error else 200)
