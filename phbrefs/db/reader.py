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
from typing import TYPE_CHECKING, Any

from phbrefs.db.failures import storage_error, unreadable_rows
from phbrefs.db.location import Location
from phbrefs.db.schema import READ_CHECK_LIMIT, head_revision
from phbrefs.db.stored_row import StoredRow, decode_json, utc
from phbrefs.errors import InvalidDOIError, InvalidInputError, UnknownKeyError
from phbrefs.heap import collector_paused
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
CHUNK = 900  # bound parameters per IN (...), under SQLite's historical limit of 999


def open_reader(location: Location, *, lock_wait: float = 30.0) -> Reader | Library:
    """A reader for ``location``: the fast one when it can serve, else the full ``Library``.

    PostgreSQL libraries are read through the ``Library`` (SQLAlchemy and psycopg): a server
    round trip dominates there, and its full-text SQL is the ``Library``'s own."""
    path = location.path
    reader = _ready_reader(location, lock_wait) if path is not None and path.is_file() else None
    if reader is not None:
        return reader
    from phbrefs.library import Library

    return Library(location, create=False, lock_wait=lock_wait)


def _ready_reader(location: Location, lock_wait: float) -> Reader | None:
    try:
        reader = Reader(location, lock_wait=lock_wait)
    except sqlite3.Error:  # cannot even connect: the full open says why
        return None
    if reader.ready():
        return reader
    reader.close()
    return None


# tables in which enrichment and checks (migration 0003) keep what they found about a work
ENRICHMENT_TABLES = (
    "field_provenance",
    "work_identifier",
    "work_term",
    "oa_location",
    "notice",
    "work_check",
)


def listing(
    source: Reader | Library, *, limit: int | None = None, as_dicts: bool = False, **filters: Any
) -> tuple[list[Any], int]:
    """The first ``limit`` works the filters select (``StoredWork``s, or their ``to_dict()``
    when ``as_dicts``) and how many they select in all: what ``phbrefs list`` shows."""
    if isinstance(source, Reader):
        return source.listing(limit=limit, as_dicts=as_dicts, **filters)
    works = source.works(**filters)
    shown = works[:limit]
    return [w.to_dict() for w in shown] if as_dicts else shown, len(works)


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
            checked = size <= READ_CHECK_LIMIT
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
                row = db.execute(
                    "SELECT id FROM work WHERE doi = ? ORDER BY id LIMIT 1", (doi,)
                ).fetchone()
        if row is None:
            raise UnknownKeyError(key, self._closest_key(db, key))
        return int(row[0])

    def _closest_key(self, db: sqlite3.Connection, key: str) -> str | None:
        from rapidfuzz import process

        keys = [row[0] for row in db.execute("SELECT citekey FROM work")]
        best = process.extractOne(key, keys, score_cutoff=70)
        return best[0] if best else None

    def _rows(self, db: sqlite3.Connection, work_ids: Sequence[int]) -> list[StoredRow]:
        """Stored rows for ``work_ids``, in that order, with their tags and notes."""
        rows: dict[int, StoredRow] = {}
        for start in range(0, len(work_ids), CHUNK):
            chunk = list(work_ids[start : start + CHUNK])
            marks = placeholders(chunk)
            for work_id, citekey, data, added, updated in db.execute(
                f"SELECT id, citekey, data, added_at, updated_at FROM work WHERE id IN ({marks})",
                chunk,
            ):
                rows[work_id] = StoredRow(work_id, citekey, decode_json(data), added, updated)
            for work_id, name, by, at in db.execute(
                "SELECT work_tag.work_id, tag.name, work_tag.tagged_by, work_tag.tagged_at "
                "FROM work_tag JOIN tag ON tag.id = work_tag.tag_id "
                f"WHERE work_tag.work_id IN ({marks}) ORDER BY tag.name",
                chunk,
            ):
                if work_id in rows:  # else reported as missing below
                    rows[work_id].tags.append(name)
                    rows[work_id].tagged.append((name, by, at))
            for work_id, note, created in db.execute(
                f"SELECT work_id, text, created_at FROM note WHERE work_id IN ({marks}) "
                "ORDER BY id",
                chunk,
            ):
                if work_id in rows:
                    rows[work_id].notes.append((note, created))
        missing = sum(1 for work_id in work_ids if work_id not in rows)
        if missing:  # an index named rows the table no longer has: never return a short list
            raise unreadable_rows(self.where, missing, len(work_ids))
        return [rows[work_id] for work_id in work_ids]

    def _load(self, db: sqlite3.Connection, work_ids: Sequence[int]) -> list[StoredWork]:
        with collector_paused():
            return [row.stored_work() for row in self._rows(db, work_ids)]

    def _select(
        self,
        db: sqlite3.Connection,
        keys: Sequence[str] | None,
        *,
        tags: Sequence[str] = (),
        year_from: int | None = None,
        year_to: int | None = None,
        types: Sequence[str] = (),
        text_filter: str | None = None,
        order: str = "citekey",
    ) -> list[int]:
        """The ids of the works named by ``keys`` (in that order, each once) or, without keys,
        of the works the filters select, sorted by ``order``: the ``Library.works`` query."""
        if keys:
            return list(dict.fromkeys(self._resolve(db, key) for key in keys))
        sort = SORTS.get(order)
        if sort is None:
            raise InvalidInputError(f"cannot sort by {order!r}")
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
            where.append("(" + " OR ".join(f"lower({c}) LIKE lower(?)" for c in TEXT_COLUMNS) + ")")
            values += [f"%{text_filter}%"] * len(TEXT_COLUMNS)
        condition = f" WHERE {' AND '.join(where)}" if where else ""
        return [
            row[0] for row in db.execute(f"SELECT id FROM work{condition} ORDER BY {sort}", values)
        ]

    def get(self, key: str) -> StoredWork:
        with self._snapshot() as db:
            return self._load(db, [self._resolve(db, key)])[0]

    def works(self, keys: Sequence[str] | None = None, **filters: Any) -> list[StoredWork]:
        """Works selected by key (in the order given) or by filters (sorted by ``order``);
        the filters are ``Library.works``'s."""
        with self._snapshot() as db:
            return self._load(db, self._select(db, keys, **filters))

    def listing(
        self, *, limit: int | None = None, as_dicts: bool = False, **filters: Any
    ) -> tuple[list[Any], int]:
        """See ``listing``; ``as_dicts`` skips building each ``WorkRecord``: the stored JSON
        already is the record's ``to_dict()`` (``list --json`` of 10,000 works)."""
        with self._snapshot() as db:
            ids = self._select(db, None, **filters)
            rows = self._rows(db, ids[:limit])
        return [row.to_dict() if as_dicts else row.stored_work() for row in rows], len(ids)

    def enrichment_of(self, key: str) -> dict[str, Any]:
        """``Library.enrichment_of``: read here when the work has no enrichment rows (most
        works, and every work of a library never enriched); else from the full library."""
        with self._snapshot() as db:
            work_id = self._resolve(db, key)
            any_row = " OR ".join(
                f"EXISTS (SELECT 1 FROM {table} WHERE work_id = ?)" for table in ENRICHMENT_TABLES
            )
            enriched = db.execute(
                f"SELECT {any_row}", [work_id] * len(ENRICHMENT_TABLES)
            ).fetchone()[0]
            row = self._rows(db, [work_id])[0] if not enriched else None
        if row is None:
            from phbrefs.library import Library

            with Library(self.location, create=False, lock_wait=self.lock_wait) as library:
                return library.enrichment_of(key)
        from phbrefs.provenance import existing_provenance

        work = row.stored_work()
        provenance = existing_provenance(work.record, work.citekey)
        return {
            "provenance": {f: {"source": s, "identifier": i} for f, (s, i) in provenance.items()},
            "identifiers": {},
            "terms": {},
            "oa_locations": [],
            "notices": [],
            "last_check": None,
        }

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
                "added_at": utc(added).isoformat(),
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
        """Ranked full-text search, as ``Library.search`` (``db.fulltext``: SQLite's bounded
        sorter keeps the top ``limit`` rows, and snippets are made for those rows only)."""
        from phbrefs.db import fulltext

        if not query.strip():
            raise InvalidInputError("empty search")
        with self._snapshot() as db:
            rows = fulltext.sqlite_search(
                lambda sql, values: db.execute(sql, values).fetchall(), query, limit
            )
            stored = {w.id: w for w in self._load(db, [row[0] for row in rows])}
        return [(stored[work_id], score, snippet) for work_id, score, snippet in rows]

    def count_matches(self, query: str) -> int:
        """How many works a search matches (benchmarks, reports)."""
        from phbrefs.db import fulltext

        with self._snapshot() as db:
            matching = (fulltext.fts5_query(query),)
            return db.execute(
                "SELECT count(*) FROM work_fts WHERE work_fts MATCH ?", matching
            ).fetchone()[0]
