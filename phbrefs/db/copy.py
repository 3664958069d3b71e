"""Copying a whole library between SQLite and PostgreSQL (either way), losslessly.

Every table of the schema is copied row for row with its ids, in dependency order, inside one
write transaction on the destination (all or nothing); the source is read in one snapshot.
The full-text index is not copied but rebuilt from the copied works and notes, since its form
differs between the two backends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, select, text
from sqlmodel import SQLModel

from phbrefs.db import models as m
from phbrefs.db.location import Location
from phbrefs.errors import InvalidInputError, StorageError

BATCH = 1000
# a new library holds the built-in RE-AIM framework: the source's frameworks replace it
BUILT_IN = {"framework", "framework_dimension"}


@dataclass
class CopyReport:
    source: str
    destination: str
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied
    indexed: int = 0  # works in the rebuilt full-text index

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "destination": self.destination,
            "rows": self.rows,
            "indexed": self.indexed,
        }


def _location(spec: Location | Path | str) -> Location:
    return spec if isinstance(spec, Location) else Location(str(spec))


def copy_library(
    source: Location | Path | str, destination: Location | Path | str, *, lock_wait: float = 30.0
) -> CopyReport:
    """Copy the library ``source`` into ``destination``, which must hold no data (a new file,
    an empty database, or a library with nothing but the built-in framework)."""
    from phbrefs.library import Library

    source, destination = _location(source), _location(destination)
    if source == destination or (
        source.path and destination.path and source.path.resolve() == destination.path.resolve()
    ):
        raise InvalidInputError("source and destination are the same library")
    if source.path is not None and not source.path.exists():
        raise StorageError(f"no library at {source.path}")
    if destination.path is not None and not destination.path.parent.exists():
        raise StorageError(f"cannot create library {destination.path}: folder does not exist")
    report = CopyReport(str(source), str(destination))
    new = not destination.exists()
    try:
        _copy(source, destination, lock_wait, report)
    except BaseException:
        if new:  # leave no empty library file behind
            with Library(destination, lock_wait=lock_wait) as created:
                created.discard_if_empty()
        raise
    return report


def _copy(source: Location, destination: Location, lock_wait: float, report: CopyReport) -> None:
    from phbrefs.library import Library

    with (
        Library(source, create=False, lock_wait=lock_wait) as reader,
        Library(destination, lock_wait=lock_wait) as writer,
        reader.session(write=False) as read,
        writer.session() as write,
    ):
        src = read.connection()
        if src.dialect.name == "postgresql":  # one snapshot for every table
            src.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        dst = write.connection()
        _refuse_unless_empty(dst, str(destination))
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name in BUILT_IN:
                dst.execute(table.delete())
        for table in SQLModel.metadata.sorted_tables:
            report.rows[table.name] = _copy_table(src, dst, table)
        if dst.dialect.name == "postgresql":
            _advance_sequences(dst)
        report.indexed = writer.rebuild_index()  # joins this write transaction


def _refuse_unless_empty(conn: Connection, where: str) -> None:
    stored = {
        table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
        if table.name not in BUILT_IN
    }
    frameworks = conn.execute(select(m.Framework.name)).scalars().all()
    full = {name: n for name, n in stored.items() if n}
    if full or frameworks not in ([], ["RE-AIM"]):
        held = ", ".join(f"{n} {name}" for name, n in full.items()) or "user frameworks"
        raise InvalidInputError(
            f"{where} is not empty ({held}): copy into a new file or an empty database"
        )


def _copy_table(src: Connection, dst: Connection, table: Table) -> int:
    """Rows pass through each column's type both ways (JSON, aware datetimes): values, not
    driver text, are copied, so the two backends' storage forms never mix."""
    order = list(table.primary_key.columns) or list(table.columns)
    result = src.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    copied = 0
    for rows in result.mappings().partitions(BATCH):
        dst.execute(table.insert(), [dict(row) for row in rows])
        copied += len(rows)
    return copied


def _advance_sequences(conn: Connection) -> None:
    """Ids were given explicitly: move each id sequence past the largest copied id."""
    for table in SQLModel.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"coalesce(max(id), 0) + 1, false) FROM {table.name}"
                )
            )
