"""A whole conversation across roles, in a real Chromium: a facilitator convenes and seeds it,
more than two hundred residents vote by web (some with JavaScript off, on a phone) and by text
message (signed like Twilio), statements are submitted and moderated, the analysis runs, and
the results show the groups with their statements and the view weighted to the census. The
police liaison reads the results and can neither moderate nor see who voted what. Voting,
moderation and results are checked with axe-core at 1280 and 390 px, in English and Spanish."""

from __future__ import annotations

import io
import random
import re
import zipfile
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import Client

from cpps.audit.models import AuditEvent
from cpps.deliberation.models import Analysis, Statement, Vote
from cpps.participation.models import Participant
from cpps.participation.services import eligibility_set
from cpps.processes.models import Process
from tests.support.twilio import TOKEN, sms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SHOWN = re.compile(r'name="statement" value="(\d+)"')
SEEDS = [
    "The bus stop on my corner needs a light.",
    "Officers should live in the district they police.",
    "Block parties make the street safer.",
    "There should be a crisis number that is not the police.",
    "Schools need more counsellors, not more guards.",
    "Abandoned buildings should be secured within a week.",
    "Neighbours should meet the district commander every month.",
    "Speed bumps on residential streets save lives.",
]
SPAM = "Buy cheap phones at the corner shop, best prices!"


def context_for(browser, base, user=None, *, width=1280, language="en", javascript=True):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    cookies = [{"name": "django_language", "value": language, "url": base}]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookies.append(
            {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}
        )
    context.add_cookies(cookies)
    return context


def check(page, name, *, javascript=True):
    """A screenshot to look at, no horizontal scrolling, and no axe-core violation.

    Scripts cannot run in a page whose JavaScript is off (Playwright's evaluate would wait for
    ever), so such a page is measured and checked as the same URL with the same cookies in a
    twin page that runs them; the page's markup is the same."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"deliberation-{name}.png"), full_page=True)
    twin = None
    if not javascript:
        twin = page.context.browser.new_context(viewport=page.viewport_size)
        twin.add_cookies(page.context.cookies())
        measured = twin.new_page()
        measured.goto(page.url)
        page = measured
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: {overflow}px wider than the window"
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    if twin is not None:
        twin.close()
    found = [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]
    assert found == [], f"{name}: {found}"


def camp_value(camp: int, number: int, rng: random.Random) -> str:
    """Two camps that split on the even statements and share the odd ones (common ground)."""
    if number % 2 == 0:
        agrees = (camp == 0) == (rng.random() < 0.9)
        return "1" if agrees else "-1"
    return "1" if rng.random() < 0.85 else "0"


def residents_vote_over_http(vote_url: str, count: int, rng: random.Random) -> None:
    """Residents using the same no-JavaScript form, each saying where they live or not."""
    for n in range(count):
        client = Client()
        start = {"action": "start"}
        if n % 3:
            start["area"] = rng.choice(["7", "8"])
        assert client.post(vote_url, start).status_code == 302
        camp = n % 2
        for _ in range(8):
            found = SHOWN.search(client.get(vote_url).content.decode())
            if found is None:
                break
            number = int(found.group(1))
            vote = {"action": "vote", "statement": number, "value": camp_value(camp, number, rng)}
            assert client.post(vote_url, vote).status_code == 302
        if n in (5, 6):
            added = {"action": "add", "text": f"Street lights on block {n} should be fixed."}
            assert client.post(vote_url, added).status_code == 302
        if n == 7:
            assert client.post(vote_url, {"action": "add", "text": SPAM}).status_code == 302


def residents_vote_by_text(process: Process, count: int, rng: random.Random) -> None:
    hook = f"/hooks/sms/{process.pk}/"
    for n in range(count):
        phone = f"+1312555{n:04d}"
        sms(hook, "hello", phone=phone)
        reply = sms(hook, "1", phone=phone)  # English
        for _ in range(6):
            if "Reply A to agree" not in reply:
                break
            reply = sms(hook, rng.choice(["A", "D", "P", "1", "2"]), phone=phone)


def test_a_whole_conversation_across_roles(browser, live_server, chicago, accounts, settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    base, slug = live_server.url, chicago.slug
    facilitator = context_for(browser, base, accounts["facilitator"]).new_page()
    council = context_for(browser, base, accounts["council_member"]).new_page()
    police = context_for(browser, base, accounts["police_liaison"]).new_page()

    # 1. A facilitator convenes the conversation, pre-moderated, and seeds it.
    facilitator.goto(f"{base}/j/{slug}/processes/new/")
    facilitator.get_by_label("Kind of process").select_option(label="Deliberation")
    facilitator.get_by_label("Title").fill("What would make our blocks safer?")
    facilitator.get_by_label("Purpose").fill("Residents of the 7th and 8th say what matters.")
    facilitator.get_by_label("7 \N{EN DASH} Englewood", exact=True).check()
    facilitator.get_by_label("8 \N{EN DASH} Chicago Lawn", exact=True).check()
    facilitator.get_by_role("button", name="Save").click()
    process = Process.objects.get(jurisdiction=chicago, title="What would make our blocks safer?")
    conversation_url = f"{base}/j/{slug}/conversations/{process.pk}"
    facilitator.get_by_role("link", name="Topic, framing and seed statements").click()
    facilitator.get_by_label("The question residents respond to").fill(
        "What would make your block safer?"
    )
    facilitator.get_by_label("Statements are read by moderators before anyone sees them").check()
    facilitator.get_by_label("Seed statements to start with").fill("\n".join(SEEDS))
    facilitator.get_by_role("button", name="Save").click()
    assert facilitator.get_by_text(SEEDS[1]).first.is_visible()
    check(facilitator, "setup")
    # Everyone in this test votes from one machine, as at a workshop: no limit per connection.
    eligibility_set(user=accounts["facilitator"], process=process, mode="open", network_limit=0)
    facilitator.goto(f"{base}/j/{slug}/processes/{process.pk}/")
    facilitator.get_by_role("button", name="Open for taking part").click()
    process.refresh_from_db()
    assert process.state == "open"

    # 2. A resident on a phone without JavaScript says where they live, votes, adds, reports.
    phone = context_for(browser, base, width=390, javascript=False).new_page()
    phone.goto(f"{conversation_url}/vote/")
    check(phone, "vote-start-390-en", javascript=False)
    phone.get_by_text("Optional: tell us about yourself").click()
    phone.get_by_label("Where do you live?").select_option("7")
    phone.get_by_role("button", name="Start").click()
    check(phone, "vote-390-en", javascript=False)
    for _ in range(4):
        phone.get_by_role("button", name="Agree", exact=True).click()
    phone.get_by_role("button", name="Disagree", exact=True).click()
    phone.get_by_text("Report this statement to moderators").click()
    phone.get_by_label("Why should moderators look at this statement?").select_option(index=1)
    phone.get_by_role("button", name="Report").click()
    phone.get_by_label("Your statement").fill("Benches at the bus stop, please.")
    phone.get_by_role("button", name="Send my statement").click()
    assert phone.get_by_text("moderators will read your statement").is_visible()
    resident = Participant.objects.get(process=process, channel="web")
    assert resident.demographics == {"area": "7"}
    assert Vote.objects.filter(participant=resident).count() == 5

    # The same page in Spanish at both widths, with JavaScript on.
    for width in (1280, 390):
        spanish = context_for(browser, base, width=width, language="es").new_page()
        spanish.goto(f"{conversation_url}/vote/")
        spanish.get_by_role("button", name="Empezar").click()
        check(spanish, f"vote-{width}-es")
        spanish.context.close()

    # 3. Two hundred residents by web, twenty by text message.
    rng = random.Random(2026)
    residents_vote_over_http(f"/j/{slug}/conversations/{process.pk}/vote/", 200, rng)
    residents_vote_by_text(process, 20, rng)
    assert Participant.objects.filter(process=process, channel="sms").count() == 20
    assert Participant.objects.filter(process=process).count() >= 223

    # 4. A council member moderates: takes residents' statements in, the advert out.
    council.goto(f"{conversation_url}/moderate/")
    check(council, "moderate-1280-en")
    for text in ("Benches at the bus stop, please.", "Street lights on block 5 should be fixed."):
        council.get_by_label(text, exact=False).check()
    council.get_by_role("button", name="Take the chosen statements in").click()
    council.get_by_label(SPAM, exact=False).check()
    council.get_by_label("Public reason").fill("Advertising is not part of the conversation.")
    council.get_by_role("button", name="Take the chosen statements out").click()
    states = dict(Statement.objects.filter(process=process).values_list("text", "state"))
    assert states["Benches at the bus stop, please."] == "accepted"
    assert states[SPAM] == "rejected"
    for width, language in ((390, "en"), (1280, "es"), (390, "es")):
        other = context_for(
            browser, base, accounts["council_member"], width=width, language=language
        ).new_page()
        other.goto(f"{conversation_url}/moderate/")
        check(other, f"moderate-{width}-{language}")
        other.context.close()

    # 5. The analysis runs (in-process here, as a task in production) and is stored.
    facilitator.goto(f"{conversation_url}/results/")
    facilitator.get_by_role("button", name="Analyse now").click()
    analysis = Analysis.objects.filter(process=process).latest("computed_at")
    assert analysis.participants >= 200

    # 6. Everyone, police included, reads groups with statement text and the weighted view.
    police.goto(f"{conversation_url}/results/")
    assert police.get_by_role("heading", name="Group A", exact=True).is_visible()
    assert police.get_by_role("heading", name="Group B", exact=True).is_visible()
    assert police.get_by_role("heading", name="Common ground", exact=True).is_visible()
    assert police.locator("table").filter(has_text="What sets group A apart").is_visible()
    assert police.locator("svg.opinion-map").is_visible()
    assert police.get_by_role("heading", name="Group sizes, as counted and weighted").is_visible()
    assert police.get_by_role("button", name="Analyse now").count() == 0
    page = police.content()
    assert any(seed in page for seed in SEEDS[::2])
    assert SPAM not in page
    assert resident.pseudonym not in page
    check(police, "results-1280-en")
    for width, language in ((390, "en"), (1280, "es"), (390, "es")):
        public = context_for(browser, base, width=width, language=language).new_page()
        public.goto(f"{conversation_url}/results/")
        check(public, f"results-{width}-{language}")
        public.context.close()

    # 7. The police can neither moderate, set up, print, export, nor list who took part.
    client = Client()
    client.force_login(accounts["police_liaison"])
    for suffix in ("moderate/", "setup/", "paper/", "polis/", "polis/export.zip"):
        response = client.get(f"/j/{slug}/conversations/{process.pk}/{suffix}")
        assert response.status_code == 403, suffix
    participants = client.get(f"/j/{slug}/processes/{process.pk}/taking-part/participants/")
    assert participants.status_code == 403
    assert (
        resident.pseudonym
        not in client.get(
            f"/api/jurisdictions/{slug}/conversations/{process.pk}/analysis"
        ).content.decode()
    )

    # 8. The rejected advert is in no public record and no export; the log still verifies.
    audit = client.get(f"/j/{slug}/record/").content.decode()
    assert "Advertising is not part of the conversation." in audit
    assert SPAM not in audit
    assert not AuditEvent.objects.filter(payload__icontains="cheap phones").exists()
    exporter = Client()
    exporter.force_login(accounts["facilitator"])
    archive = zipfile.ZipFile(
        io.BytesIO(exporter.get(f"/j/{slug}/conversations/{process.pk}/polis/export.zip").content)
    )
    for name in archive.namelist():
        assert "cheap phones" not in archive.read(name).decode(), name
    call_command("audit", "verify")
    for opened in (facilitator, council, police, phone):
        opened.context.close()
