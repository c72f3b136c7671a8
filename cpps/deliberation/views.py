"""Conversation pages: taking part one statement at a time (anyone, no account, no JavaScript),
the results (everyone; aggregates only), and convening, moderating, paper ballots and Polis
interchange (community roles)."""

from __future__ import annotations

import re
import secrets
from contextlib import suppress

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cpps.accounts.policy import Action, can, require
from cpps.common.errors import DomainError, InvalidInputError
from cpps.common.memo import BriefMemo
from cpps.deliberation import interchange, printing, selectors, services
from cpps.deliberation.audit_actions import BALLOT_KEYED, BALLOT_RESOLVED
from cpps.deliberation.forms import (
    BallotCountForm,
    BallotEntryForm,
    FlagForm,
    ModerationForm,
    PolisUploadForm,
    SetupForm,
    StatementForm,
)
from cpps.deliberation.models import BallotEntry, ModerationMode, Statement
from cpps.participation import paper as shared_paper
from cpps.participation import web
from cpps.participation.models import Participant
from cpps.participation.selectors import eligibility_sentence
from cpps.participation.services import JoinLimitError, NotEligibleError
from cpps.processes.models import Process

FORM_METHODS = ["GET", "HEAD", "POST"]
KEYED, RESOLVED = BALLOT_KEYED, BALLOT_RESOLVED


def _conversation(slug: str, pk: int) -> Process:
    return selectors.conversation_in(slug=slug, pk=pk)


def _language() -> str:
    return (get_language() or "en").split("-")[0]


@require_safe
def conversation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """What the conversation is about, who may take part, and where to."""
    process = _conversation(slug, pk)
    context = {
        "jurisdiction": process.jurisdiction,
        "process": process,
        "settings": selectors.settings_of(process),
        "eligibility": eligibility_sentence(process),
        "counts": selectors.moderation_counts(process=process),
        "analysis": selectors.latest_analysis(process=process),
    }
    return render(request, "deliberation/conversation.html", context)


@require_http_methods(FORM_METHODS)
def vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One statement at a time: agree, disagree or pass are three submit buttons, so no
    JavaScript is needed; a resident may add a statement or flag one."""
    if request.method == "POST" and request.POST.get("action") == "vote":
        participant_id = web.participant_id_of(request, pk)
        if participant_id is not None:
            # The hot path: a browser that already takes part votes in one database statement,
            # which checks the conversation, the statement and the participant as it writes.
            # Anything it refuses goes the full way below, which says why.
            with suppress(InvalidInputError):
                _vote_cast(request, participant_id=participant_id, process_id=pk)
                return redirect("deliberation:vote", slug=slug, pk=pk)
    process = _conversation(slug, pk)
    refused = web.signed_in_refusal(request, process)
    if refused:
        return refused
    participant = web.participant_of(request, process)
    statement_form = StatementForm(request.POST if request.POST.get("action") == "add" else None)
    flag_form = FlagForm(request.POST if request.POST.get("action") == "flag" else None)
    error = ""
    if request.method == "POST":
        try:
            if participant is None:
                participant = web.join_from_start_form(request, process)
            done = _act(request, process, participant, statement_form, flag_form)
        except (NotEligibleError, JoinLimitError) as refusal:
            return web.gate_response(request, process, refusal)
        except DomainError as problem:
            error = str(problem)
        else:
            if done:
                messages.success(request, done)
            return redirect("deliberation:vote", slug=slug, pk=pk)
    # The participant's votes, read once for the three things the page shows from them.
    votes = selectors.participant_votes(participant=participant) if participant else {}
    current = selectors.next_statement(process=process, participant=participant, votes=votes)
    context = {
        "jurisdiction": process.jurisdiction,
        "process": process,
        "settings": selectors.settings_of(process),
        "participant": participant,
        "current": current,
        "vote_client_id": secrets.token_urlsafe(16),
        "remaining": selectors.remaining_count(
            process=process, participant=participant, votes=votes
        ),
        "statement_form": statement_form,
        "flag_form": flag_form,
        "error": error,
        "standing": selectors.where_i_stand(process=process, participant=participant, votes=votes)
        if participant
        else None,
        "resume_url": web.resume_url(request, process),
        "eligibility": eligibility_sentence(process),
        "about_you": web.about_you_form(request, process),
    }
    status = 400 if error or statement_form.errors or flag_form.errors else 200
    return render(request, "deliberation/vote.html", context, status=status)


def _act(
    request: HttpRequest,
    process: Process,
    participant: Participant,
    statement_form: StatementForm,
    flag_form: FlagForm,
) -> str:
    """Carry out one POST of the voting page; return the message to show (may be empty)."""
    action = request.POST.get("action", "")
    if action == "vote":
        _vote_cast(request, participant_id=participant.pk, process_id=process.pk)
        return ""
    if action == "add":
        if not statement_form.is_valid():
            raise InvalidInputError(_("Write your statement in a full sentence."))
        statement = services.statement_submit(
            participant=participant, text=statement_form.cleaned_data["text"], language=_language()
        )
        if statement.state == "accepted":
            return _("Thank you: your statement is in the conversation.")
        return _("Thank you: community moderators will read your statement before it is shown.")
    if action == "flag":
        if not flag_form.is_valid():
            raise InvalidInputError(_("Say why the statement should be looked at."))
        statement = selectors.statement_get(
            process=process, number=_number(request.POST.get("statement", ""))
        )
        services.statement_flag(
            participant=participant, statement=statement, reason=flag_form.cleaned_data["reason"]
        )
        return _("Thank you: moderators will look at this statement.")
    if action == "start":
        return ""
    raise InvalidInputError(_("Choose agree, disagree or pass."))


def _vote_cast(request: HttpRequest, *, participant_id: int, process_id: int) -> None:
    # The form carries an id made when it was shown: a vote sent twice (a double click, a
    # browser resending after a lost answer) is stored once.
    services.vote_cast(
        participant_id=participant_id,
        process_id=process_id,
        statement_number=_number(request.POST.get("statement", "")),
        value=request.POST.get("value", ""),
        client_id=_client_id(request.POST.get("client_id", "")),
    )
    services.analysis_request_if_due(process_id=process_id)


CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def _client_id(raw: str) -> str | None:
    if not raw:
        return None
    if not CLIENT_ID.fullmatch(raw):
        raise InvalidInputError(_("This vote could not be read; vote again."))
    return raw


def _number(raw: str) -> int:
    if not raw.isdigit():
        raise InvalidInputError(_("This statement is not part of this conversation."))
    return int(raw)


@require_safe
def results(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Opinion groups, what each believes, common ground, and the map (aggregates only)."""
    process = _conversation(slug, pk)
    context = {
        "jurisdiction": process.jurisdiction,
        "process": process,
        "settings": selectors.settings_of(process),
        "body": _results_body(process),
        "can_analyse": can(request.user, Action.CONVENE_PROCESS, process.jurisdiction),
    }
    return render(request, "deliberation/results.html", context)


# The results are the same for everyone until the next analysis or a statement is taken out,
# so each worker keeps them rendered (a page view then costs a few small queries).
_RESULTS_BODIES: BriefMemo[str] = BriefMemo(seconds=600, max_entries=64)


def _results_body(process: Process) -> str:
    basis = selectors.results_basis(process=process)
    language = get_language() or "en"

    def rendered() -> str:
        context = {
            "jurisdiction": process.jurisdiction,
            "process": process,
            "view": selectors.results_view(process=process, basis=basis) if basis else None,
            "map_size": selectors.MAP_SIZE,
        }
        return render_to_string("deliberation/_results_body.html", context)

    return _RESULTS_BODIES.get((process.pk, language, basis.version if basis else None), rendered)


@require_POST
def analyse_now(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _conversation(slug, pk)
    require(request.user, Action.CONVENE_PROCESS, process.jurisdiction)
    if services.analysis_request(process_id=process.pk):
        messages.success(request, _("The analysis is on its way."))
    else:
        messages.success(request, _("An analysis is already on its way."))
    return redirect("deliberation:results", slug=slug, pk=pk)


# --- Organisers ----------------------------------------------------------------------------


@require_http_methods(FORM_METHODS)
def setup(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _conversation(slug, pk)
    require(request.user, Action.SET_AGENDA, process.jurisdiction)
    current = selectors.settings_of(process)
    initial = {
        "topic": current.topic if current else process.title,
        "framing": current.framing if current else process.purpose,
        "moderation": current.moderation if current else ModerationMode.PRE,
        "statement_max_length": current.statement_max_length if current else 280,
    }
    form = SetupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.conversation_set_up(
                user=request.user,
                process=process,
                topic=data["topic"],
                framing=data["framing"],
                moderation=data["moderation"],
                statement_max_length=data["statement_max_length"],
                seeds=form.seed_lines(),
            )
        except DomainError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, _("The conversation was saved."))
            return redirect("deliberation:setup", slug=slug, pk=pk)
    context = {
        "jurisdiction": process.jurisdiction,
        "process": process,
        "form": form,
        "statements": selectors.statements_accepted(process=process),
    }
    return render(request, "deliberation/setup.html", context, status=400 if form.errors else 200)


@require_http_methods(FORM_METHODS)
def moderate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The queue, bulk decisions with a public reason, and the flagged and look-alike
    statements (community moderators only)."""
    process = _conversation(slug, pk)
    require(request.user, Action.MODERATE, process.jurisdiction)
    form = ModerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        numbers = [int(n) for n in request.POST.getlist("statements") if n.isdigit()]
        try:
            changed = services.statements_moderate(
                user=request.user,
                process=process,
                numbers=numbers,
                accept=request.POST.get("decision") == "accept",
                reason=form.cleaned_data["reason"],
            )
        except DomainError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(
                request, _("%(count)s statements were moderated.") % {"count": changed}
            )
            return redirect("deliberation:moderate", slug=slug, pk=pk)
    context = {
        "jurisdiction": process.jurisdiction,
        "process": process,
        "form": form,
        "queue": selectors.moderation_queue(user=request.user, process=process),
        "triage": selectors.triage(user=request.user, process=process),
        "counts": selectors.moderation_counts(process=process),
    }
    return render(
        request, "deliberation/moderate.html", context, status=400 if form.errors else 200
    )


# --- Paper ballots -----------------------------------------------------------------------------


def _store_ballot(process: Process) -> shared_paper.StoreForm:
    return lambda code, values: services.ballot_store(process, code, values)


@require_http_methods(FORM_METHODS)
def paper(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Print ballots, and key a returned one (twice, by two people)."""
    process = _conversation(slug, pk)
    require(request.user, Action.ENTER_PAPER_FORMS, process.jurisdiction)
    raw_code = request.POST.get("form_code") or request.GET.get("code", "")
    ballot = None
    code_error = ""
    if raw_code:
        try:
            code = shared_paper.form_code_clean(raw_code)
        except InvalidInputError as problem:
            code_error = str(problem)
        else:
            ballot = BallotEntry.objects.filter(process=process, form_code=code).first()
            if ballot is None:
                code_error = _("This form number was not printed for this conversation.")
    statements = (
        list(
            Statement.objects.filter(process=process, number__in=ballot.statements).order_by(
                "number"
            )
        )
        if ballot
        else []
    )
    form = BallotEntryForm(
        request.POST if request.method == "POST" and ballot else None, statements=statements
    )
    if request.method == "POST" and ballot and form.is_valid():
        try:
            outcome = shared_paper.paper_entry_record(
                user=request.user,
                process=process,
                form_code=ballot.form_code,
                values=form.values(),
                store=_store_ballot(process),
                action=KEYED,
            )
        except DomainError as problem:
            form.add_error(None, str(problem))
        else:
            if outcome.stored:
                note = _("Ballot %(code)s: both entries agree; the votes are stored.")
            elif outcome.differences:
                note = _("Ballot %(code)s: the two entries differ. Resolve it below.")
            else:
                note = _("Ballot %(code)s is keyed once. A second person must key it too.")
            messages.success(request, note % {"code": outcome.form_code})
            return redirect("deliberation:paper", slug=slug, pk=pk)
    progress = shared_paper.paper_progress(
        shared_paper.paper_entries(user=request.user, process=process)
    )
    context = {
        "jurisdiction": process.jurisdiction,
        "process": process,
        "ballot": ballot,
        "code": raw_code,
        "code_error": code_error,
        "form": form,
        "count_form": BallotCountForm(),
        "progress": progress,
    }
    status = 400 if code_error or form.errors else 200
    return render(request, "deliberation/paper.html", context, status=status)


@require_POST
def ballots_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _conversation(slug, pk)
    form = BallotCountForm(request.POST)
    if not form.is_valid():
        raise InvalidInputError(_("Print between 1 and %(max)s forms at a time.") % {"max": 500})
    statements, codes = services.ballots_issue(
        user=request.user, process=process, count=form.cleaned_data["count"]
    )
    document = printing.ballots_pdf(process=process, statements=statements, codes=codes)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="conversation-{pk}-ballots.pdf"'
    return response


@require_http_methods(FORM_METHODS)
def paper_resolve(request: HttpRequest, slug: str, pk: int, code: str) -> HttpResponse:
    process = _conversation(slug, pk)
    pair = shared_paper.differing_entries(
        shared_paper.paper_entries(user=request.user, process=process), code
    )
    if pair is None:
        raise Http404(code)
    first, second = pair
    resolution = shared_paper.resolution_of(
        first, second, request.POST.dict() if request.method == "POST" else None
    )
    differing, chosen = resolution.differing, resolution.chosen
    if request.method == "POST":
        if chosen is None:
            messages.error(request, _("Choose one of the two entries for every difference."))
        else:
            shared_paper.paper_entry_resolve(
                user=request.user,
                process=process,
                form_code=code,
                values=chosen,
                store=_store_ballot(process),
                action=RESOLVED,
            )
            messages.success(request, _("Ballot %(code)s is resolved and stored.") % {"code": code})
            return redirect("deliberation:paper", slug=slug, pk=pk)
    labels = {
        f"s_{s.number}": f"{s.number}. {s.text}" for s in Statement.objects.filter(process=process)
    } | {"new_statement": _("Statement written on the ballot")}
    rows = [
        (
            name,
            labels.get(name, name),
            ", ".join(first.get(name, [])) or "—",
            ", ".join(second.get(name, [])) or "—",
        )
        for name in differing
    ]
    context = {"jurisdiction": process.jurisdiction, "process": process, "code": code, "rows": rows}
    return render(request, "deliberation/paper_resolve.html", context)


# --- Polis interchange ---------------------------------------------------------------------


@require_http_methods(FORM_METHODS)
def interchange_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _conversation(slug, pk)
    require(request.user, Action.SET_AGENDA, process.jurisdiction)
    form = PolisUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = {
            name: upload.read()
            for name, upload in (
                ("comments.csv", form.cleaned_data["comments"]),
                ("votes.csv", form.cleaned_data["votes"]),
                ("participants-votes.csv", form.cleaned_data["participants_votes"]),
            )
            if upload
        }
        try:
            statements, votes = interchange.polis_import_files(
                user=request.user, process=process, files=files
            )
        except DomainError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(
                request,
                _("%(statements)s statements and %(votes)s votes were imported.")
                % {"statements": statements, "votes": votes},
            )
            return redirect("deliberation:results", slug=slug, pk=pk)
    context = {"jurisdiction": process.jurisdiction, "process": process, "form": form}
    return render(
        request, "deliberation/interchange.html", context, status=400 if form.errors else 200
    )


@require_safe
def polis_export(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The conversation as a Polis export (zip of comments, votes, participants-votes and
    summary), for community roles: per-voter rows under numbers made for the export."""
    process = _conversation(slug, pk)
    require(request.user, Action.SET_AGENDA, process.jurisdiction)
    archive = interchange.polis_export_zip(process=process)
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="conversation-{pk}-polis.zip"'
    return response
