"""Reading works back: stored works with their tags and notes (loaded in a few set-based
queries), the filters and sort orders of ``Library.works``, full-text search results, source
texts, tag counts, and what deleting a work would take with it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, or_, select

from phbrefs.db import fulltext
from phbrefs.db import models as m
from phbrefs.db.failures import unreadable_rows
from phbrefs.errors import InvalidInputError
from phbrefs.records import WorkRecord
from phbrefs.stored import StoredWork

if TYPE_CHECKING:
    from sqlmodel import Session

_CHUNK = 900  # ids per IN (...): under SQLite's bound on parameters


def load(session: Session, work_ids: Sequence[int], where: str) -> list[StoredWork]:
    """Stored works for ``work_ids``, in that order, with their tags and notes; ``where``
    names the library in the error raised when an id names no stored row."""
    if not work_ids:
        return []
    works: dict[int, StoredWork] = {}
    tags: dict[int, list[tuple[str, str | None, datetime | None]]] = {}
    notes: dict[int, list[tuple[str, datetime]]] = {}
    for start in range(0, len(work_ids), _CHUNK):
        chunk = list(work_ids[start : start + _CHUNK])
        for row in session.execute(select(m.Work).where(m.Work.id.in_(chunk))).scalars():
            works[row.id] = StoredWork(
                id=row.id,
                citekey=row.citekey,
                record=WorkRecord.from_dict(row.data),
                added_at=row.added_at,
                updated_at=row.updated_at,
            )
        tag_rows = session.execute(
            select(m.WorkTag.work_id, m.Tag.name, m.WorkTag.tagged_by, m.WorkTag.tagged_at)
            .join(m.Tag, m.Tag.id == m.WorkTag.tag_id)
            .where(m.WorkTag.work_id.in_(chunk))
            .order_by(m.Tag.name)
        )
        for work_id, name, by, at in tag_rows:
            tags.setdefault(work_id, []).append((name, by, at))
        note_rows = session.execute(
            select(m.Note.work_id, m.Note.text, m.Note.created_at)
            .where(m.Note.work_id.in_(chunk))
            .order_by(m.Note.id)
        )
        for work_id, note, created in note_rows:
            notes.setdefault(work_id, []).append((note, created))
    missing = [work_id for work_id in work_ids if work_id not in works]
    if missing:  # an index named rows the table no longer has: never return a short list
        raise unreadable_rows(where, len(missing), len(work_ids))
    result = []
    for work_id in work_ids:
        stored = works[work_id]
        stored.tagged = tags.get(work_id, [])
        stored.tags = [name for name, _, _ in stored.tagged]
        stored.notes = notes.get(work_id, [])
        result.append(stored)
    return result


def tagged_with(names: Sequence[str]) -> Select[Any]:
    """The ids of the works carrying every tag of ``names`` (every work when none)."""
    query = select(m.Work.id)
    for name in names:
        query = query.where(
            m.Work.id.in_(
                select(m.WorkTag.work_id)
                .join(m.Tag, m.Tag.id == m.WorkTag.tag_id)
                .where(m.Tag.name == name)
            )
        )
    return query


def selected_ids(
    session: Session,
    *,
    tags: Sequence[str],
    year_from: int | None,
    year_to: int | None,
    types: Sequence[str],
    text_filter: str | None,
    order: str,
) -> list[int]:
    """The ids of the works ``Library.works``'s filters select, sorted by ``order``."""
    query = tagged_with(tags)
    if year_from is not None:
        query = query.where(m.Work.year >= year_from)
    if year_to is not None:
        query = query.where(m.Work.year <= year_to)
    if types:
        query = query.where(or_(m.Work.type.in_(types), m.Work.source_type.in_(types)))
    if text_filter:
        like = f"%{text_filter}%"
        query = query.where(
            or_(
                m.Work.title.ilike(like),
                m.Work.first_author.ilike(like),
                m.Work.container_title.ilike(like),
                m.Work.citekey.ilike(like),
                m.Work.doi.ilike(like),
            )
        )
    sort = {
        "citekey": [m.Work.citekey],
        # works without a year, author or title first on both backends
        "year": [m.Work.year.nulls_first(), m.Work.citekey],
        "author": [m.Work.first_author.nulls_first(), m.Work.year.nulls_first()],
        "added": [m.Work.added_at, m.Work.id],
        "title": [m.Work.title.nulls_first()],
    }.get(order)
    if sort is None:
        raise InvalidInputError(f"cannot sort by {order!r}")
    return list(session.execute(query.order_by(*sort)).scalars().all())


def count(session: Session) -> int:
    return session.execute(select(func.count(m.Work.id))).scalar() or 0


def is_empty(session: Session) -> bool:
    """Nothing is stored: no work, claim, note or tag."""
    conn = session.connection()
    return not sum(
        conn.execute(select(func.count()).select_from(table)).scalar_one()
        for table in (m.Work, m.Claim, m.Note, m.Tag)
    )


def search(
    session: Session, query: str, limit: int, where: str
) -> list[tuple[StoredWork, float, str]]:
    """``Library.search``'s ranked results: (work, score, snippet)."""
    rows = fulltext.search(session.connection(), query, limit)
    stored = {w.id: w for w in load(session, [r[0] for r in rows], where)}
    return [(stored[work_id], score, snippet) for work_id, score, snippet in rows]


def source_records(session: Session, work_id: int) -> list[dict[str, Any]]:
    """The source texts stored for a work, oldest first (JSON ones parsed)."""
    rows = session.execute(
        select(m.SourceRecord).where(m.SourceRecord.work_id == work_id).order_by(m.SourceRecord.id)
    ).scalars()
    return [
        {
            "source": r.source,
            "origin": r.origin,
            "added_at": r.added_at.isoformat(),
            "content": json.loads(r.content) if r.format == "json" else r.content,
        }
        for r in rows
    ]


def tag_counts(session: Session) -> list[tuple[str, int]]:
    """Every tag with the number of works carrying it."""
    rows = session.execute(
        select(m.Tag.name, func.count(m.WorkTag.work_id))
        .join(m.WorkTag, m.WorkTag.tag_id == m.Tag.id, isouter=True)
        .group_by(m.Tag.name)
        .order_by(m.Tag.name)
    )
    return [(name, n) for name, n in rows]


def dependents(session: Session, work_id: int) -> dict[str, int]:
    """What deleting the work would take with it (findings, notes, study records): the
    non-zero counts."""
    counts = {
        label: session.execute(
            select(func.count()).select_from(table).where(table.work_id == work_id)
        ).scalar_one()
        for label, table in (
            ("findings", m.Finding),
            ("notes", m.Note),
            ("study groups", m.StudyGroup),
            ("study record", m.Study),
        )
    }
    return {k: v for k, v in counts.items() if v}
