"""The two-key commitment state machine: a commitment is agreed only when the community council
has approved it under the charter's decision rule and the owning body has accepted it."""

from cpps.engines.accountability._commitments import (
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

__all__ = [
    "CommitmentState",
    "CommitmentStatus",
    "CouncilDecision",
    "DecisionRule",
    "OwnerResponse",
    "Side",
    "TransitionRefusedError",
    "council_vote",
    "initial_state",
    "owner_respond",
    "revise",
    "withdraw",
]
