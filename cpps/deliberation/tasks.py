"""Background work for conversations: the analysis (late acknowledgement and a time limit; the
shared watchdog releases runs whose worker died), and the beat that queues the analyses due."""

from __future__ import annotations

from celery import shared_task

from cpps.deliberation import services

# Killed past this many seconds (the soft limit lets the run record its failure first).
SOFT_LIMIT, HARD_LIMIT = 15 * 60, 16 * 60


@shared_task(  # type: ignore[untyped-decorator]  # celery is untyped
    name="cpps.deliberation.analyse",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_LIMIT,
    time_limit=HARD_LIMIT,
)
def analyse(process_id: int) -> int | None:
    """Analyse one conversation; return the stored analysis's id (None: nothing to do)."""
    stored = services.analysis_run(process_id=process_id)
    return stored.pk if stored is not None else None


@shared_task(name="cpps.deliberation.analyse_due")  # type: ignore[untyped-decorator]
def analyse_due() -> int:
    """Queue every analysis that is due."""
    return services.analyses_request_due()
