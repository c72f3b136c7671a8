"""Set the demo panel up with a generated 2,000-person pool (benchmarks/sortition.py's skewed
six-category pool, about 16 s of LEXIMIN) through the real services, and freeze it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCHMARKS))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpps.config.settings")

import django  # noqa: E402

django.setup()

from sortition import generated_instance  # noqa: E402 - benchmarks/sortition.py

from cpps.accounts.models import User  # noqa: E402
from cpps.panels import services  # noqa: E402
from cpps.panels.models import PANEL_KIND  # noqa: E402
from cpps.processes.models import Process  # noqa: E402


def main(size: int) -> None:
    instance = generated_instance("drill", size, size // 10, [2, 5, 4, 5, 3, 6], skew=2.0, seed=11)
    facilitator = User.objects.get(username="demo-facilitator")
    process = Process.objects.get(jurisdiction__slug="chicago", kind=PANEL_KIND)
    panel = services.panel_setup(
        user=facilitator, process=process, size=instance.size, tolerance_percent=5,
        variables=["sex"],
    )  # fmt: skip
    quotas = "category,feature,min,max\n" + "".join(
        f"{q.category},{q.value},{q.min},{q.max}\n" for q in instance.quotas
    )
    panel = services.panel_quotas_import(user=facilitator, panel=panel, data=quotas.encode())
    addresses = "address,unit,zip\n" + "".join(
        f"{100 + n} W Drill St,Apt {n % 9 + 1},606{n % 50:02d}\n" for n in range(size)
    )
    invitations = services.invitations_import(
        user=facilitator, panel=panel, data=addresses.encode(), sample_size=size
    )
    for number, (invitation, person) in enumerate(
        zip(invitations, instance.pool.people, strict=True)
    ):
        services.registration_create(
            panel=panel,
            code=invitation.code,
            answers=dict(person.features),
            name=f"Resident {number}",
            email=f"resident{number}@example.org",
        )
    services.panel_freeze(
        user=facilitator, panel=panel, randomness_source="drand mainnet round 5000000 (drill)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
