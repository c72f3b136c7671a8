"""Load benchmark for survey submissions on PostgreSQL through a real server.

Starts gunicorn (sync workers, 127.0.0.1) on a fresh PostgreSQL database with the demo loaded,
then drives it with wrk:

1. the ceiling: a bare Django view that inserts one row, at concurrency 16;
2. for the main run (default 120 s), at the same time:
   - web: whole survey submissions to the JSON API (10 answers, area and demographics each;
     validation, pseudonym, answers, audit event), with client-generated ids, 8 connections;
   - SMS: Twilio-signed text messages, 8 connections, each replaying phone conversations in
     order (language, 10 answers, area), every request signed with twilio's RequestValidator.

Afterwards the database is reconciled with what the clients were told: every acknowledged
submission must be stored exactly once, with all its answers (lost and duplicated must be 0).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python benchmarks/listening_load.py [--seconds 120] [--workers 3]

The database named in DATABASE_URL is only used to create and drop the benchmark's own database.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent / "listening"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
BENCH_DB = "cpps_listening_bench"
TOKEN = "listening-benchmark-token"  # noqa: S105 - matches bench_settings.py
SMS_THREADS = 8
WEB_THREADS = 8
# One phone conversation: language, ten answers (8: first choice, 9: choices 1 and 3, 10: text),
# then the area.
CONVERSATION = ["1", "6", "7", "4", "5", "6", "3", "2", "1", "1 3", "More lights", "8"]
ANSWERS_PER_CONVERSATION = 10


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def recreate_database(base: str) -> str:
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {BENCH_DB}")
    url = database_url(base, BENCH_DB)
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [PYTHON, "manage.py", "demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, client_id text UNIQUE NOT NULL)"
        )
    return url


def open_survey(url: str) -> int:
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT id FROM processes_process WHERE kind = 'survey' AND state = 'open' "
            "ORDER BY id LIMIT 1"
        ).fetchone()
    assert row is not None  # noqa: S101 - the demo always has an open survey
    return int(row[0])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "DATABASE_CONN_MAX_AGE": "600",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    server = subprocess.Popen(
        [
            GUNICORN,
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--pythonpath",
            f"{ROOT},{HERE}",
            "--log-level",
            "warning",
            "cpps.config.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("gunicorn did not start within 60 seconds")


def write_sms_files(directory: Path, port: int, survey: int, messages: int) -> None:
    """Pre-sign every message each SMS thread may send (signatures cover URL and fields)."""
    validator = RequestValidator(TOKEN)
    path = f"/hooks/sms/{survey}/"
    for thread in range(1, SMS_THREADS + 1):
        lines = []
        for index in range(messages):
            phone_number, step = divmod(index, len(CONVERSATION))
            params = {
                "MessageSid": f"SMbench{thread:02d}{index:08d}",
                "From": f"+1312{thread:02d}{phone_number:05d}",
                "To": "+13125550100",
                "Body": CONVERSATION[step],
            }
            signature = validator.compute_signature(f"http://127.0.0.1:{port}{path}", params)
            lines.append(f"{path}\t{signature}\t{urlencode(params)}")
        (directory / f"sms-{thread:02d}.tsv").write_text("\n".join(lines) + "\n")


def wrk(
    script: str, port: int, seconds: int, threads: int, env: dict[str, str]
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(threads),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(HERE / script),
            f"http://127.0.0.1:{port}",
        ],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def summary(process: subprocess.Popen[str]) -> dict[str, Any]:
    _out, err = process.communicate()
    line = next(line for line in err.splitlines() if line.startswith("{"))
    result: dict[str, Any] = json.loads(line)
    return result


def expected_sms_answers(acknowledged: int) -> int:
    conversations, rest = divmod(acknowledged, len(CONVERSATION))
    return conversations * ANSWERS_PER_CONVERSATION + max(
        0, min(rest - 1, ANSWERS_PER_CONVERSATION)
    )


def reconcile(
    url: str, web: dict[str, Any], sms: dict[str, Any], bare: dict[str, Any]
) -> dict[str, int]:
    """Compare what clients were told with what the database holds.

    Requests still in flight when wrk stops are stored but never acknowledged: they are counted
    apart ("in flight"), not as errors. Lost = acknowledged but not stored; duplicated = stored
    twice. SMS answers expected are derived from the messages each phone had stored, in order.
    """
    with psycopg.connect(url) as connection:

        def scalar(sql: str, *params: object) -> int:
            row = connection.execute(sql, params).fetchone()  # type: ignore[arg-type]
            return int(row[0]) if row else 0

        web_stored = scalar("SELECT count(*) FROM listening_response WHERE client_id LIKE 'web-%%'")
        web_answers = scalar(
            "SELECT count(*) FROM listening_answer a JOIN listening_response r "
            "ON a.response_id = r.id WHERE r.client_id LIKE 'web-%%'"
        )
        sms_per_thread = [
            scalar(
                "SELECT count(*) FROM listening_inbounddelivery WHERE sid LIKE %s",
                f"SMbench{thread:02d}%",
            )
            for thread in range(1, SMS_THREADS + 1)
        ]
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
        bare_rows = scalar("SELECT count(*) FROM bench_insert")
    sms_stored = sum(sms_per_thread)
    return {
        "web_acknowledged": int(web["ok"]),
        "web_stored": web_stored,
        "web_lost": max(0, int(web["ok"]) - web_stored),
        "web_in_flight_at_stop": max(0, web_stored - int(web["ok"])),
        "web_answers_missing": web_stored * ANSWERS_PER_CONVERSATION - web_answers,
        "sms_acknowledged": int(sms["ok"]),
        "sms_messages_stored": sms_stored,
        "sms_lost": max(0, int(sms["ok"]) - sms_stored),
        "sms_in_flight_at_stop": max(0, sms_stored - int(sms["ok"])),
        "sms_answers_expected": sum(expected_sms_answers(count) for count in sms_per_thread),
        "sms_answers_stored": sms_answers,
        "duplicate_answers": duplicate_answers,
        "duplicate_deliveries": duplicate_deliveries,
        "bare_acknowledged": int(bare["ok"]),
        "bare_rows": bare_rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--ceiling-seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("Install wrk first (apt-get install -y wrk).")
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server; this benchmark measures PostgreSQL.")
    print("Preparing a fresh database with the demo ...", flush=True)
    url = recreate_database(base)
    survey = open_survey(url)
    port = free_port()
    server = start_server(url, port, args.workers)
    try:
        with tempfile.TemporaryDirectory() as data:
            write_sms_files(Path(data), port, survey, messages=12 * 1000)
            env = {
                "LISTENING_BENCH_DIR": str(HERE),
                "LISTENING_BENCH_DATA": data,
                "LISTENING_SURVEY_PATH": f"/api/jurisdictions/chicago/surveys/{survey}/responses",
            }
            print(f"Ceiling: bare insert, concurrency 16, {args.ceiling_seconds} s ...", flush=True)
            bare = summary(wrk("bare.lua", port, args.ceiling_seconds, 16, env))
            print(
                f"Survey submissions: web 8 + SMS 8 connections, {args.seconds} s ...", flush=True
            )
            web_run = wrk("web.lua", port, args.seconds, WEB_THREADS, env)
            sms_run = wrk("sms.lua", port, args.seconds, SMS_THREADS, env)
            web, sms = summary(web_run), summary(sms_run)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    checks = reconcile(url, web, sms, bare)
    ceiling = bare["ok"] / bare["seconds"]
    web_rate = web["ok"] / web["seconds"]
    sms_rate = sms["ok"] / sms["seconds"]
    print()
    print(f"{'run':<34}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, run, rate in (
        ("bare insert (ceiling), c=16", bare, ceiling),
        ("web full submission, c=8", web, web_rate),
        ("SMS message, c=8", sms, sms_rate),
    ):
        errors = run["bad"] + run["socket_errors"]
        print(
            f"{name:<34}{rate:>9.0f}{run['p50_ms']:>9.1f}{run['p95_ms']:>9.1f}"
            f"{run['p99_ms']:>9.1f}{errors:>8}"
        )
    print(
        f"\nweb submissions: {web_rate:.0f}/s = {web_rate / ceiling:.0%} of the ceiling "
        f"(with SMS running alongside: {(web_rate + sms_rate) / ceiling:.0%} of it in requests)"
    )
    print("\nreconciliation:", json.dumps(checks, indent=2))
    lost = checks["web_lost"] + checks["sms_lost"] + abs(checks["web_answers_missing"])
    lost += abs(checks["sms_answers_expected"] - checks["sms_answers_stored"])
    lost += checks["duplicate_answers"] + checks["duplicate_deliveries"]
    print("\nlost or duplicated answers:", lost)
    if not args.keep:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    return 0 if lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
