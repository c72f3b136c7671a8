"""The web survey end to end through the Django stack: one question per page, no JavaScript."""

import re

import pytest
from django.test import Client

from cpps.listening.models import Answer, Response
from cpps.participation.models import Participant

pytestmark = pytest.mark.django_db


def answer(client, survey, position, data):
    return client.post(f"/survey/{survey.pk}/q/{position}/", data)


def test_a_resident_answers_one_question_per_page_and_sends(survey):
    client = Client()
    start = client.get(f"/survey/{survey.pk}/")
    assert b"Start the survey" in start.content
    assert "<script" not in start.content.decode()
    response = client.post(f"/survey/{survey.pk}/")
    assert response.status_code == 302
    assert response.url == f"/survey/{survey.pk}/q/1/"
    page = client.get(response.url)
    assert page.status_code == 200
    assert b"When it comes to the threat of crime" in page.content
    assert b"Question 1 of 10" in page.content
    assert answer(client, survey, 1, {"answer": "7", "action": "next"}).url.endswith("/q/2/")
    assert answer(client, survey, 2, {"answer": "9", "action": "skip"}).url.endswith("/q/3/")
    bad = answer(client, survey, 3, {"answer": "11", "action": "next"})
    assert bad.status_code == 400
    assert b"Select a valid choice" in bad.content
    for position, data in [
        (3, {"answer": "2"}),
        (4, {"answer": "5"}),
        (5, {"answer": "6"}),
        (6, {}),
        (7, {"answer": "0"}),
        (8, {"answer": "asked_for_help"}),
        (9, {"answer": ["theft", "traffic"]}),
        (10, {"answer": '=HYPERLINK("http://x")'}),
    ]:
        answer(client, survey, position, {**data, "action": "next"})
    about = client.get(f"/survey/{survey.pk}/about-you/")
    assert b"About you (optional)" in about.content
    sent = client.post(f"/survey/{survey.pk}/about-you/", {"area": "8", "age_band": "18_24"})
    assert sent.url == f"/survey/{survey.pk}/thank-you/"
    stored = Response.objects.get(process=survey)
    assert stored.completed_at is not None
    assert stored.area.code == "8"
    answers = {a.question.key: a for a in Answer.objects.filter(response=stored)}
    assert answers["safe_crime"].number == 7
    assert answers["safe_day"].skipped is True
    assert answers["safe_night"].number == 2
    assert "police_listen" not in answers or answers["police_explain"].skipped
    assert answers["worries"].choices == ["theft", "traffic"]
    assert Participant.objects.get(pk=stored.participant_id).demographics == {"age_band": "18_24"}
    # Sent answers cannot be changed through the form any more.
    assert client.get(f"/survey/{survey.pk}/q/1/").url == f"/survey/{survey.pk}/"


def test_the_survey_is_answered_in_spanish(survey):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.post(f"/survey/{survey.pk}/")
    page = client.get(f"/survey/{survey.pk}/q/1/")
    assert "En cuanto a la amenaza del crimen" in page.content.decode()
    assert Response.objects.get(process=survey).language == "es"


def test_pages_stay_under_50_kb_without_images(survey):
    client = Client()
    client.post(f"/survey/{survey.pk}/")
    css = client.get("/static/cpps/site.css")
    css_size = len(b"".join(css.streaming_content)) if css.streaming else len(css.content)
    for url in [
        f"/survey/{survey.pk}/",
        f"/survey/{survey.pk}/q/9/",
        f"/survey/{survey.pk}/about-you/",
    ]:
        page = client.get(url)
        assert page.status_code == 200
        assert len(page.content) + css_size < 50_000, url
        assert "<img" not in page.content.decode()


def test_unfinished_answers_resume_from_the_private_link(survey):
    first = Client()
    first.post(f"/survey/{survey.pk}/")
    answer(first, survey, 1, {"answer": "4", "action": "next"})
    answer(first, survey, 2, {"answer": "5", "action": "next"})
    page = first.get(f"/survey/{survey.pk}/q/3/").content.decode()
    link = re.search(r"<code>http://testserver(/take-part/\d+/resume/[^<]+/)</code>", page).group(1)
    other_device = Client()
    assert b"Continue" in other_device.get(link).content
    resumed = other_device.post(link)
    assert resumed.url == f"/survey/{survey.pk}/"
    assert other_device.post(resumed.url).url == f"/survey/{survey.pk}/q/3/"
    assert Response.objects.filter(process=survey).count() == 1
    assert other_device.post(f"/take-part/{survey.pk}/resume/not-a-token/").status_code == 404


def test_signed_in_people_cannot_answer_anonymously(survey, accounts):
    client = Client()
    client.force_login(accounts["resident"])
    assert client.post(f"/survey/{survey.pk}/").status_code == 409
    assert not Response.objects.filter(process=survey).exists()


def test_a_closed_survey_says_so(survey, accounts):
    from cpps.processes.services import process_transition

    process_transition(user=accounts["facilitator"], process=survey, to_state="closed")
    page = Client().get(f"/survey/{survey.pk}/")
    assert b"not open for answers" in page.content


def test_the_process_page_offers_paper_forms_to_facilitators_only(survey, accounts):
    """The survey's kind registration gives its process page the links, by role."""
    for role, sees_paper in [("facilitator", True), ("police_liaison", False)]:
        client = Client()
        client.force_login(accounts[role])
        html = client.get(f"/j/chicago/processes/{survey.pk}/").content.decode()
        assert f"/survey/{survey.pk}/" in html
        assert f"/j/chicago/surveys/{survey.pk}/results/" in html
        assert ("/paper/" in html) is sees_paper


def test_a_device_that_has_answered_is_not_offered_a_second_go(survey):
    client = Client()
    client.post(f"/survey/{survey.pk}/")
    client.post(f"/survey/{survey.pk}/about-you/", {})
    assert b"already answered this survey" in client.get(f"/survey/{survey.pk}/").content
    assert client.post(f"/survey/{survey.pk}/").url == f"/survey/{survey.pk}/thank-you/"
    assert Response.objects.filter(process=survey).count() == 1
