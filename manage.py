#!/usr/bin/env python
"""Django's command-line utility; `cpps` (the console script) does the same and more."""

import sys

from cpps.cli.main import run_django_command

if __name__ == "__main__":
    sys.exit(run_django_command(sys.argv[1:]))
