"""What flat formats (CSV, XLSX) share: the group as a leading column, formula-safe cells."""

from __future__ import annotations

from phbrefs.tables.model import Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (``=HYPERLINK(...)``): prefix ``'``."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def flat_header(table: Table) -> list[str]:
    names = [c.name for c in table.columns]
    return [table.group_label, *names] if table.has_groups else names


def flat_rows(table: Table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells = [c.display for c in row.cells]
        rows.append([row.group or "", *cells] if table.has_groups else cells)
    return rows


def notes_rows(table: Table) -> list[tuple[str, str, str]]:
    """``(kind, label, text)``: title, caption, footnotes, then references."""
    rows = [("title", "", table.title)]
    if table.caption:
        rows.append(("caption", "", table.caption))
    rows += [("footnote", "", note) for note in table.footnotes]
    rows += [("reference", ref.label, ref.display) for ref in table.references]
    return rows
