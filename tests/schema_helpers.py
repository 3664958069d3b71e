"""Libraries as earlier releases left them, for migration tests."""

from __future__ import annotations

from sqlalchemy import Engine, text

from phbrefs.db.engine import upgrade
from phbrefs.records import WorkRecord


def library_at_0003(engine: Engine, record: WorkRecord) -> None:
    """Schema 0003 (before 0005 dropped the contributor table) holding ``record`` as work
    ``welch``, its first author also a contributor row, as 0003's writes left it."""
    upgrade(engine, "0003_enrichment")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO work (citekey, type, data, added_at, updated_at) VALUES "
                "('welch', 'article', :data, '2020-01-01 00:00:00', '2020-01-01 00:00:00')"
            ),
            {"data": record.to_json()},
        )
        conn.execute(
            text(
                "INSERT INTO contributor (work_id, position, role, family) "
                "SELECT id, 0, 'author', 'Welch' FROM work"
            )
        )
