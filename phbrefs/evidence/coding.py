"""The coding round trip: export a coding form (xlsx, csv, yaml, json) with the library's papers,
claims, findings and CERQual assessments; a reviewer fills it in; import reads it back.

Import validates every row first and reports every problem by sheet, row and column; a file with
any problem changes nothing. Import is idempotent: findings are matched on their ``id`` or on
work + claim + quote, so re-importing the same file adds nothing.

In a papers, claims or CERQual row, a column that is absent leaves the stored value alone and an
empty cell clears it; a findings row states the whole finding.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phbrefs import fileio
from phbrefs.db import coding_store as store
from phbrefs.errors import InvalidInputError, ParseError, PhbrefsError, ValidationError
from phbrefs.evidence import vocab
from phbrefs.evidence.cerqual import list_assessments
from phbrefs.evidence.claims import (
    UnknownClaimError,
    check_slug,
    list_claims,
    slug_from_statement,
)
from phbrefs.evidence.findings import (
    FindingFields,
    list_findings,
    location_text,
    normalise_quote,
)
from phbrefs.evidence.frameworks import resolve_dimension, split_dimensions
from phbrefs.evidence.studies import STUDY_FIELDS, Group, list_studies, parse_participants
from phbrefs.evidence.vocab import CERQUAL_COMPONENTS
from phbrefs.formulas import as_text_cell, guard, unguard
from phbrefs.outcomes import BatchReport, ItemResult, Outcome

if TYPE_CHECKING:
    from phbrefs.library import Library

FORMATS = ("xlsx", "csv", "yaml", "json")

PAPER_INFO_COLUMNS = ("author_year", "title", "year", "doi")  # shown to the coder, not imported
PAPER_COLUMNS = (
    "citekey",
    *PAPER_INFO_COLUMNS,
    "aim",
    "design",
    "data_collection",
    "setting",
    "country",
    "period",
    "participants",
    "analysis",
    "framework",
    "funding",
    "key_findings",
)
CLAIM_COLUMNS = ("claim", "statement", "theme", "description", "position")
FINDING_COLUMNS = (
    "id",
    "citekey",
    "claim",
    "stance",
    "quote",
    "location",
    "participants",
    "dimensions",
    "note",
    "coder",
)
CERQUAL_COLUMNS = (
    "claim",
    *(name for _, (_, short) in CERQUAL_COMPONENTS.items() for name in (short, f"{short}_why")),
    "overall",
    "overall_why",
)
SHEETS: dict[str, tuple[str, ...]] = {
    "papers": PAPER_COLUMNS,
    "claims": CLAIM_COLUMNS,
    "findings": FINDING_COLUMNS,
    "cerqual": CERQUAL_COLUMNS,
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "papers": ("citekey",),
    "claims": (),
    "findings": ("citekey", "claim", "stance", "quote"),
    "cerqual": ("claim",),
}

# What each column means: written into the xlsx "help" sheet and the README.
COLUMN_HELP: dict[str, str] = {
    "papers.citekey": "the paper's citekey (read only: papers come from the library)",
    "papers.author_year / title / year / doi": "for orientation only; not imported",
    "papers.design": "qualitative, mixed methods, RCT... (free text; known designs normalised)",
    "papers.participants": "groups with counts, e.g. '20 interviews with organisational "
    "representatives at two time points; 23 budget holders; 42 support plans'",
    "claims.claim": "the claim id (slug), e.g. post-detox-timing; blank: derived from statement",
    "claims.position": "order in tables (whole number)",
    "findings.id": "leave blank for a new finding; filled in on export",
    "findings.stance": ", ".join(vocab.STANCES),
    "findings.quote": "verbatim quote (required)",
    "findings.location": "page, section or paragraph, e.g. 'p. 5' or 'Findings'",
    "findings.participants": "whose evidence, e.g. 'organisational representatives'",
    "findings.dimensions": "framework dimensions separated by ';', e.g. 'RE-AIM:Implementation'",
    "cerqual.limitations / coherence / adequacy / relevance": "concerns: "
    + ", ".join(vocab.CONCERN_LEVELS),
    "cerqual.overall": "confidence: " + ", ".join(vocab.CONFIDENCE_LEVELS),
    "cerqual.*_why": "the explanation of each judgement",
}


@dataclass
class Problem:
    """One thing wrong with one cell (or row, or sheet) of a coding file."""

    sheet: str
    row: int | None
    column: str | None
    message: str
    items: bool = False  # YAML/JSON: "item 3, field stance" rather than "row 3, column stance"

    def __str__(self) -> str:
        text = self.sheet
        if self.row is not None:
            text += f" {'item' if self.items else 'row'} {self.row}"
        if self.column:
            text += f", {'field' if self.items else 'column'} {self.column}"
        return f"{text}: {self.message}"


@dataclass
class CodingData:
    """A coding file as read: for each sheet, (row number, {column: value}) pairs."""

    origin: str
    sheets: dict[str, list[tuple[int, dict[str, Any]]]]
    items: bool = False  # numbered as items (YAML/JSON) rather than spreadsheet rows
    problems: list[Problem] = field(default_factory=list)


def format_of(path: Path, fmt: str | None = None) -> str:
    value = (fmt or path.suffix.lstrip(".")).lower()
    value = {"yml": "yaml", "xlsm": "xlsx"}.get(value, value)
    if value not in FORMATS:
        raise InvalidInputError(
            f"cannot tell the coding format of {path.name!r}; use one of: "
            + ", ".join(f".{f}" for f in FORMATS)
        )
    return value


# -- reading ----------------------------------------------------------------------------------


def _header_name(value: Any) -> str:
    return "_".join(str(value or "").strip().lower().replace("-", " ").split())


def _cell(value: Any) -> Any:
    """Spreadsheet cells as import reads them: strings stripped, 5.0 as 5, empty as ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _table_rows(
    sheet: str, rows: list[Sequence[Any]], data: CodingData, *, first_row: int = 1
) -> None:
    """Rows of a sheet whose first row is the header."""
    if not rows:
        data.sheets[sheet] = []
        return
    header = [_header_name(v) for v in rows[0]]
    records = []
    for offset, values in enumerate(rows[1:], start=first_row + 1):
        record = {
            name: _cell(value)
            for name, value in zip(header, values, strict=False)
            if name in SHEETS[sheet]
        }
        for name in header:
            if name in SHEETS[sheet]:
                record.setdefault(name, "")
        if any(v not in ("", None) for v in record.values()):
            records.append((offset, record))
    missing = [c for c in REQUIRED[sheet] if c not in header]
    if sheet == "claims" and "claim" not in header and "statement" not in header:
        missing = ["claim"]
    for column in missing:
        data.problems.append(Problem(sheet, None, None, f"no column {column!r}"))
    data.sheets[sheet] = records


MAX_XLSX_UNPACKED = 256 * 1024 * 1024  # a coding form of 5,000 findings unpacks to about 5 MB


def _check_unpacked_size(path: Path) -> None:
    """Refuse a workbook whose parts unpack to more than ``MAX_XLSX_UNPACKED`` (a zip bomb)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return  # not a zip: openpyxl says so below
    if size > MAX_XLSX_UNPACKED:
        raise ParseError(str(path), f"unpacks to {size:,} bytes (at most {MAX_XLSX_UNPACKED:,})")


def read_xlsx(path: Path) -> CodingData:
    from openpyxl import load_workbook

    _check_unpacked_size(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # zipfile/openpyxl raise many kinds for a broken file
        raise ParseError(str(path), f"not a readable .xlsx workbook ({error})") from error
    data = CodingData(str(path), {})
    try:
        names = {_header_name(name): name for name in workbook.sheetnames}
        if "studies" in names and "papers" not in names:
            names["papers"] = names["studies"]
        for sheet in SHEETS:
            if sheet in names:
                rows = [list(r) for r in workbook[names[sheet]].iter_rows(values_only=True)]
                _table_rows(sheet, rows, data)
    finally:
        workbook.close()
    if not data.sheets:
        raise ParseError(str(path), f"no sheet named {', '.join(SHEETS)}")
    return data


def read_csv(path: Path) -> CodingData:
    from phbrefs.textfiles import read_text

    try:
        text = io.StringIO(read_text(path), newline="")
        rows = [[unguard(value) for value in row] for row in csv.reader(text)]
    except csv.Error as error:
        raise ParseError(str(path), f"cannot read CSV ({error})") from error
    data = CodingData(str(path), {})
    _table_rows("findings", rows, data)
    return data


def read_structured(path: Path, fmt: str) -> CodingData:
    """YAML or JSON: a mapping with ``papers``, ``claims``, ``findings``, ``cerqual`` lists."""
    from phbrefs.formats.limits import bounded_int, unstorable
    from phbrefs.textfiles import read_text
    from phbrefs.yamlsafe import load

    text = read_text(path)
    try:
        content = json.loads(text, parse_int=bounded_int) if fmt == "json" else load(text)
    except RecursionError as error:
        raise ParseError(str(path), f"cannot read {fmt.upper()} (nested too deeply)") from error
    except ValueError as error:  # YAMLBombError, JSONDecodeError, an integer too long
        raise ParseError(str(path), f"cannot read {fmt.upper()} ({error})") from error
    except Exception as error:  # yaml.YAMLError and its children
        raise ParseError(str(path), f"cannot read YAML ({error})") from error
    if where := unstorable(content):
        raise ParseError(str(path), f"cannot read {fmt.upper()} ({where})")
    return structured_data(content, str(path))


def structured_data(content: Any, origin: str) -> CodingData:
    """The same structure as ``export``'s YAML/JSON, already parsed into Python objects."""
    data = CodingData(origin, {}, items=True)
    if not isinstance(content, dict):
        raise ParseError(origin, "expected a mapping with papers, claims, findings, cerqual")
    unknown = set(content) - set(SHEETS)
    for name in sorted(unknown):
        data.problems.append(Problem(name, None, None, "unknown section", items=True))
    for sheet in SHEETS:
        entries = content.get(sheet) or []
        if not isinstance(entries, list):
            data.problems.append(Problem(sheet, None, None, "expected a list", items=True))
            continue
        records = []
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                data.problems.append(Problem(sheet, number, None, "expected a mapping", True))
                continue
            allowed = set(SHEETS[sheet]) | ({"groups"} if sheet == "papers" else set())
            for name in entry:
                if name not in allowed:
                    data.problems.append(Problem(sheet, number, name, "unknown field", True))
            records.append((number, {k: v for k, v in entry.items() if k in allowed}))
        data.sheets[sheet] = records
    return data


def read_coding(path: Path, fmt: str | None = None) -> CodingData:
    if not path.exists():
        raise InvalidInputError(f"no such file: {path}")
    kind = format_of(path, fmt)
    if kind == "xlsx":
        return read_xlsx(path)
    if kind == "csv":
        return read_csv(path)
    return read_structured(path, kind)


# -- validating and importing -----------------------------------------------------------------


def _text(value: Any) -> str | None:
    """A cell as tidy text, or None when empty."""
    if value is None:
        return None
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = " ".join(str(value).split())
    return text or None


class _Validator:
    """Checks rows against the library and turns them into write operations."""

    def __init__(self, library: Library, data: CodingData, coder: str | None) -> None:
        self.library = library
        self.coder = coder
        self.data = data
        self.problems: list[Problem] = list(data.problems)
        self._works: dict[str, int | None] = {}
        self.claims: dict[str, Any] = store.claims_by_slug(library)  # slug -> claim handle
        self.new_claims: set[str] = set()
        self._dimensions = store.dimension_index(library)

    def problem(self, sheet: str, row: int, column: str | None, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, message, self.data.items))

    def check(self, sheet: str, row: int, column: str, parse: Callable[[], Any]) -> Any:
        """Run ``parse``; a phbrefs error becomes a problem at this cell and gives None."""
        try:
            return parse()
        except PhbrefsError as error:
            self.problem(sheet, row, column, str(error))
            return None

    def work(self, sheet: str, row: int, value: Any) -> int | None:
        key = _text(value)
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
        slug = (_text(value) or "").lower()
        if not slug:
            self.problem(sheet, row, "claim", "missing claim")
            return None
        if slug not in self.claims and slug not in self.new_claims:
            suggestion = store.closest_slug(self.library, slug)
            self.problem(sheet, row, "claim", str(UnknownClaimError(slug, suggestion)))
            return None
        return slug


Operation = Callable[[BatchReport], None]


def _plan_claims(v: _Validator, rows: list[tuple[int, dict[str, Any]]]) -> list[Operation]:
    ops: list[Operation] = []
    seen: dict[str, int] = {}
    for row, record in rows:
        statement = _text(record.get("statement"))
        slug_text = (_text(record.get("claim")) or "").lower()
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
        if slug in seen:
            v.problem("claims", row, "claim", f"claim {slug!r} is also on row {seen[slug]}")
            continue
        seen[slug] = row
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
                name: _text(record.get(name)) or ""
                for name in ("theme", "description")
                if name in record
            }
            current = v.claims.get(slug)
            if current is None:
                v.claims[slug] = store.add_claim(
                    v.library,
                    _text(record.get("statement")) or "",
                    slug=slug,
                    position=position,
                    **fields,
                )
                _count(report, v, "claims", row, "added")
                return
            changed = store.update_claim(
                v.library,
                current,
                statement=_text(record.get("statement")),
                position=position,
                **fields,
            )
            _count(report, v, "claims", row, "updated" if changed else "unchanged")

        ops.append(apply)
    return ops


def _groups(v: _Validator, row: int, record: dict[str, Any]) -> list[Group] | None:
    """Participant groups from a ``groups`` list (YAML/JSON) or a ``participants`` phrase."""
    if "groups" in record and record["groups"] not in (None, ""):
        groups = []
        for number, item in enumerate(record["groups"] or [], start=1):
            where = f"groups[{number}]"
            if not isinstance(item, dict) or not _text(item.get("label")):
                v.problem("papers", row, where, "a group needs a label")
                continue
            count = item.get("count")
            if count not in (None, "") and (
                isinstance(count, bool) or not isinstance(count, int) or count < 0
            ):
                v.problem("papers", row, f"{where}.count", f"bad count {count!r}")
                continue
            groups.append(
                Group(
                    label=_text(item.get("label")) or "",
                    count=None if count in (None, "") else int(count),
                    unit=_text(item.get("unit")),
                    detail=_text(item.get("detail")),
                )
            )
        return groups
    if "participants" in record:
        text = _text(record["participants"])
        return v.check("papers", row, "participants", lambda: parse_participants(text or ""))
    return None


def _plan_papers(v: _Validator, rows: list[tuple[int, dict[str, Any]]]) -> list[Operation]:
    ops: list[Operation] = []
    for row, record in rows:
        work_id = v.work("papers", row, record.get("citekey"))
        values = {name: _text(record.get(name)) or "" for name in STUDY_FIELDS if name in record}
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
            _count(report, v, "papers", row, store.store_study(v.library, work_id, values, groups))

        ops.append(apply)
    return ops


def _plan_findings(
    v: _Validator, rows: list[tuple[int, dict[str, Any]]], coder: str | None
) -> list[Operation]:
    ops: list[Operation] = []
    seen: dict[tuple[int, str, str], int] = {}
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
        work_id = v.work("findings", row, record.get("citekey"))
        slug = v.claim("findings", row, record.get("claim"))
        stance_text = _text(record.get("stance"))
        stance = quote = None
        if not stance_text:
            v.problem("findings", row, "stance", "missing stance")
        else:
            stance = v.check("findings", row, "stance", lambda s=stance_text: vocab.stance(s))
        if not _text(record.get("quote")):
            v.problem("findings", row, "quote", "missing quote (a verbatim quote is required)")
        else:
            quote = normalise_quote(_text(record.get("quote")))
        dims = record.get("dimensions")
        specs = dims if isinstance(dims, list) else split_dimensions(_text(dims))
        dimension_ids = [
            v.check("findings", row, "dimensions", lambda s=s: resolve_dimension(v._dimensions, s))
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
            location=location_text(None, _text(record.get("location"))),
            participants=_text(record.get("participants")),
            dimension_ids=[d for d in dimension_ids if d is not None],
            note=_text(record.get("note")),
            coder=_text(record.get("coder")) or coder,
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
            _count(report, v, "findings", row, outcome)

        ops.append(apply)
    return ops


def _plan_cerqual(v: _Validator, rows: list[tuple[int, dict[str, Any]]]) -> list[Operation]:
    ops: list[Operation] = []
    for row, record in rows:
        before = len(v.problems)
        slug = v.claim("cerqual", row, record.get("claim"))
        components: dict[str, tuple[str | None, str | None]] = {}
        for key, (_, short) in CERQUAL_COMPONENTS.items():
            level = None if short not in record else _text(record[short]) or ""
            if level:
                v.check("cerqual", row, short, lambda x=level: vocab.concern_level(x))
            why = None if f"{short}_why" not in record else _text(record[f"{short}_why"]) or ""
            components[key] = (level, why)
        overall = None if "overall" not in record else _text(record["overall"]) or ""
        if overall:
            v.check("cerqual", row, "overall", lambda x=overall: vocab.confidence_level(x))
        overall_why = None if "overall_why" not in record else _text(record["overall_why"]) or ""
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
            _count(report, v, "cerqual", row, outcome)
            report.warnings.extend(info.warnings)

        ops.append(apply)
    return ops


def _count(report: BatchReport, v: _Validator, sheet: str, row: int, outcome: str) -> None:
    """One result per row applied, named as the problems are: sheet and row (or item)."""
    where = f"{sheet} {'item' if v.data.items else 'row'} {row}"
    report.results.append(ItemResult(where, Outcome(outcome), kind=sheet))


class _DryRun(Exception):
    """Raised to roll the import transaction back after counting what it would do."""


def import_data(
    library: Library, data: CodingData, *, dry_run: bool = False, coder: str | None = None
) -> BatchReport:
    """Validate every row, then (unless ``dry_run``) apply them all in one transaction.

    Raises ``ValidationError`` listing every problem; nothing is written when there is one.
    """
    report = BatchReport(dry_run=dry_run, origin=data.origin)
    try:
        with library.transaction():
            v = _Validator(library, data, coder)
            sheets = data.sheets
            ops = _plan_claims(v, sheets.get("claims", []))
            ops += _plan_papers(v, sheets.get("papers", []))
            ops += _plan_findings(v, sheets.get("findings", []), coder)
            ops += _plan_cerqual(v, sheets.get("cerqual", []))
            if v.problems:
                n = len(v.problems)
                raise ValidationError(
                    f"{data.origin}: {n} problem{'s' if n != 1 else ''}; nothing imported",
                    [str(p) for p in v.problems],
                )
            for op in ops:
                op(report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def import_coding(
    library: Library,
    path: Path,
    *,
    fmt: str | None = None,
    dry_run: bool = False,
    coder: str | None = None,
) -> BatchReport:
    return import_data(library, read_coding(path, fmt), dry_run=dry_run, coder=coder)


# -- exporting --------------------------------------------------------------------------------


def _author_year(first_author: str | None, year: int | None) -> str:
    return f"{first_author or 'Anon.'} {year or 'n.d.'}"


def coding_rows(library: Library, *, tags: Sequence[str] = ()) -> dict[str, list[dict[str, Any]]]:
    """What an export holds: one row per paper, claim, finding and assessed claim."""
    works = library.works(tags=tags, order="year")
    keys = {w.citekey for w in works}
    studies = {s.citekey: s for s in list_studies(library)}
    papers = []
    for work in works:
        study = studies.get(work.citekey)
        first = work.record.authors[0] if work.record.authors else None
        papers.append(
            {
                "citekey": work.citekey,
                "author_year": _author_year(
                    first.family or first.literal if first else None, work.record.year
                ),
                "title": work.record.full_title,
                "year": work.record.year,
                "doi": work.record.doi,
                **{name: study.fields.get(name) if study else None for name in STUDY_FIELDS},
                "participants": study.participants if study else None,
                "groups": [g.to_dict() for g in study.groups] if study else [],
            }
        )
    claims = [
        {
            "claim": c.slug,
            "statement": c.statement,
            "theme": c.theme,
            "description": c.description,
            "position": c.position,
        }
        for c in list_claims(library)
    ]
    findings = [
        {
            "id": f.id,
            "citekey": f.citekey,
            "claim": f.claim,
            "stance": f.stance,
            "quote": f.quote,
            "location": f.location,
            "participants": f.participants,
            "dimensions": f.dimensions,
            "note": f.note,
            "coder": f.coder,
        }
        for f in list_findings(library)
        if f.citekey in keys
    ]
    cerqual = []
    for info in list_assessments(library):
        if info.assessed_at is None:
            continue
        row: dict[str, Any] = {"claim": info.claim}
        for key, (_, short) in CERQUAL_COMPONENTS.items():
            row[short] = info.components[key].level
            row[f"{short}_why"] = info.components[key].explanation
        row["overall"] = info.overall.level
        row["overall_why"] = info.overall.explanation
        cerqual.append(row)
    return {"papers": papers, "claims": claims, "findings": findings, "cerqual": cerqual}


def _flat(row: dict[str, Any], columns: Sequence[str]) -> list[Any]:
    values = []
    for column in columns:
        value = row.get(column)
        values.append("; ".join(value) if isinstance(value, list) else value)
    return values


def _write_xlsx(rows: dict[str, list[dict[str, Any]]], path: Path, library: Library) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    workbook.remove(workbook.active)
    dimensions = [f"{name}:{code}" for _, name, code in store.dimension_index(library)]
    lists = {
        "stance": list(vocab.STANCES),
        "concern": list(vocab.CONCERN_LEVELS),
        "confidence": list(vocab.CONFIDENCE_LEVELS),
        "claim": [c["claim"] for c in rows["claims"]],
        "citekey": [p["citekey"] for p in rows["papers"]],
        "dimension": dimensions,
        "design": list(vocab.DESIGNS),
    }
    widths = {"quote": 60, "statement": 50, "title": 40, "aim": 40, "key_findings": 40}
    widths |= {"participants": 40, "description": 40, "note": 30}
    read_only_fill = PatternFill("solid", fgColor="EEEEEE")
    for sheet, columns in SHEETS.items():
        ws = workbook.create_sheet(sheet)
        ws.append(list(columns))
        for row in rows[sheet]:
            ws.append(_flat(row, columns))
            for cell in ws[ws.max_row]:
                as_text_cell(cell)
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = widths.get(column, max(12, len(column) + 2))
            ws.cell(1, index).font = Font(bold=True)
            if column in widths:
                for cell in ws[letter][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            if sheet == "papers" and column in PAPER_INFO_COLUMNS:
                for cell in ws[letter][1:]:
                    cell.fill = read_only_fill
        ws.freeze_panes = "B2"
    ws_lists = workbook.create_sheet("lists")
    for index, (name, values) in enumerate(lists.items(), start=1):
        ws_lists.cell(1, index, name)
        for offset, value in enumerate(values, start=2):
            as_text_cell(ws_lists.cell(offset, index, value))
    ws_lists.sheet_state = "hidden"

    def drop_down(sheet: str, column: str, list_name: str, *, strict: bool = True) -> None:
        values = lists[list_name]
        if not values:
            return
        list_col = get_column_letter(list(lists).index(list_name) + 1)
        validation = DataValidation(
            type="list",
            formula1=f"=lists!${list_col}$2:${list_col}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=strict,
            errorTitle=f"Not a {list_name}",
            error=f"Choose a {list_name} from the list.",
        )
        letter = get_column_letter(SHEETS[sheet].index(column) + 1)
        validation.add(f"{letter}2:{letter}2000")
        workbook[sheet].add_data_validation(validation)

    drop_down("findings", "stance", "stance")
    drop_down("findings", "claim", "claim", strict=False)  # new claims may be added in "claims"
    drop_down("findings", "citekey", "citekey")
    drop_down("papers", "design", "design", strict=False)
    drop_down("findings", "dimensions", "dimension", strict=False)  # several may be given
    for _, short in CERQUAL_COMPONENTS.values():
        drop_down("cerqual", short, "concern")
    drop_down("cerqual", "overall", "confidence")
    drop_down("cerqual", "claim", "claim", strict=False)
    help_sheet = workbook.create_sheet("help")
    help_sheet.append(["column", "meaning"])
    help_sheet.cell(1, 1).font = help_sheet.cell(1, 2).font = Font(bold=True)
    for column, meaning in COLUMN_HELP.items():
        help_sheet.append([column, meaning])
    help_sheet.column_dimensions["A"].width = 45
    help_sheet.column_dimensions["B"].width = 100
    fileio.write_with(path, workbook.save)


def export_coding(
    library: Library,
    path: Path,
    *,
    fmt: str | None = None,
    tags: Sequence[str] = (),
    overwrite: bool = False,
) -> dict[str, int]:
    """Write the coding form; returns how many rows each sheet got."""
    kind = format_of(path, fmt)
    if path.exists() and not overwrite:
        raise InvalidInputError(f"{path} exists; a filled-in form would be lost (use --force)")
    rows = coding_rows(library, tags=tags)
    if kind == "xlsx":
        _write_xlsx(rows, path, library)
    elif kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(FINDING_COLUMNS)
        writer.writerows([guard(v) for v in _flat(r, FINDING_COLUMNS)] for r in rows["findings"])
        fileio.write_text(path, buffer.getvalue(), newline="")
    else:
        structured = {
            "papers": [
                {k: v for k, v in p.items() if k != "participants" and v not in (None, [])}
                for p in rows["papers"]
            ],
            "claims": [{k: v for k, v in c.items() if v is not None} for c in rows["claims"]],
            "findings": [
                {k: v for k, v in f.items() if v not in (None, [])} for f in rows["findings"]
            ],
            "cerqual": [{k: v for k, v in c.items() if v is not None} for c in rows["cerqual"]],
        }
        if kind == "json":
            text = json.dumps(structured, ensure_ascii=False, indent=2) + "\n"
        else:
            import yaml

            text = yaml.safe_dump(structured, allow_unicode=True, sort_keys=False, width=100)
        fileio.write_text(path, text)
    return {sheet: len(rows[sheet]) for sheet in SHEETS if kind != "csv" or sheet == "findings"}
