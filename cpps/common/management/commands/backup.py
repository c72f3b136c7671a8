"""cpps backup FILE: a consistent copy of the whole database, with the pseudonym key's
fingerprint (never the key)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cpps.common.backup import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Back the database up to FILE (PostgreSQL: pg_dump's custom format; SQLite: a copy made "
        "with SQLite's online backup). Keep PSEUDONYM_KEY apart from it: see the README."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="where to write the backup")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            database_backup(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = path.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"Backed up the database to {path} ({size} bytes)."))
