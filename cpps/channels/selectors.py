"""Reads of the channel layer: which process a message on a shared number is for."""

from __future__ import annotations

from cpps.channels.models import ChannelRoute, Conversation, Medium
from cpps.channels.outbound import phone_e164
from cpps.channels.services import phone_digest
from cpps.processes.models import Process, ProcessState


def process_for_message(*, number: str, sender: str, word: str) -> Process | None:
    """The process a text to a shared number is for: the one route of that number; else the
    route whose keyword the message starts with; else the open process among the number's
    routes this phone was already talking to. None when it cannot be told."""
    try:
        to = phone_e164(number)
    except ValueError:
        return None
    routes = list(ChannelRoute.objects.filter(number=to).select_related("process__jurisdiction"))
    if not routes:
        return None
    if len(routes) == 1:
        return routes[0].process
    first = word.split(maxsplit=1)[0] if word.split() else ""
    for route in routes:
        if route.keyword and route.keyword.upper() == first:
            return route.process
    for route in routes:
        process = route.process
        if process.state != ProcessState.OPEN:
            continue
        digest = phone_digest(process=process, channel=Medium.SMS, phone=sender)
        if Conversation.objects.filter(
            process=process, channel=Medium.SMS, phone_digest=digest
        ).exists():
            return process
    return None
