"""Alembic: every library reaches head, and the migrations describe exactly the models."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from schema_helpers import library_at_0003
from sqlalchemy import inspect, text

from phbrefs.db.engine import alembic_config, current_revision, head_revision, make_engine, upgrade
from phbrefs.db.models import SQLModel
from phbrefs.errors import ExitCode
from phbrefs.library import Library
from phbrefs.records import Contributor, PartialDate, WorkRecord


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_head_read_from_files_agrees_with_alembic():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert head_revision() == script.get_current_head()


def test_empty_database_upgrades_to_head(blank: str):
    engine = make_engine(blank)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "work_fts" in tables
    with engine.connect() as conn:
        dims = conn.execute(text("SELECT code FROM framework_dimension ORDER BY position"))
        assert [d for (d,) in dims] == [
            "Reach",
            "Effectiveness",
            "Adoption",
            "Implementation",
            "Maintenance",
        ]


def test_models_match_migrations(blank: str):
    engine = make_engine(blank)
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_object": lambda obj, name, type_, reflected, compare_to: (
                    not (type_ == "table" and name.startswith("work_fts"))
                )
            },
        )
        assert compare_metadata(context, SQLModel.metadata) == []


@pytest.mark.parametrize("target", revisions())
def test_each_revision_upgrades_from_the_previous_schema_keeping_data(blank: str, target):
    """A library at the schema before ``target`` (with data in it) opens at head, data intact."""
    engine = make_engine(blank)
    history = revisions()
    previous = history[history.index(target) - 1] if history.index(target) else None
    if previous:
        upgrade(engine, previous)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO work (citekey, doi, type, data, added_at, updated_at) "
                    "VALUES ('old2010key', '10.1/old', 'book', '{\"type\": \"book\"}', "
                    "'2020-01-01 00:00:00', '2020-01-01 00:00:00')"
                )
            )
    engine.dispose()
    with Library(blank) as library:
        assert current_revision(library.engine) == head_revision()
        if previous:
            assert library.get("old2010key").record.type == "book"
        added = library.add(
            WorkRecord(
                title="New work",
                issued=PartialDate(2024),
                contributors=[Contributor(family="Fox", given="Diane")],
            )
        )
        assert library.get(added.citekey).record.title == "New work"


def test_downgrade_to_base_and_back(blank: str):
    from alembic import command

    engine = make_engine(blank)
    upgrade(engine)
    config = alembic_config(str(engine.url))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_unwritable_location_is_a_storage_error(tmp_path: Path):
    from phbrefs.errors import StorageError

    with pytest.raises(StorageError):
        Library(tmp_path / "missing-folder" / "library.db")
    with pytest.raises(StorageError):
        Library(tmp_path / "absent.db", create=False)
    assert not (tmp_path / "absent.db").exists()


def _sqlite_contents(path: Path) -> tuple[list, dict]:
    """Every schema entry (FTS shadow tables too) and every table's rows of a SQLite file."""
    import sqlite3

    with sqlite3.connect(path) as conn:
        schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid")
        entries = schema.fetchall()
        rows = {
            name: conn.execute(f'SELECT * FROM "{name}"').fetchall()
            for kind, name, _, sql in entries
            if kind == "table" and not (sql or "").startswith("CREATE VIRTUAL")
        }
    return entries, rows


def test_the_new_library_script_is_what_the_migrations_build(tmp_path: Path):
    """db/fresh.py's script is up to date: regenerate it with `python -m phbrefs.db.fresh`."""
    import sqlite3

    from phbrefs.db import fresh

    engine = make_engine(tmp_path / "migrated.db")
    upgrade(engine)  # Alembic, step by step
    engine.dispose()
    with sqlite3.connect(tmp_path / "migrated.db") as conn:
        assert fresh.dump(conn) == fresh.SCRIPT.read_text(encoding="utf-8")


def test_a_new_sqlite_library_is_built_as_the_migrations_build_it(tmp_path: Path):
    engine = make_engine(tmp_path / "migrated.db")
    upgrade(engine)
    engine.dispose()
    with Library(tmp_path / "new.db") as library:  # a new library: from the script
        assert current_revision(library.engine) == head_revision()
    assert _sqlite_contents(tmp_path / "new.db") == _sqlite_contents(tmp_path / "migrated.db")


def test_a_script_behind_the_migrations_is_not_used(tmp_path: Path, monkeypatch):
    from phbrefs.db import fresh

    stale = tmp_path / "stale.sql"
    stale.write_text("-- phbrefs library schema at revision 0001\nCREATE TABLE x (y);\n")
    monkeypatch.setattr(fresh, "SCRIPT", stale)
    with Library(tmp_path / "new.db") as library:
        assert current_revision(library.engine) == head_revision()
    tables = {entry[1] for entry in _sqlite_contents(tmp_path / "new.db")[0]}
    assert "x" not in tables and "work" in tables


def test_the_contributor_table_goes_and_comes_back_from_the_records(blank: str):
    """0005 drops a table nothing read (the people are in each record): a library of 0003
    keeps every person, and a downgrade rebuilds the table from the records."""
    from alembic import command

    engine = make_engine(blank)
    record = WorkRecord(
        title="Personal health budgets",
        contributors=[
            Contributor(family="Welch", given="Emily", orcid="0000-0002-1825-0097"),
            Contributor(role="editor", literal="NHS England"),
        ],
    )
    library_at_0003(engine, record)
    upgrade(engine)
    assert "contributor" not in inspect(engine).get_table_names()
    engine.dispose()
    with Library(blank) as library:
        assert library.get("welch").record.contributors == record.contributors
    config = alembic_config(str(engine.url))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0003_enrichment")
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT position, role, given, family, literal, orcid FROM contributor "
                "ORDER BY position"
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        (0, "author", "Emily", "Welch", None, "0000-0002-1825-0097"),
        (1, "editor", None, None, "NHS England", None),
    ]
    indexes = {index["name"] for index in inspect(engine).get_indexes("contributor")}
    assert indexes == {"ix_contributor_family", "ix_contributor_work_position"}
    engine.dispose()


def _tables(where: str) -> list[str]:
    if where.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(where) as conn:
            query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            return [name for (name,) in conn.execute(query)]
    with closing(sqlite3.connect(where)) as conn:
        return [name for (name,) in conn.execute("SELECT name FROM sqlite_master ORDER BY 1")]


def test_another_applications_database_is_refused_and_left_alone(cli, blank, tmp_path):
    from phbrefs.db.location import Location

    if blank.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(blank) as conn:
            conn.execute("CREATE TABLE foo (x integer)")
    else:
        with closing(sqlite3.connect(blank)) as conn:
            conn.execute("CREATE TABLE foo (x)")
            conn.commit()
    before = Path(blank).read_bytes() if not blank.startswith("postgresql://") else None
    ris = tmp_path / "x.ris"
    ris.write_text("TY  - JOUR\nTI  - A title\nER  - \n", encoding="utf-8")
    for args in (["list"], ["import", ris], ["show", "x"], ["claim", "list"]):
        result = cli("--db", blank, *args)
        assert result.exit_code == ExitCode.STORAGE, (args, result.output)
        assert result.stderr.splitlines() == [
            f"phbrefs: error: {Location(blank)} is not a phbrefs library (it holds table foo); "
            "nothing was changed"
        ]
    assert _tables(blank) == ["foo"]
    if before is not None:
        assert Path(blank).read_bytes() == before
        assert not Path(f"{blank}-wal").exists()


def test_an_empty_sqlite_file_still_becomes_a_library(cli, tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    (tmp_path / "x.ris").write_text("TY  - JOUR\nTI  - A title\nER  - \n", encoding="utf-8")
    assert cli("--db", empty, "import", tmp_path / "x.ris").exit_code == 0
    assert cli("--db", empty, "list").stdout.count("A title") == 1
