"""`phbrefs doctor`: check a library's database and its full-text index, and rebuild the index
when it alone is damaged (it holds nothing that the works and notes do not). ``Library.doctor``
runs these steps; the SQL and the file swap are here.

Each table is checked on its own (``PRAGMA integrity_check(TABLE)``), so a damaged full-text
shadow table is told apart from damaged works.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from phbrefs.errors import StorageError

FTS_TABLE = "work_fts"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.name, "ok": self.ok, "detail": self.detail}


@dataclass
class HealthReport:
    checks: list[Check] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def data_ok(self) -> bool:
        """Everything but the full-text index is sound."""
        return all(c.ok for c in self.checks if not c.name.startswith("search index"))

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def index_damaged(self) -> bool:
        return any(not c.ok for c in self.checks if c.name.startswith("search index"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checks": [c.to_dict() for c in self.checks],
            "repaired": self.repaired,
        }


def sqlite_checks(conn: Connection) -> list[Check]:
    """Database integrity (by table), foreign keys, and the full-text index."""
    tables = {
        page: name
        for name, page in conn.exec_driver_sql(
            "SELECT name, rootpage FROM sqlite_master WHERE type = 'table' AND rootpage > 0"
        )
    }
    damaged = sorted(t for t in tables.values() if _table_problem(conn, t))
    in_index = [t for t in damaged if t.startswith(FTS_TABLE)]
    in_data = [t for t in damaged if not t.startswith(FTS_TABLE)]
    if not damaged and _table_problem(conn, None):
        in_data = ["(not attributed to a table)"]
    checks = [
        Check(
            "database pages",
            not in_data,
            f"damaged: {', '.join(in_data)}" if in_data else "integrity_check: ok",
        )
    ]
    if in_index:
        checks.append(Check("search index pages", False, f"damaged: {', '.join(in_index)}"))
    if in_data:
        return checks
    fk = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    checks.append(Check("references between tables", not fk, f"{len(fk)} broken" if fk else "ok"))
    if not in_index:
        checks.append(_fts_integrity(conn))
        if checks[-1].ok:
            checks.append(index_coverage(conn))
    return checks


def _table_problem(conn: Connection, table: str | None) -> str | None:
    """SQLite's first complaint about ``table`` (None: the whole file), or None if sound."""
    pragma = f"PRAGMA integrity_check('{table}')" if table else "PRAGMA integrity_check(1)"
    try:
        found = [row[0] for row in conn.exec_driver_sql(pragma)]
    except Exception as error:  # pages too damaged to walk raise instead of reporting
        return str(error) or type(error).__name__
    return None if found == ["ok"] else found[0]


def _fts_integrity(conn: Connection) -> Check:
    savepoint = conn.begin_nested()
    try:
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('integrity-check')")
    except Exception as error:  # the driver's own corruption error, whatever its class
        savepoint.rollback()
        return Check("search index structure", False, str(error) or type(error).__name__)
    savepoint.commit()
    return Check("search index structure", True, "fts5 integrity-check: ok")


def index_coverage(conn: Connection) -> Check:
    """Every work is in the index, and the index names no work that is gone."""
    from phbrefs.db import fulltext

    works = {wid for (wid,) in conn.execute(text("SELECT id FROM work"))}
    indexed = fulltext.indexed_ids(conn)
    missing, stale = len(works - indexed), len(indexed - works)
    if missing or stale:
        return Check(
            "search index coverage", False, f"{missing} works not indexed, {stale} stale rows"
        )
    return Check("search index coverage", True, f"{len(works)} works indexed")


def copy_without_index(damaged: Path, fresh: Path) -> None:
    """Copy every table but the full-text index from ``damaged`` into a new library file at
    ``fresh`` (same schema, created by the migrations).

    A damaged FTS5 table often cannot even be dropped (its constructor reads the broken pages),
    so the sound data moves to a new file instead; the caller fills the index and swaps files.
    """
    from phbrefs.db.engine import head_revision, make_engine, upgrade
    from phbrefs.db.models import SQLModel

    engine = make_engine(fresh)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    conn = sqlite3.connect(fresh, isolation_level=None)
    try:
        conn.execute("ATTACH DATABASE ? AS damaged", (str(damaged),))
        conn.execute("BEGIN IMMEDIATE")
        found = conn.execute("SELECT version_num FROM damaged.alembic_version").fetchone()
        if found is None or found[0] != head_revision():
            raise StorageError(f"{damaged}: open it once with this phbrefs before repair")
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(f"DELETE FROM main.{table.name}")  # the migrations' seed rows
        for table in SQLModel.metadata.sorted_tables:
            columns = ", ".join(c.name for c in table.columns)
            conn.execute(
                f"INSERT INTO main.{table.name} ({columns}) "
                f"SELECT {columns} FROM damaged.{table.name}"
            )
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as error:
        raise StorageError(f"cannot copy the sound data out of {damaged}: {error}") from error
    finally:
        conn.close()


def check_server(conn: Connection, *, repair: bool) -> HealthReport:
    """A PostgreSQL library (the server keeps its pages sound): the index's coverage, the
    index rebuilt in the caller's transaction when damaged and ``repair``."""
    from phbrefs.db import work_store

    report = HealthReport([index_coverage(conn)])
    if repair and report.index_damaged:
        count = work_store.rebuild_index(conn)
        report.checks = [index_coverage(conn)]
        report.repaired.append(f"search index rebuilt from {count} works")
    return report


def check_file(engine: Engine, where: str, lock_wait: float) -> HealthReport:
    """A SQLite library's checks, under its write lock; nothing is committed."""
    from phbrefs.db.engine import writer
    from phbrefs.db.failures import storage_error

    try:
        with writer(engine).connect() as conn:
            transaction = conn.begin()
            report = HealthReport(sqlite_checks(conn))
            transaction.rollback()  # a damaged file may refuse even an empty commit
    except DBAPIError as error:
        raise storage_error(error, where, lock_wait) from error
    return report


def rebuild_file(report: HealthReport, path: Path, lock_wait: float) -> None:
    """Replace the SQLite library at ``path`` (no engine open on it) by a copy of its sound
    data with the index rebuilt, swapped in atomically; ``report`` gets the new file's checks
    and the repair."""
    from phbrefs.library import Library

    fresh = path.with_name(f".{path.name}.doctor")
    fresh.unlink(missing_ok=True)
    try:
        copy_without_index(path, fresh)
        with Library(fresh, create=False, lock_wait=lock_wait) as rebuilt:
            count = rebuilt.rebuild_index()
            with rebuilt.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                report.checks = sqlite_checks(conn)
        for suffix in ("-wal", "-shm"):
            fresh.with_name(fresh.name + suffix).unlink(missing_ok=True)
        os.replace(fresh, path)
        for suffix in ("-wal", "-shm"):  # the damaged file's: never replay them on the new
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    finally:
        for leftover in (fresh, *(fresh.with_name(fresh.name + s) for s in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
    report.repaired.append(f"search index rebuilt from {count} works")
