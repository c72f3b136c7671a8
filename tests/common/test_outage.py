"""A service that is down or hung is a 503 with Retry-After (JSON under /api/, a plain page
elsewhere), never a 500; sign-in fails closed with a clear page when Redis is down or hung."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.support.outages import CLOSED_PORT_URL, silent_server, unreachable_database

DATABASE_DOWN = "The database is not answering right now"
SERVICE_DOWN = "A service this site needs (its cache or its task queue) is not answering"


def assert_outage_page(response, text: str) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Briefly unavailable" in page
    assert text in page
    assert "Traceback" not in page


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_is_a_503_on_pages_and_the_api(chicago):
    client = Client()
    assert client.get("/j/chicago/").status_code == 200
    with unreachable_database():
        assert_outage_page(client.get("/j/chicago/"), DATABASE_DOWN)
        api = client.get("/api/jurisdictions/")
        assert api.status_code == 503
        assert api["Retry-After"] == "30"
        assert api.json() == {
            "detail": "The database is not answering right now, so this could not be done. "
            "Try again in a minute."
        }
        # A fresh process meets the outage in its first middleware, outside any view.
        fresh = Client(raise_request_exception=False)
        assert_outage_page(fresh.get("/j/chicago/"), DATABASE_DOWN)
    assert client.get("/j/chicago/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_outage_page_speaks_the_visitors_language(chicago):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    assert client.get("/j/chicago/").status_code == 200
    with unreachable_database():
        response = client.get("/j/chicago/")
    assert response.status_code == 503
    assert "La base de datos no responde" in response.content.decode()


def redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def test_sign_in_fails_closed_with_a_clear_page_when_redis_is_down(settings, accounts):
    settings.CACHES = redis_cache(CLOSED_PORT_URL)
    client = Client()
    assert client.get("/accounts/login/").status_code == 200
    response = client.post(
        "/accounts/login/", {"username": "demo-facilitator", "password": "cpps-demo-facilitator"}
    )
    assert_outage_page(response, SERVICE_DOWN)
    assert "_auth_user_id" not in client.session


def test_sign_in_fails_closed_when_redis_accepts_but_never_answers(settings, accounts):
    with silent_server() as port:
        settings.CACHES = redis_cache(f"redis://127.0.0.1:{port}/0")
        response = Client().post(
            "/accounts/login/",
            {"username": "demo-facilitator", "password": "cpps-demo-facilitator"},
        )
    assert_outage_page(response, SERVICE_DOWN)


def test_published_survey_results_render_while_redis_is_down(settings, chicago):
    """The results page keeps its rendered figures in the process's memory, not in Redis, so the
    community's published numbers stay readable through a cache outage."""
    from django.urls import reverse

    from cpps.processes.models import Process, ProcessState

    citywide = Process.objects.get(
        jurisdiction=chicago, kind="survey", state=ProcessState.PUBLISHED
    )
    settings.CACHES = {**redis_cache(CLOSED_PORT_URL), "fragments": settings.CACHES["fragments"]}
    response = Client().get(reverse("listening:results", args=[chicago.slug, citywide.pk]))
    assert response.status_code == 200
    assert "240" in response.content.decode()
