"""Author-year (Harvard) references and in-text labels for the works a table cites.

References come from the one CSL formatter (``phbrefs.formats.citeproc``, Cite Them Right):
``Welch, E. et al. (2016) ‘Implementing personal health budgets in England…’, *Health and
Social Care in the Community*, 25(5), pp. 1634–1643. Available at: https://doi.org/…``, with
the container's italics kept as spans for each writer. Labels are ``Welch et al. 2016``; works
sharing a label are told apart by year suffixes (2016a, 2016b) in title order, and the
reference carries the same suffix.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from phbrefs.formats.citeproc import Entry
from phbrefs.names import cited_people, label_base
from phbrefs.records import Contributor, WorkRecord
from phbrefs.tables.model import Reference, Span

STYLE = "harvard"


@dataclass(frozen=True)
class Citation:
    """How one work is cited in a table: ``label`` in cells, ``year`` in its reference."""

    label: str
    year: str


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


_YEAR = re.compile(r"\((?:\d{4}[a-z]{0,2}|no date|n\.d\.(?:-[a-z]{1,2})?)\)")


# Rendered entries by (citekey, record): citeproc-py takes ~4 ms an entry, and a session
# (the demo, the Python API) builds several tables citing the same works.
_RENDERED: dict[tuple[str, str], str | None] = {}
_RENDERED_MAX = 50_000


def _rendered(works: dict[str, WorkRecord]) -> dict[str, str | None]:
    """Each work's CSL entry (with marker characters), or None when the style cannot render it."""
    from phbrefs.formats.citeproc import format_bibliography

    keys = {key: (key, record.to_json()) for key, record in works.items()}
    todo = [_CslWork(key, _plain_titles(works[key])) for key in works if keys[key] not in _RENDERED]
    if todo:
        if len(_RENDERED) > _RENDERED_MAX:
            _RENDERED.clear()
        entries = {e.citekey: e.marked for e in format_bibliography(todo, STYLE).entries}  # type: ignore[arg-type]
        for work in todo:
            _RENDERED[keys[work.citekey]] = entries.get(work.citekey)
    return {key: _RENDERED[keys[key]] for key in works}


def build_references(
    works: Iterable[tuple[int, str, WorkRecord]], citations: dict[int, Citation]
) -> list[Reference]:
    """The reference list for ``(id, citekey, record)`` works, rendered by the bundled Harvard
    (Cite Them Right) CSL style, each dated as its in-text label is (2016b), in author-year
    order."""
    by_key = {citekey: (work_id, record) for work_id, citekey, record in works}
    references = []
    for citekey, marked in _rendered({k: r for k, (_, r) in by_key.items()}).items():
        work_id, record = by_key[citekey]
        citation = citations[work_id]
        if marked is None:  # a work the style cannot render
            text = f"{citation.label}. {record.full_title or 'Untitled'}."
            references.append(Reference(citation.label, text, citekey, notice_text(record)))
            continue
        dated = _YEAR.sub(f"({citation.year})", marked, count=1)
        spans = [Span(run.text, italic=run.italic) for run in Entry(citekey, dated).runs]
        text = "".join(span.text for span in spans)
        references.append(Reference(citation.label, text, citekey, notice_text(record), spans))
    references.sort(key=lambda r: (r.text.casefold(), r.citekey))
    return references


@dataclass(frozen=True)
class _CslWork:
    """What the CSL formatter reads of a stored work."""

    citekey: str
    record: WorkRecord


# Crossref titles carry JATS/HTML the CSL formatter does not read (<scp>, <span>, &amp;); it
# reads <i>, <b>, <sup> and <sub> itself.
_FOREIGN_MARKUP = re.compile(r"</?(?:scp|u|span|em|strong)(?:\s[^>]*)?>", re.I)


def _plain_titles(record: WorkRecord) -> WorkRecord:
    def clean(text: str | None) -> str | None:
        return " ".join(html.unescape(_FOREIGN_MARKUP.sub("", text)).split()) if text else text

    return replace(
        record,
        title=clean(record.title),
        subtitle=clean(record.subtitle),
        container_title=clean(record.container_title),
    )
