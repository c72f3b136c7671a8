"""Survey instruments, responses, seals and paper entries.

A survey is a `Process` of kind ``survey``. Its questions live in numbered instrument versions:
a published version never changes, so every answer can be read against the exact wording the
resident saw. Answers belong to a `Response`, which belongs to a `Participant` (a per-process
pseudonym); phone numbers are kept only as keyed digests, on the channel layer's conversations,
never on a response or an answer.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cpps.jurisdictions.models import Area
from cpps.participation.models import Channel, Participant
from cpps.processes.models import Process

# The kind of process this app registers (see kind.py).
SURVEY_KIND = "survey"


class InstrumentState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Instrument(models.Model):
    """One numbered version of a survey's questions."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="instruments")
    version = models.PositiveIntegerField()
    state = models.CharField(
        max_length=10, choices=InstrumentState.choices, default=InstrumentState.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["process", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["process", "version"], name="instrument_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.process_id} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.state == InstrumentState.PUBLISHED


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Choose one")
    MULTI = "multi", _("Choose any")
    SCALE = "scale", _("Scale from 0 to 10")
    TEXT = "text", _("Short free text")


class Question(models.Model):
    """A question in both languages. ``choices`` is a list of {"value", "en", "es"}."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    key = models.SlugField(max_length=60)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    text_en = models.CharField(max_length=400)
    text_es = models.CharField(max_length=400)
    choices = models.JSONField(default=list, blank=True)
    # Labels of the two ends of a 0-10 scale, in both languages.
    scale_low_en = models.CharField(max_length=80, blank=True)
    scale_low_es = models.CharField(max_length=80, blank=True)
    scale_high_en = models.CharField(max_length=80, blank=True)
    scale_high_es = models.CharField(max_length=80, blank=True)
    # Where the question came from: a key of the question bank, or blank for the facilitator's own.
    bank_key = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["instrument", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "position"], name="question_position_unique"
            ),
            models.UniqueConstraint(fields=["instrument", "key"], name="question_key_unique"),
        ]

    def __str__(self) -> str:
        return self.key

    def text(self, language: str) -> str:
        return self.text_es if language == "es" else self.text_en

    def choice_labels(self, language: str) -> list[tuple[str, str]]:
        field = "es" if language == "es" else "en"
        return [(str(choice["value"]), str(choice[field])) for choice in self.choices]

    def scale_labels(self, language: str) -> tuple[str, str]:
        if language == "es":
            return self.scale_low_es, self.scale_high_es
        return self.scale_low_en, self.scale_high_en


class ResponseSeal(models.Model):
    """A batch of sent responses fixed by one audit event carrying a digest of their content.

    Responses are sealed in batches (every minute, and when a survey closes) rather than one audit
    event each: the hot path stays free of the chain's single lock, the public log does not show
    when each resident answered, and unlike a per-response event the digest covers the answers
    themselves, so altering one after sealing is detectable.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="response_seals")
    sequence = models.PositiveIntegerField()
    sealed_at = models.DateTimeField()
    count = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)
    audit_event = models.ForeignKey(
        "audit.AuditEvent", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["process", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["process", "sequence"], name="response_seal_sequence")
        ]

    def __str__(self) -> str:
        return f"seal {self.process_id}#{self.sequence}"


class Response(models.Model):
    """One resident's answers to one instrument version, through one channel."""

    # Indexes cost every submission: lookups by survey use the (process, client_id) constraint.
    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="responses", db_index=False
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="responses")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=5, default="en")
    # Where the resident lives, if they said; used for the breakdown by area and for weighting.
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An id the sending client chose, so that a retried submission is stored once.
    # NULL (no id) rather than "", so responses without one never collide on the constraint.
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    position = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    abandoned = models.BooleanField(default=False)
    seal = models.ForeignKey(
        ResponseSeal,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responses",
        db_index=False,
    )

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "client_id"], name="response_client_id_unique"
            )
        ]
        indexes = [
            # Only the responses still waiting for a seal, so sealing never scans the rest.
            models.Index(
                fields=["process"], condition=models.Q(seal__isnull=True), name="response_unsealed"
            ),
        ]

    def __str__(self) -> str:
        return f"response {self.pk}"


class Answer(models.Model):
    """The answer to one question; ``skipped`` records a deliberate skip."""

    # The (response, question) constraint's index serves lookups by response.
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    choices = models.JSONField(default=list, blank=True)
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.CharField(max_length=500, blank=True)
    skipped = models.BooleanField(default=False)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"answer {self.pk}"


# --- Stored results ----------------------------------------------------------------------------


class RefreshState(models.TextChoices):
    IDLE = "idle", _("Up to date or waiting")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")


class ResultTally(models.Model):
    """A survey's answers counted as they are sealed, so its results are read, not recomputed.

    ``version`` grows with every change of the counts (a folded seal, a rebuild, a new published
    version of the questions); the stored results say which version they were computed from.
    ``sealed_through`` is the last seal folded in, so folding the same seal twice changes nothing.
    """

    process = models.OneToOneField(
        Process, on_delete=models.CASCADE, primary_key=True, related_name="result_tally"
    )
    responses = models.PositiveIntegerField(default=0)
    sealed_through = models.PositiveIntegerField(default=0)
    version = models.PositiveBigIntegerField(default=0)
    refreshed_version = models.PositiveBigIntegerField(default=0)
    refresh_state = models.CharField(
        max_length=10, choices=RefreshState.choices, default=RefreshState.IDLE
    )
    refresh_started_at = models.DateTimeField(null=True, blank=True)
    refresh_error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"tally of {self.process_id} v{self.version}"

    @property
    def stale(self) -> bool:
        return self.version > self.refreshed_version


class ResultCell(models.Model):
    """The sealed responses of one census cell: the combination of area and demographic
    categories that weighting works with ("" where the resident did not say), and whether
    residency was verified."""

    tally = models.ForeignKey(ResultTally, on_delete=models.CASCADE, related_name="cells")
    area = models.CharField(max_length=40, blank=True)
    age_band = models.CharField(max_length=40, blank=True)
    sex = models.CharField(max_length=40, blank=True)
    race_ethnicity = models.CharField(max_length=40, blank=True)
    verified = models.BooleanField(default=False)
    respondents = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tally", "area", "age_band", "sex", "race_ethnicity", "verified"],
                name="result_cell_unique",
            )
        ]

    def __str__(self) -> str:
        return f"cell {self.pk} of {self.tally_id}"


class CountKind(models.TextChoices):
    ANSWERED = "a", _("Answered")
    NUMBER = "n", _("Number on the scale")
    CHOICE = "c", _("Option chosen")


class ResultCount(models.Model):
    """How many sealed answers of one cell to one question (by key) were given (``a``), gave a
    number (``n``, ``value`` the number) or chose an option (``c``, ``value`` the option)."""

    cell = models.ForeignKey(ResultCell, on_delete=models.CASCADE, related_name="counts")
    question = models.CharField(max_length=60)
    kind = models.CharField(max_length=1, choices=CountKind.choices)
    value = models.CharField(max_length=100, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cell", "question", "kind", "value"], name="result_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question} {self.kind}{self.value}: {self.count}"


class ResultSnapshot(models.Model):
    """A survey's results computed from its counts, in no language and nothing withheld yet:
    pages label them and apply the small-cell rule as they read them."""

    tally = models.ForeignKey(ResultTally, on_delete=models.CASCADE, related_name="snapshots")
    verified_only = models.BooleanField(default=False)
    tally_version = models.PositiveBigIntegerField()
    computed_at = models.DateTimeField()
    seconds = models.FloatField(default=0.0)
    document = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tally", "verified_only"], name="result_snapshot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"results of {self.tally_id} v{self.tally_version}"
