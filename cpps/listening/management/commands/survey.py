"""cpps survey seal | verify-seals | verify-results | rebuild-results: seal sent responses now;
check every seal against the data; check the results' counts against the answers; count them
afresh."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cpps.listening.models import SURVEY_KIND
from cpps.listening.selectors import response_seals_verify
from cpps.listening.services import responses_seal_pending
from cpps.listening.tallies import (
    TallyProblem,
    results_rebuild,
    results_refresh_run,
    results_verify,
)
from cpps.processes.models import Process


class Command(BaseCommand):
    help = "Seal survey responses into the audit log, verify the seals, or check the results."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("seal", help="seal every survey's sent, unsealed responses now")
        actions.add_parser(
            "verify-seals", help="recompute every seal's digest; exit 1 naming any broken seal"
        )
        for name, text in (
            (
                "verify-results",
                "recount the sealed answers and compare them with the results' stored counts; "
                "exit 1 naming every difference",
            ),
            (
                "rebuild-results",
                "count the sealed answers afresh and recompute the stored results",
            ),
        ):
            action = actions.add_parser(name, help=text)
            action.add_argument("--survey", type=int, help="only this survey (its number)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "seal":
            sealed = responses_seal_pending()
            self.stdout.write(self.style.SUCCESS(f"Sealed {sealed} responses."))
        elif action == "verify-seals":
            checked, broken = response_seals_verify()
            if broken:
                raise CommandError(
                    "Broken seals:\n" + "\n".join(str(problem) for problem in broken)
                )
            self.stdout.write(self.style.SUCCESS(f"All {checked} response seals are intact."))
        elif action == "verify-results":
            surveys = self._surveys(options.get("survey"))
            checked = 0
            problems: list[TallyProblem] = []
            for survey in surveys:
                counted, found = results_verify(process=survey)
                checked += counted
                problems += found
            if problems:
                raise CommandError(
                    "The results' counts differ from the answers:\n"
                    + "\n".join(str(problem) for problem in problems)
                    + "\nRun `cpps survey rebuild-results` to count them afresh."
                )
            self.stdout.write(
                self.style.SUCCESS(f"The counts of {checked} surveys match their answers.")
            )
        else:
            rebuilt = 0
            for survey in self._surveys(options.get("survey")):
                tally = results_rebuild(process=survey)
                results_refresh_run(process_id=survey.pk)
                rebuilt += tally.responses
                self.stdout.write(f"Survey {survey.pk}: {tally.responses} responses counted.")
            self.stdout.write(self.style.SUCCESS(f"Counted {rebuilt} responses afresh."))

    def _surveys(self, pk: int | None) -> list[Process]:
        surveys = Process.objects.filter(kind=SURVEY_KIND).select_related("jurisdiction")
        if pk is not None:
            surveys = surveys.filter(pk=pk)
            if not surveys.exists():
                raise CommandError(f"There is no survey number {pk}.")
        return list(surveys.order_by("pk"))
