"""Every HTML page, for each kind of visitor, in a real Chromium: axe-core finds no WCAG 2.2 AA
violation, and the core paths work with JavaScript turned off."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from cpps.participation.services import one_time_links_issue
from cpps.processes.models import Process
from tests.support.routes import all_routes, route_values

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NOT_PAGES = ("api/", "healthz", "i18n/", "accounts/logout/")
DESKTOP = {"width": 1280, "height": 800}
PHONE_WIDTH = (
    390  # an iPhone 12-15 in CSS pixels: every page must fit it without sideways scrolling
)


@pytest.fixture
def site(live_server, chicago, accounts):
    process = Process.objects.get(jurisdiction=chicago, kind="deliberation")
    first, second = one_time_links_issue(user=accounts["facilitator"], process=process, count=2)
    world = {
        "jurisdiction": chicago,
        "process": process,
        "area": chicago.areas.get(code="7"),
        "token": first,
        "spare_token": second,
        "membership": accounts["resident"].memberships.get(jurisdiction=chicago),
        "accounts": accounts,
    }
    return {"url": live_server.url, "world": world, "accounts": accounts}


def sign_in(context, site, role):
    client = Client()
    client.force_login(site["accounts"][role])
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site["url"]}]
    )


def html_pages(site, role):
    """Paths that answer this visitor's GET with an HTML page (checked without the browser, so
    the browser never lands on an empty error response such as a POST-only route's 405)."""
    client = Client()
    if role:
        client.force_login(site["accounts"][role])
    for route in all_routes():
        if route.template.startswith(NOT_PAGES):
            continue
        path = route.url(route_values(site["world"], route))
        response = client.get(path)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            yield path


def overflow_on_a_phone(page):
    """How wide the page is at a phone's width, if wider than the phone (None when it fits).

    The already loaded page is narrowed in place rather than loaded again, so the sweep walks
    every route once; tables may scroll inside their own container, the document may not."""
    page.set_viewport_size({"width": PHONE_WIDTH, "height": DESKTOP["height"]})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(DESKTOP)
    return width if width > PHONE_WIDTH else None


def violations(page):
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [
        (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3])
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize(
    ("role", "language"),
    # Spanish runs longer than English: the public pages are walked in both.
    [(None, "en"), (None, "es"), ("facilitator", "en"), ("admin", "en"), ("police_liaison", "en")],
)
def test_every_page_is_accessible_and_fits_a_phone(browser, site, role, language):
    context = browser.new_context(
        viewport=DESKTOP, locale=language, extra_http_headers={"Accept-Language": language}
    )
    if role:
        sign_in(context, site, role)
    page = context.new_page()
    problems, too_wide, visited = {}, {}, 0
    for path in html_pages(site, role):
        response = page.goto(site["url"] + path)
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == language, path
        visited += 1
        found = violations(page)
        if found:
            problems[path] = found
        width = overflow_on_a_phone(page)
        if width is not None:
            too_wide[path] = width
    context.close()
    assert visited >= 6
    assert not problems
    assert not too_wide, f"wider than a {PHONE_WIDTH} px phone (scrollWidth): {too_wide}"


def test_spanish_pages_have_no_violations_and_look_right(browser, site):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    jurisdiction_home = site["url"] + "/j/chicago/"
    page.goto(jurisdiction_home)
    page.screenshot(path=str(ARTIFACTS / "home-en.png"), full_page=True)
    page.select_option("#language-select", "es")
    page.click("form.language-switch button")
    page.wait_for_url(jurisdiction_home)
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", name="En qué están trabajando los residentes").is_visible()
    page.screenshot(path=str(ARTIFACTS / "home-es.png"), full_page=True)
    assert violations(page) == []
    page.goto(site["url"] + "/j/chicago/areas/7/")
    assert violations(page) == []
    context.close()


def test_taking_part_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site['url']}/take-part/{site['world']['spare_token']}/")
    page.get_by_role("button", name="Start").click()
    page.get_by_label("35 to 44").check()
    page.get_by_label("Spanish").check()
    page.get_by_role("button", name="Save and continue").click()
    assert page.get_by_role("heading", name=site["world"]["process"].title).is_visible()
    assert site["world"]["process"].participants.latest("pk").demographics == {
        "age_band": "35_44",
        "language": "spanish",
    }
    page.screenshot(
        path=str(ARTIFACTS / "about-you-nojs.png"), full_page=True
    ) if ARTIFACTS.exists() else None
    context.close()


def test_keyboard_users_can_skip_to_the_content(browser, site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(site["url"] + "/j/chicago/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    context.close()


def test_facilitator_convenes_a_process_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    sign_in(context, site, "facilitator")
    page = context.new_page()
    page.goto(site["url"] + "/j/chicago/processes/new/")
    page.get_by_label("Kind of process").select_option("survey")
    page.get_by_label("Title").fill("Lighting on our streets")
    page.get_by_role("button", name="Save").click()
    assert page.locator(".error-summary, .field-message").first.is_visible()
    assert page.get_by_label("Title").input_value() == "Lighting on our streets"  # nothing lost
    page.get_by_label("Purpose").fill("Where is it too dark to feel safe?")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("heading", name="Lighting on our streets").is_visible()
    page.get_by_role("button", name="Open for taking part").click()
    assert page.get_by_text("The process is open: residents can take part now.").is_visible()
    context.close()


def test_the_width_check_itself_catches_a_page_wider_than_a_phone(browser):
    """Guards the sweep's width check: a page with a table too wide for a phone is caught, and
    the same table inside a scrolling region is not."""
    page = browser.new_page(viewport=DESKTOP)
    wide = '<table><tr><td><div style="min-width: 600px">wide</div></td></tr></table>'
    page.set_content(f'<html lang="en"><title>t</title><main>{wide}</main></html>')
    assert overflow_on_a_phone(page) > PHONE_WIDTH
    page.set_content(
        f'<html lang="en"><title>t</title><main><div style="overflow-x: auto">{wide}</div></main>'
    )
    assert overflow_on_a_phone(page) is None
    page.close()


def test_the_accessibility_check_itself_catches_a_violation(browser, site):
    """Guards the checks above against an axe set-up that silently finds nothing."""
    page = browser.new_page()
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    assert "image-alt" in [violation_id for violation_id, _impact, _nodes in violations(page)]
    page.close()
