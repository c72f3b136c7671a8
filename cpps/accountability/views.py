"""Pages for the partnership charter, commitments, progress, the public board and scorecards."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cpps.accountability import selectors, services
from cpps.accountability.forms import (
    CharterForm,
    CommitmentForm,
    OwnerBodyForm,
    ProgressForm,
    ProposalForm,
    RatingForm,
    RespondForm,
    VoteForm,
    WithdrawForm,
)
from cpps.accountability.models import Commitment
from cpps.accountability.opendata import commitment_table
from cpps.accounts.policy import Action, can, require
from cpps.audit.selectors import audit_record_entries
from cpps.common.actions import form_action, posted_form
from cpps.common.errors import DomainError
from cpps.common.spreadsheets import csv_response
from cpps.jurisdictions.models import Jurisdiction
from cpps.jurisdictions.selectors import area_get, jurisdiction_get
from cpps.participation import web
from cpps.participation.selectors import eligibility_sentence

FORM_METHODS = ["GET", "HEAD", "POST"]


def _status(form: Any) -> int:
    return 400 if form.errors else 200


def _council_ids(jurisdiction: Jurisdiction) -> set[int]:
    charter = services.charter_in_effect(jurisdiction=jurisdiction)
    return set(charter.council_members.values_list("pk", flat=True)) if charter else set()


# ---------------------------------------------------------------- board


def _board(request: HttpRequest, jurisdiction: Jurisdiction, area: Any = None) -> HttpResponse:
    deciding = can(request.user, Action.DECIDE_COMMITMENTS, jurisdiction)
    context = {
        "jurisdiction": jurisdiction,
        "area": area,
        "rows": selectors.commitment_board(jurisdiction=jurisdiction, area=area),
        "areas": jurisdiction.areas.filter(commitments__isnull=False).distinct(),
        "charter": services.charter_in_effect(jurisdiction=jurisdiction),
        "can_draft": deciding and request.user.pk in _council_ids(jurisdiction),
        "notices": selectors.council_notices(jurisdiction=jurisdiction) if deciding else [],
        "scorecards": selectors.scorecard_list(jurisdiction=jurisdiction),
    }
    return render(request, "accountability/board.html", context)


@require_safe
def board(request: HttpRequest, slug: str) -> HttpResponse:
    return _board(request, jurisdiction_get(slug=slug))


@require_safe
def area_board(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    return _board(request, jurisdiction, area_get(jurisdiction=jurisdiction, code=code))


@require_safe
def export_csv(request: HttpRequest, slug: str) -> HttpResponseBase:
    jurisdiction = jurisdiction_get(slug=slug)
    return csv_response(
        commitment_table(jurisdiction=jurisdiction), filename=f"{slug}-commitments.csv"
    )


@require_safe
def export_json(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    records = [
        selectors.board_record(row) for row in selectors.commitment_board(jurisdiction=jurisdiction)
    ]
    body = json.dumps({"jurisdiction": slug, "commitments": records}, indent=1)
    return HttpResponse(body, content_type="application/json")


# ---------------------------------------------------------------- charter


@require_safe
def charter(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    context = {
        "jurisdiction": jurisdiction,
        "charters": selectors.charter_list(jurisdiction=jurisdiction),
        "in_effect": services.charter_in_effect(jurisdiction=jurisdiction),
        "owner_bodies": selectors.owner_body_list(jurisdiction=jurisdiction),
        "can_draft": can(request.user, Action.DRAFT_CHARTER, jurisdiction),
        # Who sits on the council is for the community side; the public sees how many.
        "show_council_names": can(request.user, Action.DRAFT_CHARTER, jurisdiction),
        "can_sign_community": can(request.user, Action.SIGN_FOR_COMMUNITY, jurisdiction),
        "can_sign_institution": can(request.user, Action.RESPOND_AS_OWNER, jurisdiction),
    }
    return render(request, "accountability/charter.html", context)


@require_http_methods(FORM_METHODS)
def charter_new(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    require(request.user, Action.DRAFT_CHARTER, jurisdiction)
    form = CharterForm(request.POST or None, jurisdiction=jurisdiction)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.charter_draft(
                user=request.user,
                jurisdiction=jurisdiction,
                text=data["text"],
                council_members=form.members(),
                quorum=data["quorum"],
                majority_percent=data["majority_percent"],
                owner_bodies=list(data["owner_bodies"]),
                review_period_days=data["review_period_days"],
                silence_days=data["silence_days"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The new version was drafted. It takes effect when both sides sign it.")
            )
            return redirect("accountability:charter", slug=slug)
    context = {"jurisdiction": jurisdiction, "form": form, "heading": _("Draft a charter version")}
    return render(request, "accountability/form.html", context, status=_status(form))


@require_http_methods(FORM_METHODS)
def owner_new(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    require(request.user, Action.DRAFT_CHARTER, jurisdiction)
    form = OwnerBodyForm(request.POST or None, jurisdiction=jurisdiction)
    if request.method == "POST" and form.is_valid():
        try:
            services.owner_body_create(
                user=request.user,
                jurisdiction=jurisdiction,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                representatives=form.users(),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The body was added."))
            return redirect("accountability:charter", slug=slug)
    context = {
        "jurisdiction": jurisdiction,
        "form": form,
        "heading": _("Add a body that can own commitments"),
    }
    return render(request, "accountability/form.html", context, status=_status(form))


@require_POST
def charter_sign(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    version = selectors.charter_get(jurisdiction=jurisdiction, pk=pk)
    signed = services.charter_sign(
        user=request.user, charter=version, side=request.POST.get("side", "")
    )
    if signed.in_effect_from:
        messages.success(request, _("Both sides have signed: this version is now in effect."))
    else:
        messages.success(request, _("Signed. The version takes effect when the other side signs."))
    return redirect("accountability:charter", slug=slug)


# ---------------------------------------------------------------- commitments


def _terms(form: CommitmentForm) -> services.CommitmentTerms:
    data = form.cleaned_data
    return services.CommitmentTerms(
        title=data["title"],
        action=data["action"],
        owner=data["owner"],
        priority=data["priority"],
        area_codes=tuple(data["areas"]),
        due_on=data["due_on"],
        metric=data["metric"],
        baseline=data["baseline"],
        target=data["target"],
    )


@require_http_methods(FORM_METHODS)
def commitment_new(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    require(request.user, Action.DECIDE_COMMITMENTS, jurisdiction)
    initial = {}
    if request.GET.get("priority", "").isdigit():
        initial["priority"] = int(request.GET["priority"])
    form = CommitmentForm(request.POST or None, initial=initial, jurisdiction=jurisdiction)
    if request.method == "POST" and form.is_valid():
        try:
            commitment = services.commitment_draft(
                user=request.user, jurisdiction=jurisdiction, terms=_terms(form)
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Drafted. It is agreed once the council approves and the owner accepts.")
            )
            return redirect("accountability:commitment", slug=slug, pk=commitment.pk)
    context = {"jurisdiction": jurisdiction, "form": form, "heading": _("Draft a commitment")}
    return render(request, "accountability/form.html", context, status=_status(form))


@require_http_methods(FORM_METHODS)
def commitment_revise(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    commitment = selectors.commitment_get(jurisdiction=jurisdiction, pk=pk)
    require(request.user, Action.DECIDE_COMMITMENTS, jurisdiction)
    initial = {
        "title": commitment.title,
        "action": commitment.action,
        "owner": commitment.owner_id,
        "priority": commitment.priority_id,
        "areas": [a.code for a in commitment.areas.all()],
        "due_on": commitment.due_on,
        "metric": commitment.metric,
        "baseline": commitment.baseline,
        "target": commitment.target,
    }
    form = CommitmentForm(request.POST or None, initial=initial, jurisdiction=jurisdiction)
    if request.method == "POST" and form.is_valid():
        try:
            services.commitment_revise(user=request.user, commitment=commitment, terms=_terms(form))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Revised: both sides must agree to the new version."))
            return redirect("accountability:commitment", slug=slug, pk=pk)
    context = {
        "jurisdiction": jurisdiction,
        "form": form,
        "heading": _("Revise the commitment"),
        "commitment": commitment,
    }
    return render(request, "accountability/form.html", context, status=_status(form))


@require_safe
def commitment_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _commitment_page(request, _commitment(slug, pk))


def _commitment_page(
    request: HttpRequest, commitment: Commitment, bound: Form | None = None, status: int = 200
) -> HttpResponse:
    """The commitment's page; ``bound`` is a form just posted and refused, shown again with
    its errors and input in place of the blank one."""
    jurisdiction = commitment.jurisdiction
    user = request.user
    is_council = user.pk in _council_ids(jurisdiction) and can(
        user, Action.DECIDE_COMMITMENTS, jurisdiction
    )
    is_owner = can(user, Action.RESPOND_AS_OWNER, jurisdiction) and (
        user.pk in set(commitment.owner.representatives.values_list("pk", flat=True))
    )
    votes = commitment.votes.filter(version=commitment.version)
    context = {
        "jurisdiction": jurisdiction,
        "commitment": commitment,
        "updates": commitment.updates.all(),
        "decisions": commitment.decisions.all(),
        "proposals": commitment.change_proposals.order_by("proposed_at"),
        "approvals": sum(1 for v in votes if v.approve),
        "rejections": sum(1 for v in votes if not v.approve),
        "has_voted": votes.filter(member_id=user.pk).exists(),
        "timeline": audit_record_entries(
            jurisdiction=jurisdiction,
            events=list(selectors.commitment_timeline(commitment=commitment)),
        ),
        "scores": selectors.commitment_scores(jurisdiction=jurisdiction).get(commitment.pk, []),
        "is_council": is_council,
        "is_owner": is_owner,
        "vote_form": posted_form(bound, VoteForm),
        "respond_form": posted_form(bound, RespondForm, owner=commitment.owner.name),
        "withdraw_form": posted_form(bound, WithdrawForm),
        "proposal_form": posted_form(bound, ProposalForm),
        "progress_form": posted_form(bound, ProgressForm) if is_owner else None,
    }
    return render(request, "accountability/commitment.html", context, status=status)


def _commitment(slug: str, pk: int) -> Commitment:
    return selectors.commitment_get(jurisdiction=jurisdiction_get(slug=slug), pk=pk)


def _commitment_action(
    request: HttpRequest,
    commitment: Commitment,
    form: Form,
    act: Callable[[dict[str, Any]], str],
    *,
    refusal_field: str | None = None,
) -> HttpResponse:
    """Act on the commitment, or show its page again with the form's errors and input."""
    return form_action(
        request,
        form,
        act=act,
        done=lambda: redirect(
            "accountability:commitment", slug=commitment.jurisdiction.slug, pk=commitment.pk
        ),
        page=lambda bound, status: _commitment_page(request, commitment, bound, status),
        refusal_field=refusal_field,
    )


@require_POST
def commitment_vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    commitment = _commitment(slug, pk)

    def act(data: dict[str, Any]) -> str:
        services.commitment_vote(
            user=request.user, commitment=commitment, approve=data["approve"] == "yes"
        )
        return _("Your vote was recorded.")

    return _commitment_action(request, commitment, VoteForm(request.POST), act)


@require_POST
def commitment_respond(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    commitment = _commitment(slug, pk)

    def act(data: dict[str, Any]) -> str:
        services.commitment_respond(
            user=request.user,
            commitment=commitment,
            response=data["response"],
            reason=data["reason"],
        )
        return _("Your answer was recorded in public.")

    form = RespondForm(request.POST, owner=commitment.owner.name)
    return _commitment_action(request, commitment, form, act)


@require_POST
def commitment_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    commitment = _commitment(slug, pk)

    def act(data: dict[str, Any]) -> str:
        services.commitment_withdraw(
            user=request.user, commitment=commitment, reason=data["reason"]
        )
        return _("The commitment was withdrawn.")

    return _commitment_action(
        request, commitment, WithdrawForm(request.POST), act, refusal_field="reason"
    )


@require_POST
def commitment_propose(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    commitment = _commitment(slug, pk)

    def act(data: dict[str, Any]) -> str:
        services.commitment_change_propose(
            user=request.user, commitment=commitment, text=data["text"]
        )
        return _("Your proposal was published.")

    return _commitment_action(
        request, commitment, ProposalForm(request.POST), act, refusal_field="text"
    )


@require_POST
def commitment_progress(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    commitment = _commitment(slug, pk)

    def act(data: dict[str, Any]) -> str:
        services.progress_update_post(
            user=request.user,
            commitment=commitment,
            status=data["status"],
            narrative=data["narrative"],
            metric_value=data["metric_value"],
            evidence_url=data["evidence_url"],
        )
        return _("Your update was published.")

    return _commitment_action(request, commitment, ProgressForm(request.POST), act)


# ---------------------------------------------------------------- scorecards


@require_http_methods(FORM_METHODS)
def scorecard_take_part(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Residents rate every agreed commitment, one at a time, without an account or JS."""
    jurisdiction = jurisdiction_get(slug=slug)
    scorecard = selectors.scorecard_get(jurisdiction=jurisdiction, pk=pk)
    refused = web.signed_in_refusal(request, scorecard)
    if refused:
        return refused
    participant = web.participant_of(request, scorecard)
    if participant is None:
        if request.method == "POST" and request.POST.get("action") == "start":
            try:
                web.join_from_start_form(request, scorecard)
            except DomainError as refusal:
                return web.gate_response(request, scorecard, refusal)
            return redirect("accountability:scorecard", slug=slug, pk=pk)
        context = {
            "jurisdiction": jurisdiction,
            "scorecard": scorecard,
            "started": False,
            "about_you": web.about_you_form(request, scorecard),
            "eligibility": eligibility_sentence(scorecard),
        }
        return render(request, "accountability/scorecard.html", context)
    rated = selectors.rated_commitment_ids(scorecard=scorecard, participant=participant)
    remaining = [
        c for c in selectors.rateable_commitments(scorecard=scorecard) if c.pk not in rated
    ]
    current = remaining[0] if remaining else None
    form = RatingForm(request.POST or None)
    if request.method == "POST" and current is not None and form.is_valid():
        target = next((c for c in remaining if str(c.pk) == request.POST.get("commitment")), None)
        if target is not None:
            try:
                services.rating_record(
                    participant=participant,
                    commitment=target,
                    value=form.cleaned_data["value"],
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Thank you. Your rating was saved."))
                return redirect("accountability:scorecard", slug=slug, pk=pk)
    context = {
        "jurisdiction": jurisdiction,
        "scorecard": scorecard,
        "started": True,
        "current": current,
        "latest": next(iter(current.updates.all()), None) if current else None,
        "form": form,
        "done": len(rated),
        "total": len(rated) + len(remaining),
    }
    return render(request, "accountability/scorecard.html", context, status=_status(form))


@require_safe
def scorecard_results(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    scorecard = selectors.scorecard_get(jurisdiction=jurisdiction, pk=pk)
    scores = selectors.scorecard_scores(scorecard=scorecard)
    commitments = {c.pk: c for c in selectors.commitment_list(jurisdiction=jurisdiction)}
    rows = [(commitments[cid], score) for cid, score in scores.items() if cid in commitments]
    context = {
        "jurisdiction": jurisdiction,
        "scorecard": scorecard,
        "rows": rows,
        "comments": selectors.scorecard_comments(user=request.user, scorecard=scorecard),
    }
    return render(request, "accountability/scorecard_results.html", context)
