"""The ``tbtwarn`` console script: a stop request is noted before the slow
imports (see :mod:`warning.service.early_stop`), then :func:`warning.cli.main.main` runs."""

from __future__ import annotations

import sys

from warning.service import early_stop


def main() -> int:
    early_stop.install()
    from warning.cli.main import main as run_command  # the slow imports

    return run_command()


if __name__ == "__main__":
    sys.exit(main())
