"""cpps restore FILE --yes: replace the database with a backup, then verify it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cpps.common.backup import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Replace the whole database with the backup in FILE (stop the web processes and the "
        "workers first), then verify the audit chains and the survey seals. A backup made with "
        "another PSEUDONYM_KEY is refused before anything changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a backup written by `cpps backup`")
        parser.add_argument(
            "--yes", action="store_true", help="confirm that the current data may be replaced"
        )
        parser.add_argument(
            "--without-key-check",
            action="store_true",
            help="restore a backup that holds no key fingerprint (made before cpps kept one)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not options["yes"]:
            raise CommandError(
                f"Restoring replaces every row of the database with {path}; add --yes to do it."
            )
        try:
            reports = database_restore(path=path, check_key=not options["without_key_check"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        problems = [
            f"{report.subject}: {problem}" for report in reports for problem in report.problems
        ]
        for report in reports:
            self.stdout.write(f"{report.subject}: {report.checked} checked")
        if problems:
            raise CommandError(
                f"Restored {path}, but it fails its integrity checks; do not serve it until "
                "this is explained:\n" + "\n".join(problems)
            )
        self.stdout.write(
            self.style.SUCCESS(f"Restored {path}; every audit chain and survey seal verifies.")
        )
