"""The civic lottery end to end in Chromium: set up, invite (PDF letters, text messages to a phone
list), register 200 people of a real sortition instance (web without JavaScript, paper, and the
rest through the service), freeze, compute, draw, withdraw and replace, then verify the
downloaded transcript."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from cpps.panels import services
from cpps.panels.adapters import value_labels
from cpps.panels.models import Invitation, Panel, PanelStage, Registration
from cpps.processes.models import Process
from tests.panels.support import (
    DATA,
    address_list,
    instance_rows,
    randomness_due,
    randomness_now_public,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def label(value):
    return value_labels(value)[0]


def sign_in(context, base_url, user):
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )


def assert_accessible(page):
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    found = [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]
    assert not found, (page.url, found)


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"panels-{name}.png"), full_page=True)


def test_lottery_end_to_end(browser, live_server, chicago, accounts, tmp_path):
    process = Process.objects.get(jurisdiction=chicago, kind="panel")
    base = live_server.url
    manage = f"{base}/j/{chicago.slug}/panels/{process.pk}/manage/"
    context = browser.new_context(accept_downloads=True)
    sign_in(context, base, accounts["facilitator"])
    page = context.new_page()

    # 1. Set up: census quotas first, then the instance's own quotas file.
    page.goto(manage)
    page.get_by_label("Panel size").fill("20")
    page.get_by_label("Stipend offered (leave empty if none)").fill("$250 for five sessions")
    page.get_by_label("Childcare offered").check()
    page.get_by_label("Phone number to register by phone").fill("(312) 555-0142")
    page.get_by_role("button", name="Set up again").click()
    assert "census quotas" in page.content()
    assert_accessible(page)
    shot(page, "1-setup")
    page.get_by_label("Quotas file (CSV: category,feature,min,max)").set_input_files(
        str(DATA / "categories.csv")
    )
    page.get_by_role("button", name="Upload quotas").click()
    assert "replaced by the uploaded file" in page.content()

    # 2. Invite: a malformed list is refused with row and column, then the real one.
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"address,zip\n1 Main St,60601\n=cmd|' /C calc'!A0,60602\n")
    page.get_by_label("Address list").set_input_files(str(bad))
    page.get_by_label("Households to invite").fill("1")
    page.get_by_role("button", name="Draw and invite households").click()
    assert "Row 3, column “address” starts with “=”" in page.content(), page.inner_text(".messages")
    shot(page, "2-bad-upload")
    addresses = tmp_path / "addresses.csv"
    addresses.write_bytes(address_list(260))
    page.get_by_label("Address list").set_input_files(str(addresses))
    page.get_by_label("Households to invite").fill("200")
    page.get_by_role("button", name="Draw and invite households").click()
    assert "200 households were drawn at random" in page.content()
    # 200 letters take a few seconds to draw; on a loaded machine, more than the default 30 s.
    with page.expect_download(timeout=180_000) as download:
        page.get_by_role("link", name="Download 200 invitation letters").click(no_wait_after=True)
    pdf = tmp_path / "letters.pdf"
    download.value.save_as(pdf)
    letters = PdfReader(pdf)
    assert len(letters.pages) == 200
    assert "not by the police" in letters.pages[0].extract_text()
    page.get_by_role("button", name="Record the letters as posted").click()
    assert "200 letters were recorded as sent" in page.content()

    # 3. Register: the first person on the web without JavaScript, the second on paper,
    #    the other 198 of example_small_20 through the same service.
    panel = Panel.objects.get(process=process)
    invitations = list(Invitation.objects.filter(panel=panel).order_by("pk"))
    rows = instance_rows()
    resident = browser.new_context(java_script_enabled=False)
    web = resident.new_page()
    web.goto(f"{base}/j/{chicago.slug}/panels/{process.pk}/register/?code={invitations[0].code}")
    web.get_by_label(label(rows[0]["gender"]), exact=True).check()
    web.get_by_label(label(rows[0]["leaning"]), exact=True).check()
    web.get_by_label("Weekday evenings").check()
    web.get_by_label("Your name").fill("Resident web")
    web.get_by_label("Phone number").fill("773-555-0100")
    web.get_by_role("button", name="Register").click()
    assert "you are registered" in web.content()
    shot(web, "3-registered")
    resident.close()

    page.goto(manage + "paper/")
    assert_accessible(page)
    page.get_by_label("Your code (on your letter)").fill(invitations[1].code.lower())
    page.get_by_label(label(rows[1]["gender"]), exact=True).check()
    page.get_by_label(label(rows[1]["leaning"]), exact=True).check()
    page.get_by_label("Your name").fill("Resident paper")
    page.get_by_label("Email").fill("paper@example.org")
    page.get_by_role("button", name="Save the form").click()
    assert "The paper form was entered" in page.content()
    for number in range(2, 200):
        services.registration_create(
            panel=panel,
            code=invitations[number].code,
            answers=rows[number],
            name=f"Resident {number}",
            email=f"r{number}@example.org",
        )
    assert Registration.objects.filter(panel=panel).count() == 200

    # A phone list: three more households, invited by text message (kept in the local outbox).
    phones = tmp_path / "phones.csv"
    phones.write_bytes(b"phone\n(312) 555-0181\n(312) 555-0182\n+1 312 555 0183\n")
    page.goto(manage)
    page.get_by_label("Address list").set_input_files(str(phones))
    page.get_by_label("Households to invite").fill("3")
    page.get_by_role("button", name="Draw and invite households").click()
    page.get_by_role("button", name="Send invitations by text message").click()
    assert "3 invitations by text message are on their way" in page.content()
    page.get_by_role("link", name="Invitations with addresses, numbers and what was sent").click()
    assert page.content().count("Kept in the local outbox, not sent") == 3
    assert_accessible(page)
    shot(page, "3-text-invitations")

    # 4. Freeze and commit; 5. compute; 6. draw.
    page.goto(manage)
    page.get_by_label("Declared source of public randomness").fill(
        "Illinois Pick 4 evening draw of 2026-12-04, four digits in order"
    )
    due = timezone.localtime(randomness_due()).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("When that randomness will be published").fill(due)
    page.get_by_role("button", name="Freeze and publish the commitment").click()
    assert "commitment is published" in page.content()
    page.get_by_role("button", name="Compute the lottery").click()
    assert "1000 equally likely panels" in page.content()
    assert_accessible(page)
    shot(page, "4-computed")
    # Entered before the declared time, the randomness is refused: "not yet".
    page.get_by_label("The public randomness, exactly as published").fill("4 1 7 9")
    page.get_by_role("button", name="Draw the panel").click()
    assert "Not yet" in page.content()
    assert_accessible(page)
    shot(page, "4-not-yet")
    randomness_now_public(panel)
    page.get_by_label("The public randomness, exactly as published").fill("4 1 7 9")
    page.get_by_role("button", name="Draw the panel").click()
    assert "The panel was drawn and published" in page.content()
    panel.refresh_from_db()
    assert panel.stage == PanelStage.DRAWN

    # 7. A member withdraws; the first fitting alternate takes the seat.
    leaving = panel.draw["panel"][0]
    page.get_by_role("button", name=f"Record that {leaving} withdrew").click()
    assert "was replaced by" in page.content()
    assert_accessible(page)
    shot(page, "5-replaced")

    # 8. The public report, seen by a visitor without an account; the transcript verifies.
    visitor = browser.new_context(accept_downloads=True).new_page()
    visitor.goto(f"{base}/j/{chicago.slug}/panels/{process.pk}/")
    assert "Panel composition against the census and the quotas" in visitor.content()
    assert "Resident web" not in visitor.content()
    assert_accessible(visitor)
    shot(visitor, "6-report")
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="The whole transcript (ZIP)").click()
    archive = tmp_path / "transcript.zip"
    download.value.save_as(archive)
    zipfile.ZipFile(archive).extractall(tmp_path)
    verify = subprocess.run(
        [
            str(Path(sys.executable).parent / "cpps"),
            "panel",
            "verify",
            str(tmp_path / f"panel-{process.pk}-transcript"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0, verify.stderr
    panel.refresh_from_db()
    assert panel.commitment_digest in verify.stdout
    context.close()
