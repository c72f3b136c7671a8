"""Every real Polis conversation in data/polis/ imported into the product gives the engine's own
analysis of the same files, and the product's export of it, imported again, gives it once more."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from cpps.deliberation import adapters, interchange, services
from cpps.deliberation.models import Analysis
from cpps.engines import deliberation as engine
from cpps.processes.models import Process
from cpps.processes.services import process_create

pytestmark = pytest.mark.django_db

POLIS = Path(__file__).resolve().parents[2] / "data" / "polis"
CONVERSATIONS = sorted(path.name for path in POLIS.iterdir() if (path / "comments.csv").exists())


def files_of(directory: Path) -> dict[str, bytes]:
    return {
        name: (directory / name).read_bytes()
        for name in interchange.POLIS_FILES
        if (directory / name).exists()
    }


def empty_conversation(chicago, accounts, title: str) -> Process:
    process = process_create(
        user=accounts["facilitator"],
        jurisdiction=chicago,
        kind="deliberation",
        title=title,
        purpose="An imported Polis conversation.",
    )
    services.conversation_set_up(user=accounts["facilitator"], process=process, topic=title)
    return process


def what_pages_show(summary: dict[str, Any]) -> dict[str, Any]:
    """The groups, their sizes and representative statements, consensus and bridging: what a
    resident reads (the weighted view is left out: imported voters carry no demographics)."""
    return {
        "participants": summary["participants"],
        "participants_in": summary["participants_in"],
        "statements": sorted(summary["statements"]),
        "groups": sorted(
            (
                group["size"],
                [(r["statement"], r["direction"]) for r in group["representative"]],
            )
            for group in summary["groups"]
        ),
        "consensus": {
            side: [c["statement"] for c in entries]
            for side, entries in summary["consensus"].items()
        },
        "bridging": [entry["statement"] for entry in summary["bridging"]],
    }


def analysed(process: Process) -> Analysis:
    stored = services.analysis_run(process_id=process.pk)
    assert stored is not None
    return stored


def test_the_data_holds_every_conversation_it_lists():
    assert len(CONVERSATIONS) >= 5


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_an_imported_conversation_is_analysed_as_the_engine_analyses_its_files(
    name, chicago, accounts
):
    files = files_of(POLIS / name)
    process = empty_conversation(chicago, accounts, name)
    statements, votes = interchange.polis_import_files(
        user=accounts["facilitator"], process=process, files=files
    )
    export = engine.read_polis_files(files)
    assert statements == len(export.conversation.statements)
    assert votes > 0

    stored = analysed(process)
    direct = adapters.summary_of(process, engine.analyze_conversation(export.conversation))
    assert what_pages_show(stored.summary) == what_pages_show(direct)
    assert stored.summary["groups"], name

    archive = zipfile.ZipFile(io.BytesIO(interchange.polis_export_zip(process=process)))
    again = empty_conversation(chicago, accounts, f"{name} again")
    interchange.polis_import_files(
        user=accounts["facilitator"],
        process=again,
        files={
            member: archive.read(member)
            for member in archive.namelist()
            if member in interchange.POLIS_FILES
        },
    )
    assert what_pages_show(analysed(again).summary) == what_pages_show(stored.summary)
