"""Markdown: a pipe table (pandoc, GitHub) with a ``Table:`` caption, notes and references."""

from __future__ import annotations

import re
from pathlib import Path

from phbrefs import fileio
from phbrefs.tables.model import Column, Table

_SPECIAL = re.compile(r"([\\|*_`<>\[\]$~^#])")
_ALIGN = {"text": ":---", "symbol": ":---:", "number": "---:"}


def escape(text: str) -> str:
    """Backslash-escape what Markdown (or pandoc's extensions) would read as syntax; one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _header(columns: list[Column]) -> list[str]:
    return [
        _line([escape(c.name) for c in columns]),
        _line([_ALIGN.get(c.kind, ":---") for c in columns]),
    ]


def render(table: Table) -> str:
    lines = [f"## {escape(table.title)}", ""]
    lines += _header(table.columns)
    width = len(table.columns)
    for group, rows in table.groups:
        if group:
            lines.append(_line([f"**{escape(group)}**"] + [""] * (width - 1)))
        lines += [_line([escape(c.display) for c in row.cells]) for row in rows]
    if table.caption:
        lines += ["", f"Table: {escape(table.caption)}"]
    for note in table.footnotes:
        lines += ["", escape(note)]
    if table.references:
        lines += ["", "### References"]
        for ref in table.references:
            lines += ["", escape(ref.display)]
    return "\n".join(lines) + "\n"


def write(table: Table, path: Path) -> None:
    fileio.write_text(path, render(table))
