"""cpps demo: load the demo jurisdiction (Chicago) and one account per role."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cpps.demo.listening import SECOND_KEYER, SECOND_KEYER_PASSWORD
from cpps.demo.loader import DEMO_ACCOUNTS, demo_load


class Command(BaseCommand):
    help = "Load the demo jurisdiction (Chicago, real 2020 census figures) and demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        jurisdiction, created = demo_load()
        state = "Loaded" if created else "Already loaded:"
        self.stdout.write(f"{state} {jurisdiction.name} with {jurisdiction.areas.count()} areas.")
        self.stdout.write("Demo sign-ins (user name / password):")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.role.label:<34} {account.username} / {account.password}")
        second_keyer = "Facilitator (second paper keyer)"
        self.stdout.write(f"  {second_keyer:<34} {SECOND_KEYER} / {SECOND_KEYER_PASSWORD}")
