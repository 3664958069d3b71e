"""Author-year (Harvard) references and in-text labels for the works a table cites.

``Welch, E., Jones, K., Caiels, J., Windle, K. and Bass, R. (2016) Implementing personal health
budgets in England: a user-led approach to substance misuse. Health and Social Care in the
Community, 25(5), pp. 1634–1643. https://doi.org/10.1111/hsc.12396`` and ``Welch et al. 2016``;
works sharing a label are told apart by year suffixes (2016a, 2016b) in title order.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from phbrefs.names import cited_people, label_base
from phbrefs.records import Contributor, WorkRecord
from phbrefs.tables.model import Reference


@dataclass(frozen=True)
class Citation:
    """How one work is cited in a table: ``label`` in cells, ``year`` in its reference."""

    label: str
    year: str


def initials(given: str) -> str:
    """``Elizabeth Anne`` -> ``E.A.``; ``Jean-Paul`` -> ``J.-P.``; ``E. A.`` -> ``E.A.``."""
    parts = []
    for word in given.replace(".", ". ").split():
        pieces = [p for p in word.split("-") if p]
        parts.append("-".join(f"{p[0].upper()}." for p in pieces))
    return "".join(parts)


def reference_name(person: Contributor) -> str:
    """``Welch, E.``, ``van der Berg, A.``, or an organisation's name."""
    if person.is_organisation or not person.family:
        return person.literal or person.family or person.given or ""
    family = " ".join(p for p in (person.particle, person.family) if p)
    given = initials(person.given) if person.given else ""
    name = f"{family}, {given}" if given else family
    return f"{name}, {person.suffix}" if person.suffix else name


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _cited_people(record: WorkRecord) -> tuple[list[Contributor], bool]:
    """The people a citation names, and whether they are editors."""
    return cited_people(record), not record.authors and bool(record.editors)


def assign_citations(records: dict[int, WorkRecord]) -> dict[int, Citation]:
    """In-text labels for works (keyed by id), disambiguated with a/b/c where they clash."""
    bases: dict[tuple[str, str], list[int]] = {}
    for work_id, record in records.items():
        year = str(record.year) if record.year else "n.d."
        bases.setdefault((label_base(record), year), []).append(work_id)
    citations: dict[int, Citation] = {}
    for (base, year), ids in bases.items():
        if len(ids) == 1:
            citations[ids[0]] = Citation(f"{base} {year}", year)
            continue
        ids.sort(key=lambda i: ((records[i].full_title or "").casefold(), i))
        for index, work_id in enumerate(ids):
            suffix = _suffix(index)
            dated = f"{year}-{suffix}" if year == "n.d." else f"{year}{suffix}"
            citations[work_id] = Citation(f"{base} {dated}", dated)
    return citations


def _suffix(index: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[index] if index < 26 else letters[index // 26 - 1] + letters[index % 26]


_INLINE_MARKUP = re.compile(r"</?(?:i|b|em|strong|sup|sub|scp|u|span)(?:\s[^>]*)?>", re.I)


def plain(text: str) -> str:
    """Crossref titles carry inline JATS/HTML (``<i>E. coli</i>``, ``&amp;``): keep the words."""
    return " ".join(html.unescape(_INLINE_MARKUP.sub("", text)).split())


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _pages(pages: str) -> str:
    pages = re.sub(r"\s*[-‐‑‒–—]+\s*", "–", pages.strip())
    return f"pp. {pages}" if "–" in pages or "," in pages else f"p. {pages}"


def format_reference(record: WorkRecord, year: str) -> str:
    """One Harvard reference (Cite Them Right style) as plain text."""
    people, editors = _cited_people(record)
    names = join_names([reference_name(p) for p in people])
    if names and editors:
        names += " (ed.)" if len(people) == 1 else " (eds.)"
    title = plain(record.full_title or "Untitled")
    parts = [f"{names} ({year}) {_sentence(title)}" if names else f"{_sentence(title)} ({year})"]
    kind = record.type or ""
    place_publisher = ": ".join(p for p in (record.publisher_place, record.publisher) if p)
    if kind == "chapter" and record.container_title:
        book_editors = record.editors if not editors else []
        intro = "In: "
        if book_editors:
            suffix = " (ed.)" if len(book_editors) == 1 else " (eds.)"
            intro += join_names([reference_name(p) for p in book_editors]) + suffix + " "
        tail = [place_publisher] if place_publisher else []
        if record.pages:
            tail.append(_pages(record.pages))
        parts.append(_sentence(intro + plain(record.container_title)))
        if tail:
            parts.append(_sentence(", ".join(tail)))
    elif record.container_title:
        bits = [plain(record.container_title)]
        if record.volume:
            bits.append(record.volume + (f"({record.issue})" if record.issue else ""))
        elif record.issue:
            bits.append(f"({record.issue})")
        if record.article_number:
            bits.append(f"article {record.article_number}")
        if record.pages:
            bits.append(_pages(record.pages))
        parts.append(_sentence(", ".join(bits)))
    else:
        if record.edition:
            edition = record.edition
            parts.append(edition if "ed" in edition.lower() else f"{edition} edn.")
        if record.number:
            parts.append(_sentence(record.number))
        if place_publisher:
            parts.append(_sentence(place_publisher))
    if record.doi:
        parts.append(f"https://doi.org/{record.doi}")
    elif record.url:
        accessed = f" (Accessed: {record.accessed})" if record.accessed else ""
        parts.append(f"Available at: {record.url}{accessed}")
    return " ".join(parts)


def notice_text(record: WorkRecord) -> str | None:
    """``Retraction notice: https://doi.org/… (2020-05-01)`` for each notice on a work."""
    notes = []
    for update in record.updates:
        if update.direction != "updated-by":
            continue
        kind = (update.kind or "update").replace("_", " ").replace("-", " ")
        text = f"{kind[:1].upper()}{kind[1:]} notice"
        if update.doi:
            text += f": https://doi.org/{update.doi}"
        if update.date:
            text += f" ({update.date})"
        notes.append(text)
    return "; ".join(notes) or None


def build_references(
    works: Iterable[tuple[int, str, WorkRecord]], citations: dict[int, Citation]
) -> list[Reference]:
    """The reference list for ``(id, citekey, record)`` works, in author-year order."""
    references = []
    for work_id, citekey, record in works:
        citation = citations[work_id]
        text = format_reference(record, citation.year)
        references.append(Reference(citation.label, text, citekey, notice_text(record)))
    references.sort(key=lambda r: (r.text.casefold(), r.citekey))
    return references
