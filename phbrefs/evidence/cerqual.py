"""GRADE-CERQual: how much confidence a review finding (a claim) deserves.

Four components (methodological limitations, coherence, adequacy of data, relevance), each
judged as a level of concern with an explanation, support one overall judgement of confidence.
An overall judgement made while components are unassessed is allowed but flagged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from phbrefs.db import models as m
from phbrefs.db.claim_store import resolve_claim
from phbrefs.evidence import vocab
from phbrefs.evidence.vocab import CERQUAL_COMPONENTS

if TYPE_CHECKING:
    from sqlmodel import Session

    from phbrefs.library import Library


@dataclass
class Judgement:
    level: str | None
    explanation: str | None


@dataclass
class CerqualInfo:
    claim: str
    statement: str
    components: dict[str, Judgement]  # keyed like CERQUAL_COMPONENTS
    overall: Judgement
    assessed_by: str | None = None
    assessed_at: datetime | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def unassessed(self) -> list[str]:
        return [CERQUAL_COMPONENTS[k][0] for k, j in self.components.items() if j.level is None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "statement": self.statement,
            **{
                key: {"concerns": j.level, "explanation": j.explanation}
                for key, j in self.components.items()
            },
            "overall": {"confidence": self.overall.level, "explanation": self.overall.explanation},
            "assessed_by": self.assessed_by,
            "assessed_at": self.assessed_at.isoformat() if self.assessed_at else None,
            "warnings": self.warnings,
        }


def _warnings(info: CerqualInfo) -> list[str]:
    """What a careful reviewer would want pointed out about this assessment."""
    found = []
    if info.overall.level and info.unassessed:
        found.append(
            f"claim {info.claim!r}: overall confidence {info.overall.level!r} is judged while "
            f"{', '.join(info.unassessed)} {'is' if len(info.unassessed) == 1 else 'are'} "
            "unassessed"
        )
    if info.overall.level and not info.overall.explanation:
        found.append(f"claim {info.claim!r}: the overall judgement has no explanation")
    serious = [CERQUAL_COMPONENTS[k][0] for k, j in info.components.items() if j.level == "serious"]
    if info.overall.level == "high" and serious:
        found.append(
            f"claim {info.claim!r}: high confidence despite serious concerns about "
            f"{', '.join(serious)}"
        )
    return found


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
    info.warnings = _warnings(info)
    return info


def _tidy(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(text.split()) or None


def store_assessment(
    session: Session,
    claim: m.Claim,
    components: dict[str, tuple[str | None, str | None]],
    overall: tuple[str | None, str | None] = (None, None),
    assessed_by: str | None = None,
) -> tuple[CerqualInfo, str]:
    """Merge the given judgements into the claim's assessment.

    ``components`` maps a component key to (level, explanation); None leaves a value as it is
    and ``""`` clears it. Returns the assessment and ``added``/``updated``/``unchanged``.
    """
    changes: dict[str, str | None] = {}
    for key, (level, why) in components.items():
        if key not in CERQUAL_COMPONENTS:
            raise KeyError(key)
        if level is not None:
            changes[key] = vocab.concern_level(level) if level.strip() else None
        if why is not None:
            changes[f"{key}_explanation"] = _tidy(why)
    level, why = overall
    if level is not None:
        changes["overall"] = vocab.confidence_level(level) if level.strip() else None
    if why is not None:
        changes["overall_explanation"] = _tidy(why)
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
    with library.session() as session:
        row = resolve_claim(session, claim)
        return _info(row, session.get(m.CerqualAssessment, row.id))


def list_assessments(library: Library) -> list[CerqualInfo]:
    """Every claim's assessment in table order, assessed or not."""
    with library.session() as session:
        claims = session.execute(select(m.Claim).order_by(m.Claim.position, m.Claim.slug))
        return [_info(c, session.get(m.CerqualAssessment, c.id)) for c in claims.scalars()]
