"""Privacy by design: per-process pseudonyms, keyed digests of contact details, and small-cell
suppression (with optional count noise) for every published table."""

from cpps.engines.privacy._pseudonyms import keyed_digest, new_process_salt, pseudonym
from cpps.engines.privacy._suppression import (
    DEFAULT_THRESHOLD,
    SuppressedTable,
    SuppressionError,
    add_count_noise,
    is_small,
    suppress_table,
    withheld_groups,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "SuppressedTable",
    "SuppressionError",
    "add_count_noise",
    "is_small",
    "keyed_digest",
    "new_process_salt",
    "pseudonym",
    "suppress_table",
    "withheld_groups",
]
