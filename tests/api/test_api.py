import json
from datetime import datetime, time

import pytest
from django.test import Client
from django.utils import timezone

from cpps.audit.actions import residents_acts
from cpps.engines.auditchain import ChainedEvent, verify_chain
from cpps.processes.kinds import registered_kinds
from cpps.processes.models import Process

pytestmark = pytest.mark.django_db


def test_openapi_document_lists_the_public_endpoints():
    document = Client().get("/api/openapi.json").json()
    paths = set(document["paths"])
    assert {
        "/api/jurisdictions/",
        "/api/jurisdictions/{slug}/areas",
        "/api/jurisdictions/{slug}/areas/{code}/census",
        "/api/jurisdictions/{slug}/audit-events",
        "/api/jurisdictions/{slug}/processes",
    } <= paths


def test_areas_and_census_figures(chicago):
    client = Client()
    areas = client.get("/api/jurisdictions/chicago/areas").json()
    assert len(areas) == chicago.areas.count()
    figures = client.get("/api/jurisdictions/chicago/areas/7/census").json()
    by_sex = {f["category"]: f["count"] for f in figures if f["variable"] == "sex"}
    by_age = sum(f["count"] for f in figures if f["variable"] == "age_band")
    assert sum(by_sex.values()) == by_age > 0


def all_audit_events(client, slug, chain=""):
    """Every event of one chain, page by page (a page holds at most 500)."""
    events, offset = [], 0
    while True:
        page = client.get(
            f"/api/jurisdictions/{slug}/audit-events{chain}?limit=500&offset={offset}"
        )
        assert page.status_code == 200
        body = page.json()
        events += body["items"]
        offset += 500
        if offset >= body["count"]:
            return events


def chained_from_json(events):
    """The engine's view of published events, rebuilt from their JSON alone."""
    return [
        ChainedEvent(
            sequence=e["sequence"],
            prev_hash=e["prev_hash"],
            hash=e["hash"],
            body={
                **{
                    k: e[k]
                    for k in (
                        "chain",
                        "recorded_at",
                        "actor_ref",
                        "actor_role",
                        "action",
                        "object_type",
                        "object_id",
                        "payload",
                    )
                },
            },
        )
        for e in events
    ]


def test_published_audit_events_can_be_verified_by_anyone(chicago):
    """Re-verify both chains from the API's JSON alone, as an outside auditor would; residents'
    acts carry their day only, and the daily counts add up to them."""
    client = Client()
    events = all_audit_events(client, "chicago")
    residents = all_audit_events(client, "chicago", "/residents")
    assert verify_chain(chained_from_json(events)).intact
    assert verify_chain(chained_from_json(residents)).intact
    assert residents
    assert all(
        datetime.fromisoformat(e["recorded_at"]).astimezone(timezone.get_current_timezone()).time()
        == time(0)
        for e in residents
    )
    assert not {e["action"] for e in events} & set(residents_acts())
    counts = client.get("/api/jurisdictions/chicago/audit-events/daily-counts").json()["items"]
    assert sum(row["count"] for row in counts) == len(residents)
    status = client.get("/api/jurisdictions/chicago/audit-events/verification").json()
    assert status["intact"] is True
    assert status["events_checked"] == status["events_recorded"] == len(events) + len(residents)


def test_community_roles_create_processes_and_police_cannot(accounts):
    payload = json.dumps(
        {"kind": "deliberation", "title": "Parks", "purpose": "Safer parks", "areas": ["9"]}
    )
    client = Client()
    client.force_login(accounts["police_liaison"])
    response = client.post(
        "/api/jurisdictions/chicago/processes", payload, content_type="application/json"
    )
    assert response.status_code == 403
    client.force_login(accounts["council_member"])
    response = client.post(
        "/api/jurisdictions/chicago/processes", payload, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["areas"] == ["9"]


def test_bad_api_input_gets_a_clear_message(accounts):
    client = Client()
    client.force_login(accounts["facilitator"])
    payload = json.dumps({"kind": "party", "title": "x", "purpose": "y"})
    response = client.post(
        "/api/jurisdictions/chicago/processes", payload, content_type="application/json"
    )
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["body", "payload", "kind"]
    assert "kind must be one of" in problem["msg"]
    assert "survey" in problem["msg"]
    payload = json.dumps({"kind": "survey", "title": "x", "purpose": "y", "areas": ["none"]})
    response = client.post(
        "/api/jurisdictions/chicago/processes", payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Unknown area: none."}


def test_the_process_kind_is_an_enum_in_the_openapi_document():
    document = Client().get("/api/openapi.json").json()
    kind = document["components"]["schemas"]["ProcessIn"]["properties"]["kind"]
    assert kind["enum"] == [spec.value for spec in registered_kinds()]
    assert {"survey", "deliberation", "panel"} <= set(kind["enum"])


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=9223372036854775808", "limit"),
        ("limit=501", "limit"),
        ("limit=0", "limit"),
        ("offset=9223372036854775808", "offset"),
        ("offset=-1", "offset"),
        ("limit=ten", "limit"),
    ],
)
def test_out_of_range_pages_are_refused_naming_the_parameter(chicago, query, parameter):
    response = Client().get(f"/api/jurisdictions/chicago/audit-events?{query}")
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["query", parameter]


def test_a_page_holds_at_most_500_events_and_offsets_past_the_end_are_empty(chicago):
    client = Client()
    first = client.get("/api/jurisdictions/chicago/audit-events?limit=500").json()
    assert len(first["items"]) == min(500, first["count"])
    past = client.get("/api/jurisdictions/chicago/audit-events?offset=1000000000").json()
    assert past["items"] == []


def test_out_of_range_ids_are_refused_instead_of_reaching_the_database(chicago):
    client = Client()
    huge = client.get("/api/jurisdictions/chicago/commitments/9223372036854775808")
    assert huge.status_code == 422
    assert (
        client.get("/api/jurisdictions/chicago/commitments/9223372036854775807").status_code == 404
    )
    assert client.get("/api/jurisdictions/chicago/areas/A%2FB/census").status_code in {404, 422}
    assert client.get("/api/jurisdictions/bad%20slug!/areas").status_code == 422


def test_a_json_body_over_the_upload_limit_is_a_413_with_a_message(chicago):
    survey = Process.objects.get(jurisdiction=chicago, kind="survey", state="open")
    body = json.dumps({"client_id": "x" * 16, "answers": {"safe_crime": ["5" * 3_000_000]}})
    response = Client().post(
        f"/api/jurisdictions/chicago/surveys/{survey.pk}/responses",
        body,
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json()["detail"].startswith("The request is larger than 2.5\xa0MB")


def test_json_strings_with_control_characters_are_refused_before_the_endpoint(accounts):
    client = Client()
    client.force_login(accounts["facilitator"])
    before = Process.objects.count()
    payload = json.dumps({"kind": "survey", "title": "Lights", "purpose": "Dark\u0000alleys"})
    response = client.post(
        "/api/jurisdictions/chicago/processes", payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request holds a control character (U+0000) in its text; remove it and "
        "send it again."
    }
    assert Process.objects.count() == before


def test_a_title_with_a_bidirectional_override_is_refused_naming_the_character(accounts):
    client = Client()
    client.force_login(accounts["facilitator"])
    payload = json.dumps({"kind": "survey", "title": "Lights\u202eevil", "purpose": "Parks"})
    response = client.post(
        "/api/jurisdictions/chicago/processes", payload, content_type="application/json"
    )
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in problem["msg"]
