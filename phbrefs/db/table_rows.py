"""The rows tables are built from, read in a handful of set-based queries (no query per row).

Tables read the evidence tables directly (claims, findings, studies, CERQual) and turn the works'
stored JSON into ``WorkRecord``s once; everything after ``phbrefs.tables.data`` is plain Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from phbrefs.errors import NotFoundError
from phbrefs.records import WorkRecord
from phbrefs.tables.data import (
    CerqualData,
    ClaimData,
    EvidenceData,
    FindingData,
    GroupData,
    NothingToTabulateError,
    StudyData,
    WorkData,
)

if TYPE_CHECKING:
    from phbrefs.library import Library

_CHUNK = 900  # stays under SQLite's bound-parameter limit


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def evidence_rows(
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
    from sqlalchemy import select

    from phbrefs.db import models as m
    from phbrefs.db import work_reads

    slugs = list(dict.fromkeys(claims))
    theme_names = list(dict.fromkeys(themes))
    tag_names = list(dict.fromkeys(tags))
    with library.session(write=False) as session:
        claim_query = select(
            m.Claim.id, m.Claim.slug, m.Claim.statement, m.Claim.theme, m.Claim.description
        ).order_by(m.Claim.position, m.Claim.id)
        if slugs:
            claim_query = claim_query.where(m.Claim.slug.in_(slugs))
        if theme_names:
            claim_query = claim_query.where(m.Claim.theme.in_(theme_names))
        claim_rows = [ClaimData(*row) for row in session.execute(claim_query)]
        _check_names(session, slugs, theme_names, tag_names, claim_rows)
        claim_ids = [c.id for c in claim_rows]

        tagged = work_reads.tagged_with(tag_names) if tag_names else None

        finding_query = select(
            m.Finding.id,
            m.Finding.work_id,
            m.Finding.claim_id,
            m.Finding.stance,
            m.Finding.quote,
            m.Finding.location,
            m.Finding.participants,
            m.Finding.note,
        ).order_by(m.Finding.id)
        if slugs or theme_names:
            finding_query = finding_query.where(m.Finding.claim_id.in_(claim_ids))
        if tagged is not None:
            finding_query = finding_query.where(m.Finding.work_id.in_(tagged))
        findings = [FindingData(*row) for row in session.execute(finding_query)]

        work_ids = set(f.work_id for f in findings)
        if not (slugs or theme_names):  # every included study, coded or not
            study_query = select(m.Study.work_id)
            if tagged is not None:
                study_query = study_query.where(m.Study.work_id.in_(tagged))
            work_ids.update(session.execute(study_query).scalars())
        ordered_ids = sorted(work_ids)

        works: dict[int, WorkData] = {}
        studies: dict[int, StudyData] = {}
        for chunk in _chunks(ordered_ids):
            rows = session.execute(
                select(m.Work.id, m.Work.citekey, m.Work.data).where(m.Work.id.in_(chunk))
            )
            for work_id, citekey, data in rows:
                works[work_id] = WorkData(work_id, citekey, WorkRecord.from_dict(data))
            study_rows = session.execute(
                select(
                    m.Study.work_id,
                    m.Study.aim,
                    m.Study.design,
                    m.Study.data_collection,
                    m.Study.setting,
                    m.Study.country,
                    m.Study.period,
                    m.Study.analysis,
                    m.Study.framework,
                    m.Study.key_findings,
                ).where(m.Study.work_id.in_(chunk))
            )
            for row in study_rows:
                studies[row[0]] = StudyData(*row)
            group_rows = session.execute(
                select(
                    m.StudyGroup.work_id,
                    m.StudyGroup.label,
                    m.StudyGroup.count,
                    m.StudyGroup.unit,
                    m.StudyGroup.detail,
                )
                .where(m.StudyGroup.work_id.in_(chunk))
                .order_by(m.StudyGroup.work_id, m.StudyGroup.position, m.StudyGroup.id)
            )
            for work_id, *group in group_rows:
                studies.setdefault(work_id, StudyData(work_id)).groups.append(GroupData(*group))

        cerqual: dict[int, CerqualData] = {}
        names = [f for f in CerqualData.__dataclass_fields__]
        for chunk in _chunks(claim_ids):
            columns = [m.CerqualAssessment.claim_id] + [
                getattr(m.CerqualAssessment, name) for name in names
            ]
            for claim_id, *values in session.execute(
                select(*columns).where(m.CerqualAssessment.claim_id.in_(chunk))
            ):
                cerqual[claim_id] = CerqualData(*values)

        all_dimensions = []
        if dimensions and findings:
            all_dimensions = _attach_dimensions(session, findings, finding_query)
        peers = _load_peers(session, works)
    return EvidenceData(claim_rows, findings, works, studies, cerqual, peers, all_dimensions)


def _load_peers(session: Any, works: dict[int, WorkData]) -> dict[int, WorkRecord]:
    """Unselected works with evidence whose first author and year match a selected work's."""
    from sqlalchemy import select, union

    from phbrefs.db import models as m

    if not works:
        return {}
    evidence = union(select(m.Finding.work_id), select(m.Study.work_id)).subquery()
    rows = session.execute(
        select(m.Work.id, m.Work.first_author, m.Work.year).where(
            m.Work.id.in_(select(evidence.c[0]))
        )
    ).all()
    keys = {(r[1], r[2]) for r in rows if r[0] in works}
    wanted = [r[0] for r in rows if r[0] not in works and (r[1], r[2]) in keys]
    peers: dict[int, WorkRecord] = {}
    for chunk in _chunks(wanted):
        for work_id, data in session.execute(
            select(m.Work.id, m.Work.data).where(m.Work.id.in_(chunk))
        ):
            peers[work_id] = WorkRecord.from_dict(data)
    return peers


def _attach_dimensions(session: Any, findings: list[FindingData], finding_query: Any) -> list[str]:
    """Fill each finding's dimensions; return every dimension of the frameworks used."""
    from sqlalchemy import select

    from phbrefs.db import models as m

    by_id = {f.id: f for f in findings}
    ids = finding_query.with_only_columns(m.Finding.id).order_by(None)
    rows = session.execute(
        select(m.FindingDimension.finding_id, m.Framework.name, m.FrameworkDimension.code)
        .join(m.FrameworkDimension, m.FrameworkDimension.id == m.FindingDimension.dimension_id)
        .join(m.Framework, m.Framework.id == m.FrameworkDimension.framework_id)
        .where(m.FindingDimension.finding_id.in_(ids))
        .order_by(
            m.FindingDimension.finding_id,
            m.Framework.name,
            m.FrameworkDimension.position,
            m.FrameworkDimension.code,
        )
    )
    used: set[str] = set()
    for finding_id, framework, code in rows:
        by_id[finding_id].dimensions.append(f"{framework}: {code}")
        used.add(framework)
    every = session.execute(
        select(m.Framework.name, m.FrameworkDimension.code)
        .join(m.Framework, m.Framework.id == m.FrameworkDimension.framework_id)
        .where(m.Framework.name.in_(sorted(used)))
        .order_by(m.Framework.name, m.FrameworkDimension.position, m.FrameworkDimension.code)
    )
    return [f"{framework}: {code}" for framework, code in every]


def _check_names(
    session: Any,
    slugs: list[str],
    themes: list[str],
    tags: list[str],
    found: list[ClaimData],
) -> None:
    """Name every unknown claim, theme or tag instead of silently showing an empty table."""
    from sqlalchemy import select

    from phbrefs.db import models as m

    if slugs:
        known = set(session.execute(select(m.Claim.slug).where(m.Claim.slug.in_(slugs))).scalars())
        missing = [s for s in slugs if s not in known]
        if missing:
            raise NotFoundError(
                f"no claim {_names(missing)} in the library{_hint(session, missing[0])}"
            )
    if themes:
        known = set(
            session.execute(select(m.Claim.theme).where(m.Claim.theme.in_(themes))).scalars()
        )
        missing = [t for t in themes if t not in known]
        if missing:
            raise NotFoundError(f"no claims with theme {_names(missing)}")
    if tags:
        known = set(session.execute(select(m.Tag.name).where(m.Tag.name.in_(tags))).scalars())
        missing = [t for t in tags if t not in known]
        if missing:
            raise NotFoundError(f"no work is tagged {_names(missing)}")
    if (slugs or themes) and not found:
        raise NothingToTabulateError("no claim matches both the claim and theme filters")


def _names(items: list[str]) -> str:
    return ", ".join(repr(i) for i in items)


def _hint(session: Any, slug: str) -> str:
    from rapidfuzz import process
    from sqlalchemy import select

    from phbrefs.db import models as m

    best = process.extractOne(
        slug, session.execute(select(m.Claim.slug)).scalars().all(), score_cutoff=70
    )
    return f" (did you mean {best[0]!r}?)" if best else ""
