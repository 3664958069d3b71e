"""Options several commands share, declared once so they read and behave the same everywhere."""

from __future__ import annotations

from typing import Annotated

import typer

JsonOption = Annotated[bool, typer.Option("--json", help="Write JSON to stdout.")]
SelectTagOption = Annotated[
    list[str],
    typer.Option("--tag", "-t", metavar="TAG", help="Works with this tag (repeat: all)."),
]
AllOption = Annotated[bool, typer.Option("--all", help="Every work in the library.")]
