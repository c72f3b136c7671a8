"""Spreadsheet safety for every CSV the platform reads or writes (OWASP "CSV injection")."""

from __future__ import annotations

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "|")


def starts_like_formula(cell: str) -> bool:
    """Say whether a spreadsheet would run the cell as a formula (plain numbers are safe)."""
    if not cell.startswith(FORMULA_PREFIXES):
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return False
