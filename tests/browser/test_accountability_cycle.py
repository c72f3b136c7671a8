"""The whole accountability cycle across roles, in a real Chromium: a charter signed by both
sides, a priority round with 300 pairwise votes, a commitment drafted from the top priority,
approved by the council and accepted by the police, an update, a missed deadline flagged by the
periodic task, residents' ratings, and the public board showing all of it. Every new page is
checked with axe-core, and residents take part with JavaScript turned off."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from twilio.request_validator import RequestValidator

from cpps.accountability.models import Commitment
from cpps.accountability.services import commitments_flag
from cpps.participation.services import eligibility_set
from cpps.processes.models import Process

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAIR = re.compile(r'name="pair_(a|b)" value="(\d+)"')


def signed_in(browser, base, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    return context.new_page()


def check(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"accountability-{name}.png"), full_page=True)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    found = [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]
    assert found == [], f"{name}: {found}"


def vote_over_http(base_client, url, count, rng):
    """Residents answering the pairs the round shows them, through the same no-JS form."""
    for i in range(count):
        if i % 10 == 0:
            base_client.cookies.clear()
            base_client.post(url, {"action": "start", "area": rng.choice(["7", "8"])})
        page = base_client.get(url).content.decode()
        pair = dict(PAIR.findall(page))
        a, b = int(pair["a"]), int(pair["b"])
        choice = min(a, b) if rng.random() < 0.8 else max(a, b)
        response = base_client.post(url, {"pair_a": a, "pair_b": b, "choice": choice})
        assert response.status_code == 302


def vote_by_text(process, count, settings):
    """A resident texting "1" or "2" to the round's number (signed like Twilio would)."""
    settings.TWILIO_AUTH_TOKEN = "cycle-token"
    client, url = Client(), f"/hooks/sms/processes/{process.pk}/"
    for i in range(count + 1):
        # The first "1" chooses English; each later one chooses the first idea of a pair.
        params = {"MessageSid": f"SM{i:032d}", "From": "+13125550199", "Body": "1"}
        signature = RequestValidator("cycle-token").compute_signature(
            f"http://testserver{url}", params
        )
        response = client.post(
            url,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=signature,
        )
        assert "Reply 1 or 2" in response.content.decode()


def test_the_whole_cycle_across_roles(browser, live_server, chicago, accounts, settings):
    base = live_server.url
    slug = chicago.slug
    facilitator = signed_in(browser, base, accounts["facilitator"])
    council = signed_in(browser, base, accounts["council_member"])
    police = signed_in(browser, base, accounts["police_liaison"])

    # 1. A new charter version, drafted by the community, takes effect when both sides sign.
    facilitator.goto(f"{base}/j/{slug}/accountability/charter/new/")
    check(facilitator, "charter-form")
    facilitator.get_by_label("What the partnership agrees to").fill(
        "Version two: residents review commitments every quarter."
    )
    facilitator.get_by_label(f"#{accounts['council_member'].pk} (Community council member)").check()
    facilitator.get_by_label("Quorum: votes needed before the council decides").fill("1")
    facilitator.get_by_label("Chicago Police Department, 7th District").check()
    facilitator.get_by_label("Street lighting (Department of Transportation)").check()
    facilitator.get_by_role("button", name="Save").click()
    assert facilitator.get_by_text("It takes effect when both sides sign it.").is_visible()
    council.goto(f"{base}/j/{slug}/accountability/charter/")
    council.get_by_role("button", name="Sign for the community council").click()
    police.goto(f"{base}/j/{slug}/accountability/charter/")
    police.get_by_role("button", name="Sign for my department or service").click()
    assert police.get_by_text("Both sides have signed").is_visible()
    check(police, "charter")

    # 2. The round: one more seeded idea, then 300 "which matters more?" choices.
    round_ = Process.objects.get(jurisdiction=chicago, kind="priority_round")
    # Every resident of this test votes from one machine, as at a workshop: no limit per address.
    eligibility_set(user=accounts["facilitator"], process=round_, mode="open", network_limit=0)
    facilitator.goto(f"{base}/j/{slug}/priorities/{round_.pk}/ideas/")
    check(facilitator, "seed")
    facilitator.get_by_label("Idea in English").fill("Street outreach workers at night")
    facilitator.get_by_label("Idea in Spanish").fill("Trabajadores de calle por la noche")
    facilitator.get_by_role("button", name="Add the idea").click()
    assert facilitator.get_by_text("The idea was added to the round.").is_visible()

    resident = browser.new_context(java_script_enabled=False).new_page()
    vote_url = f"{base}/j/{slug}/priorities/{round_.pk}/vote/"
    resident.goto(vote_url)
    resident.get_by_text("Optional: tell us about yourself").click()
    resident.get_by_label("Where do you live?").select_option("7")
    resident.get_by_label("35 to 44").check()
    resident.screenshot(path=str(ARTIFACTS / "accountability-vote-start-nojs.png"), full_page=True)
    resident.get_by_role("button", name="Start").click()
    for _ in range(20):
        resident.locator("button.choice-button").first.click()
    assert resident.get_by_text("You have made 20 choices.").is_visible()
    resident.get_by_label("Your idea").fill("Better bus shelters")
    resident.get_by_role("button", name="Send my idea").click()
    assert resident.get_by_text("Community moderators will add your idea soon.").is_visible()
    resident.screenshot(path=str(ARTIFACTS / "accountability-vote-nojs.png"), full_page=True)
    vote_by_text(round_, 10, settings)
    vote_over_http(Client(), f"/j/{slug}/priorities/{round_.pk}/vote/", 270, random.Random(7))

    council.goto(f"{base}/j/{slug}/priorities/{round_.pk}/")
    assert council.get_by_text("300 choices by").is_visible()
    check(council, "round-results")

    # 3. The council drafts a commitment from the top priority, 4. approves it.
    council.get_by_role("link", name="Draft a commitment").first.click()
    check(council, "commitment-form")
    council.get_by_label("Commitment, in a few words").fill("Night outreach on every block")
    council.get_by_label("What will be done").fill("Outreach teams and officers walk together.")
    council.get_by_label("Who owns it").select_option(
        label="Chicago Police Department, 7th District"
    )
    council.get_by_label("7 \N{EN DASH} Englewood", exact=True).check()
    due = timezone.localdate() + timedelta(days=3)
    council.get_by_label("Done by (YYYY-MM-DD)").fill(due.isoformat())
    council.get_by_label("How it will be measured (metric)").fill("Nights with outreach")
    council.get_by_label("Baseline: where things stand now").fill("0 a week")
    council.get_by_label("Target").fill("5 a week")
    council.get_by_role("button", name="Save").click()
    assert council.get_by_text("Proposed, waiting for both sides").first.is_visible()
    council.get_by_role("button", name="Vote to approve").click()
    assert council.get_by_text("Council approved, waiting for the owner").first.is_visible()
    commitment = Commitment.objects.get(title="Night outreach on every block")
    assert commitment.priority is not None

    # 5. The police accept; 6. they post an update.
    police.goto(f"{base}/j/{slug}/accountability/commitments/{commitment.pk}/")
    assert police.get_by_role("button", name="Vote to approve").count() == 0
    police.get_by_role("radio", name="Accept").check()
    police.get_by_role("button", name="Send the answer").click()
    assert police.get_by_text("Agreed", exact=True).first.is_visible()
    police.get_by_label("On track").check()
    police.get_by_label("What has been done").fill("Two outreach nights held in the 7th.")
    police.get_by_label("Current value of the metric").fill("2 a week")
    police.get_by_role("button", name="Publish the update").click()
    assert police.get_by_text("Your update was published.").is_visible()
    check(police, "commitment-police")

    # 7. The deadline passes: the periodic task flags it and tells the council.
    commitments_flag(now=timezone.now() + timedelta(days=5))
    council.goto(f"{base}/j/{slug}/accountability/")
    assert council.get_by_role("heading", name="Notices for the council").is_visible()
    assert council.get_by_text("Deadline missed").first.is_visible()

    # 8. Residents rate every agreed commitment (one in the browser without JS, the rest alike).
    scorecard = Process.objects.get(jurisdiction=chicago, kind="scorecard")
    eligibility_set(user=accounts["facilitator"], process=scorecard, mode="open", network_limit=0)
    rater = browser.new_context(java_script_enabled=False).new_page()
    rater.goto(f"{base}/j/{slug}/accountability/scorecards/{scorecard.pk}/")
    rater.get_by_role("button", name="Start").click()
    rater.screenshot(path=str(ARTIFACTS / "accountability-rate-nojs.png"), full_page=True)
    while rater.get_by_role("button", name="Save my rating").count():
        rater.get_by_label("Partly kept").check()
        rater.get_by_role("button", name="Save my rating").click()
    assert rater.get_by_text("you have rated every commitment").is_visible()
    rng = random.Random(3)
    for _ in range(11):
        client = Client()
        url = f"/j/{slug}/accountability/scorecards/{scorecard.pk}/"
        client.post(url, {"action": "start"})
        while 'name="commitment"' in (page := client.get(url).content.decode()):
            target = re.search(r'name="commitment" value="(\d+)"', page).group(1)
            value = rng.choice(["kept", "kept", "partly", "not_kept"])
            client.post(url, {"commitment": target, "value": value})

    # 9. The public board shows status, owner, deadline, latest update and residents' score.
    public = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    public.goto(f"{base}/j/{slug}/accountability/")
    row = public.get_by_role("row").filter(has_text="Night outreach on every block")
    assert "Agreed" in row.inner_text()
    assert "Deadline missed" in row.inner_text()
    assert "On track" in row.inner_text()
    assert "12 ratings" in row.inner_text()
    check(public, "board")
    public.get_by_role("link", name="Night outreach on every block").click()
    # The timeline reads as sentences from the action registry, not as action codes.
    title = "“Night outreach on every block”"
    for sentence in (
        f"The commitment {title} was drafted",
        f"accepted the commitment {title}",
        f"The commitment {title} missed its deadline",
    ):
        assert public.get_by_text(sentence).first.is_visible(), sentence
    assert public.get_by_text("commitment.drafted").count() == 0
    check(public, "commitment-public")
    public.goto(f"{base}/j/{slug}/accountability/scorecards/{scorecard.pk}/results/")
    check(public, "scorecard-results")
    public.goto(f"{base}/j/{slug}/accountability/areas/7/")
    check(public, "area-board")
    call_command("audit", "verify")
    for page in (facilitator, council, police, resident, rater, public):
        page.context.close()
