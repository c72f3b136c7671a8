"""Deliberation engine: opinion groups, what each group believes, and what bridges them.

Residents post statements and vote agree / disagree / pass. The engine builds the sparse vote
matrix, projects participants on a 2-D map with Polis's sparsity-aware PCA, forms opinion
groups by k-means with the group count chosen by silhouette, and reports per group its
representative statements (Polis repness) and vote shares, plus consensus and group-informed
consensus (bridging) statements. Results match red-dwarf, the open reimplementation of the
Polis math, and updates keep group ids stable as votes arrive.
"""

from cpps.engines.deliberation._analysis import (
    analyze_conversation,
    analyze_with_groups,
    update_analysis,
)
from cpps.engines.deliberation._polis import (
    POLIS_FILES,
    PolisExport,
    polis_export_rows,
    read_polis_export,
    read_polis_files,
    write_polis_export,
)
from cpps.engines.deliberation.errors import (
    DeliberationError,
    NotEnoughVotesError,
    PolisExportError,
    VoteDataError,
)
from cpps.engines.deliberation.types import (
    Analysis,
    AnalysisOptions,
    ConsensusStatement,
    Conversation,
    OpinionGroup,
    ParticipantId,
    ProgressCallback,
    RepresentativeStatement,
    ScoredStatement,
    Statement,
    StatementStats,
    UpdateReport,
    Vote,
    VoteTable,
)

__all__ = [
    "POLIS_FILES",
    "Analysis",
    "AnalysisOptions",
    "ConsensusStatement",
    "Conversation",
    "DeliberationError",
    "NotEnoughVotesError",
    "OpinionGroup",
    "ParticipantId",
    "PolisExport",
    "PolisExportError",
    "ProgressCallback",
    "RepresentativeStatement",
    "ScoredStatement",
    "Statement",
    "StatementStats",
    "UpdateReport",
    "Vote",
    "VoteDataError",
    "VoteTable",
    "analyze_conversation",
    "analyze_with_groups",
    "polis_export_rows",
    "read_polis_export",
    "read_polis_files",
    "update_analysis",
    "write_polis_export",
]
