"""``phbrefs demo``: build the example PHB review offline and write every table and the map."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from phbrefs.cli import context
from phbrefs.cli.context import message, out, print_json
from phbrefs.cli.options import JsonOption


def demo(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="FOLDER",
            help="Where library.db and exports/ go [default: the current folder].",
            show_default=False,
        ),
    ] = Path("."),
    as_json: JsonOption = False,
) -> None:
    """Build the example PHB review and write every table and the map.

    Adds the two seed papers with their coding and CERQual judgements to FOLDER/library.db
    (unless --db is given before the command) and writes every table and the evidence map
    into FOLDER/exports. Safe to re-run.
    """
    from phbrefs.db.location import Location
    from phbrefs.evidence.example import build_demo
    from phbrefs.library import Library

    db = Location(context.state.db or str(folder / "library.db"))
    if db.path is not None:
        db.path.parent.mkdir(parents=True, exist_ok=True)
    with Library(db, lock_wait=context.settings().lock_timeout) as library:
        result = build_demo(library, folder / "exports", coder=context.settings().who)
    if as_json:
        print_json({"library": str(db), **result.to_dict()})
        return
    for path in result.written:
        out.print(str(path))
    added = sum(1 for r in result.papers if r.outcome == "added")
    changes = result.coding.changed
    message(
        f"library {db}: {added} paper(s) added, {changes} coding change(s); "
        f"{len(result.written)} files written"
    )


def register(app: typer.Typer) -> None:
    app.command()(demo)
