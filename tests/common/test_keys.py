"""The database keeps the fingerprint of the pseudonym key it was written with, never the key,
and a database written with another key is not served: the system check fails and every
request is refused with the reason."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from cpps.common.keys import PSEUDONYM_KEY, key_fingerprint
from cpps.common.models import KeyFingerprint

pytestmark = pytest.mark.django_db


def test_migrate_records_the_fingerprint_of_the_key_and_not_the_key(settings):
    stored = KeyFingerprint.objects.get(name=PSEUDONYM_KEY)
    assert stored.fingerprint == key_fingerprint(settings.PSEUDONYM_KEY)
    assert settings.PSEUDONYM_KEY not in stored.fingerprint
    assert key_fingerprint("another key") != stored.fingerprint


def test_the_first_request_records_a_missing_fingerprint(settings, chicago):
    KeyFingerprint.objects.all().delete()
    assert Client().get("/j/chicago/").status_code == 200
    assert KeyFingerprint.objects.get().fingerprint == key_fingerprint(settings.PSEUDONYM_KEY)


def test_a_database_written_with_another_key_is_not_served(settings, chicago):
    settings.PSEUDONYM_KEY = "a different key than the database was written with"
    for path in ("/j/chicago/", "/healthz"):
        response = Client().get(path)
        assert response.status_code == 503
        assert "written with a different PSEUDONYM_KEY" in response.content.decode()
    api = Client().get("/api/jurisdictions/")
    assert api.status_code == 503
    assert "written with a different PSEUDONYM_KEY" in api.json()["detail"]


def test_the_database_check_fails_with_another_key(settings):
    call_command("check", databases=["default"])
    settings.PSEUDONYM_KEY = "a different key than the database was written with"
    with pytest.raises(SystemCheckError, match=r"cpps\.E001.*different PSEUDONYM_KEY"):
        call_command("check", databases=["default"])
