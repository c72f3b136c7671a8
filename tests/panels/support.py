"""Helpers shared by the panel tests: a real sortition instance registered through the services."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

from django.utils import timezone

from cpps.panels import services
from cpps.panels.models import Panel
from cpps.processes.models import Process

DATA = Path(__file__).resolve().parents[2] / "data" / "sortition" / "example_small_20"


def randomness_due() -> datetime:
    """When the declared public randomness of a test draw is published: soon, but after now."""
    return timezone.now() + timedelta(hours=2)


def randomness_now_public(panel: Panel) -> Panel:
    """Let the declared publication time pass (the draw refuses the randomness before it)."""
    Panel.objects.filter(pk=panel.pk).update(
        randomness_published_at=timezone.now() - timedelta(seconds=1)
    )
    panel.refresh_from_db()
    return panel


def instance_rows() -> list[dict[str, str]]:
    with (DATA / "respondents.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def address_list(count: int) -> bytes:
    lines = ["address,unit,zip"]
    lines += [f"{100 + n} W Example St,Apt {n % 7 + 1},606{n % 50:02d}" for n in range(count)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def demo_panel_process(chicago) -> Process:
    return Process.objects.get(jurisdiction=chicago, kind="panel")


def instance_panel(chicago, facilitator, *, registrations: int = 200) -> Panel:
    """The demo panel set up with example_small_20's quotas and `registrations` of its people."""
    process = demo_panel_process(chicago)
    panel = services.panel_setup(
        user=facilitator, process=process, size=20, tolerance_percent=5, variables=["sex"]
    )
    panel = services.panel_quotas_import(
        user=facilitator, panel=panel, data=(DATA / "categories.csv").read_bytes()
    )
    invitations = services.invitations_import(
        user=facilitator, panel=panel, data=address_list(220), sample_size=registrations
    )
    for number, (invitation, answers) in enumerate(zip(invitations, instance_rows(), strict=False)):
        services.registration_create(
            panel=panel,
            code=invitation.code,
            answers=answers,
            name=f"Resident {number}",
            email=f"resident{number}@example.org",
        )
    return panel
