"""The neutral table every builder produces and every writer consumes.

A ``Table`` knows nothing about formats: writers decide how a stance, a notice marker or a group
heading looks in Markdown, Word or LaTeX.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STANCES = ("supports", "contradicts", "mixed", "neutral")
STANCE_SYMBOLS = {"supports": "✓", "contradicts": "✗", "mixed": "±", "neutral": "○"}
NOTICE_MARKER = "†"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text (wraps), symbol (short, centred) or number (right-aligned)
    weight: float = 1.0  # relative width of a text column


@dataclass
class Cell:
    """One cell: its text, optionally a stance (for colour) and a marker (†) after the text."""

    text: str = ""
    stance: str | None = None
    marker: str | None = None

    @property
    def display(self) -> str:
        return f"{self.text} {self.marker}".strip() if self.marker else self.text


@dataclass
class Row:
    cells: list[Cell]
    group: str | None = None  # the heading this row sits under (a theme, a stance...)


@dataclass(frozen=True)
class Span:
    """A stretch of a reference with one emphasis: the journal or book title is italic."""

    text: str
    italic: bool = False


@dataclass
class Reference:
    label: str  # the in-text citation, "Welch et al. 2016a"
    text: str  # the full author-year reference
    citekey: str
    notice: str | None = None  # "Retraction notice: https://doi.org/..." when the paper has one
    spans: list[Span] = field(default_factory=list)  # ``text`` with its italics

    @property
    def parts(self) -> list[Span]:
        return self.spans or [Span(self.text)]

    @property
    def display(self) -> str:
        """The reference with its notice flagged, as every writer prints it."""
        return f"{self.text} [{self.notice}]" if self.notice else self.text


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    caption: str | None = None
    group_label: str = "Group"  # what a group is, for flat formats (CSV, XLSX): "Theme"
    footnotes: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)

    @property
    def groups(self) -> list[tuple[str | None, list[Row]]]:
        """Consecutive rows sharing a group heading, in order."""
        result: list[tuple[str | None, list[Row]]] = []
        for row in self.rows:
            if result and result[-1][0] == row.group:
                result[-1][1].append(row)
            else:
                result.append((row.group, [row]))
        return result

    @property
    def has_groups(self) -> bool:
        return any(row.group for row in self.rows)
