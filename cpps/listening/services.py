"""Writes for surveys: building versioned instruments and storing residents' answers.

Every channel (web, SMS, voice, paper, API) turns what it received into these calls; none has
business rules of its own. Instrument edits are community-controlled (the policy decides);
answering needs no account and is keyed by the per-process pseudonym only.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cpps.accounts.policy import Action, require
from cpps.audit.services import SYSTEM, Actor, audit_event_record
from cpps.common.db import planned_once_cursor
from cpps.common.errors import InvalidInputError, InvalidTransitionError
from cpps.common.memo import BriefMemo
from cpps.engines.auditchain import batch_digest
from cpps.jurisdictions.models import Area
from cpps.listening.audit_actions import (
    INSTRUMENT_DRAFTED,
    INSTRUMENT_PUBLISHED,
    QUESTION_REMOVED,
    QUESTIONS_ADDED,
    RESPONSES_IMPORTED,
    RESPONSES_SEALED,
)
from cpps.listening.models import (
    SURVEY_KIND,
    Answer,
    Instrument,
    InstrumentState,
    Question,
    QuestionKind,
    Response,
    ResponseSeal,
)
from cpps.listening.question_bank import STANDARD_MODULE, BankQuestion
from cpps.listening.selectors import seal_records
from cpps.listening.tallies import results_changed, tally_fold
from cpps.participation.demographics import demographics_clean
from cpps.participation.identities import Identity
from cpps.participation.models import Participant
from cpps.participation.services import (
    JoinContext,
    JoinLimitError,
    identity_for_api,
    participant_for,
    participant_row,
)
from cpps.processes.models import Process, ProcessState

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User

MAX_TEXT_ANSWER = 500
MAX_CHOICES = 12
LANGUAGES = ("en", "es")
CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


# --- Instruments -------------------------------------------------------------------------------


def _require_survey(process: Process) -> None:
    if process.kind != SURVEY_KIND:
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
            action=INSTRUMENT_DRAFTED,
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
            action=QUESTIONS_ADDED,
            target=instrument,
            payload={"process": instrument.process_id, "keys": [q.key for q in added]},
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
            action=QUESTIONS_ADDED,
            target=instrument,
            payload={"process": instrument.process_id, "keys": [question.key]},
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
            action=QUESTION_REMOVED,
            target=instrument,
            payload={"process": instrument.process_id, "key": key},
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
            action=INSTRUMENT_PUBLISHED,
            target=instrument,
            payload={"process": instrument.process_id, "version": instrument.version, "keys": keys},
        )
        results_changed(process=instrument.process)
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
    if process.kind != SURVEY_KIND or process.state != ProcessState.OPEN:
        raise InvalidTransitionError(_("This survey is not open for answers right now."))
    instrument = current_instrument(process)
    if instrument is None:
        raise InvalidTransitionError(_("This survey has no published questions yet."))
    return instrument


def response_start(*, participant: Participant, channel: str, language: str = "en") -> Response:
    """Begin a response to the survey's current version."""
    process = participant.process
    instrument = _open_instrument(process)
    with transaction.atomic():
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


def response_answer(*, response: Response, question: Question, values: Sequence[str]) -> None:
    """Store (or change) the answer to one question; no values means the resident skipped it.

    Changing an answer and two answers to the same question arriving at once both end with
    exactly one row (an upsert). ``response.position`` moves on past the question.
    """
    if response.completed_at is not None or response.abandoned:
        raise InvalidTransitionError(_("These answers were already sent; start again to change."))
    if question.instrument_id != response.instrument_id:
        raise InvalidInputError(_("This question is not part of this survey."))
    survey_context(response.process)  # open, with a published version
    fields = _clean_values(question, values)
    following = question.position + 1
    if connection.vendor == "postgresql":
        # The SMS and voice hot path: one statement, planned once per connection.
        parameters: dict[str, Any] = {
            "response": response.pk,
            "question": question.pk,
            "choices": json.dumps(fields["choices"]),
            "number": fields["number"],
            "text": fields["text"],
            "skipped": fields["skipped"],
            "now": timezone.now(),
            "following": following,
        }
        with planned_once_cursor() as cursor:
            cursor.execute(_ANSWER_UPSERT, parameters)
    else:
        # No savepoint of its own: nothing here is caught and retried inside a transaction.
        with transaction.atomic(savepoint=False):
            Answer.objects.bulk_create(
                [Answer(response=response, question=question, **fields)],
                update_conflicts=True,
                unique_fields=["response", "question"],
                update_fields=[*fields, "answered_at"],
            )
            if following > response.position:
                Response.objects.filter(pk=response.pk).update(position=following)
    response.position = max(response.position, following)


# Table names come from the models; every value is a parameter, bound on the server.
_ANSWER_UPSERT = f"""
WITH answered AS (
    INSERT INTO {Answer._meta.db_table} (response_id, question_id, choices, number, text,
        skipped, answered_at)
    VALUES (%(response)s, %(question)s, %(choices)s::jsonb, %(number)s::smallint, %(text)s,
        %(skipped)s, %(now)s)
    ON CONFLICT (response_id, question_id) DO UPDATE SET choices = EXCLUDED.choices,
        number = EXCLUDED.number, text = EXCLUDED.text, skipped = EXCLUDED.skipped,
        answered_at = EXCLUDED.answered_at
    RETURNING response_id
)
UPDATE {Response._meta.db_table} SET position = %(following)s
WHERE id = (SELECT response_id FROM answered) AND position < %(following)s
"""  # noqa: S608


def _area_of(process: Process, area_code: str) -> Area | None:
    if not area_code:
        return None
    area = Area.objects.filter(jurisdiction=process.jurisdiction, code=area_code).first()
    if area is None:
        raise InvalidInputError(_("Choose one of the areas offered."))
    return area


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
    area = _area_of(response.process, area_code)
    cleaned = demographics_clean(demographics or {})
    with transaction.atomic():
        _finish(response, area=area, demographics=cleaned)
    return response


def _finish(response: Response, *, area: Area | None, demographics: dict[str, str]) -> None:
    response.area = area
    response.completed_at = timezone.now()
    response.save(update_fields=["area", "completed_at"])
    if demographics:
        Participant.objects.filter(pk=response.participant_id).update(demographics=demographics)


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
class SurveyContext:
    instrument: Instrument
    questions: dict[str, Question]
    area_ids: dict[str, int]


# Whole submissions re-read the current version at most every 2 s; a version published meanwhile
# is picked up after that, and the one answered is recorded either way.
_CONTEXTS: BriefMemo[SurveyContext] = BriefMemo(seconds=2.0)


def survey_context(process: Process) -> SurveyContext:
    """The open survey's current version, questions and areas, briefly cached per process.

    Raises InvalidTransitionError when the survey is not open or has no published version.
    """

    def load() -> SurveyContext:
        instrument = _open_instrument(process)
        return SurveyContext(
            instrument=instrument,
            questions={question.key: question for question in instrument.questions.all()},
            area_ids=dict(
                Area.objects.filter(jurisdiction_id=process.jurisdiction_id).values_list(
                    "code", "pk"
                )
            ),
        )

    return _CONTEXTS.get(
        (process.pk, process.pseudonym_salt), load, usable=process.state == ProcessState.OPEN
    )


def response_questions(response: Response) -> list[Question]:
    """The questions of the version ``response`` answers, in order.

    Published versions never change, so while the survey is open the cached context serves them.
    """
    if response.process.state == ProcessState.OPEN:
        try:
            context = survey_context(response.process)
        except InvalidTransitionError:
            context = None
        if context is not None and context.instrument.pk == response.instrument_id:
            return list(context.questions.values())
    return list(Question.objects.filter(instrument_id=response.instrument_id).order_by("position"))


@dataclass(frozen=True)
class Submission:
    """A whole response as received: from an API client, a paper form, or an import."""

    client_id: str
    identity: Identity
    language: str
    answers: Mapping[str, Sequence[str]]
    area_code: str = ""
    demographics: Mapping[str, str] = field(default_factory=dict)


def _validated(
    process: Process, context: SurveyContext, submission: Submission
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
    return fields, demographics_clean(submission.demographics)


def _insert(
    process: Process,
    context: SurveyContext,
    submission: Submission,
    fields: dict[str, dict[str, object]],
    demographics: dict[str, str],
) -> Response:
    """Write one validated submission (inside the caller's transaction)."""
    participant = participant_for(
        process=process, identity=submission.identity, demographics=demographics
    )
    response = Response.objects.create(
        process=process,
        instrument=context.instrument,
        participant=participant,
        channel=submission.identity.channel,
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
    client_id: str,
    identity: Identity,
    language: str,
    answers: Mapping[str, Sequence[str]],
    area_code: str = "",
    demographics: Mapping[str, str] | None = None,
) -> tuple[int, bool]:
    """Store a whole response at once (API clients, paper forms); return (its id, created).

    ``client_id`` is chosen by the sender; sending the same id again returns the stored response
    and changes nothing, so a retried submission is never counted twice. The unique constraint
    on (survey, client_id) decides, so concurrent retries are safe too. Whether the survey is
    open is decided by the database at the moment of writing, so ``process`` may be a briefly
    cached instance (see `survey_for_submission`).
    """
    submission = Submission(
        client_id=client_id,
        identity=identity,
        language=language,
        answers=answers,
        area_code=area_code,
        demographics=demographics or {},
    )
    if process.kind == SURVEY_KIND and process.state == ProcessState.OPEN:
        context = survey_context(process)
        fields, cleaned = _validated(process, context, submission)
        try:
            if connection.vendor == "postgresql":
                stored = _insert_in_one_statement(process, context, submission, fields, cleaned)
            else:
                stored = _insert_if_open(process, context, submission, fields, cleaned)
        except IntegrityError as error:
            # The same id was stored before, or arrived twice at once and the other one won.
            existing = _response_id_for(process, client_id)
            if existing is None:
                raise InvalidInputError(_("These answers were already sent.")) from error
            return existing, False
        if stored is not None:
            return stored, True
    existing = _response_id_for(process, client_id)
    if existing is None:
        raise InvalidTransitionError(_("This survey is not open for answers right now."))
    return existing, False


def response_submit_anonymous(
    *,
    process: Process,
    client_id: str,
    join: JoinContext,
    language: str,
    answers: Mapping[str, Sequence[str]],
    area_code: str = "",
    demographics: Mapping[str, str] | None = None,
) -> tuple[int, bool]:
    """`response_submit` for a client without an account or invitation (the JSON API): open
    surveys only, within their limits per network address. A resent id is always answered with
    the stored response, even once the address's limit is reached.

    Raises:
        NotEligibleError: the survey is by invitation or for verified residents.
        JoinLimitError: the address brought in as many people as the survey allows.
    """
    try:
        identity = identity_for_api(process=process, client_id=client_id, context=join)
    except JoinLimitError:
        existing = _response_id_for(process, client_id)
        if existing is None:
            raise
        return existing, False
    return response_submit(
        process=process,
        client_id=client_id,
        identity=identity,
        language=language,
        answers=answers,
        area_code=area_code,
        demographics=demographics,
    )


def _response_id_for(process: Process, client_id: str) -> int | None:
    return (
        Response.objects.filter(process=process, client_id=client_id)
        .values_list("pk", flat=True)
        .first()
    )


def _insert_if_open(
    process: Process,
    context: SurveyContext,
    submission: Submission,
    fields: dict[str, dict[str, object]],
    demographics: dict[str, str],
) -> int | None:
    with transaction.atomic():
        if not Process.objects.filter(pk=process.pk, state=ProcessState.OPEN).exists():
            return None
        return _insert(process, context, submission, fields, demographics).pk


def _insert_in_one_statement(
    process: Process,
    context: SurveyContext,
    submission: Submission,
    fields: dict[str, dict[str, object]],
    demographics: dict[str, str],
) -> int | None:
    """`_insert` as one PostgreSQL statement, written only if the survey is open at that moment.

    Submissions are the hot path of a survey (see benchmarks/listening_load.py): one round trip
    instead of six, planned once per connection rather than on every submission, keeps a full
    submission near the cost of inserting one row. Returns None if
    the survey is not open. Keep the columns in step with the three models; the listening tests
    run this path on PostgreSQL.
    """
    now = timezone.now()
    keys = list(fields)
    row = participant_row(process=process, identity=submission.identity, demographics=demographics)
    parameters: dict[str, Any] = {
        "process": process.pk,
        "open": ProcessState.OPEN.value,
        "pseudonym": row["pseudonym"],
        "channel": row["channel"],
        "demographics": json.dumps(row["demographics"]),
        "verified": row["verified"],
        "now": now,
        "instrument": context.instrument.pk,
        "language": submission.language if submission.language in LANGUAGES else "en",
        "area": context.area_ids.get(submission.area_code) if submission.area_code else None,
        "client_id": submission.client_id,
        "position": len(context.questions) + 1,
        # One JSON parameter for all answers: cheaper to send than five quoted arrays.
        "answers": json.dumps(
            [{"question": context.questions[key].pk, **fields[key]} for key in keys]
        ),
    }
    # On its own the statement is atomic; inside a caller's transaction it needs a savepoint so
    # that a duplicate id leaves that transaction usable.
    savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with savepoint, planned_once_cursor() as cursor:
        cursor.execute(_ONE_STATEMENT_INSERT, parameters)
        row = cursor.fetchone()
    return int(row[0]) if row else None


# Table names come from the models; every value is a parameter, bound on the server.
_ONE_STATEMENT_INSERT = f"""
WITH open_survey AS (
    SELECT id FROM {Process._meta.db_table} WHERE id = %(process)s AND state = %(open)s
), new_participant AS (
    INSERT INTO {Participant._meta.db_table} (process_id, pseudonym, channel, demographics,
        verified, joined_at)
    SELECT id, %(pseudonym)s, %(channel)s, %(demographics)s::jsonb, %(verified)s, %(now)s
    FROM open_survey
    RETURNING id
), new_response AS (
    INSERT INTO {Response._meta.db_table} (process_id, instrument_id, participant_id, channel,
        language, area_id, client_id, position, started_at, completed_at, abandoned, seal_id)
    SELECT %(process)s, %(instrument)s, id, %(channel)s, %(language)s, %(area)s::bigint,
        %(client_id)s, %(position)s, %(now)s, %(now)s, false, NULL FROM new_participant
    RETURNING id
), new_answers AS (
    INSERT INTO {Answer._meta.db_table} (response_id, question_id, choices, number, text,
        skipped, answered_at)
    SELECT new_response.id, given.question, given.choices, given.number, given.text,
        given.skipped, %(now)s
    FROM new_response, jsonb_to_recordset(%(answers)s::jsonb)
        AS given(question bigint, choices jsonb, number smallint, text text, skipped boolean)
)
SELECT id FROM new_response
"""  # noqa: S608


def responses_import(
    *, user: User | AnonymousUser, process: Process, submissions: Sequence[Submission]
) -> int:
    """Store responses collected elsewhere in one go, recorded as one audit event.

    All or nothing: one invalid submission (or an id already stored) stores none of them.
    """
    role = require(user, Action.ENTER_PAPER_FORMS, process.jurisdiction)
    context = survey_context(process)
    validated = [(s, *_validated(process, context, s)) for s in submissions]
    try:
        with transaction.atomic():
            for submission, fields, cleaned in validated:
                _insert(process, context, submission, fields, cleaned)
            audit_event_record(
                jurisdiction=process.jurisdiction,
                actor=Actor.for_user(user, role),
                action=RESPONSES_IMPORTED,
                target=process,
                payload={
                    "count": len(validated),
                    "channels": dict(
                        sorted(Counter(s.identity.channel for s in submissions).items())
                    ),
                    "version": context.instrument.version,
                },
            )
    except IntegrityError as error:
        raise InvalidInputError(
            _("Some of these responses were already stored; nothing was imported.")
        ) from error
    return len(validated)


# --- Sealing -----------------------------------------------------------------------------------


def responses_seal(*, process: Process) -> ResponseSeal | None:
    """Seal every sent, not yet sealed response of the survey with one audit event.

    The event carries the count and a digest over the sealed responses' full content (see
    `selectors.seal_records`), so anyone re-running `cpps survey verify-seals` can tell whether a
    sealed answer was altered, added or removed. Returns None when there was nothing to seal.
    """
    with transaction.atomic():
        # One sealer per survey at a time; submissions never take this lock.
        Process.objects.select_for_update().filter(pk=process.pk).first()
        pending = list(
            Response.objects.filter(process=process, seal__isnull=True, completed_at__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not pending:
            return None
        previous = ResponseSeal.objects.filter(process=process).aggregate(last=Max("sequence"))
        records = seal_records(pending)
        seal = ResponseSeal.objects.create(
            process=process,
            sequence=(previous["last"] or 0) + 1,
            sealed_at=timezone.now(),
            count=len(pending),
            digest=batch_digest(records),
        )
        Response.objects.filter(pk__in=pending).update(seal=seal)
        # The results' counts hold exactly the sealed answers: folded in the same transaction.
        tally_fold(process=process, seal=seal, records=records)
        seal.audit_event = audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=SYSTEM,
            action=RESPONSES_SEALED,
            target=process,
            payload={"seal": seal.sequence, "count": seal.count, "digest": seal.digest},
        )
        seal.save(update_fields=["audit_event"])
    return seal


def responses_seal_pending() -> int:
    """Seal the pending responses of every survey that has any; return how many were sealed."""
    process_ids = (
        Response.objects.filter(seal__isnull=True, completed_at__isnull=False)
        .values_list("process_id", flat=True)
        .distinct()
    )
    sealed = 0
    for process in Process.objects.filter(pk__in=list(process_ids)).select_related("jurisdiction"):
        seal = responses_seal(process=process)
        sealed += seal.count if seal is not None else 0
    return sealed
