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


class ServiceUnavailableError(Exception):
    """A service the request needs (the database, the task queue, the cache) cannot be reached.

    Not a `DomainError`: nothing is wrong with the request, and it may succeed if repeated later.
    The message says what happened and what to do; it is shown with a 503 and `Retry-After`.
    """
