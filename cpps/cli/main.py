"""The `cpps` command: engine sub-commands that work on files, and every Django management
command (`cpps migrate`, `cpps runserver`, `cpps import-census`, ...) like `manage.py`."""

from __future__ import annotations

import os
import sys
from importlib import import_module

# Engine command groups run without Django or a database: anyone can re-run them on published files.
ENGINE_COMMAND_MODULES: dict[str, str] = {
    "panel": "cpps.cli.panel",
    "deliberate": "cpps.cli.deliberate",
    "weight": "cpps.cli.weight",
    "rank": "cpps.cli.rank",
}


def main(argv: list[str] | None = None) -> int:
    """Dispatch to an engine command group, or else to Django's management commands."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in ENGINE_COMMAND_MODULES:
        module = import_module(ENGINE_COMMAND_MODULES[arguments[0]])
        exit_code: int = module.main(arguments[1:])
        return exit_code
    return run_django_command(arguments)


def run_django_command(arguments: list[str]) -> int:
    """Run a Django management command; hyphenated names (`import-census`) map to module names."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpps.config.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    if arguments and not arguments[0].startswith("-"):
        arguments[0] = arguments[0].replace("-", "_")
    execute_from_command_line(["cpps", *arguments])
    return 0


if __name__ == "__main__":
    sys.exit(main())
