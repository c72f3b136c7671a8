"""Background work for surveys: seal sent responses into the audit log in batches, and
recompute the stored results from the counts when they changed.

`cpps.listening.seal_responses` runs every minute under Celery beat; closing a survey seals its
remaining responses at once. On the embedded set-up `cpps survey seal` does the same by hand.
Each seal queues `cpps.listening.refresh_results` (late acknowledgement and a time limit; the
shared watchdog queues again a refresh whose worker died).
"""

from __future__ import annotations

from celery import shared_task

from cpps.listening.services import responses_seal_pending
from cpps.listening.tallies import results_refresh_run

# Killed past this many seconds (the soft limit lets the run record its failure first).
SOFT_LIMIT, HARD_LIMIT = 10 * 60, 11 * 60


@shared_task(name="cpps.listening.seal_responses")  # type: ignore[untyped-decorator]
def seal_responses() -> int:
    """Seal every survey's pending responses; return how many responses were sealed.

    Safe to run twice (late acknowledgement redelivers a task whose worker died): only
    responses not yet sealed are sealed, each batch in one transaction.
    """
    return responses_seal_pending()


@shared_task(  # type: ignore[untyped-decorator]  # celery is untyped
    name="cpps.listening.refresh_results",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_LIMIT,
    time_limit=HARD_LIMIT,
)
def refresh_results(process_id: int) -> int | None:
    """Recompute one survey's stored results from its counts; return the counts' version the
    results now describe (None: another run holds it)."""
    tally = results_refresh_run(process_id=process_id)
    return tally.version if tally is not None else None
