"""Each sheet's rows checked and turned into operations to apply in the import's transaction.

In a papers, claims or CERQual row, a column that is absent leaves the stored value alone and an
empty cell clears it; a findings row states the whole finding.
"""

from __future__ import annotations

from typing import Any

from phbrefs.db import coding_store as store
from phbrefs.evidence import vocab
from phbrefs.evidence.claims import check_slug, slug_from_statement
from phbrefs.evidence.coding.validator import Operation, Validator, cell_text, count_result
from phbrefs.evidence.findings import FindingFields, location_text, normalise_quote
from phbrefs.evidence.frameworks import resolve_dimension, split_dimensions
from phbrefs.evidence.studies import (
    STUDY_FIELDS,
    Group,
    group_from_mapping,
    group_problems,
    parse_participants,
)
from phbrefs.evidence.vocab import CERQUAL_COMPONENTS
from phbrefs.formats.limits import shown
from phbrefs.outcomes import BatchReport


def plan_claims(v: Validator, rows: list[tuple[int, dict[str, Any]]]) -> list[Operation]:
    ops: list[Operation] = []
    seen: dict[str, int] = {}
    for row, record in rows:
        statement = cell_text(record.get("statement"))
        slug_text = (cell_text(record.get("claim")) or "").lower()
        slug = v.check("claims", row, "claim", lambda s=slug_text: check_slug(s) if s else None)
        if slug_text and slug is None:
            continue
        if not slug:
            if not statement:
                v.problem("claims", row, "statement", "a new claim needs a statement")
                continue
            slug = v.check("claims", row, "statement", lambda s=statement: slug_from_statement(s))
            if slug is None:
                continue
        if not v.unique("claims", seen, slug, row, f"claim {slug!r}"):
            continue
        position: int | None = None
        raw_position = record.get("position")
        if raw_position not in (None, ""):
            try:
                position = int(str(raw_position).strip())
            except ValueError:
                v.problem("claims", row, "position", f"{raw_position!r} is not a whole number")
                continue
        existing = v.claims.get(slug)
        if existing is None:
            if not statement:
                v.problem("claims", row, "statement", f"new claim {slug!r} needs a statement")
                continue
            v.new_claims.add(slug)
        elif "statement" in record and not statement:
            v.problem("claims", row, "statement", "a claim's statement cannot be empty")
            continue

        def apply(
            report: BatchReport,
            row: int = row,
            slug: str = slug,
            record: dict[str, Any] = record,
            position: int | None = position,
        ) -> None:
            fields = {
                name: cell_text(record.get(name)) or ""
                for name in ("theme", "description")
                if name in record
            }
            current = v.claims.get(slug)
            if current is None:
                v.claims[slug] = store.add_claim(
                    v.library,
                    cell_text(record.get("statement")) or "",
                    slug=slug,
                    position=position,
                    **fields,
                )
                count_result(report, v, "claims", row, "added")
                return
            changed = store.update_claim(
                v.library,
                current,
                statement=cell_text(record.get("statement")),
                position=position,
                **fields,
            )
            count_result(report, v, "claims", row, "updated" if changed else "unchanged")

        ops.append(apply)
    return ops


def _groups(v: Validator, row: int, record: dict[str, Any]) -> list[Group] | None:
    """Participant groups from a ``groups`` list (YAML/JSON) or a ``participants`` phrase."""
    if "groups" in record and record["groups"] not in (None, ""):
        if not isinstance(record["groups"], list):
            message = f"expected a list of groups, not {shown(record['groups'])}"
            v.problem("papers", row, "groups", message)
            return None
        groups = []
        for number, item in enumerate(record["groups"], start=1):
            problems = group_problems(item)
            for suffix, message in problems:
                v.problem("papers", row, f"groups[{number}]{suffix}", message)
            if not problems:
                groups.append(group_from_mapping(item))
        return groups
    if "participants" in record:
        text = cell_text(record["participants"])
        return v.check("papers", row, "participants", lambda: parse_participants(text or ""))
    return None


def plan_papers(v: Validator, rows: list[tuple[int, dict[str, Any]]]) -> list[Operation]:
    ops: list[Operation] = []
    seen: dict[int, int] = {}
    for row, record in rows:
        work_id = v.work("papers", row, record.get("citekey"))
        what = f"citekey {cell_text(record.get('citekey'))!r}"
        if work_id is not None and not v.unique("papers", seen, work_id, row, what):
            continue
        values = {
            name: cell_text(record.get(name)) or "" for name in STUDY_FIELDS if name in record
        }
        problems_before = len(v.problems)
        groups = _groups(v, row, record)
        if work_id is None or len(v.problems) > problems_before:
            continue
        has_content = any(values.values()) or bool(groups)
        if not has_content and not store.has_study(v.library, work_id):
            continue  # a template row nobody filled in

        def apply(
            report: BatchReport,
            row: int = row,
            work_id: int = work_id,
            values: dict[str, str | None] = values,  # type: ignore[assignment]
            groups: list[Group] | None = groups,
        ) -> None:
            count_result(
                report, v, "papers", row, store.store_study(v.library, work_id, values, groups)
            )

        ops.append(apply)
    return ops


def plan_findings(
    v: Validator, rows: list[tuple[int, dict[str, Any]]], coder: str | None
) -> list[Operation]:
    ops: list[Operation] = []
    seen: dict[tuple[int, str, str], int] = {}
    seen_ids: dict[int, int] = {}
    for row, record in rows:
        before = len(v.problems)
        finding_id: int | None = None
        raw_id = record.get("id")
        if raw_id not in (None, ""):
            try:
                finding_id = int(str(raw_id).strip())
            except ValueError:
                v.problem("findings", row, "id", f"{raw_id!r} is not a finding id")
            else:
                if not store.has_finding(v.library, finding_id):
                    v.problem("findings", row, "id", f"no finding with id {finding_id}")
                else:
                    v.unique("findings", seen_ids, finding_id, row, f"id {finding_id}")
        work_id = v.work("findings", row, record.get("citekey"))
        slug = v.claim("findings", row, record.get("claim"))
        stance_text = cell_text(record.get("stance"))
        stance = quote = None
        if not stance_text:
            v.problem("findings", row, "stance", "missing stance")
        else:
            stance = v.check("findings", row, "stance", lambda s=stance_text: vocab.stance(s))
        if not cell_text(record.get("quote")):
            v.problem("findings", row, "quote", "missing quote (a verbatim quote is required)")
        else:
            quote = normalise_quote(cell_text(record.get("quote")))
        dims = record.get("dimensions")
        specs = dims if isinstance(dims, list) else split_dimensions(cell_text(dims))
        dimension_ids = [
            v.check("findings", row, "dimensions", lambda s=s: resolve_dimension(v.dimensions, s))
            for s in specs
        ]
        if len(v.problems) > before or work_id is None or slug is None:
            continue
        identity = (work_id, slug, quote)
        if identity in seen:
            v.problem(
                "findings", row, "quote", f"same citekey, claim and quote as row {seen[identity]}"
            )
            continue
        seen[identity] = row
        fields = FindingFields(
            stance=stance,
            quote=quote,
            location=location_text(None, cell_text(record.get("location"))),
            participants=cell_text(record.get("participants")),
            dimension_ids=[d for d in dimension_ids if d is not None],
            note=cell_text(record.get("note")),
            coder=cell_text(record.get("coder")) or coder,
        )

        def apply(
            report: BatchReport,
            row: int = row,
            work_id: int = work_id,
            slug: str = slug,
            fields: FindingFields = fields,
            finding_id: int | None = finding_id,
        ) -> None:
            claim_id = v.claims[slug].id or 0
            outcome = store.store_finding(v.library, work_id, claim_id, fields, finding_id)
            count_result(report, v, "findings", row, outcome)

        ops.append(apply)
    return ops


def plan_cerqual(v: Validator, rows: list[tuple[int, dict[str, Any]]]) -> list[Operation]:
    ops: list[Operation] = []
    seen: dict[str, int] = {}
    for row, record in rows:
        before = len(v.problems)
        slug = v.claim("cerqual", row, record.get("claim"))
        if slug is not None and not v.unique("cerqual", seen, slug, row, f"claim {slug!r}"):
            continue
        components: dict[str, tuple[str | None, str | None]] = {}
        for key, (_, short) in CERQUAL_COMPONENTS.items():
            level = None if short not in record else cell_text(record[short]) or ""
            if level:
                v.check("cerqual", row, short, lambda x=level: vocab.concern_level(x))
            why = None if f"{short}_why" not in record else cell_text(record[f"{short}_why"]) or ""
            components[key] = (level, why)
        overall = None if "overall" not in record else cell_text(record["overall"]) or ""
        if overall:
            v.check("cerqual", row, "overall", lambda x=overall: vocab.confidence_level(x))
        overall_why = (
            None if "overall_why" not in record else cell_text(record["overall_why"]) or ""
        )
        if len(v.problems) > before or slug is None:
            continue
        filled = any(x for pair in components.values() for x in pair) or overall or overall_why
        claim_row = v.claims.get(slug)
        if not filled and (claim_row is None or not store.has_assessment(v.library, claim_row)):
            continue

        def apply(
            report: BatchReport,
            row: int = row,
            slug: str = slug,
            components: dict[str, tuple[str | None, str | None]] = components,
            overall: tuple[str | None, str | None] = (overall, overall_why),
        ) -> None:
            info, outcome = store.store_assessment(
                v.library, v.claims[slug], components, overall, v.coder
            )
            count_result(report, v, "cerqual", row, outcome)
            report.warnings.extend(info.warnings)

        ops.append(apply)
    return ops
