"""Writing works: a batch of records stored as new works (``Library.add_many``), one work's
metadata overwritten, works tagged, noted and removed, and the search index rows rebuilt from
what is stored.

A batch is stored in bulk: the work ids are allocated first (what the database would give the
rows), so that every table's rows are built as plain tuples and written by the driver's bulk
path (``db.bulk``) with no statement or lookup per row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from phbrefs.db import fulltext
from phbrefs.db import models as m
from phbrefs.db.bulk import insert_tuples
from phbrefs.ids import citekey_base, unique_citekey
from phbrefs.outcomes import ItemResult, Outcome
from phbrefs.records import WorkRecord

WORK_COLUMNS = (
    "id", "citekey", "doi", "type", "source_type", "title", "container_title", "year",
    "first_author", "data", "source",
)  # fmt: skip
SOURCE_COLUMNS = ("work_id", "source", "format", "content", "origin")
TAG_COLUMNS = ("work_id", "tag_id", "tagged_by")


def first_author_name(record: WorkRecord) -> str | None:
    people = record.authors or record.editors or record.contributors
    if not people:
        return None
    return people[0].family or people[0].literal or people[0].given


def usable_citekey(key: str | None) -> str | None:
    """A proposed citekey kept only if BibTeX, biber and pandoc all accept it."""
    if not key:
        return None
    key = key.strip()
    return key if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_:.\-+/]*", key) else None


def work_row(record: WorkRecord) -> dict[str, Any]:
    """A work's columns (``data`` as the record's dict, for SQLAlchemy's JSON type)."""
    return {
        "doi": record.doi,
        "type": record.type or "article",
        "source_type": record.source_type,
        "title": record.full_title,
        "container_title": record.container_title,
        "year": record.year,
        "first_author": first_author_name(record),
        "data": record.to_dict(),
        "source": record.source,
    }


def search_fields(record: WorkRecord, notes: Sequence[str] = ()) -> tuple[str, ...]:
    """A work's texts in the search index, in the order of ``fulltext.COLUMNS``."""
    return (
        record.full_title or "",
        record.abstract or "",
        " ".join(c.display_name() for c in record.contributors),
        " ".join(filter(None, [record.container_title, record.publisher])),
        " ".join([*notes, record.note or ""]),
        " ".join(record.keywords + record.subjects),
    )


def add_many(
    conn: Connection,
    records: list[WorkRecord],
    *,
    refresh: bool,
    origin: str | None,
    labels: Sequence[str] | None,
    same_doi_same_work: bool,
    keys_taken: set[str] | None = None,
) -> list[ItemResult]:
    """``Library.add_many`` in the caller's write transaction (its rules are told there).
    ``keys_taken``: the caller's set of keys in use (``keys_in_use``), kept across the calls
    of one transaction and given the keys added here; read afresh when None."""
    results: list[ItemResult] = []
    taken = keys_in_use(conn) if keys_taken is None else keys_taken
    existing: dict[str, tuple[int, str, dict[str, Any]]] = {}
    if same_doi_same_work:
        existing = stored_by_doi(conn, [r.doi for r in records if r.doi])
    first_in_batch: dict[str, ItemResult] = {}  # DOI -> the result that adds it
    new: list[tuple[WorkRecord, ItemResult]] = []
    for index, record in enumerate(records):
        label = labels[index] if labels else (record.doi or record.title or f"#{index}")
        if record.doi and record.doi in existing:
            work_id, key, data = existing[record.doi]
            outcome = Outcome.UNCHANGED
            if refresh and record.to_dict() != data:
                replace(conn, work_id, record, origin)
                outcome = Outcome.UPDATED
            results.append(ItemResult(label, outcome, key, record.full_title, work_id=work_id))
            continue
        if same_doi_same_work and record.doi in first_in_batch:
            first = first_in_batch[record.doi]
            detail = "same DOI as an earlier item of this batch"
            results.append(
                ItemResult(label, Outcome.UNCHANGED, first.citekey, first.title, detail=detail)
            )
            continue
        base = usable_citekey(record.citekey) or citekey_base(
            first_author_name(record), record.year, record.title
        )
        key = unique_citekey(base, taken)
        taken.add(key)
        result = ItemResult(label, Outcome.ADDED, key, record.full_title)
        results.append(result)
        new.append((record, result))
        if record.doi:
            first_in_batch[record.doi] = result
    if new:
        ids = insert_works(conn, [(record, result.citekey) for record, result in new])
        added = {}
        for work_id, (_, result) in zip(ids, new, strict=True):
            result.work_id = added[result.citekey] = work_id
        for result in results:  # later items of the batch with an added item's DOI
            if result.work_id is None and result.citekey in added:
                result.work_id = added[result.citekey]
        insert_details(
            conn, [(wid, record) for wid, (record, _) in zip(ids, new, strict=True)], origin
        )
    return results


def keys_in_use(conn: Connection) -> set[str]:
    """Every citekey and alias: what a new work's citekey must not be."""
    taken = set(conn.execute(select(m.Work.citekey)).scalars())
    taken.update(conn.execute(select(m.Alias.key)).scalars())
    return taken


def stored_by_doi(
    conn: Connection, dois: Sequence[str]
) -> dict[str, tuple[int, str, dict[str, Any]]]:
    """DOI -> (id, citekey, data) of the first stored work with it."""
    wanted = list(dict.fromkeys(dois))
    found: dict[str, tuple[int, str, dict[str, Any]]] = {}
    for start in range(0, len(wanted), 500):
        rows = conn.execute(
            select(m.Work.doi, m.Work.id, m.Work.citekey, m.Work.data)
            .where(m.Work.doi.in_(wanted[start : start + 500]))
            .order_by(m.Work.id)
        )
        for doi, work_id, key, data in rows:
            found.setdefault(doi, (work_id, key, data))
    return found


def new_ids(conn: Connection, count: int) -> list[int]:
    """The ids the next ``count`` works inserted get, taken now (under the write lock): on
    SQLite one past the largest (as SQLite numbers rows), on PostgreSQL from the sequence."""
    if conn.dialect.name == "postgresql":
        sql = "SELECT nextval(pg_get_serial_sequence('work', 'id')) FROM generate_series(1, %s)"
        return sorted(work_id for (work_id,) in conn.exec_driver_sql(sql, (count,)))
    largest = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM work").scalar_one()
    return list(range(largest + 1, largest + 1 + count))


def insert_works(conn: Connection, works: list[tuple[WorkRecord, str]]) -> list[int]:
    """Insert (record, citekey) as works, ``data`` as ``WorkRecord.to_json`` text; their ids."""
    ids = new_ids(conn, len(works))
    rows = [
        (
            work_id,
            key,
            record.doi,
            record.type or "article",
            record.source_type,
            record.full_title,
            record.container_title,
            record.year,
            first_author_name(record),
            record.to_json(),
            record.source,
        )
        for work_id, (record, key) in zip(ids, works, strict=True)
    ]
    now = m.utcnow()
    insert_tuples(conn, m.Work, WORK_COLUMNS, rows, {"added_at": now, "updated_at": now})
    return ids


def insert_details(
    conn: Connection, items: Sequence[tuple[int, WorkRecord]], origin: str | None
) -> None:
    """The source text and the search index row of each (id, record); its people are in
    its record (``data``) and its search row."""
    sources = [
        (wid, rec.source or "manual", source_format(rec.raw), rec.raw, origin)
        for wid, rec in items
        if rec.raw
    ]
    insert_tuples(conn, m.SourceRecord, SOURCE_COLUMNS, sources, {"added_at": m.utcnow()})
    fulltext.index(conn, [(wid, search_fields(record)) for wid, record in items])


def source_format(raw: str) -> str:
    """How a source text is kept: ``json`` (parsed again when shown) or ``text``."""
    return "json" if raw.lstrip().startswith(("{", "[")) else "text"


def replace(conn: Connection, work_id: int, record: WorkRecord, origin: str | None) -> None:
    """Overwrite a work's metadata; its citekey, tags, notes and findings stay."""
    conn.execute(
        update(m.Work).where(m.Work.id == work_id).values(**work_row(record), updated_at=m.utcnow())
    )
    if record.raw:
        conn.execute(
            delete(m.SourceRecord).where(
                m.SourceRecord.work_id == work_id, m.SourceRecord.source == record.source
            )
        )
    insert_details(conn, [(work_id, record)], origin)
    reindex_notes(conn, work_id)


def reindex_notes(conn: Connection, work_id: int) -> None:
    """Rebuild work ``work_id``'s search row from its stored record and notes."""
    data = conn.execute(select(m.Work.data).where(m.Work.id == work_id)).scalar_one()
    notes = conn.execute(select(m.Note.text).where(m.Note.work_id == work_id)).scalars().all()
    fulltext.index(conn, [(work_id, search_fields(WorkRecord.from_dict(data), notes))])


def rebuild_index(conn: Connection) -> int:
    """Write every work's search row again from its stored data and notes; the works indexed."""
    fulltext.clear(conn)
    notes: dict[int, list[str]] = {}
    for work_id, note in conn.execute(select(m.Note.work_id, m.Note.text).order_by(m.Note.id)):
        notes.setdefault(work_id, []).append(note)
    ids = conn.execute(select(m.Work.id).order_by(m.Work.id)).scalars().all()
    for start in range(0, len(ids), 1000):
        rows = conn.execute(
            select(m.Work.id, m.Work.data).where(m.Work.id.in_(ids[start : start + 1000]))
        )
        fulltext.index(
            conn,
            [
                (wid, search_fields(WorkRecord.from_dict(data), notes.get(wid, ())))
                for wid, data in rows
            ],
        )
    return len(ids)


def tag_ids(
    conn: Connection,
    work_ids: Sequence[int],
    add: Sequence[str],
    remove: Sequence[str],
    actor: str | None,
) -> tuple[int, int]:
    """Tag these works with ``add`` (recording ``actor``), untag them of ``remove``; a tag no
    work carries any more is dropped. Returns (tags put on, tags taken off), work by work."""
    now = m.utcnow()
    added = removed = 0
    for name in add:
        tag_id = conn.execute(select(m.Tag.id).where(m.Tag.name == name)).scalar()
        if tag_id is None:
            tag_id = conn.execute(insert(m.Tag).values(name=name)).inserted_primary_key[0]
        wanted = list(dict.fromkeys(work_ids))
        tagged: set[int] = set()
        for start in range(0, len(wanted), 500):  # under the write lock: no race
            tagged.update(
                conn.execute(
                    select(m.WorkTag.work_id).where(
                        m.WorkTag.tag_id == tag_id,
                        m.WorkTag.work_id.in_(wanted[start : start + 500]),
                    )
                ).scalars()
            )
        rows = [(wid, tag_id, actor) for wid in wanted if wid not in tagged]
        insert_tuples(conn, m.WorkTag, TAG_COLUMNS, rows, {"tagged_at": now})
        added += len(rows)
    for name in remove:
        removed += conn.execute(
            delete(m.WorkTag).where(
                m.WorkTag.work_id.in_(work_ids),
                m.WorkTag.tag_id.in_(select(m.Tag.id).where(m.Tag.name == name)),
            )
        ).rowcount
    if remove:
        drop_unused_tags(conn)
    return added, removed


def drop_unused_tags(conn: Connection) -> None:
    """Delete the tags no work carries any more."""
    conn.execute(delete(m.Tag).where(~m.Tag.id.in_(select(m.WorkTag.tag_id))))


def add_note(conn: Connection, work_id: int, note: str) -> None:
    """Attach ``note`` to work ``work_id`` and put it in the work's search row."""
    conn.execute(insert(m.Note).values(work_id=work_id, text=note))
    reindex_notes(conn, work_id)


def remove(conn: Connection, work_ids: Sequence[int]) -> list[str]:
    """Delete works (their findings, notes and tags go with them); their citekeys, sorted."""
    removed = (
        conn.execute(select(m.Work.citekey).where(m.Work.id.in_(work_ids)).order_by(m.Work.citekey))
        .scalars()
        .all()
    )
    fulltext.delete(conn, work_ids)
    conn.execute(delete(m.Work).where(m.Work.id.in_(work_ids)))
    drop_unused_tags(conn)
    return list(removed)
