"""Editing findings by id (``finding edit``, a coding row with an ``id``): what changes, what is
refused, and that a refusal changes nothing."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from evidence_helpers import KEY_2016, KEY_2022, coding_snapshot

from phbrefs.db import models
from phbrefs.errors import ExitCode, InvalidInputError
from phbrefs.evidence import claims, coding, findings
from phbrefs.evidence.findings import page_text
from phbrefs.library import Library

CLAIM = "post-detox-timing"
LATER = datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def claimed(lib: Library) -> Library:
    claims.add_claim(lib, "People benefit most from a PHB after detox.", slug=CLAIM)
    claims.add_claim(lib, "Direct payments need protocols.", slug="protocols")
    return lib


def _add(lib: Library, quote: str, **options) -> findings.FindingInfo:
    options.setdefault("stance", "supports")
    info, _ = findings.add_finding(lib, KEY_2016, CLAIM, quote=quote, coder="AB", **options)
    return info


def _form_with(lib: Library, path: Path, finding_id: int, **cells: str) -> Path:
    """The library's coding CSV reduced to the row of ``finding_id``, with ``cells`` changed."""
    coding.export_coding(lib, path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    row = next(r for r in rows if r["id"] == str(finding_id))
    row.update(cells)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    return path


# -- a coding row that corrects a finding by id is an update -----------------------------------


@pytest.mark.parametrize(
    "cells",
    [
        {"quote": "individuals CHANGED would benefit", "coder": "CD"},
        {"claim": "protocols", "coder": "CD"},
        {"citekey": KEY_2022, "coder": "CD"},
    ],
    ids=["quote", "claim", "citekey"],
)
def test_a_row_changing_only_quote_claim_or_paper_is_updated(
    claimed, tmp_path, cli, db, monkeypatch, cells
):
    first = _add(claimed, "individuals would benefit", page="5")
    path = _form_with(claimed, tmp_path / "coding.csv", first.id, **cells)
    before = coding_snapshot(claimed)
    dry = coding.import_coding(claimed, path, dry_run=True)
    assert dry.by_kind()["findings"] == {"updated": 1}
    assert coding_snapshot(claimed) == before
    monkeypatch.setattr(models, "utcnow", lambda: LATER)
    result = cli("--db", db, "coding", "import", path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["findings"] == {"updated": 1}
    [after] = findings.list_findings(claimed)
    assert after.id == first.id
    assert (after.quote, after.claim, after.citekey) == (
        cells.get("quote", first.quote),
        cells.get("claim", CLAIM),
        cells.get("citekey", KEY_2016),
    )
    assert (after.coder, after.coded_at) == ("CD", LATER)
    again = coding.import_coding(claimed, path)
    assert again.by_kind()["findings"] == {"unchanged": 1}


# -- an edit by id never makes two findings with one paper, claim and quote ----------------------


def _twin_line(moved: int, other: int) -> str:
    return (
        f"phbrefs: error: finding {moved} cannot have the same paper, claim and quote as"
        f" finding {other}; edit or remove finding {other} first"
    )


def test_finding_edit_into_another_findings_quote_is_refused(claimed, cli, db):
    first = _add(claimed, "Quote A")
    second = _add(claimed, "Quote B", stance="contradicts")
    before = coding_snapshot(claimed)
    result = cli("--db", db, "finding", "edit", str(first.id), "-q", "Quote B", "-s", "mixed")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr.strip().splitlines() == [_twin_line(first.id, second.id)]
    assert coding_snapshot(claimed) == before


def test_finding_moved_onto_another_with_the_same_quote_is_refused(claimed):
    first = _add(claimed, "Quote A")
    other, _ = findings.add_finding(claimed, KEY_2016, "protocols", stance="mixed", quote="Quote A")
    before = coding_snapshot(claimed)
    with pytest.raises(InvalidInputError, match=f"as finding {other.id};"):
        findings.edit_finding(claimed, first.id, claim="protocols", note="moved")
    assert coding_snapshot(claimed) == before


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_coding_row_editing_a_finding_into_another_is_refused(
    claimed, tmp_path, cli, db, dry_run
):
    first = _add(claimed, "Quote A")
    second = _add(claimed, "Quote B", stance="contradicts")
    path = _form_with(claimed, tmp_path / "row.csv", first.id, quote="Quote B")
    before = coding_snapshot(claimed)
    result = cli("--db", db, "coding", "import", path, *(["--dry-run"] if dry_run else []))
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr.strip().splitlines() == [_twin_line(first.id, second.id)]
    assert coding_snapshot(claimed) == before
    whole = tmp_path / "all.csv"
    assert cli("--db", db, "coding", "export", whole).exit_code == 0
    assert cli("--db", db, "coding", "import", whole).exit_code == 0  # still round-trips


# -- pages ---------------------------------------------------------------------------------------


def test_finding_edit_page_keeps_the_location_and_location_keeps_the_page(claimed, cli, db):
    first = _add(claimed, "q", page="5-6", location="Findings, para 4")
    assert first.location == "pp. 5–6, Findings, para 4"

    def edit(*args: str) -> str | None:
        result = cli("--db", db, "finding", "edit", str(first.id), *args)
        assert result.exit_code == 0, result.output
        return findings.get_finding(claimed, first.id).location

    assert edit("--page", "7") == "p. 7, Findings, para 4"
    assert edit("--location", "Results") == "p. 7, Results"
    assert edit("--stance", "mixed") == "p. 7, Results"
    assert edit("--page", "") == "Results"
    assert edit("--page", "iv", "--location", "") == "p. iv"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("5", "p. 5"),
        ("05", "p. 5"),
        ("p. 12", "p. 12"),
        ("5-6", "pp. 5–6"),
        ("5 – 6", "pp. 5–6"),
        ("1201-14", "pp. 1201–1214"),
        ("IV", "p. iv"),
        ("iii-xv", "pp. iii–xv"),
        ("7-7", "p. 7"),
    ],
)
def test_pages_are_numbers_roman_numerals_or_ranges(typed, stored):
    assert page_text(typed) == stored


@pytest.mark.parametrize("typed", ["0", "abc", "7-5", "5-", "xii-3", "iiii", "12345678", "0-3"])
def test_a_page_that_is_no_page_is_refused_by_edit_and_add(claimed, cli, db, typed):
    first = _add(claimed, "q", page="5-6", location="Findings")
    before = coding_snapshot(claimed)
    line = (
        f"phbrefs: error: --page {typed!r} is not a page: give a number (5), a roman numeral"
        " (iv) or a range (5-6)"
    )
    edited = cli("--db", db, "finding", "edit", str(first.id), "--page", typed)
    assert edited.exit_code == ExitCode.INVALID_INPUT
    assert edited.stderr.strip().splitlines() == [line]
    added = cli(
        "--db", db, "finding", "add", KEY_2022, CLAIM, "-s", "mixed", "-q", "r", "-p", typed
    )
    assert added.exit_code == ExitCode.INVALID_INPUT
    assert added.stderr.strip().splitlines() == [line]
    assert coding_snapshot(claimed) == before
