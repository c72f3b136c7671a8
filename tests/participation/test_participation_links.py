"""One-time links, the participant they make, and the optional questions about oneself."""

import pytest
from django.db import IntegrityError
from django.test import Client

from cpps.common.errors import InvalidInputError
from cpps.participation.models import OneTimeLink, Participant
from cpps.participation.services import (
    one_time_links_issue,
    participant_demographics_save,
    participant_join_by_link,
)
from cpps.processes.services import process_create, process_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(chicago, accounts):
    return process_create(
        user=accounts["facilitator"],
        jurisdiction=chicago,
        kind="survey",
        title="Safe at night?",
        purpose="How safe do you feel?",
        area_codes=["7", "8"],
    )


def test_links_work_once_and_store_only_digests(survey, accounts):
    process_transition(user=accounts["facilitator"], process=survey, to_state="open")
    tokens = one_time_links_issue(user=accounts["facilitator"], process=survey, count=3)
    stored = set(OneTimeLink.objects.filter(process=survey).values_list("secret_digest", flat=True))
    assert len(stored) == 3
    assert not any(digest in token for token in tokens for digest in stored)
    participant = participant_join_by_link(token=tokens[0])
    assert participant.process == survey
    with pytest.raises(InvalidInputError, match="already been used"):
        participant_join_by_link(token=tokens[0])
    with pytest.raises(InvalidInputError, match="not valid"):
        participant_join_by_link(token=tokens[1][:-2] + "xx")


def test_links_are_refused_while_the_process_is_not_open(survey, accounts):
    (token,) = one_time_links_issue(user=accounts["facilitator"], process=survey, count=1)
    with pytest.raises(InvalidInputError, match="not open"):
        participant_join_by_link(token=token)


def test_closing_a_process_ends_its_unused_links_and_reopening_revives_none(survey, accounts):
    facilitator = accounts["facilitator"]
    process_transition(user=facilitator, process=survey, to_state="open")
    used, unused = one_time_links_issue(user=facilitator, process=survey, count=2)
    participant_join_by_link(token=used)
    process_transition(user=facilitator, process=survey, to_state="closed")
    process_transition(user=facilitator, process=survey, to_state="open")
    with pytest.raises(InvalidInputError):
        participant_join_by_link(token=unused)
    assert Participant.objects.filter(process=survey).count() == 1
    (fresh,) = one_time_links_issue(user=facilitator, process=survey, count=1)
    assert participant_join_by_link(token=fresh).process == survey


def test_participants_have_distinct_pseudonyms_and_no_account_link(survey, accounts):
    process_transition(user=accounts["facilitator"], process=survey, to_state="open")
    tokens = one_time_links_issue(user=accounts["facilitator"], process=survey, count=5)
    pseudonyms = {participant_join_by_link(token=token).pseudonym for token in tokens}
    assert len(pseudonyms) == 5
    field_names = {field.name for field in Participant._meta.get_fields()}
    assert not field_names & {"user", "ip", "ip_address", "phone", "email", "name"}


def test_pseudonyms_are_unique_per_process_in_the_database(survey):
    Participant.objects.create(process=survey, pseudonym="a" * 64, channel="web")
    with pytest.raises(IntegrityError):
        Participant.objects.create(process=survey, pseudonym="a" * 64, channel="sms")


def test_demographics_accept_only_offered_answers(survey, accounts):
    process_transition(user=accounts["facilitator"], process=survey, to_state="open")
    (token,) = one_time_links_issue(user=accounts["facilitator"], process=survey, count=1)
    participant = participant_join_by_link(token=token)
    participant_demographics_save(participant=participant, answers={"age_band": "25_34", "sex": ""})
    assert Participant.objects.get(pk=participant.pk).demographics == {"age_band": "25_34"}
    with pytest.raises(InvalidInputError):
        participant_demographics_save(participant=participant, answers={"age_band": "ancient"})


def test_taking_part_by_web_without_javascript_or_account(survey, accounts):
    process_transition(user=accounts["facilitator"], process=survey, to_state="open")
    (token,) = one_time_links_issue(user=accounts["facilitator"], process=survey, count=1)
    client = Client()
    assert client.get(f"/take-part/{token}/").status_code == 200
    assert Participant.objects.filter(process=survey).count() == 0  # a link preview joins nobody
    response = client.post(f"/take-part/{token}/")
    assert response.status_code == 302
    assert response.url == f"/take-part/{survey.pk}/about-you/"
    response = client.post(response.url, {"age_band": "65_plus", "language": "spanish"})
    assert response.status_code == 302
    assert Participant.objects.get(process=survey).demographics == {
        "age_band": "65_plus",
        "language": "spanish",
    }


def test_signed_in_people_cannot_redeem_a_link(survey, accounts):
    process_transition(user=accounts["facilitator"], process=survey, to_state="open")
    (token,) = one_time_links_issue(user=accounts["facilitator"], process=survey, count=1)
    client = Client()
    client.force_login(accounts["resident"])
    assert client.post(f"/take-part/{token}/").status_code == 409
    assert not Participant.objects.filter(process=survey).exists()
