"""The privacy boundary and "community leads", checked on every route the project serves.

Routes come from the URLconf itself, so a route added later is swept without editing this file;
a route with a new parameter fails loudly until tests/support/routes.py knows a value for it.
"""

import json
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import Client
from django.utils import timezone

from cpps.channels.models import ChannelRoute
from cpps.participation.models import BurstFlag, Participant
from cpps.participation.services import one_time_links_issue, participant_join_by_link
from cpps.processes.models import Process
from tests.support.routes import WRITE_ROUTES_AND_ROLES, all_routes, route_values, write_payload

WRITE_METHODS = ("post", "put", "patch", "delete")
SENTINEL_DEMOGRAPHIC = "sentinel-demographic-7f3a9c"
# Sentinels this long (emails, user names, pseudonyms) cannot turn up in random text by chance.
LONG_SENTINEL = 10
# Routes where anyone (residents without accounts) may write: taking part, language, signing in.
PUBLIC_WRITE_ROUTES = {
    "take-part/<str:token>/",
    "take-part/<int:pk>/about-you/",
    "take-part/<int:pk>/enter/",
    "take-part/<int:pk>/resume/<str:token>/",
    # Residents vote and add statements without an account.
    "j/<slug:slug>/conversations/<int:pk>/vote/",
    "i18n/setlang/",
    "accounts/login/",
    "accounts/logout/",
}


def snapshot():
    """Every stored row except sessions (signing in writes one; it holds no process data)."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model is not Session
    }


@pytest.fixture
def world(chicago, accounts):
    facilitator = accounts["facilitator"]
    process = Process.objects.get(jurisdiction=chicago, kind="deliberation")
    first, unused = one_time_links_issue(user=facilitator, process=process, count=2)
    participant = participant_join_by_link(token=first)
    Participant.objects.filter(pk=participant.pk).update(
        demographics={"age_band": SENTINEL_DEMOGRAPHIC}
    )
    police = accounts["police_liaison"]
    others = [user for role, user in accounts.items() if role != "police_liaison"]
    # The unused token is part of a swept URL, so only the redeemed one is a secret here.
    sentinels = {SENTINEL_DEMOGRAPHIC, participant.pseudonym[:12], first}
    for user in others:
        sentinels |= {user.first_name, user.last_name, user.email, user.username}
    flag = BurstFlag.objects.create(process=process, window_start=timezone.now(), joins=6)
    route = ChannelRoute.objects.create(process=process, number="+13125550176", keyword="BLOCK")
    return {
        "jurisdiction": chicago,
        "process": process,
        "flag": flag,
        "route": route,
        "area": chicago.areas.get(code="7"),
        "token": unused,
        "membership": accounts["resident"].memberships.get(jurisdiction=chicago),
        "police": police,
        "accounts": accounts,
        "sentinels": sentinels,
    }


@contextmanager
def rolled_back():
    """Undo one route's writes so that the next route sees the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def send(client, method, url, data, content_type):
    if content_type:
        return getattr(client, method)(url, data=json.dumps(data), content_type=content_type)
    if method == "post":
        return client.post(url, data)
    return getattr(client, method)(url)


def police_client(world):
    client = Client()
    client.force_login(world["police"])
    return client


def shows(body, sentinel):
    """Whether ``body`` shows ``sentinel``. Short ones (first names) must stand as a word: a
    random CSRF token or code may well contain "Sam"; long ones are looked for anywhere."""
    if len(sentinel) >= LONG_SENTINEL:
        return sentinel in body
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(sentinel)}(?![A-Za-z0-9])", body) is not None


def assert_no_personal_data(response, world, label):
    body = response.content.decode("utf-8", errors="replace")
    leaked = sorted(sentinel for sentinel in world["sentinels"] if shows(body, sentinel))
    assert not leaked, f"{label} shows personal data to a police liaison: {leaked}"


@pytest.mark.django_db
def test_police_liaison_can_write_nothing_on_any_route(world):
    routes = all_routes()
    assert len(routes) > 20
    for route in routes:
        url = route.url(route_values(world, route))
        data, content_type = write_payload(world, route)
        for method in WRITE_METHODS:
            client = police_client(world)  # afresh: an earlier route may have signed out
            before = snapshot()
            response = send(client, method, url, data, content_type)
            assert response.status_code < 500, f"{method.upper()} {url}: {response.status_code}"
            assert snapshot() == before, (
                f"{method.upper()} {url} changed stored data for a police liaison"
            )
            assert_no_personal_data(response, world, f"{method.upper()} {url}")


@pytest.mark.django_db
def test_police_liaison_sees_no_personal_data_on_any_page(world):
    for route in all_routes():
        url = route.url(route_values(world, route))
        response = police_client(world).get(url)
        assert response.status_code < 500, f"GET {url}: {response.status_code}"
        assert_no_personal_data(response, world, f"GET {url}")


@pytest.mark.django_db
def test_police_liaison_holding_a_community_role_still_cannot_convene(world):
    """A second role never unlocks what the police role forbids."""
    from cpps.accounts.services import membership_grant

    membership_grant(
        granted_by=None,
        jurisdiction=world["jurisdiction"],
        user=world["police"],
        role="facilitator",
    )
    client = police_client(world)
    before = snapshot()
    for template in ("j/<slug:slug>/processes/new/", "j/<slug:slug>/processes/<int:pk>/state/"):
        route = next(route for route in all_routes() if route.template == template)
        data, _ = write_payload(world, route)
        response = client.post(route.url(route_values(world, route)), data)
        assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.django_db
def test_every_write_payload_works_for_the_community_role_allowed_to_use_it(world):
    """Keeps the sweep honest: the payloads sent above really would change data."""
    routes = {route.template: route for route in all_routes()}
    for template, role in WRITE_ROUTES_AND_ROLES.items():
        client = Client()
        client.force_login(world["accounts"][role])
        route = routes[template]
        data, content_type = write_payload(world, route)
        with rolled_back():
            before = snapshot()
            response = send(
                client, "post", route.url(route_values(world, route)), data, content_type
            )
            assert response.status_code in {200, 201, 302}, (
                f"{template} as {role}: {response.status_code}"
            )
            assert snapshot() != before, f"{template} as {role} changed nothing; fix its payload"


@pytest.mark.django_db
def test_every_route_that_writes_for_community_roles_is_listed(world):
    """A new write route must be added to WRITE_ROUTES_AND_ROLES so the checks above cover it."""
    unlisted = []
    for route in all_routes():
        if route.template in WRITE_ROUTES_AND_ROLES or route.template in PUBLIC_WRITE_ROUTES:
            continue
        data, content_type = write_payload(world, route)
        for role in ("facilitator", "council_member", "admin"):
            client = Client()
            client.force_login(world["accounts"][role])
            with rolled_back():
                before = snapshot()
                send(client, "post", route.url(route_values(world, route)), data, content_type)
                if snapshot() != before:
                    unlisted.append((route.template, role))
    assert not unlisted


# The only writes a police liaison may make: the owner's key on commitments its department owns.
OWNER_KEY_ROUTES = {
    "j/<slug:slug>/accountability/commitments/<int:pk>/respond/": {"response": "accepted"},
    "j/<slug:slug>/accountability/commitments/<int:pk>/progress/": {
        "status": "on_track",
        "narrative": "Two beat teams assigned.",
    },
}
OWNER_SIDE_MODELS = {
    "accountability.CommitmentDecision",
    "accountability.ProgressUpdate",
    "audit.AuditEvent",
    "audit.AuditChainHead",
}
OWNER_SIDE_COMMITMENT_FIELDS = {"owner_response", "status", "agreed_at", "flag", "flagged_at"}


def changed_models(before, after):
    return {label for label in after if before[label] != after[label]}


def commitment_fields_changed(before, after):
    from cpps.accountability.models import Commitment

    names = [field.attname for field in Commitment._meta.concrete_fields]
    old = {
        row[0]: dict(zip(names, row, strict=True)) for row in before["accountability.Commitment"]
    }
    new = {row[0]: dict(zip(names, row, strict=True)) for row in after["accountability.Commitment"]}
    assert old.keys() == new.keys(), "a police write created or deleted a commitment"
    return {name for pk in new for name in names if old[pk][name] != new[pk][name]}


@pytest.mark.django_db
def test_police_owner_key_writes_touch_only_the_owner_side(world):
    """Where a police liaison may turn the owner's key, nothing on the council's side moves."""
    from cpps.accountability import services
    from cpps.accountability.models import Commitment, OwnerBody

    police_body = OwnerBody.objects.filter(
        jurisdiction=world["jurisdiction"], kind="police"
    ).first()
    pending = services.commitment_draft(
        user=world["accounts"]["council_member"],
        jurisdiction=world["jurisdiction"],
        terms=services.CommitmentTerms(
            title="Officers at every block club meeting",
            action="An officer attends every block club meeting in the district.",
            owner=police_body,
            due_on=timezone.localdate() + timedelta(days=90),
            metric="Meetings attended",
            baseline="2 per quarter",
            target="12 per quarter",
            area_codes=("7",),
        ),
    )
    agreed = Commitment.objects.filter(owner=police_body, status="agreed").first()
    targets = {
        "j/<slug:slug>/accountability/commitments/<int:pk>/respond/": pending,
        "j/<slug:slug>/accountability/commitments/<int:pk>/progress/": agreed,
    }
    routes = {route.template: route for route in all_routes()}
    for template, data in OWNER_KEY_ROUTES.items():
        route = routes[template]
        values = {**route_values(world, route), "pk": str(targets[template].pk)}
        client = police_client(world)  # signing in first: it updates the account's last login
        before = snapshot()
        response = client.post(route.url(values), data)
        assert response.status_code in {200, 302}, f"{template}: {response.status_code}"
        after = snapshot()
        touched = changed_models(before, after) - {"accountability.Commitment"}
        assert touched, f"{template} as the owner changed nothing"
        assert touched <= OWNER_SIDE_MODELS, (template, touched)
        assert commitment_fields_changed(before, after) <= OWNER_SIDE_COMMITMENT_FIELDS


def test_short_sentinels_match_as_words_and_long_ones_anywhere():
    assert shows("<p>Signed by Sam Okafor</p>", "Sam")
    assert shows('value="Sam"', "Sam")
    assert not shows('name="csrfmiddlewaretoken" value="x9fSamq2"', "Sam")
    assert not shows("Same old", "Sam")
    assert shows("pseudonym 0123456789abcdef", "0123456789ab")
