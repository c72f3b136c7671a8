"""A fresh conversation, set up by a facilitator with seed statements and opened."""

from __future__ import annotations

import pytest

from cpps.deliberation.services import conversation_set_up
from cpps.processes.services import process_create, process_transition

SEEDS = (
    "The bus stop on my corner needs a light.",
    "Officers should live in the district they police.",
    "Block parties make the street safer.",
    "There should be a phone number for crises that is not the police.",
    "Schools need more counsellors, not more guards.",
    "Abandoned buildings should be secured within a week.",
    "Neighbours should meet the district commander every month.",
    "Speed bumps on residential streets save lives.",
)


@pytest.fixture
def conversation(chicago, accounts):
    facilitator = accounts["facilitator"]
    process = process_create(
        user=facilitator,
        jurisdiction=chicago,
        kind="deliberation",
        title="Safety on our block",
        purpose="What would make the block safer?",
        area_codes=["7", "8"],
    )
    conversation_set_up(
        user=facilitator,
        process=process,
        topic="What would make your block safer?",
        framing="Say it in a sentence; vote on your neighbours' statements.",
        seeds=SEEDS,
    )
    process_transition(user=facilitator, process=process, to_state="open")
    return process
