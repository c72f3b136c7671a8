"""Fair, checkable selection of citizens' panels by lot.

Pipeline (each step a plain function on frozen dataclasses; nothing here touches a database):

1. Read or build the inputs: `read_quotas` / `parse_quotas` accept `category,feature,min,max`
   (replication repo) and `feature,value,min,max` (Sortition Foundation); `read_pool` /
   `parse_pool` take one column per category, an optional id column and optional household
   columns (people sharing a household are never on the same panel).
2. `validate(pool, quotas, size)` raises `PoolError`, `QuotaError` or `InfeasibleQuotasError`
   (with `.relaxations`, the smallest change to the quotas that makes a panel possible).
3. `find_distribution(..., algorithm="leximin")` computes the LEXIMIN distribution over panels
   (Flanigan, Gölz, Gupta, Hennig, Procaccia, Nature 2021) exactly, over feature-combination
   types with HiGHS: the LEXIMIN of a relaxation of the panel polytope, written exactly as a
   distribution over feasible panels (cuts, or the paper's column generation, take over when it
   cannot be); "maximin" and "legacy" are there for comparison.
4. `round_to_lottery(distribution, panels=1000)` turns it into m equally likely named panels
   (Flanigan, Kehne, Procaccia 2021) and reports the fairness lost.
5. `commit(...)` fixes pool, quotas, size, algorithm, engine version, the declared public
   randomness source and the lottery; publish its `digest` before the randomness is known.
6. `draw_panel(lottery, commitment, public_randomness)` derives the seed
   `SHA-256("cpps-sortition-seed/1" 0x00 digest 0x00 randomness)`, draws the panel index from
   the seed stream (`SeedStream`: SHA-256 in counter mode, rejection-sampled integers) and
   shuffles everyone else into an ordered alternates queue with the same stream.
7. `replace_withdrawn(draw, [ids], pool, quotas)` gives each withdrawn member's seat to the first
   alternate that keeps every quota.
8. `write_transcript(directory, ...)` publishes the record; `verify_transcript(directory)`
   (CLI: `cpps panel verify DIR`) re-derives everything from it.

Transcript directory format (UTF-8; all files required):

- `categories.csv`: `category,feature,min,max`, one row per quota.
- `respondents.csv`: `id,<one column per category>,household` (household blank when none).
- `commitment.json`: `format` ("cpps-sortition-commitment/1"), `engine_version`, `algorithm`,
  `size`, `randomness_source`, `lottery_sha256` and `sha256`, the commitment digest: SHA-256 of
  the canonical JSON (sorted keys, no spaces, UTF-8) of these fields (without `sha256`) plus
  `categories` (sorted category names), `quotas` (sorted `[category, value, min, max]`) and
  `pool` (sorted `[id, [values in sorted category order], household or null]`).
- `lottery.json`: `{"panels": [[id, ...], ...]}`, the m panels, each sorted; `lottery_sha256`
  is SHA-256 of the canonical JSON of that list of lists.
- `draw.json`: `public_randomness`, `seed` (hex), `index` (0-based into the panels), `drawn`
  (the lottery panel), `panel` (after replacements, sorted), `alternates` (ordered),
  `replacements` (`[[withdrawn id, replacement id], ...]` in the order made).
- `probabilities.csv`: `id,probability,lottery_probability` (information for readers; the
  lottery probabilities are the share of the m panels each person sits on).
"""

from cpps.engines.sortition._distribution import find_distribution
from cpps.engines.sortition._draw import (
    ENGINE_VERSION,
    Commitment,
    Draw,
    SeedStream,
    canonical_json,
    commit,
    derive_seed,
    draw_panel,
    lottery_digest,
    panel_meets_quotas,
    replace_withdrawn,
)
from cpps.engines.sortition._io import (
    categories_of,
    parse_pool,
    parse_quotas,
    read_pool,
    read_quotas,
)
from cpps.engines.sortition._lottery import lottery_probabilities, round_to_lottery
from cpps.engines.sortition._model import (
    ALGORITHMS,
    STAGES,
    Algorithm,
    Distribution,
    DrawError,
    InfeasibleQuotasError,
    Lottery,
    Person,
    Pool,
    PoolError,
    ProgressCallback,
    Quota,
    QuotaError,
    Relaxation,
    SolverError,
    SortitionError,
    Stage,
    TranscriptError,
    no_progress,
)
from cpps.engines.sortition._transcript import Verification, verify_transcript, write_transcript
from cpps.engines.sortition._validate import relax_quotas, validate

__all__ = [
    "ALGORITHMS",
    "ENGINE_VERSION",
    "STAGES",
    "Algorithm",
    "Commitment",
    "Distribution",
    "Draw",
    "DrawError",
    "InfeasibleQuotasError",
    "Lottery",
    "Person",
    "Pool",
    "PoolError",
    "ProgressCallback",
    "Quota",
    "QuotaError",
    "Relaxation",
    "SeedStream",
    "SolverError",
    "SortitionError",
    "Stage",
    "TranscriptError",
    "Verification",
    "canonical_json",
    "categories_of",
    "commit",
    "derive_seed",
    "draw_panel",
    "find_distribution",
    "lottery_digest",
    "lottery_probabilities",
    "no_progress",
    "panel_meets_quotas",
    "parse_pool",
    "parse_quotas",
    "read_pool",
    "read_quotas",
    "relax_quotas",
    "replace_withdrawn",
    "round_to_lottery",
    "validate",
    "verify_transcript",
    "write_transcript",
]
