"""Property test over the real services: whatever a police liaison tries, in any order, no
rating and no council vote or decision changes, and no commitment becomes agreed without both
keys."""

from __future__ import annotations

import secrets

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpps.accountability import services
from cpps.accountability.models import (
    Commitment,
    CommitmentDecision,
    CouncilVote,
    Rating,
)
from cpps.common.errors import DomainError
from cpps.participation.identities import Identity
from cpps.participation.services import participant_for
from cpps.processes.models import Process

pytestmark = pytest.mark.django_db

POLICE_ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["vote", "respond", "withdraw", "revise", "propose", "progress", "sign"]),
        st.sampled_from(["accepted", "declined", "changes_requested"]),
        st.booleans(),
        st.integers(0, 2),
    ),
    min_size=1,
    max_size=8,
)


def snapshot():
    return (
        sorted(Rating.objects.values_list("pk", "value", "comment")),
        sorted(CouncilVote.objects.values_list("pk", "approve", "version")),
        sorted(
            CommitmentDecision.objects.filter(key="council").values_list("pk", "outcome", "version")
        ),
        sorted(Commitment.objects.values_list("pk", "council_decision", "withdrawn", "version")),
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=POLICE_ACTIONS)
def test_no_police_action_changes_ratings_or_council_decisions(chicago, accounts, actions):
    police = accounts["police_liaison"]
    commitments = list(Commitment.objects.filter(jurisdiction=chicago).order_by("pk"))
    scorecard = Process.objects.get(jurisdiction=chicago, kind="scorecard")
    if not Rating.objects.exists():
        participant = participant_for(
            process=scorecard, identity=Identity.web_session(secrets.token_urlsafe(9))
        )
        services.rating_record(participant=participant, commitment=commitments[0], value="kept")
    charter = services.charter_in_effect(jurisdiction=chicago)
    before = snapshot()
    for action, response, flag, index in actions:
        commitment = Commitment.objects.get(pk=commitments[index].pk)
        try:
            if action == "vote":
                services.commitment_vote(user=police, commitment=commitment, approve=flag)
            elif action == "respond":
                services.commitment_respond(
                    user=police, commitment=commitment, response=response, reason="r"
                )
            elif action == "withdraw":
                services.commitment_withdraw(user=police, commitment=commitment, reason="r")
            elif action == "revise":
                services.commitment_revise(
                    user=police,
                    commitment=commitment,
                    terms=services.CommitmentTerms(
                        title="t",
                        action="a",
                        owner=commitment.owner,
                        due_on=commitment.due_on,
                        metric="m",
                        baseline="b",
                        target="t",
                    ),
                )
            elif action == "propose":
                services.commitment_change_propose(user=police, commitment=commitment, text="x")
            elif action == "progress":
                services.progress_update_post(
                    user=police, commitment=commitment, status="done", narrative="n"
                )
            else:
                services.charter_sign(user=police, charter=charter, side="council")
        except DomainError:
            pass
    assert snapshot() == before
    for commitment in Commitment.objects.filter(status="agreed"):
        assert commitment.council_decision == "approved"
        assert commitment.owner_response == "accepted"
