"""What writers share: the group as a leading column and formula-safe cells for flat formats
(CSV, XLSX), the URLs (DOIs included) each format turns into links."""

from __future__ import annotations

import re
from collections.abc import Iterator

from phbrefs.tables.model import Table

URL = re.compile(r"(?:https?|ftp)://[^\s<>\"]+[^\s<>\".,;:)\]’”]")

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


def links(text: str) -> Iterator[tuple[str, bool]]:
    """``text`` in pieces, each ``(piece, is_url)``; a URL's trailing full stop stays text."""
    last = 0
    for match in URL.finditer(text):
        if match.start() > last:
            yield text[last : match.start()], False
        yield match.group(0), True
        last = match.end()
    if last < len(text):
        yield text[last:], False
