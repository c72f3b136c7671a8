"""Open-data and facilitator exports of survey results, safe to open in a spreadsheet."""

from __future__ import annotations

from typing import Any

from cpps.common.disclosure import count_shown
from cpps.listening.selectors import SurveyResults
from cpps.participation.weighting import Figure


def _number(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _figure(figure: Figure) -> dict[str, Any]:
    return {
        "group": figure.group,
        "n": figure.n,
        "value": _number(figure.value),
        "low": _number(figure.low),
        "high": _number(figure.high),
        "suppressed": figure.suppressed,
    }


def results_document(results: SurveyResults) -> dict[str, Any]:
    """The published results as plain data (JSON): suppressed aggregates only."""
    weighting = results.weighting
    questions = []
    for question in results.questions:
        entry: dict[str, Any] = {
            "key": question.key,
            "kind": question.kind,
            "text": question.text,
            "answered": question.answered if count_shown(question.answered) else None,
        }
        if question.overall is not None:
            entry["mean_0_10"] = _figure(question.overall)
            entry["breakdowns"] = {
                b.variable: [_figure(f) for f in b.figures] for b in question.breakdowns
            }
        if question.options:
            entry["shares"] = [
                {"option": label, **_figure(figure)} for label, figure in question.options
            ]
        if question.by_area is not None:
            table = question.by_area
            entry["counts_by_area"] = {
                "rows": [*table.row_labels, "Total"],
                "columns": [*table.column_labels, "Total"],
                "counts": table.published(),
            }
        questions.append(entry)
    return {
        "survey": {"id": results.process.pk, "title": results.process.title},
        "responses": results.responses,
        "weighted": weighting.weighted,
        "weighted_to": list(weighting.variables),
        "design_effect": round(weighting.design_effect, 3),
        "effective_sample_size": round(weighting.effective_n, 1),
        "suppression_threshold": results.threshold,
        "confidence": 0.95,
        "questions": questions,
    }


def results_rows(results: SurveyResults) -> list[list[Any]]:
    """The published results as one flat table (CSV)."""
    rows: list[list[Any]] = [
        ["question", "measure", "breakdown", "group", "n", "value", "low", "high", "suppressed"]
    ]
    for question in results.questions:
        if question.overall is not None:
            rows.append(_row(question.key, "mean_0_10", "", question.overall))
            for breakdown in question.breakdowns:
                rows.extend(
                    _row(question.key, "mean_0_10", breakdown.variable, figure)
                    for figure in breakdown.figures
                )
        for label, figure in question.options:
            rows.append(_row(question.key, "share", "option", figure, group=label))
    return rows


def _row(key: str, measure: str, breakdown: str, figure: Figure, group: str = "") -> list[Any]:
    return [
        key,
        measure,
        breakdown,
        group or figure.group or "all",
        figure.n,
        _number(figure.value),
        _number(figure.low),
        _number(figure.high),
        "yes" if figure.suppressed else "no",
    ]
