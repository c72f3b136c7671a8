"""Pages for taking part (anyone, no account, no JavaScript) and for choosing who may take part
and inviting them (community roles)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cpps.accounts.policy import Action, can, require
from cpps.common.errors import DomainError, InvalidInputError, InvalidTransitionError
from cpps.common.spreadsheets import read_uploaded_csv
from cpps.jurisdictions.selectors import area_list, jurisdiction_get
from cpps.participation import selectors, services, web
from cpps.participation.forms import (
    CodeForm,
    DemographicsForm,
    EligibilityForm,
    InPersonForm,
    LinkRequestForm,
    ListUploadForm,
    OtpForm,
    PhoneForm,
)
from cpps.participation.identities import Identity
from cpps.participation.letters import residency_letters_pdf
from cpps.participation.models import BurstFlag, EligibilityMode, VerificationMethod
from cpps.processes.kinds import kind_of
from cpps.processes.models import Process
from cpps.processes.selectors import process_get, process_get_by_pk

FORM_METHODS = ["GET", "HEAD", "POST"]
SESSION_OTP = "cpps_sms_proof"


def _continue_url(process: Process) -> str:
    """Where a resident goes once they are in: the capability's take-part page."""
    return kind_of(process).take_part_url(process) or reverse(
        "processes:detail", args=[process.jurisdiction.slug, process.pk]
    )


def _safe_next(request: HttpRequest, process: Process) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return _continue_url(process)


def _status(*forms: object) -> int:
    return 400 if any(getattr(form, "errors", None) for form in forms) else 200


# --- Taking part -------------------------------------------------------------------------------


@require_http_methods(FORM_METHODS)
def take_part(request: HttpRequest, token: str) -> HttpResponse:
    """Redeem a one-time link; GET only describes it, so link previews redeem nothing."""
    refused = web.signed_in_refusal(request)
    if refused:
        return refused
    if request.method == "POST":
        try:
            participant = services.participant_join_by_link(token=token)
        except InvalidInputError as error:
            return render(
                request, "participation/take_part.html", {"error": str(error)}, status=400
            )
        web.remember(request, participant)
        return redirect("participation:about_you", pk=participant.process_id)
    try:
        process: Process | None = process_get_by_pk(pk=services.link_process_id(token))
    except (InvalidInputError, Http404):
        process = None
    return render(request, "participation/take_part.html", {"token": token, "process": process})


@require_http_methods(FORM_METHODS)
def about_you(request: HttpRequest, pk: int) -> HttpResponse:
    """The optional questions about oneself, then on to taking part."""
    process = process_get_by_pk(pk=pk)
    participant = web.participant_of(request, process)
    if participant is None:
        return render(
            request,
            "participation/refused.html",
            {"process": process, "message": _("Open your invitation link first.")},
            status=400,
        )
    areas = [(area.code, area.name) for area in area_list(jurisdiction=process.jurisdiction)]
    form = DemographicsForm(request.POST or None, initial=participant.demographics, areas=areas)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_demographics_save(participant=participant, answers=form.answers())
        except InvalidInputError as error:
            form.add_error(None, str(error))
        else:
            return redirect(_continue_url(process))
    context = {"form": form, "process": process, "continue_url": _continue_url(process)}
    return render(request, "participation/about_you.html", context, status=_status(form))


def _entered(request: HttpRequest, process: Process, identity: Identity) -> HttpResponse:
    web.enter_with(request, process, identity)
    request.session.pop(SESSION_OTP, None)
    messages.success(request, _("Thank you. You can take part now."))
    return redirect(_safe_next(request, process))


@require_http_methods(FORM_METHODS)
def enter(request: HttpRequest, pk: int) -> HttpResponse:
    """Prove once that one may take part: a code from a letter or an organiser, or a code texted
    to one's phone. No account; nothing here is kept with what the resident then says."""
    process = process_get_by_pk(pk=pk)
    refused = web.signed_in_refusal(request, process)
    if refused:
        return refused
    rule = services.eligibility_of(process)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    code_form = CodeForm(request.POST if action == "code" else None)
    phone_form = PhoneForm(request.POST if action == "phone" else None)
    otp_form = OtpForm(request.POST if action == "otp" else None)
    proof = request.session.get(SESSION_OTP, {}).get(str(process.pk), "")
    try:
        if action == "code" and code_form.is_valid():
            identity = services.identity_from_code(
                process=process, code=code_form.cleaned_data["code"], channel="web"
            )
            return _entered(request, process, identity)
        if action == "phone" and phone_form.is_valid():
            sent = services.sms_challenge_send(
                process=process,
                phone=phone_form.cleaned_data["phone"],
                language=request.LANGUAGE_CODE,
            )
            request.session[SESSION_OTP] = {
                **request.session.get(SESSION_OTP, {}),
                str(process.pk): sent.proof,
            }
            proof = sent.proof
            messages.success(request, _("We texted you a code. Type it below."))
        if action == "otp" and otp_form.is_valid():
            if not proof:
                raise InvalidInputError(_("Ask for a code first."))
            identity = services.sms_challenge_check(
                process=process, proof=proof, code=otp_form.cleaned_data["code"], channel="web"
            )
            return _entered(request, process, identity)
    except DomainError as error:
        target = {"code": code_form, "phone": phone_form, "otp": otp_form}[action]
        target.add_error(None, str(error))
    offers_sms = (
        rule.mode == EligibilityMode.VERIFIED and VerificationMethod.SMS_CODE in rule.methods
    )
    context = {
        "process": process,
        "rule": rule,
        "sentence": selectors.eligibility_sentence(process),
        "code_form": code_form,
        "phone_form": phone_form,
        "otp_form": otp_form,
        "offers_sms": offers_sms,
        "awaiting_code": bool(proof) and offers_sms,
        "open": rule.mode == EligibilityMode.OPEN,
        "next": _safe_next(request, process),
    }
    return render(
        request,
        "participation/enter.html",
        context,
        status=_status(code_form, phone_form, otp_form),
    )


@require_http_methods(FORM_METHODS)
def resume(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Continue on another visit; GET only describes (link previews do nothing)."""
    process = process_get_by_pk(pk=pk)
    if request.method != "POST":
        return render(request, "participation/resume.html", {"process": process})
    refused = web.signed_in_refusal(request, process)
    if refused:
        return refused
    if web.resume(request, process, token) is None:
        message = _("This link does not continue anything. You can start afresh.")
        return render(
            request,
            "participation/refused.html",
            {"process": process, "message": message, "restart_url": _continue_url(process)},
            status=404,
        )
    return redirect(_continue_url(process))


# --- Organisers ----------------------------------------------------------------------------


def _organised(request: HttpRequest, slug: str, pk: int, action: Action) -> Process:
    process = process_get(jurisdiction=jurisdiction_get(slug=slug), pk=pk)
    require(request.user, action, process.jurisdiction)
    return process


def _back(process: Process, name: str = "participation:eligibility") -> HttpResponse:
    return redirect(name, slug=process.jurisdiction.slug, pk=process.pk)


@require_http_methods(FORM_METHODS)
def eligibility(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Who may take part, the limits that keep the numbers honest, and the bursts seen."""
    process = _organised(request, slug, pk, Action.SET_AGENDA)
    kind = kind_of(process)
    rule = services.eligibility_of(process)
    initial = {
        "mode": rule.mode,
        "device_limit": rule.device_limit,
        "network_limit": rule.network_limit,
        "network_window_hours": rule.network_window_hours,
        "methods": rule.methods,
    }
    form = EligibilityForm(request.POST or None, initial=initial, modes=kind.eligibility_modes)
    if request.method == "POST" and form.is_valid():
        try:
            services.eligibility_set(user=request.user, process=process, **form.cleaned_data)
        except (InvalidInputError, InvalidTransitionError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Who may take part was saved."))
            return _back(process)
    context = {
        "jurisdiction": process.jurisdiction,
        "process": process,
        "form": form,
        "sentence": selectors.eligibility_sentence(process),
        "counts": selectors.participant_counts(process=process),
        "invited": selectors.invitation_counts(process=process),
        "flags": selectors.burst_flags(user=request.user, process=process)
        if can(request.user, Action.CONVENE_PROCESS, process.jurisdiction)
        else [],
        "can_invite": can(request.user, Action.INVITE, process.jurisdiction),
        "can_verify": can(request.user, Action.ENTER_PAPER_FORMS, process.jurisdiction),
    }
    return render(request, "participation/eligibility.html", context, status=_status(form))


@require_POST
def burst_review(request: HttpRequest, slug: str, pk: int, flag: int) -> HttpResponse:
    process = _organised(request, slug, pk, Action.CONVENE_PROCESS)
    target = get_object_or_404(BurstFlag, pk=flag, process=process)
    services.burst_flag_review(user=request.user, flag=target, note=request.POST.get("note", ""))
    messages.success(request, _("The burst is marked as looked at."))
    return _back(process)


@require_http_methods(FORM_METHODS)
def links(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _organised(request, slug, pk, Action.INVITE)
    form = LinkRequestForm(request.POST or None)
    made: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            tokens = services.one_time_links_issue(
                user=request.user, process=process, count=form.cleaned_data["count"]
            )
        except (InvalidInputError, InvalidTransitionError) as error:
            form.add_error(None, str(error))
        else:
            made = [
                request.build_absolute_uri(reverse("participation:take_part", args=[token]))
                for token in tokens
            ]
    context = {
        "jurisdiction": process.jurisdiction,
        "process": process,
        "form": form,
        "links": made,
    }
    return render(request, "participation/links.html", context, status=_status(form))


@require_safe
def participants(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = process_get(jurisdiction=jurisdiction_get(slug=slug), pk=pk)
    listed = selectors.participant_list_for_facilitator(user=request.user, process=process)
    context = {"jurisdiction": process.jurisdiction, "process": process, "participants": listed}
    return render(request, "participation/participants.html", context)


def _list_column(data: bytes, column: str) -> list[str]:
    rows = read_uploaded_csv(data, required=(), phone_columns=("phone",))
    name = column if column in rows[0] else next(iter(k for k in rows[0] if k != "#"))
    return [row[name] for row in rows]


def _from_uploaded_list(
    request: HttpRequest,
    process: Process,
    *,
    column: str,
    missing: str,
    act: Callable[[list[str]], str],
) -> HttpResponse:
    """Read the uploaded one-column list, hand its values to ``act`` (a service call returning
    the message to show) and go back to the eligibility page with that message or the error."""
    form = ListUploadForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise InvalidInputError(missing)
        done = act(_list_column(form.cleaned_data["file"].read(), column))
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return _back(process)


@require_POST
def residency_codes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Upload an address list: each address gets its own code for a letter."""
    process = _organised(request, slug, pk, Action.INVITE)

    def issue(addresses: list[str]) -> str:
        made = services.residency_codes_issue(
            user=request.user, process=process, addresses=addresses
        )
        return _("%(count)s addresses got a code; print their letters.") % {"count": made}

    return _from_uploaded_list(
        request,
        process,
        column="address",
        missing=_("Choose a CSV file with the addresses."),
        act=issue,
    )


@require_safe
def residency_letters(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    """The letters not printed yet, as a PDF (facilitators only: it carries addresses)."""
    process = _organised(request, slug, pk, Action.INVITE)
    codes = selectors.residency_codes_to_print(user=request.user, process=process)
    if not codes:
        messages.error(request, _("Every letter has been printed; upload new addresses first."))
        return _back(process)
    enter_url = request.build_absolute_uri(reverse("participation:enter", args=[process.pk]))
    document = residency_letters_pdf(
        process=process, codes=codes, enter_url=lambda code: f"{enter_url}?code={code}"
    )
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="process-{pk}-letters.pdf"'
    return response


@require_POST
def residency_letters_printed(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    process = _organised(request, slug, pk, Action.INVITE)
    count = services.residency_codes_printed(user=request.user, process=process)
    messages.success(
        request,
        _("%(count)s printable codes were forgotten; only their digests are kept.")
        % {"count": count},
    )
    return _back(process)


@require_POST
def phone_invitations(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Upload a phone list: each number gets a text message with its own code."""
    process = _organised(request, slug, pk, Action.INVITE)
    enter_url = request.build_absolute_uri(reverse("participation:enter", args=[process.pk]))

    def invite(phones: list[str]) -> str:
        count = services.phone_invitations_send(
            user=request.user, process=process, phones=phones, take_part_url=enter_url
        )
        return ngettext(
            "%(count)s invitation by text message is on its way.",
            "%(count)s invitations by text message are on their way.",
            count,
        ) % {"count": count}

    return _from_uploaded_list(
        request,
        process,
        column="phone",
        missing=_("Choose a CSV file with the phone numbers."),
        act=invite,
    )


@require_http_methods(FORM_METHODS)
def in_person(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Verify a resident in person and hand them a slip with their code."""
    process = _organised(request, slug, pk, Action.ENTER_PAPER_FORMS)
    form = InPersonForm(request.POST or None)
    code = ""
    if request.method == "POST" and form.is_valid():
        try:
            code = services.in_person_verify(
                user=request.user,
                process=process,
                identifier=form.cleaned_data["identifier"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            form = InPersonForm()
    context = {
        "jurisdiction": process.jurisdiction,
        "process": process,
        "form": form,
        "code": code,
        "enter_url": request.build_absolute_uri(reverse("participation:enter", args=[process.pk])),
    }
    return render(request, "participation/in_person.html", context, status=_status(form))
