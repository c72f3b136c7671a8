"""Schemathesis over /api/openapi.json, in-process through the WSGI application and its middleware.

Every operation is fuzzed signed out and signed in (as a facilitator, with a CSRF token, so writes
get past authentication): no server error, no status code the document does not list, and every
body matching its schema. Path parameters are drawn partly at random and partly from the demo's
real objects, so requests also reach the code behind a found jurisdiction, survey or commitment.
Generation is derandomized and bounded, so every run sends the same requests.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from cpps.accountability.models import Commitment
from cpps.config.api import api
from cpps.config.wsgi import application
from cpps.jurisdictions.models import Jurisdiction
from cpps.processes.models import Process

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 17,
        "generation": {"max-examples": 25, "deterministic": True, "database": "none"},
        "phases": {"stateful": {"enabled": False}},
        # The schema cannot say which questions a survey asks or which areas exist: schema-valid
        # input the domain refuses is a 400 with the service's message.
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", 400, 401, 403, 404, 409]
            }
        },
    }
)
# The document comes from the API object itself: loading it through the application at import
# time would pass every middleware (and the database) before any test has a database.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
schema.app = application


def demo_values() -> dict[str, list]:
    """Parameter values that name the demo's real objects (read when a case is drawn: the ids
    are those of the test database)."""
    jurisdiction = Jurisdiction.objects.get(slug="chicago")
    processes = list(Process.objects.filter(jurisdiction=jurisdiction).values_list("pk", flat=True))
    codes = list(jurisdiction.areas.values_list("code", flat=True)[:3])
    return {
        "slug": [jurisdiction.slug],
        "code": codes,
        "area": codes,
        "pk": processes,
        "round_id": processes,
        "commitment_id": list(
            Commitment.objects.filter(jurisdiction=jurisdiction).values_list("pk", flat=True)
        ),
    }


def generated_or_real(generated: dict[str, Any] | None) -> st.SearchStrategy:
    """The generated parameters, or the same with every known name set to a real value."""
    if not generated:
        return st.just(generated)
    values = demo_values()
    real = {
        name: st.sampled_from(values[name]) if name in values else st.just(value)
        for name, value in generated.items()
    }
    return st.one_of(st.just(generated), st.fixed_dictionaries(real))


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return generated_or_real(path_parameters)


@schema.hook
def flatmap_query(context, query):
    return generated_or_real(query)


@pytest.fixture
def in_test_transaction(db):
    """Requests run on the test's own connection: a request must not close it (Django's test
    client does the same)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def facilitator_session(accounts):
    client = Client()
    client.force_login(accounts["facilitator"])
    request = RequestFactory().get("/")
    token = get_token(request)
    return {
        "cookies": {
            "sessionid": client.cookies["sessionid"].value,
            "csrftoken": request.META["CSRF_COOKIE"],
        },
        "headers": {"X-CSRFToken": token},
    }


# The database fixtures hold for the whole run: each request's writes stay in the test's transaction.
FIXTURES_SHARED_ACROSS_EXAMPLES = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)


@schema.parametrize()
@FIXTURES_SHARED_ACROSS_EXAMPLES
def test_the_api_answers_anonymous_requests_as_documented(case, in_test_transaction, chicago):
    case.call_and_validate()


@schema.parametrize()
@FIXTURES_SHARED_ACROSS_EXAMPLES
def test_the_api_answers_a_signed_in_facilitator_as_documented(
    case, in_test_transaction, facilitator_session
):
    case.call_and_validate(
        headers=facilitator_session["headers"], cookies=facilitator_session["cookies"]
    )
