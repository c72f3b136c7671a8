"""Domain errors raised by services; views, the API and the CLI map them to responses once."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses; the message is shown to the person who made it."""


class PermissionRefusedError(DomainError):
    """The acting person's roles do not allow this action in this jurisdiction."""


class InvalidInputError(DomainError):
    """The input is wrong in a way the person can fix."""


class InvalidTransitionError(DomainError):
    """The object is not in a state that allows this action."""
