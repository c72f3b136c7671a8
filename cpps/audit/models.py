from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from cpps.jurisdictions.models import Jurisdiction


class AppendOnlyError(Exception):
    """An audit event was about to be changed or deleted; the log only grows."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One consequential act, hash-chained to the acts before it in the same chain.

    Every column except the surrogate id is either inside the hashed body or checked by the
    chain structure, so any change to a stored row is detected by `cpps audit verify`.
    """

    chain = models.CharField(max_length=40, editable=False)
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    sequence = models.PositiveBigIntegerField(editable=False)
    recorded_at = models.DateTimeField(editable=False)
    actor_ref = models.CharField(max_length=80, editable=False)
    actor_role = models.CharField(max_length=40, editable=False)
    action = models.CharField(max_length=80, editable=False)
    object_type = models.CharField(max_length=60, blank=True, editable=False)
    object_id = models.CharField(max_length=60, blank=True, editable=False)
    payload = models.JSONField(default=dict, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    objects: ClassVar[AuditEventQuerySet] = AuditEventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["chain", "sequence"]
        # An object's timeline and the record's date filter read through these, not the log.
        indexes = [
            models.Index(fields=["chain", "object_type", "object_id"], name="audit_event_object"),
            models.Index(fields=["chain", "recorded_at"], name="audit_event_recorded"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "sequence"], name="audit_chain_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.chain} #{self.sequence} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditChainHead(models.Model):
    """The newest event of each chain, kept apart so that removing the newest events shows."""

    chain = models.CharField(max_length=40, unique=True)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain} head #{self.sequence}"


class AuditChainCheck(models.Model):
    """The last verification of one chain, kept so pages show the chain's state without walking
    it: a task re-checks every chain (and `cpps audit verify` records what it finds)."""

    chain = models.CharField(max_length=40, unique=True)
    checked_at = models.DateTimeField()
    events_checked = models.PositiveBigIntegerField()
    intact = models.BooleanField()
    first_bad_sequence = models.PositiveBigIntegerField(null=True)
    reason = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.chain} checked {self.checked_at:%Y-%m-%d %H:%M}"


class AuditDayCount(models.Model):
    """How many residents' acts of one action (in one process) a chain holds for one day: what
    the public record shows in their place, kept up to date as each is recorded so pages read
    one row per day, and recomputable by anyone from the published residents' chain."""

    chain = models.CharField(max_length=40)
    day = models.DateField()
    action = models.CharField(max_length=80)
    process_id = models.PositiveBigIntegerField(default=0)  # 0: not about one process
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "day", "action", "process_id"],
                name="audit_day_count_unique",
            )
        ]
        indexes = [models.Index(fields=["chain", "-day"], name="audit_day_count_recent")]

    def __str__(self) -> str:
        return f"{self.chain} {self.day} {self.action}: {self.count}"
