"""The lottery pages over HTTP: the facilitator's workspace, web and paper registration, letters,
the public report and transcript, and what a police liaison can (not) reach."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cpps.common.spreadsheets import starts_like_formula
from cpps.panels import services
from cpps.panels.computation import panel_compute_run
from cpps.panels.models import Panel, PanelStage, Registration
from tests.panels.support import (
    DATA,
    address_list,
    demo_panel_process,
    instance_panel,
    randomness_due,
    randomness_now_public,
)

pytestmark = pytest.mark.django_db

SOURCE = "drand mainnet round 5200000, its randomness in hex"


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def url(name: str, process, *extra) -> str:
    return reverse(f"panels:{name}", args=[process.jurisdiction.slug, process.pk, *extra])


@pytest.fixture
def drawn(chicago, accounts, django_capture_on_commit_callbacks):
    facilitator = accounts["facilitator"]
    panel = instance_panel(chicago, facilitator)
    client = client_for(facilitator)
    process = panel.process
    due = timezone.localtime(randomness_due()).strftime("%Y-%m-%dT%H:%M")
    freeze = {"randomness_source": SOURCE, "randomness_published_at": due}
    assert client.post(url("freeze", process), freeze).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url("compute", process)).status_code == 302
    randomness_now_public(panel)
    assert client.post(url("draw", process), {"public_randomness": "ab12"}).status_code == 302
    panel.refresh_from_db()
    assert panel.stage == PanelStage.DRAWN
    return panel


def test_workspace_sets_up_and_warns_of_infeasible_quotas(chicago, accounts):
    process = demo_panel_process(chicago)
    client = client_for(accounts["council_member"])
    response = client.post(
        url("setup", process),
        {"size": 10, "variables": ["sex"], "tolerance_percent": 0, "lottery_size": 1000},
    )
    assert response.status_code == 302
    panel = Panel.objects.get(process=process)
    bounds = {f"min_{q.pk}": 7 for q in panel.quotas.all()} | {
        f"max_{q.pk}": 9 for q in panel.quotas.all()
    }
    client.post(url("quotas", process), bounds)
    page = client.get(url("manage", process)).content.decode()
    assert "add up to 14, more than the panel size of 10" in page


def test_address_upload_error_names_row_and_column(chicago, accounts):
    process = demo_panel_process(chicago)
    client = client_for(accounts["facilitator"])
    upload = SimpleUploadedFile("a.csv", b"address,zip\n1 Main St,60601\n@SUM(A1),60602\n")
    response = client.post(
        url("invitations", process),
        {"households-file": upload, "households-sample_size": 1},
        follow=True,
    )
    page = response.content.decode()
    assert "Row 3, column “address” starts with “@”" in page
    assert not process.panel.invitations.exists()


def test_letters_are_a_bilingual_pdf_page_per_household(chicago, accounts):
    process = demo_panel_process(chicago)
    client = client_for(accounts["facilitator"])
    client.post(
        url("invitations", process),
        {
            "households-file": SimpleUploadedFile("a.csv", address_list(5)),
            "households-sample_size": 3,
        },
    )
    response = client.get(url("letters", process))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    letters = PdfReader(io.BytesIO(response.content))
    assert len(letters.pages) == 3
    text = letters.pages[0].extract_text()
    assert "not by the police" in text
    assert "no la policía" in text
    assert process.panel.invitations.first().code[:4] in text.replace("-", "")


def test_web_registration_without_account_and_duplicate_code(chicago, accounts):
    process = demo_panel_process(chicago)
    panel = process.panel
    (invitation,) = services.invitations_import(
        user=accounts["facilitator"], panel=panel, data=address_list(4), sample_size=1
    )
    resident = client_for()
    page = resident.get(url("register", process) + f"?code={invitation.code}")
    assert page.status_code == 200
    assert invitation.code in page.content.decode()
    answers = {
        "code": invitation.code,
        "q_sex": "female",
        "q_age_band": "25_34",
        "name": "Rosa",
        "phone": "773 555 0100",
        "needs": ["childcare"],
    }
    done = resident.post(url("register", process), answers)
    assert done.status_code == 200
    assert "you are registered" in done.content.decode()
    again = resident.post(url("register", process), answers)
    assert again.status_code == 400
    assert "already been used" in again.content.decode()
    assert Registration.objects.filter(panel=panel).count() == 1
    # Signed-in people key in paper forms instead.
    assert client_for(accounts["facilitator"]).get(url("register", process)).status_code == 409


def test_paper_entry_by_facilitator(chicago, accounts):
    process = demo_panel_process(chicago)
    (invitation,) = services.invitations_import(
        user=accounts["facilitator"], panel=process.panel, data=address_list(2), sample_size=1
    )
    client = client_for(accounts["facilitator"])
    response = client.post(
        url("paper", process),
        {
            "code": invitation.code,
            "q_sex": "male",
            "q_age_band": "65_plus",
            "name": "Luis",
            "email": "luis@example.org",
        },
    )
    assert response.status_code == 302
    assert Registration.objects.get(invitation=invitation).channel == "paper"
    assert client_for(accounts["police_liaison"]).get(url("paper", process)).status_code == 403


def test_public_report_and_transcript_verify_with_the_cli(drawn, accounts, tmp_path):
    process = drawn.process
    public = client_for()
    page = public.get(url("report", process)).content.decode()
    assert drawn.commitment_digest in page
    assert "Panel composition against the census" in page
    assert "Resident 1" not in page
    archive = public.get(url("transcript_zip", process))
    zipfile.ZipFile(io.BytesIO(archive.content)).extractall(tmp_path)
    folder = tmp_path / f"panel-{process.pk}-transcript"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cpps"), "panel", "verify", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert drawn.commitment_digest in result.stdout
    single = public.get(url("transcript_file", process, "draw.json"))
    assert single.status_code == 200
    assert b'"seed"' in single.content


def test_the_published_transcript_has_no_cell_a_spreadsheet_would_run(drawn):
    """Its CSV files must stay byte for byte what `cpps panel verify` re-derives, so they are
    never rewritten: the importers refuse formula cells (tests/common/test_spreadsheets.py) and
    every other value is a census name, a code or a number."""
    public = client_for()
    for name in ("categories.csv", "respondents.csv", "probabilities.csv"):
        body = public.get(url("transcript_file", drawn.process, name)).content.decode()
        for row in csv.reader(io.StringIO(body)):
            assert not any(starts_like_formula(cell) for cell in row), (name, row)


def test_withdrawal_replacement_through_the_page(drawn, accounts):
    process = drawn.process
    client = client_for(accounts["facilitator"])
    leaving = drawn.draw["panel"][3]
    response = client.post(url("withdraw", process), {"person": leaving}, follow=True)
    assert "was replaced by" in response.content.decode()
    drawn.refresh_from_db()
    assert leaving not in drawn.draw["panel"]
    assert len(drawn.draw["replacements"]) == 1


def test_police_liaison_sees_only_published_results(drawn, accounts):
    process = drawn.process
    police = client_for(accounts["police_liaison"])
    for name in ("manage", "registrations", "letters", "paper"):
        assert police.get(url(name, process)).status_code == 403, name
    before = (Panel.objects.get(pk=drawn.pk).draw, Registration.objects.count())
    for name in (
        "setup",
        "quotas",
        "invitations",
        "invitations_sent",
        "freeze",
        "compute",
        "draw",
        "withdraw",
    ):
        response = police.post(url(name, process), {"person": drawn.draw["panel"][0]})
        assert response.status_code == 403, name
    assert (Panel.objects.get(pk=drawn.pk).draw, Registration.objects.count()) == before
    report = police.get(url("report", process)).content.decode()
    assert not re.search(r"Resident \d", report)
    assert "example.org" not in report
    respondents = police.get(url("transcript_file", process, "respondents.csv")).content
    assert b"Resident " not in respondents
    assert b"Example St" not in respondents


def test_quota_file_upload_replaces_quotas(chicago, accounts):
    process = demo_panel_process(chicago)
    client = client_for(accounts["council_member"])
    upload = SimpleUploadedFile("categories.csv", (DATA / "categories.csv").read_bytes())
    client.post(url("quotas_upload", process), {"quotas-file": upload})
    categories = set(process.panel.quotas.values_list("category", flat=True))
    assert categories == {"gender", "leaning"}


def test_progress_is_shown_while_computing_and_failures_are_reported(drawn, accounts):
    """The workspace refreshes itself (no JavaScript) while the task runs, and a solver failure
    sends the panel back to the frozen stage with the reason shown."""
    process = drawn.process
    Panel.objects.filter(pk=drawn.pk).update(
        stage=PanelStage.COMPUTING, progress=0.4, progress_message="column generation round 3"
    )
    client = client_for(accounts["facilitator"])
    response = client.get(url("manage", process))
    assert response["Refresh"] == "2"
    page = response.content.decode()
    assert 'value="40"' in page
    assert "column generation round 3" in page
    panel = Panel.objects.get(pk=drawn.pk)
    panel.frozen_quotas = [["gender", "female", 19, 20], ["gender", "male", 19, 20]]
    panel.save()
    panel_compute_run(panel=panel)
    panel.refresh_from_db()
    assert panel.stage == PanelStage.FROZEN
    assert "Compute the lottery" in client.get(url("manage", process)).content.decode()
    assert panel.compute_error


def test_draw_page_says_not_yet_before_the_declared_time(
    chicago, accounts, django_capture_on_commit_callbacks
):
    facilitator = accounts["facilitator"]
    panel = instance_panel(chicago, facilitator)
    client = client_for(facilitator)
    process = panel.process
    past = {"randomness_source": SOURCE, "randomness_published_at": "2020-01-01T20:00"}
    page = client.post(url("freeze", process), past, follow=True).content.decode()
    assert "already passed" in page
    missing = client.post(url("freeze", process), {"randomness_source": SOURCE}, follow=True)
    assert Panel.objects.get(pk=panel.pk).stage == PanelStage.SETUP
    assert "When that randomness will be published" in missing.content.decode()

    due = timezone.localtime(randomness_due()).strftime("%Y-%m-%dT%H:%M")
    freeze = {"randomness_source": SOURCE, "randomness_published_at": due}
    assert client.post(url("freeze", process), freeze).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("compute", process))
    page = client.post(url("draw", process), {"public_randomness": "ab12"}, follow=True)
    assert "Not yet" in page.content.decode()
    assert Panel.objects.get(pk=panel.pk).stage == PanelStage.COMPUTED
    assert "the draw refuses it before then" in page.content.decode()
