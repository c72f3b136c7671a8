"""Errors the ranking engine raises; every message says what to change in the inputs."""

from cpps.engines.errors import EngineError


class RankingError(EngineError):
    """The comparisons or ideas cannot be ranked as given."""


class UnknownIdeaError(RankingError):
    """A comparison names an idea that is not in the list of ideas."""
