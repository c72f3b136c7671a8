"""`cpps backup` and `cpps restore` on the configured database (pg_dump/pg_restore or SQLite's
backup API): a restore gives back exactly what was backed up, verifies the audit chains and the
survey seals, and refuses a backup made with another pseudonym key before changing anything."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from cpps.audit.actions import ActionTopic, AuditAction, audit_action_register, says
from cpps.audit.models import AuditEvent
from cpps.audit.services import SYSTEM, audit_event_record
from cpps.common.models import KeyFingerprint
from cpps.listening.models import Answer

pytestmark = pytest.mark.django_db(transaction=True)

# Acts only these tests record (every recorded action must be registered with its sentence).
TOPIC = ActionTopic("test", "Tests")
AFTER_THE_BACKUP = audit_action_register(
    AuditAction("test.after_the_backup", TOPIC, "After the backup", says("After the backup."))
)
KEPT = audit_action_register(AuditAction("test.kept", TOPIC, "Kept", says("Kept.")))


def run(*arguments: str, capsys) -> str:
    call_command(*arguments)
    return capsys.readouterr().out


def test_a_restore_gives_back_the_backup_and_verifies_it(chicago, tmp_path, capsys):
    backup = tmp_path / "cpps.backup"
    events = AuditEvent.objects.count()
    assert "Backed up the database to" in run("backup", str(backup), capsys=capsys)
    audit_event_record(jurisdiction=chicago, actor=SYSTEM, action=AFTER_THE_BACKUP)

    output = run("restore", str(backup), "--yes", capsys=capsys)
    assert "audit chains: 2 checked" in output  # organisational acts, residents' acts
    assert "survey response seals:" in output
    assert "every audit chain and survey seal verifies" in output
    assert AuditEvent.objects.count() == events
    assert not AuditEvent.objects.filter(action=AFTER_THE_BACKUP).exists()


def test_a_restore_that_fails_its_checks_says_what_is_wrong(chicago, tmp_path, capsys):
    sealed = Answer.objects.filter(response__seal__isnull=False, skipped=False).first()
    assert sealed is not None, "the demo seals its survey responses"
    Answer.objects.filter(pk=sealed.pk).update(text="altered after sealing", choices=["9"])
    backup = tmp_path / "altered.backup"
    run("backup", str(backup), capsys=capsys)
    with pytest.raises(CommandError, match="fails its integrity checks") as refused:
        call_command("restore", str(backup), "--yes")
    assert "survey response seals: survey" in str(refused.value)
    assert "a sealed response was altered after sealing" in str(refused.value)


def test_a_backup_made_with_another_key_is_refused_before_anything_changes(
    chicago, tmp_path, settings, capsys
):
    backup = tmp_path / "cpps.backup"
    run("backup", str(backup), capsys=capsys)
    audit_event_record(jurisdiction=chicago, actor=SYSTEM, action=KEPT)
    settings.PSEUDONYM_KEY = "not the key the backup was made with"
    with pytest.raises(CommandError, match="made with a different PSEUDONYM_KEY"):
        call_command("restore", str(backup), "--yes")
    assert AuditEvent.objects.filter(action=KEPT).exists()


def hand_made_backup(path) -> None:
    """A backup made with the database's own tool, as before cpps kept a fingerprint."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        target.close()
        return
    database = settings.DATABASES["default"]
    subprocess.run(
        [
            "pg_dump",
            "--format=custom",
            f"--file={path}",
            f"--dbname={database['NAME']}",
            f"--host={database['HOST']}",
            f"--port={database['PORT']}",
            f"--username={database['USER']}",
        ],
        check=True,
    )


def test_a_backup_without_a_fingerprint_needs_an_explicit_choice(chicago, tmp_path, capsys):
    KeyFingerprint.objects.all().delete()
    backup = tmp_path / "old.backup"
    hand_made_backup(backup)
    with pytest.raises(CommandError, match="holds no key fingerprint"):
        call_command("restore", str(backup), "--yes")
    output = run("restore", str(backup), "--yes", "--without-key-check", capsys=capsys)
    assert "every audit chain and survey seal verifies" in output
    assert KeyFingerprint.objects.exists()  # recorded with the configured key from now on


def test_restore_refuses_without_confirmation_and_names_a_bad_file(chicago, tmp_path):
    with pytest.raises(CommandError, match="add --yes"):
        call_command("restore", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "missing.backup"), "--yes")
    junk = tmp_path / "junk.backup"
    junk.write_text("not a backup\n")
    with pytest.raises(CommandError, match=r"not an SQLite database|pg_restore failed"):
        call_command("restore", str(junk), "--yes")
