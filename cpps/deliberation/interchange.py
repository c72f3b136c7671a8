"""Polis interchange: a Polis export loaded into a conversation, and any conversation written
as a Polis export (`comments.csv`, `votes.csv`, `participants-votes.csv`, `summary.csv`)."""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from cpps.common.errors import InvalidInputError
from cpps.deliberation import adapters, services
from cpps.deliberation.models import AnalysisState, StatementState
from cpps.deliberation.selectors import latest_analysis, settings_of
from cpps.engines import deliberation as engine
from cpps.processes.models import Process

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User

# The files a conversation is imported from; summary.csv is optional and only describes it.
POLIS_FILES = ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")


def polis_import_files(
    *, user: User | AnonymousUser, process: Process, files: Mapping[str, bytes]
) -> tuple[int, int]:
    """Load uploaded Polis export files into an empty conversation; all or nothing.

    Raises:
        InvalidInputError: a file is missing or malformed (the message names file, row and
            column), or the conversation already has statements.
    """
    unknown = sorted(set(files) - set(POLIS_FILES))
    if unknown:
        raise InvalidInputError(", ".join(unknown))
    try:
        export = engine.read_polis_files(files)
    except engine.DeliberationError as error:
        raise InvalidInputError(str(error)) from error
    conversation = export.conversation
    votes = conversation.votes
    return services.polis_import(
        user=user,
        process=process,
        statements=[(s.id, s.text, s.moderated) for s in conversation.statements],
        votes=list(
            zip(
                (str(p) for p in votes.participants.tolist()),
                (int(s) for s in votes.statements.tolist()),
                (int(v) for v in votes.values.tolist()),
                (int(t) for t in votes.timestamps.tolist()),
                strict=True,
            )
        ),
    )


def polis_export_zip(*, process: Process) -> bytes:
    """The conversation as a zipped Polis export. Voters are numbered for the export (0, 1,
    ...), so its rows cannot be matched with anything else stored here; the group of each voter
    is the latest analysis's. Rows are written as they are made, never held as text."""
    fetched = adapters.votes_fetch(process=process)
    table = fetched.table
    participants = np.asarray(table.participants, dtype=np.int64)
    order, numbered = np.unique(participants, return_inverse=True)
    renumbered = engine.VoteTable(
        numbered.astype(np.int64), table.statements, table.values, table.timestamps
    )
    conversation = engine.Conversation(_without_rejected_text(process), renumbered)
    settings = settings_of(process)
    summary = (
        {"topic": settings.topic, "conversation-description": settings.framing} if settings else {}
    )
    files = engine.polis_export_rows(conversation, _groups_by_voter(process, order), summary)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, rows in files.items():
            with (
                bundle.open(name, "w") as raw,
                io.TextIOWrapper(raw, encoding="utf-8", newline="") as handle,
            ):
                # The one CSV not written by cpps.common.spreadsheets: an exact Polis export
                # for organisers, to re-open in Polis-compatible tools (a text made safe with
                # an apostrophe would no longer round-trip); the open-data catalogue says so.
                csv.writer(handle).writerows(rows)
    return archive.getvalue()


def _without_rejected_text(process: Process) -> tuple[engine.Statement, ...]:
    """The statements as exported: a rejected statement keeps its number, its votes and its
    moderation, never its words (no export republishes what moderators took out)."""
    rejected = adapters.MODERATED[StatementState.REJECTED]
    return tuple(
        dataclasses.replace(statement, text="") if statement.moderated == rejected else statement
        for statement in adapters.engine_statements(process)
    )


def _groups_by_voter(process: Process, participants: np.ndarray) -> dict[engine.ParticipantId, int]:
    """Each exported voter's group from the stored engine state, if the analysis has one."""
    analysis = latest_analysis(process=process)
    if analysis is None:
        return {}
    kept = AnalysisState.objects.filter(process=process).first()
    state = adapters.state_load(bytes(kept.data)) if kept is not None else None
    if state is None:
        return {}
    groups: dict[engine.ParticipantId, int] = {}
    position = {int(pid): index for index, pid in enumerate(participants.tolist())}
    for pid, label in zip(state.participants_in, state.group_labels.tolist(), strict=True):
        if int(pid) in position:
            groups[position[int(pid)]] = int(label)
    return groups
