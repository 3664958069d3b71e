"""Checking coding rows against the library: each problem is recorded at its sheet, row and
column instead of stopping the import, so the reviewer sees them all at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from phbrefs.db import coding_store as store
from phbrefs.errors import PhbrefsError
from phbrefs.evidence.claims import UnknownClaimError
from phbrefs.evidence.coding.form import CodingData, Problem
from phbrefs.outcomes import BatchReport, ItemResult, Outcome

if TYPE_CHECKING:
    from phbrefs.library import Library


def cell_text(value: Any) -> str | None:
    """A cell as tidy text, or None when empty."""
    if value is None:
        return None
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = " ".join(str(value).split())
    return text or None


class Validator:
    """Checks cells against the library for the plans, collecting every problem it finds."""

    def __init__(self, library: Library, data: CodingData, coder: str | None) -> None:
        self.library = library
        self.coder = coder
        self.data = data
        self.problems: list[Problem] = list(data.problems)
        self._works: dict[str, int | None] = {}
        self.claims: dict[str, Any] = store.claims_by_slug(library)  # slug -> claim handle
        self.new_claims: set[str] = set()
        self.dimensions = store.dimension_index(library)

    def problem(self, sheet: str, row: int, column: str | None, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, message, self.data.items))

    def unique(self, sheet: str, seen: dict[Any, int], key: Any, row: int, what: str) -> bool:
        """Whether ``key`` is the first of its kind on this sheet; a repeat is a problem naming
        both rows (``findings: rows 2 and 3 both have id 1``), so neither overwrites the other."""
        if key in seen:
            rows = "items" if self.data.items else "rows"
            message = f"{rows} {seen[key]} and {row} both have {what}"
            self.problems.append(Problem(sheet, None, None, message, self.data.items))
            return False
        seen[key] = row
        return True

    def check(self, sheet: str, row: int, column: str, parse: Callable[[], Any]) -> Any:
        """Run ``parse``; a phbrefs error becomes a problem at this cell and gives None."""
        try:
            return parse()
        except PhbrefsError as error:
            self.problem(sheet, row, column, str(error))
            return None

    def work(self, sheet: str, row: int, value: Any) -> int | None:
        key = cell_text(value)
        if not key:
            self.problem(sheet, row, "citekey", "missing citekey")
            return None
        if key not in self._works:
            self._works[key] = self.check(sheet, row, "citekey", lambda: self.library.work_id(key))
            return self._works[key]
        if self._works[key] is None:
            self.check(sheet, row, "citekey", lambda: self.library.work_id(key))
        return self._works[key]

    def claim(self, sheet: str, row: int, value: Any) -> str | None:
        slug = (cell_text(value) or "").lower()
        if not slug:
            self.problem(sheet, row, "claim", "missing claim")
            return None
        if slug not in self.claims and slug not in self.new_claims:
            suggestion = store.closest_slug(self.library, slug)
            self.problem(sheet, row, "claim", str(UnknownClaimError(slug, suggestion)))
            return None
        return slug


Operation = Callable[[BatchReport], None]


def count_result(report: BatchReport, v: Validator, sheet: str, row: int, outcome: str) -> None:
    """One result per row applied, named as the problems are: sheet and row (or item)."""
    where = f"{sheet} {'item' if v.data.items else 'row'} {row}"
    report.results.append(ItemResult(where, Outcome(outcome), kind=sheet))
