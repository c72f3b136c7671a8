"""The process page as organisers move a process through its lifecycle, in both languages."""

from __future__ import annotations

import re
import secrets

import pytest
from django.test import Client
from django.urls import reverse

from cpps.participation.identities import Identity
from cpps.participation.services import participant_for
from cpps.processes.models import Process
from cpps.processes.services import process_create

pytestmark = pytest.mark.django_db

SENTENCES = {
    "en": {
        "open": "The process is open: residents can take part now.",
        "closed": "The process is closed: it takes no more answers.",
        "published": "The results are published for everyone.",
    },
    "es": {
        "open": "El proceso está abierto: los residentes ya pueden participar.",
        "closed": "El proceso está cerrado: ya no admite más respuestas.",
        "published": "Los resultados están publicados para todos.",
    },
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_each_step_of_the_lifecycle_is_said_in_a_sentence(chicago, accounts, language):
    survey = process_create(
        user=accounts["facilitator"], jurisdiction=chicago, kind="survey", title="t", purpose="p"
    )
    client = Client()
    client.force_login(accounts["facilitator"])
    client.post("/i18n/setlang/", {"language": language, "next": "/j/chicago/"})
    url = reverse("processes:state", args=["chicago", survey.pk])
    for state, sentence in SENTENCES[language].items():
        page = client.post(url, {"state": state}, follow=True).content.decode()
        assert sentence in page
        assert "is now" not in page


def test_the_process_page_counts_the_people_the_results_count(chicago):
    survey = Process.objects.get(jurisdiction=chicago, kind="survey", state="open")
    participant_for(process=survey, identity=Identity.web_session(secrets.token_urlsafe(9)))
    client = Client()
    detail = client.get(reverse("processes:detail", args=["chicago", survey.pk])).content.decode()
    counted = re.search(r"<dt>People who sent their answers</dt><dd>(\d+)</dd>", detail)
    assert counted is not None
    results = client.get(reverse("listening:results", args=["chicago", survey.pk]))
    answered = re.search(r"(\d+) (?:person has|people have) answered", results.content.decode())
    assert answered is not None
    assert counted.group(1) == answered.group(1)
    assert survey.participants.count() > int(counted.group(1))  # the unfinished start
