"""Domain engines: plain Python, NumPy, SciPy and HiGHS. Nothing here imports Django or the apps,
so every engine runs from the CLI and from tests alone (enforced by import-linter)."""
