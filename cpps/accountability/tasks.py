"""Periodic work: flag commitments whose deadline passed or whose owner fell silent.

Schedule `cpps.accountability.tasks.flag_commitments` with Celery beat (daily is enough); on the
embedded set-up it runs in-process when called.
"""

from __future__ import annotations

from celery import shared_task

from cpps.accountability.services import commitments_flag


@shared_task(name="cpps.accountability.flag_commitments")  # type: ignore[untyped-decorator]
def flag_commitments() -> int:
    """Flag overdue and silent commitments and notify the council; return how many were new.

    Safe to run twice (late acknowledgement redelivers a task whose worker died): a commitment
    already carrying its flag is left alone.
    """
    return len(commitments_flag())
