"""Backing the database up and restoring it: `pg_dump`/`pg_restore` for PostgreSQL, SQLite's
online backup API for SQLite.

A backup carries the fingerprint of the `PSEUDONYM_KEY` it was written with (never the key).
A restore refuses a backup made with another key before touching anything, and afterwards runs
every registered integrity check (the audit chains, the survey seals), so a restored database is
known to be the one that was backed up before it is served.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection

from cpps.common.hooks import IntegrityReport, integrity_checks
from cpps.common.keys import PSEUDONYM_KEY, key_fingerprint, key_fingerprint_record
from cpps.common.models import KeyFingerprint

FINGERPRINT_TABLE = KeyFingerprint._meta.db_table


class BackupError(Exception):
    """A backup or restore could not be made; the message says why, for the operator."""


def database_backup(*, path: Path) -> None:
    """Write a consistent copy of the whole database to `path` (written whole or not at all).

    Raises:
        BackupError: the database cannot be backed up (tool missing, server refusing, ...).
    """
    key_fingerprint_record()
    partial = path.with_name(f".{path.name}.partial")
    try:
        if connection.vendor == "postgresql":
            _run(
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={partial}",
                *_pg_connection_arguments(),
            )
        elif connection.vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(partial) as target:
                connection.connection.backup(target)
            target.close()
        else:
            raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
        partial.replace(path)
    except OSError as error:
        raise BackupError(f"{path}: {error.strerror or error}") from error
    finally:
        partial.unlink(missing_ok=True)


def backup_key_fingerprint(*, path: Path) -> str | None:
    """The key fingerprint a backup holds, or None if it holds none.

    Raises:
        BackupError: `path` is not a backup of this kind of database.
    """
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    if connection.vendor == "postgresql":
        listing = _run(
            _pg_tool("pg_restore"),
            "--data-only",
            f"--table={FINGERPRINT_TABLE}",
            "--file=-",
            str(path),
        )
        return _fingerprint_from_copy(listing)
    try:
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as source:
            if source.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise BackupError(f"{path}: the SQLite file is damaged (quick_check failed).")
            tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master")}
            if FINGERPRINT_TABLE not in tables:
                return None
            row = source.execute(
                f"SELECT fingerprint FROM {FINGERPRINT_TABLE} WHERE name = ?",  # noqa: S608 - a model's table name
                (PSEUDONYM_KEY,),
            ).fetchone()
        source.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"{path}: not an SQLite database ({error}); a PostgreSQL backup restores only into "
            "PostgreSQL."
        ) from error
    return None if row is None else str(row[0])


def database_restore(*, path: Path, check_key: bool = True) -> list[IntegrityReport]:
    """Replace the database's contents with the backup at `path`; return the integrity reports.

    Refuses, before changing anything, a backup made with another `PSEUDONYM_KEY` (or, with
    `check_key`, one that holds no fingerprint at all).

    Raises:
        BackupError: the backup is unusable or was made with another key; nothing was changed.
    """
    fingerprint = backup_key_fingerprint(path=path)
    if fingerprint is None and check_key:
        raise BackupError(
            f"{path} holds no key fingerprint, so it cannot be shown to match this "
            "PSEUDONYM_KEY. If you are sure it was made with this key, restore it with "
            "--without-key-check."
        )
    if fingerprint is not None and fingerprint != key_fingerprint(settings.PSEUDONYM_KEY):
        raise BackupError(
            f"{path} was made with a different PSEUDONYM_KEY than the one configured; nothing "
            "was restored. Restore with the key the backup was made with."
        )
    connection.close()
    if connection.vendor == "postgresql":
        _run(
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *_pg_connection_arguments(),
            str(path),
        )
    else:
        with (
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as source,
            sqlite3.connect(settings.DATABASES["default"]["NAME"]) as target,
        ):
            source.backup(target)
        source.close()
        target.close()
    key_fingerprint_record()
    return [check() for check in integrity_checks().values()]


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"{name} is not installed; install the PostgreSQL client tools "
            "(apt-get install postgresql-client) in the version of the server or newer."
        )
    return tool


def _pg_connection_arguments() -> list[str]:
    database = settings.DATABASES["default"]
    arguments = [f"--dbname={database['NAME']}"]
    if database.get("HOST"):
        arguments.append(f"--host={database['HOST']}")
    if database.get("PORT"):
        arguments.append(f"--port={database['PORT']}")
    if database.get("USER"):
        arguments.append(f"--username={database['USER']}")
    return arguments


def _run(*command: str) -> str:
    database = settings.DATABASES["default"]
    environment = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = str(database["PASSWORD"])
    finished = subprocess.run(  # noqa: S603 - the tool's path and our own arguments
        command, env=environment, capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        detail = finished.stderr.strip().splitlines()
        raise BackupError(
            f"{Path(command[0]).name} failed: {detail[-1] if detail else finished.returncode}"
        )
    return finished.stdout


def _fingerprint_from_copy(listing: str) -> str | None:
    """The fingerprint in pg_restore's COPY text of the fingerprint table, if any."""
    rows = iter(listing.splitlines())
    for line in rows:
        if line.startswith(f"COPY public.{FINGERPRINT_TABLE} "):
            for row in rows:
                if row == "\\.":
                    return None
                name, fingerprint, *_rest = row.split("\t")
                if name == PSEUDONYM_KEY:
                    return fingerprint
    return None
