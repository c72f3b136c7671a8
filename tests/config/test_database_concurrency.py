"""Concurrent writers on the configured database, each thread with its own connection as each
web worker has: on SQLite (a file, as the embedded set-up's) WAL, BEGIN IMMEDIATE and the busy
timeout make writers wait their turn, so no request fails with "database is locked"."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cpps.listening.models import Response
from cpps.participation.services import eligibility_set, one_time_links_issue
from cpps.processes.models import Process, ProcessState

pytestmark = pytest.mark.django_db(transaction=True)

SUBMISSION = {
    "language": "en",
    "area": "8",
    "demographics": {"age_band": "35_44", "sex": "female", "race_ethnicity": "hispanic_latino"},
    "answers": {
        "safe_crime": ["6"],
        "safe_day": ["7"],
        "safe_night": ["4"],
        "police_listen": ["5"],
        "police_respect": ["6"],
        "police_explain": ["3"],
        "police_accountable": ["2"],
        "police_contact": ["no"],
        "worries": ["theft", "traffic"],
        "safer_one_thing": ["More lights"],
    },
}


def all_at_once(count: int, work: Callable[[int], object]) -> list[object]:
    """Run `work(0)` ... `work(count - 1)` in threads released together; return the results
    (an exception counts as the result)."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(number: int) -> None:
        try:
            barrier.wait()
            results[number] = work(number)
        except Exception as error:  # reported as the thread's result
            results[number] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def open_survey(chicago) -> Process:
    return Process.objects.filter(
        jurisdiction=chicago, kind="survey", state=ProcessState.OPEN
    ).first()


def test_twenty_concurrent_redemptions_of_one_link_give_one_success(chicago, accounts):
    process = open_survey(chicago)
    (token,) = one_time_links_issue(user=accounts["facilitator"], process=process, count=1)
    url = reverse("participation:take_part", args=[token])
    responses = all_at_once(20, lambda _number: Client().post(url))
    assert Counter(getattr(r, "status_code", repr(r)) for r in responses) == {302: 1, 400: 19}
    refusals = [r.content.decode() for r in responses if r.status_code == 400]
    assert all("This link has already been used" in page for page in refusals)


def test_sixteen_concurrent_writers_are_all_stored(chicago, accounts):
    process = open_survey(chicago)
    # Sixteen writers from one test address: the open survey's per-network limit is not the
    # subject here (tests/participation covers it), the database's concurrency is.
    eligibility_set(user=accounts["facilitator"], process=process, mode="open", network_limit=0)
    url = f"/api/jurisdictions/chicago/surveys/{process.pk}/responses"

    def submit(number: int) -> list[int]:
        client = Client()
        return [
            client.post(
                url,
                json.dumps({**SUBMISSION, "client_id": f"concurrent-{number:02d}-{n}"}),
                content_type="application/json",
            ).status_code
            for n in range(4)
        ]

    statuses = all_at_once(16, submit)
    assert all(isinstance(batch, list) for batch in statuses), statuses
    assert Counter(status for batch in statuses for status in batch) == {201: 64}
    assert Response.objects.filter(client_id__startswith="concurrent-").count() == 64
