"""Conversations: residents' statements and their votes on them."""

from __future__ import annotations

# The kind of process this app registers (see kind.py).
DELIBERATION_KIND = "deliberation"
