"""Domain errors raised by services; views, the API and the CLI map them to responses once."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses; the message is shown to the person who made it."""


class PermissionRefused(DomainError):
    """The acting person's roles do not allow this action in this jurisdiction."""


class InvalidInput(DomainError):
    """The input is wrong in a way the person can fix."""


class InvalidTransition(DomainError):
    """The object is not in a state that allows this action."""
