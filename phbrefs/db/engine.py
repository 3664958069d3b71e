"""Opening a library database (a SQLite file or a PostgreSQL server), creating and migrating it.

The concurrency contract lives here: every write transaction takes the library's one write lock
before it reads anything it decides on (SQLite ``BEGIN IMMEDIATE`` under WAL with a busy timeout;
PostgreSQL a transaction-scoped advisory lock with ``lock_timeout``), so citekeys, positions and
DOI uniqueness are decided by one writer at a time, on any number of processes or machines.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text

from phbrefs.db.failures import storage_error
from phbrefs.db.location import Location
from phbrefs.db.schema import (
    MIGRATIONS,
    READ_CHECK_LIMIT,
    head_revision,
    known_revisions,
)
from phbrefs.errors import StorageError

WRITE = "phbrefs_write"  # execution option: this transaction writes, take the write lock
# one advisory lock key per PostgreSQL database: phbrefs's writers queue on it
ADVISORY_LOCK_KEY = 0x70686272  # "phbr"


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _enter_wal(cursor: sqlite3.Cursor, lock_wait: float) -> None:
    """Put the file in WAL mode, waiting up to ``lock_wait`` for other processes doing the same.

    Processes that open a new library together all switch it at once; SQLite then fails all
    but one at once with "database is locked" instead of waiting (the switch upgrades a read
    lock, where waiting could deadlock), so the switch is retried from scratch until it passes.
    """
    deadline = time.monotonic() + lock_wait
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.1)


def _sqlite_connect_factory(lock_wait: float):  # type: ignore[no-untyped-def]
    def connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # phbrefs issues BEGIN itself (see _sqlite_begin), so the driver must not
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        _enter_wal(cursor, lock_wait)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return connect


def _sqlite_begin(conn: Connection) -> None:
    writes = conn.get_execution_options().get(WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _postgres_begin_factory(lock_wait: float):  # type: ignore[no-untyped-def]
    def begin(conn: Connection) -> None:
        if conn.get_execution_options().get(WRITE, False):
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(lock_wait * 1000)}ms'")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})")

    return begin


def make_engine(location: Location | str | Path, lock_wait: float = 30.0) -> Engine:
    """An engine on ``location`` (``":memory:"`` for a throwaway library)."""
    location = location if isinstance(location, Location) else Location(str(location))
    if location.is_postgres:
        try:
            engine = create_engine(
                location.sqlalchemy_url,
                # UTC sessions: times read back as the SQLite library gives them
                connect_args={"connect_timeout": 10, "options": "-c timezone=UTC"},
                pool_pre_ping=False,
            )
        except ModuleNotFoundError as error:
            raise StorageError(
                f"cannot use {location}: the PostgreSQL driver is missing "
                "(pip install 'psycopg[binary]')"
            ) from error
        event.listen(engine, "begin", _postgres_begin_factory(lock_wait))
        return engine
    engine = create_engine(location.sqlalchemy_url, connect_args={"timeout": lock_wait})
    event.listen(engine, "connect", _sqlite_connect_factory(lock_wait))
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, its transactions taking the write lock."""
    return engine.execution_options(**{WRITE: True})


def current_revision(bind: Connection | Engine) -> str | None:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return current_revision(conn)
    if not inspect(bind).has_table("alembic_version"):
        return None
    return bind.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _foreign(names: list[str], where: str) -> StorageError | None:
    """The error for a database that holds tables but no phbrefs schema (another application's
    file), or None when it holds none: phbrefs would otherwise build its tables beside them."""
    names = sorted(n for n in names if not n.startswith("sqlite_") and n != "alembic_version")
    if not names:
        return None
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return StorageError(
        f"{where} is not a phbrefs library (it holds table{'s' if len(names) > 1 else ''} "
        f"{shown}); nothing was changed"
    )


def _refuse_foreign(conn: Connection, where: str) -> None:
    """Refuse a database without phbrefs's schema that holds tables of its own."""
    if inspect(conn).has_table("alembic_version"):
        return  # phbrefs's, even if migrated down to nothing
    found = inspect(conn)
    if error := _foreign(found.get_table_names() + found.get_view_names(), where):
        raise error


def _refuse_foreign_file(path: Path) -> None:
    """The same refusal for a SQLite file, read-only before any engine opens it: opening puts
    a file in WAL mode, which would change another application's file."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return  # the full open says why
    try:
        names = [
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        ]
    except sqlite3.Error:
        return  # not a database, damaged, busy...: the full open says why
    finally:
        db.close()
    if "alembic_version" not in names and (error := _foreign(names, str(path))):
        raise error


def _check_known(revision: str | None, where: str) -> None:
    head, revisions = known_revisions()
    if revision is not None and revision not in revisions:
        raise StorageError(
            f"{where} has schema {revision}, newer than this phbrefs knows (up to {head}): "
            "upgrade phbrefs to use it"
        )


def upgrade(
    engine: Engine, revision: str = "head", *, script: bool = False, where: str | None = None
) -> None:
    """Run Alembic migrations up to ``revision`` in one write transaction; ``script``: build an
    empty SQLite database at head from the script of what they build (``db/fresh.py``).

    The revision is read again once the write lock is held, so processes that open a new or
    old library at the same moment migrate it once: the others find it done. A database that
    holds tables but no phbrefs schema (``where``: its name in the error) is refused.
    """
    with writer(engine).begin() as conn:
        found = current_revision(conn)
        _check_known(found, str(engine.url))
        if found is None:
            _refuse_foreign(conn, where or str(engine.url))
        target = head_revision() if revision == "head" else revision
        if found == target:
            return
        if script and found is None and target == head_revision() and conn.dialect.name == "sqlite":
            from phbrefs.db import fresh

            if fresh.create(conn):
                return
        from alembic import command

        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def needs_check(location: Location, limit: int) -> bool:
    path = location.path
    return path is not None and path.exists() and path.stat().st_size <= limit


def quick_check(conn: Connection, location: Location) -> None:
    """Refuse a damaged SQLite file before anything reads or writes it."""
    problems = [row[0] for row in conn.exec_driver_sql("PRAGMA quick_check(3)").fetchall()]
    if problems != ["ok"]:
        lines = [line for p in problems for line in p.splitlines() if not line.startswith("***")]
        raise StorageError(
            f"library {location} is damaged ({'; '.join(lines[:2])}); nothing was written. "
            "Run 'phbrefs doctor'"
        )


def open_engine(
    location: Location | Path | str,
    *,
    create: bool = True,
    lock_wait: float = 30.0,
    check: bool = True,
) -> Engine:
    """Open the library at ``location``, creating it and migrating its schema when needed;
    ``check=False`` (doctor) opens a damaged library as it is, without migrating it."""
    location = location if isinstance(location, Location) else Location(str(location))
    path = location.path
    if path is not None:
        if not path.exists() and not create:
            raise StorageError(f"no library at {path} (run 'phbrefs add' to create one)")
        if not path.parent.exists():
            raise StorageError(f"cannot create library {path}: folder does not exist")
        if path.is_dir():
            raise StorageError(f"cannot open library {path}: it is a folder")
        if check:
            _refuse_foreign_file(path)
    engine = make_engine(location, lock_wait)
    if not check:
        return engine
    try:
        if needs_check(location, READ_CHECK_LIMIT):
            with engine.connect() as conn:
                quick_check(conn, location)
        found = current_revision(engine)
        _check_known(found, f"library {location}")
        if found != head_revision():
            if found is None and location.is_postgres:
                with engine.connect() as conn:
                    _refuse_foreign(conn, str(location))
                if not create:
                    raise StorageError(f"no phbrefs library in {location} (run 'phbrefs add')")
            upgrade(engine, script=True, where=str(location))
    except StorageError:
        engine.dispose()
        raise
    except Exception as error:  # driver errors arrive wrapped in many SQLAlchemy types
        engine.dispose()
        if isinstance(error, ModuleNotFoundError):
            raise StorageError(f"cannot use {location}: {error}") from error
        raise storage_error(error, f"library {location}", lock_wait) from error
    return engine
