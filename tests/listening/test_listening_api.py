import json

import pytest
from django.db import connection
from django.test import Client

from cpps.listening.models import Answer, Response
from cpps.participation.services import eligibility_set

pytestmark = pytest.mark.django_db


def submit(client, survey, payload):
    return client.post(
        f"/api/jurisdictions/chicago/surveys/{survey.pk}/responses",
        data=json.dumps(payload),
        content_type="application/json",
    )


def test_a_client_id_is_stored_once_however_often_it_is_sent(survey):
    payload = {
        "client_id": "phone-queue-0001",
        "language": "es",
        "answers": {"safe_crime": ["3"], "worries": ["traffic"]},
        "area": "9",
        "demographics": {"sex": "female"},
    }
    first = submit(Client(), survey, payload)
    assert first.status_code == 201
    assert first.json() == {
        "client_id": "phone-queue-0001",
        "created": True,
    }
    again = submit(Client(), survey, payload)
    assert again.status_code == 200
    assert again.json()["created"] is False
    response = Response.objects.get(process=survey)
    assert response.language == "es"
    assert response.area.code == "9"
    assert Answer.objects.filter(response=response).count() == 2


def test_invalid_answers_are_refused_with_a_reason(survey):
    reply = submit(
        Client(), survey, {"client_id": "phone-queue-0002", "answers": {"safe_crime": ["12"]}}
    )
    assert reply.status_code == 400
    assert "from 0 to 10" in reply.json()["detail"]
    assert not Response.objects.filter(process=survey).exists()


def test_results_wait_until_the_survey_closes(survey, accounts):
    from cpps.processes.services import process_transition

    url = f"/api/jurisdictions/chicago/surveys/{survey.pk}/results"
    assert Client().get(url).status_code == 403
    process_transition(user=accounts["facilitator"], process=survey, to_state="closed")
    body = Client().get(url).json()
    assert body["responses"] == 0
    assert body["suppression_threshold"] == 10


def test_many_submissions_on_one_connection_are_each_stored_once(survey, accounts):
    """Past the point where PostgreSQL plans the submission once per connection, it still
    stores exactly what was sent: with and without an area, resent ids changing nothing."""
    # A kiosk at a community centre: one address, many residents, so no limit per address.
    eligibility_set(user=accounts["facilitator"], process=survey, mode="open", network_limit=0)
    client = Client()
    payloads = [
        {
            "client_id": f"kiosk-batch-{number:04d}",
            "answers": {"safe_crime": [str(number % 11)], "worries": ["traffic", "theft"]},
            "area": "9" if number % 2 else "",
        }
        for number in range(12)
    ]
    for payload in payloads:
        assert submit(client, survey, payload).status_code == 201
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%INSERT INTO listening_answer%"],
            )
            assert cursor.fetchone()[0] >= 1  # one per combination of parameter types
    for payload in payloads:
        assert submit(client, survey, payload).status_code == 200
    stored = Response.objects.filter(process=survey).order_by("client_id")
    assert [response.area.code if response.area else "" for response in stored] == [
        payload["area"] for payload in payloads
    ]
    safe_crime = Answer.objects.filter(response__process=survey, question__key="safe_crime")
    assert sorted(answer.number for answer in safe_crime) == sorted(n % 11 for n in range(12))
    assert Answer.objects.filter(response__process=survey).count() == 24
