"""Who is missing: each group's share of the answers against its share of the census."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from cpps.engines.weighting._errors import WeightingError
from cpps.engines.weighting._raking import Column, code_sample
from cpps.engines.weighting._types import (
    CodedSample,
    FloatArray,
    Margin,
    RepresentationRow,
    RepresentativenessReport,
    Status,
)


def representativeness(
    sample: CodedSample | Mapping[str, Column],
    margins: Sequence[Margin],
    *,
    threshold: float = 0.8,
    weights: Sequence[float] | FloatArray | None = None,
) -> RepresentativenessReport:
    """Compare every margin's sample shares with its census shares and flag under-representation.

    A group is under-represented when its share of the answers is below ``threshold`` times its
    census share (and over-represented above 1 / ``threshold`` times). Alerts list the
    under-represented groups, worst first: where organisers should do more outreach.

    Args:
        sample: the answers' categorical columns (or a coded sample).
        margins: census targets; only shares matter, so universes may differ.
        threshold: the ratio below which a group is flagged, in (0, 1).
        weights: optional weights, to show each group's share after weighting too.
    """
    if not 0 < threshold < 1:
        raise WeightingError(f"The alert threshold must lie between 0 and 1, not {threshold:g}.")
    coded = sample if isinstance(sample, CodedSample) else code_sample(sample, margins)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    if w is not None and w.shape != (coded.n,):
        raise WeightingError(f"There are {w.size} weights for {coded.n} answers.")
    rows: list[RepresentationRow] = []
    for margin in margins:
        codes = coded.codes[margin.variable]
        size = len(coded.categories[margin.variable])
        counts = np.bincount(codes, minlength=size)
        weighted = None if w is None else np.bincount(codes, weights=w, minlength=size) / w.sum()
        for index, (category, target_share) in enumerate(margin.shares().items()):
            rows.append(
                _row(
                    margin,
                    category=category,
                    count=int(counts[index]),
                    n=coded.n,
                    target_share=target_share,
                    weighted_share=None if weighted is None else float(weighted[index]),
                    threshold=threshold,
                )
            )
    alerts = sorted((row for row in rows if row.status == "under"), key=lambda row: row.ratio)
    return RepresentativenessReport(threshold=threshold, rows=tuple(rows), alerts=tuple(alerts))


def _row(
    margin: Margin,
    *,
    category: str,
    count: int,
    n: int,
    target_share: float,
    weighted_share: float | None,
    threshold: float,
) -> RepresentationRow:
    sample_share = count / n
    ratio = sample_share / target_share if target_share > 0 else float("inf")
    status: Status = "ok"
    if ratio < threshold:
        status = "under"
    elif ratio > 1 / threshold:
        status = "over"
    message = (
        f"{margin.variable} {category}: {sample_share:.0%} of answers, "
        f"{target_share:.0%} of {margin.universe}"
    )
    if status == "under":
        message += f" (only {count} answers): do more outreach"
    return RepresentationRow(
        variable=margin.variable,
        category=category,
        universe=margin.universe,
        sample_count=count,
        sample_share=sample_share,
        target_share=target_share,
        ratio=ratio,
        weighted_share=weighted_share,
        status=status,
        message=message,
    )
