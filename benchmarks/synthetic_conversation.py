"""A synthetic conversation with opinion-group structure, and loading it into PostgreSQL by COPY.

The shape follows what Polis conversations look like: a few opinion groups of unequal size
holding positions in a two-dimensional opinion space, statements that split them along some
direction (and a share that everyone agrees with), passes on about one vote in eight, a
heavy-tailed number of votes per participant (most vote on a few dozen statements, a few on
hundreds) and statements that are not seen equally (earlier ones collect more votes), with the
odd changed vote. Participants answer the optional questions about themselves (area, age, sex)
with some correlation to their group, so the weighted view has work to do.

Votes are written with PostgreSQL's binary COPY built from NumPy arrays, so tens of millions of
rows load without a Python object each.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import psycopg
from numpy.typing import NDArray

GROUP_SHARES = (0.38, 0.30, 0.20, 0.12)
CONSENSUS_SHARE = 0.15
PASS_RATE = 0.12
VOTES_MEDIAN, VOTES_SIGMA = 25.0, 1.0
AREAS = ("7", "8", "9")
AGES = ("18_24", "25_34", "35_44", "45_54", "55_64", "65_plus")
SEXES = ("female", "male")
EPOCH = datetime(2026, 3, 1, tzinfo=UTC)
_PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
COPY_CHUNK = 2_000_000

IntArray = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Votes:
    """Vote events: participant and statement indexes (0-based), values, milliseconds."""

    participants: IntArray
    statements: IntArray
    values: NDArray[np.int8]
    milliseconds: IntArray

    def __len__(self) -> int:
        return len(self.values)


@dataclass(frozen=True, eq=False)
class Opinions:
    """The hidden structure votes are drawn from: each participant's group and each group's
    probability of agreeing and disagreeing with each statement."""

    groups: IntArray
    p_agree: NDArray[np.float64]
    p_disagree: NDArray[np.float64]
    popularity: NDArray[np.float64]


def opinions(
    n_participants: int, n_statements: int, rng: np.random.Generator, n_groups: int = 4
) -> Opinions:
    shares = np.asarray(GROUP_SHARES[:n_groups], dtype=np.float64)
    groups = rng.choice(n_groups, size=n_participants, p=shares / shares.sum()).astype(np.int64)
    return Opinions(groups, *_leanings(n_groups, n_statements, rng), _popularity(n_statements))


def _leanings(
    n_groups: int, n_statements: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    angles = np.linspace(0, 2 * np.pi, n_groups, endpoint=False) + rng.uniform(0, 0.5)
    positions = np.stack([np.cos(angles), np.sin(angles)], axis=1)  # groups x 2
    directions = rng.standard_normal((n_statements, 2))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    strength = rng.uniform(0.5, 3.0, n_statements)
    lean = positions @ directions.T * strength  # groups x statements
    consensus = rng.random(n_statements) < CONSENSUS_SHARE
    lean[:, consensus] = rng.uniform(1.5, 3.0, int(consensus.sum()))
    agree = 1 / (1 + np.exp(-lean))
    return agree * (1 - PASS_RATE), (1 - agree) * (1 - PASS_RATE)


def _popularity(n_statements: int) -> NDArray[np.float64]:
    """How often each statement is shown: earlier ones more (they have been up longer)."""
    weights = 1.0 / (np.arange(n_statements) + 20.0) ** 0.7
    return weights / weights.sum()


def votes_per_participant(n: int, n_statements: int, rng: np.random.Generator) -> IntArray:
    drawn = rng.lognormal(np.log(VOTES_MEDIAN), VOTES_SIGMA, n)
    return np.clip(np.rint(drawn), 1, n_statements).astype(np.int64)


def draw_votes(
    participants: IntArray,
    opinions: Opinions,
    rng: np.random.Generator,
    statements_available: int,
    start_ms: int,
) -> Votes:
    """One vote event per entry of ``participants`` (repeats: that many votes), on statements
    below ``statements_available``, in time order from ``start_ms``."""
    popularity = opinions.popularity[:statements_available]
    statements = rng.choice(
        statements_available, size=len(participants), p=popularity / popularity.sum()
    ).astype(np.int64)
    groups = opinions.groups[participants]
    draw = rng.random(len(participants))
    p_agree = opinions.p_agree[groups, statements]
    agree = draw < p_agree
    disagree = ~agree & (draw < p_agree + opinions.p_disagree[groups, statements])
    values = agree.astype(np.int8) - disagree.astype(np.int8)
    order = rng.permutation(len(participants))  # votes of many people interleave in time
    stamps = start_ms + np.arange(len(participants), dtype=np.int64) * 7
    return Votes(participants[order], statements[order], values[order], stamps)


def demographics(groups: IntArray, rng: np.random.Generator) -> Iterator[str]:
    """Each participant's optional answers as JSON (a few answer nothing)."""
    n = len(groups)
    area = np.where(rng.random(n) < 0.6, groups % len(AREAS), rng.integers(0, len(AREAS), n))
    age = np.clip(groups + rng.integers(-2, 3, n), 0, len(AGES) - 1)
    sex = (rng.random(n) < 0.55 - 0.1 * (groups % 2)).astype(np.int64)
    silent = rng.random(n) < 0.1
    for index in range(n):
        if silent[index]:
            yield "{}"
        else:
            yield json.dumps(
                {
                    "area": AREAS[area[index]],
                    "age_band": AGES[age[index]],
                    "sex": SEXES[1 - sex[index]],
                }
            )


# --- Loading ------------------------------------------------------------------------------------


def participants_copy(
    connection: psycopg.Connection, process_id: int, groups: IntArray, offset: int, seed: int
) -> IntArray:
    """Store participants ``offset`` .. ``offset + len(groups) - 1``; return their ids."""
    rng = np.random.default_rng(seed)
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY processes_participant (process_id, pseudonym, channel, demographics, verified, "
            "joined_at) FROM STDIN"
        ) as copy:
            for index, answers in enumerate(demographics(groups, rng)):
                copy.write_row(
                    (process_id, f"bench-{offset + index:08d}", "web", answers, False, EPOCH)
                )
        cursor.execute(
            "SELECT id FROM processes_participant WHERE process_id = %s AND pseudonym >= %s "
            "AND pseudonym LIKE 'bench-%%' ORDER BY pseudonym",
            [process_id, f"bench-{offset:08d}"],
        )
        ids = np.asarray([row[0] for row in cursor.fetchall()], dtype=np.int64)
    assert len(ids) == len(groups)  # noqa: S101 - a benchmark's own bookkeeping
    return ids


def statements_copy(
    connection: psycopg.Connection, process_id: int, first: int, count: int
) -> IntArray:
    """Store accepted statements numbered ``first`` .. ``first + count - 1``; return their ids."""
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY deliberation_statement (process_id, number, text, language, normalised, digest, "
            "seed, channel, state, moderation_reason, moderated_at, flags, created_at) FROM STDIN"
        ) as copy:
            for number in range(first, first + count):
                text = f"Statement number {number} about safety on the block"
                copy.write_row(
                    (
                        process_id,
                        number,
                        text,
                        "en",
                        text.lower(),
                        f"bench-{number:058d}",
                        False,
                        "web",
                        "accepted",
                        "",
                        EPOCH,
                        0,
                        EPOCH,
                    )
                )
        cursor.execute(
            "UPDATE deliberation_deliberation SET next_number = %s WHERE process_id = %s",
            [first + count - 1, process_id],
        )
        cursor.execute(
            "SELECT id FROM deliberation_statement WHERE process_id = %s AND number >= %s "
            "ORDER BY number",
            [process_id, first],
        )
        return np.asarray([row[0] for row in cursor.fetchall()], dtype=np.int64)


_VOTE_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("process_length", ">i4"),
        ("process", ">i8"),
        ("statement_length", ">i4"),
        ("statement", ">i8"),
        ("participant_length", ">i4"),
        ("participant", ">i8"),
        ("value_length", ">i4"),
        ("value", ">i2"),
        ("channel_length", ">i4"),
        ("channel", "S3"),
        ("cast_length", ">i4"),
        ("cast_at", ">i8"),
    ]
)
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8


def votes_copy(
    connection: psycopg.Connection,
    process_id: int,
    votes: Votes,
    participant_ids: IntArray,
    statement_ids: IntArray,
) -> None:
    """Store vote events (indexes into ``participant_ids`` and ``statement_ids``) by binary
    COPY, in chunks, and commit. The foreign keys are not checked row by row (the rows are made
    from ids just read back): PostgreSQL would queue a deferred check per vote until commit."""
    base_us = int((EPOCH - _PG_EPOCH).total_seconds() * 1_000_000)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for start in range(0, len(votes), COPY_CHUNK):
            stop = min(start + COPY_CHUNK, len(votes))
            rows = np.empty(stop - start, dtype=_VOTE_ROW)
            rows["fields"] = 6
            rows["process_length"], rows["process"] = 8, process_id
            rows["statement_length"] = 8
            rows["statement"] = statement_ids[votes.statements[start:stop]]
            rows["participant_length"] = 8
            rows["participant"] = participant_ids[votes.participants[start:stop]]
            rows["value_length"], rows["value"] = 2, votes.values[start:stop]
            rows["channel_length"], rows["channel"] = 3, b"web"
            rows["cast_length"] = 8
            rows["cast_at"] = base_us + votes.milliseconds[start:stop] * 1000
            with cursor.copy(
                "COPY deliberation_vote (process_id, statement_id, participant_id, value, channel, "
                "cast_at) FROM STDIN (FORMAT binary)"
            ) as copy:
                copy.write(_COPY_SIGNATURE + rows.tobytes() + b"\xff\xff")
            del rows
    connection.commit()


@dataclass(frozen=True, eq=False)
class Loaded:
    """What was stored: participant and statement ids (by index) and the hidden structure."""

    participant_ids: IntArray
    statement_ids: IntArray
    opinions: Opinions
    votes: int
    last_ms: int


def conversation_load(
    url: str, process_id: int, n_participants: int, n_statements: int, seed: int = 2026
) -> Loaded:
    """Store a whole conversation in an empty one: statements, participants, votes."""
    rng = np.random.default_rng(seed)
    structure = opinions(n_participants, n_statements, rng)
    per_participant = votes_per_participant(n_participants, n_statements, rng)
    with psycopg.connect(url) as connection:
        statement_ids = statements_copy(connection, process_id, 1, n_statements)
        participant_ids = participants_copy(connection, process_id, structure.groups, 0, seed)
        connection.commit()
        voters = np.repeat(np.arange(n_participants, dtype=np.int64), per_participant)
        votes = draw_votes(voters, structure, rng, n_statements, 0)
        del voters
        votes_copy(connection, process_id, votes, participant_ids, statement_ids)
        # What autovacuum does after a bulk load, at once: the planner sees the votes.
        connection.execute("ANALYZE deliberation_vote")
        connection.execute("ANALYZE processes_participant")
        connection.commit()
    return Loaded(
        participant_ids, statement_ids, structure, len(votes), int(votes.milliseconds[-1])
    )


def batch_load(
    url: str, process_id: int, loaded: Loaded, share: float = 0.01, seed: int = 2027
) -> tuple[int, int, int]:
    """Add a batch of ``share`` x the stored votes: two thirds from people already in the
    conversation, a third from newcomers (``share`` x the participants), some on new
    statements (``share`` x the statements). Returns (votes, new participants, new statements).
    """
    rng = np.random.default_rng(seed)
    n_old, n_statements = len(loaded.participant_ids), len(loaded.statement_ids)
    total = max(int(loaded.votes * share), 1)
    new_people = max(int(n_old * share), 1)
    new_statements = max(int(n_statements * share), 1)
    grown = Opinions(
        np.concatenate([loaded.opinions.groups, rng.choice(4, size=new_people)]),
        *_leanings(4, n_statements + new_statements, rng),
        _popularity(n_statements + new_statements)[::-1].copy(),  # new statements are shown first
    )
    # Keep the old statements' leanings: only the new statements' columns are new.
    grown.p_agree[:, :n_statements] = loaded.opinions.p_agree
    grown.p_disagree[:, :n_statements] = loaded.opinions.p_disagree
    from_old = rng.integers(0, n_old, size=total - total // 3)
    from_new = n_old + rng.integers(0, new_people, size=total // 3)
    voters = np.concatenate([from_old, from_new]).astype(np.int64)
    votes = draw_votes(voters, grown, rng, n_statements + new_statements, loaded.last_ms + 1000)
    with psycopg.connect(url) as connection:
        statement_ids = np.concatenate(
            [
                loaded.statement_ids,
                statements_copy(connection, process_id, n_statements + 1, new_statements),
            ]
        )
        participant_ids = np.concatenate(
            [
                loaded.participant_ids,
                participants_copy(connection, process_id, grown.groups[n_old:], n_old, seed),
            ]
        )
        votes_copy(connection, process_id, votes, participant_ids, statement_ids)
    return len(votes), new_people, new_statements
