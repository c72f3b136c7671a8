"""Plain data going into and out of the deliberation engine."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from cpps.engines.deliberation.errors import VoteDataError

ParticipantId = int | str
AGREE, PASS, DISAGREE = 1, 0, -1
Direction = Literal["agree", "disagree"]
Clustering = Literal["auto", "two-level", "polis"]
ConsensusMode = Literal["corrected", "polis"]


@dataclass(frozen=True)
class Statement:
    """One statement residents vote on.

    `moderated` follows Polis: 1 accepted, 0 not yet moderated, -1 moderated out. A moderated-out
    statement takes no part in the map components, statistics or any list; as in Polis, votes
    already cast on it still count towards a participant's participation, and it is kept so an
    export round-trips.
    """

    id: int
    text: str = ""
    author: ParticipantId | None = None
    moderated: int = 0
    timestamp: int = 0
    is_meta: bool = False

    @property
    def is_moderated_out(self) -> bool:
        """Whether moderators removed the statement from the conversation."""
        return self.moderated == -1


@dataclass(frozen=True)
class Vote:
    """One vote event: `value` is 1 agree, -1 disagree, 0 pass; `timestamp` (ms) orders re-votes."""

    participant: ParticipantId
    statement: int
    value: int
    timestamp: int = 0


def _check_vote_values(values: NDArray[Any]) -> None:
    """Raise VoteDataError unless every value is -1, 0 or 1 (checked before any narrowing)."""
    if values.size and (
        values.min() < DISAGREE or values.max() > AGREE or values.dtype.kind == "f"
    ):
        valid = np.isin(values, (AGREE, PASS, DISAGREE))
        if not valid.all():
            bad = values[~valid][0]
            raise VoteDataError(f"vote value {bad} is not 1 (agree), -1 (disagree) or 0 (pass)")


@dataclass(frozen=True, eq=False)
class VoteTable:
    """Columnar vote events (one entry per event), the form the engine works on at any scale.

    A participant may vote on a statement more than once; the event with the latest timestamp
    counts (the later one in table order on equal timestamps).
    """

    participants: NDArray[Any]
    statements: NDArray[np.int64]
    values: NDArray[np.int8]
    timestamps: NDArray[np.int64]

    def __post_init__(self) -> None:
        lengths = {
            len(self.participants),
            len(self.statements),
            len(self.values),
            len(self.timestamps),
        }
        if len(lengths) != 1:
            raise VoteDataError(
                "participants, statements, values and timestamps must have one entry per vote "
                f"(got lengths {sorted(lengths)})"
            )
        _check_vote_values(self.values)

    def __len__(self) -> int:
        return int(self.values.shape[0])

    @classmethod
    def from_arrays(
        cls,
        participants: Iterable[ParticipantId] | NDArray[Any],
        statements: Iterable[int] | NDArray[Any],
        values: Iterable[int] | NDArray[Any],
        timestamps: Iterable[int] | NDArray[Any] | None = None,
    ) -> VoteTable:
        """Build a table from parallel sequences; missing timestamps mean table order."""
        participant_array = np.asarray(
            list(participants) if not isinstance(participants, np.ndarray) else participants
        )
        statement_array = np.asarray(statements, dtype=np.int64)
        value_array = np.asarray(values)
        _check_vote_values(value_array)
        time_array = (
            np.arange(len(statement_array), dtype=np.int64)
            if timestamps is None
            else np.asarray(timestamps, dtype=np.int64)
        )
        return cls(participant_array, statement_array, value_array.astype(np.int8), time_array)

    @classmethod
    def from_votes(cls, votes: Iterable[Vote]) -> VoteTable:
        """Build a table from vote records (the shape a database query returns)."""
        records = list(votes)
        return cls.from_arrays(
            [vote.participant for vote in records],
            [vote.statement for vote in records],
            [vote.value for vote in records],
            [vote.timestamp for vote in records],
        )

    def concatenate(self, other: VoteTable) -> VoteTable:
        """This table followed by `other` (later events win on equal timestamps)."""
        return VoteTable(
            np.concatenate([self.participants, other.participants]),
            np.concatenate([self.statements, other.statements]),
            np.concatenate([self.values, other.values]),
            np.concatenate([self.timestamps, other.timestamps]),
        )


@dataclass(frozen=True)
class Conversation:
    """Statements and the vote log of one deliberation."""

    statements: tuple[Statement, ...]
    votes: VoteTable

    @property
    def moderated_out(self) -> frozenset[int]:
        """Ids of statements moderators removed."""
        return frozenset(s.id for s in self.statements if s.is_moderated_out)


@dataclass(frozen=True)
class AnalysisOptions:
    """How a conversation is analysed.

    The defaults reproduce Polis (as red-dwarf implements it) except for group-informed
    consensus, whose default is the corrected form: Polis's product of per-group agree
    probabilities undercounts small groups (a unanimous group of two scores about 0.75, pulled
    towards one half by the pseudo-votes) and shrinks with every extra group, so bridging
    statements in a four-group conversation look weaker than in a two-group one. Set
    `consensus="polis"` for Polis's numbers.

    Attributes:
        min_votes: votes a participant needs to be placed in a group (Polis: 7, or every
            statement when there are fewer).
        min_groups, max_groups: range of group counts tried (Polis: 2-5).
        clustering: "polis" runs k-means over participants directly with red-dwarf's
            deterministic start and an exact silhouette, reproducing red-dwarf's (Polis-
            compatible) groups, at a cost that grows with participants²; "two-level" runs
            k-means over at most `base_clusters` base clusters, as Polis does, and scales to
            millions of participants; "auto" (default) is "polis" up to 5,000 participants
            in the analysis and "two-level" above.
        base_clusters: number of base clusters in two-level clustering.
        consensus: "corrected" (default) or "polis" group-informed consensus, see
            `group_informed_consensus`.
        k_margin: silhouette gain a different group count needs over the previous one before
            an update switches to it (hysteresis against flip-flopping group counts).
        pick_max: statements listed per group and per consensus direction.
        confidence: one-sided confidence for the significance tests (Polis: 0.90).
        seed: makes every random choice reproducible.
    """

    min_votes: int = 7
    min_groups: int = 2
    max_groups: int = 5
    clustering: Clustering = "auto"
    base_clusters: int = 100
    consensus: ConsensusMode = "corrected"
    k_margin: float = 0.02
    pick_max: int = 5
    confidence: float = 0.90
    seed: int = 0


@dataclass(frozen=True)
class StatementStats:
    """Counts and Polis statistics of one statement within one group (or everyone).

    `p_agree`/`p_disagree` use one pseudo-vote each way; `agree_test`/`disagree_test` are the
    one-proportion z-scores; `repness_*` compare the group with everyone else (ratio and
    two-proportion z-score). Repness fields are 0 for whole-conversation statistics.
    """

    statement: int
    n_agree: int
    n_disagree: int
    n_votes: int
    p_agree: float
    p_disagree: float
    agree_test: float
    disagree_test: float
    repness_agree: float = 0.0
    repness_disagree: float = 0.0
    repness_agree_test: float = 0.0
    repness_disagree_test: float = 0.0

    @property
    def n_pass(self) -> int:
        """Votes that were neither agree nor disagree."""
        return self.n_votes - self.n_agree - self.n_disagree


@dataclass(frozen=True)
class RepresentativeStatement:
    """A statement that sets a group apart: `p` is the group's smoothed probability of voting
    `direction`, `ratio` that probability over the rest's, `test` the z-score of the difference."""

    statement: int
    direction: Direction
    p: float
    p_test: float
    ratio: float
    test: float
    n_success: int
    n_trials: int
    best_agree: bool = False


@dataclass(frozen=True)
class ConsensusStatement:
    """A statement most participants agree (or disagree) with, significantly."""

    statement: int
    direction: Direction
    p: float
    p_test: float
    n_success: int
    n_trials: int


@dataclass(frozen=True, eq=False)
class OpinionGroup:
    """One opinion group: its members, what sets it apart, and how it voted on each statement."""

    id: int
    members: tuple[ParticipantId, ...]
    center: tuple[float, float]
    representative: tuple[RepresentativeStatement, ...]
    stats: tuple[StatementStats, ...]


@dataclass(frozen=True)
class ScoredStatement:
    """A statement with a score (group-informed consensus)."""

    statement: int
    score: float


@dataclass(frozen=True, eq=False)
class Analysis:
    """The result of analysing a conversation.

    `participants` are everyone who voted, with map `coordinates` in the same order;
    `participants_in` those placed in groups. `group_labels[i]` is the group of
    `participants_in[i]`. `state` carries what an update needs (vote matrix, projection,
    cluster centres); treat it as opaque.
    """

    participants: tuple[ParticipantId, ...]
    coordinates: NDArray[np.float64]
    participants_in: tuple[ParticipantId, ...]
    group_labels: NDArray[np.int64]
    statements: tuple[int, ...]
    groups: tuple[OpinionGroup, ...]
    consensus_agree: tuple[ConsensusStatement, ...]
    consensus_disagree: tuple[ConsensusStatement, ...]
    group_informed_consensus: tuple[ScoredStatement, ...]
    silhouette: float
    options: AnalysisOptions
    report: UpdateReport
    state: Any = field(repr=False, default=None)


@dataclass(frozen=True)
class UpdateReport:
    """What an analysis or update did, for logs and for showing how stable groups are.

    `relabelled` is the fraction of participants in groups both before and after an update
    whose group changed (0.0 for a fresh analysis).
    """

    new_votes: int
    new_participants: int
    reclustered: bool
    group_count_changed: bool
    relabelled: float


class ProgressCallback(Protocol):
    """Receives progress as the analysis moves through its stages."""

    def __call__(self, stage: str, fraction: float) -> None:
        """`stage` names the step ("matrix", "projection", ...); `fraction` is 0..1 overall."""


def no_progress(stage: str, fraction: float) -> None:
    """A progress callback that ignores everything."""
