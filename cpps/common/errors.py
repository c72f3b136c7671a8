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


class TooManyError(DomainError):
    """A limit on how often something may be done was reached (answered with 429)."""


def status_of(error: DomainError) -> int:
    """The HTTP status a refused request gets, decided once for pages and the API: 403 for a
    role that may not act, 409 for an object whose state does not allow the act, 429 for a
    limit reached, 400 for input the person can fix."""
    if isinstance(error, PermissionRefusedError):
        return 403
    if isinstance(error, InvalidTransitionError):
        return 409
    if isinstance(error, TooManyError):
        return 429
    return 400


class ServiceUnavailableError(Exception):
    """A service the request needs (the database, the task queue, the cache) cannot be reached.

    Not a `DomainError`: nothing is wrong with the request, and it may succeed if repeated later.
    The message says what happened and what to do; it is shown with a 503 and `Retry-After`.
    """
