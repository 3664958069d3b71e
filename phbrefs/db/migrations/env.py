"""Alembic environment: phbrefs runs migrations itself (see ``phbrefs.db.engine``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from phbrefs.db.models import SQLModel

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _run(conn)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: rebuild tables instead
        include_object=lambda obj, name, type_, reflected, compare_to: (
            not (type_ == "table" and name.startswith("work_fts"))
        ),
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
