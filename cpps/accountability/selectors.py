"""Reads for the accountability side. Everything here is public: no personal data is returned,
and residents' ratings appear only as weighted aggregates of at least the suppression threshold."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from cpps.accountability.models import (
    SCORECARD_KIND,
    Charter,
    Commitment,
    CommitmentStatus,
    CouncilNotice,
    OwnerBody,
    ProgressUpdate,
    Rating,
    RatingValue,
)
from cpps.accounts.policy import Action, can
from cpps.audit.models import AuditEvent
from cpps.audit.selectors import audit_events_for_object
from cpps.common.disclosure import count_shown, counts_suppressed
from cpps.engines.weighting import weighted_means
from cpps.jurisdictions.models import Area, Jurisdiction
from cpps.participation.models import Participant
from cpps.participation.weighting import participant_weights
from cpps.processes.models import Process

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User

# The ratings that judge a commitment, and what each counts in the score; "too early to say"
# and "don't know" are counted and shown, not scored.
RATING_POINTS = {RatingValue.KEPT: 1.0, RatingValue.PARTLY: 0.5, RatingValue.NOT_KEPT: 0.0}


def charter_list(*, jurisdiction: Jurisdiction) -> QuerySet[Charter]:
    return Charter.objects.filter(jurisdiction=jurisdiction).prefetch_related(
        "council_members", "owner_bodies"
    )


def charter_get(*, jurisdiction: Jurisdiction, pk: int) -> Charter:
    charter = charter_list(jurisdiction=jurisdiction).filter(pk=pk).first()
    if charter is None:
        raise Http404(pk)
    return charter


def owner_body_list(*, jurisdiction: Jurisdiction) -> QuerySet[OwnerBody]:
    return OwnerBody.objects.filter(jurisdiction=jurisdiction)


def commitment_list(
    *, jurisdiction: Jurisdiction, area: Area | None = None
) -> QuerySet[Commitment]:
    commitments = (
        Commitment.objects.filter(jurisdiction=jurisdiction)
        .select_related("owner", "priority")
        .prefetch_related(
            "areas", Prefetch("updates", queryset=ProgressUpdate.objects.order_by("-posted_at"))
        )
    )
    if area is not None:
        commitments = commitments.filter(areas=area)
    return commitments


def commitment_get(*, jurisdiction: Jurisdiction, pk: int) -> Commitment:
    commitment = commitment_list(jurisdiction=jurisdiction).filter(pk=pk).first()
    if commitment is None:
        raise Http404(pk)
    return commitment


def commitment_timeline(*, commitment: Commitment) -> QuerySet[AuditEvent]:
    """The commitment's history, built from its audit events (oldest first)."""
    return audit_events_for_object(
        jurisdiction=commitment.jurisdiction,
        object_type="commitment",
        object_id=str(commitment.pk),
    )


def council_notices(*, jurisdiction: Jurisdiction) -> QuerySet[CouncilNotice]:
    return CouncilNotice.objects.filter(jurisdiction=jurisdiction).select_related("commitment")[:20]


def scorecard_list(*, jurisdiction: Jurisdiction) -> list[Process]:
    return list(
        Process.objects.filter(jurisdiction=jurisdiction, kind=SCORECARD_KIND)
        .exclude(state="draft")
        .order_by("created_at")
    )


def scorecard_get(*, jurisdiction: Jurisdiction, pk: int) -> Process:
    process = Process.objects.filter(jurisdiction=jurisdiction, pk=pk, kind=SCORECARD_KIND).first()
    if process is None:
        raise Http404(pk)
    return process


@dataclass(frozen=True)
class Score:
    """Residents' verdict on one commitment in one period, or nothing but that it exists when
    too few rated it (the one small-cell rule: not even how many did).

    ``value`` is the weighted share of "kept" (partly kept counts half), 0-100, among the
    ratings that judge the commitment; "too early to say" and "don't know" are counted, not
    scored, and the score is withheld while too few judge it.
    """

    scorecard: Process
    ratings: int | None
    shown: bool
    value: float | None = None
    low: float | None = None
    high: float | None = None
    kept: int | None = None
    partly: int | None = None
    not_kept: int | None = None
    too_early: int | None = None
    dont_know: int | None = None
    weighted: bool = False


def commitment_scores(*, jurisdiction: Jurisdiction) -> dict[int, list[Score]]:
    """Scores per commitment, one per scorecard period in order: the trend across periods."""
    scores: dict[int, list[Score]] = defaultdict(list)
    for scorecard in scorecard_list(jurisdiction=jurisdiction):
        for commitment_id, score in scorecard_scores(scorecard=scorecard).items():
            scores[commitment_id].append(score)
    return scores


def scorecard_scores(*, scorecard: Process) -> dict[int, Score]:
    """Each rated commitment's score in one period; ratings counts and the counts of each
    answer go through the one small-cell rule (`cpps.common.disclosure`)."""
    rows = list(
        Rating.objects.filter(process=scorecard).values_list(
            "commitment_id", "participant_id", "value"
        )
    )
    if not rows:
        return {}
    people = {participant for _c, participant, _v in rows}
    demographics = dict(Participant.objects.filter(pk__in=people).values_list("pk", "demographics"))
    weights = participant_weights(jurisdiction=scorecard.jurisdiction, demographics=demographics)
    by_commitment: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for commitment_id, participant, value in rows:
        by_commitment[commitment_id].append((participant, value))
    ids = sorted(by_commitment)
    values = list(RatingValue.values)
    # Pages show each commitment's counts and its number of ratings, never the period's totals.
    table = counts_suppressed(
        [[sum(1 for _p, v in by_commitment[c] if v == value) for value in values] for c in ids],
        column_totals=False,
    )
    published = table.published()
    result = {}
    for row, commitment_id in enumerate(ids):
        ratings = by_commitment[commitment_id]
        if not count_shown(len(ratings)):
            result[commitment_id] = Score(scorecard=scorecard, ratings=None, shown=False)
            continue
        counts = dict(zip(values, published[row], strict=False))
        judged = [(p, RATING_POINTS[RatingValue(v)]) for p, v in ratings if v in RATING_POINTS]
        estimate = None
        if judged and count_shown(len(judged)):
            points = np.array([point for _p, point in judged])
            weight = np.array([weights.by_participant.get(p, 1.0) for p, _point in judged])
            estimate = weighted_means(points, weight)[0]
        result[commitment_id] = Score(
            scorecard=scorecard,
            ratings=published[row][len(values)],
            shown=True,
            value=100 * estimate.value if estimate else None,
            low=max(0.0, 100 * estimate.low) if estimate else None,
            high=min(100.0, 100 * estimate.high) if estimate else None,
            kept=counts[RatingValue.KEPT],
            partly=counts[RatingValue.PARTLY],
            not_kept=counts[RatingValue.NOT_KEPT],
            too_early=counts[RatingValue.TOO_EARLY],
            dont_know=counts[RatingValue.DONT_KNOW],
            weighted=bool(weights.variables),
        )
    return result


def scorecard_comments(*, user: User | AnonymousUser, scorecard: Process) -> list[Rating]:
    """Residents' comments, for community roles that may see what residents said (not police)."""
    if not can(user, Action.VIEW_PERSONAL_DATA, scorecard.jurisdiction):
        return []
    return list(
        Rating.objects.filter(process=scorecard)
        .exclude(comment="")
        .select_related("commitment")
        .order_by("commitment_id", "pk")
    )


def rater_count(*, scorecard: Process) -> int:
    """How many people have rated at least one commitment."""
    return Rating.objects.filter(process=scorecard).values("participant_id").distinct().count()


def rateable_commitments(*, scorecard: Process) -> list[Commitment]:
    return list(
        commitment_list(jurisdiction=scorecard.jurisdiction).filter(status=CommitmentStatus.AGREED)
    )


def rated_commitment_ids(*, scorecard: Process, participant: Participant) -> set[int]:
    return set(
        Rating.objects.filter(process=scorecard, participant=participant).values_list(
            "commitment_id", flat=True
        )
    )


@dataclass(frozen=True)
class BoardRow:
    """One line of the public board: the commitment, its latest update and latest score."""

    commitment: Commitment
    latest: ProgressUpdate | None
    score: Score | None


def commitment_board(*, jurisdiction: Jurisdiction, area: Area | None = None) -> list[BoardRow]:
    scores = commitment_scores(jurisdiction=jurisdiction)
    return [
        BoardRow(
            commitment=c,
            latest=next(iter(c.updates.all()), None),
            score=scores[c.pk][-1] if scores.get(c.pk) else None,
        )
        for c in commitment_list(jurisdiction=jurisdiction, area=area)
    ]


def board_record(row: BoardRow) -> dict[str, object]:
    """A board row as plain public data (CSV, JSON and the API share it)."""
    c, latest, score = row.commitment, row.latest, row.score
    shown = score is not None and score.shown
    return {
        "id": c.pk,
        "title": c.title,
        "action": c.action,
        "owner": c.owner.name,
        "owner_kind": c.owner.kind,
        "areas": [a.code for a in c.areas.all()],
        "due_on": c.due_on.isoformat(),
        "status": c.status,
        "version": c.version,
        "flag": c.flag,
        "metric": c.metric,
        "baseline": c.baseline,
        "target": c.target,
        "priority": c.priority.text_en if c.priority else "",
        "latest_update_status": latest.status if latest else "",
        "latest_update_at": latest.posted_at.isoformat() if latest else "",
        "latest_metric_value": latest.metric_value if latest else "",
        "resident_score": round(score.value, 1)
        if shown and score and score.value is not None
        else None,
        "resident_score_low": round(score.low, 1)
        if shown and score and score.low is not None
        else None,
        "resident_score_high": round(score.high, 1)
        if shown and score and score.high is not None
        else None,
        "ratings": score.ratings if score else 0,  # None: too few to show
    }
