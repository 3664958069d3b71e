"""Keeping a library sound: doctor."""

from __future__ import annotations

from typing import Annotated

import typer

from phbrefs.cli import context
from phbrefs.cli.context import err, message, print_json
from phbrefs.cli.options import JsonOption
from phbrefs.errors import StorageError


def doctor(
    check_only: Annotated[
        bool, typer.Option("--check", help="Only check: repair nothing.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Check the library's database and full-text index; rebuild the index if only it is
    damaged.

    Exit 0 when the library is sound (or was repaired), 7 when its data is damaged.
    """
    from phbrefs.library import Library

    config = context.settings()
    if not config.db.exists():
        raise StorageError(f"no library at {config.db}")
    with Library(
        config.db, create=False, lock_wait=config.lock_timeout, actor=config.who, check=False
    ) as library:
        report = library.doctor(repair=not check_only)
    if as_json:
        print_json(report.to_dict())
    else:
        for check in report.checks:
            err.print(f"{'ok' if check.ok else 'DAMAGED'}\t{check.name}: {check.detail}")
        for repair in report.repaired:
            message(f"repaired: {repair}")
    if not report.data_ok:
        raise StorageError(
            f"library {config.db} has damaged data that phbrefs cannot rebuild: restore it "
            "from a backup (or try 'sqlite3 FILE .recover')"
        )
    if report.index_damaged:
        raise StorageError("the search index is damaged: run 'phbrefs doctor' to rebuild it")
    if not report.repaired:
        message("the library is sound")


def register(app: typer.Typer) -> None:
    app.command()(doctor)
