"""Survey pages: building the questions (community roles), answering (anyone, no account, no
JavaScript), and results (everyone; aggregates only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cpps.accounts.policy import Action, can, require
from cpps.common.errors import DomainError, InvalidInputError, InvalidTransitionError
from cpps.common.spreadsheets import csv_response
from cpps.jurisdictions.selectors import jurisdiction_get
from cpps.listening import paper, selectors, services
from cpps.listening.exports import results_document, results_rows
from cpps.listening.forms import AboutYouForm, AnswerForm, PaperEntryForm, QuestionForm
from cpps.listening.models import (
    Answer,
    Instrument,
    InstrumentState,
    Question,
    Response,
)
from cpps.listening.printing import render_paper_forms
from cpps.participation import paper as shared_paper
from cpps.participation import web
from cpps.participation.demographics import AREA_KEY
from cpps.participation.demographics import QUESTIONS as DEMOGRAPHIC_QUESTIONS
from cpps.participation.models import Channel
from cpps.participation.selectors import eligibility_sentence
from cpps.processes.models import Process, ProcessState


def _posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one (every answer left blank is an answer)."""
    return request.POST if request.method == "POST" else None


def _language() -> str:
    return "es" if (get_language() or "en").startswith("es") else "en"


# --- Building the questions --------------------------------------------------------------------


def _draft(process: Process) -> Instrument | None:
    return Instrument.objects.filter(process=process, state=InstrumentState.DRAFT).first()


@require_safe
def instrument_overview(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.survey_get(jurisdiction=jurisdiction, pk=pk)
    context = {
        "jurisdiction": jurisdiction,
        "process": process,
        "instruments": selectors.instrument_list(process=process),
        "can_edit": can(request.user, Action.SET_AGENDA, jurisdiction)
        and process.state in {ProcessState.DRAFT, ProcessState.OPEN},
        "has_draft": _draft(process) is not None,
        "language": _language(),
    }
    return render(request, "listening/instrument_overview.html", context)


def _builder_redirect(slug: str, pk: int) -> HttpResponse:
    return redirect("listening:instrument", slug=slug, pk=pk)


def _draft_or_error(process: Process) -> Instrument:
    draft = _draft(process)
    if draft is None:
        raise InvalidTransitionError(_("There is no draft version: start a new version first."))
    return draft


@require_POST
def instrument_new_version(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = selectors.survey_get(jurisdiction=jurisdiction_get(slug=slug), pk=pk)
    draft = services.instrument_draft_create(user=request.user, process=process)
    messages.success(
        request, _("Version %(version)s was started as a draft.") % {"version": draft.version}
    )
    return _builder_redirect(slug, pk)


@require_POST
def instrument_add_standard(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = selectors.survey_get(jurisdiction=jurisdiction_get(slug=slug), pk=pk)
    require(request.user, Action.SET_AGENDA, process.jurisdiction)
    added = services.instrument_standard_module_add(
        user=request.user, instrument=_draft_or_error(process)
    )
    messages.success(request, _("%(count)s standard questions were added.") % {"count": len(added)})
    return _builder_redirect(slug, pk)


@require_POST
def instrument_publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = selectors.survey_get(jurisdiction=jurisdiction_get(slug=slug), pk=pk)
    require(request.user, Action.SET_AGENDA, process.jurisdiction)
    published = services.instrument_publish(user=request.user, instrument=_draft_or_error(process))
    messages.success(
        request,
        _("Version %(version)s is published; residents now answer it.")
        % {"version": published.version},
    )
    return _builder_redirect(slug, pk)


@require_POST
def question_remove(request: HttpRequest, slug: str, pk: int, question: int) -> HttpResponse:
    process = selectors.survey_get(jurisdiction=jurisdiction_get(slug=slug), pk=pk)
    require(request.user, Action.SET_AGENDA, process.jurisdiction)
    target = Question.objects.filter(pk=question, instrument__process=process).first()
    if target is None:
        raise Http404(question)
    services.question_remove(user=request.user, question=target)
    messages.success(request, _("The question was removed from the draft."))
    return _builder_redirect(slug, pk)


@require_http_methods(["GET", "HEAD", "POST"])
def question_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.survey_get(jurisdiction=jurisdiction, pk=pk)
    require(request.user, Action.SET_AGENDA, jurisdiction)
    draft = _draft_or_error(process)
    form = QuestionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.question_add(
                user=request.user,
                instrument=draft,
                kind=data["kind"],
                text_en=data["text_en"],
                text_es=data["text_es"],
                choice_lines=data["choice_lines"],
                scale_low=(data["scale_low_en"], data["scale_low_es"]),
                scale_high=(data["scale_high_en"], data["scale_high_es"]),
            )
        except InvalidInputError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The question was added to the draft."))
            return _builder_redirect(slug, pk)
    context = {"jurisdiction": jurisdiction, "process": process, "form": form, "draft": draft}
    return render(
        request, "listening/question_form.html", context, status=400 if form.errors else 200
    )


# --- Answering on the web ----------------------------------------------------------------------


def _session_response(request: HttpRequest, process: Process) -> Response | None:
    """The response this browser's participant is answering (or has sent)."""
    participant = web.participant_of(request, process)
    if participant is None:
        return None
    return (
        Response.objects.select_related("instrument", "process__jurisdiction")
        .filter(participant=participant, abandoned=False)
        .order_by("-pk")
        .first()
    )


def _continue(response: Response, pk: int) -> HttpResponse:
    if response.completed_at is not None:
        return redirect("listening:done", pk=pk)
    if response.position > response.instrument.questions.count():
        return redirect("listening:about_you", pk=pk)
    return redirect("listening:question", pk=pk, position=response.position)


@require_http_methods(["GET", "HEAD", "POST"])
def survey_start(request: HttpRequest, pk: int) -> HttpResponse:
    process = selectors.survey_get_by_pk(pk=pk)
    instrument = services.current_instrument(process)
    is_open = process.state == ProcessState.OPEN and instrument is not None
    current = _session_response(request, process)
    if request.method == "POST":
        refused = web.signed_in_refusal(request, process)
        if refused:
            return refused
        if current is not None:
            return _continue(current, pk)
        try:
            participant = web.join(request, process)
            response = services.response_start(
                participant=participant, channel=Channel.WEB, language=_language()
            )
        except DomainError as error:
            return web.gate_response(request, process, error)
        response.process = process
        return _continue(response, pk)
    context = {
        "process": process,
        "is_open": is_open,
        "question_count": instrument.questions.count() if instrument else 0,
        "current": current,
        "eligibility": eligibility_sentence(process),
    }
    return render(request, "listening/survey_start.html", context)


def _question_at(response: Response, position: int) -> Question:
    question = response.instrument.questions.filter(position=position).first()
    if question is None:
        raise Http404(position)
    return question


@require_http_methods(["GET", "HEAD", "POST"])
def survey_question(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    process = selectors.survey_get_by_pk(pk=pk)
    response = _session_response(request, process)
    if response is None or response.completed_at is not None:
        return redirect("listening:start", pk=pk)
    question = _question_at(response, position)
    language = _language()
    total = response.instrument.questions.count()
    stored = Answer.objects.filter(response=response, question=question).first()
    initial = None
    if stored is not None and not stored.skipped:
        initial = stored.choices or (
            str(stored.number) if stored.number is not None else stored.text
        )
        if question.kind in {"single", "scale"} and isinstance(initial, list):
            initial = initial[0]
    form = AnswerForm(
        _posted(request),
        question=question,
        language=language,
        initial={"answer": initial},
        auto_id="answer_%s",
    )
    if request.method == "POST" and form.is_valid():
        values = [] if request.POST.get("action") == "skip" else form.values()
        try:
            services.response_answer(response=response, question=question, values=values)
        except InvalidInputError as error:
            form.add_error("answer", str(error))
        else:
            if position >= total:
                return redirect("listening:about_you", pk=pk)
            return redirect("listening:question", pk=pk, position=position + 1)
    context = {
        "process": process,
        "question": question,
        "form": form,
        "position": position,
        "total": total,
        "previous": position - 1 if position > 1 else None,
        "resume_url": web.resume_url(request, process),
    }
    return render(
        request, "listening/survey_question.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "HEAD", "POST"])
def survey_about_you(request: HttpRequest, pk: int) -> HttpResponse:
    process = selectors.survey_get_by_pk(pk=pk)
    response = _session_response(request, process)
    if response is None or response.completed_at is not None:
        return redirect("listening:start", pk=pk)
    areas = selectors.survey_areas(process)
    form = AboutYouForm(_posted(request), areas=areas)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        area = data.pop("area", "")
        try:
            services.response_complete(response=response, area_code=area, demographics=data)
        except InvalidInputError as error:
            form.add_error(None, str(error))
        else:
            return redirect("listening:done", pk=pk)
    context = {
        "process": process,
        "form": form,
        "total": response.instrument.questions.count(),
    }
    return render(
        request, "listening/survey_about_you.html", context, status=400 if form.errors else 200
    )


@require_safe
def survey_done(request: HttpRequest, pk: int) -> HttpResponse:
    process = selectors.survey_get_by_pk(pk=pk)
    response = _session_response(request, process)
    if response is None or response.completed_at is None:
        return redirect("listening:start", pk=pk)
    return render(request, "listening/survey_done.html", {"process": process})


# --- Results -----------------------------------------------------------------------------------


@require_safe
def survey_results(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.survey_get(jurisdiction=jurisdiction, pk=pk)
    can_convene = can(request.user, Action.CONVENE_PROCESS, jurisdiction)
    public = process.state in {ProcessState.CLOSED, ProcessState.PUBLISHED}
    verified = selectors.response_count(process=process, verified_only=True)
    verified_only = verified > 0 and request.GET.get("verified") == "1"
    results = (
        selectors.survey_results(process=process, language=_language(), verified_only=verified_only)
        if public or can_convene
        else None
    )
    representation = (
        selectors.survey_representativeness(user=request.user, process=process)
        if can_convene
        else []
    )
    seals = selectors.seal_summary(process=process)
    context = {
        "jurisdiction": jurisdiction,
        "process": process,
        "results": results,
        "public": public,
        "response_count": seals.sealed + seals.waiting,
        "verified_count": verified,
        "verified_only": verified_only,
        "seals": seals,
        "representation": representation,
        "alerts": [line for line in representation if line.missing],
        "can_convene": can_convene,
        "language": _language(),
        "can_export_answers": can(request.user, Action.VIEW_PERSONAL_DATA, jurisdiction),
        "can_enter_paper": can(request.user, Action.ENTER_PAPER_FORMS, jurisdiction),
    }
    return render(request, "listening/results.html", context)


def _published_survey(request: HttpRequest, slug: str, pk: int) -> Process:
    """The survey, if its results may be exported: once closed (community roles: any time)."""
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.survey_get(jurisdiction=jurisdiction, pk=pk)
    public = process.state in {ProcessState.CLOSED, ProcessState.PUBLISHED}
    if not public and not can(request.user, Action.CONVENE_PROCESS, jurisdiction):
        raise InvalidTransitionError(
            _("Results are published when the survey closes, so answers cannot be followed live.")
        )
    return process


@require_safe
def survey_results_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    process = _published_survey(request, slug, pk)
    results = selectors.survey_results(process=process, language=_language())
    return csv_response(results_rows(results), filename=f"survey-{pk}-results.csv")


@require_safe
def survey_results_json(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _published_survey(request, slug, pk)
    results = selectors.survey_results(process=process, language=_language())
    return JsonResponse(results_document(results), json_dumps_params={"ensure_ascii": False})


@require_safe
def survey_answers_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    """Every answer, one row per response: facilitators only, no phone data, formulas defused."""
    process = selectors.survey_get(jurisdiction=jurisdiction_get(slug=slug), pk=pk)
    rows = selectors.raw_answer_rows(user=request.user, process=process)
    return csv_response(rows, filename=f"survey-{pk}-answers.csv")


# --- Paper forms -------------------------------------------------------------------------------


def _entry_values(form: PaperEntryForm) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name, value in form.cleaned_data.items():
        if name == "form_code":
            continue
        given = value if isinstance(value, list) else ([value] if value else [])
        values[name] = [str(item) for item in given]
    return values


def _paper_context(request: HttpRequest, process: Process) -> dict[str, object]:
    progress = shared_paper.paper_progress(
        shared_paper.paper_entries(user=request.user, process=process)
    )
    return {"waiting": progress.waiting, "differing": progress.differing, "stored": progress.stored}


@require_http_methods(["GET", "HEAD", "POST"])
def paper_entry(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.survey_get(jurisdiction=jurisdiction, pk=pk)
    require(request.user, Action.ENTER_PAPER_FORMS, jurisdiction)
    instrument = services.current_instrument(process)
    if instrument is None:
        raise InvalidTransitionError(_("Publish the questions before keying paper forms."))
    questions = list(instrument.questions.order_by("position"))
    form = PaperEntryForm(
        _posted(request), questions=questions, areas=selectors.survey_areas(process)
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = paper.paper_entry_record(
                user=request.user,
                process=process,
                form_code=form.cleaned_data["form_code"],
                values=_entry_values(form),
            )
        except (InvalidInputError, InvalidTransitionError) as error:
            form.add_error(None, str(error))
        else:
            if outcome.stored:
                note = _("Form %(code)s: both entries agree; the answers are stored.")
            elif outcome.differences:
                note = _("Form %(code)s: the two entries differ. Resolve it below.")
            else:
                note = _("Form %(code)s is keyed once. A second person must key it too.")
            messages.success(request, note % {"code": outcome.form_code})
            return redirect("listening:paper", slug=slug, pk=pk)
    context = {
        "jurisdiction": jurisdiction,
        "process": process,
        "form": form,
        "instrument": instrument,
        **_paper_context(request, process),
    }
    return render(request, "listening/paper.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def paper_resolve(request: HttpRequest, slug: str, pk: int, code: str) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.survey_get(jurisdiction=jurisdiction, pk=pk)
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
            paper.paper_entry_resolve(
                user=request.user, process=process, form_code=code, values=chosen
            )
            messages.success(request, _("Form %(code)s is resolved and stored.") % {"code": code})
            return redirect("listening:paper", slug=slug, pk=pk)
    labels = _paper_labels(process)
    rows = [
        (
            name,
            labels.get(name, name),
            ", ".join(first.get(name, [])) or "—",
            ", ".join(second.get(name, [])) or "—",
        )
        for name in differing
    ]
    context = {"jurisdiction": jurisdiction, "process": process, "code": code, "rows": rows}
    return render(request, "listening/paper_resolve.html", context)


def _paper_labels(process: Process) -> dict[str, str]:
    """What a facilitator reads for each field of a paper form: the question, not its key."""
    language = _language()
    labels = {
        f"q_{question.key}": question.text(language)
        for question in Question.objects.filter(instrument__process=process)
    }
    labels |= {f"about_{q.key}": str(q.label) for q in DEMOGRAPHIC_QUESTIONS}
    labels[f"about_{AREA_KEY}"] = str(_("Where do you live?"))
    return labels


@require_safe
def paper_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Printable bilingual forms, each with its own checked form number."""
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.survey_get(jurisdiction=jurisdiction, pk=pk)
    require(request.user, Action.ENTER_PAPER_FORMS, jurisdiction)
    instrument = services.current_instrument(process)
    if instrument is None:
        raise InvalidTransitionError(_("Publish the questions before printing paper forms."))
    raw = request.GET.get("count", "1")
    count = shared_paper.paper_forms_count_check(int(raw) if raw.isdigit() else 0)
    document = render_paper_forms(
        process=process,
        instrument=instrument,
        areas=selectors.survey_areas(process),
        codes=[shared_paper.form_code_new() for _ in range(count)],
    )
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="survey-{pk}-paper-forms.pdf"'
    return response
