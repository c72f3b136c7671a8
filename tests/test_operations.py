import os
import subprocess
import sys
import time
import types

import django_ratelimit.core
import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.django_db


def run_cli(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run the `cpps` command in a fresh process with exactly ``env``."""
    return subprocess.run(
        [sys.executable, "-m", "cpps.cli.main", *arguments],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_checks_pass_with_production_settings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "CPPS_ENV": "production",
        "SECRET_KEY": "x" * 64 + "production-secret-for-the-check",
        "PSEUDONYM_KEY": "p" * 48,
        "ALLOWED_HOSTS": "safety.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = run_cli(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secrets(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "PSEUDONYM_KEY"}}
    env |= {
        "CPPS_ENV": "production",
        "ALLOWED_HOSTS": "x.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}",
    }
    result = run_cli(env, "check")
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable in production." in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SMS_BATCH_SIZE", "fifty"),
        ("DATABASE_PREPARE_AFTER", "-2"),
        ("SMS_TIMEOUT_SECONDS", ""),
        ("TASK_TIME_LIMIT", "half an hour"),
        ("DATABASE_STATEMENT_TIMEOUT", "-1"),
        ("REDIS_TIMEOUT", "soon"),
    ],
)
def test_a_malformed_number_setting_is_refused_by_name(variable, value):
    env = os.environ | {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
        variable: value,
    }
    result = run_cli(env, "check")
    assert result.returncode != 0
    assert f"{variable} must be a number of 0 or more, not {value!r}." in result.stderr


def test_healthz_reports_the_database_and_redis(settings):
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"] == ("ok" if settings.REDIS_URL else "not configured")


def test_healthz_fails_when_redis_is_unreachable(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")


def test_pages_carry_a_content_security_policy(chicago):
    policy = Client().get("/j/chicago/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_passwords_are_hashed_with_argon2(accounts):
    assert identify_hasher(accounts["facilitator"].password).algorithm == "argon2"


def test_repeated_failed_sign_ins_are_rate_limited(settings, accounts, monkeypatch):
    settings.LOGIN_RATE = "3/m"
    # The limiter counts in fixed one-minute windows; its clock is held still so that the
    # six attempts never straddle a window's end (which once let the sixth through in CI).
    held_still = time.time()
    monkeypatch.setattr(
        django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: held_still)
    )
    client = Client()
    statuses = [
        client.post(
            "/accounts/login/", {"username": "demo-facilitator", "password": "wrong"}
        ).status_code
        for _ in range(5)
    ]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]
    assert (
        "Too many attempts"
        in client.post("/accounts/login/", {"username": "x", "password": "y"}).content.decode()
    )


def test_sign_in_works_and_shows_roles(accounts):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "demo-facilitator", "password": "cpps-demo-facilitator"}
    )
    assert response.status_code == 302
    page = client.get("/j/chicago/").content.decode()
    assert "Signed in as demo-facilitator (Facilitator)" in page
    assert "Start a process" in page


def test_unknown_pages_are_404(chicago):
    client = Client()
    assert client.get("/j/nowhere/").status_code == 404
    assert client.get("/j/chicago/areas/13/").status_code == 404
    assert client.get("/j/chicago/processes/999999/").status_code == 404


@pytest.mark.parametrize(
    ("redis_url", "expected_broker", "eager"),
    [("", "memory://", True), ("redis://127.0.0.1:6379/5", "redis://127.0.0.1:6379/5", False)],
)
def test_celery_uses_redis_when_configured_and_runs_in_process_otherwise(
    redis_url, expected_broker, eager
):
    env = {**os.environ, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "cpps.config.settings"}
    probe = (
        "import django; django.setup(); from cpps.config import celery_app as app; "
        "print(app.conf.broker_url, app.conf.task_always_eager)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.split() == [expected_broker, str(eager)]


def test_a_soft_time_limit_not_below_the_hard_one_is_refused():
    env = os.environ | {"TASK_TIME_LIMIT": "600", "TASK_SOFT_TIME_LIMIT": "600"}
    result = run_cli(env, "check")
    assert result.returncode != 0
    assert "TASK_SOFT_TIME_LIMIT must be more than 0 and less than TASK_TIME_LIMIT" in result.stderr


def test_tasks_are_acknowledged_late_and_time_limited(settings):
    from cpps.config.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_time_limit == settings.TASK_TIME_LIMIT == 1800
    assert app.conf.task_soft_time_limit == settings.TASK_SOFT_TIME_LIMIT == 1710
    assert app.conf.broker_transport_options["visibility_timeout"] > settings.TASK_TIME_LIMIT
    assert app.conf.beat_schedule["return-stuck-work"]["task"] == "cpps.common.watchdog"


def test_database_connections_are_health_checked_and_sqlite_takes_its_write_lock_early():
    from django.db import connection

    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone() == ("wal",)
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert connection.settings_dict["OPTIONS"]["timeout"] == 20
