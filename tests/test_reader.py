"""The fast read path (phbrefs.db.reader): the same answers as the Library, no SQLAlchemy,
and the Library's refusals for libraries it cannot read as they are."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from phbrefs.db.location import Location
from phbrefs.db.reader import Reader, listing, open_reader
from phbrefs.errors import InvalidInputError, StorageError, UnknownKeyError
from phbrefs.library import Library

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[1]
SORTS = ("citekey", "year", "author", "added", "title")
QUERIES = ("health", "personal health", '"health budgets"', "welch OR knuth", "sci*", "the")


@pytest.fixture
def stocked(cli, db: Path) -> Path:
    """The seed library plus the BibTeX and RIS fixtures, with tags and notes."""
    for name in ("bibtex/biblatex-examples.bib", "bibtex/varied.bib", "ris/pubmed.ris"):
        assert cli("--db", db, "import", FIXTURES / name).exit_code in (0, 6)
    keys = [w["citekey"] for w in json.loads(cli("--db", db, "list", "--json").stdout)]
    assert len(keys) > 50
    assert cli("--db", db, "tag", *keys[:7], "--add", "screening").exit_code == 0
    assert cli("--db", db, "tag", *keys[3:5], "--add", "included").exit_code == 0
    assert cli("--db", db, "note", keys[2], "health budgets: see the appendix").exit_code == 0
    assert cli("--db", db, "note", keys[2], "second note").exit_code == 0
    return db


def same(a: object, b: object) -> bool:
    return a == b and json.dumps(a, default=str) == json.dumps(b, default=str)


def test_reads_equal_the_library_on_seed_and_fixture_libraries(stocked: Path):
    location = Location(str(stocked))
    reader = open_reader(location)
    assert isinstance(reader, Reader)
    with reader, Library(location, create=False) as library:
        for order in SORTS:
            assert same(reader.works(order=order), library.works(order=order))
        for filters in (
            {"tags": ["screening"]},
            {"tags": ["screening", "included"]},
            {"year_from": 2000, "year_to": 2016},
            {"types": ["book", "article-journal"]},
            {"text_filter": "HEALTH"},
            {"text_filter": "welch", "order": "year"},
        ):
            assert same(reader.works(**filters), library.works(**filters))
        everything = library.works()
        keys = [w.citekey for w in everything]
        assert same(reader.works(keys[::-1]), library.works(keys[::-1]))
        for key in keys:
            assert reader.get(key) == library.get(key)
            assert reader.source_records(key) == library.source_records(key)
        assert reader.get("https://doi.org/10.1111/HSC.12396") == library.get("10.1111/hsc.12396")
        for query in QUERIES:
            for limit in (1, 5, 500):
                assert same(reader.search(query, limit=limit), library.search(query, limit=limit))
        assert reader.tags() == library.tags() and len(reader.tags()) == 2
        dicts, total = listing(reader, as_dicts=True, order="year")
        assert total == len(everything)
        assert dicts == [w.to_dict() for w in library.works(order="year")]
        assert any(d["notes"] for d in dicts) and any(d["tags"] for d in dicts)
        first, total = listing(reader, limit=3, order="title")
        assert total == len(everything) and first == library.works(order="title")[:3]


def test_reader_errors_are_the_library_errors(db: Path):
    with Reader(Location(str(db))) as reader:
        with pytest.raises(UnknownKeyError, match="did you mean 'welch2016implementing'"):
            reader.get("welch2016implementin")
        with pytest.raises(InvalidInputError, match="cannot search for"):
            reader.search('"unbalanced')
        with pytest.raises(InvalidInputError, match="empty search"):
            reader.search("  ")
        with pytest.raises(InvalidInputError, match="cannot sort by"):
            reader.works(order="colour")


def test_an_index_naming_rows_the_table_lacks_is_refused(db: Path):
    damaged = "damaged: 1 of 2 works listed by its index"
    reader = Reader(Location(str(db)))
    with reader, reader._snapshot() as conn, pytest.raises(StorageError, match=damaged):
        reader._load(conn, [1, 999])


def test_cli_read_commands_refuse_a_newer_library_in_one_line(cli, db: Path):
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    for command in (["list"], ["show", "welch2016implementing"], ["search", "x"], ["tags"]):
        result = cli("--db", db, *command)
        assert result.exit_code == 7, result.output
        assert "schema 9999_from_the_future, newer than this phbrefs knows" in result.stderr
        assert "Traceback" not in result.output and len(result.stderr.splitlines()) == 1


def test_open_reader_raises_the_librarys_refusal(db: Path):
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StorageError, match="newer than this phbrefs knows"):
        open_reader(Location(str(db)))


def test_cli_read_commands_refuse_a_damaged_library_in_one_line(cli, db: Path):
    with sqlite3.connect(db) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'work'").fetchone()[0]
    with db.open("r+b") as file:  # overwrite the work table's page with garbage
        file.seek((root - 1) * page_size)
        file.write(b"\xa5" * page_size)
    before = db.read_bytes()
    for command in (["list"], ["show", "welch2016implementing"], ["search", "x"], ["tags"]):
        result = cli("--db", db, *command)
        assert result.exit_code == 7, result.output
        assert "is damaged" in result.stderr and "Traceback" not in result.output
        assert len(result.stderr.splitlines()) == 1
    assert db.read_bytes() == before  # nothing written


def test_missing_library_is_not_created_by_a_read(cli, tmp_path: Path):
    result = cli("--db", tmp_path / "none.db", "list")
    assert result.exit_code == 7 and "no library at" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_list_limit_and_tab_separated_lines_into_a_pipe(cli, stocked: Path):
    all_lines = cli("--db", stocked, "list").stdout.splitlines()
    result = cli("--db", stocked, "list", "--limit", "3", "--sort", "citekey")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == all_lines[:3]
    assert f"3 of {len(all_lines)} works (--limit)" in result.stderr
    key, _authors, _year, title, _tags = all_lines[0].split("\t")
    work = json.loads(cli("--db", stocked, "list", "--json", "-n", "1").stdout)[0]
    assert key == work["citekey"] and title.startswith((work["title"] or "").split()[0])
    assert cli("--db", stocked, "list", "--limit", "0").exit_code == 2


def test_read_commands_import_no_sqlalchemy_sqlmodel_pydantic_or_alembic(db: Path):
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from phbrefs.cli.app import app\n"
        f"result = CliRunner().invoke(app, ['--db', {str(db)!r}, *sys.argv[1:]])\n"
        "assert result.exit_code == 0, result.output\n"
        "heavy = ('sqlalchemy', 'sqlmodel', 'pydantic', 'alembic')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    for command in (
        ["list"],
        ["list", "--json", "--from", "2010", "--limit", "5", "-t", "x"],
        ["show", "welch2016implementing"],
        ["show", "10.1111/hsc.12396", "--json"],
        ["search", "health budgets", "--limit", "3"],
        ["search", "health", "--json"],
        ["tags"],
        ["tags", "--json"],
        ["export", "--format", "bibtex", "--all", "-o", str(db.parent / "out.bib")],
    ):
        result = subprocess.run(
            [sys.executable, "-c", code, *command], capture_output=True, text=True, cwd=ROOT
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "", f"{command} imported {result.stdout.strip()}"


def test_a_stored_record_is_rebuilt_as_the_general_path_builds_it():
    """``from_dict`` of what ``to_dict`` wrote sets the attributes directly: same record,
    same attribute order (``to_json`` writes in that order), the input left as it was."""
    from phbrefs.records import Contributor, PartialDate, UpdateNotice, WorkRecord

    record = WorkRecord(
        title="T",
        issued=PartialDate(2020, 5),
        accessed=PartialDate(2021),
        issn=["1234-5678"],
        contributors=[Contributor(given="A", family="B", affiliations=["U"]), Contributor()],
        updates=[UpdateNotice("updated-by", "retraction", date=PartialDate(2022, 1, 2))],
        extra={"x": "y"},
    )
    data = record.to_dict()
    data["contributors"][1] = {"family": "C", "role": "editor"}  # an older row's person
    before = json.dumps(data)
    fast = WorkRecord.from_dict(data)
    general = WorkRecord.from_dict({**data, "unknown": 1})
    assert fast == general and list(vars(fast)) == list(vars(general))
    assert [list(vars(p)) for p in fast.contributors] == [
        list(vars(p)) for p in general.contributors
    ]
    assert fast.to_json() == general.to_json() and json.dumps(data) == before


def test_search_into_a_pipe_is_one_line_per_hit(cli, stocked: Path):
    result = cli("--db", stocked, "search", "health", "--limit", "4")
    assert result.exit_code == 0 and "Traceback" not in result.output
    lines = result.stdout.splitlines()
    hits = json.loads(cli("--db", stocked, "search", "health", "--limit", "4", "--json").stdout)
    assert [line.split("\t")[0] for line in lines] == [h["citekey"] for h in hits]
    matches = [" ".join(h["match"].split()) for h in hits]
    assert [line.split("\t")[4] for line in lines] == matches
    assert f"{len(hits)} matches" in result.stderr


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["list", "--from", "abc"], "Invalid value for '--from': Input should be a valid integer"),
        (["list", "-n", "0"], "'-n': Input should be greater than or equal to 1"),
        (["search", "x", "--limit", "1.5"], "Invalid value for '--limit': Input should be a valid"),
    ],
)
def test_plain_parameters_are_checked_without_pydantic(cli, db: Path, args, error):
    result = cli("--db", db, *args)
    assert result.exit_code == 2 and error in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.splitlines()) == 1


def test_a_file_that_is_not_a_library_is_refused_in_one_line(cli, tmp_path: Path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 200)
    for command in (["list"], ["tags"], ["search", "notes"]):
        result = cli("--db", path, *command)
        assert result.exit_code == 7 and "Traceback" not in result.output
        assert "file is not a database" in result.stderr and len(result.stderr.splitlines()) == 1
    assert path.read_text().startswith("these are my notes")
