"""GRADE-CERQual: how much confidence a review finding (a claim) deserves.

Four components (methodological limitations, coherence, adequacy of data, relevance), each
judged as a level of concern with an explanation, support one overall judgement of confidence.
An overall judgement made while components are unassessed is allowed but flagged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from phbrefs.evidence import vocab
from phbrefs.evidence.vocab import CERQUAL_COMPONENTS

if TYPE_CHECKING:
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


def warnings_for(info: CerqualInfo) -> list[str]:
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


def _tidy(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(text.split()) or None


def assessment_changes(
    components: dict[str, tuple[str | None, str | None]],
    overall: tuple[str | None, str | None] = (None, None),
) -> dict[str, str | None]:
    """The columns the given judgements set, checked against the CERQual vocabulary.

    ``components`` maps a component key to (level, explanation); None leaves a value as it is
    and ``""`` clears it.
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
    return changes


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
    from phbrefs.db import cerqual_store

    return cerqual_store.set_assessment(
        library, claim, components=components, overall=overall, assessed_by=assessed_by
    )


def get_assessment(library: Library, claim: str) -> CerqualInfo:
    """The claim's assessment (all levels None when it has not been assessed)."""
    from phbrefs.db import cerqual_store

    return cerqual_store.get_assessment(library, claim)


def list_assessments(library: Library) -> list[CerqualInfo]:
    """Every claim's assessment in table order, assessed or not."""
    from phbrefs.db import cerqual_store

    return cerqual_store.list_assessments(library)
