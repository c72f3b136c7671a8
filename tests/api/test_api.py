import json

import pytest
from django.test import Client

from cpps.audit.models import AuditEvent
from cpps.engines.auditchain import ChainedEvent, verify_chain

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


def test_published_audit_events_can_be_verified_by_anyone(chicago):
    """Re-verify the chain from the API's JSON alone, as an outside auditor would."""
    client = Client()
    events = client.get("/api/jurisdictions/chicago/audit-events?limit=1000").json()["items"]
    chained = [
        ChainedEvent(
            sequence=e["sequence"],
            prev_hash=e["prev_hash"],
            hash=e["hash"],
            body={
                "chain": f"jurisdiction:{chicago.pk}",
                "recorded_at": AuditEvent.objects.get(hash=e["hash"]).recorded_at.isoformat(),
                **{
                    k: e[k]
                    for k in (
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
    assert verify_chain(chained).intact
    status = client.get("/api/jurisdictions/chicago/audit-events/verification").json()
    assert status["intact"] is True
    assert status["events_checked"] == len(events)


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
    assert response.status_code == 400
    assert "is not a kind of process" in response.json()["detail"]
