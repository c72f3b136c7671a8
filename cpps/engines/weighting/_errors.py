"""Errors the weighting engine raises; every message says what to change in the inputs."""

from cpps.engines.errors import EngineError


class WeightingError(EngineError):
    """The answers or the census targets cannot be weighted as given."""


class MissingVariableError(WeightingError):
    """A margin names a variable the answers do not have."""


class UnknownCategoryError(WeightingError):
    """Answers carry a category the census targets do not list."""


class EmptyCellError(WeightingError):
    """A census category (or joint cell) with people in it has no answers to stand for them."""


class MarginTotalsError(WeightingError):
    """The margins describe populations of different sizes."""


class RakingConvergenceError(WeightingError):
    """Raking could not meet every margin (usually because the weight cap is too tight)."""
