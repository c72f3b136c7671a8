"""Load benchmark for survey submissions on PostgreSQL through a real server.

Starts gunicorn (sync workers, 127.0.0.1) on a fresh PostgreSQL database with the demo loaded,
then drives it with wrk:

1. the ceiling: a bare Django view that inserts one row, at concurrency 16;
2. web alone (default 120 s): whole survey submissions to the JSON API (10 answers, area and
   demographics each; the limit per connection, validation, pseudonym, answers; sealed into the
   audit log afterwards), with client-generated ids, 16 connections; the server runs behind a
   proxy as deployed (BEHIND_PROXY=1) and the residents come from many connections;
3. SMS alone (as long): Twilio-signed text messages, 16 connections, each replaying phone
   conversations in order (language, 10 answers, area), every request signed with twilio's
   RequestValidator;
4. both at once, 8 connections each (as long).

Afterwards the database is reconciled with what the clients were told: every acknowledged
submission must be stored exactly once, with all its answers (lost and duplicated must be 0).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python benchmarks/listening_load.py [--seconds 120] [--workers 3] [--quick]

Targets: web submissions and SMS messages each at >= 50% of the ceiling's rate, p95 < 100 ms
at 16 connections, 0 lost or duplicated.

The database named in DATABASE_URL is only used to create and drop the benchmark's own database.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg
from serving import (
    CONNECTIONS,
    Server,
    admin_url,
    ceiling,
    drop_database,
    gunicorn,
    machine_load,
    print_rates,
    recreate_database,
    require_wrk,
    target_line,
    wrk,
    wrk_summary,
)
from twilio.request_validator import RequestValidator

HERE = Path(__file__).resolve().parent / "listening"
BENCH_DB = "cpps_listening_bench"
TOKEN = "listening-benchmark-token"  # noqa: S105 - matches load/bench_settings.py
# One phone conversation: language, ten answers (8: first choice, 9: choices 1 and 3, 10: text),
# then the area.
CONVERSATION = ["1", "6", "7", "4", "5", "6", "3", "2", "1", "1 3", "More lights", "8"]
ANSWERS_PER_CONVERSATION = 10


def open_survey(url: str) -> int:
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT id FROM processes_process WHERE kind = 'survey' AND state = 'open' "
            "ORDER BY id LIMIT 1"
        ).fetchone()
    assert row is not None  # noqa: S101 - the demo always has an open survey
    return int(row[0])


def write_sms_files(directory: Path, server: Server, survey: int, run: Run, messages: int) -> None:
    """Pre-sign every message each SMS connection may send (signatures cover URL and fields)."""
    validator = RequestValidator(TOKEN)
    path = f"/hooks/sms/{survey}/"
    for thread in range(1, run.sms + 1):
        lines = []
        for index in range(messages):
            phone_number, step = divmod(index, len(CONVERSATION))
            params = {
                "MessageSid": f"SM{run.tag}{thread:02d}{index:08d}",
                "From": f"+1{run.tag}{thread:02d}{phone_number:07d}",
                "To": "+13125550100",
                "Body": CONVERSATION[step],
            }
            signature = validator.compute_signature(server.address(path), params)
            lines.append(f"{path}\t{signature}\t{urlencode(params)}")
        (directory / f"sms{run.tag}-{thread:02d}.tsv").write_text("\n".join(lines) + "\n")


@dataclass(frozen=True)
class Run:
    """One timed run: how many web and SMS connections; ``tag`` keeps its ids apart."""

    name: str
    tag: str
    web: int
    sms: int


RUNS = (
    Run("web alone", "1", web=CONNECTIONS, sms=0),
    Run("SMS alone", "2", web=0, sms=CONNECTIONS),
    Run("web + SMS together", "3", web=CONNECTIONS // 2, sms=CONNECTIONS // 2),
)


def expected_sms_answers(acknowledged: int) -> int:
    conversations, rest = divmod(acknowledged, len(CONVERSATION))
    return conversations * ANSWERS_PER_CONVERSATION + max(
        0, min(rest - 1, ANSWERS_PER_CONVERSATION)
    )


def reconcile(url: str, run: Run, web: dict[str, Any], sms: dict[str, Any]) -> dict[str, int]:
    """Compare what one run's clients were told with what the database holds.

    Requests still in flight when wrk stops are stored but never acknowledged: they are counted
    apart ("in flight"), not as errors. Lost = acknowledged but not stored; duplicated = stored
    twice. SMS answers expected are derived from the messages each phone had stored, in order.
    """
    with psycopg.connect(url) as connection:

        def scalar(sql: str, *params: object) -> int:
            row = connection.execute(sql, params).fetchone()
            return int(row[0]) if row else 0

        web_ids = f"web{run.tag}-%"
        web_stored = scalar(
            "SELECT count(*) FROM listening_response WHERE client_id LIKE %s", web_ids
        )
        web_answers = scalar(
            "SELECT count(*) FROM listening_answer a JOIN listening_response r "
            "ON a.response_id = r.id WHERE r.client_id LIKE %s",
            web_ids,
        )
        sms_per_thread = [
            scalar(
                "SELECT count(*) FROM listening_inbounddelivery WHERE sid LIKE %s",
                f"SM{run.tag}{thread:02d}%",
            )
            for thread in range(1, run.sms + 1)
        ]
        # Phone numbers are kept only as digests, so a run's SMS answers are told apart by the
        # sessions its deliveries created: each run's phones answer only in that run.
        sms_answers = scalar(
            "SELECT count(*) FROM listening_answer a JOIN listening_response r "
            "ON a.response_id = r.id WHERE r.channel = 'sms' AND r.client_id IS NULL"
        )
        duplicate_answers = scalar(
            "SELECT count(*) FROM (SELECT 1 FROM listening_answer "
            "GROUP BY response_id, question_id HAVING count(*) > 1) d"
        )
        duplicate_deliveries = scalar(
            "SELECT count(*) FROM (SELECT 1 FROM listening_inbounddelivery "
            "GROUP BY channel, sid, step HAVING count(*) > 1) d"
        )
    sms_stored = sum(sms_per_thread)
    return {
        "web_acknowledged": int(web.get("ok", 0)),
        "web_stored": web_stored,
        "web_lost": max(0, int(web.get("ok", 0)) - web_stored),
        "web_in_flight_at_stop": max(0, web_stored - int(web.get("ok", 0))),
        "web_answers_missing": web_stored * ANSWERS_PER_CONVERSATION - web_answers,
        "sms_acknowledged": int(sms.get("ok", 0)),
        "sms_messages_stored": sms_stored,
        "sms_lost": max(0, int(sms.get("ok", 0)) - sms_stored),
        "sms_in_flight_at_stop": max(0, sms_stored - int(sms.get("ok", 0))),
        "sms_answers_expected": sum(expected_sms_answers(count) for count in sms_per_thread),
        "sms_answers_stored_all_runs": sms_answers,
        "duplicate_answers": duplicate_answers,
        "duplicate_deliveries": duplicate_deliveries,
    }


Result = tuple[Run, dict[str, Any], dict[str, Any], dict[str, int]]


def report(bare: dict[str, Any], results: list[Result]) -> int:
    """Print the table, the reconciliation and the target; return lost + duplicated answers."""
    rows = []
    for run, web, sms, _checks in results:
        if web:
            rows.append((f"web full submission, c={run.web} ({run.name})", web))
        if sms:
            rows.append((f"SMS message, c={run.sms} ({run.name})", sms))
    print_rates(bare, rows)
    lost = 0
    sms_expected = 0
    for run, _web, _sms, checks in results:
        print(f"\nreconciliation, {run.name}:", json.dumps(checks))
        lost += checks["web_lost"] + checks["sms_lost"] + abs(checks["web_answers_missing"])
        sms_expected += checks["sms_answers_expected"]
    sms_stored = results[-1][3]["sms_answers_stored_all_runs"]
    lost += abs(sms_expected - sms_stored) + results[-1][3]["duplicate_answers"]
    lost += results[-1][3]["duplicate_deliveries"]
    print(f"\nSMS answers expected over all runs: {sms_expected}, stored: {sms_stored}")
    print("lost or duplicated answers:", lost)
    target_line("web alone", results[0][1], bare)
    sms_alone = next(sms for run, _web, sms, _checks in results if run.sms and not run.web)
    target_line("SMS alone", sms_alone, bare)
    return lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--ceiling-seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    parser.add_argument("--quick", action="store_true", help="10-second runs (a smoke check)")
    args = parser.parse_args()
    if args.quick:
        args.seconds = args.ceiling_seconds = 10
    require_wrk()
    base = admin_url()
    print("Preparing a fresh database with the demo ...", flush=True)
    url = recreate_database(base, BENCH_DB)
    survey = open_survey(url)
    print("before:", machine_load(), flush=True)
    measured: list[tuple[Run, dict[str, Any], dict[str, Any]]] = []
    # As deployed behind a proxy (see the README): web clients arrive from many connections,
    # each counted against the survey's own limit per connection (see listening/web.lua).
    proxied = {"BEHIND_PROXY": "1"}
    with (
        gunicorn(url, workers=args.workers, env=proxied) as server,
        tempfile.TemporaryDirectory() as data,
    ):
        env = {
            "BENCH_DATA": data,
            "LISTENING_SURVEY_PATH": f"/api/jurisdictions/chicago/surveys/{survey}/responses",
        }
        print(f"Ceiling: bare insert, concurrency 16, {args.ceiling_seconds} s ...", flush=True)
        bare = ceiling(server, args.ceiling_seconds, env)
        for run in RUNS:
            if run.sms:
                write_sms_files(Path(data), server, survey, run, messages=12 * 2000)
            print(
                f"{run.name}: {run.web} web + {run.sms} SMS connections, {args.seconds} s ...",
                flush=True,
            )
            web_run = (
                wrk(HERE / "web.lua", server, args.seconds, run.web, env, tag=run.tag)
                if run.web
                else None
            )
            sms_run = (
                wrk(HERE / "sms.lua", server, args.seconds, run.sms, env, tag=run.tag)
                if run.sms
                else None
            )
            web = wrk_summary(web_run) if web_run else {}
            sms = wrk_summary(sms_run) if sms_run else {}
            measured.append((run, web, sms))
    print("after:", machine_load())
    # Only now: requests in flight when a run stopped have all finished (gunicorn stops
    # gracefully), so every stored message is counted in its own run.
    results = [(run, web, sms, reconcile(url, run, web, sms)) for run, web, sms in measured]
    lost = report(bare, results)
    if not args.keep:
        drop_database(base, BENCH_DB)
    return 0 if lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
