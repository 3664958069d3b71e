"""Fast reads of a SQLite library straight through ``sqlite3``: list, show, search, tags.

Why SQL by hand beside ``Library``: importing SQLAlchemy, SQLModel and pydantic costs a read
command about half a second before its first query, three times what the whole ``--help``
takes; these reads need none of it. The reader answers only for a SQLite file at the head
schema that passes the quick check; anything else (a PostgreSQL server, a missing, older, newer
or damaged library) is opened by the full ``Library``, which creates, migrates or refuses it, so
those decisions and their messages live in one place. Rows are decoded exactly as SQLAlchemy
decodes them (``data``: JSON text; datetimes: ISO text, read as UTC), and the statements are the
ones the ``Library`` issues, so both paths return the same works in the same order.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from phbrefs.db.failures import is_corruption, storage_error, unreadable_rows
from phbrefs.db.location import Location
from phbrefs.db.schema import QUICK_CHECK_LIMIT, head_revision
from phbrefs.errors import InvalidDOIError, InvalidInputError, UnknownKeyError
from phbrefs.records import WorkRecord
from phbrefs.stored import StoredWork

if TYPE_CHECKING:
    from phbrefs.library import Library

SORTS = {
    "citekey": "citekey",
    "year": "year, citekey",
    "author": "first_author, year",
    "added": "added_at, id",
    "title": "title",
}
TEXT_COLUMNS = ("title", "first_author", "container_title", "citekey", "doi")
# bm25 weights of the work_fts columns: title, abstract, authors, container, notes, keywords
RANK = "bm25(work_fts, 10.0, 3.0, 6.0, 2.0, 2.0, 4.0)"
SNIPPET = "snippet(work_fts, -1, '[', ']', '…', 12)"
CHUNK = 900  # bound parameters per IN (...), under SQLite's historical limit of 999


def open_reader(location: Location, *, lock_wait: float = 30.0) -> Reader | Library:
    """A reader for ``location``: the fast one when it can serve, else the full ``Library``.

    PostgreSQL libraries are read through the ``Library`` (SQLAlchemy and psycopg): a server
    round trip dominates there, and its full-text SQL is the ``Library``'s own."""
    path = location.path
    if path is not None and path.is_file():
        reader = Reader(location, lock_wait=lock_wait)
        if reader.ready():
            return reader
        reader.close()
    from phbrefs.library import Library

    return Library(location, create=False, lock_wait=lock_wait)


def full_text_query(query: str) -> str:
    """Plain words become prefix terms ANDed together; FTS5 syntax is passed through as is."""
    if any(ch in query for ch in '"*:()^') or any(
        op in query.split() for op in ("AND", "OR", "NOT", "NEAR")
    ):
        return query
    import re

    words = re.findall(r"\w+", query, flags=re.UNICODE)
    if not words:
        raise InvalidInputError(f"nothing to search for in {query!r}")
    return " ".join(f'"{w}"*' for w in words)


def utc(text: str | None) -> datetime | None:
    """A stored datetime as SQLAlchemy's ``UTCDateTime`` returns it: aware, in UTC."""
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)


def placeholders(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


class Reader:
    """Read-only access to a SQLite library at the head schema; the ``Library``'s read methods,
    each in one read transaction (one consistent snapshot, never blocking writers under WAL)."""

    def __init__(self, location: Location, *, lock_wait: float = 30.0) -> None:
        self.location = location
        self.lock_wait = lock_wait
        self.where = f"library {location}"
        # isolation_level None: this class issues BEGIN itself, as the engine does
        self.db = sqlite3.connect(location.spec, timeout=lock_wait, isolation_level=None)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ready(self) -> bool:
        """Whether this file can be read as it is: quick check passed, schema at head."""
        try:
            size = self.location.path.stat().st_size if self.location.path else 0
            checked = size <= QUICK_CHECK_LIMIT
            if checked and self.db.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                return False
            row = self.db.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:  # not a database, no schema yet...: the full open decides
            return False
        return row is not None and row[0] == head_revision()

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """One read transaction; driver failures become one ``StorageError``."""
        try:
            self.db.execute("BEGIN")
            try:
                yield self.db
            finally:
                self.db.execute("COMMIT")
        except sqlite3.Error as error:
            raise storage_error(error, self.where, self.lock_wait) from error

    # -- lookup ---------------------------------------------------------------------------------

    def _resolve(self, db: sqlite3.Connection, key: str) -> int:
        """The work id for a citekey, an alias (old key after a merge) or a DOI."""
        from phbrefs.ids import normalize_doi

        row = db.execute("SELECT id FROM work WHERE citekey = ?", (key,)).fetchone()
        if row is None:
            row = db.execute("SELECT work_id FROM alias WHERE key = ?", (key,)).fetchone()
        if row is None:
            try:
                doi = normalize_doi(key)
            except InvalidDOIError:
                doi = None
            if doi:
                row = db.execute("SELECT id FROM work WHERE doi = ?", (doi,)).fetchone()
        if row is None:
            raise UnknownKeyError(key, self._closest_key(db, key))
        return int(row[0])

    def _closest_key(self, db: sqlite3.Connection, key: str) -> str | None:
        from rapidfuzz import process

        keys = [row[0] for row in db.execute("SELECT citekey FROM work")]
        best = process.extractOne(key, keys, score_cutoff=70)
        return best[0] if best else None

    def _load(self, db: sqlite3.Connection, work_ids: Sequence[int]) -> list[StoredWork]:
        """Stored works for ``work_ids``, in that order, with their tags and notes."""
        works: dict[int, StoredWork] = {}
        tags: dict[int, list[str]] = {}
        notes: dict[int, list[tuple[str, datetime]]] = {}
        from_dict, loads = WorkRecord.from_dict, json.loads
        for start in range(0, len(work_ids), CHUNK):
            chunk = list(work_ids[start : start + CHUNK])
            marks = placeholders(chunk)
            rows = db.execute(
                f"SELECT id, citekey, data, added_at, updated_at FROM work WHERE id IN ({marks})",
                chunk,
            )
            for work_id, citekey, data, added, updated in rows:
                works[work_id] = StoredWork(
                    work_id, citekey, from_dict(loads(data)), utc(added), utc(updated)
                )
            for work_id, name in db.execute(
                "SELECT work_tag.work_id, tag.name FROM work_tag JOIN tag ON tag.id = "
                f"work_tag.tag_id WHERE work_tag.work_id IN ({marks}) ORDER BY tag.name",
                chunk,
            ):
                tags.setdefault(work_id, []).append(name)
            for work_id, note, created in db.execute(
                f"SELECT work_id, text, created_at FROM note WHERE work_id IN ({marks}) "
                "ORDER BY id",
                chunk,
            ):
                notes.setdefault(work_id, []).append((note, utc(created)))
        missing = sum(1 for work_id in work_ids if work_id not in works)
        if missing:  # an index named rows the table no longer has: never return a short list
            raise unreadable_rows(self.where, missing, len(work_ids))
        result = []
        for work_id in work_ids:
            stored = works[work_id]
            stored.tags = tags.get(work_id, [])
            stored.notes = notes.get(work_id, [])
            result.append(stored)
        return result

    def get(self, key: str) -> StoredWork:
        with self._snapshot() as db:
            return self._load(db, [self._resolve(db, key)])[0]

    def works(
        self,
        keys: Sequence[str] | None = None,
        *,
        tags: Sequence[str] = (),
        year_from: int | None = None,
        year_to: int | None = None,
        types: Sequence[str] = (),
        text_filter: str | None = None,
        order: str = "citekey",
    ) -> list[StoredWork]:
        """Works selected by key (in the order given) or by filters (sorted by ``order``)."""
        sort = SORTS.get(order)
        if sort is None:
            raise InvalidInputError(f"cannot sort by {order!r}")
        with self._snapshot() as db:
            if keys:
                ids = [self._resolve(db, key) for key in keys]
                return self._load(db, list(dict.fromkeys(ids)))
            where: list[str] = []
            values: list[Any] = []
            for tag in tags:
                where.append(
                    "id IN (SELECT work_tag.work_id FROM work_tag JOIN tag ON tag.id = "
                    "work_tag.tag_id WHERE tag.name = ?)"
                )
                values.append(tag)
            if year_from is not None:
                where.append("year >= ?")
                values.append(year_from)
            if year_to is not None:
                where.append("year <= ?")
                values.append(year_to)
            if types:
                marks = placeholders(types)
                where.append(f"(type IN ({marks}) OR source_type IN ({marks}))")
                values += [*types, *types]
            if text_filter:
                # what SQLAlchemy's ilike() is on SQLite: lower(column) LIKE lower(pattern)
                where.append(
                    "(" + " OR ".join(f"lower({c}) LIKE lower(?)" for c in TEXT_COLUMNS) + ")"
                )
                values += [f"%{text_filter}%"] * len(TEXT_COLUMNS)
            condition = f" WHERE {' AND '.join(where)}" if where else ""
            ids = [
                row[0]
                for row in db.execute(f"SELECT id FROM work{condition} ORDER BY {sort}", values)
            ]
            return self._load(db, ids)

    def source_records(self, key: str) -> list[dict[str, Any]]:
        with self._snapshot() as db:
            work_id = self._resolve(db, key)
            rows = db.execute(
                "SELECT source, origin, added_at, format, content FROM source_record "
                "WHERE work_id = ? ORDER BY id",
                (work_id,),
            ).fetchall()
        return [
            {
                "source": source,
                "origin": origin,
                "added_at": utc(added).isoformat(),  # type: ignore[union-attr]
                "content": json.loads(content) if kind == "json" else content,
            }
            for source, origin, added, kind, content in rows
        ]

    def tags(self) -> list[tuple[str, int]]:
        """Every tag with the number of works carrying it."""
        with self._snapshot() as db:
            return db.execute(
                "SELECT tag.name, count(work_tag.work_id) FROM tag LEFT OUTER JOIN work_tag "
                "ON work_tag.tag_id = tag.id GROUP BY tag.name ORDER BY tag.name"
            ).fetchall()

    def search(self, query: str, *, limit: int = 50) -> list[tuple[StoredWork, float, str]]:
        """Ranked full-text search, as ``Library.search``; the top ``limit`` rows are chosen by
        bm25 alone, and snippets are made for those rows only (a snippet re-reads and
        tokenises a work's text: for every match of a broad query, that was most of the time).
        """
        if not query.strip():
            raise InvalidInputError("empty search")
        match = full_text_query(query)
        with self._snapshot() as db:
            try:
                top = db.execute(
                    f"SELECT rowid, {RANK} AS rank FROM work_fts WHERE work_fts MATCH ? "
                    "ORDER BY rank LIMIT ?",
                    (match, limit),
                ).fetchall()
            except sqlite3.OperationalError as error:  # FTS5 syntax errors
                if is_corruption(error):
                    raise
                reason = str(error).removeprefix("fts5: ")
                raise InvalidInputError(
                    f"cannot search for {query!r}: {reason} (quote a phrase: '\"a b\"')"
                ) from error
            snippets = [
                db.execute(
                    f"SELECT {SNIPPET} FROM work_fts WHERE work_fts MATCH ? AND rowid = ?",
                    (match, rowid),
                ).fetchone()[0]
                for rowid, _ in top
            ]
            stored = {w.id: w for w in self._load(db, [rowid for rowid, _ in top])}
        return [
            (stored[rowid], -float(rank), snippet)
            for (rowid, rank), snippet in zip(top, snippets, strict=True)
        ]
