"""Spreadsheet formulas never run from a file phbrefs writes, and an export/import round trip of
the coding form changes nothing, whatever the reviewer typed."""

from __future__ import annotations

import csv
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from evidence_helpers import KEY_2016, KEY_2022
from hypothesis import given
from hypothesis import strategies as st

from phbrefs.evidence import claims, coding, findings, studies
from phbrefs.formulas import FORMULA_STARTS, guard, unguard
from phbrefs.library import Library

DDE = "=cmd|' /C calc'!A0"
HOSTILE = [DDE, "=1+1", "@SUM(1)", "+cmd|' /C notepad'!A0", "-2", "'=already quoted"]


@given(st.text())
def test_guard_is_undone_exactly_and_never_leaves_a_formula(text):
    guarded = guard(text)
    assert unguard(guarded) == text
    assert not guarded.startswith(FORMULA_STARTS)


@given(st.text())
def test_unguard_leaves_every_text_guard_did_not_touch(text):
    if guard(text) == text:
        assert unguard(text) == text


@pytest.fixture
def hostile(lib: Library, tmp_path: Path) -> Library:
    """A review whose claim, quotes, locations, notes and paper fields look like formulas."""
    form = {
        "claims": [
            {"claim": "dde", "statement": DDE, "theme": "=1+1"},
            {"claim": "plain", "statement": "Budgets help.", "theme": "@SUM(1)"},
        ],
        "papers": [
            {"citekey": KEY_2016, "country": "=1+1", "period": "-2"},
            {"citekey": KEY_2022, "country": "+cmd|' /C notepad'!A0"},
        ],
        "findings": [
            {
                "citekey": KEY_2016,
                "claim": "dde",
                "stance": "supports",
                "quote": "@SUM(1)",
                "location": "-2",
                "note": DDE,
            },
            {
                "citekey": KEY_2022,
                "claim": "plain",
                "stance": "mixed",
                "quote": "'=already quoted",
                "note": "+cmd|' /C notepad'!A0",
            },
        ],
    }
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(form, allow_unicode=True), encoding="utf-8")
    coding.import_coding(lib, path, coder="=1+1")
    return lib


def snapshot(lib: Library) -> dict:
    return {
        "claims": [c.to_dict() for c in claims.list_claims(lib)],
        "findings": [
            {k: v for k, v in f.to_dict().items() if k != "coded_at"}
            for f in findings.list_findings(lib)
        ],
        "studies": [
            {k: v for k, v in s.to_dict().items() if k != "updated_at"}
            for s in studies.list_studies(lib)
        ],
    }


def test_the_hostile_texts_are_stored_as_typed(hostile):
    assert claims.list_claims(hostile)[0].statement == DDE
    quotes = [f.quote for f in findings.list_findings(hostile)]
    assert quotes == ["@SUM(1)", "'=already quoted"]


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_export_then_import_changes_nothing(hostile, tmp_path, suffix):
    before = snapshot(hostile)
    path = tmp_path / f"coding.{suffix}"
    coding.export_coding(hostile, path)
    report = coding.import_coding(hostile, path)
    assert report.changed == 0
    assert snapshot(hostile) == before
    again = tmp_path / f"again.{suffix}"  # and a second round trip, from the first export
    shutil.copy(path, again)
    assert coding.import_coding(hostile, again).changed == 0
    assert snapshot(hostile) == before


def test_the_workbook_holds_no_formula_and_the_texts_unchanged(hostile, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "coding.xlsx"
    coding.export_coding(hostile, path)
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in archive.read(n) for n in sheets)
    workbook = load_workbook(path)  # data_only=False: a formula would come back as one
    values = {
        cell.value
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }
    assert set(HOSTILE) <= values
    formulas = [
        cell.coordinate
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []


def test_the_csv_starts_no_cell_with_a_formula_character(hostile, tmp_path):
    path = tmp_path / "coding.csv"
    coding.export_coding(hostile, path)
    with path.open(encoding="utf-8", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert "'@SUM(1)" in cells and "''=already quoted" in cells and f"'{DDE}" in cells


CALC = Path("/usr/lib/libreoffice/program/libsclo.so")  # Debian's libreoffice-calc(-nogui)


@pytest.mark.skipif(
    shutil.which("soffice") is None or not CALC.exists(),
    reason="LibreOffice Calc not installed (Debian package libreoffice-calc-nogui)",
)
def test_libreoffice_reads_the_workbook_texts_as_texts(hostile, tmp_path):
    """The real client: LibreOffice converts the papers sheet to CSV; a formula would show its
    result (``2`` for ``=1+1``), text shows itself."""
    path = tmp_path / "coding.xlsx"
    coding.export_coding(hostile, path)
    out = tmp_path / "converted"
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "csv",
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    with (out / "coding.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    countries = [row[header.index("country")] for row in rows[1:]]
    assert countries == ["=1+1", "+cmd|' /C notepad'!A0"]
    assert rows[1][header.index("period")] == "-2"
