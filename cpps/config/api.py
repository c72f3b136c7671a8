"""The JSON API at /api/ (OpenAPI document at /api/openapi.json)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI

from cpps import __version__
from cpps.accountability.api import router as accountability_router
from cpps.audit.api import router as audit_router
from cpps.common.errors import DomainError, InvalidTransitionError, PermissionRefusedError
from cpps.jurisdictions.api import router as jurisdictions_router
from cpps.listening.api import router as listening_router
from cpps.processes.api import router as processes_router

api = NinjaAPI(
    title="cpps: Co-Produced Public Safety",
    version=__version__,
    description="Public, aggregate data of community-led public safety processes.",
    urls_namespace="api",
    docs_url=None,
)
api.add_router("/jurisdictions/", jurisdictions_router)
api.add_router("/jurisdictions/", processes_router)
api.add_router("/jurisdictions/", audit_router)
api.add_router("/jurisdictions/", accountability_router)
api.add_router("/jurisdictions/", listening_router)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    """403 for a role that may not act, 409 for an object whose state does not allow the act
    (a survey not open for answers), 400 for input the person can fix."""
    if isinstance(error, PermissionRefusedError):
        status = 403
    elif isinstance(error, InvalidTransitionError):
        status = 409
    else:
        status = 400
    return api.create_response(request, {"detail": str(error)}, status=status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)
