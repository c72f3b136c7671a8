"""The lottery computation, run by the background task: kept apart from the other services so the
task module and the services can import each other's entry points without a cycle."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpps.audit.services import SYSTEM, audit_event_record
from cpps.common.errors import InvalidTransitionError
from cpps.engines import sortition
from cpps.panels import adapters
from cpps.panels.models import Panel, PanelStage


def require_stage(panel: Panel, *stages: str) -> None:
    if panel.stage not in stages:
        raise InvalidTransitionError(
            _("This cannot be done now: the panel is at the stage “%(stage)s”.")
            % {"stage": panel.get_stage_display()}
        )


def frozen_inputs(panel: Panel) -> tuple[sortition.Pool, tuple[sortition.Quota, ...]]:
    return adapters.engine_pool(panel.frozen_pool), adapters.engine_quotas(panel.frozen_quotas)


def panel_compute_run(*, panel: Panel) -> Panel:
    """Compute the distribution, round it to the lottery and publish both with the commitment
    the draw will use (the task body; progress is stored as it goes)."""
    require_stage(panel, PanelStage.COMPUTING)
    pool, quotas = frozen_inputs(panel)

    def report(stage: str, fraction: float | None, message: str) -> None:
        share = panel.progress if fraction is None else min(0.95, max(0.0, fraction) * 0.9)
        Panel.objects.filter(pk=panel.pk).update(progress=share, progress_message=message[:300])

    try:
        distribution = sortition.find_distribution(
            pool, quotas, panel.size, algorithm="leximin", progress=report
        )
        report("lottery", 0.95, "Rounding to a lottery of equally likely panels")
        lottery = sortition.round_to_lottery(distribution, panel.lottery_size)
    except sortition.SortitionError as error:
        with transaction.atomic():
            panel.stage, panel.compute_error = PanelStage.FROZEN, str(error)
            panel.save(update_fields=["stage", "compute_error"])
            audit_event_record(
                jurisdiction=panel.process.jurisdiction,
                actor=SYSTEM,
                action="panel.compute_failed",
                target=panel.process,
                payload={"reason": str(error)},
            )
        return panel
    commitment = sortition.commit(
        pool,
        quotas,
        panel.size,
        algorithm="leximin",
        randomness_source=panel.randomness_source,
        lottery=lottery,
    )
    with transaction.atomic():
        panel.lottery = [list(p) for p in lottery.panels]
        panel.probabilities = list(distribution.probabilities)
        panel.commitment_digest = commitment.digest
        panel.commitment = {
            k: v for k, v in commitment.payload.items() if k not in ("pool", "quotas")
        }
        panel.stage, panel.progress = PanelStage.COMPUTED, 1.0
        panel.progress_message, panel.computed_at = "", timezone.now()
        panel.save()
        audit_event_record(
            jurisdiction=panel.process.jurisdiction,
            actor=SYSTEM,
            action="panel.lottery_published",
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
