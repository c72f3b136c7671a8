"""/healthz answers within its deadline whatever the database and Redis do, and the database
connection settings that keep a hung or restarted PostgreSQL from holding web workers."""

from __future__ import annotations

import psycopg
import pytest
from django.core.signals import request_started
from django.db import OperationalError, connection, transaction
from django.test import Client

from cpps.common import views
from tests.support.outages import hung_postgresql, silent_server

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="PostgreSQL behaviour (set DATABASE_URL)"
)


@pytest.mark.django_db
def test_healthz_reports_a_hung_redis_as_unhealthy(settings):
    with silent_server() as port:
        settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
        response = Client().get("/healthz")
        views._redis_probe.start().result()  # the probe gave up on its own socket timeout
    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")
    assert response.json()["database"] == "ok"


@postgresql_only
@pytest.mark.django_db
def test_healthz_answers_when_the_database_accepts_connections_but_never_answers():
    with silent_server() as port, hung_postgresql(port):
        response = Client().get("/healthz")
        checked = views._database_probe.start().result()  # ends at the connect timeout
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")
    assert checked == "error: OperationalError"


@postgresql_only
@pytest.mark.django_db
def test_postgresql_connections_carry_connect_and_statement_timeouts():
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 5
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("30s",)
    # A statement past its timeout is a database error, which pages answer with a 503.
    with pytest.raises(OperationalError, match="statement timeout"):
        sleep_past_a_timeout_of_50_ms()


def sleep_past_a_timeout_of_50_ms() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '50ms'")
        cursor.execute("SELECT pg_sleep(5)")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_terminated_backend_costs_no_request(chicago):
    """Persistent connections are checked before reuse (CONN_HEALTH_CHECKS), so the first
    request after the database dropped the connection reconnects instead of failing."""
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    settings_dict = connection.settings_dict
    with psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"],
        user=settings_dict["USER"],
        dbname=settings_dict["NAME"],
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend])
    request_started.send(sender=None)  # what each request does first
    assert Client().get("/j/chicago/").status_code == 200
    assert connection.connection.info.backend_pid != backend
