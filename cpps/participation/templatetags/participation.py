"""What every process page shows about taking part: the rule in plain words, and the organisers'
links to set it and to invite."""

from __future__ import annotations

from typing import Any

from django import template

from cpps.accounts.policy import Action, can
from cpps.participation.selectors import eligibility_sentence, unreviewed_burst_count
from cpps.processes.models import Process

register = template.Library()


@register.simple_tag
def eligibility_in_words(process: Process) -> str:
    return eligibility_sentence(process)


@register.inclusion_tag("participation/organiser_links.html", takes_context=True)
def organiser_links(context: dict[str, Any], process: Process) -> dict[str, Any]:
    user = context["request"].user
    jurisdiction = process.jurisdiction
    can_set = can(user, Action.SET_AGENDA, jurisdiction)
    return {
        "process": process,
        "jurisdiction": jurisdiction,
        "can_set_eligibility": can_set,
        "can_invite": can(user, Action.INVITE, jurisdiction),
        "can_view_participants": can(user, Action.VIEW_PERSONAL_DATA, jurisdiction),
        "bursts": unreviewed_burst_count(process=process) if can_set else 0,
    }
