"""Paper survey forms: what a keyed form's values mean for a survey (the double entry itself is
shared, in `cpps.participation.paper`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cpps.listening import services
from cpps.listening.audit_actions import PAPER_KEYED, PAPER_RESOLVED
from cpps.participation import paper
from cpps.participation.identities import Identity
from cpps.processes.models import Process

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cpps.accounts.models import User

KEYED, RESOLVED = PAPER_KEYED, PAPER_RESOLVED


def _store_survey_form(process: Process) -> paper.StoreForm:
    """Store a form's agreed values as the survey response of that form number."""

    def store(code: str, values: paper.EntryValues) -> None:
        answers = {
            name.removeprefix("q_"): list(given)
            for name, given in values.items()
            if name.startswith("q_")
        }
        about = {
            name.removeprefix("about_"): given[0]
            for name, given in values.items()
            if name.startswith("about_") and given
        }
        area = about.pop("area", "")
        services.response_submit(
            process=process,
            client_id=f"paper:{code}",
            identity=Identity.paper_form(code),
            language="en",
            answers=answers,
            area_code=area,
            demographics=about,
        )

    return store


def paper_entry_record(
    *, user: User | AnonymousUser, process: Process, form_code: str, values: paper.EntryValues
) -> paper.EntryOutcome:
    """Keep one person's keying of a survey form; two matching entries store the response."""
    return paper.paper_entry_record(
        user=user,
        process=process,
        form_code=form_code,
        values=values,
        store=_store_survey_form(process),
        action=KEYED,
    )


def paper_entry_resolve(
    *, user: User | AnonymousUser, process: Process, form_code: str, values: paper.EntryValues
) -> None:
    """Store a survey form whose two entries differ, with the values read on the paper."""
    paper.paper_entry_resolve(
        user=user,
        process=process,
        form_code=form_code,
        values=values,
        store=_store_survey_form(process),
        action=RESOLVED,
    )
