"""Sent responses are sealed into the audit log in batches, and the seals catch later edits."""

import pytest
from django.core.management import CommandError, call_command

from cpps.audit.models import AuditEvent
from cpps.audit.selectors import audit_chain_verify
from cpps.listening.models import Answer, Response, ResponseSeal
from cpps.listening.selectors import response_seals_verify
from cpps.listening.services import (
    response_answer,
    response_complete,
    response_start,
    response_submit,
    responses_seal,
)
from cpps.listening.tasks import seal_responses
from cpps.participation.models import Participant
from cpps.processes.services import process_transition
from tests.support.participation import participant, sender

pytestmark = pytest.mark.django_db


def submit(survey, client_id, **answers):
    response_id, _created = response_submit(
        process=survey,
        client_id=client_id,
        identity=sender(client_id, "web"),
        language="en",
        answers=answers or {"safe_day": ["4"], "safer_one_thing": ["More lights"]},
        area_code="8",
        demographics={"age_band": "25_34"},
    )
    return response_id


def test_a_seal_covers_every_sent_response_once_with_one_public_event(survey):
    sent = [submit(survey, f"seal-client-{n:02d}") for n in range(3)]
    unfinished = response_start(
        participant=participant(survey, "still-answering", "web"), channel="web"
    )
    first = responses_seal(process=survey)
    assert first.sequence == 1
    assert first.count == 3
    assert set(first.responses.values_list("pk", flat=True)) == set(sent)
    assert Response.objects.get(pk=unfinished.pk).seal is None
    event = first.audit_event
    assert event.action == "survey.responses_sealed"
    assert event.payload == {"seal": 1, "count": 3, "digest": first.digest}
    assert responses_seal(process=survey) is None  # nothing new: no empty seals, no event
    response_complete(response=unfinished, area_code="9")
    second = responses_seal(process=survey)
    assert (second.sequence, second.count) == (2, 1)
    assert list(second.responses.values_list("pk", flat=True)) == [unfinished.pk]
    assert response_seals_verify(process=survey) == (2, [])
    assert all(report.verification.intact for report in audit_chain_verify(jurisdiction=None))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda response_id: Answer.objects.filter(
            response_id=response_id, question__key="safer_one_thing"
        ).update(text="Nothing"),
        lambda response_id: Answer.objects.filter(
            response_id=response_id, question__key="safe_day"
        ).update(number=10),
        lambda response_id: Participant.objects.filter(responses__pk=response_id).update(
            demographics={"age_band": "65_plus"}
        ),
        lambda response_id: Response.objects.filter(pk=response_id).update(language="es"),
        lambda response_id: Answer.objects.filter(response_id=response_id).first().delete(),
    ],
    ids=["free text", "scale", "demographics", "language", "an answer removed"],
)
def test_changing_a_sealed_response_breaks_its_seal(survey, tamper):
    kept = submit(survey, "seal-tamper-01")
    changed = submit(survey, "seal-tamper-02")
    seal = responses_seal(process=survey)
    tamper(changed)
    checked, problems = response_seals_verify(process=survey)
    assert checked == 1
    assert [(problem.seal.pk, problem.reason) for problem in problems] == [
        (seal.pk, "a sealed response was altered after sealing")
    ]
    assert kept != changed
    with pytest.raises(CommandError, match=f"survey {survey.pk}, seal #1: a sealed response"):
        call_command("survey", "verify-seals")


def test_removing_a_sealed_response_or_rewriting_the_seal_is_caught(survey):
    submit(survey, "seal-remove-01")
    removed = submit(survey, "seal-remove-02")
    seal = responses_seal(process=survey)
    Response.objects.filter(pk=removed).delete()
    _checked, problems = response_seals_verify(process=survey)
    assert problems[0].reason == "it sealed 2 responses, 1 remain"
    # Rewriting the seal's own digest to fit the edited data contradicts the public event.
    ResponseSeal.objects.filter(pk=seal.pk).update(count=1, digest="0" * 64)
    _checked, problems = response_seals_verify(process=survey)
    assert problems[0].reason == "it no longer matches its audit event"


def test_closing_a_survey_seals_what_it_took_before_recording_the_close(survey, accounts):
    submit(survey, "seal-close-01")
    response = response_start(participant=participant(survey, "+13125550199", "sms"), channel="sms")
    response_answer(
        response=response,
        question=survey.instruments.get().questions.get(key="safe_day"),
        values=["3"],
    )
    response_complete(response=response, area_code="7")
    process_transition(user=accounts["facilitator"], process=survey, to_state="closed")
    seal = ResponseSeal.objects.get(process=survey)
    assert seal.count == 2
    latest = list(AuditEvent.objects.order_by("-sequence")[:2])
    assert [event.action for event in reversed(latest)] == [
        "survey.responses_sealed",
        "process.state_changed",
    ]


def test_the_periodic_task_seals_every_survey_with_pending_responses(survey):
    submit(survey, "seal-task-01")
    submit(survey, "seal-task-02")
    before = Response.objects.filter(seal__isnull=True, completed_at__isnull=False).count()
    assert seal_responses.delay().get() == before
    assert not Response.objects.filter(seal__isnull=True, completed_at__isnull=False).exists()
    call_command("survey", "verify-seals")


def test_the_results_page_says_how_many_answers_are_sealed_and_links_the_record(survey, accounts):
    from django.test import Client

    submit(survey, "seal-page-01")
    submit(survey, "seal-page-02")
    responses_seal(process=survey)
    submit(survey, "seal-page-03")
    client = Client()
    client.force_login(accounts["facilitator"])
    page = client.get(f"/j/chicago/surveys/{survey.pk}/results/").content.decode()
    assert "2 answers sealed" in page
    assert "1 waiting for the next seal" in page
    assert 'href="/j/chicago/record/"' in page
