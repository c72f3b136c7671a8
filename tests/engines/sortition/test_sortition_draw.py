"""Transparent lottery, commitment, seed, draw, alternates, replacements and verification."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from cpps.engines import sortition

RANDOMNESS_SOURCE = "EuroMillions main numbers, draw of 2026-12-04"


@pytest.fixture(scope="module")
def sfscot(instance):
    pool, quotas, size = instance("sfscot_22")
    distribution = sortition.find_distribution(pool, quotas, size)
    lottery = sortition.round_to_lottery(distribution, panels=1000)
    commitment = sortition.commit(
        pool,
        quotas,
        size,
        algorithm="leximin",
        randomness_source=RANDOMNESS_SOURCE,
        lottery=lottery,
    )
    return pool, quotas, size, distribution, lottery, commitment


def test_lottery_panels_meet_quotas_and_keep_probabilities_within_rounding(sfscot):
    pool, quotas, size, distribution, lottery, _ = sfscot
    people = {person.id: person for person in pool.people}
    assert len(lottery.panels) == 1000
    assert all(sortition.panel_meets_quotas(p, people, quotas, size) for p in lottery.panels)
    seats = Counter(person for panel in lottery.panels for person in panel)
    for person, exact, rounded in zip(
        lottery.people_ids, distribution.probabilities, lottery.probabilities, strict=True
    ):
        assert rounded == seats[person] / 1000
        # Each composition moves by less than one of the 1,000 slots; per person the greedy
        # rounding stays within a few slots of the exact probability.
        assert abs(rounded - exact) <= 4 / 1000
    assert lottery.loss == pytest.approx(distribution.min_probability - lottery.min_probability)
    assert 0 <= lottery.loss <= 1 / 1000


def test_commitment_changes_with_every_committed_input(sfscot):
    pool, quotas, size, _, lottery, commitment = sfscot

    def digest(**changes):
        arguments = {
            "pool": pool,
            "quotas": quotas,
            "size": size,
            "algorithm": "leximin",
            "randomness_source": RANDOMNESS_SOURCE,
            "lottery": lottery,
            **changes,
        }
        return sortition.commit(
            arguments.pop("pool"), arguments.pop("quotas"), arguments.pop("size"), **arguments
        ).digest

    assert digest() == commitment.digest
    assert digest(quotas=quotas[::-1]) == commitment.digest  # order of rows is not meaningful
    moved = dataclasses.replace(quotas[0], max=quotas[0].max + 1)
    changed = {
        digest(size=size - 1),
        digest(algorithm="maximin"),
        digest(randomness_source="another lottery"),
        digest(lottery=None),
        digest(quotas=(moved, *quotas[1:])),
        digest(pool=sortition.Pool(pool.people[1:])),
    }
    assert commitment.digest not in changed
    assert len(changed) == 6


def test_seed_is_sha256_of_the_documented_message():
    expected = hashlib.sha256(b"cpps-sortition-seed/1\x00abc\x0012 34").digest()
    assert sortition.derive_seed("abc", "12 34") == expected


def test_seed_stream_draws_uniformly():
    stream = sortition.SeedStream(b"x" * 32)
    counts = Counter(stream.randbelow(6) for _ in range(60_000))
    assert set(counts) == set(range(6))
    # Chi-square with 5 degrees of freedom; 20.5 is the 0.1% critical value.
    assert sum((c - 10_000) ** 2 / 10_000 for c in counts.values()) < 20.5


def test_draw_is_reproducible_and_orders_everyone_else_as_alternates(sfscot):
    pool, _, size, _, lottery, commitment = sfscot
    draw = sortition.draw_panel(lottery, commitment, "07 19 23 31 44")
    again = sortition.draw_panel(lottery, commitment.digest, "07 19 23 31 44")
    assert draw == again
    assert draw.panel == lottery.panels[draw.index]
    assert len(draw.panel) == size
    assert sorted(draw.alternates + draw.panel) == sorted(pool.ids)
    other = sortition.draw_panel(lottery, commitment, "07 19 23 31 45")
    assert (other.index, other.alternates) != (draw.index, draw.alternates)


def test_replacement_keeps_every_quota_and_uses_alternates_in_order(sfscot):
    pool, quotas, size, _, lottery, commitment = sfscot
    people = {person.id: person for person in pool.people}
    draw = sortition.draw_panel(lottery, commitment, "07 19 23 31 44")
    replaceable = []
    for member in draw.panel:
        try:
            replaced = sortition.replace_withdrawn(draw, [member], pool, quotas)
        except sortition.DrawError:
            continue
        replaceable.append(member)
        [(withdrawn, newcomer)] = replaced.replacements
        assert withdrawn == member
        assert sortition.panel_meets_quotas(replaced.panel, people, quotas, size)
        # No earlier alternate would have kept the quotas.
        remaining = [p for p in draw.panel if p != member]
        for earlier in draw.alternates[: draw.alternates.index(newcomer)]:
            assert not sortition.panel_meets_quotas([*remaining, earlier], people, quotas, size)
    assert replaceable
    with pytest.raises(sortition.DrawError, match="not on the panel"):
        sortition.replace_withdrawn(draw, [draw.alternates[0]], pool, quotas)


def _publish(sfscot, folder: Path) -> sortition.Draw:
    pool, quotas, _, distribution, lottery, commitment = sfscot
    draw = sortition.draw_panel(lottery, commitment, "07 19 23 31 44")
    member = next(m for m in draw.panel if _can_replace(draw, m, pool, quotas))
    draw = sortition.replace_withdrawn(draw, [member], pool, quotas)
    sortition.write_transcript(
        folder,
        pool=pool,
        quotas=quotas,
        commitment=commitment,
        lottery=lottery,
        draw=draw,
        probabilities=distribution.probabilities,
    )
    return draw


def _can_replace(draw, member, pool, quotas) -> bool:
    try:
        sortition.replace_withdrawn(draw, [member], pool, quotas)
    except sortition.DrawError:
        return False
    return True


def test_transcript_verifies_from_the_files_alone(sfscot, tmp_path: Path):
    draw = _publish(sfscot, tmp_path)
    verification = sortition.verify_transcript(tmp_path)
    assert verification.commitment_digest == sfscot[5].digest
    assert verification.index == draw.index
    assert verification.panel == draw.panel


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("categories.csv", "Gender,Female,11,12", "Gender,Female,11,13"),
        ("respondents.csv", "\n1,", "\n1x,"),
        ("draw.json", '"public_randomness": "07', '"public_randomness": "08'),
        ("commitment.json", '"size": 22', '"size": 21'),
    ],
)
def test_any_altered_file_fails_verification(sfscot, tmp_path: Path, name, old, new):
    _publish(sfscot, tmp_path)
    path = tmp_path / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(sortition.TranscriptError):
        sortition.verify_transcript(tmp_path)


def test_swapping_a_lottery_panel_fails_verification(sfscot, tmp_path: Path):
    draw = _publish(sfscot, tmp_path)
    path = tmp_path / "lottery.json"
    lottery = json.loads(path.read_text())
    lottery["panels"][draw.index], lottery["panels"][0] = (
        lottery["panels"][0],
        lottery["panels"][draw.index],
    )
    path.write_text(json.dumps(lottery))
    with pytest.raises(sortition.TranscriptError, match="lottery hash"):
        sortition.verify_transcript(tmp_path)


def test_missing_file_is_reported(tmp_path: Path):
    with pytest.raises(sortition.TranscriptError, match=r"lacks categories\.csv"):
        sortition.verify_transcript(tmp_path)


@pytest.mark.parametrize("damage", ["lottery_probability", "probability", "dropped_row"])
def test_altered_probabilities_fail_verification(sfscot, tmp_path: Path, damage):
    _publish(sfscot, tmp_path)
    path = tmp_path / "probabilities.csv"
    header, first, *rest = path.read_text().splitlines()
    person, probability, lottery_probability = first.split(",")
    if damage == "lottery_probability":
        first = f"{person},{probability},{float(lottery_probability) + 0.001:.12f}"
    elif damage == "probability":
        first = f"{person},{float(probability) + 0.5:.12f},{lottery_probability}"
    else:
        first = rest.pop(0)
    path.write_text("\n".join([header, first, *rest]) + "\n")
    with pytest.raises(sortition.TranscriptError, match=r"probabilities\.csv"):
        sortition.verify_transcript(tmp_path)
