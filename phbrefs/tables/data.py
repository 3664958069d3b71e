"""The evidence a table needs, as plain data (read by ``phbrefs.db.table_rows``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from phbrefs.errors import NotFoundError
from phbrefs.records import WorkRecord

if TYPE_CHECKING:
    from phbrefs.library import Library


class NothingToTabulateError(NotFoundError):
    """The selection holds nothing a table could show (an empty library, no findings...)."""


@dataclass
class ClaimData:
    id: int
    slug: str
    statement: str
    theme: str | None
    description: str | None


@dataclass
class FindingData:
    id: int
    work_id: int
    claim_id: int
    stance: str
    quote: str
    location: str | None
    participants: str | None
    note: str | None
    dimensions: list[str] = field(default_factory=list)  # "RE-AIM: Reach"


@dataclass
class GroupData:
    label: str
    count: int | None
    unit: str | None
    detail: str | None


@dataclass
class StudyData:
    work_id: int
    aim: str | None = None
    design: str | None = None
    data_collection: str | None = None
    setting: str | None = None
    country: str | None = None
    period: str | None = None
    analysis: str | None = None
    framework: str | None = None
    key_findings: str | None = None
    groups: list[GroupData] = field(default_factory=list)


@dataclass
class CerqualData:
    methodological_limitations: str | None = None
    methodological_limitations_explanation: str | None = None
    coherence: str | None = None
    coherence_explanation: str | None = None
    adequacy: str | None = None
    adequacy_explanation: str | None = None
    relevance: str | None = None
    relevance_explanation: str | None = None
    overall: str | None = None
    overall_explanation: str | None = None


@dataclass
class WorkData:
    id: int
    citekey: str
    record: WorkRecord


@dataclass
class EvidenceData:
    """Everything the selected tables draw on; claims in table order."""

    claims: list[ClaimData]
    findings: list[FindingData]
    works: dict[int, WorkData]
    studies: dict[int, StudyData]
    cerqual: dict[int, CerqualData]
    # Other works with evidence that share a first author and year with a selected work: their
    # presence decides 2016a/2016b, so labels agree across tables whatever the filters.
    peers: dict[int, WorkRecord] = field(default_factory=dict)
    # With ``dimensions=True``: every dimension of the frameworks findings are coded against,
    # in framework order ("RE-AIM: Reach", ...), including those no finding uses yet.
    dimensions: list[str] = field(default_factory=list)

    def claim(self, slug: str) -> ClaimData:
        for claim in self.claims:
            if claim.slug == slug:
                return claim
        raise NotFoundError(f"no claim {slug!r} in the library")


def load_evidence(
    library: Library,
    *,
    claims: Iterable[str] = (),
    tags: Iterable[str] = (),
    themes: Iterable[str] = (),
    dimensions: bool = False,
) -> EvidenceData:
    """Claims (filtered by slug and theme), their findings and the works behind them (filtered
    by tags, all of which a work must carry), with study records and CERQual assessments.

    Unknown claim slugs, themes or tags raise ``NotFoundError`` naming them.
    """
    from phbrefs.db.table_rows import evidence_rows

    return evidence_rows(library, claims=claims, tags=tags, themes=themes, dimensions=dimensions)
