"""Cells that a spreadsheet would run as formulas (CSV/formula injection, OWASP), made inert.

A text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel and LibreOffice when it arrives through CSV (``=cmd|' /C calc'!A0``, ``=HYPERLINK(...)``).

- In CSV, such a text gets a leading apostrophe (``guard``), which spreadsheets show as text.
  ``unguard`` takes it off again on import, and the pair is exact for every text: a text that
  already starts with apostrophes before such a character gets one more, so reading back never
  eats an apostrophe the user wrote (``'=x`` is written ``''=x`` and read as ``'=x``).
- In XLSX, the cell is stored as a string with Excel's quote prefix (``as_text_cell``): the
  text is kept as it is, and editing the cell does not turn it into a formula either.

An Excel cell holds at most ``EXCEL_CELL_LIMIT`` characters; XLSX writers refuse a longer text
(``too_long_for_excel``) rather than store it cut.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_GUARDED = re.compile(r"'*[=+\-@\t\r]")  # what ``unguard`` would change once prefixed


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def guard(value: Any) -> Any:
    """A CSV cell value, formula-safe; anything but text is returned as it is."""
    if isinstance(value, str) and _GUARDED.match(value):
        return f"'{value}"
    return value


def unguard(value: Any) -> Any:
    """The text ``guard`` was given."""
    if isinstance(value, str) and value.startswith("'") and _GUARDED.match(value, 1):
        return value[1:]
    return value


EXCEL_CELL_LIMIT = 32_767  # characters one Excel cell holds; openpyxl cuts longer text silently


def too_long_for_excel(value: Any) -> int:
    """The length of a text too long for one Excel cell, else 0 (writers refuse, never cut)."""
    return len(value) if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT else 0


def as_text_cell(cell: Any) -> None:
    """Make an openpyxl cell holding formula-like text a plain string cell (never ``<f>``)."""
    if isinstance(cell.value, str) and is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
