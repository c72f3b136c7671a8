"""Benchmark the deliberation engine against red-dwarf on real and planted conversations.

Each measurement runs in its own process so peak memory (max RSS, input data included) belongs
to one tool and one conversation. Prints wall time, peak memory, group count and adjusted Rand
indices: against Polis's own groups (real data; path-dependent, a sanity check only), against
the planted groups (synthetic), and between the two tools.

    python benchmarks/deliberation.py            # real data + 10k / 100k / 1M planted
    python benchmarks/deliberation.py --quick    # real data + 10k planted
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
POLIS_DATA = ROOT / "data" / "polis"
STATEMENTS = 2_000
DENSITY = 0.02
PLANTED_GROUPS = 3
# red-dwarf works on dense pandas copies; cap its address space so a case that cannot fit
# fails with MemoryError instead of pushing the machine into swap or the OOM killer.
REDDWARF_MEMORY_LIMIT = 16 * 2**30
WORKER_TIMEOUT = 1_800


def _load(case: str) -> tuple[Any, dict[Any, int], np.ndarray | None]:
    """(conversation, Polis groups, planted labels) for a case name."""
    sys.path.insert(0, str(ROOT))
    from cpps.engines.deliberation import read_polis_export  # noqa: PLC0415
    from cpps.engines.deliberation.synthetic import planted_conversation  # noqa: PLC0415

    if case.startswith("planted-"):
        n = int(case.removeprefix("planted-"))
        planted = planted_conversation(
            n, STATEMENTS, density=DENSITY, n_groups=PLANTED_GROUPS, seed=2026
        )
        return planted.conversation, {}, planted.planted
    export = read_polis_export(POLIS_DATA / case)
    return export.conversation, dict(export.polis_groups), None


def _reddwarf_votes(conversation: Any) -> list[dict[str, Any]]:
    votes = conversation.votes
    order = np.lexsort((np.arange(len(votes)), votes.timestamps))
    latest: dict[tuple[Any, int], dict[str, Any]] = {}
    participants = votes.participants.tolist()
    statements = votes.statements.tolist()
    values = votes.values.tolist()
    stamps = votes.timestamps.tolist()
    for i in order.tolist():
        latest[(participants[i], statements[i])] = {
            "participant_id": participants[i],
            "statement_id": statements[i],
            "vote": values[i],
            "modified": stamps[i],
        }
    return list(latest.values())


def _run_ours(conversation: Any, _: Any) -> tuple[list[Any], list[int]]:
    from cpps.engines.deliberation import analyze_conversation  # noqa: PLC0415

    analysis = analyze_conversation(conversation)
    return list(analysis.participants_in), analysis.group_labels.tolist()


def _run_reddwarf(conversation: Any, votes: Any) -> tuple[list[Any], list[int]]:
    from reddwarf.implementations.polis import run_pipeline  # noqa: PLC0415

    result = run_pipeline(
        votes=votes, mod_out_statement_ids=sorted(conversation.moderated_out), random_state=0
    )
    clustered = result.participants_df[result.participants_df["to_cluster"]]
    return clustered.index.tolist(), clustered["cluster_id"].astype(int).tolist()


def worker(tool: str, case: str, labels_path: str) -> None:
    """Measure one tool on one case; print a JSON line, save labels to `labels_path`."""
    if tool == "red-dwarf":
        resource.setrlimit(resource.RLIMIT_AS, (REDDWARF_MEMORY_LIMIT, REDDWARF_MEMORY_LIMIT))
    conversation, _, _ = _load(case)
    # Imports are not part of the measured time.
    if tool == "cpps":
        import cpps.engines.deliberation  # noqa: F401, PLC0415
    else:
        import reddwarf.implementations.polis  # noqa: F401, PLC0415
    outcome: dict[str, Any] = {}
    start = time.perf_counter()
    try:
        # red-dwarf takes a list of vote dicts; building it is input preparation, not timed.
        votes = _reddwarf_votes(conversation) if tool == "red-dwarf" else None
        start = time.perf_counter()
        participants, labels = (_run_ours if tool == "cpps" else _run_reddwarf)(conversation, votes)
        np.savez(labels_path, participants=np.asarray(participants), labels=np.asarray(labels))
        outcome["status"] = "ok"
    except MemoryError:
        outcome["status"] = (
            f"MemoryError (address space capped at {REDDWARF_MEMORY_LIMIT / 2**30:.0f} GiB)"
        )
    outcome["seconds"] = time.perf_counter() - start
    outcome["peak_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(json.dumps(outcome))


def _measure(tool: str, case: str, directory: Path) -> dict[str, Any]:
    labels_path = directory / f"{tool}-{case}.npz"
    command = [sys.executable, __file__, "--worker", tool, case, str(labels_path)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=WORKER_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        return {"status": f"timeout after {WORKER_TIMEOUT} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"status": f"failed (exit {done.returncode}): {last[:80]}"}
    outcome: dict[str, Any] = json.loads(lines[-1])
    if outcome["status"] == "ok":
        saved = np.load(labels_path, allow_pickle=True)
        outcome["groups"] = dict(
            zip(saved["participants"].tolist(), saved["labels"].tolist(), strict=True)
        )
    return outcome


def _ari(first: dict[Any, int], second: dict[Any, int]) -> str:
    from sklearn.metrics import adjusted_rand_score  # noqa: PLC0415

    common = sorted(set(first) & set(second))
    if not common:
        return "-"
    return f"{adjusted_rand_score([first[p] for p in common], [second[p] for p in common]):.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="real data and 10,000 participants only"
    )
    parser.add_argument(
        "--worker", nargs=3, metavar=("TOOL", "CASE", "LABELS"), help=argparse.SUPPRESS
    )
    parser.add_argument("--skip-reddwarf-above", type=int, default=1_000_000)
    arguments = parser.parse_args()
    if arguments.worker:
        worker(*arguments.worker)
        return 0
    cases = sorted(p.name for p in POLIS_DATA.iterdir() if (p / "votes.csv").is_file())
    sizes = [10_000] if arguments.quick else [10_000, 100_000, 1_000_000]
    cases += [f"planted-{n}" for n in sizes]
    header = (
        f"{'conversation':<28} {'tool':<10} {'seconds':>8} {'peak GiB':>9} {'groups':>6} "
        f"{'ARI ref':>8} {'ARI cpps~rd':>11}  status"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as scratch:
        for case in cases:
            _, polis_groups, planted = _load(case)
            reference = polis_groups or {
                i: int(g) for i, g in enumerate(planted if planted is not None else [])
            }
            results = {}
            for tool in ("cpps", "red-dwarf"):
                size = int(case.removeprefix("planted-")) if case.startswith("planted-") else 0
                if tool == "red-dwarf" and size > arguments.skip_reddwarf_above:
                    results[tool] = _attempt_note()
                else:
                    results[tool] = _measure(tool, case, Path(scratch))
            both = all("groups" in r for r in results.values())
            between = (
                _ari(results["cpps"]["groups"], results["red-dwarf"]["groups"]) if both else "-"
            )
            for tool, outcome in results.items():
                seconds = f"{outcome['seconds']:.2f}" if "seconds" in outcome else "-"
                peak = f"{outcome['peak_gib']:.2f}" if "peak_gib" in outcome else "-"
                groups = outcome.get("groups", {})
                count = str(len(set(groups.values()))) if groups else "-"
                ref = _ari(groups, reference) if groups else "-"
                print(
                    f"{case:<28} {tool:<10} {seconds:>8} {peak:>9} {count:>6} {ref:>8} "
                    f"{between:>11}  {outcome['status']}",
                    flush=True,
                )
    print("ARI ref: against Polis's group-id (real) or the planted groups (synthetic).")
    stability_table()
    return 0


def stability_table() -> None:
    """Group counts over the last 5% of each real conversation's votes (fresh runs vs updates)
    and the share of participants relabelled when the last 1% of votes arrives."""
    from cpps.engines.deliberation import (  # noqa: PLC0415
        Conversation,
        VoteTable,
        analyze_conversation,
        update_analysis,
    )

    print()
    print(f"{'conversation':<28} {'k fresh 95..100%':<20} {'k updated 95..100%':<20} relabelled")
    for case in sorted(p.name for p in POLIS_DATA.iterdir() if (p / "votes.csv").is_file()):
        conversation, _, _ = _load(case)
        votes = conversation.votes
        order = np.argsort(votes.timestamps, kind="stable")

        def part(index: np.ndarray, votes: Any = votes) -> Any:
            return VoteTable(
                votes.participants[index],
                votes.statements[index],
                votes.values[index],
                votes.timestamps[index],
            )

        cuts = [round(len(votes) * share) for share in np.linspace(0.95, 1.0, 6)]
        fresh = [
            len(analyze_conversation(Conversation(conversation.statements, part(order[:c]))).groups)
            for c in cuts
        ]
        analysis = analyze_conversation(
            Conversation(conversation.statements, part(order[: cuts[0]]))
        )
        updated = [len(analysis.groups)]
        relabelled = []
        for start, stop in itertools.pairwise(cuts):
            analysis = update_analysis(analysis, part(order[start:stop]))
            updated.append(len(analysis.groups))
            relabelled.append(analysis.report.relabelled)
        shown = f"max {max(relabelled):.3f}, mean {np.mean(relabelled):.3f}"
        print(f"{case:<28} {fresh!s:<20} {updated!s:<20} {shown}")


def _attempt_note() -> dict[str, Any]:
    return {"status": "not run: --skip-reddwarf-above"}


if __name__ == "__main__":
    sys.exit(main())
