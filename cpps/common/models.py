"""Shared infrastructure rows: the fingerprint of the secret key the database was written with.
(Outbound text messages live in `cpps.channels`.)"""

from __future__ import annotations

from django.db import models


class KeyFingerprint(models.Model):
    """Which secret key the database was written with: an HMAC of a fixed label under the key,
    which identifies the key without revealing it.

    Pseudonyms and contact digests are keyed with `PSEUDONYM_KEY`; served with another key, a
    restored database would take a phone that finished a survey for a new one. Startup and
    `cpps restore` refuse a database whose fingerprint is not the configured key's.
    """

    name = models.CharField(max_length=40, primary_key=True)
    fingerprint = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"fingerprint of {self.name}"
