"""Who takes part in a process, and how they came to be allowed to.

A `Participant` is a per-process pseudonym (keyed HMAC of a channel identity; the key lives
outside the database) with optional self-reported answers used only for weighting. Everything
that proves eligibility — one-time links, mailed residency codes, SMS one-time codes, in-person
verifications, abuse counters — is kept in tables that share no column and no key with
participants or their answers: a verification record cannot be joined to what a person said.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpps.processes.models import Process


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    SMS = "sms", _("Text message")
    VOICE = "voice", _("Phone call")
    PAPER = "paper", _("Paper form")


class Participant(models.Model):
    """A resident taking part in one process, known only by a per-process pseudonym.

    There is no link to a user account, a phone number, an address or an IP address: answers
    keyed to a participant cannot be traced back to a person without the pseudonym key.
    """

    # Lookups by process use the (process, pseudonym) constraint's index.
    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="participants", db_index=False
    )
    pseudonym = models.CharField(max_length=64)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # Self-reported and optional; used only to weight results to the census.
    demographics = models.JSONField(default=dict, blank=True)
    # Whether eligibility was proved (verified residency); never which proof it was.
    verified = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "processes_participant"  # created by the processes app; the rows stayed
        constraints = [
            models.UniqueConstraint(
                fields=["process", "pseudonym"], name="participant_pseudonym_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.process_id}:{self.pseudonym[:8]}"


class OneTimeLink(models.Model):
    """A signed invitation to take part without an account; usable once, until it expires.

    Only a digest of the link's secret is stored, so the database cannot be used to rebuild
    links that were handed out.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="one_time_links")
    secret_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "processes_onetimelink"  # created by the processes app; the rows stayed

    def __str__(self) -> str:
        return f"link {self.pk} for process {self.process_id}"


class EligibilityMode(models.TextChoices):
    OPEN = "open", _("Open to anyone")
    INVITATION = "invitation", _("By invitation only")
    VERIFIED = "verified", _("Verified residents")


class VerificationMethod(models.TextChoices):
    MAILED_CODE = "mailed_code", _("A code mailed to the home address")
    SMS_CODE = "sms_code", _("A code sent by text message")
    IN_PERSON = "in_person", _("In person, with an organiser")


class Eligibility(models.Model):
    """Who may take part in one process, chosen by the community role that convenes it."""

    process = models.OneToOneField(
        Process, on_delete=models.CASCADE, primary_key=True, related_name="eligibility"
    )
    mode = models.CharField(
        max_length=12, choices=EligibilityMode.choices, default=EligibilityMode.OPEN
    )
    # Open processes: how many people one device (a signed cookie) may bring in; 0: no limit.
    device_limit = models.PositiveIntegerField(default=1)
    # Open processes: how many people one network address may bring in per window; 0: no limit.
    network_limit = models.PositiveIntegerField(default=5)
    network_window_hours = models.PositiveIntegerField(default=24)
    # Verified residency: the ways a resident may prove it (VerificationMethod values).
    methods = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "eligibilities"

    def __str__(self) -> str:
        return f"{self.process_id}: {self.mode}"


class PassMethod(models.TextChoices):
    IN_PERSON = "in_person", _("Handed over after an in-person check")
    SMS_INVITATION = "sms_invitation", _("Texted to a number on an invitation list")


class LimitScope(models.TextChoices):
    DEVICE = "device", _("Device")
    NETWORK = "network", _("Network address")


class JoinCounter(models.Model):
    """How many people one device or one network address brought into an open process in one
    window. ``digest`` is keyed with the pseudonym key and the process: never the address."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=10, choices=LimitScope.choices)
    digest = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["process", "scope", "digest", "window_start"], name="join_counter_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.digest[:8]}: {self.count}"


class BurstFlag(models.Model):
    """Many people joining from one network address in a short time: shown to facilitators,
    who know whether it was a library workshop or someone stuffing the numbers."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="burst_flags")
    window_start = models.DateTimeField()
    # The network address's keyed digest (as in JoinCounter): one flag per address and window,
    # so joins from other addresses never wait on this row.
    digest = models.CharField(max_length=64, default="")
    joins = models.PositiveIntegerField()
    refused = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-window_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "window_start", "digest"], name="burst_flag_once"
            )
        ]

    def __str__(self) -> str:
        return f"burst of {self.joins} in process {self.process_id}"


class ResidencyCode(models.Model):
    """A code mailed to one address on the jurisdiction's address list, for one process.

    The address is contact data (facilitators print the letters from it); the code is kept
    only as a digest. Redeeming it proves residency once: it never names the participant.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="residency_codes")
    code_digest = models.CharField(max_length=64, unique=True)
    address = models.TextField()
    address_digest = models.CharField(max_length=64)
    # The printable code, kept until the letters are printed, then cleared.
    code_for_letter = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    redeemed = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "address_digest"], name="residency_code_address_once"
            )
        ]

    def __str__(self) -> str:
        return f"residency code {self.pk}"


class SmsChallenge(models.Model):
    """A one-time code texted to a phone to prove it: short-lived, few tries, single use.

    Deleted once used or expired, so no timestamp is left to match against a participant.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="+")
    phone_digest = models.CharField(max_length=64)
    code_digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["process", "phone_digest"], name="sms_challenge_once")
        ]

    def __str__(self) -> str:
        return f"sms challenge {self.pk}"


class Verification(models.Model):
    """One proof of residency for one process: which way, on which day, by whom if in person.

    ``credential_digest`` (address, phone or in-person identifier, keyed) binds a credential to
    at most one verification per process. Nothing here points to a participant; the participant
    is found again only by recomputing the keyed pseudonym from the credential.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="verifications")
    method = models.CharField(max_length=12, choices=VerificationMethod.choices)
    credential_digest = models.CharField(max_length=64)
    # A day, not a moment: a timestamp could be matched with when a participant joined.
    verified_on = models.DateField()
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["process", "credential_digest"], name="verification_credential_once"
            )
        ]

    def __str__(self) -> str:
        return f"verification {self.pk} ({self.method})"


class EntryPass(models.Model):
    """A code handed to one person (a slip after an in-person check) or texted to one number on
    an invitation list: redeemed on the web, or (for a texted one) by replying from that phone.
    Only its digest is kept; the credential it carries is keyed like a verification's."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=16, choices=PassMethod.choices)
    code_digest = models.CharField(max_length=64, unique=True)
    credential_digest = models.CharField(max_length=64)
    redeemed = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["process", "credential_digest"], name="entry_pass_credential")
        ]

    def __str__(self) -> str:
        return f"entry pass {self.pk} ({self.method})"


class PaperEntry(models.Model):
    """One person's keying of one paper form; two matching entries get the form stored by its
    capability (``stored_at``). The values are answers: facilitators only."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="+")
    form_code = models.CharField(max_length=20)
    keyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    values = models.JSONField(default=dict)
    keyed_at = models.DateTimeField(auto_now_add=True)
    stored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "listening_paperentry"  # created by the listening app; the rows stayed
        ordering = ["form_code", "keyed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "form_code", "keyed_by"], name="paper_entry_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"paper {self.form_code}"
