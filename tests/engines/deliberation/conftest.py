"""Shared fixtures: the real Polis conversations in the repository's data/polis."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpps.engines.deliberation import PolisExport, read_polis_export

POLIS_DATA = Path(__file__).resolve().parents[3] / "data" / "polis"
CONVERSATIONS = sorted(p.name for p in POLIS_DATA.iterdir() if (p / "votes.csv").is_file())


@pytest.fixture(scope="session", params=CONVERSATIONS)
def polis_export(request: pytest.FixtureRequest) -> tuple[str, PolisExport]:
    """Each shared conversation, read once per session."""
    name = str(request.param)
    return name, read_polis_export(POLIS_DATA / name)
