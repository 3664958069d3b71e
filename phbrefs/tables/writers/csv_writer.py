"""CSV: the table as data (UTF-8 with a BOM so Excel reads ✓ and accents), one row per row.

Group headings become a leading column (``Theme``, ``Stance``) so every row stands alone. Title,
caption, footnotes and references go to a companion ``<stem>-references.csv`` (columns ``kind``,
``label``, ``text``), keeping the main file loadable by pandas, R or a spreadsheet. Every cell
starting with ``= + - @``, a tab or a carriage return is prefixed with ``'`` (formula injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from phbrefs import fileio
from phbrefs.tables.model import Table
from phbrefs.tables.writers.common import flat_header, flat_rows, neutralise, notes_rows


def references_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-references{path.suffix or '.csv'}")


def _csv_text(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[neutralise(cell) for cell in row] for row in rows])
    return buffer.getvalue()


def render(table: Table) -> str:
    """The main file's text (without the BOM)."""
    return _csv_text([flat_header(table), *flat_rows(table)])


def render_references(table: Table) -> str:
    return _csv_text([("kind", "label", "text"), *notes_rows(table)])


def write(table: Table, path: Path) -> None:
    fileio.write_text(path, render(table), encoding="utf-8-sig", newline="")
    references = render_references(table)
    fileio.write_text(references_path(path), references, encoding="utf-8-sig", newline="")
