"""Verifiable draw: commitment, seed, the drawn panel, ordered alternates, replacements."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from cpps.engines.sortition._io import categories_of
from cpps.engines.sortition._model import Algorithm, DrawError, Lottery, Person, Pool, Quota

ENGINE_VERSION = "cpps-sortition/1"
COMMITMENT_FORMAT = "cpps-sortition-commitment/1"
_SEED_DOMAIN = b"cpps-sortition-seed/1"
_STREAM_DOMAIN = b"cpps-sortition-stream/1"


def canonical_json(value: object) -> bytes:
    """UTF-8 JSON with sorted keys and no spaces: the same bytes on every machine."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def lottery_digest(panels: Iterable[Sequence[str]]) -> str:
    """SHA-256 of the lottery's panels (each a sorted list of ids), in lottery order."""
    return hashlib.sha256(canonical_json([sorted(panel) for panel in panels])).hexdigest()


@dataclass(frozen=True)
class Commitment:
    """What is fixed before the public randomness is known, and its SHA-256 (`digest`)."""

    payload: dict[str, object]
    digest: str


def commit(
    pool: Pool,
    quotas: Sequence[Quota],
    size: int,
    *,
    algorithm: Algorithm,
    randomness_source: str,
    lottery: Lottery | None = None,
) -> Commitment:
    """Fix the pool, quotas, size, algorithm, engine version and declared randomness source.

    `randomness_source` says where the public randomness will come from and when (e.g. "the
    closing EuroMillions numbers of 2026-12-04"); with `lottery`, the m panels are committed too,
    so no one can pick the lottery after seeing the randomness.
    """
    # Sorted everywhere: row order in the files carries no meaning and must not change the hash.
    categories = sorted(categories_of(quotas))
    payload: dict[str, object] = {
        "format": COMMITMENT_FORMAT,
        "engine_version": ENGINE_VERSION,
        "algorithm": algorithm,
        "size": size,
        "randomness_source": randomness_source,
        "quotas": sorted([q.category, q.value, q.min, q.max] for q in quotas),
        "pool": sorted(
            [person.id, [person.features[c] for c in categories], person.household]
            for person in pool.people
        ),
        "categories": categories,
        "lottery_sha256": None if lottery is None else lottery_digest(lottery.panels),
    }
    return Commitment(payload=payload, digest=hashlib.sha256(canonical_json(payload)).hexdigest())


def derive_seed(commitment_digest: str, public_randomness: str) -> bytes:
    """SHA-256 over a domain tag, the commitment digest and the public randomness (UTF-8)."""
    message = b"\x00".join([_SEED_DOMAIN, commitment_digest.encode(), public_randomness.encode()])
    return hashlib.sha256(message).digest()


class SeedStream:
    """Deterministic random integers from a seed: SHA-256 in counter mode, rejection sampling."""

    def __init__(self, seed: bytes) -> None:
        self._seed = seed
        self._counter = 0
        self._buffer = b""

    def _next_u64(self) -> int:
        if len(self._buffer) < 8:
            block = _STREAM_DOMAIN + self._seed + self._counter.to_bytes(8, "big")
            self._buffer += hashlib.sha256(block).digest()
            self._counter += 1
        value, self._buffer = int.from_bytes(self._buffer[:8], "big"), self._buffer[8:]
        return value

    def randbelow(self, n: int) -> int:
        """A uniform integer in [0, n)."""
        if n < 1:
            raise DrawError(f"cannot draw from an empty range ({n})")
        limit = (1 << 64) - (1 << 64) % n
        while True:
            value = self._next_u64()
            if value < limit:
                return value % n

    def shuffled(self, items: Sequence[str]) -> list[str]:
        """A uniformly random permutation of `items` (Fisher-Yates from the end)."""
        result = list(items)
        for i in range(len(result) - 1, 0, -1):
            j = self.randbelow(i + 1)
            result[i], result[j] = result[j], result[i]
        return result


@dataclass(frozen=True)
class Draw:
    """The outcome: which lottery panel, who is on the panel now, and the queue of alternates.

    `replacements` lists (withdrawn id, replacement id) in the order they were made.
    """

    commitment_digest: str
    public_randomness: str
    seed: str
    index: int
    drawn: tuple[str, ...]
    panel: tuple[str, ...]
    alternates: tuple[str, ...]
    replacements: tuple[tuple[str, str], ...] = ()


def draw_panel(lottery: Lottery, commitment: Commitment | str, public_randomness: str) -> Draw:
    """Draw one of the lottery's panels and order everyone else as alternates, from one seed.

    The index is `SeedStream(seed).randbelow(m)`; the same stream then shuffles the people not on
    the panel (in pool order) into the alternates queue.
    """
    digest = commitment if isinstance(commitment, str) else commitment.digest
    seed = derive_seed(digest, public_randomness)
    stream = SeedStream(seed)
    index = stream.randbelow(len(lottery.panels))
    panel = lottery.panels[index]
    chosen = set(panel)
    alternates = stream.shuffled([person for person in lottery.people_ids if person not in chosen])
    return Draw(
        commitment_digest=digest,
        public_randomness=public_randomness,
        seed=seed.hex(),
        index=index,
        drawn=tuple(panel),
        panel=tuple(panel),
        alternates=tuple(alternates),
    )


def replace_withdrawn(
    draw: Draw, withdrawn: Sequence[str], pool: Pool, quotas: Sequence[Quota]
) -> Draw:
    """Replace each withdrawn member with the first alternate that keeps every quota.

    Alternates already used, already on the panel, or sharing a household with a member are
    skipped. Replacements are made one at a time in the order given.

    Raises:
        DrawError: an id is not on the panel, or no alternate keeps the quotas.
    """
    people = {person.id: person for person in pool.people}
    panel = list(draw.panel)
    used = {new for _, new in draw.replacements}
    made = list(draw.replacements)
    for person in withdrawn:
        if person not in panel:
            raise DrawError(f"'{person}' is not on the panel, so cannot be replaced")
        panel.remove(person)
        for candidate in draw.alternates:
            if candidate in used or candidate in panel:
                continue
            if panel_meets_quotas([*panel, candidate], people, quotas, len(draw.panel)):
                panel.append(candidate)
                used.add(candidate)
                made.append((person, candidate))
                break
        else:
            raise DrawError(
                f"every alternate would break a quota if put in place of '{person}'; "
                "loosen the quotas of their category values or draw again"
            )
    return replace(draw, panel=tuple(sorted(panel)), replacements=tuple(made))


def panel_meets_quotas(
    panel: Sequence[str], people: Mapping[str, Person], quotas: Sequence[Quota], size: int
) -> bool:
    """Whether `panel` has `size` distinct members, meets every quota and shares no household."""
    members = [people[person] for person in panel]
    if len(set(panel)) != size or len(panel) != size:
        return False
    households = [member.household for member in members if member.household is not None]
    if len(set(households)) != len(households):
        return False
    tally: dict[tuple[str, str], int] = {}
    for member in members:
        for category, value in member.features.items():
            tally[(category, value)] = tally.get((category, value), 0) + 1
    return all(q.min <= tally.get((q.category, q.value), 0) <= q.max for q in quotas)
