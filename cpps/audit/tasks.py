"""Background work of the audit log: checking every chain, so pages show the result without
walking the chain themselves."""

from __future__ import annotations

from celery import shared_task

from cpps.audit.services import audit_chains_check


@shared_task(name="cpps.audit.check_chains")  # type: ignore[untyped-decorator]  # celery is untyped
def check_chains() -> dict[str, int]:
    """Verify every chain and keep the outcome; how many chains were checked and found broken."""
    reports = audit_chains_check()
    return {
        "checked": len(reports),
        "broken": sum(1 for report in reports if not report.verification.intact),
    }
