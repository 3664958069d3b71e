"""The coding round trip: export a coding form (xlsx, csv, yaml, json) with the library's papers,
claims, findings and CERQual assessments; a reviewer fills it in; import reads it back.

Import validates every row first and reports every problem by sheet, row and column; a file with
any problem changes nothing. Import is idempotent: findings are matched on their ``id`` or on
work + claim + quote, so re-importing the same file adds nothing.

The form's shape is in ``form``; ``reading`` parses a file, ``validator`` and ``plans`` check its
rows and turn them into writes, ``writing`` makes the export.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from phbrefs.errors import InvalidInputError, ValidationError
from phbrefs.evidence.coding.form import SHEETS, CodingData, format_of
from phbrefs.evidence.coding.plans import plan_cerqual, plan_claims, plan_findings, plan_papers
from phbrefs.evidence.coding.reading import read_coding
from phbrefs.evidence.coding.validator import Validator
from phbrefs.evidence.coding.writing import coding_rows, write_csv, write_structured, write_xlsx
from phbrefs.outcomes import BatchReport

if TYPE_CHECKING:
    from phbrefs.library import Library


class _DryRun(Exception):
    """Raised to roll the import transaction back after counting what it would do."""


def import_data(
    library: Library, data: CodingData, *, dry_run: bool = False, coder: str | None = None
) -> BatchReport:
    """Validate every row, then (unless ``dry_run``) apply them all in one transaction.

    Raises ``ValidationError`` listing every problem; nothing is written when there is one.
    """
    report = BatchReport(dry_run=dry_run, origin=data.origin)
    try:
        with library.transaction():
            v = Validator(library, data, coder)
            sheets = data.sheets
            ops = plan_claims(v, sheets.get("claims", []))
            ops += plan_papers(v, sheets.get("papers", []))
            ops += plan_findings(v, sheets.get("findings", []), coder)
            ops += plan_cerqual(v, sheets.get("cerqual", []))
            if v.problems:
                n = len(v.problems)
                raise ValidationError(
                    f"{data.origin}: {n} problem{'s' if n != 1 else ''}; nothing imported",
                    [str(p) for p in v.problems],
                )
            for op in ops:
                op(report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def import_coding(
    library: Library,
    path: Path,
    *,
    fmt: str | None = None,
    dry_run: bool = False,
    coder: str | None = None,
) -> BatchReport:
    return import_data(library, read_coding(path, fmt), dry_run=dry_run, coder=coder)


def export_coding(
    library: Library,
    path: Path,
    *,
    fmt: str | None = None,
    tags: Sequence[str] = (),
    overwrite: bool = False,
) -> dict[str, int]:
    """Write the coding form; returns how many rows each sheet got."""
    kind = format_of(path, fmt)
    if path.exists() and not overwrite:
        raise InvalidInputError(f"{path} exists; a filled-in form would be lost (use --force)")
    rows = coding_rows(library, tags=tags)
    if kind == "xlsx":
        write_xlsx(rows, path, library)
    elif kind == "csv":
        write_csv(rows, path)
    else:
        write_structured(rows, path, kind)
    return {sheet: len(rows[sheet]) for sheet in SHEETS if kind != "csv" or sheet == "findings"}
