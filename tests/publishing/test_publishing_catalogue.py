"""The open-data catalogue, its downloads, its Frictionless descriptor and the Atom feed, on the
demo jurisdiction through the real services: public (police too), every dataset listed with its
dictionary, every CSV export of the site safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from django.test import Client

from cpps.accountability.models import Commitment
from cpps.accountability.services import progress_update_post
from cpps.audit.actions import audit_action
from cpps.common.opendata import FIELD_TYPES
from cpps.common.spreadsheets import starts_like_formula
from cpps.listening.services import response_submit
from cpps.participation.identities import Identity
from cpps.participation.services import participant_for
from cpps.priorities.services import idea_moderate, idea_submit
from cpps.processes.models import Process
from cpps.processes.services import process_transition
from tests.support.participation import sender
from tests.support.routes import all_routes, demo_world, route_values

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
HYPERLINK = '=HYPERLINK("http://evil.example","click")'
# Resource names of a Frictionless Data Package (spec: "^([-a-z0-9._/])+$").
RESOURCE_NAME = re.compile(r"^[-a-z0-9._/]+$")


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def catalogue_names(client: Client) -> list[str]:
    page = client.get("/j/chicago/data/").content.decode()
    return re.findall(r'id="dataset-([^"]+)"', page)


@pytest.fixture
def police(accounts) -> Client:
    client = Client()
    client.force_login(accounts["police_liaison"])
    return client


def test_the_catalogue_lists_every_published_dataset_for_anyone_and_police(chicago, police):
    """Surveys whose results are out, the priorities ranking, the scorecard, the conversation's
    results, the commitments and the public record; each with CSV, JSON and a dictionary."""
    names = catalogue_names(police)
    published = Process.objects.get(jurisdiction=chicago, kind="survey", state="published")
    assert f"survey-{published.pk}-results" in names
    for draft_or_open in Process.objects.filter(
        jurisdiction=chicago, kind="survey", state__in=["draft", "open"]
    ):
        assert f"survey-{draft_or_open.pk}-results" not in names  # results not public yet
    assert {"commitments", "public-record", "public-record-resident-acts-per-day"} <= set(names)
    assert any(name.startswith("priorities-") for name in names)
    assert any(name.startswith("scorecard-") for name in names)
    assert any(name.startswith("conversation-") for name in names)
    page = Client().get("/j/chicago/data/").content.decode()
    assert "Data dictionary" in page
    assert "CC-BY-4.0" in page
    assert 'class="table-scroll"' in page
    for name in names:
        header = csv_rows(police.get(f"/j/chicago/data/{name}.csv"))[0]
        document = police.get(f"/j/chicago/data/{name}.json").json()
        assert [field["name"] for field in document["fields"]] == header, name
        assert all(len(row) == len(header) for row in document["rows"])
        assert document["license"]["name"] == "CC-BY-4.0"


def test_an_unknown_dataset_is_not_found(chicago):
    assert Client().get("/j/chicago/data/no-such-table.csv").status_code == 404
    assert Client().get("/j/nowhere/data/").status_code == 404


def test_the_datapackage_descriptor_follows_the_frictionless_spec(chicago):
    """The spec's required keys: a non-empty ``resources`` list; each resource a name that
    matches the spec's pattern and a path; a tabular resource a Table Schema whose fields have
    names and known types, which are the columns of the CSV at that path."""
    client = Client()
    descriptor = client.get("/j/chicago/data/datapackage.json").json()
    assert descriptor["profile"] == "tabular-data-package"
    assert RESOURCE_NAME.match(descriptor["name"])
    assert descriptor["licenses"][0]["name"]
    assert descriptor["licenses"][0]["path"]
    datetime.fromisoformat(descriptor["created"])
    resources = descriptor["resources"]
    assert resources
    names = [resource["name"] for resource in resources]
    assert len(names) == len(set(names))
    assert names == catalogue_names(client)
    for resource in resources:
        assert RESOURCE_NAME.match(resource["name"])
        assert resource["profile"] == "tabular-data-resource"
        assert resource["path"].startswith("http://testserver/j/chicago/data/")
        assert resource["format"] == "csv"
        assert resource["mediatype"] == "text/csv"
        fields = resource["schema"]["fields"]
        assert fields
        assert all(field["type"] in FIELD_TYPES for field in fields)
        header = csv_rows(client.get(resource["path"].removeprefix("http://testserver")))[0]
        assert [field["name"] for field in fields] == header


def test_the_public_record_dataset_gives_residents_acts_only_as_counts_per_day(chicago):
    client = Client()
    events = csv_rows(client.get("/j/chicago/data/public-record.csv"))
    header = events[0]
    assert "resident" not in {row[header.index("actor_role")] for row in events[1:]}
    daily = csv_rows(client.get("/j/chicago/data/public-record-resident-acts-per-day.csv"))
    assert daily[0] == ["day", "action", "events"]
    counted = {row[1] for row in daily[1:]}
    assert {"priority.idea_submitted", "survey.paper_keyed"} <= counted
    assert all(audit_action(name).residents_act for name in counted)
    # the payload column is JSON text that reads back
    assert json.loads(events[1][header.index("payload")])["name"] == "Chicago"


def atom(client: Client) -> ET.Element:
    response = client.get("/j/chicago/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own response, in a test


def assert_rfc3339(text: str | None) -> None:
    assert text
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", text)


def test_the_feed_is_valid_atom_of_what_was_published(chicago, accounts):
    """RFC 4287: the feed has an id, a title, an updated date and an author; every entry an
    id, a title, an updated date and an alternate link; ids are unique."""
    round_ = Process.objects.get(jurisdiction=chicago, kind="priority_round")
    process_transition(user=accounts["facilitator"], process=round_, to_state="closed")
    process_transition(user=accounts["facilitator"], process=round_, to_state="published")
    feed = atom(Client())
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id")
    assert feed.findtext(f"{ATOM}title")
    assert_rfc3339(feed.findtext(f"{ATOM}updated"))
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Chicago"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith("/j/chicago/feed.atom")
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        assert entry.findtext(f"{ATOM}title")
        assert_rfc3339(entry.findtext(f"{ATOM}updated"))
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert f"Results published: {round_.title} (Priority round)" == titles[0]
    assert any(title.startswith("Commitment “") for title in titles)


def test_the_feed_carries_no_residents_words_or_acts(chicago, accounts):
    round_ = Process.objects.get(jurisdiction=chicago, kind="priority_round")
    resident = participant_for(process=round_, identity=Identity.web_session("feed-writer"))
    idea_submit(participant=resident, text="Ask Mrs Lopez on 51st street")
    body = Client().get("/j/chicago/feed.atom").content.decode()
    assert "Lopez" not in body
    assert "idea" not in body.lower()


def test_the_home_page_and_catalogue_link_the_feed_and_the_catalogue(chicago):
    for path in ("/j/chicago/", "/j/chicago/data/"):
        page = Client().get(path).content.decode()
        assert (
            '<link rel="alternate" type="application/atom+xml" href="/j/chicago/feed.atom"' in page
        )
        assert 'href="/j/chicago/feed.atom">Feed of what was published (Atom)</a>' in page
    assert 'href="/j/chicago/data/"' in Client().get("/j/chicago/").content.decode()


def test_the_catalogue_and_feed_speak_spanish(chicago):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    assert "Datos abiertos" in client.get("/j/chicago/data/").content.decode()
    assert "lo que se publicó" in client.get("/j/chicago/feed.atom").content.decode()


def plant_formulas(chicago, accounts) -> None:
    """Formula text wherever officials and residents can write what an export carries."""
    walked = Commitment.objects.get(jurisdiction=chicago, title="Officers who walk the same beats")
    progress_update_post(
        user=accounts["police_liaison"],
        commitment=walked,
        status="on_track",
        narrative="+1 more beat",
        metric_value=HYPERLINK,
    )
    lights = Commitment.objects.get(
        jurisdiction=chicago, title="Broken street lights fixed within a week"
    )
    progress_update_post(
        user=accounts["city_official"],
        commitment=lights,
        status="at_risk",
        narrative="\t=1+1",
        metric_value="@SUM(2)",
    )
    round_ = Process.objects.get(jurisdiction=chicago, kind="priority_round")
    resident = participant_for(process=round_, identity=Identity.web_session("formula-writer"))
    idea = idea_submit(participant=resident, text="-2+3 more buses at night")
    idea_moderate(user=accounts["facilitator"], idea=idea, approve=True)
    survey = Process.objects.get(jurisdiction=chicago, kind="survey", state="open")
    response_submit(
        process=survey,
        client_id="formula-0003",
        identity=sender("formula-0003"),
        language="en",
        answers={"safer_one_thing": ["\r=HYPERLINK(1)"], "safe_crime": ["4"]},
    )


# Interchange files, exact copies meant for other tools, documented in the catalogue: a panel's
# lottery transcript (`cpps panel verify` reads it byte for byte) and the Polis export.
INTERCHANGE = ("transcript", "polis")


def test_every_csv_export_writes_formula_text_as_text(chicago, accounts):
    """The commitments CSV (through a police liaison's progress update), the survey results
    and answers, and every open-data table: no cell starts with = + - @ (behind spaces, a tab
    or a carriage return too) unless it is a plain number."""
    plant_formulas(chicago, accounts)
    client = Client()
    client.force_login(accounts["facilitator"])
    world = demo_world(chicago, accounts)
    exported: dict[str, list[list[str]]] = {}
    for route in all_routes():
        if ".csv" not in route.template or any(word in route.template for word in INTERCHANGE):
            continue
        names = catalogue_names(client) if "<slug:name>" in route.template else [None]
        for name in names:
            values = route_values(world, route) | ({"name": name} if name else {})
            path = route.url(values)
            response = client.get(path)
            assert response.status_code == 200, path
            exported[path] = csv_rows(response)
    assert "/j/chicago/accountability/commitments.csv" in exported
    assert "/j/chicago/data/commitments.csv" in exported
    assert any(path.endswith("/answers.csv") for path in exported)
    for path, rows in exported.items():
        for row in rows:
            assert not any(starts_like_formula(cell) for cell in row), (path, row)
    board = exported["/j/chicago/accountability/commitments.csv"]
    metric = board[0].index("latest_metric_value")
    assert {"'" + HYPERLINK, "'@SUM(2)"} <= {row[metric] for row in board[1:]}
    assert exported["/j/chicago/data/commitments.csv"] == board
    ranking = next(rows for path, rows in exported.items() if "priorities-" in path)
    assert "'-2+3 more buses at night" in {row[5] for row in ranking[1:]}
