"""Survey endpoints: whole submissions from clients that queue answers offline, and results."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError

from cpps.accounts.policy import Action, can
from cpps.common.api import LOOKUP, WITH_BODY, JurisdictionSlug, ObjectId, responses
from cpps.jurisdictions.selectors import jurisdiction_get
from cpps.listening import selectors, services
from cpps.listening.exports import results_document
from cpps.listening.schemas import ResponseIn, ResponseOut
from cpps.participation.web import join_context
from cpps.processes.models import ProcessState

router = Router(tags=["listening"])


@router.post(
    "/{slug}/surveys/{pk}/responses",
    response=responses({200: ResponseOut, 201: ResponseOut}, *LOOKUP, *WITH_BODY, 409),
)
def submit_response(
    request: HttpRequest, slug: JurisdictionSlug, pk: ObjectId, payload: ResponseIn
) -> Status[ResponseOut]:
    """Store one complete, anonymous response; the same client_id is only ever stored once.

    Open surveys only; each network address brings in at most as many people as the survey
    allows (429 beyond that).
    """
    if request.user.is_authenticated:
        raise HttpError(409, _("Answering is anonymous: send answers without signing in."))
    process = selectors.survey_for_submission(slug=slug, pk=pk)
    _response, created = services.response_submit_anonymous(
        process=process,
        client_id=payload.client_id,
        join=join_context(request, process, with_device=False),
        language=payload.language,
        answers=payload.answers,
        area_code=payload.area,
        demographics=payload.demographics,
    )
    return Status(
        201 if created else 200, ResponseOut(client_id=payload.client_id, created=created)
    )


@router.get("/{slug}/surveys/{pk}/results", response=responses({200: dict[str, Any]}, *LOOKUP, 403))
def survey_results(request: HttpRequest, slug: JurisdictionSlug, pk: ObjectId) -> dict[str, Any]:
    """Published results: weighted aggregates with small groups withheld."""
    jurisdiction = jurisdiction_get(slug=slug)
    process = selectors.survey_get(jurisdiction=jurisdiction, pk=pk)
    public = process.state in {ProcessState.CLOSED, ProcessState.PUBLISHED}
    if not public and not can(request.user, Action.CONVENE_PROCESS, jurisdiction):
        raise HttpError(403, _("Results are published when the survey closes."))
    return results_document(selectors.survey_results(process=process, language="en"))
