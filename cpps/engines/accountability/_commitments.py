"""Commitment states and the only transitions between them.

Two keys open a commitment: the council's decision (votes counted under the charter's rule) and
the owning body's response. Each function takes the current state and returns the next one, or
raises ``TransitionRefusedError``; nothing else can change a state. A revision (only the council
may revise) starts a new version and turns both keys back, so an agreement always refers to the
exact text both sides saw.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from cpps.engines.errors import EngineError


class TransitionRefusedError(EngineError):
    """The action is not allowed for this side or in this state."""


class Side(StrEnum):
    COUNCIL = "council"
    OWNER = "owner"


class CouncilDecision(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class OwnerResponse(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CHANGES_REQUESTED = "changes_requested"


class CommitmentStatus(StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    REJECTED = "rejected"
    DECLINED = "declined"
    CHANGES_REQUESTED = "changes_requested"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class DecisionRule:
    """How the council decides: at least ``quorum`` votes, and more than ``majority_percent``
    per cent of the votes cast in favour, among ``council_size`` members."""

    council_size: int
    quorum: int
    majority_percent: int

    def __post_init__(self) -> None:
        if self.council_size < 1:
            raise TransitionRefusedError("The council needs at least one member.")
        if not 1 <= self.quorum <= self.council_size:
            raise TransitionRefusedError(
                f"The quorum must lie between 1 and the council's size ({self.council_size})."
            )
        if not 0 <= self.majority_percent < 100:
            raise TransitionRefusedError("The majority must be at least 0 and below 100 per cent.")

    def decide(self, *, approvals: int, rejections: int) -> CouncilDecision:
        """Approved once the quorum is met with enough approvals; rejected once approval can no
        longer be reached even if every member yet to vote approves."""
        cast = approvals + rejections
        if cast >= self.quorum and approvals * 100 > self.majority_percent * cast:
            return CouncilDecision.APPROVED
        remaining = self.council_size - cast
        best_approvals, best_cast = approvals + remaining, cast + remaining
        if best_cast < self.quorum or best_approvals * 100 <= self.majority_percent * best_cast:
            return CouncilDecision.REJECTED
        return CouncilDecision.PENDING


@dataclass(frozen=True)
class CommitmentState:
    """Where a commitment stands: its version, the votes on that version and both keys."""

    version: int = 1
    approvals: frozenset[str] = frozenset()
    rejections: frozenset[str] = frozenset()
    council: CouncilDecision = CouncilDecision.PENDING
    owner: OwnerResponse = OwnerResponse.PENDING
    withdrawn: bool = False

    @property
    def status(self) -> CommitmentStatus:
        """The status shown to the public, derived from the two keys."""
        if self.withdrawn:
            return CommitmentStatus.WITHDRAWN
        if self.council is CouncilDecision.APPROVED and self.owner is OwnerResponse.ACCEPTED:
            return CommitmentStatus.AGREED
        if self.council is CouncilDecision.REJECTED:
            return CommitmentStatus.REJECTED
        if self.owner is OwnerResponse.DECLINED:
            return CommitmentStatus.DECLINED
        if self.owner is OwnerResponse.CHANGES_REQUESTED:
            return CommitmentStatus.CHANGES_REQUESTED
        return CommitmentStatus.PROPOSED


def initial_state() -> CommitmentState:
    """A freshly drafted commitment: version 1, both keys unturned."""
    return CommitmentState()


def _open(state: CommitmentState) -> None:
    if state.withdrawn:
        raise TransitionRefusedError("This commitment was withdrawn; nothing more can change.")


def revise(state: CommitmentState, *, side: Side) -> CommitmentState:
    """Start a new version (council only); both keys must be turned again."""
    _open(state)
    if side is not Side.COUNCIL:
        raise TransitionRefusedError(
            "Only the community council can change a commitment; propose the change instead."
        )
    return CommitmentState(version=state.version + 1)


def council_vote(
    state: CommitmentState, *, side: Side, member: str, approve: bool, rule: DecisionRule
) -> CommitmentState:
    """Record one council member's vote on the current version and apply the decision rule."""
    _open(state)
    if side is not Side.COUNCIL:
        raise TransitionRefusedError("Only members of the community council vote on commitments.")
    if state.council is not CouncilDecision.PENDING:
        raise TransitionRefusedError("The council has already decided on this version.")
    if member in state.approvals or member in state.rejections:
        raise TransitionRefusedError("You have already voted on this version.")
    approvals = state.approvals | {member} if approve else state.approvals
    rejections = state.rejections if approve else state.rejections | {member}
    decision = rule.decide(approvals=len(approvals), rejections=len(rejections))
    return replace(state, approvals=approvals, rejections=rejections, council=decision)


def owner_respond(
    state: CommitmentState, *, side: Side, response: OwnerResponse, reason: str = ""
) -> CommitmentState:
    """Record the owning body's answer to the current version; a refusal needs a public reason."""
    _open(state)
    if side is not Side.OWNER:
        raise TransitionRefusedError("Only the body that would own the commitment answers for it.")
    if response is OwnerResponse.PENDING:
        raise TransitionRefusedError("Accept, decline or propose changes.")
    if state.owner is not OwnerResponse.PENDING:
        raise TransitionRefusedError(
            "The owner has already answered this version; the council can revise it."
        )
    if response is not OwnerResponse.ACCEPTED and not reason.strip():
        raise TransitionRefusedError("Give the public reason for declining or asking for changes.")
    return replace(state, owner=response)


def withdraw(state: CommitmentState, *, side: Side) -> CommitmentState:
    """Withdraw the commitment for good (council only)."""
    _open(state)
    if side is not Side.COUNCIL:
        raise TransitionRefusedError("Only the community council can withdraw a commitment.")
    return replace(state, withdrawn=True)
