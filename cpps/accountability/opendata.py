"""What accountability publishes as open data: the commitments board (for the whole
jurisdiction) and each scorecard's scores. The downloads on the board and in the open-data
catalogue are the same rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cpps.accountability.models import (
    SCORECARD_KIND,
    CommitmentFlag,
    CommitmentStatus,
    ProgressStatus,
)
from cpps.accountability.selectors import (
    board_record,
    commitment_board,
    commitment_list,
    scorecard_scores,
)
from cpps.audit.selectors import latest_event_at
from cpps.common.opendata import (
    INTERVAL_HIGH,
    INTERVAL_LOW,
    Announcement,
    Column,
    Dataset,
    PublicEvent,
)
from cpps.processes.models import ProcessState
from cpps.processes.selectors import process_updated_at

if TYPE_CHECKING:
    from cpps.jurisdictions.models import Jurisdiction
    from cpps.processes.models import Process

SCORE = _("0 to 100: share saying kept, partly kept counting half, weighted")
COMMITMENT_COLUMNS = (
    Column("id", "integer", _("The commitment's number")),
    Column("title", "string", _("Its title")),
    Column("action", "string", _("What will be done")),
    Column("owner", "string", _("The body that owns it")),
    Column("owner_kind", "string", _("The kind of body (police, city service, ...)")),
    Column("areas", "string", _("Area codes it covers, separated by spaces")),
    Column("due_on", "date", _("Its deadline")),
    Column("status", "string", _("Where it stands between the council and the owner")),
    Column("version", "integer", _("Version of its terms")),
    Column("flag", "string", _("“overdue” or “silent” when flagged, else empty")),
    Column("metric", "string", _("What is measured")),
    Column("baseline", "string", _("The measure at the start")),
    Column("target", "string", _("The measure promised")),
    Column("priority", "string", _("The community priority it answers")),
    Column("latest_update_status", "string", _("Status of the latest progress update")),
    Column("latest_update_at", "datetime", _("When the latest update was posted")),
    Column("latest_metric_value", "string", _("The measure the latest update reports")),
    Column("resident_score", "number", _("Residents' latest score"), SCORE, suppressed=True),
    Column("resident_score_low", "number", INTERVAL_LOW, SCORE, True),
    Column("resident_score_high", "number", INTERVAL_HIGH, SCORE, True),
    Column("ratings", "integer", _("Ratings in the latest period"), _("people"), True),
)
SCORE_COLUMNS = (
    Column("commitment_id", "integer", _("The commitment's number")),
    Column("commitment", "string", _("Its title")),
    Column("ratings", "integer", _("Residents who rated it"), _("people"), True),
    Column("score", "number", _("Residents' score"), SCORE, True),
    Column("score_low", "number", INTERVAL_LOW, SCORE, True),
    Column("score_high", "number", INTERVAL_HIGH, SCORE, True),
    Column("kept", "integer", _("Ratings “kept”"), _("people"), True),
    Column("partly", "integer", _("Ratings “partly kept”"), _("people"), True),
    Column("not_kept", "integer", _("Ratings “not kept”"), _("people"), True),
    Column("too_early", "integer", _("Ratings “too early to say” (not scored)"), _("people"), True),
    Column("dont_know", "integer", _("Ratings “don't know” (not scored)"), _("people"), True),
    Column("weighted", "boolean", _("Whether weighted to the census")),
)


def commitment_rows(*, jurisdiction: Jurisdiction) -> Iterator[list[Any]]:
    """The public board as table rows, in `COMMITMENT_COLUMNS` order."""
    for row in commitment_board(jurisdiction=jurisdiction):
        record = board_record(row)
        record["areas"] = " ".join(record["areas"])  # type: ignore[arg-type]
        yield [record[column.name] for column in COMMITMENT_COLUMNS]


def commitment_table(*, jurisdiction: Jurisdiction) -> Iterator[list[Any]]:
    """The header and the rows: the commitments CSV."""
    yield [column.name for column in COMMITMENT_COLUMNS]
    yield from commitment_rows(jurisdiction=jurisdiction)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def scorecard_rows(*, scorecard: Process) -> Iterator[list[Any]]:
    titles = dict(commitment_list(jurisdiction=scorecard.jurisdiction).values_list("pk", "title"))
    for commitment_id, score in sorted(scorecard_scores(scorecard=scorecard).items()):
        if commitment_id in titles:
            yield [
                commitment_id,
                titles[commitment_id],
                score.ratings,
                _rounded(score.value),
                _rounded(score.low),
                _rounded(score.high),
                score.kept,
                score.partly,
                score.not_kept,
                score.too_early,
                score.dont_know,
                score.weighted,
            ]


def commitment_datasets(jurisdiction: Jurisdiction) -> Sequence[Dataset]:
    return (
        Dataset(
            name="commitments",
            title=_("Commitments and residents' latest scores"),
            description=_(
                "Every commitment on the public board: its terms, owner, deadline, status, "
                "latest progress update and residents' latest score."
            ),
            columns=COMMITMENT_COLUMNS,
            rows=lambda: commitment_rows(jurisdiction=jurisdiction),
            source_url=reverse("accountability:board", args=[jurisdiction.slug]),
            updated=latest_event_at(jurisdiction=jurisdiction, object_type="commitment"),
        ),
    )


def scorecard_datasets(process: Process) -> Sequence[Dataset]:
    """A scorecard's scores, once it is open (its results page is public from then on)."""
    if process.kind != SCORECARD_KIND or process.state == ProcessState.DRAFT:
        return ()
    jurisdiction = process.jurisdiction
    return (
        Dataset(
            name=f"scorecard-{process.pk}",
            title=_("Scorecard: %(title)s") % {"title": process.title},
            description=_("Residents' verdict on each agreed commitment in this period."),
            columns=SCORE_COLUMNS,
            rows=lambda: scorecard_rows(scorecard=process),
            source_url=reverse(
                "accountability:scorecard_results", args=[jurisdiction.slug, process.pk]
            ),
            updated=process_updated_at(process),
        ),
    )


def _commitment_titles(jurisdiction: Jurisdiction, events: Sequence[PublicEvent]) -> dict[str, str]:
    ids = {event.object_id for event in events}
    return {
        str(pk): title
        for pk, title in commitment_list(jurisdiction=jurisdiction)
        .filter(pk__in=[int(i) for i in ids if i.isdigit()])
        .values_list("pk", "title")
    }


def _commitment_news(event: PublicEvent, title: str) -> str | None:
    payload = event.payload
    if event.action == "commitment.status_changed":
        status = CommitmentStatus(payload["to"]).label if payload.get("to") in STATUSES else ""
        return _("Commitment “%(title)s”: %(status)s") % {"title": title, "status": status}
    if event.action == "commitment.progress_posted":
        progress = payload.get("status")
        label = ProgressStatus(progress).label if progress in ProgressStatus.values else ""
        return _("Progress on “%(title)s”: %(status)s") % {"title": title, "status": label}
    if event.action == "commitment.flagged":
        flag = payload.get("flag")
        label = CommitmentFlag(flag).label if flag in CommitmentFlag.values else ""
        return _("“%(title)s” is flagged: %(flag)s") % {"title": title, "flag": label}
    return None


def commitment_announcements(
    jurisdiction: Jurisdiction, events: Sequence[PublicEvent]
) -> list[Announcement]:
    """Feed entries for the commitments' public changes (status, progress, flags): the
    commitment's title (written by the council) and the change, never a resident's words."""
    titles = _commitment_titles(jurisdiction, events)
    entries = []
    for event in events:
        title = titles.get(event.object_id)
        text = _commitment_news(event, title) if title is not None else None
        if text is not None:
            entries.append(
                Announcement(
                    key=f"event-{event.sequence}",
                    title=str(text),
                    url=reverse(
                        "accountability:commitment", args=[jurisdiction.slug, int(event.object_id)]
                    ),
                    updated=event.recorded_at,
                )
            )
    return entries


COMMITMENT_ACTIONS = (
    "commitment.status_changed",
    "commitment.progress_posted",
    "commitment.flagged",
)
STATUSES = frozenset(CommitmentStatus.values)
