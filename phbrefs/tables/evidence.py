"""Loaded evidence as the tables and the maps see it: author-year labels, notice markers,
reference lists, and claims kept together by theme."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from phbrefs.tables.data import ClaimData, EvidenceData, FindingData
from phbrefs.tables.model import NOTICE_MARKER, Table
from phbrefs.tables.references import Citation, assign_citations, build_references, notice_text

OTHER_THEME = "Other claims"
NO_CLAIMS_HINT = " (add one with phbrefs claim add)"


class Evidence:
    """Loaded evidence plus the citation labels and notice markers the tables share."""

    def __init__(self, data: EvidenceData) -> None:
        self.data = data
        records = {**data.peers, **{w.id: w.record for w in data.works.values()}}
        self.citations: dict[int, Citation] = assign_citations(records)
        self.by_claim: dict[int, list[FindingData]] = {}
        for finding in data.findings:
            self.by_claim.setdefault(finding.claim_id, []).append(finding)

    def label(self, work_id: int) -> str:
        return self.citations[work_id].label

    def marker(self, work_id: int) -> str | None:
        record = self.data.works[work_id].record
        if record.is_retracted:
            return f"{NOTICE_MARKER} RETRACTED"
        return NOTICE_MARKER if record.has_notices else None

    def cite(self, work_id: int) -> str:
        """``Welch et al. 2016`` with its notice marker glued on, for lists of studies."""
        marker = self.marker(work_id)
        return f"{self.label(work_id)} {marker}" if marker else self.label(work_id)

    def ordered(self, work_ids: Iterable[int]) -> list[int]:
        """Works in reference-list order: author-year label, then citekey."""
        return sorted(
            set(work_ids),
            key=lambda i: (self.label(i).casefold(), self.data.works[i].citekey),
        )

    def studies_for(self, claim: ClaimData) -> list[int]:
        return self.ordered(f.work_id for f in self.by_claim.get(claim.id, []))

    def finish(self, table: Table, work_ids: Iterable[int]) -> Table:
        """Append notice footnotes and the reference list for the works the table cites."""
        cited = self.ordered(work_ids)
        for work_id in cited:
            record = self.data.works[work_id].record
            if record.has_notices:
                table.footnotes.append(
                    f"{self.marker(work_id)} {self.label(work_id)}: {notice_text(record)}."
                )
        table.references = build_references(
            ((i, self.data.works[i].citekey, self.data.works[i].record) for i in cited),
            self.citations,
        )
        return table


def theme_groups(claims: Sequence[ClaimData]) -> dict[int, str | None]:
    """Claims grouped by theme when any claim has one (themeless ones under "Other claims")."""
    if not any(c.theme for c in claims):
        return {c.id: None for c in claims}
    return {c.id: c.theme or OTHER_THEME for c in claims}


def theme_ordered(claims: Sequence[ClaimData]) -> list[ClaimData]:
    """Claims in their order, each theme's claims kept together (themes in order of their first
    claim, "Other claims" last)."""
    groups = theme_groups(claims)
    first_seen: dict[str | None, int] = {OTHER_THEME: len(claims)}
    for index, claim in enumerate(claims):
        first_seen.setdefault(groups[claim.id], index)
    indexed = sorted(enumerate(claims), key=lambda item: (first_seen[groups[item[1].id]], item[0]))
    return [claim for _, claim in indexed]
