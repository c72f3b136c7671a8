from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cpps.accountability import services
from cpps.accountability.models import CommitmentFlag, CommitmentStatus, CouncilNotice
from cpps.audit.models import AuditEvent
from cpps.audit.selectors import audit_chain_verify
from cpps.common.errors import InvalidInputError, InvalidTransitionError, PermissionRefusedError

pytestmark = pytest.mark.django_db


def test_charter_takes_effect_only_when_both_sides_sign(chicago, accounts, partnership):
    charter = partnership["charter"]
    assert charter.in_effect_from is not None
    newer = services.charter_draft(
        user=accounts["facilitator"],
        jurisdiction=chicago,
        text="Changed: a two-thirds majority.",
        council_members=partnership["council"],
        quorum=3,
        majority_percent=66,
        owner_bodies=[partnership["police"]],
        review_period_days=90,
        silence_days=30,
    )
    services.charter_sign(user=partnership["council"][1], charter=newer, side="council")
    assert services.charter_in_effect(jurisdiction=chicago) == charter
    services.charter_sign(user=accounts["police_liaison"], charter=newer, side="owner")
    assert services.charter_in_effect(jurisdiction=chicago) == newer


def test_police_cannot_draft_a_charter_or_sign_for_the_community(chicago, accounts, partnership):
    with pytest.raises(PermissionRefusedError):
        services.charter_draft(
            user=accounts["police_liaison"],
            jurisdiction=chicago,
            text="x",
            council_members=partnership["council"],
            quorum=1,
            majority_percent=50,
            owner_bodies=[partnership["police"]],
            review_period_days=1,
            silence_days=1,
        )
    with pytest.raises(PermissionRefusedError):
        services.charter_sign(
            user=accounts["police_liaison"], charter=partnership["charter"], side="council"
        )


def test_charter_rule_is_validated(chicago, accounts, partnership):
    with pytest.raises(InvalidInputError, match="quorum"):
        services.charter_draft(
            user=accounts["facilitator"],
            jurisdiction=chicago,
            text="x",
            council_members=partnership["council"],
            quorum=4,
            majority_percent=50,
            owner_bodies=[partnership["police"]],
            review_period_days=1,
            silence_days=1,
        )


def test_commitments_need_a_charter_in_effect(accounts):
    from cpps.accountability.models import OwnerBody
    from cpps.accounts.services import membership_grant
    from cpps.jurisdictions.services import jurisdiction_create

    elsewhere = jurisdiction_create(name="Elsewhere", slug="elsewhere", description="")
    member = accounts["council_member"]
    membership_grant(granted_by=None, jurisdiction=elsewhere, user=member, role="council_member")
    body = OwnerBody(jurisdiction=elsewhere, name="x", kind="police")
    with pytest.raises(InvalidTransitionError, match="No charter"):
        services.commitment_draft(
            user=member,
            jurisdiction=elsewhere,
            terms=services.CommitmentTerms(
                title="t",
                action="a",
                owner=body,
                due_on=timezone.localdate(),
                metric="m",
                baseline="b",
                target="t",
            ),
        )


def test_agreed_only_after_council_rule_and_owner_acceptance(
    accounts, partnership, draft_commitment
):
    commitment = draft_commitment()
    services.commitment_respond(
        user=accounts["police_liaison"], commitment=commitment, response="accepted"
    )
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.PROPOSED
    services.commitment_vote(user=partnership["council"][0], commitment=commitment, approve=True)
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.PROPOSED  # quorum of two not met yet
    services.commitment_vote(user=partnership["council"][1], commitment=commitment, approve=True)
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.AGREED
    assert commitment.agreed_at is not None
    actions = list(
        AuditEvent.objects.filter(object_type="commitment", object_id=str(commitment.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == [
        "commitment.drafted",
        "commitment.owner_responded",
        "commitment.council_vote",
        "commitment.council_vote",
        "commitment.council_decided",
        "commitment.status_changed",
    ]
    assert all(report.verification.intact for report in audit_chain_verify())


def test_police_cannot_draft_vote_revise_or_withdraw(
    chicago, accounts, partnership, draft_commitment
):
    commitment = draft_commitment()
    police = accounts["police_liaison"]
    with pytest.raises(PermissionRefusedError):
        services.commitment_vote(user=police, commitment=commitment, approve=True)
    with pytest.raises(PermissionRefusedError):
        services.commitment_withdraw(user=police, commitment=commitment, reason="no")
    with pytest.raises(PermissionRefusedError):
        services.commitment_revise(
            user=police,
            commitment=commitment,
            terms=services.CommitmentTerms(
                title="Less",
                action="Less",
                owner=partnership["police"],
                due_on=timezone.localdate(),
                metric="m",
                baseline="b",
                target="t",
            ),
        )


def test_only_the_owning_body_answers(accounts, partnership, draft_commitment):
    commitment = draft_commitment(owner=partnership["lighting"])
    with pytest.raises(PermissionRefusedError, match="Street lighting"):
        services.commitment_respond(
            user=accounts["police_liaison"], commitment=commitment, response="accepted"
        )
    with pytest.raises(PermissionRefusedError):
        services.commitment_respond(
            user=accounts["council_member"], commitment=commitment, response="accepted"
        )
    services.commitment_respond(
        user=accounts["city_official"], commitment=commitment, response="accepted"
    )


def test_decline_needs_a_public_reason_and_revision_resets_both_keys(
    accounts, partnership, draft_commitment
):
    commitment = draft_commitment()
    with pytest.raises(InvalidTransitionError, match="public reason"):
        services.commitment_respond(
            user=accounts["police_liaison"], commitment=commitment, response="declined"
        )
    services.commitment_respond(
        user=accounts["police_liaison"],
        commitment=commitment,
        response="declined",
        reason="No officers free on weekends.",
    )
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.DECLINED
    services.commitment_change_propose(
        user=accounts["police_liaison"], commitment=commitment, text="Weekdays only."
    )
    services.commitment_revise(
        user=partnership["council"][0],
        commitment=commitment,
        terms=services.CommitmentTerms(
            title="Weekday foot patrols",
            action="Weekday foot patrols",
            owner=partnership["police"],
            due_on=timezone.localdate() + timedelta(days=30),
            metric="m",
            baseline="b",
            target="t",
        ),
    )
    commitment.refresh_from_db()
    assert (commitment.version, commitment.status) == (2, CommitmentStatus.PROPOSED)
    assert commitment.owner_response == "pending"


def test_progress_and_flags(accounts, partnership, draft_commitment):
    commitment = draft_commitment(due_on=timezone.localdate() + timedelta(days=5))
    police = accounts["police_liaison"]
    with pytest.raises(InvalidTransitionError):
        services.progress_update_post(
            user=police, commitment=commitment, status="on_track", narrative="Started"
        )
    services.commitment_vote(user=partnership["council"][0], commitment=commitment, approve=True)
    services.commitment_vote(user=partnership["council"][1], commitment=commitment, approve=True)
    services.commitment_respond(user=police, commitment=commitment, response="accepted")
    services.progress_update_post(
        user=police,
        commitment=commitment,
        status="on_track",
        narrative="Two beats walked.",
        metric_value="3",
        evidence_url="https://example.org/report",
    )
    assert services.commitments_flag() == []
    later = timezone.now() + timedelta(days=10)
    flagged = services.commitments_flag(now=later)
    assert [c.pk for c in flagged] == [commitment.pk]
    commitment.refresh_from_db()
    assert commitment.flag == CommitmentFlag.OVERDUE
    assert CouncilNotice.objects.filter(commitment=commitment, kind="overdue").exists()
    assert services.commitments_flag(now=later) == []  # flagged once


def test_silent_commitments_are_flagged(accounts, partnership, draft_commitment):
    commitment = draft_commitment(due_on=timezone.localdate() + timedelta(days=365))
    services.commitment_vote(user=partnership["council"][0], commitment=commitment, approve=True)
    services.commitment_vote(user=partnership["council"][1], commitment=commitment, approve=True)
    services.commitment_respond(
        user=accounts["police_liaison"], commitment=commitment, response="accepted"
    )
    services.commitments_flag(now=timezone.now() + timedelta(days=31))
    commitment.refresh_from_db()
    assert commitment.flag == CommitmentFlag.SILENT
