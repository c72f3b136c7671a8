"""The published record of a draw, and its re-derivation from those files alone."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cpps.engines.sortition._draw import (
    COMMITMENT_FORMAT,
    Commitment,
    Draw,
    commit,
    draw_panel,
    lottery_digest,
    panel_meets_quotas,
    replace_withdrawn,
)
from cpps.engines.sortition._io import categories_of, read_pool, read_quotas
from cpps.engines.sortition._lottery import lottery_probabilities
from cpps.engines.sortition._model import Lottery, Pool, Quota, SortitionError, TranscriptError

TRANSCRIPT_FILES = (
    "categories.csv",
    "respondents.csv",
    "commitment.json",
    "lottery.json",
    "draw.json",
    "probabilities.csv",
)


@dataclass(frozen=True)
class Verification:
    """What `verify_transcript` re-derived; it raises instead of returning on any mismatch."""

    commitment_digest: str
    index: int
    panel: tuple[str, ...]
    lottery_panels: int
    min_probability: float
    max_probability: float


def write_transcript(
    directory: Path | str,
    *,
    pool: Pool,
    quotas: Sequence[Quota],
    commitment: Commitment,
    lottery: Lottery,
    draw: Draw,
    probabilities: Sequence[float] | None = None,
) -> None:
    """Write the files anyone needs to re-derive `draw` (format in the package docstring)."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    categories = categories_of(quotas)
    with (folder / "categories.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["category", "feature", "min", "max"])
        writer.writerows([q.category, q.value, q.min, q.max] for q in quotas)
    with (folder / "respondents.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *categories, "household"])
        writer.writerows(
            [p.id, *(p.features[c] for c in categories), p.household or ""] for p in pool.people
        )
    settings = {
        k: v for k, v in commitment.payload.items() if k not in ("pool", "quotas", "categories")
    }
    _write_json(folder / "commitment.json", {**settings, "sha256": commitment.digest})
    _write_json(folder / "lottery.json", {"panels": [list(panel) for panel in lottery.panels]})
    _write_json(
        folder / "draw.json",
        {
            "public_randomness": draw.public_randomness,
            "seed": draw.seed,
            "index": draw.index,
            "drawn": list(draw.drawn),
            "panel": list(draw.panel),
            "alternates": list(draw.alternates),
            "replacements": [list(pair) for pair in draw.replacements],
        },
    )
    with (folder / "probabilities.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "probability", "lottery_probability"])
        exact = probabilities if probabilities is not None else lottery.probabilities
        writer.writerows(
            [person, f"{p:.12f}", f"{lp:.12f}"]
            for person, p, lp in zip(lottery.people_ids, exact, lottery.probabilities, strict=True)
        )


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _read_json(path: Path) -> dict[str, object]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TranscriptError(f"cannot read {path.name}: {error}") from None
    if not isinstance(value, dict):
        raise TranscriptError(f"{path.name} must hold a JSON object")
    return value


def verify_transcript(directory: Path | str) -> Verification:
    """Re-derive the commitment, seed, panel, alternates and replacements from the files.

    Raises:
        TranscriptError: a file is missing or malformed, or anything re-derived differs from what
            was published (every mismatch is listed).
    """
    folder = Path(directory)
    missing = [name for name in TRANSCRIPT_FILES if not (folder / name).is_file()]
    if missing:
        raise TranscriptError(f"{folder} lacks {', '.join(missing)}")
    try:
        quotas = read_quotas(folder / "categories.csv")
        pool = read_pool(
            folder / "respondents.csv",
            categories=categories_of(quotas),
            id_column="id",
            household_columns=("household",),
        )
    except SortitionError as error:
        raise TranscriptError(f"the published pool or quotas do not read: {error}") from None
    settings = _read_json(folder / "commitment.json")
    published = _read_json(folder / "draw.json")
    panels_raw = _read_json(folder / "lottery.json").get("panels")
    try:
        panels = tuple(tuple(str(person) for person in panel) for panel in panels_raw)  # type: ignore[attr-defined]
        size = int(settings["size"])  # type: ignore[call-overload]
        lottery = Lottery(
            panels=panels,
            probabilities=lottery_probabilities(panels, pool.ids),
            people_ids=pool.ids,
            source_min_probability=0.0,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise TranscriptError(f"lottery.json or commitment.json is malformed: {error}") from None

    problems = _check_lottery(lottery, pool, quotas, size, settings)
    problems.extend(_check_probabilities(folder / "probabilities.csv", lottery, size))
    commitment = commit(
        pool,
        quotas,
        size,
        algorithm=settings.get("algorithm"),  # type: ignore[arg-type]
        randomness_source=str(settings.get("randomness_source")),
        lottery=lottery,
    )
    if settings.get("format") != COMMITMENT_FORMAT:
        problems.append(f"commitment format {settings.get('format')!r} is not {COMMITMENT_FORMAT}")
    if commitment.digest != settings.get("sha256"):
        problems.append(
            f"commitment hash re-derived as {commitment.digest}, published {settings.get('sha256')}"
        )
    if commitment.payload["engine_version"] != settings.get("engine_version"):
        problems.append(f"engine version {settings.get('engine_version')!r} is not this engine's")
    draw = _replay(
        lottery=lottery,
        commitment=commitment,
        published=published,
        pool=pool,
        quotas=quotas,
        problems=problems,
    )
    if problems:
        raise TranscriptError("; ".join(problems))
    return Verification(
        commitment_digest=commitment.digest,
        index=draw.index,
        panel=draw.panel,
        lottery_panels=len(panels),
        min_probability=min(lottery.probabilities),
        max_probability=max(lottery.probabilities),
    )


def _check_probabilities(path: Path, lottery: Lottery, size: int) -> list[str]:
    """The published probabilities must name the pool, match the lottery and add up to the size.

    The LEXIMIN column cannot be re-solved bit for bit on every machine, so it is checked for
    consistency; the lottery column is re-derived exactly from lottery.json.
    """
    expected = {
        person: f"{share:.12f}"
        for person, share in zip(lottery.people_ids, lottery.probabilities, strict=True)
    }
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        published = {
            row["id"]: (float(row["probability"]), row["lottery_probability"]) for row in rows
        }
    except (KeyError, TypeError, ValueError, UnicodeDecodeError) as error:
        return [f"probabilities.csv is malformed: {error}"]
    if len(rows) != len(published) or set(published) != set(expected):
        return ["probabilities.csv does not list exactly the people in respondents.csv"]
    problems = [
        f"probabilities.csv gives {person} a lottery probability of {shown}, lottery.json gives "
        f"{expected[person]}"
        for person, (_, shown) in published.items()
        if shown != expected[person]
    ][:5]
    exact = [probability for probability, _ in published.values()]
    if any(not 0.0 <= p <= 1.0 for p in exact) or abs(sum(exact) - size) > 1e-6:
        problems.append(
            "probabilities.csv's probabilities are not between 0 and 1 summing to the size"
        )
    return problems


def _check_lottery(
    lottery: Lottery, pool: Pool, quotas: Sequence[Quota], size: int, settings: dict[str, object]
) -> list[str]:
    problems = []
    if not lottery.panels:
        problems.append("the lottery has no panels")
    people = {person.id: person for person in pool.people}
    for number, panel in enumerate(lottery.panels):
        unknown = [person for person in panel if person not in people]
        if unknown:
            problems.append(f"lottery panel {number} names unknown ids {', '.join(unknown[:3])}")
        elif not panel_meets_quotas(panel, people, quotas, size):
            problems.append(f"lottery panel {number} breaks a quota, the size or a household")
    if lottery_digest(lottery.panels) != settings.get("lottery_sha256"):
        problems.append("lottery.json does not match the lottery hash in the commitment")
    return problems[:20]


def _replay(
    *,
    lottery: Lottery,
    commitment: Commitment,
    published: dict[str, object],
    pool: Pool,
    quotas: Sequence[Quota],
    problems: list[str],
) -> Draw:
    draw = draw_panel(lottery, commitment, str(published.get("public_randomness")))
    replacements = published.get("replacements") or []
    try:
        withdrawn = [str(pair[0]) for pair in replacements]  # type: ignore[attr-defined]
        draw = replace_withdrawn(draw, withdrawn, pool, quotas)
    except (TypeError, IndexError, SortitionError) as error:
        problems.append(f"the published replacements do not replay: {error}")
    expected: dict[str, object] = {
        "seed": draw.seed,
        "index": draw.index,
        "drawn": list(draw.drawn),
        "panel": list(draw.panel),
        "alternates": list(draw.alternates),
        "replacements": [list(pair) for pair in draw.replacements],
    }
    for key, value in expected.items():
        if published.get(key) != value:
            problems.append(f"draw.json '{key}' differs from the re-derived value")
    return draw
