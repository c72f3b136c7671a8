"""Fixtures for survey tests: an open survey on the standard module, and helpers to fill it."""

from __future__ import annotations

import pytest

from cpps.listening.services import (
    instrument_draft_create,
    instrument_publish,
    instrument_standard_module_add,
)
from cpps.processes.models import ProcessState
from cpps.processes.services import process_create, process_transition


@pytest.fixture
def survey(chicago, accounts):
    """An open survey of districts 7, 8 and 9 with the standard questions published as v1."""
    facilitator = accounts["facilitator"]
    process = process_create(
        user=facilitator,
        jurisdiction=chicago,
        kind="survey",
        title="Feeling safe on the South Side",
        purpose="How safe do you feel, and do the police listen?",
        area_codes=["7", "8", "9"],
    )
    draft = instrument_draft_create(user=facilitator, process=process)
    instrument_standard_module_add(user=facilitator, instrument=draft)
    instrument_publish(user=facilitator, instrument=draft)
    process_transition(user=facilitator, process=process, to_state=ProcessState.OPEN)
    return process
