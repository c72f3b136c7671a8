"""Load benchmark for conversations on PostgreSQL through a real server: votes, and the pages.

Starts gunicorn (sync workers, 127.0.0.1) on a fresh PostgreSQL database with the demo loaded
and a conversation of 100,000 participants x 2,000 statements stored and analysed (the
synthetic conversation of `deliberation_analysis.py`, loaded by COPY), then drives it with wrk
at concurrency 16:

1. the ceiling: a bare Django view that inserts one row;
2. votes (default 120 s) through the voting page's form, as residents without JavaScript send
   them: session cookie, CSRF token, statement, agree / disagree / pass, and the client id the
   form carries; each connection speaks for 50 participants in turn, and every tenth request
   resends the previous vote unchanged (it must be stored once);
3. the results page (as long), anonymous: groups, statements that set each apart, common
   ground, the map and the weighted view, from the stored analysis;
4. the voting page (as long) for those participants: the next statement, what is left, where
   they stand.

Analyses falling due while votes arrive are queued to a Redis queue of the run's own, which no
worker reads and the run deletes. Afterwards the votes are reconciled with what clients were
told: every acknowledged vote stored exactly once (lost and duplicated must be 0).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python benchmarks/deliberation_load.py [--seconds 120] [--workers 3] [--quick]

Targets: votes >= 50% of the ceiling's rate with p95 < 100 ms; the results page p95 < 100 ms;
0 lost or duplicated. The database named in DATABASE_URL is only used to create and drop the
benchmark's own database.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import psycopg
from deliberation_analysis import STATEMENTS, run_step
from serving import (
    CONNECTIONS,
    admin_url,
    ceiling,
    database_url,
    drop_database,
    gunicorn,
    machine_load,
    print_rates,
    reconciled,
    recreate_database,
    require_wrk,
    run_wrk,
    target_line,
)
from synthetic_conversation import conversation_load

HERE = Path(__file__).resolve().parent / "deliberation"
BENCH_DB = "cpps_deliberation_load_bench"
SESSIONS_PER_CONNECTION = 50
RUN_TAG = "1"


def step_sessions(process_id: int, directory: str) -> dict[str, Any]:
    """Participants who joined by web, with a browser session each: one file of session keys
    per wrk connection."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django  # noqa: PLC0415 - only the worker processes load Django

    django.setup()
    from importlib import import_module  # noqa: PLC0415

    from django.conf import settings  # noqa: PLC0415

    from cpps.participation.models import Channel, Participant  # noqa: PLC0415
    from cpps.participation.web import SESSION_PARTICIPANTS  # noqa: PLC0415

    store = import_module(settings.SESSION_ENGINE).SessionStore
    for thread in range(1, CONNECTIONS + 1):
        keys = []
        for index in range(SESSIONS_PER_CONNECTION):
            participant = Participant.objects.create(
                process_id=process_id,
                pseudonym=f"load-{thread:02d}-{index:04d}",
                channel=Channel.WEB,
                demographics={"area": "8", "age_band": "35_44", "sex": "female"},
            )
            session = store()
            session[SESSION_PARTICIPANTS] = {str(process_id): participant.pk}
            session.create()
            keys.append(session.session_key)
        (Path(directory) / f"sessions-{thread}.txt").write_text("\n".join(keys) + "\n")
    return {"sessions": CONNECTIONS * SESSIONS_PER_CONNECTION}


def reconcile(url: str, process_id: int, votes: dict[str, Any]) -> dict[str, int]:
    """What the vote clients were told against what is stored. Acknowledged votes are the
    redirects answered, less the acknowledged resends (the same vote again)."""
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT count(*), count(DISTINCT client_id) FROM deliberation_vote "
            "WHERE process_id = %s AND client_id LIKE %s",
            [process_id, f"vote{RUN_TAG}-%"],
        ).fetchone()
        assert row is not None  # noqa: S101 - an aggregate always has a row
        without_id = connection.execute(
            "SELECT count(*) FROM deliberation_vote v JOIN processes_participant p "
            "ON p.id = v.participant_id WHERE v.process_id = %s AND v.client_id IS NULL "
            "AND p.pseudonym LIKE 'load-%%'",
            [process_id],
        ).fetchone()
    stored, distinct = int(row[0]), int(row[1])
    acknowledged = int(votes["ok"]) - int(votes.get("resent_ok", 0))
    checks = reconciled(acknowledged, distinct, stored - distinct + int(without_id[0]))
    return {**checks, "resends_acknowledged": int(votes.get("resent_ok", 0))}


def _redis_queue_drop(queue: str) -> None:
    import redis  # noqa: PLC0415 - only with REDIS_URL

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete(queue)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--ceiling-seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--step", choices=["sessions"], help=argparse.SUPPRESS)
    parser.add_argument("--process", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--directory", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    parser.add_argument(
        "--reuse", type=int, metavar="PROCESS", help="reuse a kept database and its conversation"
    )
    parser.add_argument(
        "--quick", action="store_true", help="10-second runs, 10,000 participants (a smoke check)"
    )
    args = parser.parse_args()
    if args.step == "sessions":
        print(json.dumps(step_sessions(args.process, args.directory)))
        return 0
    if args.quick:
        args.seconds = args.ceiling_seconds = 10
        args.participants = 10_000
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL: analyses that fall due are queued, not run inside a vote.")
    require_wrk()
    base = admin_url()
    if args.reuse:
        url, process = database_url(base, BENCH_DB), args.reuse
    else:
        print("Preparing a fresh database with the demo ...", flush=True)
        url = recreate_database(base, BENCH_DB)
        process = int(run_step(["--step", "create"], url)["process"])
        print(f"Loading {args.participants:,} participants x {STATEMENTS:,} statements ...")
        loaded = conversation_load(url, process, args.participants, STATEMENTS)
        analysed = run_step(["--step", "analyse", "--process", str(process)], url)
        print(
            f"  {loaded.votes:,} votes, analysed in {analysed['seconds']:.1f} s "
            f"({analysed['groups']} groups)",
            flush=True,
        )
    queue = f"cpps-deliberation-bench-{os.getpid()}"
    print("before:", machine_load(), flush=True)
    bare, votes, results, page = measure(url, process, args, queue)
    print("after:", machine_load())
    _redis_queue_drop(queue)
    checks = reconcile(url, process, votes)
    ok = report(
        bare=bare,
        votes=votes,
        results=results,
        page=page,
        checks=checks,
        participants=args.participants,
    )
    if not args.keep and not args.reuse:
        drop_database(base, BENCH_DB)
    return 0 if ok else 1


Measured = dict[str, Any]


def measure(
    url: str, process: int, args: argparse.Namespace, queue: str
) -> tuple[Measured, Measured, Measured, Measured]:
    """The ceiling, the votes, the results page and the voting page, one after another."""
    prefix = f"/j/chicago/conversations/{process}"
    with (
        tempfile.TemporaryDirectory() as data,
        gunicorn(url, workers=args.workers, env={"BENCH_TASK_QUEUE": queue}) as server,
    ):
        run_step(
            ["--step", "sessions", "--process", str(process), "--directory", data],
            url,
            script=__file__,
        )
        env = {
            "BENCH_DATA": data,
            "DELIBERATION_VOTE_PATH": f"{prefix}/vote/",
            "DELIBERATION_STATEMENTS": str(STATEMENTS),
        }
        print(f"Ceiling: bare insert, concurrency 16, {args.ceiling_seconds} s ...", flush=True)
        bare = ceiling(server, args.ceiling_seconds, env)
        print(f"Votes: 16 connections, {args.seconds} s ...", flush=True)
        votes = run_wrk(HERE / "vote.lua", server, args.seconds, env, tag=RUN_TAG)
        print(f"Results page: 16 connections, {args.seconds} s ...", flush=True)
        results = run_wrk(
            HERE / "page.lua",
            server,
            args.seconds,
            {**env, "DELIBERATION_PAGE_PATH": f"{prefix}/results/"},
        )
        print(f"Voting page: 16 connections, {args.seconds} s ...", flush=True)
        page = run_wrk(
            HERE / "page.lua",
            server,
            args.seconds,
            {**env, "DELIBERATION_PAGE_PATH": f"{prefix}/vote/", "DELIBERATION_PAGE_SESSIONS": "1"},
        )
    return bare, votes, results, page


def report(
    *,
    bare: Measured,
    votes: Measured,
    results: Measured,
    page: Measured,
    checks: dict[str, int],
    participants: int,
) -> bool:
    """Print the table, the reconciliation and the targets; return whether nothing was lost."""
    print_rates(
        bare,
        [
            (f"vote (web form, client id), c={CONNECTIONS}", votes),
            (f"results page, c={CONNECTIONS}", results),
            (f"voting page (next statement), c={CONNECTIONS}", page),
        ],
    )
    print("\nreconciliation, votes:", json.dumps(checks))
    bad = checks["lost"] + checks["duplicated"]
    print("lost or duplicated votes:", bad)
    target_line("votes", votes, bare)
    results_met = results["p95_ms"] < 100 and results["bad"] == 0
    print(
        f"target (results page p95 < 100 ms at c={CONNECTIONS}, "
        f"{participants:,} participants stored): p95 {results['p95_ms']:.1f} ms: "
        + ("met" if results_met else "NOT met")
    )
    return bad == 0


if __name__ == "__main__":
    sys.exit(main())
