"""Benchmark the public record against the size of the audit log.

Builds the demo on a fresh database, then grows the jurisdiction's two chains (organisational
acts, and residents' acts over 90 days) to each size in turn, with real hashes, and prints:

- the record page (`/j/chicago/record/`) and the verification endpoint: median time over 15
  requests through Django's test client, and the number of SQL queries per page;
- the baseline measured in the same run: walking every chain (`audit_chain_verify`), which the
  verification endpoint did on every request before, and which now runs only in the hourly task
  and `cpps audit verify`.

    .venv/bin/python benchmarks/record.py [--sizes 1000 10000 100000]

Uses its own SQLite file (or the database DATABASE_URL names: give it one of its own).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUESTS = 15


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/record-bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpps.config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0)


def _grow(jurisdiction, *, residents: bool, to: int) -> None:
    """Append events with real hashes until the chain holds `to` events (bulk, not one by one)."""
    from django.utils import timezone  # noqa: PLC0415

    from cpps.audit.adapters import chain_key, event_body  # noqa: PLC0415
    from cpps.audit.models import AuditChainHead, AuditDayCount, AuditEvent  # noqa: PLC0415
    from cpps.engines.auditchain import GENESIS_HASH, event_hash  # noqa: PLC0415
    from cpps.processes.models import Process  # noqa: PLC0415

    chain = chain_key(jurisdiction.pk, residents=residents)
    head, _ = AuditChainHead.objects.get_or_create(
        chain=chain, defaults={"sequence": 0, "hash": GENESIS_HASH}
    )
    process = Process.objects.filter(jurisdiction=jurisdiction, kind="scorecard").first()
    start = timezone.localdate() - timedelta(days=90)
    sequence, previous, batch, counts = head.sequence, head.hash, [], {}
    while sequence < to:
        sequence += 1
        if residents:
            day = start + timedelta(days=sequence % 90)
            when = timezone.make_aware(datetime.combine(day, datetime.min.time()))
            action, payload = "commitment.rated", {"scorecard": process.pk}
            counts[day] = counts.get(day, 0) + 1
        else:
            when = timezone.now()
            action, payload = (
                "process.links_issued",
                {"count": sequence, "expires_on": "2030-01-01"},
            )
        event = AuditEvent(
            chain=chain, jurisdiction=jurisdiction, sequence=sequence, recorded_at=when,
            actor_ref="system", actor_role="system", action=action, object_type="process",
            object_id=str(process.pk), payload=payload, prev_hash=previous,
        )  # fmt: skip
        event.hash = event_hash(prev_hash=previous, sequence=sequence, body=event_body(event))
        previous = event.hash
        batch.append(event)
        if len(batch) == 5000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    AuditChainHead.objects.filter(pk=head.pk).update(sequence=sequence, hash=previous)
    for day, count in counts.items():
        row, _ = AuditDayCount.objects.get_or_create(
            chain=chain, day=day, action="commitment.rated", process_id=process.pk
        )
        AuditDayCount.objects.filter(pk=row.pk).update(count=row.count + count)


def _median_ms(client, path: str) -> tuple[float, int]:
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    times = []
    for _ in range(REQUESTS):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    return statistics.median(times), len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    arguments = parser.parse_args()
    _setup()
    from django.test import Client  # noqa: PLC0415

    from cpps.audit.selectors import audit_chain_verify  # noqa: PLC0415
    from cpps.audit.services import audit_chains_check  # noqa: PLC0415
    from cpps.jurisdictions.models import Jurisdiction  # noqa: PLC0415

    chicago = Jurisdiction.objects.get(slug="chicago")
    client = Client()
    print(
        f"{'events per chain':>16} | {'record page ms':>14} | {'queries':>7} | "
        f"{'verification ms':>15} | {'baseline: walk chains ms':>24}"
    )
    for size in sorted(arguments.sizes):
        _grow(chicago, residents=False, to=size)
        _grow(chicago, residents=True, to=size)
        audit_chains_check(jurisdiction=chicago)
        page_ms, queries = _median_ms(client, "/j/chicago/record/")
        status_ms, _ = _median_ms(client, "/api/jurisdictions/chicago/audit-events/verification")
        began = time.perf_counter()
        reports = audit_chain_verify(jurisdiction=chicago)
        walk_ms = (time.perf_counter() - began) * 1000
        if not all(report.verification.intact for report in reports):
            raise SystemExit("the grown chains do not verify")
        print(
            f"{size:>16,} | {page_ms:>14.1f} | {queries:>7} | {status_ms:>15.1f} | {walk_ms:>24.0f}"
        )


if __name__ == "__main__":
    main()
