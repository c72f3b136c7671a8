"""Pages of a civic lottery: the facilitator's workspace, registration without an account, paper
entry, invitation letters, and the public report with its transcript."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cpps.accounts.policy import Action, can, require
from cpps.channels.outbound import sms_is_outbox_only
from cpps.common.errors import InvalidInputError, InvalidTransitionError
from cpps.jurisdictions.models import Jurisdiction
from cpps.jurisdictions.selectors import jurisdiction_get
from cpps.panels import adapters, selectors, services
from cpps.panels.forms import (
    DrawForm,
    FreezeForm,
    InvitationUploadForm,
    QuotaUploadForm,
    RegistrationForm,
    SetupForm,
    quota_label,
)
from cpps.panels.letters import letters_pdf
from cpps.panels.models import Panel, PanelStage
from cpps.participation import web
from cpps.participation.models import Channel
from cpps.processes.models import Process

FormErrors = (InvalidInputError, InvalidTransitionError)


def _lookup(slug: str, pk: int) -> tuple[Jurisdiction, Process, Panel | None]:
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.panel_process_get(jurisdiction=jurisdiction, pk=pk)
    return jurisdiction, process, selectors.panel_of(process)


def _panel_or_404(panel: Panel | None) -> Panel:
    if panel is None:
        raise Http404("no panel set up")
    return panel


def _manage(slug: str, pk: int) -> HttpResponse:
    return redirect("panels:manage", slug=slug, pk=pk)


def _form_problems(request: HttpRequest, form: Form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


PanelAction = Callable[[HttpRequest, Process, Panel | None], str]


def panel_action(permission: Action) -> Callable[[PanelAction], Callable[..., HttpResponse]]:
    """A POST that checks `permission`, runs one service, and returns to the workspace with a
    message; the service's domain errors become the message instead."""

    def decorate(handler: PanelAction) -> Callable[..., HttpResponse]:
        @require_POST
        @wraps(handler)
        def view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
            jurisdiction, process, panel = _lookup(slug, pk)
            require(request.user, permission, jurisdiction)
            try:
                done = handler(request, process, panel)
            except FormErrors as error:
                messages.error(request, str(error))
            else:
                if done:
                    messages.success(request, done)
            return _manage(slug, pk)

        return view

    return decorate


@require_safe
def panel_list(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    context = {
        "jurisdiction": jurisdiction,
        "processes": selectors.panel_process_list(jurisdiction=jurisdiction),
        "can_manage": can(request.user, Action.SET_AGENDA, jurisdiction),
    }
    return render(request, "panels/panel_list.html", context)


@require_safe
def panel_manage(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction, process, panel = _lookup(slug, pk)
    require(request.user, Action.SET_AGENDA, jurisdiction)
    context: dict[str, Any] = {
        "jurisdiction": jurisdiction,
        "process": process,
        "panel": panel,
        "setup_form": SetupForm(
            initial=_setup_initial(panel) if panel else None,
        ),
        "quota_upload_form": QuotaUploadForm(prefix="quotas"),
        "invitation_form": InvitationUploadForm(prefix="households"),
        "freeze_form": FreezeForm(),
        "draw_form": DrawForm(),
        "can_invite": can(request.user, Action.INVITE, jurisdiction),
        "can_convene": can(request.user, Action.CONVENE_PROCESS, jurisdiction),
        "can_view_personal": can(request.user, Action.VIEW_PERSONAL_DATA, jurisdiction),
        "can_enter_paper": can(request.user, Action.ENTER_PAPER_FORMS, jurisdiction),
    }
    if panel is not None:
        quotas = list(panel.quotas.all())
        pool = selectors.current_pool(panel=panel) if panel.stage == PanelStage.SETUP else None
        context.update(
            quotas=[
                (
                    quota,
                    quota_label(quota),
                    None if quota.census_share is None else quota.census_share * 100,
                )
                for quota in quotas
            ],
            feasibility=adapters.quota_feasibility(
                quotas=services.quota_rows(panel), size=panel.size, pool=pool
            ),
            counts=selectors.invitation_counts(panel=panel),
            report=selectors.panel_report(panel=panel),
            progress_percent=round(panel.progress * 100),
            sms_webhook=request.build_absolute_uri(reverse("channels:sms", args=[pk])),
        )
    response = render(request, "panels/panel_manage.html", context)
    if panel is not None and panel.stage == PanelStage.COMPUTING:
        response["Refresh"] = "2"  # progress updates without JavaScript
    return response


def _setup_initial(panel: Panel) -> dict[str, Any]:
    return {
        "size": panel.size,
        "tolerance_percent": panel.tolerance_percent,
        "lottery_size": panel.lottery_size,
        "variables": sorted(
            {q.category for q in panel.quotas.all()} & set(adapters.QUOTA_VARIABLES)
        )
        or ["sex", "age_band"],
        "stipend": panel.stipend,
        "offers_childcare": panel.offers_childcare,
        "offers_transport": panel.offers_transport,
        "helpline": panel.helpline,
        "sms_number": panel.sms_number,
    }


@panel_action(Action.SET_AGENDA)
def panel_setup(request: HttpRequest, process: Process, panel: Panel | None) -> str:
    form = SetupForm(request.POST)
    if not form.is_valid():
        _form_problems(request, form)
        return ""
    services.panel_setup(user=request.user, process=process, **form.cleaned_data)
    return _("The panel was set up with census quotas. Check them below.")


@panel_action(Action.SET_AGENDA)
def panel_quotas(request: HttpRequest, process: Process, panel: Panel | None) -> str:
    panel = _panel_or_404(panel)
    bounds: dict[int, tuple[int, int]] = {}
    for quota in panel.quotas.all():
        try:
            low = int(request.POST.get(f"min_{quota.pk}", ""))
            high = int(request.POST.get(f"max_{quota.pk}", ""))
        except ValueError:
            raise InvalidInputError(
                _("Give whole numbers for “%(value)s”.") % {"value": quota_label(quota)}
            ) from None
        bounds[quota.pk] = (low, high)
    services.panel_quotas_update(user=request.user, panel=panel, bounds=bounds)
    return _("The quotas were saved.")


@panel_action(Action.SET_AGENDA)
def panel_quotas_upload(request: HttpRequest, process: Process, panel: Panel | None) -> str:
    panel = _panel_or_404(panel)
    form = QuotaUploadForm(request.POST, request.FILES, prefix="quotas")
    if not form.is_valid():
        _form_problems(request, form)
        return ""
    services.panel_quotas_import(
        user=request.user, panel=panel, data=form.cleaned_data["file"].read()
    )
    return _("The quotas were replaced by the uploaded file.")


@panel_action(Action.INVITE)
def invitations_upload(request: HttpRequest, process: Process, panel: Panel | None) -> str:
    panel = _panel_or_404(panel)
    form = InvitationUploadForm(request.POST, request.FILES, prefix="households")
    if not form.is_valid():
        _form_problems(request, form)
        return ""
    made = services.invitations_import(
        user=request.user,
        panel=panel,
        data=form.cleaned_data["file"].read(),
        sample_size=form.cleaned_data["sample_size"],
    )
    return _("%(count)s households were drawn at random and invited.") % {"count": len(made)}


@panel_action(Action.INVITE)
def invitations_sent(request: HttpRequest, process: Process, panel: Panel | None) -> str:
    count = services.invitations_mark_sent(user=request.user, panel=_panel_or_404(panel))
    return _("%(count)s letters were recorded as sent.") % {"count": count}


@panel_action(Action.INVITE)
def invitations_sms(request: HttpRequest, process: Process, panel: Panel | None) -> str:
    register = request.build_absolute_uri(
        reverse("panels:register", args=[process.jurisdiction.slug, process.pk])
    )
    count = services.invitations_sms_send(
        user=request.user,
        panel=_panel_or_404(panel),
        register_url=lambda code: f"{register}?code={code}",
    )
    return ngettext(
        "%(count)s invitation by text message is on its way; its status is on the invitations "
        "page.",
        "%(count)s invitations by text message are on their way; their status is on the "
        "invitations page.",
        count,
    ) % {"count": count}


@require_safe
def invitation_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Each invitation with its address or number, its letter and text message (facilitators
    only)."""
    jurisdiction, process, panel = _lookup(slug, pk)
    panel = _panel_or_404(panel)
    context = {
        "jurisdiction": jurisdiction,
        "process": process,
        "panel": panel,
        "invitations": selectors.invitation_delivery_list_for_facilitator(
            user=request.user, panel=panel
        ),
        "counts": selectors.invitation_counts(panel=panel),
        "outbox_only": sms_is_outbox_only(),
    }
    return render(request, "panels/invitation_status.html", context)


@panel_action(Action.CONVENE_PROCESS)
def panel_freeze(request: HttpRequest, process: Process, panel: Panel | None) -> str:
    form = FreezeForm(request.POST)
    if not form.is_valid():
        _form_problems(request, form)
        return ""
    services.panel_freeze(
        user=request.user,
        panel=_panel_or_404(panel),
        randomness_source=form.cleaned_data["randomness_source"],
        randomness_published_at=form.cleaned_data["randomness_published_at"],
    )
    return _("The pool is frozen and the commitment is published.")


@panel_action(Action.CONVENE_PROCESS)
def panel_compute(request: HttpRequest, process: Process, panel: Panel | None) -> str:
    started = services.panel_compute_start(user=request.user, panel=_panel_or_404(panel))
    started.refresh_from_db()
    if started.stage == PanelStage.COMPUTED:
        return _("The lottery was computed and published.")
    return _("The computation has started; this page shows its progress.")


@panel_action(Action.CONVENE_PROCESS)
def panel_draw(request: HttpRequest, process: Process, panel: Panel | None) -> str:
    form = DrawForm(request.POST)
    if not form.is_valid():
        _form_problems(request, form)
        return ""
    services.panel_draw(
        user=request.user,
        panel=_panel_or_404(panel),
        public_randomness=form.cleaned_data["public_randomness"],
    )
    return _("The panel was drawn and published.")


@panel_action(Action.CONVENE_PROCESS)
def panel_withdraw(request: HttpRequest, process: Process, panel: Panel | None) -> str:
    replacement = services.panel_member_withdraw(
        user=request.user,
        panel=_panel_or_404(panel),
        person_id=request.POST.get("person", ""),
    )
    return _("The member was replaced by %(id)s.") % {"id": replacement}


@require_safe
def invitation_letters(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction, _process, panel = _lookup(slug, pk)
    require(request.user, Action.INVITE, jurisdiction)
    panel = _panel_or_404(panel)
    invitations = list(selectors.letter_list_for_facilitator(user=request.user, panel=panel))
    if not invitations:
        raise InvalidInputError(_("No household has been invited by letter yet."))
    register = request.build_absolute_uri(reverse("panels:register", args=[slug, pk]))
    pdf = letters_pdf(
        panel=panel,
        invitations=invitations,
        register_url=lambda code: f"{register}?code={code}",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invitations-{pk}.pdf"'
    return response


@require_safe
def registration_list(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    jurisdiction, process, panel = _lookup(slug, pk)
    panel = _panel_or_404(panel)
    registrations = selectors.registration_list_for_facilitator(user=request.user, panel=panel)
    drawn = set(panel.draw.get("panel", [])) if panel.draw else set()
    context = {
        "jurisdiction": jurisdiction,
        "process": process,
        "panel": panel,
        "registrations": registrations,
        "drawn": drawn,
    }
    return render(request, "panels/registration_list.html", context)


def _registration_page(request: HttpRequest, slug: str, pk: int, *, channel: str) -> HttpResponse:
    jurisdiction, process, panel = _lookup(slug, pk)
    if channel == Channel.PAPER:
        require(request.user, Action.ENTER_PAPER_FORMS, jurisdiction)
    panel = _panel_or_404(panel)
    form = RegistrationForm(
        request.POST or None,
        initial={"code": request.GET.get("code", "")},
        quotas=list(panel.quotas.all()),
    )
    context = {
        "jurisdiction": jurisdiction,
        "process": process,
        "panel": panel,
        "form": form,
        "paper": channel == Channel.PAPER,
        "open": panel.stage == PanelStage.SETUP,
    }
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_create(
                panel=panel,
                code=form.cleaned_data["code"],
                answers=form.answers(),
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
                availability=form.cleaned_data["availability"],
                needs=form.cleaned_data["needs"],
                channel=channel,
                entered_by=request.user if channel == Channel.PAPER else None,
            )
        except FormErrors as error:
            form.add_error(None, str(error))
        else:
            if channel == Channel.PAPER:
                messages.success(request, _("The paper form was entered."))
                return redirect("panels:paper", slug=slug, pk=pk)
            return render(request, "panels/registered.html", context)
    return render(request, "panels/register.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def register(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Register with the code from a letter: no account, no JavaScript."""
    refused = web.signed_in_refusal(request)
    if refused:
        return refused
    return _registration_page(request, slug, pk, channel=Channel.WEB)


@require_http_methods(["GET", "HEAD", "POST"])
def paper_entry(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _registration_page(request, slug, pk, channel=Channel.PAPER)


@require_safe
def panel_report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The public page: composition, probabilities, commitment, transcript. No personal data."""
    jurisdiction, process, panel = _lookup(slug, pk)
    report = selectors.panel_report(panel=panel) if panel else None
    chart = _chart(report.composition) if report else []
    context = {
        "jurisdiction": jurisdiction,
        "process": process,
        "panel": panel,
        "report": report,
        "rows": list(zip(report.composition, chart, strict=True)) if report else [],
        "chart": chart,
        "chart_height": len(chart) * 34,
        "files": selectors.TRANSCRIPT_FILES,
        "can_manage": can(request.user, Action.SET_AGENDA, jurisdiction),
    }
    return render(request, "panels/panel_report.html", context)


def _chart(rows: tuple[selectors.CompositionRow, ...]) -> list[dict[str, Any]]:
    """Bar geometry for the composition chart (400 px = 100 %); the table carries the data."""
    spanish = (get_language() or "en").startswith("es")
    return [
        {
            "label": row.label_es if spanish else row.label_en,
            "panel": round(row.share * 100, 1),
            "census": None if row.census_share is None else round(row.census_share * 100, 1),
            "panel_width": round(row.share * 400, 1),
            "census_width": 0 if row.census_share is None else round(row.census_share * 400, 1),
            "y": index * 34,
        }
        for index, row in enumerate(rows)
    ]


@require_safe
def transcript_file(request: HttpRequest, slug: str, pk: int, name: str) -> HttpResponse:
    _jurisdiction, _process, panel = _lookup(slug, pk)
    files = selectors.transcript_files(panel=_panel_or_404(panel))
    if name not in files:
        raise Http404(name)
    kind = "application/json" if name.endswith(".json") else "text/csv"
    response = HttpResponse(files[name], content_type=f"{kind}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
def transcript_zip(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _jurisdiction, _process, panel = _lookup(slug, pk)
    files = selectors.transcript_files(panel=_panel_or_404(panel))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(f"panel-{pk}-transcript/{name}", content)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="panel-{pk}-transcript.zip"'
    return response
