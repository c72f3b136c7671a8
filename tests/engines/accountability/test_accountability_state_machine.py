"""Property tests: no sequence of actions reaches "agreed" without both keys on the current
version, and nothing the owner side does changes the council's votes or decision."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpps.engines.accountability import (
    CommitmentState,
    CommitmentStatus,
    CouncilDecision,
    DecisionRule,
    OwnerResponse,
    Side,
    TransitionRefusedError,
    council_vote,
    initial_state,
    owner_respond,
    revise,
    withdraw,
)

MEMBERS = ("m1", "m2", "m3", "m4", "m5")


@dataclass(frozen=True)
class Step:
    kind: str
    side: Side
    member: str = ""
    approve: bool = True
    response: OwnerResponse = OwnerResponse.ACCEPTED
    reason: str = ""


steps = st.builds(
    Step,
    kind=st.sampled_from(["vote", "respond", "revise", "withdraw"]),
    side=st.sampled_from(list(Side)),
    member=st.sampled_from(MEMBERS),
    approve=st.booleans(),
    response=st.sampled_from(list(OwnerResponse)),
    reason=st.sampled_from(["", "  ", "Budget is not there this year."]),
)
rules = st.builds(
    lambda size, quorum, pct: DecisionRule(
        council_size=size, quorum=min(quorum, size), majority_percent=pct
    ),
    size=st.integers(1, len(MEMBERS)),
    quorum=st.integers(1, len(MEMBERS)),
    pct=st.sampled_from([0, 50, 66, 75, 99]),
)


def apply(state: CommitmentState, step: Step, rule: DecisionRule) -> CommitmentState:
    if step.kind == "vote":
        return council_vote(
            state, side=step.side, member=step.member, approve=step.approve, rule=rule
        )
    if step.kind == "respond":
        return owner_respond(state, side=step.side, response=step.response, reason=step.reason)
    if step.kind == "revise":
        return revise(state, side=step.side)
    return withdraw(state, side=step.side)


@settings(max_examples=400, deadline=None)
@given(rule=rules, sequence=st.lists(steps, max_size=40))
def test_agreed_needs_both_keys_on_the_current_version(rule, sequence):
    state = initial_state()
    council_approved_at = owner_accepted_at = None
    for step in sequence:
        try:
            state = apply(state, step, rule)
        except TransitionRefusedError:
            continue
        if step.kind == "revise":
            council_approved_at = owner_accepted_at = None
        if step.kind == "vote" and state.council is CouncilDecision.APPROVED:
            council_approved_at = council_approved_at or state.version
        if step.kind == "respond" and state.owner is OwnerResponse.ACCEPTED:
            owner_accepted_at = state.version
        if state.status is CommitmentStatus.AGREED:
            assert council_approved_at == state.version
            assert owner_accepted_at == state.version
            approvals = len(state.approvals)
            cast = approvals + len(state.rejections)
            assert cast >= rule.quorum
            assert approvals * 100 > rule.majority_percent * cast


@settings(max_examples=400, deadline=None)
@given(rule=rules, sequence=st.lists(steps, max_size=40))
def test_owner_side_never_changes_council_votes_decision_terms_or_withdrawal(rule, sequence):
    state = initial_state()
    for step in sequence:
        before = state
        try:
            state = apply(state, step, rule)
        except TransitionRefusedError:
            assert state == before
            continue
        if step.side is Side.OWNER:
            assert state.approvals == before.approvals
            assert state.rejections == before.rejections
            assert state.council == before.council
            assert state.version == before.version
            assert state.withdrawn == before.withdrawn
        else:
            assert state.owner == before.owner or step.kind == "revise"


@settings(max_examples=200, deadline=None)
@given(rule=rules, sequence=st.lists(steps, max_size=30))
def test_withdrawn_is_final(rule, sequence):
    state = withdraw(initial_state(), side=Side.COUNCIL)
    for step in sequence:
        with pytest.raises(TransitionRefusedError):
            apply(state, step, rule)


def test_simple_majority_of_three_with_quorum_two():
    rule = DecisionRule(council_size=3, quorum=2, majority_percent=50)
    state = council_vote(initial_state(), side=Side.COUNCIL, member="a", approve=True, rule=rule)
    assert state.council is CouncilDecision.PENDING
    state = council_vote(state, side=Side.COUNCIL, member="b", approve=True, rule=rule)
    assert state.council is CouncilDecision.APPROVED
    assert state.status is CommitmentStatus.PROPOSED
    state = owner_respond(state, side=Side.OWNER, response=OwnerResponse.ACCEPTED)
    assert state.status is CommitmentStatus.AGREED


def test_rejection_once_approval_is_out_of_reach():
    rule = DecisionRule(council_size=3, quorum=2, majority_percent=50)
    state = council_vote(initial_state(), side=Side.COUNCIL, member="a", approve=False, rule=rule)
    assert state.council is CouncilDecision.PENDING
    state = council_vote(state, side=Side.COUNCIL, member="b", approve=False, rule=rule)
    assert state.council is CouncilDecision.REJECTED
    assert state.status is CommitmentStatus.REJECTED


def test_decline_needs_a_reason():
    with pytest.raises(TransitionRefusedError, match="public reason"):
        owner_respond(initial_state(), side=Side.OWNER, response=OwnerResponse.DECLINED)


def test_owner_cannot_revise_or_withdraw():
    with pytest.raises(TransitionRefusedError, match="Only the community council"):
        revise(initial_state(), side=Side.OWNER)
    with pytest.raises(TransitionRefusedError, match="Only the community council"):
        withdraw(initial_state(), side=Side.OWNER)
