import pytest

from cpps.audit.models import AuditEvent
from cpps.common.errors import InvalidInputError, InvalidTransitionError, PermissionRefusedError
from cpps.listening.models import Answer, Instrument, Question, Response
from cpps.listening.question_bank import STANDARD_MODULE
from cpps.listening.services import (
    current_instrument,
    instrument_draft_create,
    instrument_publish,
    question_add,
    question_remove,
    response_answer,
    response_complete,
    response_start,
    response_submit,
)
from cpps.participation.models import Participant
from tests.support.participation import participant, sender

pytestmark = pytest.mark.django_db


def test_standard_module_is_published_in_both_languages(survey):
    instrument = current_instrument(survey)
    questions = list(instrument.questions.order_by("position"))
    assert [q.key for q in questions] == [item.key for item in STANDARD_MODULE]
    assert all(q.text_en and q.text_es and q.text_en != q.text_es for q in questions)
    assert questions[0].text_en.startswith("When it comes to the threat of crime")


def test_a_published_version_cannot_change(survey, accounts):
    instrument = current_instrument(survey)
    with pytest.raises(InvalidTransitionError, match="Version 1 is published"):
        question_add(
            user=accounts["facilitator"],
            instrument=instrument,
            kind="scale",
            text_en="Lights?",
            text_es="¿Luces?",
        )
    with pytest.raises(InvalidTransitionError, match="Version 1 is published"):
        question_remove(user=accounts["facilitator"], question=instrument.questions.first())
    assert instrument.questions.count() == len(STANDARD_MODULE)


def test_a_new_version_copies_the_questions_and_leaves_the_old_one_intact(survey, accounts):
    facilitator = accounts["facilitator"]
    draft = instrument_draft_create(user=facilitator, process=survey)
    assert draft.version == 2
    question_add(
        user=facilitator,
        instrument=draft,
        kind="single",
        text_en="Is your street well lit at night?",
        text_es="¿Está bien iluminada su calle de noche?",
        choice_lines="Yes | Sí\nNo | No\nSome of it | En parte",
    )
    question_remove(user=facilitator, question=draft.questions.get(key="safe_day"))
    instrument_publish(user=facilitator, instrument=draft)
    assert current_instrument(survey).version == 2
    v1 = Instrument.objects.get(process=survey, version=1)
    assert v1.questions.filter(key="safe_day").exists()
    added = draft.questions.get(key="is-your-street-well-lit-at-night")
    assert added.choices[2] == {"value": "some-of-it", "en": "Some of it", "es": "En parte"}
    assert list(draft.questions.values_list("position", flat=True)) == list(
        range(1, draft.questions.count() + 1)
    )
    assert AuditEvent.objects.filter(action="survey.instrument_published").count() >= 2


def test_choice_lines_need_both_languages(survey, accounts):
    draft = instrument_draft_create(user=accounts["facilitator"], process=survey)
    with pytest.raises(InvalidInputError, match="English \\| Español"):
        question_add(
            user=accounts["facilitator"],
            instrument=draft,
            kind="single",
            text_en="Lit?",
            text_es="¿Luz?",
            choice_lines="Yes\nNo | No",
        )


@pytest.mark.parametrize("role", ["police_liaison", "city_official", "resident", "admin"])
def test_only_community_roles_write_questions(survey, accounts, role):
    with pytest.raises(PermissionRefusedError):
        instrument_draft_create(user=accounts[role], process=survey)


def test_answers_are_validated_against_the_question(survey):
    response = response_start(
        participant=participant(survey, "token-1", "web"), channel="web", language="es"
    )
    questions = {q.key: q for q in response.instrument.questions.all()}
    with pytest.raises(InvalidInputError, match="from 0 to 10"):
        response_answer(response=response, question=questions["safe_day"], values=["11"])
    with pytest.raises(InvalidInputError, match="Choose only one"):
        response_answer(
            response=response, question=questions["police_contact"], values=["no", "both"]
        )
    with pytest.raises(InvalidInputError, match="answers offered"):
        response_answer(response=response, question=questions["worries"], values=["aliens"])
    response_answer(response=response, question=questions["safe_day"], values=["7"])
    response_answer(response=response, question=questions["worries"], values=["theft", "traffic"])
    response_answer(response=response, question=questions["safe_night"], values=[])
    stored = {a.question.key: a for a in Answer.objects.filter(response=response)}
    assert stored["safe_day"].number == 7
    assert stored["worries"].choices == ["theft", "traffic"]
    assert stored["safe_night"].skipped is True


def test_changing_an_answer_keeps_one_row_with_the_new_value(survey):
    response = response_start(participant=participant(survey, "token-change", "web"), channel="web")
    question = response.instrument.questions.get(key="safe_day")
    response_answer(response=response, question=question, values=["2"])
    first = Answer.objects.get(response=response, question=question)
    response_answer(response=response, question=question, values=[])
    assert Answer.objects.get(response=response, question=question).skipped is True
    response_answer(response=response, question=question, values=["9"])
    stored = Answer.objects.get(response=response, question=question)
    assert stored.pk == first.pk
    assert (stored.number, stored.skipped) == (9, False)
    assert stored.answered_at >= first.answered_at
    assert Response.objects.get(pk=response.pk).position == question.position + 1


def test_completing_records_area_and_demographics_and_awaits_the_next_seal(survey):
    events_before = AuditEvent.objects.count()
    response = response_start(participant=participant(survey, "token-2", "web"), channel="web")
    response_complete(response=response, area_code="8", demographics={"age_band": "25_34"})
    response.refresh_from_db()
    assert response.area.code == "8"
    assert response.completed_at is not None
    assert response.participant.demographics == {"age_band": "25_34"}
    # No audit event per resident: the public log would show when each one answered.
    assert AuditEvent.objects.count() == events_before
    assert response.seal is None


def test_the_identity_is_never_stored(survey):
    response = response_start(participant=participant(survey, "+13125550123", "sms"), channel="sms")
    stored = Participant.objects.get(pk=response.participant_id)
    assert "3125550123" not in stored.pseudonym
    assert len(stored.pseudonym) == 64


def test_submission_with_the_same_client_id_is_stored_once(survey):
    arguments = {
        "process": survey,
        "client_id": "client-0001",
        "identity": sender("client-0001"),
        "language": "en",
        "answers": {"safe_day": ["4"], "police_contact": ["no"]},
        "area_code": "7",
    }
    first, created = response_submit(**arguments)
    again, created_again = response_submit(**arguments)
    assert created is True
    assert created_again is False
    assert first == again
    assert Response.objects.filter(process=survey).count() == 1
    assert Answer.objects.filter(response_id=first).count() == 2


def test_a_submission_to_a_survey_closed_since_it_was_looked_up_is_refused(survey, accounts):
    from cpps.processes.models import Process
    from cpps.processes.services import process_transition

    looked_up = Process.objects.get(pk=survey.pk)  # as a worker's brief cache holds it
    process_transition(user=accounts["facilitator"], process=survey, to_state="closed")
    with pytest.raises(InvalidTransitionError, match="not open"):
        response_submit(
            process=looked_up,
            client_id="late-client-01",
            identity=sender("late-client-01", "web"),
            language="en",
            answers={"safe_day": ["4"]},
        )
    assert not Response.objects.filter(client_id="late-client-01").exists()


def test_closed_survey_takes_no_answers(survey, accounts):
    from cpps.processes.services import process_transition

    process_transition(user=accounts["facilitator"], process=survey, to_state="closed")
    with pytest.raises(InvalidTransitionError, match="not open"):
        response_start(participant=participant(survey, "late", "web"), channel="web")


def test_unknown_question_keys_are_named(survey):
    with pytest.raises(InvalidInputError, match="not in the survey: lights"):
        response_submit(
            process=survey,
            client_id="client-0002",
            identity=sender("x" * 10, "web"),
            language="en",
            answers={"lights": ["1"]},
        )
    assert not Question.objects.filter(key="lights").exists()


def test_an_import_stores_every_response_under_one_audit_event(survey, accounts):
    from cpps.listening.services import Submission, responses_import

    rows = [
        Submission(
            client_id=f"import-{n:04d}",
            identity=sender(f"import-{n:04d}", "paper"),
            language="en",
            answers={"safe_crime": [str(n)]},
            area_code="7",
        )
        for n in range(5)
    ]
    before = AuditEvent.objects.count()
    assert responses_import(user=accounts["facilitator"], process=survey, submissions=rows) == 5
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("sequence")
    assert event.action == "survey.responses_imported"
    assert event.payload == {"count": 5, "channels": {"paper": 1 * 5}, "version": 1}
    with pytest.raises(InvalidInputError, match="nothing was imported"):
        responses_import(user=accounts["facilitator"], process=survey, submissions=rows[:2])
    assert Response.objects.filter(process=survey).count() == 5
    with pytest.raises(PermissionRefusedError):
        responses_import(user=accounts["police_liaison"], process=survey, submissions=rows)
