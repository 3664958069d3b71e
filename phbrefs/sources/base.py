"""What every source offers, and the registry of sources.

A metadata source (Crossref) resolves identifiers to records; an enrichment source (Europe PMC,
PubMed, OpenAlex, Unpaywall, and Crossref again) completes works already identified.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from phbrefs.errors import InvalidInputError
from phbrefs.records import AbstractSection, WorkRecord

if TYPE_CHECKING:
    from phbrefs.config import Settings

Progress = Callable[[int], None]  # called with how many identifiers were just settled


class Lookup(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not found"
    FAILED = "failed"


@dataclass
class Resolution:
    """The answer for one identifier: its record, or why there is none."""

    identifier: str
    status: Lookup
    record: WorkRecord | None = None
    detail: str | None = None


class Source(Protocol):
    """A metadata source such as Crossref.

    ``resolve`` answers for every identifier given (in the same order), settling what it can in
    as few requests as the source allows. It raises ``SourceError`` only when the source cannot
    be reached at all; a single identifier's failure is a ``Resolution`` with ``FAILED``.
    ``on_answer`` receives each answer's resolutions as it arrives (to store them while the
    next request is on its way).
    """

    name: str
    url: str

    def resolve(
        self,
        identifiers: Sequence[str],
        progress: Progress | None = None,
        on_answer: Callable[[list[Resolution]], None] | None = None,
    ) -> list[Resolution]: ...


# -- enrichment sources: what they know about works already identified --------------------------


@dataclass(frozen=True)
class WorkIds:
    """How a work is asked for: any of its DOI, PMID and PMCID (``PMC…``)."""

    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None

    def match_keys(self) -> list[str]:
        """Every identifier, as sources' answers are matched back: ``doi:…``, ``pmid:…``."""
        return [f"{k}:{v.lower()}" for k, v in vars(self).items() if v]

    def __str__(self) -> str:
        return self.doi or (f"PMID {self.pmid}" if self.pmid else "") or self.pmcid or "?"


@dataclass
class OALocation:
    """One place a work can be read free: a publisher page, a repository copy, a PMC article."""

    source: str  # the service that reported it: unpaywall, openalex, europepmc
    url: str
    pdf_url: str | None = None
    license: str | None = None
    version: str | None = None  # publishedVersion, acceptedVersion, submittedVersion
    host_type: str | None = None  # publisher, repository
    is_best: bool = False


@dataclass
class Found:
    """What one source knows about one work (a field left empty: the source does not say)."""

    source: str  # europepmc, pubmed, openalex, unpaywall, crossref
    identifier: str  # how the source named the work: "PMID 27716473", "W2741809807", a DOI
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    abstract: str | None = None
    abstract_sections: list[AbstractSection] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)
    is_oa: bool | None = None
    oa_status: str | None = None
    oa_locations: list[OALocation] = field(default_factory=list)
    is_retracted: bool | None = None
    record: WorkRecord | None = None  # a whole record, to store a work Crossref does not know


@dataclass
class Enriched:
    """The answer of one enrichment source for one work."""

    ids: WorkIds
    status: Lookup
    found: Found | None = None
    detail: str | None = None


class Enricher(Protocol):
    """A source that completes works: abstracts, identifiers, terms, open access, retractions.

    ``lookup`` answers for every work given, in the same order, in as few requests as the
    service allows. It raises ``SourceError`` only when the service cannot be reached at all.
    """

    name: str
    label: str
    url: str
    requests_made: int

    def lookup(self, works: Sequence[WorkIds]) -> list[Enriched]: ...

    def close(self) -> None: ...


# name -> (module, class): imported only when a command uses the source
REGISTRY: dict[str, tuple[str, str]] = {
    "crossref": ("phbrefs.sources.crossref_client", "CrossrefClient"),
    "europepmc": ("phbrefs.sources.europepmc", "EuropePMCClient"),
    "pubmed": ("phbrefs.sources.pubmed", "PubMedClient"),
    "openalex": ("phbrefs.sources.openalex", "OpenAlexClient"),
    "unpaywall": ("phbrefs.sources.unpaywall", "UnpaywallClient"),
}
LABELS = {
    "crossref": "Crossref",
    "europepmc": "Europe PMC",
    "pubmed": "PubMed",
    "openalex": "OpenAlex",
    "unpaywall": "Unpaywall",
}


def enricher(name: str, settings: Settings, *, refresh: bool = False) -> Enricher:
    """The client of source ``name``, configured from ``settings``."""
    import importlib

    if name not in REGISTRY:
        raise InvalidInputError(f"unknown source {name!r}; known: {', '.join(REGISTRY)}")
    module, cls = REGISTRY[name]
    client: Enricher = getattr(importlib.import_module(module), cls).from_settings(
        settings, refresh=refresh
    )
    return client


def answers_by_key(
    works: Sequence[WorkIds], found: Iterable[Found], source: str, missing: str
) -> list[Enriched]:
    """Each asked work matched to the answer naming one of its identifiers, or not found."""
    by_key: dict[str, Found] = {}
    for item in found:
        for key in WorkIds(item.doi, item.pmid, item.pmcid).match_keys():
            by_key.setdefault(key, item)
    results = []
    for ids in works:
        hit = next((by_key[k] for k in ids.match_keys() if k in by_key), None)
        if hit is None:
            results.append(Enriched(ids, Lookup.NOT_FOUND, detail=missing))
        else:
            results.append(Enriched(ids, Lookup.FOUND, hit))
    return results


def failed(works: Sequence[WorkIds], reason: str) -> list[Enriched]:
    return [Enriched(ids, Lookup.FAILED, detail=reason) for ids in works]
