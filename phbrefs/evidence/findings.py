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


_ROMAN = re.compile(r"m{0,4}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})", re.IGNORECASE)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_PAGE_MARK = re.compile(r"pp?\.?\s*", re.IGNORECASE)
_PAGE_RANGE = re.compile(r"(\w+)\s*[-‐‑–—−]+\s*(\w+)")
# The page part that ``location_text`` puts first in a stored location: "pp. 5–6, Findings"
_STORED_PAGE = re.compile(
    r"(pp?\.\s*[0-9ivxlcdm]+(?:\s*[-–—]\s*[0-9ivxlcdm]+)?)(?:,\s*(.*))?", re.IGNORECASE
)


def _page(text: str) -> tuple[str, int, bool] | None:
    """One page as (written, value, is roman): ``7``, ``07`` -> ``7``; ``IV`` -> ``iv``."""
    if text.isascii() and text.isdigit():  # up to 7 digits, as the citation matcher reads
        return (str(int(text)), int(text), False) if len(text) <= 7 and int(text) else None
    if not text or not _ROMAN.fullmatch(text):
        return None
    values = [_ROMAN_VALUES[c] for c in text.lower()]
    total = sum(-v if v < max(values[i + 1 :], default=0) else v for i, v in enumerate(values))
    return text.lower(), total, True


def page_text(page: str) -> str | None:
    """``5`` -> ``p. 5``, ``5-6`` -> ``pp. 5–6``, ``1201-14`` -> ``pp. 1201–1214``, ``iv``,
    ``iii-xv`` (roman); blank -> None. Anything else (``0``, ``abc``, ``7-5``) is refused."""
    text = " ".join(page.split())
    if not text:
        return None
    mark = _PAGE_MARK.match(text)
    value = text[mark.end() :] if mark else text
    single = _page(value)
    if single is not None:
        return f"p. {single[0]}"
    match = _PAGE_RANGE.fullmatch(value)
    first = _page(match.group(1)) if match else None
    end = match.group(2) if match else ""
    if first and not first[2] and end.isdigit() and len(end) < len(first[0]):
        end = first[0][: len(first[0]) - len(end)] + end  # 1201-14: the start's leading digits
    last = _page(end)
    if first is None or last is None or first[2] != last[2] or last[1] < first[1]:
        raise InvalidInputError(
            f"--page {text!r} is not a page: give a number (5), a roman numeral (iv)"
            " or a range (5-6)"
        )
    return f"p. {first[0]}" if first[1] == last[1] else f"pp. {first[0]}–{last[0]}"


def location_text(page: str | None = None, location: str | None = None) -> str | None:
    """``--page 5`` -> ``p. 5``, ``--page 5-6`` -> ``pp. 5–6`` (see ``page_text``), then a
    section or paragraph as given: ``pp. 5–6, Findings, para 4``."""
    parts = [page_text(page) if page else None, tidy(location)]
    return ", ".join(p for p in parts if p) or None


def split_location(stored: str | None) -> tuple[str | None, str | None]:
    """A stored location as (page part, the rest): ``pp. 5–6, Findings`` -> (``pp. 5–6``,
    ``Findings``); a location that starts with no page is all rest."""
    if not stored:
        return None, None
    match = _STORED_PAGE.fullmatch(stored)
    if match is None:
        return None, stored
    return match.group(1), match.group(2) or None


def edited_location(stored: str | None, page: str | None, location: str | None) -> str | None:
    """``stored`` with only what was given changed: ``page`` replaces its page part and
    ``location`` the rest (``""`` clears that part); None keeps it."""
    old_page, old_rest = split_location(stored)
    new_page = old_page if page is None else page_text(page)
    new_rest = old_rest if location is None else tidy(location)
    return ", ".join(p for p in (new_page, new_rest) if p) or None


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
