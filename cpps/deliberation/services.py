"""Writes for conversations: convening and seeding them (community roles), residents' statements
and votes (no account), moderation (community moderators), paper ballots, and Polis imports.

Resident-written text never enters the public audit log: events carry statement numbers, counts
and a digest of the text, so the log stays publishable and the digest shows a statement was not
changed after it was moderated.
"""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cpps.accounts.policy import Action, require
from cpps.audit.services import Actor, audit_event_record, text_digest
from cpps.common.db import binary_row, planned_once_cursor
from cpps.common.errors import InvalidInputError, InvalidTransitionError
from cpps.common.memo import BriefMemo
from cpps.deliberation import adapters
from cpps.deliberation.audit_actions import (
    CONVERSATION_CHANGED,
    CONVERSATION_IMPORTED,
    CONVERSATION_SET_UP,
    STATEMENT_SUBMITTED,
    STATEMENTS_MODERATED,
)
from cpps.deliberation.models import (
    DELIBERATION_KIND,
    Analysis,
    AnalysisState,
    AnalysisStatus,
    BallotEntry,
    Deliberation,
    ModerationMode,
    Statement,
    StatementFlag,
    StatementState,
    Vote,
    VoteValue,
)
from cpps.engines import deliberation as engine
from cpps.participation.identities import Identity, IdentityKind
from cpps.participation.models import Channel, Participant
from cpps.participation.paper import EntryValues, form_code_new
from cpps.participation.services import participant_for
from cpps.processes.models import Process, ProcessState

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User

RESIDENT = Actor(ref="resident", role="resident")
MIN_STATEMENT_LENGTH = 8
MAX_STATEMENT_LENGTH = 1000
MAX_SEEDS = 200
MAX_BALLOT_STATEMENTS = 40
FLAG_REASONS = ("off_topic", "personal", "hateful", "spam", "duplicate")
OPEN_STATES = {ProcessState.DRAFT, ProcessState.OPEN}


def _require_conversation(process: Process) -> Deliberation:
    if process.kind != DELIBERATION_KIND:
        raise InvalidInputError(_("This process is not a conversation."))
    deliberation = Deliberation.objects.filter(pk=process.pk).first()
    if deliberation is None:
        raise InvalidTransitionError(
            _("This conversation has not been set up yet: its organisers are writing its topic.")
        )
    return deliberation


def normalised_text(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: two statements that say the same
    words in the same order are duplicates."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w\s]", " ", plain).split())


def _digest(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def _clean_statement(deliberation: Deliberation, text: str) -> tuple[str, str]:
    cleaned = " ".join(text.split())
    if len(cleaned) < MIN_STATEMENT_LENGTH:
        raise InvalidInputError(_("Write your statement in a full sentence."))
    limit = min(deliberation.statement_max_length, MAX_STATEMENT_LENGTH)
    if len(cleaned) > limit:
        raise InvalidInputError(
            _("Keep the statement to %(max)s characters (it has %(count)s).")
            % {"max": limit, "count": len(cleaned)}
        )
    normalised = normalised_text(cleaned)
    if not normalised:
        raise InvalidInputError(_("Write your statement in a full sentence."))
    return cleaned, normalised


def _new_statement(
    deliberation: Deliberation,
    *,
    text: str,
    language: str,
    state: str,
    author: Participant | None = None,
    seed: bool = False,
    channel: str = Channel.WEB,
) -> Statement:
    """Number and store a statement (inside the caller's transaction), refusing duplicates."""
    cleaned, normalised = _clean_statement(deliberation, text)
    digest = _digest(normalised)
    if Statement.objects.filter(process_id=deliberation.process_id, digest=digest).exists():
        raise InvalidInputError(
            _("Someone has already written this statement. Vote on it instead.")
        )
    Deliberation.objects.filter(pk=deliberation.pk).update(next_number=F("next_number") + 1)
    number = Deliberation.objects.values_list("next_number", flat=True).get(pk=deliberation.pk)
    try:
        with transaction.atomic():
            return Statement.objects.create(
                process_id=deliberation.process_id,
                number=number,
                text=cleaned,
                language=language[:8] or "en",
                normalised=normalised[:1000],
                digest=digest,
                author=author,
                seed=seed,
                channel=channel,
                state=state,
                moderated_at=timezone.now() if state == StatementState.ACCEPTED else None,
            )
    except IntegrityError as error:
        raise InvalidInputError(
            _("Someone has already written this statement. Vote on it instead.")
        ) from error


# --- Convening ---------------------------------------------------------------------------------


def conversation_set_up(
    *,
    user: User | AnonymousUser,
    process: Process,
    topic: str,
    framing: str = "",
    moderation: str = ModerationMode.PRE,
    statement_max_length: int = 280,
    seeds: Iterable[str] = (),
) -> Deliberation:
    """Write (or change) a conversation's topic, framing and moderation, and add seed
    statements (community roles only, before it closes). Seeds are accepted at once."""
    role = require(user, Action.SET_AGENDA, process.jurisdiction)
    if process.kind != DELIBERATION_KIND:
        raise InvalidInputError(_("This process is not a conversation."))
    if process.state not in OPEN_STATES:
        raise InvalidTransitionError(_("A closed conversation can no longer change."))
    if not topic.strip():
        raise InvalidInputError(_("Write the question residents are asked to respond to."))
    if moderation not in ModerationMode.values:
        raise InvalidInputError(_("Choose how statements are moderated."))
    if not 40 <= statement_max_length <= MAX_STATEMENT_LENGTH:
        raise InvalidInputError(
            _("A statement may be from 40 to %(max)s characters long.")
            % {"max": MAX_STATEMENT_LENGTH}
        )
    texts = [seed for seed in (s.strip() for s in seeds) if seed]
    if len(texts) > MAX_SEEDS:
        raise InvalidInputError(
            _("Add at most %(max)s seed statements at a time.") % {"max": MAX_SEEDS}
        )
    with transaction.atomic():
        deliberation, created = Deliberation.objects.update_or_create(
            process=process,
            defaults={
                "topic": topic.strip()[:300],
                "framing": framing.strip(),
                "moderation": moderation,
                "statement_max_length": statement_max_length,
            },
        )
        numbers = [
            _new_statement(
                deliberation,
                text=text,
                language=(process.languages or ["en"])[0],
                state=StatementState.ACCEPTED,
                seed=True,
            ).number
            for text in texts
        ]
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action=CONVERSATION_SET_UP if created else CONVERSATION_CHANGED,
            target=process,
            # Organisers' own words are public; seeds are listed by number (their text is on
            # the conversation's page).
            payload={"topic": deliberation.topic, "moderation": moderation, "seeds": numbers},
        )
    return deliberation


# --- Taking part -------------------------------------------------------------------------------


def _open_conversation(process: Process) -> Deliberation:
    deliberation = _require_conversation(process)
    if process.state != ProcessState.OPEN:
        raise InvalidTransitionError(_("This conversation is not open right now."))
    return deliberation


def statement_submit(
    *, participant: Participant, text: str, language: str = "en", channel: str = Channel.WEB
) -> Statement:
    """A resident adds a statement: shown after moderation (pre-moderated conversations) or at
    once (post-moderated), never twice."""
    process = participant.process
    deliberation = _open_conversation(process)
    state = (
        StatementState.ACCEPTED
        if deliberation.moderation == ModerationMode.POST
        else StatementState.PENDING
    )
    with transaction.atomic():
        statement = _new_statement(
            deliberation,
            text=text,
            language=language,
            state=state,
            author=participant,
            channel=channel,
        )
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=RESIDENT,
            action=STATEMENT_SUBMITTED,
            target=process,
            payload={
                "statement": statement.number,
                "state": state,
                "text_digest": text_digest(statement.text),
            },
        )
    return statement


def _vote_value(value: int | str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as error:
        raise InvalidInputError(_("Choose agree, disagree or pass.")) from error
    if number not in VoteValue.values:
        raise InvalidInputError(_("Choose agree, disagree or pass."))
    return number


_VOTE_INSERT = f"""
INSERT INTO {Vote._meta.db_table} (process_id, statement_id, participant_id, value, channel,
    cast_at, client_id)
SELECT s.process_id, s.id, pp.id, %(value)s, %(channel)s, %(now)s, %(client)s
FROM {Statement._meta.db_table} s
    JOIN {Process._meta.db_table} p ON p.id = s.process_id
    JOIN {Participant._meta.db_table} pp ON pp.id = %(participant)s AND pp.process_id = p.id
WHERE s.{{statement_column}} = %(statement)s AND s.process_id = %(process)s
    AND s.state = %(accepted)s AND p.state = %(open)s
ON CONFLICT (process_id, client_id) DO NOTHING
RETURNING id
"""  # noqa: S608 - table and column names come from the models; every value is a parameter
# A vote names its statement by id (text messages, paper) or by its number in the conversation
# (the voting page's form), so the web's hot path needs no query to find the statement first.
_VOTE_INSERTS = {
    column: _VOTE_INSERT.replace("{statement_column}", column) for column in ("id", "number")
}


def vote_cast(
    *,
    participant_id: int,
    process_id: int,
    value: int | str,
    statement_id: int | None = None,
    statement_number: int | None = None,
    channel: str = Channel.WEB,
    client_id: str | None = None,
) -> bool:
    """Record a resident's vote on a statement (a changed vote is a new one: the latest counts).

    The statement is named by ``statement_id`` or by ``statement_number`` (its number in the
    conversation). The participant must take part in this conversation, the statement be in it
    and the conversation be open, all decided by the database in the one statement that writes
    the vote (the voting page's hot path). With ``client_id`` a resent vote is stored once.
    Returns whether a vote was stored (False: the same ``client_id`` was stored before).

    Raises:
        InvalidInputError: not agree, disagree or pass; or the statement is not in the
            conversation, the conversation not open, or the participant not part of it.
    """
    if (statement_id is None) == (statement_number is None):
        raise ValueError("name the statement by its id or by its number, not both")
    number = _vote_value(value)
    column = "id" if statement_id is not None else "number"
    parameters: dict[str, Any] = {
        "participant": participant_id,
        "value": number,
        "channel": channel,
        "now": timezone.now(),
        "client": client_id,
        "statement": statement_id if statement_id is not None else statement_number,
        "process": process_id,
        "accepted": StatementState.ACCEPTED.value,
        "open": ProcessState.OPEN.value,
    }
    if connection.vendor == "postgresql":
        # The hot path of a conversation: one statement, planned once per connection.
        with planned_once_cursor() as cursor:
            cursor.execute(
                _VOTE_INSERTS[column].replace("%(client)s", "%(client)s::text"), parameters
            )
            stored = cursor.fetchone() is not None
    else:
        with connection.cursor() as cursor:
            parameters["now"] = connection.ops.adapt_datetimefield_value(parameters["now"])
            cursor.execute(_VOTE_INSERTS[column], parameters)
            stored = cursor.fetchone() is not None
    if stored:
        return True
    if client_id and Vote.objects.filter(process_id=process_id, client_id=client_id).exists():
        return False
    raise InvalidInputError(
        _(
            "This statement is not open for votes (it may have been taken out, or the "
            "conversation closed)."
        )
    )


def statement_flag(*, participant: Participant, statement: Statement, reason: str) -> bool:
    """A resident asks moderators to look at a statement; once per person. Returns whether
    the flag was new."""
    if reason not in FLAG_REASONS:
        raise InvalidInputError(_("Say why the statement should be looked at."))
    if statement.process_id != participant.process_id:
        raise InvalidInputError(_("This statement is not part of this conversation."))
    with transaction.atomic():
        _flag, created = StatementFlag.objects.get_or_create(
            statement=statement, participant=participant, defaults={"reason": reason}
        )
        if created:
            Statement.objects.filter(pk=statement.pk).update(flags=F("flags") + 1)
    return created


# --- Moderation --------------------------------------------------------------------------------


def statements_moderate(
    *,
    user: User | AnonymousUser,
    process: Process,
    numbers: Sequence[int],
    accept: bool,
    reason: str = "",
) -> int:
    """Take statements into the conversation, or out of it with a public reason (community
    moderators only). The reason is published; the text of a statement taken out never is.
    Returns how many statements changed."""
    role = require(user, Action.MODERATE, process.jurisdiction)
    _require_conversation(process)
    if not numbers:
        raise InvalidInputError(_("Choose at least one statement."))
    reason = " ".join(reason.split())[:300]
    if not accept and not reason:
        raise InvalidInputError(
            _("Say briefly why these statements are taken out; residents can read it.")
        )
    target = StatementState.ACCEPTED if accept else StatementState.REJECTED
    with transaction.atomic():
        statements = list(
            Statement.objects.select_for_update()
            .filter(process=process, number__in=list(numbers))
            .exclude(state=target)
            .order_by("number")
        )
        if not statements:
            return 0
        Statement.objects.filter(pk__in=[s.pk for s in statements]).update(
            state=target,
            moderation_reason="" if accept else reason,
            moderated_at=timezone.now(),
        )
        # Taking a statement out (or back in) changes what the analysis may use: start afresh.
        AnalysisState.objects.filter(process=process).delete()
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action=STATEMENTS_MODERATED,
            target=process,
            payload={
                "statements": [s.number for s in statements],
                "state": target,
                "reason": "" if accept else reason,
                "text_digests": [text_digest(s.text) for s in statements],
            },
        )
    return len(statements)


# --- Paper ballots -----------------------------------------------------------------------------


def ballots_issue(
    *, user: User | AnonymousUser, process: Process, count: int
) -> tuple[list[Statement], list[str]]:
    """Number ``count`` printable ballots carrying the conversation's current statements (up to
    MAX_BALLOT_STATEMENTS, the most recent seeds first); return the statements and the codes."""
    require(user, Action.ENTER_PAPER_FORMS, process.jurisdiction)
    _require_conversation(process)
    if not 1 <= count <= 500:
        raise InvalidInputError(_("Print between 1 and %(max)s forms at a time.") % {"max": 500})
    statements = list(
        Statement.objects.filter(process=process, state=StatementState.ACCEPTED).order_by(
            "-seed", "number"
        )[:MAX_BALLOT_STATEMENTS]
    )
    if not statements:
        raise InvalidTransitionError(_("The conversation has no statements to print yet."))
    codes = [form_code_new() for _ in range(count)]
    numbers = [s.number for s in statements]
    BallotEntry.objects.bulk_create(
        BallotEntry(
            process=process,
            form_code=code,
            statements=numbers,
            printed_by=user if user.is_authenticated else None,
        )
        for code in codes
    )
    return statements, codes


def ballot_store(process: Process, code: str, values: EntryValues) -> None:
    """Store a keyed ballot's votes (and its new statement, if any) under the ballot's number:
    one participant per ballot. Values: ``s_<number>`` = agree / disagree / pass."""
    ballot = BallotEntry.objects.filter(process=process, form_code=code).first()
    if ballot is None:
        raise InvalidInputError(_("This form number was not printed for this conversation."))
    participant = participant_for(process=process, identity=Identity.paper_form(code))
    by_number = dict(
        Statement.objects.filter(process=process, number__in=ballot.statements).values_list(
            "number", "pk"
        )
    )
    for name, given in values.items():
        if not name.startswith("s_") or not given:
            continue
        number = int(name.removeprefix("s_"))
        if number in by_number:
            vote_cast(
                participant_id=participant.pk,
                process_id=process.pk,
                statement_id=by_number[number],
                value=PAPER_VALUES[given[0]],
                channel=Channel.PAPER,
                client_id=f"paper:{code}:{number}",
            )
    written = " ".join(values.get("new_statement", []))
    if written.strip():
        statement_submit(participant=participant, text=written, channel=Channel.PAPER)


PAPER_VALUES = {"agree": VoteValue.AGREE, "disagree": VoteValue.DISAGREE, "pass": VoteValue.PASS}


# --- Importing a Polis conversation ------------------------------------------------------------


def polis_import(
    *,
    user: User | AnonymousUser,
    process: Process,
    statements: Sequence[tuple[int, str, int]],
    votes: Sequence[tuple[str, int, int, int]],
) -> tuple[int, int]:
    """Load a Polis conversation into an empty conversation (community roles only): statements
    as (comment id, text, moderated 1/0/-1), votes as (voter id, comment id, value, timestamp
    ms). All or nothing; returns (statements, votes) loaded."""
    role = require(user, Action.SET_AGENDA, process.jurisdiction)
    deliberation = _require_conversation(process)
    if Statement.objects.filter(process=process).exists():
        raise InvalidTransitionError(
            _("This conversation already has statements; import into a new one.")
        )
    known = {number for number, _text, _moderated in statements}
    unknown = sorted({comment for _voter, comment, _value, _time in votes} - known)
    if unknown:
        raise InvalidInputError(
            _("Votes name comments that are not in the conversation: %(ids)s.")
            % {"ids": ", ".join(map(str, unknown[:10]))}
        )
    states = {1: StatementState.ACCEPTED, 0: StatementState.PENDING, -1: StatementState.REJECTED}
    with transaction.atomic():
        made = {}
        for number, text, moderated in sorted(statements):
            normalised = normalised_text(text) or f"statement {number}"
            made[number] = Statement.objects.create(
                process=process,
                number=number,
                text=" ".join(text.split())[:MAX_STATEMENT_LENGTH] or "—",
                language=(process.languages or ["en"])[0],
                normalised=normalised[:1000],
                digest=_digest(f"{normalised}\x1f{number}"),
                state=states.get(moderated, StatementState.PENDING),
                moderated_at=timezone.now(),
            ).pk
        top = max(made, default=0)
        Deliberation.objects.filter(pk=deliberation.pk).update(next_number=top)
        voters = {voter for voter, _comment, _value, _time in votes}
        participants = {
            voter: participant_for(
                process=process,
                identity=Identity(IdentityKind.IMPORTED, f"polis:{voter}", Channel.WEB),
            ).pk
            for voter in sorted(voters)
        }
        epoch = timezone.now()
        Vote.objects.bulk_create(
            (
                Vote(
                    process=process,
                    statement_id=made[comment],
                    participant_id=participants[voter],
                    value=_vote_value(value),
                    channel=Channel.WEB,
                    cast_at=datetime.fromtimestamp(stamp / 1000, tz=UTC) if stamp else epoch,
                )
                for voter, comment, value, stamp in votes
            ),
            batch_size=5000,
        )
        audit_event_record(
            jurisdiction=process.jurisdiction,
            actor=Actor.for_user(user, role),
            action=CONVERSATION_IMPORTED,
            target=process,
            payload={"statements": len(made), "votes": len(votes), "participants": len(voters)},
        )
    return len(made), len(votes)


# --- Analysis ----------------------------------------------------------------------------------

# A run longer than this is taken to have died with its worker; the next request starts anew.
ANALYSIS_TIME_LIMIT = timedelta(minutes=20)
_DUE_CHECKS: BriefMemo[bool] = BriefMemo(seconds=5.0)


def analysis_request(*, process_id: int) -> bool:
    """Queue an analysis unless one is queued or running; say whether one was queued. The task
    is sent once the transaction commits."""
    from cpps.deliberation.tasks import analyse  # noqa: PLC0415 - the task imports this module

    claimed = Deliberation.objects.filter(
        pk=process_id,
        analysis_status__in=[AnalysisStatus.IDLE, AnalysisStatus.FAILED],
    ).update(analysis_status=AnalysisStatus.QUEUED, analysis_progress=0.0, analysis_stage="")
    if claimed:
        transaction.on_commit(lambda: _send(analyse, process_id))
    return bool(claimed)


def _send(task: Any, process_id: int) -> None:
    try:
        task.delay(process_id)
    except Exception as error:
        Deliberation.objects.filter(pk=process_id, analysis_status=AnalysisStatus.QUEUED).update(
            analysis_status=AnalysisStatus.FAILED,
            analysis_error=_("The analysis could not be started (%(error)s); try again.")
            % {"error": type(error).__name__},
        )


def analysis_request_if_due(*, process_id: int) -> bool:
    """Queue an analysis when enough new votes arrived, or some did and enough time passed
    (checked at most every few seconds per process, so a vote rarely pays for it)."""

    def due() -> bool:
        deliberation = Deliberation.objects.filter(pk=process_id).first()
        if deliberation is None or deliberation.analysis_status in {
            AnalysisStatus.QUEUED,
            AnalysisStatus.RUNNING,
        }:
            return False
        latest = (
            Analysis.objects.filter(process_id=process_id)
            .only("last_vote_id", "computed_at")
            .order_by("-computed_at")
            .first()
        )
        after = latest.last_vote_id if latest else 0
        new = Vote.objects.filter(process_id=process_id, pk__gt=after)
        if latest is None:
            return new.exists()
        if new.values("pk")[: deliberation.analyse_after_votes].count() >= (
            deliberation.analyse_after_votes
        ):
            return True
        waited = timezone.now() - latest.computed_at
        return waited.total_seconds() >= deliberation.analyse_after_seconds and new.exists()

    if not _DUE_CHECKS.get(process_id, due):
        return False
    _DUE_CHECKS.forget(process_id)
    return analysis_request(process_id=process_id)


def analyses_request_due() -> int:
    """Queue the analyses that are due in every open conversation (Celery beat)."""
    requested = 0
    for process in Process.objects.filter(kind=DELIBERATION_KIND, state=ProcessState.OPEN):
        requested += analysis_request_if_due(process_id=process.pk)
    return requested


def analyses_stuck_release() -> int:
    """Return runs that outlived the time limit (their worker died) to a state the organisers
    can retry, with a message; return how many (a watchdog, see `cpps.common.watchdog`)."""
    cutoff = timezone.now() - ANALYSIS_TIME_LIMIT
    return Deliberation.objects.filter(
        analysis_status=AnalysisStatus.RUNNING, analysis_started_at__lt=cutoff
    ).update(
        analysis_status=AnalysisStatus.FAILED,
        analysis_error=_("The analysis stopped before it finished; it will run again."),
    )


def analysis_run(*, process_id: int) -> Analysis | None:
    """Analyse a conversation: an update of the previous analysis with the votes since, or
    afresh when there is none (or statements were moderated since). Returns the stored
    analysis, or None when another run holds it or too few people voted yet."""
    now = timezone.now()
    claimed = Deliberation.objects.filter(
        pk=process_id,
        analysis_status__in=[AnalysisStatus.QUEUED, AnalysisStatus.IDLE, AnalysisStatus.FAILED],
    ).update(
        analysis_status=AnalysisStatus.RUNNING,
        analysis_started_at=now,
        analysis_error="",
        analysis_progress=0.0,
    )
    if not claimed:
        return None
    process = Process.objects.select_related("jurisdiction").get(pk=process_id)
    try:
        stored = _analyse(process)
    except engine.NotEnoughVotesError:
        _finish(process_id, AnalysisStatus.IDLE, "")
        return None
    except Exception as error:
        _finish(process_id, AnalysisStatus.FAILED, str(error)[:500])
        raise
    _finish(process_id, AnalysisStatus.IDLE, "")
    return stored


def _finish(process_id: int, status: str, error: str) -> None:
    Deliberation.objects.filter(pk=process_id).update(
        analysis_status=status, analysis_error=error, analysis_progress=1.0 if not error else 0.0
    )


def _progress(process_id: int) -> engine.ProgressCallback:
    def report(stage: str, fraction: float) -> None:
        Deliberation.objects.filter(pk=process_id).update(
            analysis_stage=stage[:40], analysis_progress=fraction
        )

    return report


@dataclass(frozen=True)
class _KeptState:
    """The stored engine state and the analysis it belongs to."""

    last_vote_id: int
    votes: int
    data: bytes | memoryview


_STATE_READ = f"""
SELECT a.last_vote_id, a.votes, k.data FROM {AnalysisState._meta.db_table} k
JOIN {Analysis._meta.db_table} a ON a.id = k.analysis_id WHERE k.process_id = %s
"""  # noqa: S608 - table names come from the models
_STATE_WRITE = f"""
INSERT INTO {AnalysisState._meta.db_table} (process_id, analysis_id, data) VALUES (%s, %s, %s)
ON CONFLICT (process_id) DO UPDATE SET analysis_id = EXCLUDED.analysis_id, data = EXCLUDED.data
"""  # noqa: S608 - table names come from the models


def _state_read(process: Process) -> _KeptState | None:
    """The kept engine state (on PostgreSQL read in binary: it can be tens of megabytes)."""
    if connection.vendor == "postgresql":
        row = binary_row(_STATE_READ, [process.pk])
        return None if row is None else _KeptState(int(row[0]), int(row[1]), row[2])
    kept = AnalysisState.objects.filter(process=process).select_related("analysis").first()
    if kept is None:
        return None
    return _KeptState(kept.analysis.last_vote_id, kept.analysis.votes, kept.data)


def _state_write(process: Process, analysis: Analysis, data: bytes) -> None:
    """Keep the engine state for the next update (on PostgreSQL sent as a binary parameter:
    Django would write it into the statement as hex text)."""
    if connection.vendor == "postgresql":
        with planned_once_cursor() as cursor:
            cursor.execute(_STATE_WRITE, [process.pk, analysis.pk, data])
        return
    AnalysisState.objects.update_or_create(
        process=process, defaults={"analysis": analysis, "data": data}
    )


def _analyse(process: Process) -> Analysis:
    started = time.monotonic()
    kept = _state_read(process)
    previous = adapters.state_load(kept.data) if kept is not None else None
    statements = adapters.engine_statements(process)
    progress = _progress(process.pk)
    if previous is not None and kept is not None:
        fetched = adapters.votes_fetch(process=process, after=kept.last_vote_id)
        # The engine takes in only the statements it has not seen.
        result = engine.update_analysis(previous, fetched.table, statements, progress=progress)
        votes = kept.votes + len(fetched.table)
    else:
        fetched = adapters.votes_fetch(process=process)
        result = engine.analyze_conversation(
            engine.Conversation(statements, fetched.table), progress=progress
        )
        votes = len(fetched.table)
    summary = adapters.summary_of(process, result)
    with transaction.atomic():
        stored = Analysis.objects.create(
            process=process,
            computed_at=timezone.now(),
            last_vote_id=fetched.last_id,
            votes=votes,
            participants=len(result.participants),
            summary=summary,
            projection=adapters.projection_dump(result),
            incremental=previous is not None,
            seconds=time.monotonic() - started,
        )
        _state_write(process, stored, adapters.state_dump(result))
        # Older analyses are kept only as their summaries' history: the newest few suffice.
        old = Analysis.objects.filter(process=process).order_by("-computed_at")[10:]
        Analysis.objects.filter(pk__in=list(old.values_list("pk", flat=True))).delete()
    return stored
