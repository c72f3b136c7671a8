"""Survey results kept current as answers arrive: counts folded in as responses are sealed, and
the results computed from them by a task, so pages read what is shown, not what is stored.

- `tally_fold` adds a seal's responses to the counts (`ResultCell`, `ResultCount`) in the
  transaction that seals them, so the counts are always exactly the sealed answers; folding the
  same seal twice changes nothing.
- `results_refresh_request` queues `cpps.listening.refresh_results` once the transaction commits;
  the task (`results_refresh_run`) recomputes the stored results (`ResultSnapshot`) from the
  counts. A refresh whose worker died, or whose message was lost, is queued again by the
  watchdog (`results_refresh_recover`).
- `results_verify` recounts the raw answers and compares them with the counts; `results_rebuild`
  counts them afresh (`cpps survey verify-results`, `cpps survey rebuild-results`).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpps.common.watchdog import silent_since
from cpps.listening.models import (
    SURVEY_KIND,
    CountKind,
    RefreshState,
    Response,
    ResponseSeal,
    ResultCell,
    ResultCount,
    ResultSnapshot,
    ResultTally,
)
from cpps.listening.selectors import CELL_VARIABLES, results_compute, seal_records
from cpps.processes.models import Process

# (area, age band, sex, race and ethnicity, verified): the census cell of one response.
CellKey = tuple[str, str, str, str, bool]
# (cell, question key, kind of count, value).
CountKey = tuple[CellKey, str, str, str]


@dataclass
class Tallied:
    """Counts of some responses' answers, before they are stored."""

    cells: Counter[CellKey] = field(default_factory=Counter)
    counts: Counter[CountKey] = field(default_factory=Counter)

    def add(self, other: Tallied) -> None:
        self.cells.update(other.cells)
        self.counts.update(other.counts)


def tally_records(records: Iterable[Mapping[str, Any]], verified: set[int]) -> Tallied:
    """Count sealed responses (`selectors.seal_records`) by census cell and question.

    A cell's groups are read as the answers are one by one: the area code ("" if not said) and
    each demographic answer as text ("" if not said). For every answer not skipped: one
    ``answered``, its number if it has one, and each option it chose once.
    """
    tallied = Tallied()
    for record in records:
        demographics = record["demographics"] or {}
        cell: CellKey = (
            str(record["area"] or ""),
            *(str(demographics[v]) if v in demographics else "" for v in CELL_VARIABLES),
            record["response"] in verified,
        )  # type: ignore[assignment]
        tallied.cells[cell] += 1
        for key, choices, number, _text, skipped in record["answers"]:
            if skipped:
                continue
            tallied.counts[(cell, key, CountKind.ANSWERED, "")] += 1
            if number is not None:
                tallied.counts[(cell, key, CountKind.NUMBER, str(number))] += 1
            for value in dict.fromkeys(str(choice) for choice in choices or ()):
                tallied.counts[(cell, key, CountKind.CHOICE, value)] += 1
    return tallied


def _verified_ids(response_ids: list[int]) -> set[int]:
    return set(
        Response.objects.filter(pk__in=response_ids, participant__verified=True).values_list(
            "pk", flat=True
        )
    )


def _seal_tallied(response_ids: list[int]) -> Tallied:
    return tally_records(seal_records(response_ids), _verified_ids(response_ids))


_CELLS = ResultCell._meta.db_table
_COUNTS = ResultCount._meta.db_table
# Adding to the counts in place. The rows arrive as one array per column on PostgreSQL (one
# statement however many rows), one row per execution on SQLite (in-process, so cheap).
_ADD_CELLS = f"""
INSERT INTO {_CELLS} (tally_id, area, age_band, sex, race_ethnicity, verified, respondents)
{{rows}}
ON CONFLICT (tally_id, area, age_band, sex, race_ethnicity, verified)
DO UPDATE SET respondents = {_CELLS}.respondents + excluded.respondents
"""
_ADD_COUNTS = f"""
INSERT INTO {_COUNTS} (cell_id, question, kind, value, count) {{rows}}
ON CONFLICT (cell_id, question, kind, value)
DO UPDATE SET count = {_COUNTS}.count + excluded.count
"""
_CELL_TYPES = ("bigint", "text", "text", "text", "text", "boolean", "integer")
_COUNT_TYPES = ("bigint", "text", "text", "text", "integer")


def _add(statement: str, types: tuple[str, ...], rows: list[tuple[str | int | bool, ...]]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{kind}[]" for kind in types)
            cursor.execute(
                # Table names come from the models, types from the constants; values are bound.
                statement.format(rows=f"SELECT * FROM unnest({arrays})"),  # noqa: S608
                [list(column) for column in zip(*rows, strict=True)],
            )
        else:
            values = "VALUES (" + ", ".join(["%s"] * len(types)) + ")"
            cursor.executemany(statement.format(rows=values), rows)


def _store(tally: ResultTally, tallied: Tallied) -> None:
    """Add counted answers to the tally's stored counts (the caller holds the survey's lock)."""
    _add(
        _ADD_CELLS,
        _CELL_TYPES,
        [(tally.pk, *cell, count) for cell, count in tallied.cells.items()],
    )
    ids = _cell_ids(tally)
    _add(
        _ADD_COUNTS,
        _COUNT_TYPES,
        [
            (ids[cell], key, kind, value, count)
            for (cell, key, kind, value), count in tallied.counts.items()
        ],
    )


def _cell_ids(tally: ResultTally) -> dict[CellKey, int]:
    rows = ResultCell.objects.filter(tally=tally).values_list(
        "pk", "area", *CELL_VARIABLES, "verified"
    )
    return {tuple(row[1:]): row[0] for row in rows}


def tally_fold(
    *, process: Process, seal: ResponseSeal, records: list[dict[str, Any]]
) -> ResultTally:
    """Add a seal's responses to the survey's counts, inside the sealing transaction, and queue
    the results' refresh for when it commits. A seal already folded in changes nothing; when
    earlier seals are missing from the counts (made before they were kept), every sealed
    response is counted afresh instead."""
    tally, _created = ResultTally.objects.select_for_update().get_or_create(process=process)
    if seal.sequence <= tally.sealed_through:
        return tally
    if seal.sequence != tally.sealed_through + 1:
        return _recount(tally)
    response_ids = [int(record["response"]) for record in records]
    _store(tally, tally_records(records, _verified_ids(response_ids)))
    tally.responses += len(records)
    tally.sealed_through = seal.sequence
    tally.version += 1
    tally.save(update_fields=["responses", "sealed_through", "version"])
    results_refresh_request(tally=tally)
    return tally


def _sealed_by_seal(process: Process) -> Iterator[tuple[ResponseSeal, list[int]]]:
    """Every seal of the survey in order, with the responses it sealed."""
    by_seal: dict[int, list[int]] = defaultdict(list)
    for seal_id, response_id in (
        Response.objects.filter(process=process, seal__isnull=False)
        .order_by("pk")
        .values_list("seal_id", "pk")
    ):
        by_seal[seal_id].append(response_id)
    for seal in ResponseSeal.objects.filter(process=process).order_by("sequence"):
        yield seal, by_seal.get(seal.pk, [])


def _recount(tally: ResultTally) -> ResultTally:
    ResultCell.objects.filter(tally=tally).delete()
    tally.responses = tally.sealed_through = 0
    for seal, response_ids in _sealed_by_seal(tally.process):
        _store(tally, _seal_tallied(response_ids))
        tally.responses += len(response_ids)
        tally.sealed_through = seal.sequence
    tally.version += 1
    tally.save(update_fields=["responses", "sealed_through", "version"])
    results_refresh_request(tally=tally)
    return tally


def results_rebuild(*, process: Process) -> ResultTally:
    """Count every sealed answer of the survey afresh and queue its results' refresh."""
    with transaction.atomic():
        # The sealing lock: no seal is folded in while the counts are rebuilt.
        Process.objects.select_for_update().filter(pk=process.pk).first()
        tally, _created = ResultTally.objects.select_for_update().get_or_create(process=process)
        tally.process = process
        return _recount(tally)


def results_changed(*, process: Process) -> None:
    """The results no longer describe the survey's questions (a new version was published):
    mark the counts changed so the results are computed again."""
    tally = ResultTally.objects.filter(process=process).first()
    if tally is not None:
        ResultTally.objects.filter(pk=tally.pk).update(version=tally.version + 1)
        results_refresh_request(tally=tally)


# --- Refreshing the stored results -----------------------------------------------------------


def results_refresh_request(*, tally: ResultTally) -> bool:
    """Queue a refresh unless one is queued already; the task is sent once the transaction
    commits. A running refresh is not interrupted: it queues the next one when it sees the
    counts changed meanwhile."""
    from cpps.listening.tasks import refresh_results  # noqa: PLC0415 - the task imports this

    claimed = ResultTally.objects.filter(pk=tally.pk, refresh_state=RefreshState.IDLE).update(
        refresh_state=RefreshState.QUEUED
    )
    if claimed:
        transaction.on_commit(lambda: _send(refresh_results, tally.pk))
    return bool(claimed)


def _send(task: Any, process_id: int) -> None:
    try:
        task.delay(process_id)
    except Exception as error:
        ResultTally.objects.filter(pk=process_id, refresh_state=RefreshState.QUEUED).update(
            refresh_state=RefreshState.IDLE,
            refresh_error=_("The refresh could not be queued (%(error)s).")
            % {"error": type(error).__name__},
        )


def results_refresh_run(*, process_id: int) -> ResultTally | None:
    """Recompute the survey's stored results from its counts (everyone's, and verified
    residents' when there are any); None when another run holds it or nothing changed."""
    claimed = ResultTally.objects.filter(
        pk=process_id, refresh_state__in=[RefreshState.QUEUED, RefreshState.IDLE]
    ).update(refresh_state=RefreshState.RUNNING, refresh_started_at=timezone.now())
    if not claimed:
        return None
    tally = ResultTally.objects.select_related("process__jurisdiction").get(pk=process_id)
    try:
        if tally.stale:
            _snapshots_store(tally)
    except Exception as error:
        ResultTally.objects.filter(pk=process_id).update(
            refresh_state=RefreshState.IDLE, refresh_error=str(error)[:500]
        )
        raise
    ResultTally.objects.filter(pk=process_id).update(
        refresh_state=RefreshState.IDLE, refresh_error=""
    )
    if ResultTally.objects.filter(pk=process_id, version__gt=tally.version).exists():
        results_refresh_request(tally=tally)
    return tally


def _snapshots_store(tally: ResultTally) -> None:
    """The results of the counts as they are at ``tally.version`` (counts that change meanwhile
    leave the tally stale, so the next refresh takes them)."""
    has_verified = ResultCell.objects.filter(tally=tally, verified=True).exists()
    documents = {}
    for verified_only in (False, True) if has_verified else (False,):
        started = time.monotonic()
        documents[verified_only] = (
            results_compute(tally=tally, verified_only=verified_only),
            time.monotonic() - started,
        )
    with transaction.atomic():
        for verified_only, (document, seconds) in documents.items():
            ResultSnapshot.objects.update_or_create(
                tally=tally,
                verified_only=verified_only,
                defaults={
                    "tally_version": tally.version,
                    "computed_at": timezone.now(),
                    "seconds": seconds,
                    "document": document,
                },
            )
        if not has_verified:
            ResultSnapshot.objects.filter(tally=tally, verified_only=True).delete()
        ResultTally.objects.filter(pk=tally.pk).update(refreshed_version=tally.version)


UNCOUNTED_PER_RUN = 5


def results_refresh_recover() -> int:
    """Queue again the refreshes whose worker died (running past the task time limit) and those
    whose results are behind their counts with no refresh queued (a lost message); return how
    many (a watchdog, see `cpps.common.watchdog`)."""
    ResultTally.objects.filter(
        refresh_state=RefreshState.RUNNING, refresh_started_at__lt=silent_since()
    ).update(
        refresh_state=RefreshState.IDLE,
        refresh_error=_("The refresh stopped before it finished; it runs again."),
    )
    # Surveys sealed before results were counted (a database from an earlier release, or a
    # restore) are counted once here, a few per run, rather than showing no answers.
    uncounted = Process.objects.filter(response_seals__isnull=False, result_tally__isnull=True)
    for process in uncounted.distinct()[:UNCOUNTED_PER_RUN]:
        results_rebuild(process=process)
    queued = 0
    for tally in ResultTally.objects.filter(refresh_state=RefreshState.IDLE):
        if tally.stale:
            queued += results_refresh_request(tally=tally)
    return queued


# --- Checking the counts against the answers ---------------------------------------------------


@dataclass(frozen=True)
class TallyProblem:
    process_id: int
    reason: str

    def __str__(self) -> str:
        return f"survey {self.process_id}: {self.reason}"


def _stored(tally: ResultTally) -> Tallied:
    stored = Tallied()
    cells: dict[int, CellKey] = {pk: cell for cell, pk in _cell_ids(tally).items()}
    for pk, count in ResultCell.objects.filter(tally=tally).values_list("pk", "respondents"):
        if count:
            stored.cells[cells[pk]] = count
    for cell_id, key, kind, value, count in ResultCount.objects.filter(
        cell__tally=tally
    ).values_list("cell_id", "question", "kind", "value", "count"):
        if count:
            stored.counts[(cells[cell_id], key, kind, value)] = count
    return stored


def _cell_text(cell: CellKey) -> str:
    area, age_band, sex, race, verified = cell
    parts = [f"area {area or '-'}", f"age {age_band or '-'}", f"sex {sex or '-'}"]
    parts += [f"race/ethnicity {race or '-'}", "verified" if verified else "not verified"]
    return ", ".join(parts)


def _differences(process_id: int, counted: Tallied, stored: Tallied) -> list[TallyProblem]:
    problems = [
        TallyProblem(
            process_id,
            f"cell ({_cell_text(cell)}) holds {stored.cells[cell]} responses, "
            f"the answers {counted.cells[cell]}",
        )
        for cell in sorted(set(counted.cells) | set(stored.cells))
        if counted.cells[cell] != stored.cells[cell]
    ]
    for key in sorted(set(counted.counts) | set(stored.counts)):
        if counted.counts[key] != stored.counts[key]:
            cell, question, kind, value = key
            what = {"a": "answers", "n": f"answers {value}", "c": f"choices of '{value}'"}[kind]
            problems.append(
                TallyProblem(
                    process_id,
                    f"question '{question}', {what} in cell ({_cell_text(cell)}): "
                    f"{stored.counts[key]} counted, {counted.counts[key]} in the answers",
                )
            )
    return problems


def results_verify(*, process: Process | None = None) -> tuple[int, list[TallyProblem]]:
    """Recount every survey's sealed answers and compare them with its stored counts; return
    (surveys checked, differences)."""
    surveys = Process.objects.filter(kind=SURVEY_KIND, response_seals__isnull=False).distinct()
    if process is not None:
        surveys = surveys.filter(pk=process.pk)
    checked, problems = 0, []
    for survey in surveys.order_by("pk"):
        checked += 1
        tally = ResultTally.objects.filter(process=survey).first()
        counted = Tallied()
        last = 0
        for seal, response_ids in _sealed_by_seal(survey):
            counted.add(_seal_tallied(response_ids))
            last = seal.sequence
        if tally is None:
            problems.append(TallyProblem(survey.pk, "its answers were never counted"))
            continue
        if tally.sealed_through != last:
            problems.append(
                TallyProblem(
                    survey.pk, f"counted up to seal #{tally.sealed_through}, sealed up to #{last}"
                )
            )
        if tally.responses != sum(counted.cells.values()):
            problems.append(
                TallyProblem(
                    survey.pk,
                    f"{tally.responses} responses counted, {sum(counted.cells.values())} sealed",
                )
            )
        problems += _differences(survey.pk, counted, _stored(tally))
    return checked, problems
