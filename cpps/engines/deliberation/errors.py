"""Errors the deliberation engine raises; each message tells a facilitator what to fix."""

from __future__ import annotations

from cpps.engines.errors import EngineError


class DeliberationError(EngineError):
    """A conversation the engine cannot analyse as given."""


class VoteDataError(DeliberationError):
    """Votes or statements that are malformed (unknown vote value, mismatched columns, ...)."""


class PolisExportError(DeliberationError):
    """A Polis export directory that is missing a file or has an unexpected layout."""


class NotEnoughVotesError(DeliberationError):
    """Too few participants voted enough for opinion groups to be formed."""
