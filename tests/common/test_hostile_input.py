"""Control characters, bidirectional overrides and oversized bodies, on every route the project
serves (walked from the URLconf, so a route added later is swept too).

PostgreSQL cannot store NUL: before the input middleware, endpoints that took a NUL in a field
answered 500 there. Now every route refuses it with a 400 before its view runs, on both databases.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from cpps.accountability.models import OwnerBody
from cpps.accounts.services import user_create
from cpps.common.errors import InvalidInputError
from cpps.jurisdictions.services import jurisdiction_create
from tests.support.routes import all_routes, demo_world, route_values, write_payload

pytestmark = pytest.mark.django_db

NUL = "\x00"
TWILIO_TEMPLATES = ("hooks/", "register/sms/")
FIELD_REFUSAL = "holds a control character (U+0000)"
WRITE_METHODS = ("post", "put", "patch", "delete")


def is_twilio_webhook(template: str) -> bool:
    """Twilio's webhooks answer in TwiML and are left to their own views."""
    return template.startswith(TWILIO_TEMPLATES[0]) or template.endswith(TWILIO_TEMPLATES[1])


@pytest.fixture
def world(chicago, accounts):
    return demo_world(chicago, accounts)


def facilitator(world) -> Client:
    client = Client()
    client.force_login(world["accounts"]["facilitator"])
    return client


def with_nul(value):
    """`value` with a NUL in every string it holds (files and numbers untouched)."""
    if isinstance(value, str):
        return value[:1] + NUL + value[1:]
    if isinstance(value, list):
        return [with_nul(item) for item in value]
    if isinstance(value, dict):
        return {key: with_nul(item) for key, item in value.items()}
    return value


def poisoned_payloads(world, route):
    """(data, content_type) bodies with a NUL: in each of the route's own fields, or in an extra
    field when the route takes none."""
    data, content_type = write_payload(world, route)
    strings = [key for key, value in data.items() if with_nul(value) != value]
    if not strings:
        yield {**data, "note": "a" + NUL + "b"}, content_type
    for key in strings:
        yield {**data, key: with_nul(data[key])}, content_type


def send(client, method, url, data, content_type):
    if content_type:
        return getattr(client, method)(url, data=json.dumps(data), content_type=content_type)
    return getattr(client, method)(url, data) if method == "post" else getattr(client, method)(url)


def refused(response) -> str:
    """The refusal's message: the JSON detail on the API, the page's text elsewhere."""
    assert response.status_code == 400, response.status_code
    if response["Content-Type"].startswith("application/json"):
        return response.json()["detail"]
    return response.content.decode()


def test_every_route_refuses_a_nul_in_any_field_before_its_view_runs(world):
    routes = [route for route in all_routes() if not is_twilio_webhook(route.template)]
    assert len(routes) > 60
    for route in routes:
        url = route.url(route_values(world, route))
        for data, content_type in poisoned_payloads(world, route):
            response = send(facilitator(world), "post", url, data, content_type)
            label = f"POST {url} {sorted(data)}"
            assert response.status_code == 400, f"{label}: {response.status_code}"
            message = refused(response)
            assert FIELD_REFUSAL in message or "(U+0000) in its text" in message, label


def test_every_route_refuses_a_nul_in_the_query_or_the_address(world):
    for route in all_routes():
        if is_twilio_webhook(route.template):
            continue
        url = route.url(route_values(world, route))
        for method in ("get", *WRITE_METHODS):
            response = getattr(facilitator(world), method)(url + "?q=a%00b")
            assert response.status_code == 400, f"{method.upper()} {url}?q=a%00b"
            assert "The web address holds a control character (U+0000)" in refused(response)
    assert "U+0000" in refused(Client().get("/j/chica%00go/"))
    assert "U+0007" in refused(Client().get("/api/jurisdictions/chi%07cago"))


def test_twilio_webhooks_are_left_to_their_own_views(world):
    for route in all_routes():
        if not is_twilio_webhook(route.template):
            continue
        url = route.url(route_values(world, route))
        response = Client().post(url, {"Body": "hola" + NUL, "From": "+13125550100"})
        assert response.status_code < 500, url
        assert FIELD_REFUSAL not in response.content.decode(errors="replace"), url


def test_tabs_and_line_breaks_are_text_in_a_form(world):
    client = Client()
    client.force_login(world["accounts"]["facilitator"])
    response = client.post(
        "/j/chicago/accountability/owners/new/",
        {
            "name": "Youth programmes",
            "kind": "city_service",
            "representatives": [world["accounts"]["city_official"].pk],
            "note": "First line\r\nSecond\tline",
        },
    )
    assert response.status_code == 302
    assert OwnerBody.objects.filter(jurisdiction=world["jurisdiction"], name="Youth programmes")


def test_the_refusal_page_is_translated():
    response = Client().get("/j/chicago/?q=%01", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert "La dirección web contiene un carácter de control (U+0001)" in response.content.decode()


def test_a_form_over_the_upload_limit_is_a_413_page(world):
    response = facilitator(world).post(
        "/j/chicago/accountability/owners/new/", {"name": "x" * 3_000_000}
    )
    assert response.status_code == 413
    assert "The request is larger than 2.5" in response.content.decode()


@pytest.mark.parametrize(
    "name", ["Bidi\u202eevil Name", "Zero\u200bwidth", "Iso\u2066late", "BOM\ufeff", "Tab\tbed"]
)
def test_names_refuse_bidirectional_and_zero_width_characters(chicago, name):
    with pytest.raises(InvalidInputError, match=r"holds a hidden character \(U\+"):
        user_create(username="newcomer", password="a long passphrase 42", first_name=name)
    with pytest.raises(InvalidInputError, match=r"holds a hidden character \(U\+"):
        jurisdiction_create(name=name, slug="elsewhere")


def test_one_line_form_fields_name_the_hidden_character(world):
    response = facilitator(world).post(
        "/j/chicago/accountability/owners/new/",
        {
            "name": "Bidi\u202eevil Name",
            "kind": "city_service",
            "representatives": [world["accounts"]["city_official"].pk],
        },
    )
    assert response.status_code in {200, 400}
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in response.content.decode()
    assert not OwnerBody.objects.filter(name__contains="\u202e").exists()
    response = facilitator(world).post(
        "/j/chicago/processes/new/",
        {"kind": "survey", "title": "Zero\u200bwidth", "purpose": "x", "languages": ["en"]},
    )
    assert "U+200B ZERO WIDTH SPACE" in response.content.decode()
