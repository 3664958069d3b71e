"""Duplicates' rows: fingerprints of every work, pairs judged distinct, and merges.

A merge moves every row that refers to a retired work (tags, notes, findings, study records,
source records, aliases, judgements) to the kept one, in the caller's transaction when inside
``library.transaction()`` (an import merging the duplicates it found), logged first to be undone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, text, update
from sqlmodel import SQLModel

from phbrefs.db import fulltext
from phbrefs.db import models as m
from phbrefs.db.merge_log import log_merge
from phbrefs.dedup import merge_records
from phbrefs.matching import Fingerprint
from phbrefs.outcomes import BatchReport, ItemResult, Outcome
from phbrefs.records import WorkRecord

if TYPE_CHECKING:
    from sqlmodel import Session

    from phbrefs.library import Library


def library_fingerprints(library: Library) -> tuple[list[Fingerprint], dict[int, str]]:
    """Every work's fingerprint, and work id -> citekey; one query, only the fields matched."""
    with library.session(write=False) as session:
        rows = session.execute(
            select(
                m.Work.id,
                m.Work.citekey,
                m.Work.doi,
                m.Work.title,
                m.Work.year,
                m.Work.container_title,
                m.Work.data["container_short_title"].as_string(),
                m.Work.data["volume"].as_string(),
                m.Work.data["pages"].as_string(),
                m.Work.data["url"].as_string(),
                m.Work.data["contributors"],
            ).order_by(m.Work.id)
        ).all()
    prints = []
    keys = {}
    for work_id, key, doi, title, year, container, short, volume, pages, url, people in rows:
        keys[work_id] = key
        authors = [p for p in people or [] if p.get("role") == "author"] or people or []
        journal = " = ".join(t for t in (container, short) if t)
        prints.append(
            Fingerprint.build(
                work_id,
                doi=doi,
                title=title,
                year=year,
                people=authors,
                journal=journal,
                volume=volume,
                pages=pages,
                url=url,
            )
        )
    return prints, keys


def not_duplicate_pairs(library: Library) -> set[frozenset[int]]:
    """The pairs a reviewer judged distinct (``dedup --not-duplicate``)."""
    with library.session(write=False) as session:
        rows = session.execute(select(m.NotDuplicate.work_a, m.NotDuplicate.work_b))
        return {frozenset(pair) for pair in rows}


def work_titles(library: Library, work_ids: Iterable[int]) -> dict[int, str]:
    with library.session(write=False) as session:
        return dict(
            session.execute(
                select(m.Work.id, m.Work.title).where(m.Work.id.in_(set(work_ids)))
            ).all()
        )


def mark_not_duplicate(library: Library, ids: Sequence[int]) -> list[str]:
    """Record every pair among works ``ids`` as distinct; returns their citekeys."""
    with library.session() as session:
        rows = [{"a": min(a, b), "b": max(a, b)} for i, a in enumerate(ids) for b in ids[i + 1 :]]
        session.connection().execute(
            text(
                "INSERT INTO not_duplicate (work_a, work_b) VALUES (:a, :b) ON CONFLICT DO NOTHING"
            ),
            rows,
        )
        found = session.execute(select(m.Work.id, m.Work.citekey).where(m.Work.id.in_(ids)))
        names = dict(found.all())
        return [names[i] for i in ids]


def merge_into(
    library: Library,
    keep: int,
    retire: Sequence[int],
    extra_record: WorkRecord | None = None,
) -> BatchReport:
    """``phbrefs.dedup.merge_into``: the rows it moves, retires and logs."""
    with library.session() as session:
        log_merge(session, keep, list(retire), extra_record, library.actor)  # to undo it
        conn = session.connection()
        rows = {
            r.id: r
            for r in session.execute(select(m.Work).where(m.Work.id.in_([keep, *retire]))).scalars()
        }
        kept_row = rows[keep]
        record = WorkRecord.from_dict(kept_row.data)
        aliases: list[str] = []
        report = BatchReport()
        for work_id in retire:
            row = rows[work_id]
            record = merge_records(record, WorkRecord.from_dict(row.data))
            aliases.append(row.citekey)
            if row.doi and row.doi != record.doi:
                aliases.append(row.doi)
            moved = _move_dependents(session, work_id, keep)
            counts = ", ".join(f"{len(keys)} {table}" for table, keys in moved.items())
            report.results.append(
                ItemResult(
                    row.citekey,
                    Outcome.MERGED,
                    kept_row.citekey,
                    row.title,
                    detail=f"moved {counts}" if counts else None,
                    matched=kept_row.citekey,
                )
            )
        if extra_record is not None:
            record = merge_records(record, extra_record)
        session.expunge_all()
        if retire:
            fulltext.delete(conn, list(retire))
            conn.execute(delete(m.Work).where(m.Work.id.in_(list(retire))))
            existing = set(
                conn.execute(select(m.Alias.key).where(m.Alias.key.in_(aliases))).scalars()
            )
            fresh = [a for a in dict.fromkeys(aliases) if a not in existing]
            if fresh:
                conn.execute(
                    m.Alias.__table__.insert(), [{"key": a, "work_id": keep} for a in fresh]
                )
        record.raw = None
        library.overwrite(keep, record)
        return report


def _move_dependents(session: Session, old: int, new: int) -> dict[str, list[Any]]:
    """Re-point every row that refers to work ``old`` at work ``new``; returns, per table, the
    keys of the rows moved (tag ids for tags), as the merge log keeps them."""
    conn = session.connection()
    moved: dict[str, list[Any]] = {}
    theirs_tags = conn.execute(select(m.WorkTag).where(m.WorkTag.work_id == old)).mappings().all()
    mine_tags = set(
        conn.execute(select(m.WorkTag.tag_id).where(m.WorkTag.work_id == new)).scalars()
    )
    fresh_tags = [dict(t, work_id=new) for t in theirs_tags if t["tag_id"] not in mine_tags]
    if fresh_tags:
        conn.execute(insert(m.WorkTag), fresh_tags)
    conn.execute(delete(m.WorkTag).where(m.WorkTag.work_id == old))
    moved["tags"] = [t["tag_id"] for t in theirs_tags]
    mine = session.get(m.Study, new)
    theirs = session.get(m.Study, old)
    if theirs is not None:
        if mine is None:
            conn.execute(update(m.Study).where(m.Study.work_id == old).values(work_id=new))
        else:
            columns = [c.name for c in m.Study.__table__.columns if c.name != "work_id"]
            values = {c: getattr(theirs, c) for c in columns if getattr(mine, c) in (None, "")}
            if values:
                conn.execute(update(m.Study).where(m.Study.work_id == new).values(**values))
        moved["study record"] = [old]
    pairs = conn.execute(
        select(m.NotDuplicate.work_a, m.NotDuplicate.work_b).where(
            (m.NotDuplicate.work_a == old) | (m.NotDuplicate.work_b == old)
        )
    ).all()
    judged = {
        frozenset(p) for p in conn.execute(select(m.NotDuplicate.work_a, m.NotDuplicate.work_b))
    }
    for a, b in pairs:
        other = b if a == old else a
        if other != new and frozenset((other, new)) not in judged:
            judged.add(frozenset((other, new)))
            conn.execute(
                insert(m.NotDuplicate).values(work_a=min(other, new), work_b=max(other, new))
            )
    special = {"work", "work_tag", "study", "not_duplicate", "merge_log"}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in special:
            continue
        primary = list(table.primary_key.columns)
        for column in table.columns:
            if any(fk.column.table.name == "work" for fk in column.foreign_keys):
                keys = [
                    row[0] if len(row) == 1 else list(row)
                    for row in conn.execute(select(*primary).where(column == old))
                ]
                if keys:
                    conn.execute(table.update().where(column == old).values({column.name: new}))
                    moved[table.name] = moved.get(table.name, []) + keys
    return {k: v for k, v in moved.items() if v}
