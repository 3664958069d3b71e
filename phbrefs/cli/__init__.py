"""The ``phbrefs`` command line: a thin Typer layer over the core library."""

from __future__ import annotations

import sys


def main() -> None:
    from phbrefs.cli.app import app

    app(prog_name="phbrefs")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
