"""Weighting answers to the census: raking with trimming, post-stratification, weighted
estimates with honest intervals, and the "who is missing" representativeness report."""

from cpps.engines.weighting._errors import (
    EmptyCellError,
    MarginTotalsError,
    MissingVariableError,
    RakingConvergenceError,
    UnknownCategoryError,
    WeightingError,
)
from cpps.engines.weighting._estimates import weighted_means, weighted_proportions
from cpps.engines.weighting._poststratify import poststratify
from cpps.engines.weighting._raking import check_margin_totals, code_sample, rake, summarize_weights
from cpps.engines.weighting._report import representativeness
from cpps.engines.weighting._synthetic import CellModel, draw_answers, fit_cell_means
from cpps.engines.weighting._types import (
    CodedSample,
    Estimate,
    Margin,
    RakingProgress,
    RakingResult,
    RepresentationRow,
    RepresentativenessReport,
    WeightsSummary,
)

__all__ = [
    "CellModel",
    "CodedSample",
    "EmptyCellError",
    "Estimate",
    "Margin",
    "MarginTotalsError",
    "MissingVariableError",
    "RakingConvergenceError",
    "RakingProgress",
    "RakingResult",
    "RepresentationRow",
    "RepresentativenessReport",
    "UnknownCategoryError",
    "WeightingError",
    "WeightsSummary",
    "check_margin_totals",
    "code_sample",
    "draw_answers",
    "fit_cell_means",
    "poststratify",
    "rake",
    "representativeness",
    "summarize_weights",
    "weighted_means",
    "weighted_proportions",
]
