"""``phbrefs db copy``: move a whole library between SQLite files and PostgreSQL databases."""

from __future__ import annotations

from typing import Annotated

import typer

from phbrefs.cli import context
from phbrefs.cli.base import PhbrefsTyper
from phbrefs.cli.context import counted, message, print_json
from phbrefs.cli.options import JsonOption

db_app = PhbrefsTyper(help="The library database itself: copy it between SQLite and PostgreSQL.")


@db_app.command("copy")
def copy(
    source: Annotated[
        str, typer.Argument(metavar="SRC", help="The library to copy: a file or postgresql://…")
    ],
    destination: Annotated[
        str,
        typer.Argument(
            metavar="DST", help="Where to copy it: a new file or an empty postgresql://… database."
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Copy every work, source record, tag, note, claim, finding, study, CERQual judgement and
    alias from SRC to DST, ids included, in one transaction.

    DST must hold no data (a new file, an empty PostgreSQL database, or a new library); SRC is
    left as it was. The full-text index of DST is rebuilt.
    """
    from phbrefs.db.copy import copy_library

    report = copy_library(source, destination, lock_wait=context.settings().lock_timeout)
    if as_json:
        print_json(report.to_dict())
        return
    copied = {name: n for name, n in report.rows.items() if n}
    details = ", ".join(counted(n, name) for name, n in copied.items())
    message(f"copied {report.source} to {report.destination}: {details or 'nothing'}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
