"""The web survey in a real Chromium, with JavaScript off and on; axe-core on every survey page."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from cpps.listening.models import Answer, Response
from cpps.processes.models import Process, ProcessState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page):
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]


@pytest.fixture
def surveys(live_server, chicago, accounts):
    def get(state):
        return Process.objects.get(jurisdiction=chicago, kind="survey", state=state)

    return {
        "url": live_server.url,
        "open": get(ProcessState.OPEN),
        "published": get(ProcessState.PUBLISHED),
        "draft": get(ProcessState.DRAFT),
        "accounts": accounts,
    }


def sign_in(context, surveys, role):
    client = Client()
    client.force_login(surveys["accounts"][role])
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": surveys["url"]}]
    )


def answer_everything(page, shots=None):
    page.get_by_role("button", name="Start the survey").click()
    page.get_by_label("7", exact=True).check()
    if shots:
        page.screenshot(path=str(ARTIFACTS / f"{shots}-question.png"), full_page=True)
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Skip this question").click()
    for _ in range(5):
        page.get_by_label("5", exact=True).check()
        page.get_by_role("button", name="Next").click()
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Traffic and speeding").check()
    page.get_by_label("Gun violence").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("What one thing would make you feel safer").fill("Lights on 63rd Street")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Which police district do you live in?").select_option("8")
    page.get_by_label("25 to 34").check()
    if shots:
        page.screenshot(path=str(ARTIFACTS / f"{shots}-about-you.png"), full_page=True)
    page.get_by_role("button", name="Send my answers").click()
    assert page.get_by_role("heading", name="Thank you").is_visible()


def test_a_resident_answers_the_web_survey_with_and_without_javascript(browser, surveys):
    ARTIFACTS.mkdir(exist_ok=True)
    for javascript in (False, True):
        context = browser.new_context(
            java_script_enabled=javascript, viewport={"width": 390, "height": 844}
        )
        page = context.new_page()
        page.goto(f"{surveys['url']}/survey/{surveys['open'].pk}/")
        answer_everything(page, shots=None if javascript else "survey-nojs")
        context.close()
    responses = Response.objects.filter(
        process=surveys["open"], channel="web", completed_at__isnull=False
    )
    assert responses.count() == 2
    for response in responses:
        assert response.area.code == "8"
        answers = {a.question.key: a for a in Answer.objects.filter(response=response)}
        assert answers["safe_crime"].number == 7
        assert answers["safe_day"].skipped
        assert answers["worries"].choices == ["gun_violence", "traffic"]
        assert answers["safer_one_thing"].text == "Lights on 63rd Street"


def test_survey_pages_have_no_accessibility_violations(browser, surveys):
    context = browser.new_context()
    page = context.new_page()
    base, pk = surveys["url"], surveys["open"].pk
    problems = {}
    page.goto(f"{base}/survey/{pk}/")
    problems["start"] = violations(page)
    page.get_by_role("button", name="Start the survey").click()
    for position in (1, 8, 9, 10):
        page.goto(f"{base}/survey/{pk}/q/{position}/")
        problems[f"q{position}"] = violations(page)
    page.get_by_role("button", name="Save and continue").click()
    problems["about-you"] = violations(page)
    page.goto(f"{base}/survey/{pk}/q/1/")
    page.get_by_role("button", name="Next").click()  # nothing chosen: allowed, moves on
    page.goto(f"{base}/j/chicago/surveys/{surveys['published'].pk}/results/")
    problems["results-public"] = violations(page)
    page.screenshot(path=str(ARTIFACTS / "survey-results-public.png"), full_page=True)
    context.close()
    problems |= _organiser_problems(browser, surveys)
    assert not {name: found for name, found in problems.items() if found}


def _organiser_problems(browser, surveys):
    context = browser.new_context()
    sign_in(context, surveys, "facilitator")
    page = context.new_page()
    base = f"{surveys['url']}/j/chicago/surveys"
    pages = {
        "results-organiser": f"{base}/{surveys['published'].pk}/results/",
        "questions": f"{base}/{surveys['draft'].pk}/questions/",
        "add-question": f"{base}/{surveys['draft'].pk}/questions/add/",
        "paper": f"{base}/{surveys['open'].pk}/paper/",
    }
    problems = {}
    for name, url in pages.items():
        page.goto(url)
        problems[name] = violations(page)
        page.screenshot(path=str(ARTIFACTS / f"survey-{name}.png"), full_page=True)
    page.goto(pages["paper"])
    page.get_by_role("link", name="Resolve form").first.click()
    problems["paper-resolve"] = violations(page)
    page.screenshot(path=str(ARTIFACTS / "survey-paper-resolve.png"), full_page=True)
    context.close()
    return problems
