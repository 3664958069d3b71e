"""What phbrefs asks of a library before using it, known without importing Alembic or
SQLAlchemy: the schema revisions it knows (read from the migration files) and how large a file
it checks at open. Read commands decide from these whether they need the full, migrating open."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from phbrefs.db.location import Location
from phbrefs.errors import StorageError

MIGRATIONS = Path(__file__).with_name("migrations")
# A damaged page is looked for with PRAGMA quick_check (about 3 ms per MB here): at open when
# the file is small enough for it to be cheap (a few hundred works), and before the first write
# of larger libraries, which writes pay for; any read that meets a damaged page fails too.
READ_CHECK_LIMIT = 8 * 1024 * 1024
WRITE_CHECK_LIMIT = 512 * 1024 * 1024

_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?([\w-]+|None)['\"]?", re.M)


@cache
def known_revisions() -> tuple[str, frozenset[str]]:
    """(head, every revision), read from the files without importing Alembic (start-up cost)."""
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
    return heads.pop(), frozenset(revisions)


def head_revision() -> str:
    return known_revisions()[0]


def write_modules(location: Location) -> list[str]:
    """What storing into ``location`` imports (to load it ahead, ``phbrefs.preload``): the
    storage layer and the database's SQLAlchemy dialect."""
    dialect = "postgresql" if location.is_postgres else "sqlite"
    return ["phbrefs.library", f"sqlalchemy.dialects.{dialect}"]
