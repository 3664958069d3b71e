"""A new SQLite library in one script: the schema and rows that Alembic's migrations build.

Creating a library through Alembic costs a new ``phbrefs add`` a third of a second (importing
Alembic and Mako, compiling the migration files, one operation at a time). The script
``migrations/head.sqlite.sql`` is what those migrations leave in a new SQLite library, read
back from it; it is regenerated with ``python -m phbrefs.db.fresh`` after a new migration, and
tests/test_migrations.py checks it builds exactly what the migrations build. The migrations stay
the one source: a script behind the head revision is not used (Alembic creates the library).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from phbrefs.db.schema import MIGRATIONS, head_revision

SCRIPT = MIGRATIONS / "head.sqlite.sql"
_HEADER = "-- phbrefs library schema at revision "
# tables SQLite creates itself: FTS5's shadow tables (with their rows), AUTOINCREMENT counters
_CREATED_BY_SQLITE = ("work_fts_", "sqlite_")


def _owned(name: str) -> bool:
    return not name.startswith(_CREATED_BY_SQLITE)


def dump(conn: sqlite3.Connection) -> str:
    """The statements that rebuild ``conn``'s schema and rows, in the order they were made."""
    revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    statements = []
    tables = []
    for kind, name, sql in conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
    ):
        if _owned(name):
            statements.append(sql)
            if kind == "table" and not sql.startswith("CREATE VIRTUAL TABLE"):
                tables.append(name)  # a virtual table's rows live in its shadow tables
    for table in tables:
        columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
        quoted = " || ', ' || ".join(f'quote("{c}")' for c in columns)
        for (values,) in conn.execute(f'SELECT {quoted} FROM "{table}" ORDER BY rowid'):
            statements.append(f'INSERT INTO "{table}" VALUES ({values})')
    return f"{_HEADER}{revision}\n" + "".join(f"{s};\n" for s in statements)


def statements(script: str) -> list[str]:
    """The script's statements (a ``;`` inside a quoted value does not end one)."""
    found: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        if not pending and line.startswith("--"):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            found.append(pending.strip().removesuffix(";"))
            pending = ""
    return found


def create(conn: Any) -> bool:
    """Build a library at head on ``conn``, a SQLite connection in an open transaction; False,
    with nothing done, when the database is not empty or the script is not at head."""
    script = SCRIPT.read_text(encoding="utf-8") if SCRIPT.exists() else ""
    if not script.startswith(f"{_HEADER}{head_revision()}\n"):
        return False
    if conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar():
        return False  # tables left by a downgrade, say: Alembic knows what to do
    for statement in statements(script):
        conn.exec_driver_sql(statement)
    return True


def write(path: Path = SCRIPT) -> None:
    """Migrate a scratch database with Alembic and write its dump to ``path``."""
    import tempfile

    from phbrefs.db.engine import make_engine, upgrade
    from phbrefs.fileio import write_text

    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "head.db"
        engine = make_engine(database)
        upgrade(engine)  # Alembic's migrations, step by step
        engine.dispose()
        with sqlite3.connect(database) as conn:
            text = dump(conn)
    write_text(path, text)


if __name__ == "__main__":
    write()
