"""``phbrefs db copy``: a whole library moves SQLite -> PostgreSQL -> SQLite with every row, id
and export unchanged."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, func, select
from sqlmodel import SQLModel

from phbrefs.errors import ExitCode
from phbrefs.evidence.example import load_example
from phbrefs.library import Library

FIXTURES = Path(__file__).parent / "fixtures"


def _rows(location: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, as values (not driver text)."""
    with Library(location, create=False) as library, library.session(write=False) as session:
        conn = session.connection()
        result = {}
        for table in SQLModel.metadata.sorted_tables:
            order = list(table.primary_key.columns)
            result[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
        return result


def _outputs(cli, location: str, folder: Path) -> dict[str, str]:
    """What a reviewer gets out of the library: exports, listings, tables, search."""
    outputs = {}

    def run(name: str, *args: str) -> None:
        result = cli("--db", location, *args)
        assert result.exit_code == 0, (name, result.output)
        outputs[name] = result.stdout

    for fmt in ("bibtex", "biblatex", "ris", "csljson"):
        run(f"export-{fmt}", "export", "--all", "--format", fmt)
    run("list", "list", "--json")
    keys = [work["citekey"] for work in json.loads(outputs["list"])]
    for key in keys:
        run(f"show-{key}", "show", key, "--json", "--raw")
    for what in ("claim", "finding", "study", "cerqual", "framework"):
        run(f"{what}-list", what, "list", "--json")
    run("tags", "tags", "--json")
    run("search", "search", "budget", "--json")
    run("search-notes", "search", "reviewed", "--json")
    run("dedup", "dedup", "--json")
    for table in ("studies", "matrix", "soqf", "profile"):
        target = folder / f"{table}.md"
        result = cli("--db", location, "table", table, "-o", target)
        assert result.exit_code == 0, result.output
        outputs[f"table-{table}"] = target.read_text(encoding="utf-8")
    return outputs


def _build(cli, location: str, tmp_path: Path) -> None:
    """A library with a row in every table: the demo review, imports, a merge, judgements."""
    with Library(location) as library:  # what `phbrefs demo` stores
        load_example(library, coder="reviewer-1")
    for path in (FIXTURES / "ris" / "pubmed.ris", FIXTURES / "ris" / "scopus.ris"):
        assert cli("--db", location, "import", path, "--tag", "search").exit_code == 0
    assert cli("--db", location, "import", FIXTURES / "bibtex" / "varied.bib").exit_code == 0
    keys = [w["citekey"] for w in json.loads(cli("--db", location, "list", "--json").stdout)]
    for key in keys[:3]:
        assert cli("--db", location, "note", key, "reviewed twice").exit_code == 0
    assert cli("--db", location, "tag", keys[3], "--add", "maybe").exit_code == 0
    assert cli("--db", location, "dedup", "--not-duplicate", keys[4], keys[5]).exit_code == 0
    assert cli("--db", location, "merge", keys[6], keys[7]).exit_code == 0
    assert cli("--db", location, "framework", "add", "CFIR", "-d", "Process").exit_code == 0
    _fill_empty_tables(location)


def _fill_empty_tables(location: str) -> None:
    """One row of typed values in every table the commands above left empty (enrichment
    records need other servers): a table added to the schema later is covered by the copy."""
    with Library(location) as library, library.session() as session:
        conn = session.connection()
        for table in SQLModel.metadata.sorted_tables:
            if conn.execute(select(func.count()).select_from(table)).scalar_one():
                continue
            row = {}
            for column in table.columns:
                foreign = next(iter(column.foreign_keys), None)
                if foreign is not None:
                    row[column.name] = conn.execute(select(func.min(foreign.column))).scalar()
                elif column.primary_key and isinstance(column.type, Integer):
                    continue
                else:
                    row[column.name] = _value(column.type)
            conn.execute(table.insert().values(**row))


def _value(kind: object) -> object:
    kind = getattr(kind, "impl", kind)
    for python_type, value in (
        (Boolean, True),
        (Integer, 7),
        (Float, 0.25),
        (DateTime, datetime(2026, 12, 3, 12, 0, tzinfo=UTC)),
        (JSON, {"copied": ["as", "is"]}),
    ):
        if isinstance(kind, python_type):
            return value
    return "copied as is: ünïcode"


def _first_key(cli, location: str) -> str:
    return json.loads(cli("--db", location, "list", "--json").stdout)[0]["citekey"]


@pytest.fixture
def source(cli, tmp_path) -> str:
    location = str(tmp_path / "source.db")
    _build(cli, location, tmp_path)
    return location


def test_sqlite_to_postgres_and_back_keeps_every_row_id_and_export(
    cli, source, postgres_url, tmp_path
):
    rows = _rows(source)
    empty = [name for name, table_rows in rows.items() if not table_rows]
    assert empty == [], f"the test library should fill every table: {empty}"
    before = _outputs(cli, source, tmp_path / "before")

    copied = cli("db", "copy", source, postgres_url, "--json")
    assert copied.exit_code == 0, copied.output
    assert json.loads(copied.stdout)["rows"] == {name: len(r) for name, r in rows.items()}
    assert _rows(postgres_url) == rows
    assert _outputs(cli, postgres_url, tmp_path / "postgres") == before

    back = str(tmp_path / "back.db")
    result = cli("db", "copy", postgres_url, back)
    assert result.exit_code == 0, result.output
    assert "copied" in result.stderr and "Traceback" not in result.output
    assert _rows(back) == rows
    assert _outputs(cli, back, tmp_path / "back") == before


def test_the_copy_goes_on_growing_without_id_clashes(cli, source, postgres_url):
    assert cli("db", "copy", source, postgres_url).exit_code == 0
    for args in (
        ("claim", "add", "A new claim after the copy."),
        ("framework", "add", "TDF", "-d", "Knowledge"),
        ("tag", _first_key(cli, source), "--add", "later"),
        ("note", _first_key(cli, source), "read again after the copy"),
    ):
        result = cli("--db", postgres_url, *args)
        assert result.exit_code == 0, result.output


def test_a_destination_holding_data_is_refused_and_left_as_it_was(cli, source, tmp_path):
    other = str(tmp_path / "other.db")
    assert cli("--db", other, "claim", "add", "Something already here.").exit_code == 0
    before = _rows(other)
    result = cli("db", "copy", source, other)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr.count("\n") == 1 and "is not empty (1 claim)" in result.stderr
    assert _rows(other) == before


def test_the_same_library_or_a_missing_source_is_refused_leaving_no_file(cli, source, tmp_path):
    same = cli("db", "copy", source, source)
    assert same.exit_code == ExitCode.INVALID_INPUT and "same library" in same.stderr
    missing = cli("db", "copy", tmp_path / "none.db", tmp_path / "new.db")
    assert missing.exit_code == ExitCode.STORAGE
    assert not (tmp_path / "new.db").exists()
