"""The demo jurisdiction, built through the same services as production (see loader.py)."""
