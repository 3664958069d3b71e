"""The ``phbrefs`` command line: a thin Typer layer over the core library."""

from __future__ import annotations

import sys


def main() -> None:
    from phbrefs.cli.app import app
    from phbrefs.heap import skip_final_collection

    try:
        app(prog_name="phbrefs")
    finally:  # also on the SystemExit that carries the exit code
        skip_final_collection()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
