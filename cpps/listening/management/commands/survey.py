"""cpps survey seal | verify-seals: seal sent responses now; check every seal against the data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cpps.listening.selectors import response_seals_verify
from cpps.listening.services import responses_seal_pending


class Command(BaseCommand):
    help = "Seal survey responses into the audit log, or verify the seals."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("seal", help="seal every survey's sent, unsealed responses now")
        actions.add_parser(
            "verify-seals", help="recompute every seal's digest; exit 1 naming any broken seal"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            sealed = responses_seal_pending()
            self.stdout.write(self.style.SUCCESS(f"Sealed {sealed} responses."))
            return
        checked, problems = response_seals_verify()
        if problems:
            raise CommandError("Broken seals:\n" + "\n".join(str(problem) for problem in problems))
        self.stdout.write(self.style.SUCCESS(f"All {checked} response seals are intact."))
