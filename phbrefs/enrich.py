"""Completing works from a chain of sources: abstracts, PMID/PMCID, keywords, MeSH, open access.

The logic is pure: ``enrich_states`` takes what the library holds about each work (an
``EnrichmentState``) and a way to open each source's client, asks each source in chain order
only about the works still missing something that source can give, and fills each missing field
from the first source that has it, remembering which source and which of its identifiers. A
source that is down (``SourceError``) is recorded as skipped with the reason; it never fails the
run. ``enrich_stored`` loads the states from a library, runs the chain, and stores the result.

Resumable: every (work, source) answer is stored, and a source that already answered (found or
not found) is not asked again unless ``force``; failed and skipped ones are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from phbrefs.errors import SourceError
from phbrefs.records import WorkRecord
from phbrefs.sources.base import LABELS, Enricher, Found, Lookup, OALocation, WorkIds

# what each source can give (``oa``: open-access locations)
PROVIDES: dict[str, frozenset[str]] = {
    "crossref": frozenset({"abstract", "keywords"}),
    "europepmc": frozenset({"abstract", "pmid", "pmcid", "keywords", "mesh", "oa"}),
    "pubmed": frozenset({"abstract", "pmid", "pmcid", "keywords", "mesh"}),
    "openalex": frozenset({"abstract", "pmid", "pmcid", "mesh", "oa"}),
    "unpaywall": frozenset({"oa"}),
}
# the identifiers each source can be asked with: a work with none of them is not sent to it
ASKED_BY: dict[str, tuple[str, ...]] = {
    "crossref": ("doi",),
    "europepmc": ("doi", "pmid", "pmcid"),
    "pubmed": ("doi", "pmid"),
    "openalex": ("doi",),
    "unpaywall": ("doi",),
}
ANSWERED = (str(Lookup.FOUND), str(Lookup.NOT_FOUND))
SKIPPED = "skipped"


def existing_provenance(record: WorkRecord, citekey: str) -> dict[str, tuple[str, str]]:
    """Field -> (source, identifier) for what a record carried from its own source (an
    abstract from Crossref, Europe PMC...) when no enrichment recorded where it came from."""
    if not record.abstract:
        return {}
    source = record.source or "manual"
    pmid = record.pmid if source in ("europepmc", "pubmed") else None
    return {"abstract": (source, f"PMID {pmid}" if pmid else record.doi or citekey)}


@dataclass
class EnrichmentState:
    """What the library holds about one work, and what a run changed."""

    work_id: int
    citekey: str
    record: WorkRecord
    provenance: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (src, id)
    identifiers: dict[str, tuple[str, str]] = field(default_factory=dict)  # scheme -> (v, src)
    terms: dict[str, tuple[list[str], str]] = field(default_factory=dict)  # vocab -> (terms, src)
    oa_locations: list[OALocation] = field(default_factory=list)
    attempts: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # src -> outcome
    filled: dict[str, str] = field(default_factory=dict)  # field -> source, this run
    changed: bool = False  # the record itself changed (abstract, pmid, keywords)

    @property
    def ids(self) -> WorkIds:
        pmid = self.record.pmid or self.identifiers.get("pmid", ("", ""))[0] or None
        pmcid = self.identifiers.get("pmcid", ("", ""))[0] or self.record.extra.get("pmcid")
        return WorkIds(self.record.doi, pmid, pmcid or None)

    def missing(self, source: str) -> set[str]:
        """The fields ``source`` could give that this work still lacks (none when the work has
        no identifier the source can be asked with)."""
        ids = self.ids
        if not any(getattr(ids, kind) for kind in ASKED_BY.get(source, ())):
            return set()
        lacking = {
            "abstract": not self.record.abstract,
            "pmid": not ids.pmid,
            "pmcid": not ids.pmcid,
            "keywords": not self.record.keywords,
            "mesh": "mesh" not in self.terms,
            "oa": not self.oa_locations,
        }
        return {name for name in PROVIDES.get(source, ()) if lacking[name]}

    def note_existing(self) -> None:
        """A field already there without provenance came with the record from its source."""
        for name, origin in existing_provenance(self.record, self.citekey).items():
            self.provenance.setdefault(name, origin)

    def apply(self, found: Found) -> None:
        """Fill every still-missing field that ``found`` has."""
        source, name = found.source, found.identifier
        record = self.record
        if not record.abstract and found.abstract:
            record.abstract = found.abstract
            record.abstract_sections = list(found.abstract_sections)
            self._filled("abstract", source, name, record_changed=True)
        ids = self.ids
        if not ids.pmid and found.pmid:
            record.pmid = found.pmid
            self.identifiers["pmid"] = (found.pmid, source)
            self._filled("pmid", source, name, record_changed=True)
        if not ids.pmcid and found.pmcid:
            record.extra["pmcid"] = found.pmcid
            self.identifiers["pmcid"] = (found.pmcid, source)
            self._filled("pmcid", source, name, record_changed=True)
        if not record.keywords and found.keywords:
            record.keywords = list(found.keywords)
            self._filled("keywords", source, name, record_changed=True)
        if "mesh" not in self.terms and found.mesh:
            self.terms["mesh"] = (list(found.mesh), source)
            self._filled("mesh", source, name)
        if source == "openalex" and found.identifier.startswith("W"):
            self.identifiers.setdefault("openalex", (found.identifier, source))
        known = {loc.url for loc in self.oa_locations}
        new = [loc for loc in found.oa_locations if loc.url not in known]
        if new:
            if not self.oa_locations:
                self._filled("oa_locations", source, name)
            self.oa_locations.extend(new)

    def _filled(self, name: str, source: str, identifier: str, record_changed: bool = False):
        self.provenance[name] = (source, identifier)
        self.filled[name] = source
        self.changed = self.changed or record_changed

    def to_dict(self) -> dict[str, Any]:
        """The outcome of this run for this work (``enrich --json``)."""
        return {
            "citekey": self.citekey,
            "doi": self.record.doi,
            "outcome": "enriched" if self.filled else "unchanged",
            "filled": {
                name: {"source": source, "identifier": self.provenance[name][1]}
                for name, source in self.filled.items()
            },
            "sources": {
                source: {"outcome": outcome, "detail": detail}
                for source, (outcome, detail) in self.attempts.items()
            },
        }


OpenClient = Callable[[str], Enricher]


@dataclass
class EnrichReport:
    states: list[EnrichmentState]
    requests: dict[str, int] = field(default_factory=dict)  # source -> requests made
    skipped: dict[str, str] = field(default_factory=dict)  # source -> why it was skipped

    @property
    def enriched(self) -> list[EnrichmentState]:
        return [s for s in self.states if s.filled]

    def to_dict(self) -> dict[str, Any]:
        return {
            "works": [s.to_dict() for s in self.states],
            "requests": self.requests,
            "skipped_sources": self.skipped,
        }


def enrich_states(
    states: Sequence[EnrichmentState],
    chain: Sequence[str],
    open_client: OpenClient,
    *,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> EnrichReport:
    """Run the chain over ``states`` (changed in place); see the module docstring."""
    report = EnrichReport(list(states))
    for state in states:
        state.note_existing()
    for source in chain:
        targets = [
            s
            for s in states
            if s.missing(source) and (force or s.attempts.get(source, ("",))[0] not in ANSWERED)
        ]
        if source == "crossref":  # a Crossref record is Crossref's answer already
            for state in [s for s in targets if s.record.source == "crossref"]:
                state.attempts[source] = (str(Lookup.FOUND), "the stored Crossref record")
            targets = [s for s in targets if s.record.source != "crossref"]
        if not targets:
            continue
        client: Enricher | None = None
        try:
            client = open_client(source)
            answers = client.lookup([s.ids for s in targets])
        except SourceError as error:
            report.skipped[source] = str(error)
            for state in targets:
                state.attempts[source] = (SKIPPED, str(error))
            continue
        finally:
            if client is not None:
                report.requests[source] = client.requests_made
                client.close()
        for state, answer in zip(targets, answers, strict=True):
            state.attempts[source] = (str(answer.status), answer.detail)
            if answer.found is not None:
                state.apply(answer.found)
        if progress:
            progress(len(targets))
    return report


def settings_client(settings: Any, *, refresh: bool = False) -> OpenClient:
    """Open clients from settings (the CLI's and the add flow's way)."""
    from phbrefs.sources.base import enricher

    return lambda name: enricher(name, settings, refresh=refresh)


def enrich_stored(
    library_path: Path | str,
    *,
    keys: Sequence[str] | None = None,
    work_ids: Sequence[int] | None = None,
    chain: Sequence[str],
    open_client: OpenClient,
    force: bool = False,
    batch: int = 200,
    progress: Callable[[int], None] | None = None,
) -> EnrichReport:
    """Enrich stored works (``keys``, ``work_ids`` or all), ``batch`` works at a time, each
    batch stored as soon as it is done (an interrupted run keeps what it finished)."""
    from phbrefs.library import Library

    report = EnrichReport([])
    with Library(library_path, create=False) as library:
        ids = library.enrichment_work_ids(keys=keys, work_ids=work_ids)
        for start in range(0, len(ids), batch):
            states = library.enrichment_states(ids[start : start + batch])
            part = enrich_states(states, chain, open_client, force=force, progress=progress)
            library.store_enrichment(part.states)
            report.states.extend(part.states)
            for source, made in part.requests.items():
                report.requests[source] = report.requests.get(source, 0) + made
            report.skipped.update(part.skipped)
    return report


def provenance_text(source: str, identifier: str) -> str:
    """``Europe PMC, PMID 27716473``: how ``show`` names where a field came from."""
    return f"{LABELS.get(source, source)}, {identifier}"
