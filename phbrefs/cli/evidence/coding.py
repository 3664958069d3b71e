"""The ``coding`` commands: export a coding form and import it back once filled in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from phbrefs.cli import context
from phbrefs.cli.base import PhbrefsTyper
from phbrefs.cli.context import message, open_library, out, print_json, warn
from phbrefs.cli.evidence.common import CoderOption, coder_or_setting
from phbrefs.cli.options import JsonOption

coding_app = PhbrefsTyper(help="Coding forms to fill in with Excel, LibreOffice or scripts.")


@coding_app.command("export")
def coding_export(
    path: Annotated[
        Path, typer.Argument(metavar="FILE", help="coding.xlsx, .csv, .yaml or .json.")
    ],
    tag: Annotated[
        list[str],
        typer.Option("--tag", "-t", metavar="TAG", help="Only papers with this tag (repeat)."),
    ] = [],  # noqa: B006
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a coding form: papers, claims, findings and CERQual rows."""
    from phbrefs.evidence.coding import export_coding

    with open_library() as library:
        counts = export_coding(library, path, tags=tag, overwrite=force)
    out.print(str(path))
    message(f"wrote {path}: " + ", ".join(f"{n} {sheet}" for sheet, n in counts.items()))


@coding_app.command("import")
def coding_import(
    path: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="A filled-in coding form (.xlsx, .csv, .yaml, .json)."),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and count, change nothing.")
    ] = False,
    coder: CoderOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a filled-in coding form.

    Every row is validated first: on any problem (listed by sheet, row and column) nothing is
    imported. Importing the same file again changes nothing.
    """
    from phbrefs.errors import ValidationError
    from phbrefs.evidence.coding import import_coding

    with open_library() as library:
        try:
            report = import_coding(library, path, dry_run=dry_run, coder=coder_or_setting(coder))
        except ValidationError as error:
            for problem in error.problems:
                context.err.print(problem, markup=False, highlight=False, soft_wrap=True)
            raise
    for warning in report.warnings:
        warn(warning)
    if as_json:
        print_json(report.to_dict())
        return
    table = Table(title=f"{'would import' if dry_run else 'imported'} {path.name}")
    table.add_column("sheet")
    for outcome in ("added", "updated", "unchanged"):
        table.add_column(outcome, justify="right")
    for sheet, counts in report.by_kind().items():
        table.add_row(sheet, *(str(counts.get(o, 0)) for o in ("added", "updated", "unchanged")))
    context.err.print(table)
