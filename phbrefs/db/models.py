"""SQLModel tables: the library's schema. Alembic migrations in ``migrations/`` create them.

A work keeps its whole ``WorkRecord`` as JSON (``data``: lossless, re-mappable) beside the
columns that lists, filters, sorting and de-duplication need; contributors are also kept as rows
so that people can be queried. The original source text of every record (Crossref JSON, the
BibTeX entry...) lives in ``source_record``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _work_fk(**kwargs: Any) -> Any:
    return Field(sa_column=Column(Integer, ForeignKey("work.id", ondelete="CASCADE"), **kwargs))


class Work(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    citekey: str = Field(unique=True, index=True)
    doi: str | None = Field(default=None, index=True)  # shared by supplements, issues, books
    type: str = Field(index=True)
    source_type: str | None = None
    title: str | None = None
    container_title: str | None = None
    year: int | None = Field(default=None, index=True)
    first_author: str | None = Field(default=None, index=True)  # family name or organisation
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    source: str | None = None
    added_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SourceRecord(SQLModel, table=True):
    """A record exactly as a source gave it (Crossref JSON, a BibTeX/RIS entry...)."""

    __tablename__ = "source_record"

    id: int | None = Field(default=None, primary_key=True)
    work_id: int = _work_fk(nullable=False, index=True)
    source: str  # crossref, bibtex, ris, csljson...
    format: str = "json"  # json or text
    content: str
    origin: str | None = None  # file name, URL...
    added_at: datetime = Field(default_factory=utcnow)


class Alias(SQLModel, table=True):
    """An old citekey or DOI that still resolves to a work (after a merge)."""

    key: str = Field(primary_key=True)
    work_id: int = _work_fk(nullable=False, index=True)


class Tag(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)


class WorkTag(SQLModel, table=True):
    __tablename__ = "work_tag"

    work_id: int = Field(
        sa_column=Column(Integer, ForeignKey("work.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True)
    )
    tagged_by: str | None = None
    tagged_at: datetime | None = None


class Note(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    work_id: int = _work_fk(nullable=False, index=True)
    text: str
    created_at: datetime = Field(default_factory=utcnow)


class NotDuplicate(SQLModel, table=True):
    """A pair a reviewer has judged to be distinct works, so de-duplication stops proposing it."""

    __tablename__ = "not_duplicate"

    work_a: int = Field(
        sa_column=Column(Integer, ForeignKey("work.id", ondelete="CASCADE"), primary_key=True)
    )
    work_b: int = Field(
        sa_column=Column(Integer, ForeignKey("work.id", ondelete="CASCADE"), primary_key=True)
    )


# -- evidence ---------------------------------------------------------------------------------


class Claim(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True)
    statement: str
    theme: str | None = Field(default=None, index=True)
    description: str | None = None
    position: int = 0  # the order claims are listed in tables
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Finding(SQLModel, table=True):
    """One paper's evidence about one claim."""

    __table_args__ = (Index("ix_finding_claim_work", "claim_id", "work_id"),)

    id: int | None = Field(default=None, primary_key=True)
    work_id: int = _work_fk(nullable=False, index=True)
    claim_id: int = Field(
        sa_column=Column(Integer, ForeignKey("claim.id", ondelete="CASCADE"), nullable=False)
    )
    stance: str  # supports, contradicts, mixed, neutral
    quote: str
    location: str | None = None  # "p. 5", "Findings", "para 3"
    participants: str | None = None  # the participant group the evidence comes from
    note: str | None = None
    coder: str | None = None
    coded_at: datetime = Field(default_factory=utcnow)


class Framework(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)  # "RE-AIM"
    description: str | None = None


class FrameworkDimension(SQLModel, table=True):
    __tablename__ = "framework_dimension"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(
        sa_column=Column(Integer, ForeignKey("framework.id", ondelete="CASCADE"), nullable=False)
    )
    code: str  # "Reach"
    description: str | None = None
    position: int = 0


class FindingDimension(SQLModel, table=True):
    __tablename__ = "finding_dimension"

    finding_id: int = Field(
        sa_column=Column(Integer, ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True)
    )
    dimension_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("framework_dimension.id", ondelete="CASCADE"), primary_key=True
        )
    )


class Study(SQLModel, table=True):
    """Characteristics of one included study (one per work)."""

    work_id: int = Field(
        sa_column=Column(Integer, ForeignKey("work.id", ondelete="CASCADE"), primary_key=True)
    )
    aim: str | None = None
    design: str | None = None  # qualitative, mixed methods, RCT...
    data_collection: str | None = None
    setting: str | None = None
    country: str | None = None
    period: str | None = None
    analysis: str | None = None
    framework: str | None = None
    funding: str | None = None
    key_findings: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class StudyGroup(SQLModel, table=True):
    """A participant group with its count: "20 interviews with organisational representatives"."""

    __tablename__ = "study_group"

    id: int | None = Field(default=None, primary_key=True)
    work_id: int = _work_fk(nullable=False, index=True)
    label: str  # "organisational representatives"
    count: int | None = None
    unit: str | None = None  # interviews, support plans, survey responses...
    detail: str | None = None  # "at two time points"
    position: int = 0


class CerqualAssessment(SQLModel, table=True):
    """GRADE-CERQual judgement of confidence in one claim (review finding)."""

    __tablename__ = "cerqual"

    claim_id: int = Field(
        sa_column=Column(Integer, ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True)
    )
    methodological_limitations: str | None = None  # no or very minor, minor, moderate, serious
    methodological_limitations_explanation: str | None = None
    coherence: str | None = None
    coherence_explanation: str | None = None
    adequacy: str | None = None
    adequacy_explanation: str | None = None
    relevance: str | None = None
    relevance_explanation: str | None = None
    overall: str | None = None  # high, moderate, low, very low
    overall_explanation: str | None = None
    assessed_by: str | None = None
    assessed_at: datetime = Field(default_factory=utcnow)


class MergeLog(SQLModel, table=True):
    """What one merge changed, so that ``phbrefs unmerge`` can split the work again: the kept
    work's record before it, and each retired work (or incoming record) with the ids of the
    rows that moved. ``work_id`` is not a foreign key on purpose: a retired work's own merge
    history must survive its deletion and come back with it."""

    __tablename__ = "merge_log"

    id: int | None = Field(default=None, primary_key=True)
    work_id: int = Field(index=True)  # the kept work
    merge_id: str = Field(index=True)  # one merge_into call; unmerge undoes the latest
    snapshot: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    merged_by: str | None = None
    merged_at: datetime = Field(default_factory=utcnow)


# -- enrichment and integrity checks (migration 0003_enrichment) -----------------------------


class WorkIdentifier(SQLModel, table=True):
    """Identifiers beside the DOI (PMID, PMCID, OpenAlex id) and the source that gave each."""

    __tablename__ = "work_identifier"
    __table_args__ = (Index("ix_work_identifier_scheme_value", "scheme", "value"),)

    work_id: int = Field(
        sa_column=Column(Integer, ForeignKey("work.id", ondelete="CASCADE"), primary_key=True)
    )
    scheme: str = Field(primary_key=True)  # pmid, pmcid, openalex
    value: str
    source: str


class FieldProvenance(SQLModel, table=True):
    """Where a work's field (abstract, pmid, keywords...) came from."""

    __tablename__ = "field_provenance"

    work_id: int = Field(
        sa_column=Column(Integer, ForeignKey("work.id", ondelete="CASCADE"), primary_key=True)
    )
    field: str = Field(primary_key=True)
    source: str  # crossref, europepmc, pubmed, openalex, unpaywall
    identifier: str  # how the source named the work: "PMID 27716473", "W2741809807", a DOI
    recorded_at: datetime = Field(default_factory=utcnow)


class WorkTerm(SQLModel, table=True):
    """Subject terms from the sources: MeSH headings and author keywords."""

    __tablename__ = "work_term"

    work_id: int = Field(
        sa_column=Column(Integer, ForeignKey("work.id", ondelete="CASCADE"), primary_key=True)
    )
    vocabulary: str = Field(primary_key=True)  # mesh, keyword
    term: str = Field(primary_key=True)
    source: str


class OALocationRow(SQLModel, table=True):
    """A place the work can be read free (Unpaywall, OpenAlex, Europe PMC)."""

    __tablename__ = "oa_location"

    id: int | None = Field(default=None, primary_key=True)
    work_id: int = _work_fk(nullable=False, index=True)
    source: str
    url: str
    pdf_url: str | None = None
    license: str | None = None
    version: str | None = None
    host_type: str | None = None
    is_best: bool = False
    position: int = 0


class EnrichmentAttempt(SQLModel, table=True):
    """The last time a source was asked about a work, and its answer: makes ``enrich``
    resumable (sources that answered are not asked again)."""

    __tablename__ = "enrichment_attempt"

    work_id: int = Field(
        sa_column=Column(Integer, ForeignKey("work.id", ondelete="CASCADE"), primary_key=True)
    )
    source: str = Field(primary_key=True)
    outcome: str  # found, not found, failed, skipped
    detail: str | None = None
    attempted_at: datetime = Field(default_factory=utcnow)


class Notice(SQLModel, table=True):
    """A retraction, correction, expression of concern or new version, first seen at a check."""

    __table_args__ = (UniqueConstraint("work_id", "kind", "source", "doi"),)

    id: int | None = Field(default=None, primary_key=True)
    work_id: int = _work_fk(nullable=False, index=True)
    kind: str = Field(index=True)  # retraction, correction, expression_of_concern, new_version
    source: str  # crossref, retraction-watch, openalex, publisher...
    doi: str = ""  # the notice's own DOI ("" when the source gives none)
    date: str | None = None
    label: str | None = None
    first_seen_at: datetime = Field(default_factory=utcnow)


class WorkCheck(SQLModel, table=True):
    """The last integrity check of a work."""

    __tablename__ = "work_check"

    work_id: int = Field(
        sa_column=Column(Integer, ForeignKey("work.id", ondelete="CASCADE"), primary_key=True)
    )
    checked_at: datetime = Field(default_factory=utcnow)
    is_retracted: bool = False
    detail: str | None = None  # sources that could not be asked, and why
