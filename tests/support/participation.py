"""Participants for tests, made the one way the product makes them."""

from __future__ import annotations

from cpps.participation.identities import Identity, IdentityKind
from cpps.participation.models import Participant
from cpps.participation.services import participant_for
from cpps.processes.models import Process


def participant(process: Process, value: str, channel: str = "web") -> Participant:
    """The participant behind a web session (or, by ``channel``, a phone) called ``value``."""
    kind = IdentityKind.WEB_SESSION if channel == "web" else IdentityKind.PHONE
    return participant_for(process=process, identity=Identity(kind, value, channel))


def sender(value: str, channel: str = "web") -> Identity:
    """The identity a whole submission is sent under (an API client's or an import's id)."""
    if channel == "paper":
        return Identity.paper_form(value)
    return Identity(IdentityKind.API_CLIENT, value, channel)
