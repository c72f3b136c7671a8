"""Writes for priority rounds: seeding and moderating ideas, residents' ideas and comparisons."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from cpps.accounts.policy import Action, require
from cpps.audit.services import Actor, audit_event_record, text_digest
from cpps.common.errors import InvalidInputError, InvalidTransitionError
from cpps.participation.models import Participant
from cpps.priorities.audit_actions import IDEA_MODERATED, IDEA_SEEDED, IDEA_SUBMITTED
from cpps.priorities.models import PRIORITY_ROUND_KIND, Comparison, Idea, IdeaSource, IdeaState
from cpps.processes.models import Process, ProcessState

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User

MAX_IDEA_LENGTH = 240
RESIDENT = Actor(ref="resident", role="resident")


def _check_round(process: Process) -> None:
    if process.kind != PRIORITY_ROUND_KIND:
        raise InvalidInputError(_("This process is not a priority round."))


def idea_seed(
    *,
    user: User | AnonymousUser,
    process: Process,
    text_en: str,
    text_es: str = "",
    origin: str = "",
) -> Idea:
    """Seed an idea, e.g. from listening or deliberation results (community roles only)."""
    role = require(user, Action.SET_AGENDA, process.jurisdiction)
    _check_round(process)
    if process.state not in {ProcessState.DRAFT, ProcessState.OPEN}:
        raise InvalidTransitionError(_("Ideas can be added only before the round closes."))
    text_en, text_es = text_en.strip(), text_es.strip()
    if not text_en:
        raise InvalidInputError(_("Write the idea in English (and in Spanish if you can)."))
    if len(text_en) > MAX_IDEA_LENGTH or len(text_es) > MAX_IDEA_LENGTH:
        raise InvalidInputError(_("Keep each idea under 240 characters."))
    with transaction.atomic():
        idea = Idea.objects.create(
            process=process,
            text_en=text_en,
            text_es=text_es,
            source=IdeaSource.SEED,
            state=IdeaState.APPROVED,
            origin=origin.strip()[:200],
        )
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action=IDEA_SEEDED,
            target=idea,
            payload={"process": process.pk, "text_en": text_en, "text_es": text_es},
        )
    return idea


def idea_submit(*, participant: Participant, text: str, language: str = "en") -> Idea:
    """A resident adds an idea; it waits for community moderators before it is shown."""
    process = participant.process
    _check_round(process)
    if process.state != ProcessState.OPEN:
        raise InvalidTransitionError(_("This round is not open right now."))
    text = text.strip()
    if not text:
        raise InvalidInputError(_("Write your idea in a sentence."))
    if len(text) > MAX_IDEA_LENGTH:
        raise InvalidInputError(_("Keep your idea under 240 characters."))
    spanish = language.startswith("es")
    with transaction.atomic():
        idea = Idea.objects.create(
            process=process,
            text_en="" if spanish else text,
            text_es=text if spanish else "",
            source=IdeaSource.RESIDENT,
            state=IdeaState.PENDING,
            submitted_by=participant,
        )
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=RESIDENT,
            action=IDEA_SUBMITTED,
            target=idea,
            payload={"process": process.pk},
        )
    return idea


def idea_moderate(
    *,
    user: User | AnonymousUser,
    idea: Idea,
    approve: bool,
    text_en: str = "",
    text_es: str = "",
    note: str = "",
) -> Idea:
    """Take a resident's idea into the round (with both languages) or leave it out, with a
    public note (community moderators only)."""
    role = require(user, Action.MODERATE, idea.process.jurisdiction)
    if idea.state != IdeaState.PENDING:
        raise InvalidTransitionError(_("This idea has already been moderated."))
    if approve:
        idea.text_en = text_en.strip() or idea.text_en
        idea.text_es = text_es.strip() or idea.text_es
        if not idea.text_en:
            raise InvalidInputError(_("Give the English wording before taking the idea in."))
    elif not note.strip():
        raise InvalidInputError(_("Say briefly why the idea is left out; residents can read it."))
    with transaction.atomic():
        idea.state = IdeaState.APPROVED if approve else IdeaState.REJECTED
        idea.moderation_note = note.strip()[:300]
        idea.save()
        audit_event_record(
            jurisdiction=idea.process.jurisdiction,
            actor=Actor.for_user(user, role),
            action=IDEA_MODERATED,
            target=idea,
            # Never the text: a resident's words (and whatever personal details they held) stay
            # out of the public log; the digest shows later that the text was not changed.
            payload={
                "process": idea.process_id,
                "state": idea.state,
                "note": idea.moderation_note,
                "text_digest": text_digest(idea.text_en, idea.text_es),
            },
        )
    return idea


def comparison_record(*, participant: Participant, winner: Idea, loser: Idea) -> Comparison:
    """Record "this matters more" for one pair shown to a resident."""
    process = participant.process
    _check_round(process)
    if process.state != ProcessState.OPEN:
        raise InvalidTransitionError(_("This round is not open right now."))
    if winner.pk == loser.pk:
        raise InvalidInputError(_("Choose between two different ideas."))
    for idea in (winner, loser):
        if idea.process_id != process.pk or idea.state != IdeaState.APPROVED:
            raise InvalidInputError(_("That idea is not part of this round."))
    return Comparison.objects.create(
        process=process, participant=participant, winner=winner, loser=loser
    )
