"""Excel (openpyxl): the table on a first sheet (bold header row, frozen, filterable, group as a
leading column), references on a second sheet and the title, caption and notes on a third.

Every cell is stored as text, never as a formula; cells that would start a formula in other
spreadsheet tools are also prefixed with ``'`` (as in CSV). A text longer than an Excel cell
holds is refused, never cut.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from phbrefs import fileio
from phbrefs.errors import InvalidInputError
from phbrefs.formulas import EXCEL_CELL_LIMIT, too_long_for_excel
from phbrefs.tables.model import Table
from phbrefs.tables.writers.common import flat_header, flat_rows, neutralise
from phbrefs.tables.writers.widths import column_needs

WIDEST = 60  # characters: longer text wraps

STANCE_COLOURS = {
    "supports": "1B7A2F",
    "contradicts": "B3261E",
    "mixed": "A15C00",
    "neutral": "555555",
}


def _put(sheet: Any, row: int, column: int, text: str) -> Any:
    cell = sheet.cell(row=row, column=column)
    cell.value = neutralise(text)
    cell.data_type = "s"  # a string, even when it looks like a formula
    return cell


def _check_lengths(path: Path, title: str, header: list[str], rows: list[list[str]]) -> None:
    """Refuse a cell longer than an Excel cell holds (openpyxl would cut it silently)."""
    for number, values in enumerate(rows, start=2):
        for name, text in zip(header, values, strict=False):
            if length := too_long_for_excel(neutralise(text)):
                raise InvalidInputError(
                    f"{path}: sheet {title}, row {number}, column {name!r} holds {length:,} "
                    f"characters, more than an Excel cell holds ({EXCEL_CELL_LIMIT:,}); nothing "
                    "written: write the table as .csv, .md, .html, .docx or .tex instead"
                )


def _sheet(workbook: Any, title: str, header: list[str], rows: list[list[str]], path: Path) -> Any:
    from openpyxl.styles import Alignment, Font

    _check_lengths(path, title, header, rows)

    sheet = workbook.create_sheet(title)
    bold = Font(bold=True)
    for column, name in enumerate(header, start=1):
        _put(sheet, 1, column, name).font = bold
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, values in enumerate(rows, start=2):
        for column, text in enumerate(values, start=1):
            _put(sheet, number, column, text).alignment = wrap
    sheet.freeze_panes = "A2"
    return sheet


def write(table: Table, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    header = flat_header(table)
    sheet = _sheet(workbook, "Table", header, flat_rows(table), path)
    sheet.auto_filter.ref = sheet.dimensions
    offset = 1 if table.has_groups else 0
    kinds = ["text"] * offset + [c.kind for c in table.columns]
    # Excel measures columns in widths of "0", about half an em: sized from the content, at
    # least the longest word, at most WIDEST
    widths = [18.0] * offset + [
        6.0 if column.kind == "symbol" else min(WIDEST, max(2 * need.minimum, 2 * need.natural)) + 2
        for column, need in zip(table.columns, column_needs(table), strict=True)
    ]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = round(width, 1)
    for index, kind in enumerate(kinds, start=1):
        if kind == "symbol":  # a matrix's study columns: vertical headers keep them narrow
            sheet.cell(row=1, column=index).alignment = Alignment(
                text_rotation=90, horizontal="center"
            )
    for number, row in enumerate(table.rows, start=2):
        for column, cell in enumerate(row.cells, start=1 + offset):
            if cell.stance in STANCE_COLOURS:
                sheet.cell(row=number, column=column).font = Font(color=STANCE_COLOURS[cell.stance])
    references = _sheet(
        workbook,
        "References",
        ["Citation", "Reference", "Notice"],
        [[ref.label, ref.text, ref.notice or ""] for ref in table.references],
        path,
    )
    references.column_dimensions["A"].width = 24
    references.column_dimensions["B"].width = 100
    references.column_dimensions["C"].width = 40
    notes = [["title", table.title]]
    if table.caption:
        notes.append(["caption", table.caption])
    notes += [["footnote", note] for note in table.footnotes]
    about = _sheet(workbook, "Notes", ["Kind", "Text"], notes, path)
    about.column_dimensions["B"].width = 100
    fileio.write_with(path, workbook.save)
