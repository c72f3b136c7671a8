"""The "who is missing" table: sample shares against census shares for every margin."""

from __future__ import annotations

import numpy as np
import pytest

from cpps.engines.weighting import Margin, WeightingError, rake, representativeness

TENURE = Margin("tenure", {"owner": 54.0, "renter": 46.0}, "households")


def test_under_represented_group_raises_an_alert_with_the_numbers():
    columns = {"tenure": ["owner"] * 82 + ["renter"] * 18}
    report = representativeness(columns, [TENURE], threshold=0.8)
    renter = next(row for row in report.rows if row.category == "renter")
    assert renter.sample_share == pytest.approx(0.18)
    assert renter.target_share == pytest.approx(0.46)
    assert renter.ratio == pytest.approx(0.18 / 0.46)
    assert renter.status == "under"
    assert renter.message.startswith("tenure renter: 18% of answers, 46% of households")
    assert report.alerts == (renter,)
    owner = next(row for row in report.rows if row.category == "owner")
    assert owner.status == "over"


def test_alerts_on_chicago_districts_come_worst_first(census_districts):
    districts = Margin(
        "district",
        {number: row["dhc2020_total_pop"] for number, row in census_districts.items()},
    )
    rng = np.random.default_rng(3)
    shares = np.array(list(districts.shares().values()))
    # North-side districts (16-20, 24) answer three times as readily.
    tilt = np.array(
        [3.0 if n in {"16", "17", "18", "19", "20", "24"} else 1.0 for n in districts.targets]
    )
    answers = rng.choice(
        list(districts.targets), size=4_000, p=shares * tilt / (shares * tilt).sum()
    )
    report = representativeness({"district": answers}, [districts])
    ratios = [row.ratio for row in report.alerts]
    assert ratios == sorted(ratios)
    assert {row.category for row in report.alerts}.isdisjoint({"16", "17", "18", "19", "20", "24"})
    assert all(row.ratio < 0.8 for row in report.alerts)
    weights = rake({"district": answers}, [districts]).weights
    weighted = representativeness({"district": answers}, [districts], weights=weights)
    for row in weighted.rows:
        assert row.weighted_share == pytest.approx(row.target_share)


def test_threshold_must_be_a_ratio_below_one():
    with pytest.raises(WeightingError, match=r"between 0 and 1, not 1.5"):
        representativeness({"tenure": ["owner", "renter"]}, [TENURE], threshold=1.5)
