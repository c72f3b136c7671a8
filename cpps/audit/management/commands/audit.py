"""cpps audit verify [--jurisdiction X]: check the hash chains; exit 1 naming the first bad one.

What it finds is kept, so the public record shows when the chains were last checked."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cpps.audit.selectors import chain_labels, chain_report_text
from cpps.audit.services import audit_chains_check
from cpps.jurisdictions.models import Jurisdiction


class Command(BaseCommand):
    help = "Work with the tamper-evident audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser("verify", help="verify every chain (or one jurisdiction's)")
        verify.add_argument("--jurisdiction", help="the jurisdiction's short name (slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        jurisdiction = None
        if options.get("jurisdiction"):
            jurisdiction = Jurisdiction.objects.filter(slug=options["jurisdiction"]).first()
            if jurisdiction is None:
                raise CommandError(f"No jurisdiction '{options['jurisdiction']}'.")
        reports = audit_chains_check(jurisdiction=jurisdiction)
        labels = chain_labels()
        broken = []
        for report in reports:
            if report.verification.intact:
                self.stdout.write(chain_report_text(report, labels))
            else:
                broken.append(chain_report_text(report, labels))
        if broken:
            raise CommandError("Audit chain broken.\n" + "\n".join(broken))
        self.stdout.write(self.style.SUCCESS(f"All {len(reports)} audit chains are intact."))
