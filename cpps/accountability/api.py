"""Read endpoints for the public accountability record: the charter and commitments."""

from django.http import Http404, HttpRequest
from ninja import Router

from cpps.accountability import selectors, services
from cpps.accountability.schemas import (
    CharterOut,
    CommitmentDetailOut,
    CommitmentOut,
    ProgressUpdateOut,
    TimelineEventOut,
)
from cpps.common.api import LOOKUP, AreaCodeOrAll, JurisdictionSlug, ObjectId, responses
from cpps.jurisdictions.selectors import jurisdiction_get

router = Router(tags=["accountability"])


@router.get("/{slug}/charter", response=responses({200: CharterOut}, *LOOKUP))
def get_charter(request: HttpRequest, slug: JurisdictionSlug) -> CharterOut:
    charter = services.charter_in_effect(jurisdiction=jurisdiction_get(slug=slug))
    if charter is None or charter.in_effect_from is None:
        raise Http404(slug)
    return CharterOut(
        version=charter.version,
        text=charter.text,
        council_size=charter.council_members.count(),
        quorum=charter.quorum,
        majority_percent=charter.majority_percent,
        owner_bodies=[body.name for body in charter.owner_bodies.all()],
        review_period_days=charter.review_period_days,
        silence_days=charter.silence_days,
        in_effect_from=charter.in_effect_from,
    )


@router.get("/{slug}/commitments", response=responses({200: list[CommitmentOut]}, *LOOKUP))
def list_commitments(
    request: HttpRequest, slug: JurisdictionSlug, area: AreaCodeOrAll = ""
) -> list[CommitmentOut]:
    jurisdiction = jurisdiction_get(slug=slug)
    chosen = jurisdiction.areas.filter(code=area).first() if area else None
    if area and chosen is None:
        raise Http404(area)
    rows = selectors.commitment_board(jurisdiction=jurisdiction, area=chosen)
    return [CommitmentOut(**selectors.board_record(row)) for row in rows]  # type: ignore[arg-type]


@router.get(
    "/{slug}/commitments/{commitment_id}",
    response=responses({200: CommitmentDetailOut}, *LOOKUP),
)
def get_commitment(
    request: HttpRequest, slug: JurisdictionSlug, commitment_id: ObjectId
) -> CommitmentDetailOut:
    jurisdiction = jurisdiction_get(slug=slug)
    commitment = selectors.commitment_get(jurisdiction=jurisdiction, pk=commitment_id)
    row = next(
        r
        for r in selectors.commitment_board(jurisdiction=jurisdiction)
        if r.commitment == commitment
    )
    return CommitmentDetailOut(
        **selectors.board_record(row),  # type: ignore[arg-type]
        council_decision=commitment.council_decision,
        owner_response=commitment.owner_response,
        updates=[
            ProgressUpdateOut(
                status=u.status,
                narrative=u.narrative,
                metric_value=u.metric_value,
                evidence_url=u.evidence_url,
                posted_at=u.posted_at,
            )
            for u in commitment.updates.all()
        ],
        timeline=[
            TimelineEventOut(
                sequence=e.sequence,
                recorded_at=e.recorded_at,
                action=e.action,
                actor_role=e.actor_role,
                payload=e.payload,
                hash=e.hash,
            )
            for e in selectors.commitment_timeline(commitment=commitment)
        ],
    )
