"""CERQual assessments' rows: one per claim, merged judgement by judgement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from phbrefs.db import models as m
from phbrefs.db.claim_store import resolve_claim
from phbrefs.evidence.cerqual import CerqualInfo, Judgement, assessment_changes, warnings_for
from phbrefs.evidence.vocab import CERQUAL_COMPONENTS

if TYPE_CHECKING:
    from sqlmodel import Session

    from phbrefs.library import Library


def _info(claim: m.Claim, row: m.CerqualAssessment | None) -> CerqualInfo:
    components = {
        key: Judgement(
            getattr(row, key) if row else None, getattr(row, f"{key}_explanation") if row else None
        )
        for key in CERQUAL_COMPONENTS
    }
    info = CerqualInfo(
        claim=claim.slug,
        statement=claim.statement,
        components=components,
        overall=Judgement(row.overall if row else None, row.overall_explanation if row else None),
        assessed_by=row.assessed_by if row else None,
        assessed_at=row.assessed_at if row else None,
    )
    info.warnings = warnings_for(info)
    return info


def store_assessment(
    session: Session,
    claim: m.Claim,
    components: dict[str, tuple[str | None, str | None]],
    overall: tuple[str | None, str | None] = (None, None),
    assessed_by: str | None = None,
) -> tuple[CerqualInfo, str]:
    """Merge the given judgements into the claim's assessment (see ``assessment_changes``).

    Returns the assessment and ``added``/``updated``/``unchanged``.
    """
    changes = assessment_changes(components, overall)
    row = session.get(m.CerqualAssessment, claim.id)
    outcome = "unchanged"
    if row is None:
        if not changes:
            return _info(claim, None), outcome
        row = m.CerqualAssessment(claim_id=claim.id or 0)
        session.add(row)
        outcome = "added"
    changed = {k: v for k, v in changes.items() if getattr(row, k) != v}
    for key, value in changed.items():
        setattr(row, key, value)
    if changed:
        outcome = "updated" if outcome == "unchanged" else outcome
        row.assessed_at = m.utcnow()
        if assessed_by:
            row.assessed_by = assessed_by
    session.flush()
    return _info(claim, row), outcome


def set_assessment(
    library: Library,
    claim: str,
    *,
    components: dict[str, tuple[str | None, str | None]],
    overall: tuple[str | None, str | None] = (None, None),
    assessed_by: str | None = None,
) -> CerqualInfo:
    """Record (parts of) a claim's CERQual assessment; ``warnings`` on the result say what is
    missing."""
    with library.session() as session:
        row = resolve_claim(session, claim)
        info, _ = store_assessment(session, row, components, overall, assessed_by)
        return info


def get_assessment(library: Library, claim: str) -> CerqualInfo:
    """The claim's assessment (all levels None when it has not been assessed)."""
    with library.session(write=False) as session:
        row = resolve_claim(session, claim)
        return _info(row, session.get(m.CerqualAssessment, row.id))


def list_assessments(library: Library) -> list[CerqualInfo]:
    """Every claim's assessment in table order, assessed or not."""
    with library.session(write=False) as session:
        claims = session.execute(select(m.Claim).order_by(m.Claim.position, m.Claim.slug))
        return [_info(c, session.get(m.CerqualAssessment, c.id)) for c in claims.scalars()]
