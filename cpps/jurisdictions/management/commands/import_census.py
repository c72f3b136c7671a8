"""cpps import-census JURISDICTION FILE: load areas and census figures, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cpps.common.errors import DomainError
from cpps.engines.census import CensusFileError, read_census_csv
from cpps.jurisdictions.models import Jurisdiction
from cpps.jurisdictions.services import census_import, jurisdiction_create


class Command(BaseCommand):
    help = (
        "Load census figures for a jurisdiction's areas from a CSV file (long layout, or the wide "
        "marginals layout). A bad file loads nothing and every problem is listed by row and column."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("jurisdiction", help="the jurisdiction's short name (slug)")
        parser.add_argument("file", type=Path, help="the census CSV file")
        parser.add_argument(
            "--create",
            metavar="NAME",
            help="create the jurisdiction with this name if it does not exist",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            table = read_census_csv(path)
        except CensusFileError as error:
            raise CommandError(f"{path}: {error}") from error
        try:
            # A jurisdiction created for a file that then fails to load is not kept either.
            with transaction.atomic():
                jurisdiction = self._jurisdiction(options["jurisdiction"], options["create"])
                summary = census_import(jurisdiction=jurisdiction, table=table, file_name=path.name)
        except DomainError as error:
            raise CommandError(f"{path}: {error}") from error
        self.stdout.write(
            f"Loaded {summary['figures']} figures for {summary['areas']} areas "
            f"({summary['areas_created']} new) into {jurisdiction.name}."
        )

    def _jurisdiction(self, slug: str, create: str | None) -> Jurisdiction:
        jurisdiction = Jurisdiction.objects.filter(slug=slug).first()
        if jurisdiction is not None:
            return jurisdiction
        if not create:
            raise CommandError(f"No jurisdiction '{slug}'. Add --create \"Its name\" to create it.")
        return jurisdiction_create(name=create, slug=slug)
