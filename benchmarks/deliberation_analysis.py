"""Re-analysis of a large conversation stored in PostgreSQL, from the database to the stored result.

Builds a fresh database (migrated, demo loaded), a conversation of 100,000 participants x 2,000
statements with opinion-group structure (`synthetic_conversation.py`, loaded by COPY), and:

1. the baseline: the first analysis, afresh (every vote read, the engine from scratch);
2. the target: a batch of 1% new votes (a third from 1% new participants, some on 1% new
   statements), then the analysis again, as the running product does it: an update of the
   stored engine state with the votes since.

Each analysis runs `services.analysis_run` in a process of its own (the task's code path: claim,
read votes and state, engine, summary, store analysis and state), so its wall time and peak
memory (max RSS, Django included) belong to that run alone. Stages are timed by wrapping the
adapters the service calls.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python benchmarks/deliberation_analysis.py [--participants 1000000] [--quick]

Targets: the update < 10 s and < 2 GB at 100,000 participants; 1,000,000 participants finish.
The database named in DATABASE_URL is only used to create and drop the benchmark's own database.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from serving import (
    ROOT,
    admin_url,
    database_url,
    drop_database,
    machine_load,
    project_env,
    recreate_database,
)
from synthetic_conversation import batch_load, conversation_load

BENCH_DB = "cpps_deliberation_analysis_bench"
STATEMENTS = 2_000
TARGET_SECONDS = 10.0
TARGET_BYTES = 2 * 2**30


def run_step(arguments: list[str], url: str, *, script: str = __file__) -> dict[str, Any]:
    """Run a benchmark file's ``--step`` (this one's by default) in a fresh process on ``url``;
    return the JSON line it prints."""
    done = subprocess.run(
        [sys.executable, script, *arguments],
        env=project_env(url, DJANGO_SETTINGS_MODULE="cpps.config.settings"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{arguments[:2]} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- Steps run inside Django ------------------------------------------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    import django  # noqa: PLC0415 - only the worker processes load Django

    django.setup()


def step_create() -> dict[str, Any]:
    """A new open conversation in the demo jurisdiction, convened by its facilitator."""
    _django()
    from cpps.accounts.models import Membership, Role  # noqa: PLC0415
    from cpps.deliberation.models import DELIBERATION_KIND  # noqa: PLC0415
    from cpps.deliberation.services import conversation_set_up  # noqa: PLC0415
    from cpps.processes.models import ProcessState  # noqa: PLC0415
    from cpps.processes.services import process_create, process_transition  # noqa: PLC0415

    membership = (
        Membership.objects.select_related("user", "jurisdiction")
        .filter(jurisdiction__slug="chicago", role=Role.FACILITATOR)
        .order_by("pk")
        .first()
    )
    assert membership is not None  # noqa: S101 - the demo always has a facilitator
    process = process_create(
        user=membership.user,
        jurisdiction=membership.jurisdiction,
        kind=DELIBERATION_KIND,
        title="Benchmark conversation",
        purpose="A large synthetic conversation for the analysis benchmark.",
        area_codes=["7", "8", "9"],
    )
    process_transition(user=membership.user, process=process, to_state=ProcessState.OPEN)
    conversation_set_up(
        user=membership.user,
        process=process,
        topic="What would make you feel safer on your block?",
        # The benchmark runs analyses itself: none falls due while votes load.
        statement_max_length=280,
    )
    return {"process": process.pk}


def step_analyse(process_id: int) -> dict[str, Any]:
    """One `analysis_run`, with its stages timed and its peak memory."""
    _django()
    from django.db import connection  # noqa: PLC0415

    from cpps.deliberation import adapters, services  # noqa: PLC0415
    from cpps.deliberation.models import AnalysisState  # noqa: PLC0415

    stages: dict[str, float] = {}

    def timed(owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                stages[label] = stages.get(label, 0.0) + time.perf_counter() - started

        setattr(owner, name, wrapper)

    timed(adapters, "votes_fetch", "read votes")
    timed(adapters, "state_load", "read state")
    timed(services.engine, "update_analysis", "engine")
    timed(services.engine, "analyze_conversation", "engine")
    timed(adapters, "summary_of", "summary")
    timed(adapters, "state_dump", "write state")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.perf_counter()
    stored = services.analysis_run(process_id=process_id)
    seconds = time.perf_counter() - started
    if stored is None:
        raise RuntimeError("the analysis did not run")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT octet_length(data) FROM {AnalysisState._meta.db_table} "  # noqa: S608
            "WHERE process_id = %s",
            [process_id],
        )
        row = cursor.fetchone()
    stages["other (claim, queries, store)"] = seconds - sum(stages.values())
    return {
        "seconds": seconds,
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "rss_before": rss_before,
        "incremental": stored.incremental,
        "participants": stored.participants,
        "votes": stored.votes,
        "groups": len(stored.summary["groups"]),
        "state_bytes": int(row[0]) if row else 0,
        "stages": stages,
    }


# --- The run ----------------------------------------------------------------------------------


def _row(name: str, run: dict[str, Any]) -> str:
    return (
        f"{name:<44}{run['seconds']:>9.2f}{run['peak_rss'] / 2**20:>11.0f}"
        f"{run['state_bytes'] / 2**20:>10.1f}{run['participants']:>13,}{run['votes']:>12,}"
        f"{run['groups']:>7}"
    )


def report(participants: int, fresh: dict[str, Any], update: dict[str, Any]) -> bool:
    print()
    print(
        f"{'analysis (database -> stored result)':<44}{'seconds':>9}{'peak MiB':>11}"
        f"{'state MiB':>10}{'participants':>13}{'votes':>12}{'groups':>7}"
    )
    print(_row("afresh, every vote (baseline)", fresh))
    print(_row("update after a 1% batch (the running case)", update))
    for name, run in (("afresh", fresh), ("update", update)):
        parts = ", ".join(f"{stage} {seconds:.2f}" for stage, seconds in run["stages"].items())
        print(f"  {name} stages (s): {parts}")
    met = update["seconds"] < TARGET_SECONDS and update["peak_rss"] < TARGET_BYTES
    if participants == 100_000:
        print(
            f"target (update < {TARGET_SECONDS:.0f} s and < 2 GiB at 100,000 participants): "
            f"{update['seconds']:.1f} s, {update['peak_rss'] / 2**30:.2f} GiB: "
            + ("met" if met else "NOT met")
        )
    else:
        print(f"{participants:,} participants: both analyses finished.")
    return met or participants != 100_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--statements", type=int, default=STATEMENTS)
    parser.add_argument("--step", choices=["create", "analyse"], help=argparse.SUPPRESS)
    parser.add_argument("--process", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a kept database (a new conversation in it)"
    )
    parser.add_argument("--quick", action="store_true", help="10,000 participants (a smoke check)")
    args = parser.parse_args()
    if args.step == "create":
        print(json.dumps(step_create()))
        return 0
    if args.step == "analyse":
        print(json.dumps(step_analyse(args.process)))
        return 0
    if args.quick:
        args.participants = 10_000
    base = admin_url()
    if args.reuse:
        url = database_url(base, BENCH_DB)
    else:
        print("Preparing a fresh database with the demo ...", flush=True)
        url = recreate_database(base, BENCH_DB)
    process = int(run_step(["--step", "create"], url)["process"])
    print(
        f"Loading {args.participants:,} participants x {args.statements:,} statements by COPY ...",
        flush=True,
    )
    started = time.perf_counter()
    loaded = conversation_load(url, process, args.participants, args.statements)
    print(f"  {loaded.votes:,} votes in {time.perf_counter() - started:.0f} s", flush=True)
    print("before:", machine_load(), flush=True)
    print("Analysing afresh ...", flush=True)
    fresh = run_step(["--step", "analyse", "--process", str(process)], url)
    votes, people, statements = batch_load(url, process, loaded)
    print(
        f"Batch: {votes:,} votes, {people:,} new participants, {statements:,} new statements; "
        "analysing again ...",
        flush=True,
    )
    update = run_step(["--step", "analyse", "--process", str(process)], url)
    print("after:", machine_load())
    met = report(args.participants, fresh, update)
    if not args.keep:
        drop_database(base, BENCH_DB)
    if os.environ.get("BENCH_JSON"):
        Path(os.environ["BENCH_JSON"]).write_text(json.dumps({"fresh": fresh, "update": update}))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
