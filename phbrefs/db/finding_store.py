"""Findings' rows: stored once per work, claim and quote, with their framework dimensions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select

from phbrefs.db import models as m
from phbrefs.db.claim_store import resolve_claim
from phbrefs.db.framework_store import dimension_index
from phbrefs.errors import InvalidInputError, NotFoundError
from phbrefs.evidence import vocab
from phbrefs.evidence.findings import (
    FindingFields,
    FindingInfo,
    edited_location,
    normalise_quote,
    tidy,
)
from phbrefs.evidence.frameworks import resolve_dimension
from phbrefs.formats.limits import storable_int

if TYPE_CHECKING:
    from sqlmodel import Session

    from phbrefs.library import Library


def add_finding(
    library: Library, key: str, claim: str, fields: FindingFields, dimensions: Sequence[str]
) -> tuple[FindingInfo, str]:
    """Store checked ``fields`` for work ``key`` and ``claim``; see ``evidence.findings``."""
    with library.session() as session:
        work_id = library.resolve(session, key)
        claim_row = resolve_claim(session, claim)
        fields.dimension_ids = resolve_dimensions(session, dimensions)
        finding_id, outcome = store_finding(session, work_id, claim_row.id or 0, fields)
        return finding_infos(session, finding_ids=[finding_id])[0], outcome


def finding_infos(
    session: Session,
    *,
    claim_ids: Sequence[int] | None = None,
    work_ids: Sequence[int] | None = None,
    finding_ids: Sequence[int] | None = None,
) -> list[FindingInfo]:
    """Findings in claim order, then by year and citekey, then in the order they were coded."""
    query = (
        select(m.Finding, m.Claim.slug, m.Work.citekey, m.Work.year, m.Work.first_author)
        .join(m.Claim, m.Claim.id == m.Finding.claim_id)
        .join(m.Work, m.Work.id == m.Finding.work_id)
        .order_by(m.Claim.position, m.Claim.slug, m.Work.year, m.Work.citekey, m.Finding.id)
    )
    if claim_ids is not None:
        query = query.where(m.Finding.claim_id.in_(claim_ids))
    if work_ids is not None:
        query = query.where(m.Finding.work_id.in_(work_ids))
    if finding_ids is not None:
        query = query.where(m.Finding.id.in_(finding_ids))
    rows = session.execute(query).all()
    dims: dict[int, list[str]] = {}
    if rows:
        ids = [row[0].id for row in rows]
        for start in range(0, len(ids), 900):
            dim_rows = session.execute(
                select(m.FindingDimension.finding_id, m.Framework.name, m.FrameworkDimension.code)
                .join(
                    m.FrameworkDimension,
                    m.FrameworkDimension.id == m.FindingDimension.dimension_id,
                )
                .join(m.Framework, m.Framework.id == m.FrameworkDimension.framework_id)
                .where(m.FindingDimension.finding_id.in_(ids[start : start + 900]))
                .order_by(m.Framework.name, m.FrameworkDimension.position)
            )
            for finding_id, name, code in dim_rows:
                dims.setdefault(finding_id, []).append(f"{name}:{code}")
    return [
        FindingInfo(
            id=f.id,
            claim=slug,
            citekey=citekey,
            stance=f.stance,
            quote=f.quote,
            location=f.location,
            participants=f.participants,
            dimensions=dims.get(f.id, []),
            note=f.note,
            coder=f.coder,
            coded_at=f.coded_at,
            year=year,
            first_author=first_author,
        )
        for f, slug, citekey, year, first_author in rows
    ]


def _set_dimensions(session: Session, finding_id: int, dimension_ids: Sequence[int]) -> None:
    session.execute(delete(m.FindingDimension).where(m.FindingDimension.finding_id == finding_id))
    unique = list(dict.fromkeys(dimension_ids))
    if unique:
        session.execute(
            insert(m.FindingDimension),
            [{"finding_id": finding_id, "dimension_id": d} for d in unique],
        )


def resolve_dimensions(session: Session, specs: Sequence[str]) -> list[int]:
    if not specs:
        return []
    index = dimension_index(session)
    return [resolve_dimension(index, spec) for spec in specs]


def find_same(
    session: Session, work_id: int, claim_id: int, quote: str, *, other_than: int | None = None
) -> m.Finding | None:
    """The finding already coded from this work, for this claim, with this quote (other than
    finding ``other_than``)."""
    query = select(m.Finding).where(
        m.Finding.work_id == work_id, m.Finding.claim_id == claim_id, m.Finding.quote == quote
    )
    if other_than is not None:
        query = query.where(m.Finding.id != other_than)
    return session.execute(query.order_by(m.Finding.id).limit(1)).scalar()


def refuse_twin(session: Session, finding_id: int, work_id: int, claim_id: int, quote: str) -> None:
    """Refuse to give finding ``finding_id`` the work, claim and quote of another finding: the
    same quote is never stored twice (and a coding export with both could not be imported)."""
    twin = find_same(session, work_id, claim_id, quote, other_than=finding_id)
    if twin is not None:
        raise InvalidInputError(
            f"finding {finding_id} cannot have the same paper, claim and quote as finding"
            f" {twin.id}; edit or remove finding {twin.id} first"
        )


def store_finding(
    session: Session,
    work_id: int,
    claim_id: int,
    fields: FindingFields,
    finding_id: int | None = None,
) -> tuple[int, str]:
    """Add a finding, or update the one with the same work, claim and quote; with
    ``finding_id``, update that finding, moving it to this work, claim and quote (refused when
    another finding has them).

    Returns (finding id, ``added``/``updated``/``unchanged``): re-coding the same quote is
    idempotent, and a changed quote, paper or claim is an update.
    """
    if finding_id is None:
        existing = find_same(session, work_id, claim_id, fields.quote)
    else:
        existing = _get(session, finding_id)
        refuse_twin(session, finding_id, work_id, claim_id, fields.quote)
    values = {
        "work_id": work_id,
        "claim_id": claim_id,
        "quote": fields.quote,
        "stance": fields.stance,
        "location": fields.location,
        "participants": fields.participants,
        "note": fields.note,
    }
    if existing is None:
        finding = m.Finding(coder=fields.coder, **values)
        session.add(finding)
        session.flush()
        _set_dimensions(session, finding.id or 0, fields.dimension_ids)
        return finding.id or 0, "added"
    current_dims = set(
        session.execute(
            select(m.FindingDimension.dimension_id).where(
                m.FindingDimension.finding_id == existing.id
            )
        ).scalars()
    )
    changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
    if not changed and current_dims == set(fields.dimension_ids):
        return existing.id or 0, "unchanged"
    for key, value in changed.items():
        setattr(existing, key, value)
    if fields.coder:
        existing.coder = fields.coder
    existing.coded_at = m.utcnow()
    _set_dimensions(session, existing.id or 0, fields.dimension_ids)
    session.flush()
    return existing.id or 0, "updated"


def list_findings(
    library: Library, *, claims: Sequence[str] = (), keys: Sequence[str] = ()
) -> list[FindingInfo]:
    with library.session(write=False) as session:
        claim_ids = [resolve_claim(session, c).id or 0 for c in claims] if claims else None
        work_ids = [library.resolve(session, k) for k in keys] if keys else None
        return finding_infos(session, claim_ids=claim_ids, work_ids=work_ids)


def _get(session: Session, finding_id: int) -> m.Finding:
    finding = session.get(m.Finding, finding_id) if storable_int(finding_id) else None
    if finding is None:
        raise NotFoundError(f"no finding with id {finding_id} (see `phbrefs finding list`)")
    return finding


def get_finding(library: Library, finding_id: int) -> FindingInfo:
    with library.session(write=False) as session:
        _get(session, finding_id)
        return finding_infos(session, finding_ids=[finding_id])[0]


def edit_finding(
    library: Library,
    finding_id: int,
    *,
    key: str | None = None,
    claim: str | None = None,
    stance: str | None = None,
    quote: str | None = None,
    page: str | None = None,
    location: str | None = None,
    participants: str | None = None,
    dimensions: Sequence[str] | None = None,
    note: str | None = None,
    coder: str | None = None,
) -> FindingInfo:
    """Change the given fields; ``dimensions`` replaces the set (``[]`` clears it), ``""``
    clears a text field."""
    with library.session() as session:
        finding = _get(session, finding_id)
        work_id = finding.work_id if key is None else library.resolve(session, key)
        claim_id = finding.claim_id if claim is None else resolve_claim(session, claim).id or 0
        new_quote = finding.quote if quote is None else normalise_quote(quote)
        refuse_twin(session, finding_id, work_id, claim_id, new_quote)
        new_stance = finding.stance if stance is None else vocab.stance(stance)
        new_location = (
            finding.location
            if page is None and location is None
            else edited_location(finding.location, page, location)
        )
        dimension_ids = None if dimensions is None else resolve_dimensions(session, dimensions)
        # every value checked: only now is anything changed
        finding.work_id, finding.claim_id, finding.quote = work_id, claim_id, new_quote
        finding.stance, finding.location = new_stance, new_location
        if participants is not None:
            finding.participants = tidy(participants)
        if note is not None:
            finding.note = tidy(note)
        if coder is not None:
            finding.coder = tidy(coder)
        if dimension_ids is not None:
            _set_dimensions(session, finding_id, dimension_ids)
        finding.coded_at = m.utcnow()
        session.flush()
        return finding_infos(session, finding_ids=[finding_id])[0]


def remove_finding(library: Library, finding_id: int) -> FindingInfo:
    with library.session() as session:
        _get(session, finding_id)
        info = finding_infos(session, finding_ids=[finding_id])[0]
        session.execute(delete(m.Finding).where(m.Finding.id == finding_id))
        return info
