"""Process endpoints: anyone may read; only community roles may convene (the policy decides)."""

from django.http import HttpRequest
from ninja import Router, Status
from ninja.security import django_auth

from cpps.common.api import LOOKUP, WITH_BODY, JurisdictionSlug, responses
from cpps.jurisdictions.selectors import jurisdiction_get
from cpps.processes import selectors, services
from cpps.processes.kinds import kind_of
from cpps.processes.models import Process
from cpps.processes.schemas import ProcessIn, ProcessOut

router = Router(tags=["processes"])


def _process_out(process: Process, participant_count: int) -> ProcessOut:
    return ProcessOut(
        id=process.pk,
        kind=process.kind,
        title=process.title,
        purpose=process.purpose,
        state=process.state,
        areas=[area.code for area in process.areas.all()],
        languages=list(process.languages),
        opens_on=process.opens_on,
        closes_on=process.closes_on,
        participant_count=participant_count,
    )


@router.get("/{slug}/processes", response=responses({200: list[ProcessOut]}, *LOOKUP))
def list_processes(request: HttpRequest, slug: JurisdictionSlug) -> list[ProcessOut]:
    processes = selectors.process_list(jurisdiction=jurisdiction_get(slug=slug))
    return [
        _process_out(process, kind_of(process).status(process).participant_count)
        for process in processes
    ]


@router.post(
    "/{slug}/processes",
    response=responses({201: ProcessOut}, *LOOKUP, *WITH_BODY, 401, 403),
    auth=django_auth,
)
def create_process(
    request: HttpRequest, slug: JurisdictionSlug, payload: ProcessIn
) -> Status[ProcessOut]:
    process = services.process_create(
        user=request.user,
        jurisdiction=jurisdiction_get(slug=slug),
        kind=payload.kind,
        title=payload.title,
        purpose=payload.purpose,
        area_codes=payload.areas,
        languages=payload.languages,
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
    )
    return Status(201, _process_out(process, 0))
