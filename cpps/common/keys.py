"""The fingerprint of `PSEUDONYM_KEY` kept in the database, and the check that a database is
served only with the key it was written with."""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from cpps.common.models import KeyFingerprint
from cpps.engines.privacy import keyed_digest

PSEUDONYM_KEY = "pseudonym_key"
_LABEL = "cpps key fingerprint/1"


def key_fingerprint(key: str) -> str:
    """The HMAC of a fixed label under `key`: equal for equal keys, and no use for finding it."""
    return keyed_digest(key=key, purpose="key-fingerprint", value=_LABEL)


def key_fingerprint_table_exists(*, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the database is migrated far enough to hold the fingerprint."""
    return KeyFingerprint._meta.db_table in connections[using].introspection.table_names()


def key_fingerprint_record(*, using: str = DEFAULT_DB_ALIAS) -> KeyFingerprint:
    """The stored fingerprint, recording the configured key's if the database has none yet."""
    stored, _created = KeyFingerprint.objects.using(using).get_or_create(
        name=PSEUDONYM_KEY, defaults={"fingerprint": key_fingerprint(settings.PSEUDONYM_KEY)}
    )
    return stored


def key_mismatch_message() -> str:
    return _(
        "This database was written with a different PSEUDONYM_KEY than the one configured, so "
        "it is not served: with the wrong key, people who already took part would be taken "
        "for new ones. Start with the key the database was made with (see “Backup and restore” "
        "in the README)."
    )


def key_fingerprint_problem(*, using: str = DEFAULT_DB_ALIAS) -> str | None:
    """Why the database must not be served with the configured key, or None if it may be."""
    stored = key_fingerprint_record(using=using)
    if stored.fingerprint == key_fingerprint(settings.PSEUDONYM_KEY):
        return None
    return key_mismatch_message()
