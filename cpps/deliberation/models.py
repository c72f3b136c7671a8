"""Conversations: a topic residents respond to with short statements, and their votes on each
other's statements (agree, disagree, pass), analysed into opinion groups.

A conversation is a `Process` of kind ``deliberation``. Votes are stored as events: a changed
vote is a new row and the latest counts, the form the analysis engine and Polis exports take,
and a submission is a single insert. Pages never read votes: they read the stored analysis.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpps.participation.models import Channel, Participant
from cpps.processes.models import Process

# The kind of process this app registers (see kind.py).
DELIBERATION_KIND = "deliberation"


class ModerationMode(models.TextChoices):
    PRE = "pre", _("Statements are read by moderators before anyone sees them")
    POST = "post", _("Statements are shown at once; moderators can take them out")


class AnalysisStatus(models.TextChoices):
    IDLE = "idle", _("Up to date")
    QUEUED = "queued", _("Waiting to be analysed")
    RUNNING = "running", _("Being analysed")
    FAILED = "failed", _("The last analysis failed")


class Deliberation(models.Model):
    """The settings of one conversation and where its analysis stands."""

    process = models.OneToOneField(
        Process, on_delete=models.CASCADE, primary_key=True, related_name="deliberation"
    )
    topic = models.CharField(max_length=300)
    framing = models.TextField(blank=True)
    moderation = models.CharField(
        max_length=5, choices=ModerationMode.choices, default=ModerationMode.PRE
    )
    statement_max_length = models.PositiveSmallIntegerField(default=280)
    # The analysis runs again after this many new votes, or this long after the last one.
    analyse_after_votes = models.PositiveIntegerField(default=100)
    analyse_after_seconds = models.PositiveIntegerField(default=60)
    analysis_status = models.CharField(
        max_length=8, choices=AnalysisStatus.choices, default=AnalysisStatus.IDLE
    )
    analysis_started_at = models.DateTimeField(null=True, blank=True)
    analysis_progress = models.FloatField(default=0.0)
    analysis_stage = models.CharField(max_length=40, blank=True)
    analysis_error = models.CharField(max_length=500, blank=True)
    next_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.topic


class StatementState(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    ACCEPTED = "accepted", _("In the conversation")
    REJECTED = "rejected", _("Taken out by moderators")


class Statement(models.Model):
    """One statement, numbered within its conversation (the Polis comment id)."""

    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="statements", db_index=False
    )
    number = models.PositiveIntegerField()
    text = models.CharField(max_length=1000)
    language = models.CharField(max_length=8, default="en")
    # The text lower-cased, without accents, punctuation or repeated spaces, for duplicates.
    normalised = models.CharField(max_length=1000)
    digest = models.CharField(max_length=64)
    author = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seed = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    state = models.CharField(
        max_length=10, choices=StatementState.choices, default=StatementState.PENDING
    )
    # Public: why a statement was taken out (never repeating what it said).
    moderation_reason = models.CharField(max_length=300, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    flags = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["process", "number"]
        constraints = [
            models.UniqueConstraint(fields=["process", "number"], name="statement_number_once"),
            models.UniqueConstraint(fields=["process", "digest"], name="statement_text_once"),
        ]
        indexes = [
            models.Index(
                fields=["process", "state"],
                name="statement_moderation",
                condition=models.Q(state="pending") | models.Q(flags__gt=0),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.text[:40]}"


class VoteValue(models.IntegerChoices):
    AGREE = 1, _("Agree")
    PASS = 0, _("Pass / unsure")
    DISAGREE = -1, _("Disagree")


class Vote(models.Model):
    """One vote event; a participant's latest vote on a statement is the one that counts."""

    # Every index costs each vote: lookups by conversation go through the client id constraint,
    # the analysis reads new votes by id, a participant's own votes by the participant index.
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="+", db_index=False)
    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="votes", db_index=False
    )
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(choices=VoteValue.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    cast_at = models.DateTimeField()
    # An id the sending client chose, so that a resent vote is stored once.
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["process", "client_id"], name="vote_client_id_once")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} on {self.statement_id}: {self.value}"


class StatementFlag(models.Model):
    """A participant asking moderators to look at a statement (once per statement)."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["statement", "participant"], name="flag_once")
        ]

    def __str__(self) -> str:
        return f"flag on {self.statement_id}"


class Analysis(models.Model):
    """One stored analysis: what pages show (``summary``), the map's geometry (``projection``)
    and up to which vote it reaches. The engine's own state for the next update is kept apart
    (`AnalysisState`), so reading a page never loads it."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="analyses")
    computed_at = models.DateTimeField()
    last_vote_id = models.BigIntegerField()
    votes = models.PositiveIntegerField()
    participants = models.PositiveIntegerField()
    summary = models.JSONField()
    projection = models.BinaryField()
    incremental = models.BooleanField(default=False)
    seconds = models.FloatField(default=0.0)

    class Meta:
        ordering = ["process", "-computed_at"]
        get_latest_by = "computed_at"

    def __str__(self) -> str:
        return f"analysis of {self.process_id} at {self.computed_at:%Y-%m-%d %H:%M}"


class AnalysisState(models.Model):
    """The engine's state after the latest analysis, signed, so the next one can be an update."""

    process = models.OneToOneField(
        Process, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="+")
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"analysis state of {self.process_id}"


class BallotEntry(models.Model):
    """Which statements a paper ballot carried (its form number, facilitators only), so the
    votes keyed from it are read against the same list."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="+")
    form_code = models.CharField(max_length=20)
    statements = models.JSONField(default=list)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    printed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["process", "form_code"], name="ballot_once")]

    def __str__(self) -> str:
        return f"ballot {self.form_code}"
