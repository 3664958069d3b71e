"""Claims' rows: slugs taken, positions renumbered, counts of what is coded against each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select

from phbrefs.db import models as m
from phbrefs.errors import InvalidInputError
from phbrefs.evidence.claims import (
    ClaimInfo,
    UnknownClaimError,
    check_slug,
    clean_field,
    slug_from_statement,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from phbrefs.library import Library


def closest_slug(session: Session, slug: str) -> str | None:
    from rapidfuzz import process

    slugs = session.execute(select(m.Claim.slug)).scalars().all()
    best = process.extractOne(slug, slugs, score_cutoff=60)
    return best[0] if best else None


def resolve_claim(session: Session, slug: str) -> m.Claim:
    """The claim named ``slug`` (case-insensitive), or ``UnknownClaimError`` with a hint."""
    text = slug.strip()
    claim = session.execute(select(m.Claim).where(m.Claim.slug == text.lower())).scalar()
    if claim is None:
        raise UnknownClaimError(text, closest_slug(session, text))
    return claim


def _info(session: Session, claim: m.Claim) -> ClaimInfo:
    findings, works = session.execute(
        select(func.count(m.Finding.id), func.count(func.distinct(m.Finding.work_id))).where(
            m.Finding.claim_id == claim.id
        )
    ).one()
    return ClaimInfo(
        id=claim.id or 0,
        slug=claim.slug,
        statement=claim.statement,
        theme=claim.theme,
        description=claim.description,
        position=claim.position,
        findings=findings,
        works=works,
        created_at=claim.created_at,
        updated_at=claim.updated_at,
    )


def add_claim_in(
    session: Session,
    statement: str,
    *,
    slug: str | None = None,
    theme: str | None = None,
    description: str | None = None,
    position: int | None = None,
) -> m.Claim:
    """Create a claim inside an open transaction (used by the CLI and the coding import)."""
    statement_text = clean_field(statement, "statement", required=True)
    assert statement_text is not None
    taken = set(session.execute(select(m.Claim.slug)).scalars())
    if slug:
        slug = check_slug(slug.strip().lower())
        if slug in taken:
            raise InvalidInputError(f"claim {slug!r} already exists")
    else:
        same = session.execute(
            select(m.Claim.slug).where(func.lower(m.Claim.statement) == statement_text.lower())
        ).scalar()
        if same:
            raise InvalidInputError(f"claim {same!r} already states this")
        base = slug_from_statement(statement_text)
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
    last = session.execute(select(func.max(m.Claim.position))).scalar()
    claim = m.Claim(
        slug=slug,
        statement=statement_text,
        theme=clean_field(theme, "theme"),
        description=clean_field(description, "description"),
        position=1 if last is None else last + 1,
    )
    session.add(claim)
    session.flush()
    if position is not None:
        _place(session, claim, position)
    return claim


def _place(session: Session, claim: m.Claim, position: int) -> None:
    """Put ``claim`` at ``position`` (1 = first) and renumber the others 1..n around it."""
    others = [
        c
        for c in session.execute(select(m.Claim).order_by(m.Claim.position, m.Claim.slug))
        .scalars()
        .all()
        if c.id != claim.id
    ]
    others.insert(max(0, min(position - 1, len(others))), claim)
    for number, each in enumerate(others, start=1):
        if each.position != number:
            each.position = number
    session.flush()


def add_claim(library: Library, statement: str, **fields: Any) -> ClaimInfo:
    with library.session() as session:
        return _info(session, add_claim_in(session, statement, **fields))


def update_claim_in(
    session: Session,
    claim: m.Claim,
    *,
    statement: str | None = None,
    new_slug: str | None = None,
    theme: str | None = None,
    description: str | None = None,
    position: int | None = None,
) -> bool:
    """Change the given fields (``""`` clears theme/description); True when anything changed."""
    changes: dict[str, Any] = {}
    if statement is not None:
        changes["statement"] = clean_field(statement, "statement", required=True)
    if new_slug is not None and new_slug.strip().lower() != claim.slug:
        new_slug = check_slug(new_slug.strip().lower())
        if session.execute(select(m.Claim.id).where(m.Claim.slug == new_slug)).scalar():
            raise InvalidInputError(f"claim {new_slug!r} already exists")
        changes["slug"] = new_slug
    if theme is not None:
        changes["theme"] = clean_field(theme, "theme")
    if description is not None:
        changes["description"] = clean_field(description, "description")
    changed = {k: v for k, v in changes.items() if getattr(claim, k) != v}
    for key, value in changed.items():
        setattr(claim, key, value)
    if position is not None and position != claim.position:
        _place(session, claim, position)
        changed["position"] = claim.position
    if changed:
        claim.updated_at = m.utcnow()
        session.flush()
    return bool(changed)


def edit_claim(library: Library, slug: str, **changes: Any) -> ClaimInfo:
    with library.session() as session:
        claim = resolve_claim(session, slug)
        update_claim_in(session, claim, **changes)
        return _info(session, claim)


def get_claim(library: Library, slug: str) -> ClaimInfo:
    with library.session(write=False) as session:
        return _info(session, resolve_claim(session, slug))


def list_claims(library: Library, *, themes: tuple[str, ...] | list[str] = ()) -> list[ClaimInfo]:
    """Claims in table order (position, then slug), optionally only some themes."""
    with library.session(write=False) as session:
        query = select(m.Claim).order_by(m.Claim.position, m.Claim.slug)
        if themes:
            wanted = [t.lower() for t in themes]
            query = query.where(func.lower(m.Claim.theme).in_(wanted))
        return [_info(session, claim) for claim in session.execute(query).scalars()]


def claim_dependents(library: Library, slug: str) -> dict[str, int]:
    """What removing the claim takes with it."""
    with library.session(write=False) as session:
        claim = resolve_claim(session, slug)
        findings = session.execute(
            select(func.count()).select_from(m.Finding).where(m.Finding.claim_id == claim.id)
        ).scalar_one()
        assessed = session.execute(
            select(func.count())
            .select_from(m.CerqualAssessment)
            .where(m.CerqualAssessment.claim_id == claim.id)
        ).scalar_one()
        counts = {"findings": findings, "CERQual assessment": assessed}
        return {k: v for k, v in counts.items() if v}


def remove_claim(library: Library, slug: str) -> str:
    """Delete a claim with its findings and CERQual assessment; returns its slug."""
    with library.session() as session:
        claim = resolve_claim(session, slug)
        session.execute(delete(m.Claim).where(m.Claim.id == claim.id))
        return claim.slug
