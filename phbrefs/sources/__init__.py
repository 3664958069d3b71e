"""Metadata sources (Crossref...) and adding works to the library by identifier.

``add_dois`` is the core of ``phbrefs add``: DOIs already in the library are not fetched again
(unless ``refresh``), the rest are resolved through a ``Source``, and the works of each answer
are stored in one transaction as it arrives, while the next request is on its way (so the
batch's last answer is the only one stored after the network is done, and a batch that fails
part way keeps what it stored: run again, it fetches only the rest). Nothing is written, and no
library file is created, unless there is something to store, so an unreachable source leaves
the library exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phbrefs.db.location import Location
from phbrefs.errors import InvalidDOIError
from phbrefs.ids import extract_dois, normalize_doi
from phbrefs.outcomes import BatchReport, ItemResult, Outcome
from phbrefs.records import WorkRecord
from phbrefs.sources.base import Lookup, Progress, Resolution, Source

if TYPE_CHECKING:
    from phbrefs.library import Library

__all__ = [
    "AddReport",
    "Lookup",
    "Resolution",
    "Source",
    "Wanted",
    "add_dois",
    "known_dois",
    "wanted_from",
]


@dataclass
class Wanted:
    """The DOIs asked for (normalised, distinct, in order) and the inputs that are not DOIs."""

    dois: list[str] = field(default_factory=list)
    invalid: list[ItemResult] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.dois) + len(self.invalid)


def wanted_from(
    arguments: Sequence[str] = (), lines: Iterable[str] = (), texts: Iterable[str] = ()
) -> Wanted:
    """Collect DOIs from command-line ``arguments`` (each must be a DOI), from ``lines`` of a
    list file (a DOI per line, or text around DOIs; a line that only looks like a broken DOI
    is reported) and from free ``texts`` (saved web pages: every DOI inside is taken)."""
    wanted = Wanted()
    dois: dict[str, None] = {}
    for argument in arguments:
        try:
            dois.setdefault(normalize_doi(argument), None)
        except InvalidDOIError:
            wanted.invalid.append(ItemResult(argument, Outcome.INVALID, detail="not a DOI"))
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        found = extract_dois(text)
        for doi in found:
            dois.setdefault(doi, None)
        if not found and len(text.split()) == 1 and ("10." in text or "doi" in text.lower()):
            wanted.invalid.append(ItemResult(text, Outcome.INVALID, detail="not a DOI"))
    for text in texts:
        for doi in extract_dois(text):
            dois.setdefault(doi, None)
    wanted.dois = list(dois)
    return wanted


def known_dois(library_path: Location | Path | str, dois: Sequence[str]) -> dict[str, str]:
    """DOI -> citekey for those already stored; an absent library knows none (and stays absent)."""
    location = Location(str(library_path))
    if not dois or not location.exists():
        return {}
    from phbrefs.library import Library  # the storage layer, loaded only when a source stores

    # a PostgreSQL database always "exists": one not yet holding a library is set up here, for
    # the add that follows (under the write lock, so parallel first adds set it up once)
    with Library(location, create=location.is_postgres) as library:
        return library.known_dois(dois)


@dataclass
class AddReport(BatchReport):
    """The batch report of an add, with the enrichment of the works it stored (if any)."""

    enrichment: Any = None  # the enrich.EnrichReport of the works just stored


def add_dois(
    wanted: Wanted,
    *,
    source: Source,
    library_path: Location | Path | str,
    refresh: bool = False,
    tags: Sequence[str] = (),
    progress: Progress | None = None,
    present: dict[str, str] | None = None,
    enrich: Callable[[list[int]], Any] | None = None,
    actor: str | None = None,
    lock_wait: float = 30.0,
) -> AddReport:
    """Resolve what is not yet stored and store it; see the module docstring. Each result
    carries the record of the work now in the library (``record``).

    ``present`` (DOI -> citekey, from ``known_dois``) saves a lookup when the caller has it.
    ``enrich`` (work ids -> report) completes the works just stored (``enrich.enrich_stored``).
    """
    if present is None:
        present = known_dois(library_path, wanted.dois)
    to_fetch = [d for d in wanted.dois if refresh or d not in present]
    stored: dict[str, ItemResult] = {}
    records: dict[str, WorkRecord] = {}
    with ExitStack() as stack:
        opened: list[Library] = []  # the library, once there is something to write or read

        def library(create: bool) -> Library:
            if not opened:
                from phbrefs.library import Library

                opened.append(
                    stack.enter_context(
                        Library(library_path, create=create, lock_wait=lock_wait, actor=actor)
                    )
                )
            return opened[0]

        def store(answer: list[Resolution]) -> None:
            """One answer's works, stored while the next request is on its way."""
            found = [r for r in answer if r.status is Lookup.FOUND and r.record]
            if not found:
                return
            into = library(create=True)
            if refresh:
                _keep_stored_values(into, found, present)
            outcomes = into.add_many(
                [r.record for r in found if r.record],
                refresh=refresh,
                tags=tags,
                origin=source.url,
                labels=[r.identifier for r in found],
            )
            stored.update({r.item: r for r in outcomes})
            records.update({r.identifier: r.record for r in found if r.record})

        resolutions = (
            {r.identifier: r for r in source.resolve(to_fetch, progress, store)} if to_fetch else {}
        )
        skipped = [d for d in wanted.dois if d in present and d not in resolutions]
        works = []
        if skipped:  # tag and read what was there
            if tags:
                library(create=False).tag([present[d] for d in skipped], add=tags)
            works = library(create=False).works(keys=[present[d] for d in skipped])
    if skipped:
        records.update({w.record.doi: w.record for w in works if w.record.doi})
        stored.update(
            {
                w.record.doi: ItemResult(
                    w.record.doi,
                    Outcome.UNCHANGED,
                    w.citekey,
                    w.record.full_title,
                    detail="already in the library",
                    work_id=w.id,
                )
                for w in works
                if w.record.doi
            }
        )
    results = list(wanted.invalid)
    for doi in wanted.dois:
        result = stored[doi] if doi in stored else _problem(resolutions[doi])
        result.record = records.get(doi) if result.outcome.ok else None
        results.append(result)
    report = AddReport(results)
    # -- enrichment step (issue 12): complete the works just stored; it never fails the add --
    stored_ids = [r.work_id for r in results if r.work_id and r.outcome in _STORED]
    if enrich is not None and stored_ids:
        report.enrichment = enrich(stored_ids)
    return report


_STORED = (Outcome.ADDED, Outcome.UPDATED)


def _keep_stored_values(library: Library, found: list[Resolution], present: dict[str, str]) -> None:
    """A refresh never blanks a stored field (see ``sources/refresh.py``)."""
    from phbrefs.sources.refresh import keep_stored_values

    keys = [present[r.identifier] for r in found if r.identifier in present]
    stored = {w.record.doi: w.record for w in library.works(keys=keys) if w.record.doi}
    for resolution in found:
        if resolution.record and resolution.identifier in stored:
            resolution.record = keep_stored_values(resolution.record, stored[resolution.identifier])


def _problem(resolution: Resolution) -> ItemResult:
    outcome = Outcome.NOT_FOUND if resolution.status is Lookup.NOT_FOUND else Outcome.FAILED
    return ItemResult(resolution.identifier, outcome, detail=resolution.detail)
