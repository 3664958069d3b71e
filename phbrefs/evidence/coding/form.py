"""The coding form's shape: its formats, sheets and columns, what each column means, and
the problems an import reports by sheet, row and column."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from phbrefs.errors import InvalidInputError
from phbrefs.evidence import vocab
from phbrefs.evidence.vocab import CERQUAL_COMPONENTS

FORMATS = ("xlsx", "csv", "yaml", "json")

PAPER_INFO_COLUMNS = ("author_year", "title", "year", "doi")  # shown to the coder, not imported
PAPER_COLUMNS = (
    "citekey",
    *PAPER_INFO_COLUMNS,
    "aim",
    "design",
    "data_collection",
    "setting",
    "country",
    "period",
    "participants",
    "analysis",
    "framework",
    "funding",
    "key_findings",
)
CLAIM_COLUMNS = ("claim", "statement", "theme", "description", "position")
FINDING_COLUMNS = (
    "id",
    "citekey",
    "claim",
    "stance",
    "quote",
    "location",
    "participants",
    "dimensions",
    "note",
    "coder",
)
CERQUAL_COLUMNS = (
    "claim",
    *(name for _, (_, short) in CERQUAL_COMPONENTS.items() for name in (short, f"{short}_why")),
    "overall",
    "overall_why",
)
SHEETS: dict[str, tuple[str, ...]] = {
    "papers": PAPER_COLUMNS,
    "claims": CLAIM_COLUMNS,
    "findings": FINDING_COLUMNS,
    "cerqual": CERQUAL_COLUMNS,
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "papers": ("citekey",),
    "claims": (),
    "findings": ("citekey", "claim", "stance", "quote"),
    "cerqual": ("claim",),
}

# What each column means: written into the xlsx "help" sheet and the README.
COLUMN_HELP: dict[str, str] = {
    "papers.citekey": "the paper's citekey (read only: papers come from the library)",
    "papers.author_year / title / year / doi": "for orientation only; not imported",
    "papers.design": "qualitative, mixed methods, RCT... (free text; known designs normalised)",
    "papers.participants": "groups with counts, e.g. '20 interviews with organisational "
    "representatives at two time points; 23 budget holders; 42 support plans'; a group in "
    "double quotes is not split at commas",
    "claims.claim": "the claim id (slug), e.g. post-detox-timing; blank: derived from statement",
    "claims.position": "order in tables (whole number)",
    "findings.id": "leave blank for a new finding; filled in on export",
    "findings.stance": ", ".join(vocab.STANCES),
    "findings.quote": "verbatim quote (required)",
    "findings.location": "page, section or paragraph, e.g. 'p. 5' or 'Findings'",
    "findings.participants": "whose evidence, e.g. 'organisational representatives'",
    "findings.dimensions": "framework dimensions separated by ';', e.g. 'RE-AIM:Implementation'",
    "cerqual.limitations / coherence / adequacy / relevance": "concerns: "
    + ", ".join(vocab.CONCERN_LEVELS),
    "cerqual.overall": "confidence: " + ", ".join(vocab.CONFIDENCE_LEVELS),
    "cerqual.*_why": "the explanation of each judgement",
}


@dataclass
class Problem:
    """One thing wrong with one cell (or row, or sheet) of a coding file."""

    sheet: str
    row: int | None
    column: str | None
    message: str
    items: bool = False  # YAML/JSON: "item 3, field stance" rather than "row 3, column stance"

    def __str__(self) -> str:
        text = self.sheet
        if self.row is not None:
            text += f" {'item' if self.items else 'row'} {self.row}"
        if self.column:
            text += f", {'field' if self.items else 'column'} {self.column}"
        return f"{text}: {self.message}"


@dataclass
class CodingData:
    """A coding file as read: for each sheet, (row number, {column: value}) pairs."""

    origin: str
    sheets: dict[str, list[tuple[int, dict[str, Any]]]]
    items: bool = False  # numbered as items (YAML/JSON) rather than spreadsheet rows
    problems: list[Problem] = field(default_factory=list)


def format_of(path: Path, fmt: str | None = None) -> str:
    value = (fmt or path.suffix.lstrip(".")).lower()
    value = {"yml": "yaml", "xlsm": "xlsx"}.get(value, value)
    if value not in FORMATS:
        raise InvalidInputError(
            f"cannot tell the coding format of {path.name!r}; use one of: "
            + ", ".join(f".{f}" for f in FORMATS)
        )
    return value
