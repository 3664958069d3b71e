"""The library: every read and write of works, tags, notes and sources, in transactions.

Nothing outside ``phbrefs.db`` and this module knows SQL or holds a session (the evidence,
duplicate, import and table rows live in ``phbrefs.db.*_store`` and ``db.table_rows``, and
``tests/test_architecture.py`` keeps it so). ``Library`` opens the transactions; the statements
are in ``db.key_store`` (keys, aliases, DOIs), ``db.work_reads`` (loading works) and
``db.work_store`` (writing them: it assigns citekeys once; they are never changed silently).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from phbrefs.controls import check_tag_names
from phbrefs.db import key_store, work_reads, work_store
from phbrefs.db.engine import needs_check, open_engine, quick_check, writer
from phbrefs.db.enrichment_store import EnrichmentStore
from phbrefs.db.failures import storage_error
from phbrefs.db.location import Location
from phbrefs.db.schema import READ_CHECK_LIMIT, WRITE_CHECK_LIMIT
from phbrefs.db.work_store import first_author_name as first_author_name  # for the CLI
from phbrefs.db.work_store import usable_citekey as usable_citekey  # for the importers
from phbrefs.errors import InvalidInputError, StorageError, UnknownKeyError
from phbrefs.outcomes import ItemResult
from phbrefs.records import Contributor, WorkRecord
from phbrefs.stored import StoredWork

if TYPE_CHECKING:
    from phbrefs.db.health import HealthReport


class Library(EnrichmentStore):
    """A library database. ``Library(":memory:")`` gives a throwaway one (tests, demos)."""

    def __init__(
        self,
        path: Path | str | Location,
        *,
        create: bool = True,
        lock_wait: float = 30.0,
        actor: str | None = None,
        check: bool = True,
    ) -> None:
        """``actor``: who is making the changes (the ``coder`` setting or login name), recorded
        on tags, merges, findings and judgements; ``lock_wait``: seconds a write waits for
        another process's write to finish before failing; ``check=False``: open a damaged
        library as it is, to diagnose and repair it (``doctor``)."""
        self.actor = actor
        self.location = path if isinstance(path, Location) else Location(str(path))
        self.path = path
        self.lock_wait = lock_wait
        self.engine = open_engine(self.location, create=create, lock_wait=lock_wait, check=check)
        self._file_id = self._identity()
        # checked at open when small; else before the first write (see db.engine)
        self._unchecked = check and not needs_check(self.location, READ_CHECK_LIMIT)
        self._open = threading.local()  # the transaction this thread is inside, if any

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises. Inside
        another of this thread's transactions (that writes, or when this one only reads) it is
        that transaction, so nested storage calls share one commit and one write lock.

        A writing transaction holds the library's write lock from its first statement, so what
        it reads (taken citekeys, positions, stored DOIs) stays true until it commits. Driver
        failures (lock wait exceeded, damaged file, full disk) become one ``StorageError``.
        """
        current: Session | None = getattr(self._open, "session", None)
        if current is not None and (self._open.write or not write):
            yield current  # joined: one commit (or rollback) at the end of the outer block
            return
        bind = writer(self.engine) if write else self.engine
        try:
            with Session(bind) as session, session.begin():
                if write:
                    self._before_write(session)
                outer = (current, getattr(self._open, "write", False))
                self._open.session, self._open.write = session, write
                try:
                    yield session
                finally:
                    self._open.session, self._open.write = outer
        except DBAPIError as error:
            raise storage_error(error, f"library {self.location}", self.lock_wait) from error

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[None]:
        """One transaction that every library and storage call inside the block joins (an
        import that adds works, merges duplicates and tags them; a coding import): all of it
        commits when the block ends, none of it if the block raises. A write inside a reading
        transaction still opens its own writing one."""
        with self.session(write=write):
            yield

    def _identity(self) -> tuple[int, int] | None:
        """The SQLite file's (device, inode), None for a server or an absent file."""
        path = self.location.path
        try:
            info = path.stat() if path is not None else None
        except FileNotFoundError:
            return None
        return (info.st_dev, info.st_ino) if info else None

    def _before_write(self, session: Session) -> None:
        """A SQLite file removed or replaced while this process waited for the lock (by
        ``discard_if_empty`` of a failed first command, or ``doctor``) must not swallow this
        write into a file nobody will read again."""
        conn = session.connection()  # BEGIN IMMEDIATE: the lock is held from here
        if self.location.path is not None and self._identity() != self._file_id:
            raise StorageError(
                f"library {self.location} was removed or replaced by another process; run again"
            )
        if self._unchecked and needs_check(self.location, WRITE_CHECK_LIMIT):
            quick_check(conn, self.location)
            self._unchecked = False

    def discard_if_empty(self) -> None:
        """Remove a SQLite library this process created when nothing was stored in it, under
        the write lock so that no other process is between its check and its write."""
        path = self.location.path
        if path is None or not path.exists():
            return
        with self.session() as session:
            if not work_reads.is_empty(session):
                return
            for leftover in (
                path,
                *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")),
            ):
                leftover.unlink(missing_ok=True)
        self.close()

    # -- lookup ---------------------------------------------------------------------------------

    def resolve(self, session: Session, key: str) -> int:
        """The work id for a citekey, an alias (old key after a merge) or a DOI."""
        return key_store.resolve(session, key)

    def work_id(self, key: str) -> int:
        """``resolve`` in the open transaction (or a reading one of its own)."""
        with self.session(write=False) as session:
            return self.resolve(session, key)

    def resolve_keys(self, keys: Iterable[str]) -> dict[str, int | UnknownKeyError]:
        """Each key's work id, or the ``UnknownKeyError`` (with its suggestion) when none."""
        found: dict[str, int | UnknownKeyError] = {}
        with self.session(write=False) as session:
            for key in keys:
                try:
                    found[key] = self.resolve(session, key)
                except UnknownKeyError as error:
                    found[key] = error
        return found

    def closest_key(self, session: Session, key: str) -> str | None:
        return key_store.closest_key(session, key)

    def known_dois(self, dois: Iterable[str]) -> dict[str, str]:
        """DOI -> citekey for those of ``dois`` already in the library."""
        with self.session(write=False) as session:
            return key_store.known_dois(session, dois)

    def get(self, key: str) -> StoredWork:
        with self.session(write=False) as session:
            return self._load(session, [self.resolve(session, key)])[0]

    def _load(self, session: Session, work_ids: Sequence[int]) -> list[StoredWork]:
        """Stored works for ``work_ids``, in that order, with their tags and notes."""
        return work_reads.load(session, work_ids, f"library {self.location}")

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
        with self.session(write=False) as session:
            if keys:
                ids = [self.resolve(session, key) for key in keys]
                return self._load(session, list(dict.fromkeys(ids)))
            ids = work_reads.selected_ids(
                session,
                tags=tags,
                year_from=year_from,
                year_to=year_to,
                types=types,
                text_filter=text_filter,
                order=order,
            )
            return self._load(session, ids)

    def count(self) -> int:
        with self.session(write=False) as session:
            return work_reads.count(session)

    def search(self, query: str, *, limit: int = 50) -> list[tuple[StoredWork, float, str]]:
        """Ranked full-text search (BM25; title and authors weigh most): see ``db.fulltext``.

        Plain words are matched as prefixes; FTS5 syntax (quotes, OR, NEAR, column:) passes
        through.
        """
        if not query.strip():
            raise InvalidInputError("empty search")
        with self.session(write=False) as session:
            return work_reads.search(session, query, limit, f"library {self.location}")

    # -- writes ---------------------------------------------------------------------------------

    def add(self, record: WorkRecord, **kwargs: Any) -> ItemResult:
        return self.add_many([record], **kwargs)[0]

    def add_many(
        self,
        records: Iterable[WorkRecord],
        *,
        refresh: bool = False,
        tags: Sequence[str] = (),
        origin: str | None = None,
        labels: Sequence[str] | None = None,
        same_doi_same_work: bool = True,
        keys_taken: set[str] | None = None,
    ) -> list[ItemResult]:
        """Store records in one transaction; a record whose DOI is present is left alone
        (``unchanged``) unless ``refresh``, which updates its metadata and keeps its citekey,
        tags, notes and findings. ``labels`` name the items in results (default: DOI/title).
        ``same_doi_same_work=False``: the caller (an import, whose duplicate matching already
        judged these records distinct) stores records sharing a DOI as separate works.
        Inside ``transaction()`` it joins that transaction (an import that also merges), where
        ``keys_taken`` (``import_store.keys_in_use``) spares re-reading every key per call.

        Everything it decides on (taken citekeys, stored DOIs) is read under the write lock,
        so a record another process stored meanwhile is ``unchanged``, never added twice.
        """
        with self.session() as session:
            results = work_store.add_many(
                session.connection(),
                list(records),
                refresh=refresh,
                origin=origin,
                labels=labels,
                same_doi_same_work=same_doi_same_work,
                keys_taken=keys_taken,
            )
            if tags:
                work_store.tag_ids(
                    session.connection(),
                    [r.work_id for r in results if r.work_id],
                    tags,
                    [],
                    self.actor,
                )
        return results

    def _replace(
        self, session: Session, work_id: int, record: WorkRecord, origin: str | None
    ) -> None:
        """Overwrite a work's metadata; its citekey, tags, notes and findings stay."""
        work_store.replace(session.connection(), work_id, record, origin)

    def overwrite(self, work_id: int, record: WorkRecord) -> None:
        """Overwrite work ``work_id``'s metadata and index (a merge, an unmerge), in the
        caller's transaction when inside ``transaction()``."""
        with self.session() as session:
            self._replace(session, work_id, record, None)

    def reindex_notes(self, work_id: int) -> None:
        """Rebuild work ``work_id``'s search row from its record and notes (notes moved)."""
        with self.session() as session:
            work_store.reindex_notes(session.connection(), work_id)

    def tag_works(
        self, work_ids: Sequence[int], add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> None:
        """``tag`` by work id (an import tagging what it stored), recording ``actor``."""
        with self.session() as session:
            work_store.tag_ids(session.connection(), work_ids, add, remove, self.actor)

    def replace(self, key: str, record: WorkRecord) -> StoredWork:
        """Overwrite the metadata of work ``key`` (merge, manual edits)."""
        with self.session() as session:
            work_id = self.resolve(session, key)
            self._replace(session, work_id, record, None)
            return self._load(session, [work_id])[0]

    def rename_contributor(self, variant: Contributor, canonical: Contributor) -> list[str]:
        """Write ``canonical``'s name (and its ORCID where none is known) for every contributor
        written exactly as ``variant`` (particle, family and given name), in one transaction;
        the keys of the works changed (``phbrefs names merge``)."""

        def same(person: Contributor) -> bool:
            return (person.particle, person.family, person.given) == (
                variant.particle,
                variant.family,
                variant.given,
            )

        changed = []
        works = self.works()
        with self.session() as session:
            for work in works:
                people = [c for c in work.record.contributors if same(c)]
                if not people:
                    continue
                for person in people:
                    person.given, person.family = canonical.given, canonical.family
                    person.particle = canonical.particle
                    person.orcid = person.orcid or canonical.orcid
                self._replace(session, work.id, work.record, None)
                changed.append(work.citekey)
        return changed

    def add_alias(self, alias: str, key: str) -> bool:
        """Make ``alias`` resolve to work ``key`` (a key a source proposed that phbrefs could
        not use as the citekey); False when ``alias`` already names another work."""
        with self.session() as session:
            return key_store.add_alias(session, alias, self.resolve(session, key))

    def doctor(self, *, repair: bool = True) -> HealthReport:
        """Check the database and its full-text index; with ``repair``, rebuild the index from
        the works and notes when it alone is damaged (into a new file, swapped in atomically:
        run it while no other phbrefs process uses the library)."""
        from phbrefs.db import health

        if self.location.is_postgres:  # the server keeps its pages sound: check the index
            with self.session(write=repair) as session:
                return health.check_server(session.connection(), repair=repair)
        report = health.check_file(self.engine, f"library {self.location}", self.lock_wait)
        path = self.location.path
        if not (repair and report.data_ok and report.index_damaged) or path is None:
            return report
        self.engine.dispose()
        health.rebuild_file(report, path, self.lock_wait)
        self.engine = open_engine(self.location, create=False, lock_wait=self.lock_wait)
        self._file_id = self._identity()
        return report

    def rebuild_index(self) -> int:
        """Write every work's full-text row again from its stored data and notes, in the open
        transaction if any (``doctor``, ``db copy``); returns the number of works indexed."""
        with self.session() as session:
            return work_store.rebuild_index(session.connection())

    def source_records(self, key: str) -> list[dict[str, Any]]:
        with self.session(write=False) as session:
            return work_reads.source_records(session, self.resolve(session, key))

    def tag(
        self, keys: Sequence[str], add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> tuple[int, int]:
        """(tags put on, tags taken off), counted work by work."""
        check_tag_names(add)
        with self.session() as session:
            ids = [self.resolve(session, key) for key in keys]
            return work_store.tag_ids(session.connection(), ids, add, remove, self.actor)

    def tags(self) -> list[tuple[str, int]]:
        """Every tag with the number of works carrying it."""
        with self.session(write=False) as session:
            return work_reads.tag_counts(session)

    def add_note(self, key: str, note: str) -> StoredWork:
        if not note.strip():
            raise InvalidInputError("a note cannot be empty")
        with self.session() as session:
            work_id = self.resolve(session, key)
            work_store.add_note(session.connection(), work_id, note)
            return self._load(session, [work_id])[0]

    def dependents(self, keys: Sequence[str]) -> dict[str, dict[str, int]]:
        """What deleting each work would take with it: findings, notes, study records."""
        with self.session(write=False) as session:
            return {key: work_reads.dependents(session, self.resolve(session, key)) for key in keys}

    def remove(self, keys: Sequence[str]) -> list[str]:
        """Delete works (with their findings, notes and tags); returns the citekeys removed."""
        with self.session() as session:
            ids = list(dict.fromkeys(self.resolve(session, key) for key in keys))
            return work_store.remove(session.connection(), ids)
