"""The analysis pipeline: matrix -> projection -> groups -> statistics, fresh or incremental."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from cpps.engines.deliberation._clustering import (
    BaseClusters,
    Clusters,
    base_clusters,
    choose_groups,
    match_labels,
)
from cpps.engines.deliberation._matrix import VoteMatrix, add_votes, build_vote_matrix
from cpps.engines.deliberation._projection import Projection, project
from cpps.engines.deliberation._statistics import (
    GroupStatistics,
    consensus_statements,
    count_votes,
    group_informed_consensus,
    group_statistics,
    representative_statements,
)
from cpps.engines.deliberation.errors import NotEnoughVotesError, VoteDataError
from cpps.engines.deliberation.types import (
    Analysis,
    AnalysisOptions,
    Conversation,
    OpinionGroup,
    ParticipantId,
    ProgressCallback,
    Statement,
    UpdateReport,
    VoteTable,
    no_progress,
)

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

# An update reconsiders the group count once the votes have grown by this share since the
# count was last chosen; until then it only re-fits the centres.
MATERIAL_VOTE_SHARE = 0.05
# Up to this many participants "auto" clusters participants directly (exact, red-dwarf's
# groups); the exact silhouette needs participants² distances, so larger runs go two-level.
DIRECT_CLUSTERING_LIMIT = 5_000
SINGLE_THREAD_LIMIT = 20_000


@dataclass(frozen=True, eq=False)
class _FixedGroups:
    """Groups given by the caller: matrix rows, their labels (0..k-1) and the group ids."""

    rows: IntArray
    labels: IntArray
    ids: IntArray


@dataclass(frozen=True, eq=False)
class _State:
    """What an update needs from the previous analysis: the statements and the vote matrix
    (never the vote log, which the caller keeps), the projection and the groups."""

    statements: tuple[Statement, ...]
    matrix: VoteMatrix
    projection: Projection
    rows_in: IntArray
    base: BaseClusters | None
    group_centers: FloatArray
    group_ids: IntArray
    row_group_index: IntArray
    votes_at_last_search: int


def _thread_limit(n_participants: int) -> AbstractContextManager[object]:
    """One BLAS/OpenMP thread for small conversations: there, thread start-up and spin-waits
    cost more than they save (several times more on a busy server); big ones keep all cores."""
    if n_participants <= SINGLE_THREAD_LIMIT:
        limiter: AbstractContextManager[object] = threadpool_limits(limits=1)
        return limiter
    return nullcontext()


def analyze_conversation(
    conversation: Conversation,
    options: AnalysisOptions | None = None,
    progress: ProgressCallback = no_progress,
) -> Analysis:
    """Find opinion groups, what sets each apart and what bridges them.

    Raises:
        VoteDataError: options out of range.
        NotEnoughVotesError: fewer than two participants voted enough to be grouped.
    """
    options = options or AnalysisOptions()
    _check_options(options)
    progress("matrix", 0.0)
    statement_ids = np.asarray([s.id for s in conversation.statements], dtype=np.int64)
    matrix = build_vote_matrix(conversation.votes, statement_ids)
    report = UpdateReport(len(conversation.votes), len(matrix.participants), True, False, 0.0)
    return _run(
        conversation.statements, matrix, options, state=None, report=report, progress=progress
    )


def analyze_with_groups(
    conversation: Conversation,
    groups: Mapping[ParticipantId, int],
    options: AnalysisOptions | None = None,
) -> Analysis:
    """Statistics, representative statements and consensus for groups decided elsewhere.

    `groups` maps participants to group ids (Polis's own `group-id`, another tool's labels,
    a previous run's); participants not in it stay out of the groups but still count
    towards overall consensus, as everyone who voted does.

    Raises:
        VoteDataError: fewer than two groups, or a participant who never voted.
    """
    options = options or AnalysisOptions()
    statement_ids = np.asarray([s.id for s in conversation.statements], dtype=np.int64)
    matrix = build_vote_matrix(conversation.votes, statement_ids)
    index = {pid: row for row, pid in enumerate(matrix.participants.tolist())}
    unknown = [pid for pid in groups if pid not in index]
    if unknown:
        raise VoteDataError(f"participant {unknown[0]!r} is in a group but cast no vote")
    ids = np.asarray(sorted(set(groups.values())), dtype=np.int64)
    if len(ids) < 2:
        raise VoteDataError("at least two groups are needed to compare them")
    rows = np.asarray(sorted(index[pid] for pid in groups), dtype=np.int64)
    labels = np.searchsorted(ids, [groups[pid] for pid in matrix.participants[rows].tolist()])
    report = UpdateReport(len(conversation.votes), len(matrix.participants), False, False, 0.0)
    fixed = _FixedGroups(rows, labels.astype(np.int64), ids)
    return _run(
        conversation.statements,
        matrix,
        options,
        state=None,
        report=report,
        progress=no_progress,
        fixed=fixed,
    )


def update_analysis(
    previous: Analysis,
    new_votes: VoteTable,
    new_statements: tuple[Statement, ...] = (),
    progress: ProgressCallback = no_progress,
) -> Analysis:
    """The analysis after `new_votes` (and any `new_statements`), keeping group ids stable.

    The vote matrix is patched rather than rebuilt, k-means restarts from the previous centres,
    and the group count is only reconsidered once the votes have grown by 5% since it was last
    chosen (and then changes only for a clearly better silhouette); group ids follow their
    best-overlapping previous group. A batch's votes override earlier votes
    by the same participant on the same statement. Statements in `new_statements` that the
    previous analysis already had are ignored, so callers may pass every statement.
    """
    state = previous.state
    if not isinstance(state, _State):
        raise VoteDataError("the previous analysis carries no state to update; analyse afresh")
    known = {s.id for s in state.statements}
    statements = state.statements + tuple(s for s in new_statements if s.id not in known)
    progress("matrix", 0.0)
    matrix, n_new_participants = add_votes(state.matrix, new_votes)
    # Small batches add up: the group count is reconsidered once 5% more votes have arrived
    # since it was last chosen.
    material = matrix.codes.nnz - state.votes_at_last_search >= MATERIAL_VOTE_SHARE * max(
        state.votes_at_last_search, 1
    )
    report = UpdateReport(len(new_votes), n_new_participants, material, False, 0.0)
    return _run(statements, matrix, previous.options, state=state, report=report, progress=progress)


def _check_options(options: AnalysisOptions) -> None:
    if options.min_votes < 0:
        raise VoteDataError(f"min_votes must be 0 or more (got {options.min_votes})")
    if options.seed < 0:
        raise VoteDataError(f"seed must be 0 or more (got {options.seed})")
    if options.pick_max < 1:
        raise VoteDataError(f"pick_max must be 1 or more (got {options.pick_max})")
    if not 1 <= options.min_groups <= options.max_groups:
        raise VoteDataError(
            f"group counts must satisfy 1 <= min_groups <= max_groups "
            f"(got {options.min_groups}..{options.max_groups})"
        )
    if not 0.5 <= options.confidence < 1:
        raise VoteDataError(f"confidence must be in [0.5, 1) (got {options.confidence})")
    if options.base_clusters < options.max_groups:
        raise VoteDataError("base_clusters must be at least max_groups")


def _run(
    statements: tuple[Statement, ...],
    matrix: VoteMatrix,
    options: AnalysisOptions,
    *,
    state: _State | None,
    report: UpdateReport,
    progress: ProgressCallback,
    fixed: _FixedGroups | None = None,
) -> Analysis:
    with _thread_limit(matrix.shape[0]):
        return _analyse(
            statements,
            matrix,
            options,
            state=state,
            report=report,
            progress=progress,
            fixed=fixed,
        )


def _analyse(
    statements: tuple[Statement, ...],
    matrix: VoteMatrix,
    options: AnalysisOptions,
    *,
    state: _State | None,
    report: UpdateReport,
    progress: ProgressCallback,
    fixed: _FixedGroups | None,
) -> Analysis:
    moderated_out = [s.id for s in statements if s.is_moderated_out]
    active = ~np.isin(matrix.statements, np.fromiter(moderated_out, np.int64, len(moderated_out)))
    progress("projection", 0.2)
    projection = project(matrix, active, None if state is None else state.projection.components)
    rows_in = _participants_in(matrix, active, options.min_votes) if fixed is None else fixed.rows
    if len(rows_in) < 2:
        raise NotEnoughVotesError(
            f"only {len(rows_in)} participant(s) voted on at least {options.min_votes} statements; "
            "opinion groups need at least two"
        )
    progress("clustering", 0.4)
    points = projection.coordinates[rows_in]
    if fixed is None:
        base, clusters = _cluster(points, options, state, report.reclustered)
    else:
        base, clusters = None, _fixed_clusters(points, fixed)
    row_index = np.full(matrix.shape[0], -1, dtype=np.int64)
    row_index[rows_in] = clusters.labels
    if fixed is None:
        group_ids, report = _stable_ids(state, row_index, clusters, report)
    else:
        group_ids = fixed.ids
    progress("statistics", 0.8)
    counts = count_votes(matrix, rows_in, clusters.labels, len(clusters.centers))
    stats = group_statistics(counts)
    everyone = np.arange(matrix.shape[0], dtype=np.int64)
    overall = count_votes(matrix, everyone, np.zeros(len(everyone), dtype=np.int64), 1)
    candidates = _candidates(matrix, active)
    groups = _groups(
        matrix,
        stats,
        clusters,
        group_ids=group_ids,
        rows_in=rows_in,
        candidates=candidates,
        options=options,
    )
    agree, disagree = consensus_statements(
        overall, matrix.statements, candidates, options.pick_max, options.confidence
    )
    bridging = group_informed_consensus(counts, matrix.statements, candidates, options.consensus)
    progress("done", 1.0)
    participants = tuple(matrix.participants.tolist())
    return Analysis(
        participants=participants,
        coordinates=projection.coordinates,
        participants_in=tuple(matrix.participants[rows_in].tolist()),
        group_labels=group_ids[clusters.labels],
        statements=tuple(int(s) for s in np.sort(matrix.statements[candidates])),
        groups=groups,
        consensus_agree=agree,
        consensus_disagree=disagree,
        group_informed_consensus=bridging,
        silhouette=clusters.silhouette,
        options=options,
        report=report,
        state=_State(
            statements,
            matrix,
            projection,
            rows_in,
            base,
            clusters.centers,
            group_ids,
            row_index,
            matrix.codes.nnz if state is None or report.reclustered else state.votes_at_last_search,
        ),
    )


def _participants_in(matrix: VoteMatrix, active: NDArray[np.bool_], min_votes: int) -> IntArray:
    """Rows of participants who voted enough: Polis counts every vote cast (moderated-out
    statements included) and asks for `min_votes`, or every active statement if there are fewer."""
    needed = min(
        min_votes, max(int(np.count_nonzero(active & (matrix.votes_per_statement() > 0))), 1)
    )
    return np.flatnonzero(matrix.votes_per_participant() >= needed).astype(np.int64)


def _candidates(matrix: VoteMatrix, active: NDArray[np.bool_]) -> IntArray:
    """Columns that may be reported, in statement-id order: active and voted on."""
    eligible = active & (matrix.votes_per_statement() > 0)
    columns = np.flatnonzero(eligible)
    return columns[np.argsort(matrix.statements[columns], kind="stable")].astype(np.int64)


def _cluster(
    points: FloatArray, options: AnalysisOptions, state: _State | None, search: bool
) -> tuple[BaseClusters | None, Clusters]:
    k_range = range(options.min_groups, options.max_groups + 1)
    previous_centers = None if state is None else state.group_centers
    direct = options.clustering == "polis" or (
        options.clustering == "auto" and len(points) <= DIRECT_CLUSTERING_LIMIT
    )
    if direct:
        clusters = choose_groups(
            points, k_range, previous=previous_centers, k_margin=options.k_margin, search=search
        )
        return None, clusters
    previous_base = None if state is None or state.base is None else state.base.centers
    base = base_clusters(points, options.base_clusters, options.seed, previous_base)
    grouped = choose_groups(
        base.centers,
        k_range,
        weights=base.weights,
        previous=previous_centers,
        k_margin=options.k_margin,
        search=search,
        seed=options.seed,
    )
    labels = grouped.labels[base.labels]
    return base, Clusters(labels, grouped.centers, grouped.silhouette)


def _fixed_clusters(points: FloatArray, fixed: _FixedGroups) -> Clusters:
    k = len(fixed.ids)
    centers = np.stack([points[fixed.labels == g].mean(axis=0) for g in range(k)])
    score = float(silhouette_score(points, fixed.labels)) if len(points) > k else -1.0
    return Clusters(fixed.labels, centers, score)


def _stable_ids(
    state: _State | None, row_index: IntArray, clusters: Clusters, report: UpdateReport
) -> tuple[IntArray, UpdateReport]:
    """Group ids: by size for a fresh analysis, following the previous groups for an update."""
    k = len(clusters.centers)
    if state is None:
        sizes = np.bincount(clusters.labels, minlength=k)
        order = np.lexsort((clusters.centers[:, 0], -sizes))
        ids = np.empty(k, dtype=np.int64)
        ids[order] = np.arange(k)
        return ids, report
    old = np.full(len(row_index), -1, dtype=np.int64)
    old[: len(state.row_group_index)] = state.row_group_index
    ids = match_labels(old, state.group_ids, row_index, k)
    both = (old >= 0) & (row_index >= 0)
    changed = state.group_ids[old[both]] != ids[row_index[both]]
    relabelled = float(changed.mean()) if both.any() else 0.0
    return ids, replace(
        report, group_count_changed=k != len(state.group_ids), relabelled=relabelled
    )


def _groups(
    matrix: VoteMatrix,
    stats: GroupStatistics,
    clusters: Clusters,
    *,
    group_ids: IntArray,
    rows_in: IntArray,
    candidates: IntArray,
    options: AnalysisOptions,
) -> tuple[OpinionGroup, ...]:
    representative = representative_statements(
        stats, matrix.statements, candidates, options.pick_max, options.confidence
    )
    groups = [
        OpinionGroup(
            id=int(group_ids[g]),
            members=tuple(matrix.participants[rows_in[clusters.labels == g]].tolist()),
            center=(float(clusters.centers[g, 0]), float(clusters.centers[g, 1])),
            representative=representative[g],
            stats=stats.for_group(g, matrix.statements, candidates),
        )
        for g in range(len(clusters.centers))
    ]
    return tuple(sorted(groups, key=lambda group: group.id))
