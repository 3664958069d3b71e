"""Markdown: a pipe table (pandoc, GitHub) with a ``Table:`` caption, notes and references
(journals in ``*italics*``, URLs and DOIs as ``<autolinks>``)."""

from __future__ import annotations

import re
from pathlib import Path

from phbrefs import fileio
from phbrefs.tables.model import Column, Span, Table
from phbrefs.tables.writers.common import links

_SPECIAL = re.compile(r"([\\|*_`<>\[\]$~^#@])")  # "@key" is a pandoc citation
_ALIGN = {"text": ":---", "symbol": ":---:", "number": "---:"}


def escape(text: str) -> str:
    """Backslash-escape what Markdown (or pandoc's extensions) would read as syntax; one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def linked(text: str) -> str:
    pieces = links(re.sub(r"\s+", " ", text))
    return "".join(f"<{p}>" if is_url else _SPECIAL.sub(r"\\\1", p) for p, is_url in pieces)


def spans(parts: list[Span]) -> str:
    """Italic spans as ``*…*`` (spaces kept outside the stars, as Markdown needs)."""
    out = []
    for part in parts:
        text = linked(part.text)
        core = text.strip()
        if part.italic and core:
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            text = f"{lead}*{core}*{trail}"
        out.append(text)
    return "".join(out)


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
        lines += ["", linked(note)]
    if table.references:
        lines += ["", "### References"]
        for ref in table.references:
            notice = f" \\[{linked(ref.notice)}\\]" if ref.notice else ""
            lines += ["", spans(ref.parts) + notice]
    return "\n".join(lines) + "\n"


def write(table: Table, path: Path) -> None:
    fileio.write_text(path, render(table))
