"""The lottery computation survives: redelivered and stale tasks publish nothing twice, the
watchdog returns a stuck computation to the frozen stage with a reason, a task queue that is down
leaves the panel retryable, the time limit and a looping worker end cleanly, and progress is
told by the steps really reached."""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cpps.audit.models import AuditEvent
from cpps.common.errors import InvalidTransitionError, ServiceUnavailableError
from cpps.common.tasks import watchdog
from cpps.panels import services
from cpps.panels.computation import (
    MAX_RUNS,
    STEPS,
    ProgressWriter,
    panel_computations_recover,
    panel_compute_run,
)
from cpps.panels.models import Panel, PanelStage
from cpps.panels.tasks import panel_compute
from tests.panels.support import instance_panel, randomness_due
from tests.support.outages import unreachable_broker

RANDOMNESS_SOURCE = "Illinois Pick 4 evening numbers of 2026-12-04, digits in order"


def actions(panel: Panel) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            Q(action__startswith="panel.compute") | Q(action="panel.lottery_published"),
            object_id=str(panel.pk),
        )
        .order_by("sequence")
        .values_list("action", flat=True)
    )


@pytest.fixture
def frozen(chicago, accounts) -> Panel:
    facilitator = accounts["facilitator"]
    panel = instance_panel(chicago, facilitator)
    return services.panel_freeze(
        user=facilitator,
        panel=panel,
        randomness_source=RANDOMNESS_SOURCE,
        randomness_published_at=randomness_due(),
    )


def start_without_running(panel: Panel, user, capture) -> Panel:
    """Press Compute, but let the commit's task go unsent (as if still queued)."""
    with capture(execute=False):
        return services.panel_compute_start(user=user, panel=panel)


def manage_page(panel: Panel, user) -> str:
    client = Client()
    client.force_login(user)
    url = reverse("panels:manage", args=[panel.process.jurisdiction.slug, panel.pk])
    return client.get(url).content.decode()


def test_a_redelivered_task_publishes_the_lottery_once(
    frozen, accounts, django_capture_on_commit_callbacks
):
    panel = start_without_running(
        frozen, accounts["facilitator"], django_capture_on_commit_callbacks
    )
    assert panel_compute(panel.pk, panel.compute_attempt) == PanelStage.COMPUTED
    assert panel_compute(panel.pk, panel.compute_attempt) == PanelStage.COMPUTED
    assert actions(panel) == ["panel.compute_started", "panel.lottery_published"]


def test_a_task_for_an_earlier_attempt_does_nothing(
    frozen, accounts, django_capture_on_commit_callbacks
):
    facilitator = accounts["facilitator"]
    panel = start_without_running(frozen, facilitator, django_capture_on_commit_callbacks)
    first = panel.compute_attempt
    Panel.objects.filter(pk=panel.pk).update(progress_at=timezone.now() - timedelta(days=1))
    assert panel_computations_recover() == 1
    panel = start_without_running(
        Panel.objects.get(pk=panel.pk), facilitator, django_capture_on_commit_callbacks
    )
    assert panel.compute_attempt == first + 1
    assert panel_compute(panel.pk, first) == PanelStage.COMPUTING
    panel.refresh_from_db()
    assert (panel.stage, panel.compute_runs, panel.lottery) == (PanelStage.COMPUTING, 0, [])
    assert panel_compute(panel.pk, panel.compute_attempt) == PanelStage.COMPUTED


def test_pressing_compute_twice_starts_one_attempt(
    frozen, accounts, django_capture_on_commit_callbacks
):
    facilitator = accounts["facilitator"]
    stale_copy = Panel.objects.get(pk=frozen.pk)
    start_without_running(frozen, facilitator, django_capture_on_commit_callbacks)
    with pytest.raises(InvalidTransitionError, match="Computing selection probabilities"):
        services.panel_compute_start(user=facilitator, panel=stale_copy)
    assert actions(frozen) == ["panel.compute_started"]


def test_the_watchdog_returns_a_silent_computation_with_a_plain_reason(
    frozen, accounts, django_capture_on_commit_callbacks, settings
):
    facilitator = accounts["facilitator"]
    panel = start_without_running(frozen, facilitator, django_capture_on_commit_callbacks)
    assert panel_computations_recover() == 0  # still within the time limit: left alone
    silent = timezone.now() - timedelta(seconds=settings.TASK_TIME_LIMIT + 120)
    Panel.objects.filter(pk=panel.pk).update(progress_at=silent)

    assert watchdog.delay().get() == {
        "text messages": 0,
        "panel computations": 1,
        "conversation analyses": 0,
        "survey results": 0,
    }
    panel.refresh_from_db()
    assert panel.stage == PanelStage.FROZEN
    assert "stopped without finishing" in panel.compute_error
    assert "press “Compute the lottery” to try again" in panel.compute_error
    assert actions(panel) == ["panel.compute_started", "panel.compute_failed"]
    failed = AuditEvent.objects.get(object_id=str(panel.pk), action="panel.compute_failed")
    assert failed.payload == {"reason": panel.compute_error, "attempt": panel.compute_attempt}
    page = manage_page(panel, facilitator)
    assert "stopped without finishing" in page
    assert "Compute the lottery" in page

    # The task turning up late (its message restored by the broker) publishes nothing.
    assert panel_compute(panel.pk, panel.compute_attempt) == PanelStage.FROZEN
    with django_capture_on_commit_callbacks(execute=True):
        services.panel_compute_start(user=facilitator, panel=panel)
    panel.refresh_from_db()
    assert panel.stage == PanelStage.COMPUTED
    assert panel.compute_error == ""


def test_the_watchdog_command_runs_in_process(
    frozen, accounts, django_capture_on_commit_callbacks, capsys
):
    panel = start_without_running(
        frozen, accounts["facilitator"], django_capture_on_commit_callbacks
    )
    Panel.objects.filter(pk=panel.pk).update(progress_at=timezone.now() - timedelta(days=1))
    call_command("watchdog")
    assert "panel computations: 1 returned" in capsys.readouterr().out
    assert Panel.objects.get(pk=panel.pk).stage == PanelStage.FROZEN


def test_an_unreachable_task_queue_leaves_the_panel_frozen_and_says_so(
    frozen, accounts, django_capture_on_commit_callbacks
):
    with (
        unreachable_broker(),
        pytest.raises(ServiceUnavailableError, match="background worker could not be reached"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.panel_compute_start(user=accounts["facilitator"], panel=frozen)
    frozen.refresh_from_db()
    assert frozen.stage == PanelStage.FROZEN
    assert "did not start" in frozen.compute_error
    assert actions(frozen) == ["panel.compute_started", "panel.compute_failed"]
    with django_capture_on_commit_callbacks(execute=True):
        services.panel_compute_start(user=accounts["facilitator"], panel=frozen)
    frozen.refresh_from_db()
    assert frozen.stage == PanelStage.COMPUTED


@pytest.mark.django_db(transaction=True)
def test_pressing_compute_while_the_queue_is_down_answers_503_not_500(chicago, accounts):
    facilitator = accounts["facilitator"]
    panel = instance_panel(chicago, facilitator)
    panel = services.panel_freeze(
        user=facilitator,
        panel=panel,
        randomness_source=RANDOMNESS_SOURCE,
        randomness_published_at=randomness_due(),
    )
    client = Client()
    client.force_login(facilitator)
    url = reverse("panels:compute", args=[chicago.slug, panel.pk])
    with unreachable_broker():
        response = client.post(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "the computation did not start" in response.content.decode()
    panel.refresh_from_db()
    assert panel.stage == PanelStage.FROZEN
    assert "Compute the lottery" in manage_page(panel, facilitator)


@pytest.mark.django_db(transaction=True)
def test_the_soft_time_limit_ends_the_computation_with_a_reason(frozen, accounts, settings):
    """Celery's soft limit is a signal raising SoftTimeLimitExceeded wherever the task is; here
    a real timer signal does the same a moment into the computation (committing as a worker
    does, outside any test transaction)."""
    # A computation waiting for its worker, as panel_compute_start leaves it.
    Panel.objects.filter(pk=frozen.pk).update(stage=PanelStage.COMPUTING, compute_attempt=1)
    panel = Panel.objects.get(pk=frozen.pk)

    def time_is_up(signum, frame):
        raise SoftTimeLimitExceeded

    previous = signal.signal(signal.SIGALRM, time_is_up)
    signal.setitimer(signal.ITIMER_REAL, 0.01)
    try:
        panel_compute_run(
            panel=Panel.objects.select_related("process__jurisdiction").get(pk=panel.pk)
        )
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    panel.refresh_from_db()
    assert panel.stage == PanelStage.FROZEN
    minutes = round(settings.TASK_SOFT_TIME_LIMIT / 60)
    assert f"stopped at the time limit of {minutes} minutes" in panel.compute_error
    assert actions(panel) == ["panel.compute_failed"]


def test_a_computation_that_keeps_killing_its_worker_is_given_up(
    frozen, accounts, django_capture_on_commit_callbacks
):
    panel = start_without_running(
        frozen, accounts["facilitator"], django_capture_on_commit_callbacks
    )
    # Each worker that died took the task's run with it: this is the redelivery after the last.
    Panel.objects.filter(pk=panel.pk).update(compute_runs=MAX_RUNS)
    assert panel_compute(panel.pk, panel.compute_attempt) == PanelStage.FROZEN
    panel.refresh_from_db()
    assert f"interrupted {MAX_RUNS} times" in panel.compute_error
    assert panel.lottery == []


def test_progress_shows_the_steps_reached_never_more(
    frozen, accounts, django_capture_on_commit_callbacks
):
    panel = start_without_running(
        frozen, accounts["facilitator"], django_capture_on_commit_callbacks
    )
    writer = ProgressWriter(panel)
    seen = []
    for stage, fraction, message in [
        ("validate", None, "checking 200 respondents"),
        ("target", None, "target 1"),
        ("panels", None, "50 panels proposed for the target"),
        ("target", None, "target 2"),  # a cut sends the computation back a step
        ("lottery", None, "1000 panels"),
    ]:
        writer(stage, fraction, message)
        row = Panel.objects.get(pk=panel.pk)
        seen.append((row.progress, row.progress_message))
    assert [progress for progress, _message in seen] == [0.0, 0.2, 0.4, 0.4, 0.6]
    assert seen[2][1] == (
        "Step 3 of 5: Finding panels that give everyone those probabilities "
        "(50 panels proposed for the target)."
    )
    assert seen[3][1].startswith("Step 2 of 5: Computing the fairest selection probabilities")
    assert len(STEPS) == 5


def test_a_whole_computation_ends_at_every_step_done(
    frozen, accounts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.panel_compute_start(user=accounts["facilitator"], panel=frozen)
    frozen.refresh_from_db()
    assert (frozen.stage, frozen.progress, frozen.progress_message) == (
        PanelStage.COMPUTED,
        1.0,
        "",
    )
    assert frozen.compute_runs == 1


def test_without_a_broker_the_web_process_runs_the_watchdog_itself(
    frozen, accounts, django_capture_on_commit_callbacks, settings
):
    """The embedded set-up has no beat: a computation cut short by a crash of the process that
    ran it is returned by the next request once it is past the time limit."""
    from cpps.common.middleware import InProcessWatchdogMiddleware

    settings.CELERY_TASK_ALWAYS_EAGER = True
    panel = start_without_running(
        frozen, accounts["facilitator"], django_capture_on_commit_callbacks
    )
    Panel.objects.filter(pk=panel.pk).update(progress_at=timezone.now() - timedelta(days=1))
    InProcessWatchdogMiddleware._next_run = 0.0  # as in a freshly started process
    assert "stopped without finishing" in manage_page(panel, accounts["facilitator"])
    assert Panel.objects.get(pk=panel.pk).stage == PanelStage.FROZEN
