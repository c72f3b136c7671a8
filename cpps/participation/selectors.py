"""Reads for taking part: counts anyone may see, and what only facilitators may."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cpps.accounts.policy import Action, require
from cpps.participation.models import (
    BurstFlag,
    EligibilityMode,
    EntryPass,
    Participant,
    PassMethod,
    ResidencyCode,
    VerificationMethod,
)
from cpps.participation.services import eligibility_of
from cpps.processes.models import Process

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User


@dataclass(frozen=True)
class ParticipantCounts:
    everyone: int
    verified: int


def participant_counts(*, process: Process) -> ParticipantCounts:
    counts = Participant.objects.filter(process=process).aggregate(
        everyone=Count("pk"), verified=Count("pk", filter=Q(verified=True))
    )
    return ParticipantCounts(everyone=counts["everyone"], verified=counts["verified"])


def participant_list_for_facilitator(
    *, user: User | AnonymousUser, process: Process
) -> QuerySet[Participant]:
    """Return participants with their self-reported answers; facilitators only."""
    require(user, Action.VIEW_PERSONAL_DATA, process.jurisdiction)
    return Participant.objects.filter(process=process).order_by("joined_at")


def eligibility_sentence(process: Process) -> str:
    """The process's rule for taking part, in plain words for residents."""
    rule = eligibility_of(process)
    if rule.mode == EligibilityMode.INVITATION:
        return _(
            "By invitation: use the link or the code you were sent (by letter, by text message "
            "or by an organiser)."
        )
    if rule.mode == EligibilityMode.VERIFIED:
        ways = [
            str(label).lower()
            for value, label in VerificationMethod.choices
            if value in rule.methods
        ]
        return _(
            "Residents only. You prove once that you live here — %(ways)s — and nobody can "
            "connect that proof to what you say."
        ) % {"ways": "; ".join(ways)}
    parts = [_("Anyone may take part, without an account.")]
    if rule.device_limit:
        parts.append(
            ngettext(
                "Each device brings in %(count)s person.",
                "Each device brings in up to %(count)s people.",
                rule.device_limit,
            )
            % {"count": rule.device_limit}
        )
    if rule.network_limit:
        parts.append(
            ngettext(
                "At most %(count)s person joins from one internet connection every %(hours)s "
                "hours, so the numbers cannot be stuffed.",
                "At most %(count)s people join from one internet connection every %(hours)s "
                "hours, so the numbers cannot be stuffed.",
                rule.network_limit,
            )
            % {"count": rule.network_limit, "hours": rule.network_window_hours}
        )
    return " ".join(parts)


def burst_flags(*, user: User | AnonymousUser, process: Process) -> list[BurstFlag]:
    """Bursts of joins from one connection, newest first (facilitators only)."""
    require(user, Action.CONVENE_PROCESS, process.jurisdiction)
    return list(BurstFlag.objects.filter(process=process)[:50])


def unreviewed_burst_count(*, process: Process) -> int:
    return BurstFlag.objects.filter(process=process, reviewed_at__isnull=True).count()


@dataclass(frozen=True)
class InvitationCounts:
    codes: int
    codes_to_print: int
    codes_used: int
    phones: int
    passes: int


def invitation_counts(*, process: Process) -> InvitationCounts:
    codes = ResidencyCode.objects.filter(process=process).aggregate(
        total=Count("pk"),
        to_print=Count("pk", filter=~Q(code_for_letter="")),
        used=Count("pk", filter=Q(redeemed=True)),
    )
    passes = EntryPass.objects.filter(process=process).aggregate(
        phones=Count("pk", filter=Q(method=PassMethod.SMS_INVITATION)),
        passes=Count("pk", filter=Q(method=PassMethod.IN_PERSON)),
    )
    return InvitationCounts(
        codes=codes["total"],
        codes_to_print=codes["to_print"],
        codes_used=codes["used"],
        phones=passes["phones"],
        passes=passes["passes"],
    )


def residency_codes_to_print(
    *, user: User | AnonymousUser, process: Process
) -> list[ResidencyCode]:
    """Letters still to print: address and code (facilitators only; personal data)."""
    require(user, Action.VIEW_PERSONAL_DATA, process.jurisdiction)
    return list(ResidencyCode.objects.filter(process=process).exclude(code_for_letter=""))
