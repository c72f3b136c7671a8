"""Periodic work: seal sent survey responses into the audit log in batches.

`cpps.listening.seal_responses` runs every minute under Celery beat; closing a survey seals its
remaining responses at once. On the embedded set-up `cpps survey seal` does the same by hand.
"""

from __future__ import annotations

from celery import shared_task

from cpps.listening.services import responses_seal_pending


@shared_task(name="cpps.listening.seal_responses")  # type: ignore[untyped-decorator]
def seal_responses() -> int:
    """Seal every survey's pending responses; return how many responses were sealed.

    Safe to run twice (late acknowledgement redelivers a task whose worker died): only
    responses not yet sealed are sealed, each batch in one transaction.
    """
    return responses_seal_pending()
