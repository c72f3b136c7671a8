"""The lottery computation, run by the background task: kept apart from the other services so the
task module and the services can import each other's entry points without a cycle.

Each press of Compute is one attempt (`Panel.compute_attempt`). Everything a computation writes
is conditional on the panel still computing that attempt, so a task redelivered after its worker
died, or one the watchdog already gave up on, can never publish a second lottery or overwrite a
newer attempt's progress.
"""

from __future__ import annotations

import time
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpps.audit.services import SYSTEM, audit_event_record
from cpps.common.errors import InvalidTransitionError
from cpps.common.watchdog import silent_since
from cpps.engines import sortition
from cpps.panels import adapters
from cpps.panels.audit_actions import PANEL_COMPUTE_FAILED, PANEL_LOTTERY_PUBLISHED
from cpps.panels.models import Panel, PanelStage

# The steps a computation goes through: the engine's own stages, then the panel's.
STEPS: tuple[str, ...] = (*sortition.STAGES, "lottery", "publish")
STEP_DESCRIPTIONS = {
    "validate": gettext_lazy("Checking the pool against the quotas"),
    "target": gettext_lazy("Computing the fairest selection probabilities the quotas allow"),
    "panels": gettext_lazy("Finding panels that give everyone those probabilities"),
    "lottery": gettext_lazy("Rounding to a lottery of equally likely panels"),
    "publish": gettext_lazy("Publishing the lottery and its commitment"),
}
# Workers that may start one attempt (each death of a worker redelivers the task) before the
# attempt is given up, so a computation that kills its worker cannot loop for ever.
MAX_RUNS = 3
# Progress within one step is stored at most this often; a change of step at once.
PROGRESS_INTERVAL_SECONDS = 1.0


def require_stage(panel: Panel, *stages: str) -> None:
    if panel.stage not in stages:
        raise InvalidTransitionError(
            _("This cannot be done now: the panel is at the stage “%(stage)s”.")
            % {"stage": panel.get_stage_display()}
        )


def frozen_inputs(panel: Panel) -> tuple[sortition.Pool, tuple[sortition.Quota, ...]]:
    return adapters.engine_pool(panel.frozen_pool), adapters.engine_quotas(panel.frozen_quotas)


def computing_attempt(panel: Panel) -> QuerySet[Panel]:
    """The panel's row while it is still computing the attempt `panel` was loaded with."""
    return Panel.objects.filter(
        pk=panel.pk, stage=PanelStage.COMPUTING, compute_attempt=panel.compute_attempt
    )


class ProgressWriter:
    """Stores the step reached, what it is doing, and that the computation is alive.

    The bar shows the share of steps reached, which only moves when a step truly starts; how far
    a step has gone is told in words (the engine reports a fraction only where it knows one).
    """

    def __init__(self, panel: Panel) -> None:
        self.panel = panel
        self.reached = 0
        self.stage = ""
        self.written_at = float("-inf")

    def __call__(self, stage: str, fraction: float | None, message: str) -> None:
        step = STEPS.index(stage)
        now = time.monotonic()
        if stage == self.stage and now - self.written_at < PROGRESS_INTERVAL_SECONDS:
            return
        self.reached, self.stage, self.written_at = max(self.reached, step), stage, now
        done = "" if fraction is None else f"{fraction:.0%}, "
        text = _("Step %(step)s of %(steps)s: %(description)s (%(detail)s).") % {
            "step": step + 1,
            "steps": len(STEPS),
            "description": STEP_DESCRIPTIONS[stage],
            "detail": done + message,
        }
        computing_attempt(self.panel).update(
            progress=self.reached / len(STEPS),
            progress_message=text[:300],
            progress_at=timezone.now(),
        )


def panel_compute_abandon(
    *, panel: Panel, reason: str, silent_before: datetime | None = None
) -> bool:
    """Return a panel computing the attempt it was loaded with to the frozen stage, with `reason`
    shown on its page and in the audit log, so the facilitator can compute again.

    With `silent_before`, only if the computation has shown no sign of life since then. Return
    whether the panel was returned (False: that attempt had finished, failed or been replaced).
    """
    with transaction.atomic():
        attempt = computing_attempt(panel)
        if silent_before is not None:
            attempt = attempt.filter(progress_at__lt=silent_before)
        returned = attempt.update(
            stage=PanelStage.FROZEN,
            compute_error=reason,
            progress=0.0,
            progress_message="",
            progress_at=timezone.now(),
        )
        if returned:
            audit_event_record(
                jurisdiction=panel.process.jurisdiction,
                actor=SYSTEM,
                action=PANEL_COMPUTE_FAILED,
                target=panel.process,
                payload={"reason": reason, "attempt": panel.compute_attempt},
            )
    panel.refresh_from_db()
    return bool(returned)


def _claim_run(panel: Panel) -> bool:
    """Count one more worker run of this attempt; False if the attempt is no longer current or
    has been started too often (it is then given up, with the reason shown)."""
    claimed = (
        computing_attempt(panel)
        .filter(compute_runs__lt=MAX_RUNS)
        .update(compute_runs=F("compute_runs") + 1, progress_at=timezone.now())
    )
    if not claimed and computing_attempt(panel).exists():
        panel_compute_abandon(
            panel=panel,
            reason=_(
                "The computation was interrupted %(runs)s times before it could finish (its "
                "worker stopped each time). Ask the technical administrator to check the "
                "workers' memory and logs, then compute again."
            )
            % {"runs": MAX_RUNS},
        )
    return bool(claimed)


def panel_compute_run(*, panel: Panel) -> Panel:
    """Compute the distribution, round it to the lottery and publish both with the commitment
    the draw will use (the task body; progress is stored as it goes).

    The task's soft time limit may interrupt it anywhere; the panel then goes back to the
    frozen stage with the reason, and nothing half-published remains (publishing is atomic).
    """
    require_stage(panel, PanelStage.COMPUTING)
    try:
        if not _claim_run(panel):
            panel.refresh_from_db()
            return panel
        return _compute_and_publish(panel)
    except SoftTimeLimitExceeded:
        minutes = round(int(settings.TASK_SOFT_TIME_LIMIT) / 60)
        panel_compute_abandon(
            panel=panel,
            reason=_(
                "The computation was stopped at the time limit of %(minutes)s minutes. Ask "
                "the technical administrator to raise TASK_TIME_LIMIT, or widen the quotas, "
                "then compute again."
            )
            % {"minutes": minutes},
        )
        return panel


def _compute_and_publish(panel: Panel) -> Panel:
    pool, quotas = frozen_inputs(panel)
    report = ProgressWriter(panel)
    try:
        distribution = sortition.find_distribution(
            pool, quotas, panel.size, algorithm="leximin", progress=report
        )
        report("lottery", None, _("%(count)s panels") % {"count": panel.lottery_size})
        lottery = sortition.round_to_lottery(distribution, panel.lottery_size)
    except sortition.SortitionError as error:
        panel_compute_abandon(panel=panel, reason=str(error))
        return panel
    report("publish", None, _("%(count)s panels") % {"count": len(lottery.panels)})
    commitment = sortition.commit(
        pool,
        quotas,
        panel.size,
        algorithm="leximin",
        randomness_source=panel.randomness_source,
        lottery=lottery,
    )
    with transaction.atomic():
        if not computing_attempt(panel).select_for_update().exists():
            panel.refresh_from_db()
            return panel
        panel.lottery = [list(p) for p in lottery.panels]
        panel.probabilities = list(distribution.probabilities)
        panel.commitment_digest = commitment.digest
        panel.commitment = {
            k: v for k, v in commitment.payload.items() if k not in ("pool", "quotas")
        }
        panel.stage, panel.progress = PanelStage.COMPUTED, 1.0
        panel.progress_message, panel.computed_at = "", timezone.now()
        panel.save(
            update_fields=[
                "lottery",
                "probabilities",
                "commitment_digest",
                "commitment",
                "stage",
                "progress",
                "progress_message",
                "computed_at",
            ]
        )
        audit_event_record(
            jurisdiction=panel.process.jurisdiction,
            actor=SYSTEM,
            action=PANEL_LOTTERY_PUBLISHED,
            target=panel.process,
            payload={
                "commitment_sha256": commitment.digest,
                "freeze_sha256": panel.freeze_digest,
                "lottery_sha256": sortition.lottery_digest(lottery.panels),
                "panels": len(lottery.panels),
                "min_probability": round(lottery.min_probability, 6),
            },
        )
    return panel


def panel_computations_recover() -> int:
    """The watchdog: return every computation silent for longer than the task time limit to the
    frozen stage, with a plain reason and an audit event; return how many."""
    before = silent_since()
    minutes = round(int(settings.TASK_TIME_LIMIT) / 60)
    reason = _(
        "The computation stopped without finishing: nothing was heard from it for over "
        "%(minutes)s minutes (its worker may have been stopped or restarted). Nothing was "
        "lost; press “Compute the lottery” to try again."
    ) % {"minutes": minutes}
    stuck = Panel.objects.filter(stage=PanelStage.COMPUTING, progress_at__lt=before).select_related(
        "process__jurisdiction"
    )
    return sum(
        panel_compute_abandon(panel=panel, reason=reason, silent_before=before) for panel in stuck
    )
