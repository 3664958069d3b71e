"""Writing a coding form: the rows an export holds, and the xlsx (drop-downs, a help sheet),
csv (findings only) and yaml/json files made of them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phbrefs import fileio
from phbrefs.db import coding_store as store
from phbrefs.errors import InvalidInputError
from phbrefs.evidence import vocab
from phbrefs.evidence.cerqual import list_assessments
from phbrefs.evidence.claims import list_claims
from phbrefs.evidence.coding.form import COLUMN_HELP, FINDING_COLUMNS, PAPER_INFO_COLUMNS, SHEETS
from phbrefs.evidence.findings import list_findings
from phbrefs.evidence.studies import STUDY_FIELDS, groups_cell, list_studies
from phbrefs.evidence.vocab import CERQUAL_COMPONENTS
from phbrefs.formulas import EXCEL_CELL_LIMIT, as_text_cell, guard, too_long_for_excel

if TYPE_CHECKING:
    from phbrefs.library import Library


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
                "participants": groups_cell(study.groups) if study else None,  # reads back exactly
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


_ROW_NAMES = {"papers": ("paper", "citekey"), "findings": ("finding", "id")}


def check_cell_lengths(rows: dict[str, list[dict[str, Any]]], path: Path) -> None:
    """Refuse (before writing anything) a cell longer than an Excel cell holds: openpyxl would
    cut it, and importing the form back would store the cut text."""
    for sheet, columns in SHEETS.items():
        for number, row in enumerate(rows[sheet], start=2):
            for column, value in zip(columns, _flat(row, columns), strict=True):
                if length := too_long_for_excel(value):
                    noun, key = _ROW_NAMES.get(sheet, ("claim", "claim"))
                    others = ".csv, .yaml or .json" if sheet == "findings" else ".yaml or .json"
                    raise InvalidInputError(
                        f"{path}: {sheet} row {number}, column {column} ({noun} {row[key]}) "
                        f"holds {length:,} characters, more than an Excel cell holds "
                        f"({EXCEL_CELL_LIMIT:,}); nothing written: export to {others} instead"
                    )


def write_xlsx(rows: dict[str, list[dict[str, Any]]], path: Path, library: Library) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    check_cell_lengths(rows, path)
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


def write_csv(rows: dict[str, list[dict[str, Any]]], path: Path) -> None:
    """The findings sheet alone, every cell guarded against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FINDING_COLUMNS)
    writer.writerows([guard(v) for v in _flat(r, FINDING_COLUMNS)] for r in rows["findings"])
    fileio.write_text(path, buffer.getvalue(), newline="")


def write_structured(rows: dict[str, list[dict[str, Any]]], path: Path, kind: str) -> None:
    """YAML or JSON with empty values left out, the shape ``structured_data`` reads back."""
    structured = {
        "papers": [
            {k: v for k, v in p.items() if k != "participants" and v not in (None, [])}
            for p in rows["papers"]
        ],
        "claims": [{k: v for k, v in c.items() if v is not None} for c in rows["claims"]],
        "findings": [{k: v for k, v in f.items() if v not in (None, [])} for f in rows["findings"]],
        "cerqual": [{k: v for k, v in c.items() if v is not None} for c in rows["cerqual"]],
    }
    if kind == "json":
        text = json.dumps(structured, ensure_ascii=False, indent=2) + "\n"
    else:
        import yaml

        text = yaml.safe_dump(structured, allow_unicode=True, sort_keys=False, width=100)
    fileio.write_text(path, text)
