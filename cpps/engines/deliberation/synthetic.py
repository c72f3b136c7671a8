"""Synthetic conversations with a planted group structure, for benchmarks, tests and demos."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cpps.engines.deliberation.types import Conversation, Statement, VoteTable


@dataclass(frozen=True, eq=False)
class PlantedConversation:
    """A conversation and the group each participant (ids 0..n-1) was generated from."""

    conversation: Conversation
    planted: NDArray[np.int64]


def planted_conversation(
    n_participants: int,
    n_statements: int,
    *,
    density: float = 0.02,
    n_groups: int = 3,
    consensus_share: float = 0.2,
    seed: int = 0,
) -> PlantedConversation:
    """Votes drawn from `n_groups` opinion groups, generated directly in columnar form.

    Each group leans agree or disagree on each statement (75% / 15% / 10% pass for its side);
    a `consensus_share` of statements has every group leaning agree. Each participant votes on
    about `density` x `n_statements` statements chosen at random (a repeated pick is a re-vote).
    """
    rng = np.random.default_rng(seed)
    planted = rng.integers(n_groups, size=n_participants).astype(np.int64)
    leans_agree = rng.random((n_groups, n_statements)) < 0.5
    leans_agree[:, rng.random(n_statements) < consensus_share] = True
    p_agree = np.where(leans_agree, 0.75, 0.15)
    p_disagree = np.where(leans_agree, 0.15, 0.75)
    per_participant = np.maximum(rng.poisson(density * n_statements, n_participants), 1)
    participants = np.repeat(np.arange(n_participants, dtype=np.int64), per_participant)
    statements = rng.integers(n_statements, size=len(participants)).astype(np.int64)
    groups = planted[participants]
    draw = rng.random(len(participants))
    agree = draw < p_agree[groups, statements]
    disagree = ~agree & (draw < p_agree[groups, statements] + p_disagree[groups, statements])
    del groups, draw
    values = agree.astype(np.int8) - disagree.astype(np.int8)
    del agree, disagree
    votes = VoteTable(participants, statements, values, np.arange(len(values), dtype=np.int64))
    conversation = Conversation(tuple(Statement(id=s) for s in range(n_statements)), votes)
    return PlantedConversation(conversation, planted)
