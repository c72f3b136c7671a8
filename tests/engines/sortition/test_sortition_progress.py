"""Progress reports: the engine's real stages in order, and a fraction only where it is known."""

from __future__ import annotations

import pytest

from cpps.engines import sortition


def reports_of(pool, quotas, size, **options) -> list[tuple[str, float | None, str]]:
    reports: list[tuple[str, float | None, str]] = []
    sortition.find_distribution(
        pool, quotas, size, progress=lambda *report: reports.append(report), **options
    )
    return reports


def first_entries(reports) -> list[str]:
    return list(dict.fromkeys(stage for stage, _fraction, _message in reports))


def test_leximin_enters_every_stage_in_order_and_ends_done(instance):
    pool, quotas, size = instance("example_small_20")
    reports = reports_of(pool, quotas, size)
    assert first_entries(reports) == list(sortition.STAGES) == ["validate", "target", "panels"]
    assert reports[-1][:2] == ("panels", 1.0)
    assert reports[-1][2].startswith("done in ")


def test_leximin_never_claims_a_fraction_it_cannot_know(instance):
    """Writing the target as panels takes most of the time and has no known end, so nothing
    before the final report carries a fraction (no bar that jumps to 90% and waits there)."""
    pool, quotas, size = instance("sfscot_22")
    reports = reports_of(pool, quotas, size)
    assert [fraction for _stage, fraction, _message in reports[:-1]] == [None] * (len(reports) - 1)
    assert any("panels proposed for the target" in message for *_rest, message in reports)


@pytest.mark.parametrize("algorithm", ["legacy", "maximin"])
def test_other_algorithms_report_the_same_stages_with_true_fractions(instance, algorithm):
    pool, quotas, size = instance("example_small_20")
    reports = reports_of(pool, quotas, size, algorithm=algorithm, legacy_draws=200)
    assert set(first_entries(reports)) <= set(sortition.STAGES)
    assert first_entries(reports)[0] == "validate"
    fractions = [fraction for _stage, fraction, _message in reports if fraction is not None]
    assert fractions == sorted(fractions)
    assert all(0.0 <= fraction <= 1.0 for fraction in fractions)
    assert fractions[-1] == 1.0
