"""Opening a library database: create it on first write and bring its schema to head."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text

from phbrefs.errors import StorageError

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?([\w-]+|None)['\"]?", re.M)


@cache
def head_revision() -> str:
    """The newest migration, read from the files without importing Alembic (start-up cost)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
            parents.add(found.get("down_revision", "None"))
    heads = revisions - parents
    if len(heads) != 1:
        raise StorageError(f"migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(path: Path | str) -> Engine:
    """An engine on ``path`` (``":memory:"`` for a throwaway library)."""
    url = "sqlite://" if str(path) == ":memory:" else f"sqlite:///{Path(path)}"
    engine = create_engine(url)
    event.listen(engine, "connect", _on_connect)
    return engine


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run Alembic migrations up to ``revision`` inside one transaction."""
    from alembic import command

    config = alembic_config(str(engine.url))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def open_engine(path: Path | str, *, create: bool = True) -> Engine:
    """Open the library at ``path``, creating it and migrating its schema when needed."""
    if str(path) != ":memory:":
        location = Path(path)
        if not location.exists() and not create:
            raise StorageError(f"no library at {location} (run 'phbrefs add' to create one)")
        if location.parent and not location.parent.exists():
            raise StorageError(f"cannot create library {location}: folder does not exist")
    engine = make_engine(path)
    try:
        if current_revision(engine) != head_revision():
            upgrade(engine)
    except Exception as error:  # sqlite3 errors arrive wrapped in many SQLAlchemy types
        if isinstance(error, StorageError):
            raise
        raise StorageError(f"cannot open library {path}: {error}") from error
    return engine
