"""Many rows in one statement, past SQLAlchemy's per-row parameter handling."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any


def bulk_insert(
    conn: Any, model: Any, rows: list[dict[str, Any]], stored_as_is: Sequence[str] = ()
) -> None:
    """INSERT many rows straight through the driver's executemany.

    Values pass through each column type's own bind processor (JSON, datetimes), so rows are
    stored exactly as the ORM would store them; skipping SQLAlchemy's per-row parameter handling
    halves the cost of storing a 10,000-record import. Columns in ``stored_as_is`` already hold
    what the processor would give (a work's ``data`` as ``WorkRecord.to_json`` text).
    """
    if not rows:
        return
    table = model.__table__
    columns = list(rows[0])
    processors = [
        None if name in stored_as_is else table.c[name].type.bind_processor(conn.dialect)
        for name in columns
    ]
    # values fetched in C (itemgetter), then only the columns with a processor converted
    getter = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    processed = [(index, process) for index, process in enumerate(processors) if process]
    if processed:
        parameters: list[Any] = []
        for row in rows:
            values = list(getter(row))
            for index, process in processed:
                values[index] = process(values[index])
            parameters.append(tuple(values))
    else:
        parameters = [getter(row) for row in rows]
    placeholders = ", ".join(["?" if conn.dialect.paramstyle == "qmark" else "%s"] * len(columns))
    conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})", parameters
    )
