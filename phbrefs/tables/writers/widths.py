"""Column widths from content, shared by the LaTeX and Word writers.

Neither python-docx nor a LaTeX fragment can measure text before it is typeset, and LibreOffice
and Word ignore "autofit" hints in a table with fixed widths, so the widths are planned here from
estimated glyph widths (in ems of the table's font; a serif face such as Computer Modern or
Times, a little generous so an estimate never comes out narrower than the glyphs). The plan
follows the automatic table layout of CSS: every column gets at least its longest word (no word
is ever broken), and the rest of the line is shared in proportion to how much longer each
column's text is than that minimum: claims and quotes get room, symbols and confidence stay
narrow.
"""

from __future__ import annotations

from dataclasses import dataclass

from phbrefs.tables.model import Table

_NARROW = set("iljtf.,;:'’‘!|()[]")
_WIDE = set("mwMW—#%&@")
_SYMBOLS = {"✓": 0.85, "✗": 0.75, "±": 0.8, "○": 1.0, "†": 0.5, "—": 1.0, " ": 0.34}
BOLD = 1.17  # bold extended faces run this much wider
LONG_WORD = 18.0  # ems: tokens wider than this (URLs) are given places to break instead
ROTATED = 1.25  # ems across a header turned on its side (one line of bold text)


def glyph_width(char: str) -> float:
    if char in _SYMBOLS:
        return _SYMBOLS[char]
    if char in _NARROW:
        return 0.3
    if char in _WIDE:
        return 0.95
    if char.isupper():
        return 0.75
    if char.isdigit():
        return 0.5
    if char.isascii() and char.isalpha():
        return 0.52
    return 0.6


def text_width(text: str, *, bold: bool = False) -> float:
    """The estimated width of ``text`` on one line, in ems."""
    return sum(glyph_width(c) for c in text) * (BOLD if bold else 1.0)


def longest_word(text: str, *, bold: bool = False) -> float:
    """The widest whitespace-separated token (capped at ``LONG_WORD``), in ems."""
    words = [text_width(w, bold=bold) for w in text.split()]
    return min(max(words, default=0.0), LONG_WORD)


@dataclass(frozen=True)
class ColumnNeed:
    minimum: float  # ems: the longest word
    natural: float  # ems: the longest cell on one line
    turned: bool = False  # a symbol column whose header is set sideways


def column_needs(table: Table) -> list[ColumnNeed]:
    needs = []
    for index, column in enumerate(table.columns):
        texts = [row.cells[index].display for row in table.rows]
        content_min = max((longest_word(t) for t in texts), default=0.0)
        content_nat = max((text_width(t) for t in texts), default=0.0)
        header_min = longest_word(column.name, bold=True)
        if column.kind == "symbol":
            width = max(ROTATED, content_min)
            needs.append(ColumnNeed(width, max(width, content_nat), turned=True))
        elif column.kind == "number":
            width = max(content_nat, header_min)
            needs.append(ColumnNeed(width, width))
        else:
            minimum = max(content_min, header_min)
            natural = max(content_nat, text_width(column.name, bold=True) / 2, minimum)
            needs.append(ColumnNeed(minimum, natural))
    return needs


COMFORTABLE = 11.0  # ems: a portrait text column narrower than this (and its text) is cramped


def plan_widths(
    table: Table,
    available: float,
    *,
    gap: float,
    comfortable: bool = False,
    needs: list[ColumnNeed] | None = None,
) -> list[float] | None:
    """Each column's width in ems for a line of ``available`` ems, with ``gap`` ems between
    columns; ``None`` when even the longest words do not fit, or, with ``comfortable``, when
    a column of longer text would get less than ``COMFORTABLE`` ems. ``needs`` saves measuring
    the table again when several lines are tried."""
    needs = needs or column_needs(table)
    room = available - gap * (len(needs) - 1)
    fixed = sum(n.minimum for n, c in zip(needs, table.columns, strict=True) if c.kind != "text")
    text = [i for i, c in enumerate(table.columns) if c.kind == "text"]
    minimum = sum(needs[i].minimum for i in text)
    if fixed + minimum > room:
        return None
    widths = [n.minimum for n in needs]
    spare = room - fixed - minimum
    stretch = sum(needs[i].natural - needs[i].minimum for i in text)
    for i in text:
        share = (needs[i].natural - needs[i].minimum) / stretch if stretch else 1 / len(text)
        widths[i] += spare * share
    if comfortable and any(widths[i] < COMFORTABLE < needs[i].natural for i in text):
        return None
    return widths
