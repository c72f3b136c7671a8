"""Demo content: the Southwest Side panel set up with census quotas, ready to invite."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cpps.panels.models import PANEL_KIND
from cpps.panels.services import panel_setup
from cpps.processes.models import Process

if TYPE_CHECKING:
    from cpps.accounts.models import User
    from cpps.jurisdictions.models import Jurisdiction


def demo_panels_load(chicago: Jurisdiction, facilitator: User) -> None:
    """Set up the demo's panel process: 30 seats, sex and adult age band at census shares."""
    process = Process.objects.filter(jurisdiction=chicago, kind=PANEL_KIND).first()
    if process is None:
        return
    panel_setup(
        user=facilitator,
        process=process,
        size=30,
        tolerance_percent=5,
        variables=["sex", "age_band"],
        stipend="$300 for six evening sessions",
        offers_childcare=True,
        offers_transport=True,
        helpline="(312) 555-0142",
        sms_number="(312) 555-0143",
    )
