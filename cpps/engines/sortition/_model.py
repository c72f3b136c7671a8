"""Plain data in and out of the sortition engine, and its typed errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from cpps.engines.errors import EngineError

Algorithm = Literal["leximin", "maximin", "legacy"]
ALGORITHMS: tuple[Algorithm, ...] = ("leximin", "maximin", "legacy")


@dataclass(frozen=True)
class Person:
    """One pool member: a stable id, one value per quota category, an optional household key."""

    id: str
    features: Mapping[str, str]
    household: str | None = None


@dataclass(frozen=True)
class Quota:
    """Inclusive bounds on how many panel members have `value` in `category`."""

    category: str
    value: str
    min: int
    max: int


@dataclass(frozen=True)
class Pool:
    """The people who registered, in a fixed order (the order of the respondents file)."""

    people: tuple[Person, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(person.id for person in self.people)

    def __len__(self) -> int:
        return len(self.people)


@dataclass(frozen=True)
class Relaxation:
    """One quota bound to loosen: `bound` is "min" or "max", moved from `current` to `suggested`."""

    category: str
    value: str
    bound: Literal["min", "max"]
    current: int
    suggested: int

    def describe(self) -> str:
        verb = "lower" if self.bound == "min" else "raise"
        return (
            f"{verb} the {self.bound} of category '{self.category}' value '{self.value}' "
            f"from {self.current} to {self.suggested}"
        )


@dataclass(frozen=True)
class Distribution:
    """A probability distribution over panels and the selection probability it gives each person.

    `compositions[j][t]` is how many people of type `t` (people with identical feature values
    and no shared household) panel `j` holds; `type_members[t]` lists their pool indices.
    A panel of a composition is drawn by taking its count of each type uniformly at random among
    that type's members, so everyone in a type has the same probability.
    """

    algorithm: Algorithm
    size: int
    people_ids: tuple[str, ...]
    probabilities: tuple[float, ...]
    compositions: tuple[tuple[int, ...], ...]
    panel_probabilities: tuple[float, ...]
    type_members: tuple[tuple[int, ...], ...]
    seconds: float
    certified: bool = True
    rounds: int = 0

    @property
    def min_probability(self) -> float:
        return min(self.probabilities)

    @property
    def max_probability(self) -> float:
        return max(self.probabilities)

    @property
    def support_size(self) -> int:
        return len(self.compositions)

    def probability_of(self) -> dict[str, float]:
        """Return each person's selection probability keyed by id."""
        return dict(zip(self.people_ids, self.probabilities, strict=True))


@dataclass(frozen=True)
class Lottery:
    """A uniform lottery over `len(panels)` panels of person ids, and what rounding cost."""

    panels: tuple[tuple[str, ...], ...]
    probabilities: tuple[float, ...]
    people_ids: tuple[str, ...]
    source_min_probability: float
    loss: float = field(default=0.0)

    @property
    def min_probability(self) -> float:
        return min(self.probabilities)


# The stages `find_distribution` reports, in the order a computation first enters them:
# "validate" (the pool against the quotas), "target" (the fairest probabilities over the
# relaxation, with "target N:" messages; a cut sends the computation back here) and "panels"
# (writing those probabilities as a distribution over real panels, or LEGACY's draws).
Stage = Literal["validate", "target", "panels"]
STAGES: tuple[Stage, ...] = ("validate", "target", "panels")


class ProgressCallback(Protocol):
    """Receives progress of a long computation: the stage (one of `STAGES`), the fraction of that
    stage done when it is truly known (else None; never a guess), and what is happening."""

    def __call__(self, stage: Stage, fraction: float | None, message: str) -> None: ...


def no_progress(stage: Stage, fraction: float | None, message: str) -> None:
    """Ignore progress reports (the default callback)."""


class SortitionError(EngineError):
    """Base of every error the sortition engine raises."""


class PoolError(SortitionError):
    """The respondents cannot be used as given (duplicate ids, unknown or missing values)."""


class QuotaError(SortitionError):
    """The quotas contradict themselves or the pool, before any solving."""


class InfeasibleQuotasError(QuotaError):
    """No panel of the requested size meets all quotas; `relaxations` is the smallest fix found."""

    def __init__(self, message: str, relaxations: tuple[Relaxation, ...] = ()) -> None:
        super().__init__(message)
        self.relaxations = relaxations


class SolverError(SortitionError):
    """HiGHS did not reach a certified optimum (should not happen on valid inputs)."""


class DrawError(SortitionError):
    """A draw or a replacement cannot be made as asked."""


class TranscriptError(SortitionError):
    """A published draw transcript does not re-derive: a file is missing, malformed or altered."""
