"""Writes for surveys: building versioned instruments and storing residents' answers.

Every channel (web, SMS, voice, paper, API) turns what it received into these calls; none has
business rules of its own. Instrument edits are community-controlled (the policy decides);
answering needs no account and is keyed by the per-process pseudonym only.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cpps.accounts.policy import Action, require
from cpps.audit.services import Actor, audit_event_record
from cpps.common.errors import InvalidInputError, InvalidTransitionError
from cpps.engines.privacy import pseudonym
from cpps.jurisdictions.models import Area
from cpps.listening.models import (
    Answer,
    Instrument,
    InstrumentState,
    Question,
    QuestionKind,
    Response,
)
from cpps.listening.question_bank import STANDARD_MODULE, BankQuestion
from cpps.processes.demographics import QUESTIONS as DEMOGRAPHIC_QUESTIONS
from cpps.processes.models import Participant, Process, ProcessKind, ProcessState

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User

RESIDENT = Actor(ref="resident", role="resident")
MAX_TEXT_ANSWER = 500
MAX_CHOICES = 12
LANGUAGES = ("en", "es")
CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


# --- Instruments -------------------------------------------------------------------------------


def _require_survey(process: Process) -> None:
    if process.kind != ProcessKind.SURVEY:
        raise InvalidInputError(_("Only a survey has questions."))


def _require_draft(instrument: Instrument) -> None:
    if instrument.state != InstrumentState.DRAFT:
        raise InvalidTransitionError(
            _(
                "Version %(version)s is published and can no longer change. Start a new version "
                "to change the questions."
            )
            % {"version": instrument.version}
        )


def instrument_draft_create(*, user: User | AnonymousUser, process: Process) -> Instrument:
    """Start a new draft version, copying the questions of the latest published version."""
    role = require(user, Action.SET_AGENDA, process.jurisdiction)
    _require_survey(process)
    if process.state in {ProcessState.CLOSED, ProcessState.PUBLISHED}:
        raise InvalidTransitionError(
            _("This survey is closed; its questions can no longer change.")
        )
    with transaction.atomic():
        Process.objects.select_for_update().filter(pk=process.pk).first()
        versions = Instrument.objects.filter(process=process)
        if versions.filter(state=InstrumentState.DRAFT).exists():
            raise InvalidTransitionError(_("There is already a draft version; edit that one."))
        latest = versions.filter(state=InstrumentState.PUBLISHED).order_by("-version").first()
        number = (versions.aggregate(top=Max("version"))["top"] or 0) + 1
        draft = Instrument.objects.create(process=process, version=number)
        if latest is not None:
            copies = []
            for question in latest.questions.all():
                question.pk = None
                question.instrument = draft
                copies.append(question)
            Question.objects.bulk_create(copies)
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action="survey.instrument_drafted",
            target=draft,
            payload={"process": process.pk, "version": number},
        )
    return draft


def _next_position(instrument: Instrument) -> int:
    top = instrument.questions.aggregate(top=Max("position"))["top"]
    return (top or 0) + 1


def _from_bank(instrument: Instrument, position: int, item: BankQuestion) -> Question:
    return Question(
        instrument=instrument,
        position=position,
        key=item.key,
        kind=item.kind,
        text_en=item.en,
        text_es=item.es,
        choices=[{"value": c.value, "en": c.en, "es": c.es} for c in item.choices],
        scale_low_en=item.low[0],
        scale_low_es=item.low[1],
        scale_high_en=item.high[0],
        scale_high_es=item.high[1],
        bank_key=item.key,
    )


def instrument_standard_module_add(
    *, user: User | AnonymousUser, instrument: Instrument
) -> list[Question]:
    """Add the standard safety & trust questions the draft does not have yet."""
    role = require(user, Action.SET_AGENDA, instrument.process.jurisdiction)
    _require_draft(instrument)
    with transaction.atomic():
        present = set(instrument.questions.values_list("key", flat=True))
        position = _next_position(instrument)
        added = []
        for item in STANDARD_MODULE:
            if item.key in present:
                continue
            added.append(_from_bank(instrument, position, item))
            position += 1
        Question.objects.bulk_create(added)
        audit_event_record(
            jurisdiction=instrument.process.jurisdiction,
            actor=Actor.for_user(user, role),
            action="survey.questions_added",
            target=instrument,
            payload={"keys": [question.key for question in added]},
        )
    return added


def _parse_choices(lines: str) -> list[dict[str, str]]:
    """Read "English | Español" lines into choices with stable values."""
    choices: list[dict[str, str]] = []
    for raw in lines.splitlines():
        if not raw.strip():
            continue
        english, _bar, spanish = raw.partition("|")
        english, spanish = english.strip(), spanish.strip()
        if not english or not spanish:
            raise InvalidInputError(
                _("Write each answer as “English | Español”, one per line: “%(line)s”.")
                % {"line": raw.strip()}
            )
        value = slugify(english)[:40] or f"choice_{len(choices) + 1}"
        if any(choice["value"] == value for choice in choices):
            value = f"{value}_{len(choices) + 1}"
        choices.append({"value": value, "en": english, "es": spanish})
    return choices


def question_add(
    *,
    user: User | AnonymousUser,
    instrument: Instrument,
    kind: str,
    text_en: str,
    text_es: str,
    choice_lines: str = "",
    scale_low: tuple[str, str] = ("", ""),
    scale_high: tuple[str, str] = ("", ""),
) -> Question:
    """Add one of the facilitator's own questions (both languages required) to a draft."""
    role = require(user, Action.SET_AGENDA, instrument.process.jurisdiction)
    _require_draft(instrument)
    if kind not in QuestionKind.values:
        raise InvalidInputError(_("Choose a kind of question."))
    if not text_en.strip() or not text_es.strip():
        raise InvalidInputError(_("Write the question in English and in Spanish."))
    choices = (
        _parse_choices(choice_lines) if kind in {QuestionKind.SINGLE, QuestionKind.MULTI} else []
    )
    if kind in {QuestionKind.SINGLE, QuestionKind.MULTI} and not 2 <= len(choices) <= MAX_CHOICES:
        raise InvalidInputError(
            _("A choice question needs between 2 and %(max)s answers.") % {"max": MAX_CHOICES}
        )
    with transaction.atomic():
        base = slugify(text_en)[:40].strip("-") or "question"
        key, suffix = base, 2
        taken = set(instrument.questions.values_list("key", flat=True))
        while key in taken:
            key, suffix = f"{base}-{suffix}", suffix + 1
        question = Question.objects.create(
            instrument=instrument,
            position=_next_position(instrument),
            key=key,
            kind=kind,
            text_en=text_en.strip(),
            text_es=text_es.strip(),
            choices=choices,
            scale_low_en=scale_low[0].strip(),
            scale_low_es=scale_low[1].strip(),
            scale_high_en=scale_high[0].strip(),
            scale_high_es=scale_high[1].strip(),
        )
        audit_event_record(
            jurisdiction=instrument.process.jurisdiction,
            actor=Actor.for_user(user, role),
            action="survey.questions_added",
            target=instrument,
            payload={"keys": [question.key]},
        )
    return question


def question_remove(*, user: User | AnonymousUser, question: Question) -> None:
    """Remove a question from a draft and close the gap in the order."""
    instrument = question.instrument
    role = require(user, Action.SET_AGENDA, instrument.process.jurisdiction)
    _require_draft(instrument)
    with transaction.atomic():
        key, position = question.key, question.position
        question.delete()
        for later in instrument.questions.filter(position__gt=position).order_by("position"):
            later.position -= 1
            later.save(update_fields=["position"])
        audit_event_record(
            jurisdiction=instrument.process.jurisdiction,
            actor=Actor.for_user(user, role),
            action="survey.question_removed",
            target=instrument,
            payload={"key": key},
        )


def instrument_publish(*, user: User | AnonymousUser, instrument: Instrument) -> Instrument:
    """Freeze a draft: from now on residents answer exactly these questions."""
    role = require(user, Action.SET_AGENDA, instrument.process.jurisdiction)
    _require_draft(instrument)
    keys = list(instrument.questions.order_by("position").values_list("key", flat=True))
    if not keys:
        raise InvalidInputError(_("Add at least one question before publishing."))
    with transaction.atomic():
        instrument.state = InstrumentState.PUBLISHED
        instrument.published_at = timezone.now()
        instrument.save(update_fields=["state", "published_at"])
        audit_event_record(
            jurisdiction=instrument.process.jurisdiction,
            actor=Actor.for_user(user, role),
            action="survey.instrument_published",
            target=instrument,
            payload={"process": instrument.process_id, "version": instrument.version, "keys": keys},
        )
    return instrument


# --- Answering ---------------------------------------------------------------------------------


def current_instrument(process: Process) -> Instrument | None:
    """The published version residents answer now (the latest one)."""
    return (
        Instrument.objects.filter(process=process, state=InstrumentState.PUBLISHED)
        .order_by("-version")
        .first()
    )


def _open_instrument(process: Process) -> Instrument:
    if process.kind != ProcessKind.SURVEY or process.state != ProcessState.OPEN:
        raise InvalidTransitionError(_("This survey is not open for answers right now."))
    instrument = current_instrument(process)
    if instrument is None:
        raise InvalidTransitionError(_("This survey has no published questions yet."))
    return instrument


def participant_for_identity(*, process: Process, channel: str, identity: str) -> Participant:
    """Return (creating if needed) the participant behind a channel identity.

    The identity (a random web token, a phone number, a paper form code) only ever enters the
    keyed pseudonym; it is not stored.
    """
    code = pseudonym(
        key=settings.PSEUDONYM_KEY,
        process_salt=process.pseudonym_salt,
        channel=channel,
        identity=identity,
    )
    participant, _created = Participant.objects.get_or_create(
        process=process, pseudonym=code, defaults={"channel": channel}
    )
    return participant


def response_start(
    *, process: Process, channel: str, identity: str, language: str = "en"
) -> Response:
    """Begin a response to the survey's current version."""
    instrument = _open_instrument(process)
    with transaction.atomic():
        participant = participant_for_identity(process=process, channel=channel, identity=identity)
        return Response.objects.create(
            process=process,
            instrument=instrument,
            participant=participant,
            channel=channel,
            language=language if language in LANGUAGES else "en",
        )


def _clean_values(question: Question, values: Sequence[str]) -> dict[str, object]:
    """Check raw answer values against the question; return the Answer fields to store."""
    cleaned = [value.strip() for value in values if value.strip()]
    if not cleaned:
        return {"skipped": True, "choices": [], "number": None, "text": ""}
    if question.kind == QuestionKind.SCALE:
        if len(cleaned) != 1 or not cleaned[0].isdigit() or not 0 <= int(cleaned[0]) <= 10:
            raise InvalidInputError(_("Give a whole number from 0 to 10."))
        return {"skipped": False, "choices": [], "number": int(cleaned[0]), "text": ""}
    if question.kind == QuestionKind.TEXT:
        text = " ".join(cleaned)
        if len(text) > MAX_TEXT_ANSWER:
            raise InvalidInputError(
                _("Keep the answer under %(max)s characters.") % {"max": MAX_TEXT_ANSWER}
            )
        return {"skipped": False, "choices": [], "number": None, "text": text}
    allowed = [str(choice["value"]) for choice in question.choices]
    chosen = list(dict.fromkeys(cleaned))
    if any(value not in allowed for value in chosen):
        raise InvalidInputError(_("Choose one of the answers offered."))
    if question.kind == QuestionKind.SINGLE and len(chosen) != 1:
        raise InvalidInputError(_("Choose only one answer."))
    return {"skipped": False, "choices": chosen, "number": None, "text": ""}


def response_answer(*, response: Response, question: Question, values: Sequence[str]) -> Answer:
    """Store (or change) the answer to one question; no values means the resident skipped it."""
    if response.completed_at is not None or response.abandoned:
        raise InvalidTransitionError(_("These answers were already sent; start again to change."))
    if question.instrument_id != response.instrument_id:
        raise InvalidInputError(_("This question is not part of this survey."))
    _open_instrument(response.process)
    fields = _clean_values(question, values)
    with transaction.atomic():
        answer, _created = Answer.objects.update_or_create(
            response=response, question=question, defaults=fields
        )
        if question.position >= response.position:
            response.position = question.position + 1
            response.save(update_fields=["position"])
    return answer


def _clean_profile(
    process: Process, area_code: str, demographics: Mapping[str, str]
) -> tuple[Area | None, dict[str, str]]:
    area = None
    if area_code:
        area = Area.objects.filter(jurisdiction=process.jurisdiction, code=area_code).first()
        if area is None:
            raise InvalidInputError(_("Choose one of the areas offered."))
    cleaned: dict[str, str] = {}
    for question in DEMOGRAPHIC_QUESTIONS:
        answer = demographics.get(question.key, "")
        if not answer:
            continue
        if answer not in {value for value, _label in question.choices}:
            raise InvalidInputError(_("Choose one of the answers offered."))
        cleaned[question.key] = answer
    return area, cleaned


def response_complete(
    *,
    response: Response,
    area_code: str = "",
    demographics: Mapping[str, str] | None = None,
) -> Response:
    """Send the answers: record where the resident lives and the optional "about you" answers."""
    if response.completed_at is not None:
        return response
    if response.abandoned:
        raise InvalidTransitionError(_("These answers were replaced by a fresh start."))
    _open_instrument(response.process)
    area, cleaned = _clean_profile(response.process, area_code, demographics or {})
    with transaction.atomic():
        _finish(response, area=area, demographics=cleaned)
    return response


def _finish(response: Response, *, area: Area | None, demographics: dict[str, str]) -> None:
    response.area = area
    response.completed_at = timezone.now()
    response.save(update_fields=["area", "completed_at"])
    if demographics:
        Participant.objects.filter(pk=response.participant_id).update(demographics=demographics)
    _record_sent(response, response.process)


def _record_sent(response: Response, process: Process) -> None:
    audit_event_record(
        jurisdiction=process.jurisdiction,
        actor=RESIDENT,
        action="survey.response_sent",
        target=process,
        payload={"channel": response.channel, "version": response.instrument.version},
    )


def response_restart(*, response: Response) -> Response:
    """Set an unfinished response aside and begin again with the same participant."""
    with transaction.atomic():
        if response.completed_at is None:
            Response.objects.filter(pk=response.pk).update(abandoned=True)
        instrument = _open_instrument(response.process)
        return Response.objects.create(
            process=response.process,
            instrument=instrument,
            participant=response.participant,
            channel=response.channel,
            language=response.language,
        )


@dataclass(frozen=True)
class _SubmissionContext:
    instrument: Instrument
    questions: dict[str, Question]
    area_ids: dict[str, int]


_CONTEXTS: dict[tuple[int, str], tuple[float, _SubmissionContext]] = {}
# Whole submissions re-read the current version at most this often (seconds); a version
# published meanwhile is picked up after that, and the one answered is recorded either way.
CONTEXT_TTL = 2.0


def _submission_context(process: Process) -> _SubmissionContext:
    """The open survey's current version, questions and areas, briefly cached per process."""
    instrument = None
    key = (process.pk, process.pseudonym_salt)
    cached = _CONTEXTS.get(key)
    now = time.monotonic()
    if cached is not None and cached[0] > now and process.state == ProcessState.OPEN:
        return cached[1]
    instrument = _open_instrument(process)
    context = _SubmissionContext(
        instrument=instrument,
        questions={question.key: question for question in instrument.questions.all()},
        area_ids=dict(
            Area.objects.filter(jurisdiction_id=process.jurisdiction_id).values_list("code", "pk")
        ),
    )
    _CONTEXTS[key] = (now + CONTEXT_TTL, context)
    return context


@dataclass(frozen=True)
class Submission:
    """A whole response as received: from an API client, a paper form, or an import."""

    client_id: str
    identity: str
    channel: str
    language: str
    answers: Mapping[str, Sequence[str]]
    area_code: str = ""
    demographics: Mapping[str, str] = field(default_factory=dict)


def _validated(
    process: Process, context: _SubmissionContext, submission: Submission
) -> tuple[dict[str, dict[str, object]], dict[str, str]]:
    if not CLIENT_ID.match(submission.client_id):
        raise InvalidInputError(
            _("The submission id must be 8 to 64 letters, digits or the signs . _ : -")
        )
    unknown = sorted(set(submission.answers) - set(context.questions))
    if unknown:
        raise InvalidInputError(
            _("These questions are not in the survey: %(keys)s.") % {"keys": ", ".join(unknown)}
        )
    fields = {
        key: _clean_values(context.questions[key], values)
        for key, values in submission.answers.items()
    }
    if submission.area_code and submission.area_code not in context.area_ids:
        raise InvalidInputError(_("Choose one of the areas offered."))
    _area, cleaned = _clean_profile(process, "", submission.demographics)
    return fields, cleaned


def _insert(
    process: Process,
    context: _SubmissionContext,
    submission: Submission,
    fields: dict[str, dict[str, object]],
    demographics: dict[str, str],
) -> Response:
    """Write one validated submission (inside the caller's transaction)."""
    participant = Participant.objects.create(
        process=process,
        channel=submission.channel,
        demographics=demographics,
        pseudonym=pseudonym(
            key=settings.PSEUDONYM_KEY,
            process_salt=process.pseudonym_salt,
            channel=submission.channel,
            identity=submission.identity,
        ),
    )
    response = Response.objects.create(
        process=process,
        instrument=context.instrument,
        participant=participant,
        channel=submission.channel,
        language=submission.language if submission.language in LANGUAGES else "en",
        client_id=submission.client_id,
        position=len(context.questions) + 1,
        area_id=context.area_ids.get(submission.area_code) if submission.area_code else None,
        completed_at=timezone.now(),
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=context.questions[key], **values)
        for key, values in fields.items()
    )
    return response


def response_submit(
    *,
    process: Process,
    channel: str,
    client_id: str,
    identity: str,
    language: str,
    answers: Mapping[str, Sequence[str]],
    area_code: str = "",
    demographics: Mapping[str, str] | None = None,
) -> tuple[Response, bool]:
    """Store a whole response at once (API clients, paper forms); return (it, created).

    ``client_id`` is chosen by the sender; sending the same id again returns the stored response
    and changes nothing, so a retried submission is never counted twice. The unique constraint
    on (survey, client_id) decides, so concurrent retries are safe too.
    """
    submission = Submission(
        client_id=client_id,
        identity=identity,
        channel=channel,
        language=language,
        answers=answers,
        area_code=area_code,
        demographics=demographics or {},
    )
    if process.kind != ProcessKind.SURVEY or process.state != ProcessState.OPEN:
        existing = Response.objects.filter(process=process, client_id=client_id).first()
        if existing is not None:
            return existing, False
    context = _submission_context(process)
    fields, cleaned = _validated(process, context, submission)
    try:
        with transaction.atomic():
            response = _insert(process, context, submission, fields, cleaned)
            _record_sent(response, process)
    except IntegrityError as error:
        # The same id was stored before, or arrived twice at once and the other request won.
        existing = Response.objects.filter(process=process, client_id=client_id).first()
        if existing is None:
            raise InvalidInputError(_("These answers were already sent.")) from error
        return existing, False
    return response, True


def responses_import(
    *, user: User | AnonymousUser, process: Process, submissions: Sequence[Submission]
) -> int:
    """Store responses collected elsewhere in one go, recorded as one audit event.

    All or nothing: one invalid submission (or an id already stored) stores none of them.
    """
    role = require(user, Action.ENTER_PAPER_FORMS, process.jurisdiction)
    context = _submission_context(process)
    validated = [(s, *_validated(process, context, s)) for s in submissions]
    try:
        with transaction.atomic():
            for submission, fields, cleaned in validated:
                _insert(process, context, submission, fields, cleaned)
            audit_event_record(
                jurisdiction=process.jurisdiction,
                actor=Actor.for_user(user, role),
                action="survey.responses_imported",
                target=process,
                payload={
                    "count": len(validated),
                    "channels": dict(sorted(Counter(s.channel for s in submissions).items())),
                    "version": context.instrument.version,
                },
            )
    except IntegrityError as error:
        raise InvalidInputError(
            _("Some of these responses were already stored; nothing was imported.")
        ) from error
    return len(validated)


def unanswered_questions(response: Response) -> Iterable[Question]:
    answered = Answer.objects.filter(response=response).values_list("question_id", flat=True)
    return response.instrument.questions.exclude(pk__in=list(answered)).order_by("position")
