"""Findings: one paper's evidence about one claim, with a verbatim quote and where it is."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from phbrefs.errors import InvalidInputError
from phbrefs.evidence import vocab

if TYPE_CHECKING:
    from phbrefs.library import Library


@dataclass
class FindingInfo:
    id: int
    claim: str  # slug
    citekey: str
    stance: str
    quote: str
    location: str | None
    participants: str | None
    dimensions: list[str] = field(default_factory=list)  # "RE-AIM:Implementation"
    note: str | None = None
    coder: str | None = None
    coded_at: datetime | None = None
    year: int | None = None
    first_author: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "claim": self.claim,
            "citekey": self.citekey,
            "stance": self.stance,
            "quote": self.quote,
            "location": self.location,
            "participants": self.participants,
            "dimensions": self.dimensions,
            "note": self.note,
            "coder": self.coder,
            "coded_at": self.coded_at.isoformat() if self.coded_at else None,
        }


def location_text(page: str | None = None, location: str | None = None) -> str | None:
    """``--page 5`` -> ``p. 5``, ``--page 5-6`` -> ``pp. 5–6``; a section or paragraph as given."""
    parts = []
    if page and page.strip():
        value = page.strip()
        if re.fullmatch(r"\d+", value):
            parts.append(f"p. {value}")
        elif match := re.fullmatch(r"(\d+)\s*[-–—]+\s*(\d+)", value):
            parts.append(f"pp. {match.group(1)}–{match.group(2)}")
        else:
            parts.append(value)
    if location and location.strip():
        parts.append(" ".join(location.split()))
    return ", ".join(parts) or None


def normalise_quote(quote: str | None) -> str:
    """The quote with its whitespace tidied; a finding without one is refused."""
    text = " ".join((quote or "").split())
    if not text:
        raise InvalidInputError("a finding needs a verbatim quote (--quote)")
    return text


def tidy(text: str | None) -> str | None:
    value = " ".join(text.split()) if text else ""
    return value or None


@dataclass
class FindingFields:
    """What a reviewer codes for one finding; the shape the CLI and the coding import share."""

    stance: str
    quote: str
    location: str | None = None
    participants: str | None = None
    dimension_ids: list[int] = field(default_factory=list)
    note: str | None = None
    coder: str | None = None


def add_finding(
    library: Library,
    key: str,
    claim: str,
    *,
    stance: str,
    quote: str,
    page: str | None = None,
    location: str | None = None,
    participants: str | None = None,
    dimensions: Sequence[str] = (),
    note: str | None = None,
    coder: str | None = None,
) -> tuple[FindingInfo, str]:
    """Code a finding; returns it and whether it was ``added`` or already there."""
    fields = FindingFields(
        stance=vocab.stance(stance),
        quote=normalise_quote(quote),
        location=location_text(page, location),
        participants=tidy(participants),
        note=tidy(note),
        coder=tidy(coder),
    )
    from phbrefs.db import finding_store

    return finding_store.add_finding(library, key, claim, fields, dimensions)


def list_findings(
    library: Library, *, claims: Sequence[str] = (), keys: Sequence[str] = ()
) -> list[FindingInfo]:
    """Findings in claim order, then by year and citekey; only some claims or works if given."""
    from phbrefs.db import finding_store

    return finding_store.list_findings(library, claims=claims, keys=keys)


def get_finding(library: Library, finding_id: int) -> FindingInfo:
    from phbrefs.db import finding_store

    return finding_store.get_finding(library, finding_id)


def edit_finding(library: Library, finding_id: int, **changes: Any) -> FindingInfo:
    """Change the given fields (``key``, ``claim``, ``stance``, ``quote``, ``page``,
    ``location``, ``participants``, ``dimensions``, ``note``, ``coder``); ``dimensions``
    replaces the set (``[]`` clears it), ``""`` clears a text field."""
    from phbrefs.db import finding_store

    return finding_store.edit_finding(library, finding_id, **changes)


def remove_finding(library: Library, finding_id: int) -> FindingInfo:
    from phbrefs.db import finding_store

    return finding_store.remove_finding(library, finding_id)
