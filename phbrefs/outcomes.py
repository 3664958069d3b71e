"""One vocabulary for what happened to each item of a batch, and one report for a batch.

``add``, ``import``, ``coding import``, ``merge`` and every later batch command say the same
words for the same things and end with the same exit codes, so a script can read any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from phbrefs.errors import ExitCode

if TYPE_CHECKING:
    from phbrefs.records import WorkRecord


class Outcome(StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    MERGED = "merged"  # a confident duplicate, folded into a stored (or earlier) work
    POSSIBLE = "possible duplicate"  # added as its own work, to review with `phbrefs dedup`
    UNCHANGED = "unchanged"  # already stored (perhaps by another process meanwhile)
    SKIPPED = "skipped"  # deliberately not done (a source down for an optional step)
    NOT_FOUND = "not found"
    INVALID = "invalid"
    FAILED = "failed"

    @property
    def ok(self) -> bool:
        return self not in (Outcome.NOT_FOUND, Outcome.INVALID, Outcome.FAILED)

    @property
    def changes(self) -> bool:
        return self in (Outcome.ADDED, Outcome.UPDATED, Outcome.MERGED, Outcome.POSSIBLE)


@dataclass
class ItemResult:
    """What happened to one item of a batch (a DOI, a BibTeX entry, a coding row...)."""

    item: str
    outcome: Outcome
    citekey: str | None = None
    title: str | None = None
    detail: str | None = None
    work_id: int | None = None
    matched: str | None = None  # the work it merged into, or may duplicate
    score: float | None = None
    why: list[str] = field(default_factory=list)
    record: WorkRecord | None = field(default=None, repr=False)  # the metadata it carried
    kind: str | None = None  # what the item is, where a batch mixes kinds: finding, claim...

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "item": self.item,
            "outcome": str(self.outcome),
            "citekey": self.citekey,
            "title": self.title,
            "detail": self.detail,
        }
        if self.matched is not None or self.why or self.score is not None:
            data.update(matched=self.matched, score=self.score, why=self.why)
        if self.kind is not None:
            data["kind"] = self.kind
        return data


@dataclass
class BatchReport:
    """Per-item results in input order, their counts, and the exit code they make."""

    results: list[ItemResult] = field(default_factory=list)
    dry_run: bool = False
    origin: str | None = None  # the file or source the batch came from
    warnings: list[str] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    def counts(self) -> dict[Outcome, int]:
        """Counts of the outcomes that occurred, in the vocabulary's order."""
        found = {o: self.count(o) for o in Outcome}
        return {o: n for o, n in found.items() if n}

    def by_kind(self) -> dict[str, dict[str, int]]:
        """kind -> outcome -> count, for batches that mix kinds (a coding form's sheets)."""
        counts: dict[str, dict[str, int]] = {}
        for result in self.results:
            per_kind = counts.setdefault(result.kind or "", {})
            per_kind[str(result.outcome)] = per_kind.get(str(result.outcome), 0) + 1
        return counts

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.outcome.ok)

    @property
    def ok(self) -> bool:
        return self.failed == 0

    @property
    def changed(self) -> int:
        return sum(1 for r in self.results if r.outcome.changes)

    @property
    def exit_code(self) -> ExitCode:
        """0 when every item succeeded, PARTIAL (6) when any did not."""
        return ExitCode.OK if self.ok else ExitCode.PARTIAL

    def summary(self) -> str:
        """``3 added, 1 merged, 2 unchanged`` (``nothing to do`` for an empty batch)."""
        counts = self.counts()
        if not counts:
            return "nothing to do"
        words = []
        for outcome, n in counts.items():
            name = str(outcome)
            if outcome is Outcome.POSSIBLE:
                name = f"possible duplicate{'' if n == 1 else 's'} to review"
            words.append(f"{n} {name}")
        return ", ".join(words) + (" (dry run: nothing written)" if self.dry_run else "")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "summary": {str(o): self.count(o) for o in Outcome},
            "dry_run": self.dry_run,
        }
        if self.origin is not None:
            data["file"] = self.origin
        if any(r.kind for r in self.results):
            data["counts"] = self.by_kind()
        if self.warnings:
            data["warnings"] = self.warnings
        data["items"] = [r.to_dict() for r in self.results]
        return data
