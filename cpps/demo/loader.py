"""The demo jurisdiction: Chicago, its police districts as areas, with real census figures.

Everything is created through the same services as in production, so the demo's audit chain is
a real one and `cpps audit verify` checks it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings
from django.db import transaction

from cpps.accounts.models import Role, User
from cpps.accounts.services import membership_grant, user_create
from cpps.audit.services import audit_chains_check
from cpps.deliberation.models import DELIBERATION_KIND
from cpps.demo.accountability import demo_accountability_load
from cpps.demo.deliberation import demo_conversation_load
from cpps.demo.listening import demo_surveys_load
from cpps.demo.panels import demo_panels_load
from cpps.engines.census import CensusTable, read_census_csv
from cpps.jurisdictions.models import Jurisdiction
from cpps.jurisdictions.services import census_import, jurisdiction_create
from cpps.listening.models import SURVEY_KIND
from cpps.panels.models import PANEL_KIND
from cpps.processes.models import ProcessState
from cpps.processes.services import process_create, process_transition

DEMO_SLUG = "chicago"
CENSUS_FILE = "chicago_police_district_marginals.csv"
NAMES_FILE = "chicago_police_district_names.csv"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    first_name: str
    last_name: str


DEMO_ACCOUNTS = tuple(
    DemoAccount(
        f"demo-{role.value.replace('_', '-')}",
        f"cpps-demo-{role.value.replace('_', '-')}",
        role,
        first,
        last,
    )
    for role, first, last in (
        (Role.FACILITATOR, "Rosa", "Delgado"),
        (Role.COUNCIL_MEMBER, "Marcus", "Johnson"),
        (Role.RESIDENT, "Aisha", "Bello"),
        (Role.POLICE_LIAISON, "Daniel", "Kowalski"),
        (Role.CITY_OFFICIAL, "Grace", "Lee"),
        (Role.AUDITOR, "Tomás", "Reyes"),
        (Role.ADMIN, "Sam", "Okafor"),
    )
)


def census_directory() -> Path:
    return Path(settings.BASE_DIR) / "data" / "census"


def demo_census_table() -> CensusTable:
    """Read the district marginals and give each district its CPD name."""
    table = read_census_csv(census_directory() / CENSUS_FILE)
    with (census_directory() / NAMES_FILE).open(newline="", encoding="utf-8") as stream:
        names = {row["police_district"]: row["name"] for row in csv.DictReader(stream)}
    areas = tuple(
        replace(area, name=f"{area.code} \N{EN DASH} {names.get(area.code, area.code)}")
        for area in table.areas
    )
    return CensusTable(areas=areas, figures=table.figures)


def demo_load() -> tuple[Jurisdiction, bool]:
    """Create the demo jurisdiction with accounts and processes; return (it, created)."""
    existing = Jurisdiction.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        chicago = jurisdiction_create(
            name="Chicago",
            slug=DEMO_SLUG,
            description=(
                "A demonstration community: Chicago's 22 police districts and the O'Hare area, "
                "with their 2020 census figures."
            ),
        )
        census_import(jurisdiction=chicago, table=demo_census_table(), file_name=CENSUS_FILE)
        users = {}
        for account in DEMO_ACCOUNTS:
            user = User.objects.filter(username=account.username).first() or user_create(
                username=account.username,
                password=account.password,
                first_name=account.first_name,
                last_name=account.last_name,
                email=f"{account.username}@example.org",
            )
            membership_grant(granted_by=None, jurisdiction=chicago, user=user, role=account.role)
            users[account.role] = user
        _demo_processes(chicago, users[Role.FACILITATOR], users[Role.COUNCIL_MEMBER])
        demo_surveys_load(chicago, users[Role.FACILITATOR])
        demo_accountability_load(chicago, users)
        demo_panels_load(chicago, users[Role.FACILITATOR])
    audit_chains_check(jurisdiction=chicago)  # the record shows its chains checked from the start
    return chicago, True


def _demo_processes(chicago: Jurisdiction, facilitator: User, council_member: User) -> None:
    deliberation = process_create(
        user=facilitator,
        jurisdiction=chicago,
        kind=DELIBERATION_KIND,
        title="What would make you feel safer on your block?",
        purpose=(
            "Share short statements and react to your neighbours' ideas. We will show where "
            "people agree, where they differ, and what everyone can support."
        ),
        area_codes=["7", "8", "9"],
    )
    process_transition(user=facilitator, process=deliberation, to_state=ProcessState.OPEN)
    demo_conversation_load(deliberation, facilitator)
    process_create(
        user=council_member,
        jurisdiction=chicago,
        kind=PANEL_KIND,
        title="Southwest Side community safety panel",
        purpose=(
            "A panel of 30 residents drawn by lot from every part of the area, paid for their "
            "time, "
            "to set the priorities the police and city services will answer to."
        ),
        area_codes=["8", "10"],
    )
    process_create(
        user=facilitator,
        jurisdiction=chicago,
        kind=SURVEY_KIND,
        title="Feeling safe and being heard: citywide survey",
        purpose=(
            "How safe do you feel, day and night? Do you feel listened to and treated with "
            "respect? "
            "Answer online, by text message, by phone or on paper."
        ),
    )
