"""Privacy by design: per-process pseudonyms, keyed digests of contact details, and (later)
small-cell suppression of published tables."""

from cpps.engines.privacy._pseudonyms import keyed_digest, new_process_salt, pseudonym

__all__ = ["keyed_digest", "new_process_salt", "pseudonym"]
