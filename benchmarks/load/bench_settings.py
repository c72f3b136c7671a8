"""Settings for the load benchmarks: the real settings plus one bare insert endpoint."""

from cpps.config.settings import *  # noqa: F403 - the benchmarks run the real configuration

ROOT_URLCONF = "bench_urls"
TWILIO_AUTH_TOKEN = "listening-benchmark-token"  # noqa: S105 - a throwaway token for the run
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Tasks a run queues (a conversation's analysis falls due while votes arrive) go to a queue of
# the run's own, which no worker reads and the run deletes afterwards.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BENCH_TASK_QUEUE", "celery")  # noqa: F405

if os.environ.get("LISTENING_BENCH_ASYNC_COMMIT") == "1":  # noqa: F405 - from the real settings
    # Diagnostic only: commits stop waiting for the WAL flush, to show what serialised commits
    # (the audit chain's head row) cost. Never for production data.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
