"""Benchmark: the public survey results page as the answers stored grow, on PostgreSQL.

Builds a fresh database with the demo, then a closed survey of the 23 police districts on the
standard module (10 questions) and grows it to 1,000 / 10,000 / 100,000 / 1,000,000 completed
responses (demographics drawn from each district's census, some left unsaid). Responses are
written in batches of 10,000 and sealed one batch at a time, as the sealing task does: each seal
folds its answers into the results' counts, and the stored results are then refreshed.

At each size it measures:

- the results page through gunicorn with wrk at concurrency 16 (p50 / p95 / p99, requests/s),
  and the jurisdiction's home page the same way: the floor of the machine at that moment;
- the old computation in the same run: every answer read into Python and weighted row by row
  (`survey_results_from_answers`), timed in-process (up to 100,000: at a million it takes minutes);
- that both give the same published results (the JSON export, figure by figure);
- the last batch's seal with its fold, and the refresh of the stored results.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python benchmarks/survey_results.py [--seconds 20] [--workers 3] [--quick]

Targets (issue 16): the page's p95 < 200 ms at c=16 with 1,000,000 responses; the refresh after a
batch of 10,000 new responses < 10 s. ``--quick`` stops at 10,000 with 5-second runs.

The database named in DATABASE_URL is only used to create and drop the benchmark's own database.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from serving import (
    ROOT,
    admin_url,
    drop_database,
    gunicorn,
    machine_load,
    recreate_database,
    require_wrk,
    run_wrk,
)

BENCH_DB = "cpps_results_bench"
BATCH = 10_000
SIZES = (1_000, 10_000, 100_000, 1_000_000)
OLD_WAY_UP_TO = 100_000
SCRIPT = Path(__file__).resolve().parent / "listening" / "results.lua"
DEMOGRAPHICS = ("age_band", "sex", "race_ethnicity")


def django_on(url: str) -> None:
    """Set Django up in this process on the benchmark's database (tasks run in-process)."""
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpps.config.settings")
    sys.path.insert(0, str(ROOT))
    import django  # noqa: PLC0415 - only once the database is known

    django.setup()


def survey_create() -> int:
    """A closed survey of every district on the standard module, with no responses yet."""
    from cpps.accounts.models import User  # noqa: PLC0415
    from cpps.demo.loader import DEMO_ACCOUNTS  # noqa: PLC0415
    from cpps.jurisdictions.models import Jurisdiction  # noqa: PLC0415
    from cpps.listening.services import (  # noqa: PLC0415
        instrument_draft_create,
        instrument_publish,
        instrument_standard_module_add,
    )
    from cpps.processes.services import process_create, process_transition  # noqa: PLC0415

    facilitator = User.objects.get(
        username=next(a.username for a in DEMO_ACCOUNTS if a.role.value == "facilitator")
    )
    process = process_create(
        user=facilitator,
        jurisdiction=Jurisdiction.objects.get(slug="chicago"),
        kind="survey",
        title="City-wide safety and trust (benchmark)",
        purpose="How the results page holds up as answers grow.",
    )
    draft = instrument_draft_create(user=facilitator, process=process)
    instrument_standard_module_add(user=facilitator, instrument=draft)
    instrument_publish(user=facilitator, instrument=draft)
    process_transition(user=facilitator, process=process, to_state="open")
    process_transition(user=facilitator, process=process, to_state="closed")
    return int(process.pk)


class Population:
    """Draws residents from each district's census (adults), with some answers left unsaid."""

    def __init__(self, process_id: int) -> None:
        from cpps.jurisdictions.models import Area, CensusFigure  # noqa: PLC0415
        from cpps.listening.models import Question  # noqa: PLC0415

        self.areas = dict(
            Area.objects.filter(jurisdiction__slug="chicago", parent__isnull=True).values_list(
                "code", "pk"
            )
        )
        census: dict[str, dict[str, dict[str, float]]] = {}
        for code, variable, category, count in CensusFigure.objects.filter(
            area__code__in=list(self.areas),
            area__jurisdiction__slug="chicago",
            variable__in=DEMOGRAPHICS,
        ).values_list("area__code", "variable", "category", "count"):
            if category != "under18" and count > 0:
                census.setdefault(code, {}).setdefault(variable, {})[category] = float(count)
        self.codes = sorted(census, key=lambda code: (len(code), code))
        self.census = census
        people = np.array([sum(census[c]["sex"].values()) for c in self.codes])
        self.area_shares = people / people.sum()
        self.questions = list(
            Question.objects.filter(instrument__process_id=process_id).values_list(
                "pk", "key", "kind", "choices"
            )
        )
        self.rng = np.random.default_rng(2026)

    def residents(self, n: int) -> list[tuple[str, dict[str, str]]]:
        rng = self.rng
        areas = rng.choice(len(self.codes), size=n, p=self.area_shares)
        drawn = []
        for index in areas.tolist():
            code = self.codes[index]
            person = {}
            for variable in DEMOGRAPHICS:
                options = self.census[code][variable]
                labels = list(options)
                shares = np.array(list(options.values()))
                if rng.random() > 0.1:  # one in ten prefers not to say
                    person[variable] = labels[rng.choice(len(labels), p=shares / shares.sum())]
            drawn.append((code, person))
        return drawn

    def answers(self, response_id: int) -> list[tuple[Any, ...]]:
        rng = self.rng
        rows = []
        for pk, _key, kind, choices in self.questions:
            values = [str(c["value"]) for c in choices]
            if rng.random() < 0.05:
                rows.append((response_id, pk, "[]", None, "", True))
            elif kind == "scale":
                rows.append((response_id, pk, "[]", int(rng.integers(0, 11)), "", False))
            elif kind == "single":
                rows.append(
                    (
                        response_id,
                        pk,
                        json.dumps([values[rng.integers(len(values))]]),
                        None,
                        "",
                        False,
                    )
                )
            elif kind == "multi":
                picked = [v for v in values if rng.random() < 0.3]
                rows.append((response_id, pk, json.dumps(picked), None, "", False))
            else:
                rows.append((response_id, pk, "[]", None, "More light on my street", False))
        return rows


def grow(url: str, process_id: int, population: Population, n: int) -> None:
    """Add ``n`` completed, unsealed responses (with their participants and answers)."""
    from cpps.listening.models import Answer, Instrument, Response  # noqa: PLC0415
    from cpps.participation.models import Participant  # noqa: PLC0415

    participants = Participant._meta.db_table
    responses = Response._meta.db_table
    answers = Answer._meta.db_table
    instrument = Instrument.objects.get(process_id=process_id).pk
    residents = population.residents(n)
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {participants}")  # noqa: S608
        first_participant = cursor.fetchone()[0] + 1  # type: ignore[index]
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {responses}")  # noqa: S608
        first_response = cursor.fetchone()[0] + 1  # type: ignore[index]
        with cursor.copy(
            f"COPY {participants} (id, process_id, pseudonym, channel, demographics, "
            "verified, joined_at) FROM STDIN"
        ) as copy:
            for i, (_code, person) in enumerate(residents):
                pk = first_participant + i
                copy.write_row(
                    (
                        pk,
                        process_id,
                        f"bench-{pk:016x}",
                        "web",
                        json.dumps(person),
                        False,
                        "2026-01-01T00:00:00Z",
                    )
                )
        with cursor.copy(
            f"COPY {responses} (id, process_id, instrument_id, participant_id, channel, "
            "language, area_id, client_id, position, started_at, completed_at, abandoned) "
            "FROM STDIN"
        ) as copy:
            for i, (code, _person) in enumerate(residents):
                copy.write_row(
                    (
                        first_response + i,
                        process_id,
                        instrument,
                        first_participant + i,
                        "web",
                        "en",
                        population.areas[code],
                        None,
                        11,
                        "2026-01-01T00:00:00Z",
                        "2026-01-01T00:05:00Z",
                        False,
                    )
                )
        with cursor.copy(
            f"COPY {answers} (response_id, question_id, choices, number, text, skipped, "
            "answered_at) FROM STDIN"
        ) as copy:
            for i in range(n):
                for row in population.answers(first_response + i):
                    copy.write_row((*row, "2026-01-01T00:05:00Z"))
        for table, column in ((participants, "id"), (responses, "id")):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "  # noqa: S608
                f"(SELECT max({column}) FROM {table}))"
            )
        connection.commit()


def seal_batch(process_id: int) -> tuple[float, float]:
    """Seal the waiting responses (folding them into the counts); then refresh the results.
    Return the seconds each took."""
    from cpps.listening.models import ResultTally  # noqa: PLC0415
    from cpps.listening.services import responses_seal  # noqa: PLC0415
    from cpps.listening.tallies import results_refresh_run  # noqa: PLC0415
    from cpps.processes.models import Process  # noqa: PLC0415

    process = Process.objects.select_related("jurisdiction").get(pk=process_id)
    started = time.monotonic()
    # The refresh the seal queues runs after it commits (in-process): timed apart below.
    ResultTally.objects.filter(pk=process_id).update(refresh_state="running")
    responses_seal(process=process)
    sealed = time.monotonic() - started
    ResultTally.objects.filter(pk=process_id).update(refresh_state="idle")
    started = time.monotonic()
    results_refresh_run(process_id=process_id)
    return sealed, time.monotonic() - started


def old_way(process_id: int) -> tuple[float, dict[str, Any], dict[str, Any]]:
    """The old computation's seconds, and both computations' published JSON."""
    from cpps.listening.exports import results_document  # noqa: PLC0415
    from cpps.listening.selectors import (  # noqa: PLC0415
        survey_results,
        survey_results_from_answers,
    )
    from cpps.processes.models import Process  # noqa: PLC0415

    process = Process.objects.select_related("jurisdiction").get(pk=process_id)
    started = time.monotonic()
    old = survey_results_from_answers(process=process, language="en")
    seconds = time.monotonic() - started
    new = survey_results(process=process, language="en")
    return seconds, results_document(old), results_document(new)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000; 5-second runs")
    parser.add_argument(
        "--largest", type=int, default=SIZES[-1], help="stop after this size (e.g. 100000)"
    )
    args = parser.parse_args()
    sizes = SIZES[:2] if args.quick else SIZES
    sizes = tuple(size for size in sizes if size <= args.largest)
    if args.quick:
        args.seconds = 5
    require_wrk()
    base = admin_url()
    print("Preparing a fresh database with the demo ...", flush=True)
    url = recreate_database(base, BENCH_DB)
    django_on(url)
    process_id = survey_create()
    population = Population(process_id)
    path = f"/j/chicago/surveys/{process_id}/results/"
    stored = 0
    rows = []
    print("before:", machine_load(), flush=True)
    with tempfile.TemporaryDirectory() as data:
        env = {"BENCH_DATA": data, "RESULTS_PATH": path}
        for size in sizes:
            print(f"Growing to {size:,} responses ...", flush=True)
            seal_seconds = refresh_seconds = 0.0
            while stored < size:
                batch = min(BATCH, size - stored)
                grow(url, process_id, population, batch)
                stored += batch
                seal_seconds, refresh_seconds = seal_batch(process_id)
            old_seconds, old, new = (
                old_way(process_id) if size <= OLD_WAY_UP_TO else (None, None, None)
            )
            with gunicorn(url, workers=args.workers) as server:
                run_wrk(SCRIPT, server, 2, env, tag="warm")
                page = run_wrk(SCRIPT, server, args.seconds, env, tag=f"n{size}")
                # The floor on this machine now: the jurisdiction's home page, same server.
                home = run_wrk(SCRIPT, server, args.seconds, {**env, "RESULTS_PATH": "/j/chicago/"})
            row = {
                "responses": size,
                "page_p50_ms": page["p50_ms"],
                "page_p95_ms": page["p95_ms"],
                "page_p99_ms": page["p99_ms"],
                "page_rps": round(page["ok"] / page["seconds"], 1),
                "page_errors": page["bad"] + page["socket_errors"],
                "home_page_p95_ms": home["p95_ms"],
                "old_way_s": None if old_seconds is None else round(old_seconds, 2),
                "identical": None if old is None else old == new,
                "last_seal_with_fold_s": round(seal_seconds, 2),
                "refresh_s": round(refresh_seconds, 2),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    print("after:", machine_load())
    print(
        f"\n{'responses':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7} "
        f"{'home p95':>9} {'old way s':>10} {'same':>5} {'seal+fold s':>11} {'refresh s':>9}"
    )
    for row in rows:
        old_text = "-" if row["old_way_s"] is None else f"{row['old_way_s']:.2f}"
        same = "-" if row["identical"] is None else ("yes" if row["identical"] else "NO")
        print(
            f"{row['responses']:>10,} {row['page_p50_ms']:>8.1f} {row['page_p95_ms']:>8.1f} "
            f"{row['page_p99_ms']:>8.1f} {row['page_rps']:>7} "
            f"{row['home_page_p95_ms']:>9.1f} {old_text:>10} {same:>5} "
            f"{row['last_seal_with_fold_s']:>11.2f} {row['refresh_s']:>9.2f}"
        )
    largest = rows[-1]
    verdict = "met" if largest["page_p95_ms"] < 200 and largest["refresh_s"] < 10 else "NOT met"
    print(f"\ntarget at {largest['responses']:,}: p95 < 200 ms and refresh < 10 s: {verdict}")
    if not args.keep:
        drop_database(base, BENCH_DB)
    return 0 if all(row["identical"] is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
