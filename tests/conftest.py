"""Shared fixtures: real data from the repository's data/ folder, real database, Debian chromium."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def census_dir() -> Path:
    return DATA_DIR / "census"


@pytest.fixture
def chicago(db):
    """The demo jurisdiction, built from the real census files through the real services."""
    from cpps.demo.loader import demo_load

    jurisdiction, _created = demo_load()
    return jurisdiction


@pytest.fixture
def accounts(chicago):
    """The demo accounts by role name."""
    from cpps.accounts.models import User
    from cpps.demo.loader import DEMO_ACCOUNTS

    return {
        account.role.value: User.objects.get(username=account.username) for account in DEMO_ACCOUNTS
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo jurisdiction once; each test then runs inside a rolled-back transaction.

    Transactional (browser) tests flush the database; `chicago` reloads the demo when it is gone.
    """
    from cpps.demo.loader import demo_load

    with django_db_blocker.unblock():
        demo_load()


@pytest.fixture(autouse=True)
def _isolated_cache_and_tasks(settings):
    """Tasks run in-process and every test starts with an empty cache, a generous login limit
    (the rate-limit test sets its own) and the default language (a request in Spanish leaves
    Spanish active on the thread), so tests never depend on each other."""
    from django.core.cache import cache
    from django.utils import translation

    from cpps.common.memo import BriefMemo
    from cpps.config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.LOGIN_RATE = "1000/m"
    cache.clear()
    BriefMemo.forget_everything()
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite the test database is a file, as the embedded set-up's is: concurrent tests then
    meet real file locking (WAL, BEGIN IMMEDIATE, the busy timeout), not an in-memory cache."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # Beside the configured file, so runs configured with different files never share one.
        configured = Path(str(database["NAME"]))
        if str(configured) in {"", ":memory:"}:
            configured = Path(settings.VAR_DIR) / "cpps.sqlite3"
        configured.parent.mkdir(parents=True, exist_ok=True)
        database.setdefault("TEST", {})["NAME"] = str(
            configured.with_name(f"test_{configured.name}")
        )
