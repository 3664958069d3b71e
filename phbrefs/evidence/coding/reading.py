"""Reading a coding form (xlsx, csv, yaml, json) into ``CodingData``: rows by sheet, each with
its row or item number, cells tidied; a broken or oversized file is refused whole."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from phbrefs.errors import InvalidInputError, ParseError
from phbrefs.evidence.coding.form import (
    PAPER_INFO_COLUMNS,
    REQUIRED,
    SHEETS,
    CodingData,
    Problem,
    format_of,
)
from phbrefs.formats.limits import not_text
from phbrefs.formulas import unguard


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


_NUMBERS_AS_TEXT = {"location", "period"}  # a page (5) or a year (2016) is natural unquoted
_CHECKED_ELSEWHERE = {"id", "position", "groups", *PAPER_INFO_COLUMNS}  # numbers; not imported


def _wrong_kind(name: str, value: Any) -> str | None:
    """Why a YAML/JSON field's value is not what the field takes (text, or for ``dimensions`` a
    list of texts), or None: a list or mapping is never read as text."""
    if name in _CHECKED_ELSEWHERE:
        return None
    if name == "dimensions" and isinstance(value, list):
        return next((why for item in value if (why := not_text(item, null=False))), None)
    return not_text(value, numbers=name in _NUMBERS_AS_TEXT)


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
            record = {k: v for k, v in entry.items() if k in allowed}
            wrong = [
                Problem(sheet, number, name, why, True)
                for name, value in record.items()
                if (why := _wrong_kind(name, value))
            ]
            data.problems += wrong
            if not wrong:  # a value of the wrong kind (a list as a quote) is reported, not read
                records.append((number, record))
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
