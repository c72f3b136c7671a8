from __future__ import annotations

import hashlib
import hmac
import secrets

from cpps.engines.errors import EngineError

_SEPARATOR = "\x1f"


class EmptyIdentityError(EngineError):
    """A pseudonym or digest was asked for an empty identity or key."""


def _keyed_hmac(key: str, *parts: str) -> str:
    if not key:
        raise EmptyIdentityError("The pseudonym key is empty; set PSEUDONYM_KEY.")
    if any(not part for part in parts):
        raise EmptyIdentityError("Cannot derive a pseudonym from an empty identity.")
    message = _SEPARATOR.join(parts).encode("utf-8")
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def new_process_salt() -> str:
    """Return a fresh random salt, one per process, so pseudonyms cannot be linked across them."""
    return secrets.token_hex(16)


def pseudonym(*, key: str, process_salt: str, channel: str, identity: str) -> str:
    """Return the participant's pseudonym in one process.

    The same person reaching the same process through the same channel identity (a link token,
    a phone number, a paper form id) gets the same pseudonym, so answers can be resumed and
    de-duplicated; a different process salt gives an unrelated pseudonym, and without the key
    (kept outside the database) nobody can recompute it from a guessed identity.
    """
    return _keyed_hmac(key, process_salt, channel, identity)


def keyed_digest(*, key: str, purpose: str, value: str) -> str:
    """Return a keyed digest of a contact detail (a phone number, an address) for matching only."""
    return _keyed_hmac(key, purpose, value)
