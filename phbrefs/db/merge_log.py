"""Undoing a merge: a false merge deletes a study from a review, so it must be reversible.

``log_merge`` runs at the start of ``dedup.merge_into`` and records, before anything moves, the
kept work's record, tags and study row, and for each retired work its row and the ids of every
row that refers to it (tags, notes, findings, study, source texts, aliases, judgements); for a
record merged on import, the record itself (``log_folded`` does the same for copies folded
together within one imported file). ``unmerge_work`` (``phbrefs unmerge KEY``) undoes
the latest merge of a work from that log. Merges made before the log existed cannot be undone.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from phbrefs.errors import InvalidInputError
from phbrefs.outcomes import BatchReport, ItemResult, Outcome
from phbrefs.records import WorkRecord

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlmodel import Session

    from phbrefs.library import Library

# tables whose rows follow a work but are not moved row by row (see dedup._move_dependents)
_SPECIAL = {"work", "work_tag", "study", "not_duplicate"}


def _work_tables() -> list[tuple[Any, Any]]:
    """(table, its column referring to a work) for every table moved row by row."""
    from sqlmodel import SQLModel

    found = []
    for table in SQLModel.metadata.sorted_tables:
        if table.name in _SPECIAL:
            continue
        for column in table.columns:
            if any(fk.column.table.name == "work" for fk in column.foreign_keys):
                found.append((table, column))
    return found


def _study(conn: Connection, work_id: int) -> dict[str, Any] | None:
    from sqlalchemy import select

    from phbrefs.db import models as m

    row = conn.execute(select(m.Study).where(m.Study.work_id == work_id)).mappings().first()
    return _plain({k: v for k, v in row.items() if k != "work_id"}) if row else None


def _plain(row: Any) -> dict[str, Any]:
    """A row as JSON can hold it: dates as ISO text (``_dated`` turns them back)."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}


def _dated(values: dict[str, Any], table: Any) -> dict[str, Any]:
    """``_plain``'s values with the table's date columns as datetimes again."""
    from sqlalchemy import DateTime

    dates = {c.name for c in table.columns if isinstance(getattr(c.type, "impl", c.type), DateTime)}
    return {k: datetime.fromisoformat(v) if k in dates and v else v for k, v in values.items()}


def _tags(conn: Connection, work_id: int) -> list[int]:
    from sqlalchemy import select

    from phbrefs.db import models as m

    rows = conn.execute(select(m.WorkTag.tag_id).where(m.WorkTag.work_id == work_id))
    return list(rows.scalars())


def _tagged(conn: Connection, work_id: int) -> list[list[Any]]:
    """[tag id, who tagged, when (ISO text)] for each of the work's tags."""
    from sqlalchemy import select

    from phbrefs.db import models as m

    query = select(m.WorkTag.tag_id, m.WorkTag.tagged_by, m.WorkTag.tagged_at)
    rows = conn.execute(query.where(m.WorkTag.work_id == work_id))
    return [[t, by, at.isoformat() if at else None] for t, by, at in rows]


def _add_tags(
    conn: Connection, work_id: int, tag_ids: list[int], tagged: list[list[Any]] | None = None
) -> None:
    """Tag the work with ``tag_ids``, each with who tagged it and when as ``tagged`` (a
    ``_tagged`` list) says; None where it says nothing (a merge logged before it did)."""
    from sqlalchemy import bindparam, text

    from phbrefs.db import models as m

    known = {t: (by, datetime.fromisoformat(at) if at else None) for t, by, at in tagged or []}
    rows = []
    for t in tag_ids:
        by, at = known.get(t, (None, None))
        rows.append({"w": work_id, "t": t, "by": by, "at": at})
    if rows:
        conn.execute(
            text(
                "INSERT INTO work_tag (work_id, tag_id, tagged_by, tagged_at) "
                "VALUES (:w, :t, :by, :at) ON CONFLICT DO NOTHING"
            ).bindparams(bindparam("at", type_=m.WorkTag.__table__.c.tagged_at.type)),
            rows,
        )


def _retired_snapshot(conn: Connection, work_id: int) -> dict[str, Any]:
    from sqlalchemy import select

    from phbrefs.db import models as m

    row = conn.execute(select(m.Work).where(m.Work.id == work_id)).mappings().one()
    moved = {}
    for table, column in _work_tables():
        key = next(iter(table.primary_key.columns))
        ids = list(conn.execute(select(key).where(column == work_id)).scalars())
        if ids:
            moved[table.name] = ids
    pairs = conn.execute(
        select(m.NotDuplicate.work_a, m.NotDuplicate.work_b).where(
            (m.NotDuplicate.work_a == work_id) | (m.NotDuplicate.work_b == work_id)
        )
    ).all()
    return {
        "row": _plain(row),
        "moved": moved,
        "tags": _tags(conn, work_id),
        "tagged": _tagged(conn, work_id),
        "study": _study(conn, work_id),
        "not_duplicate": [list(p) for p in pairs],
    }


def log_merge(
    session: Session,
    keep: int,
    retire: list[int] | Any,
    extra_record: WorkRecord | None,
    by: str | None = None,
) -> None:
    """Record what merging ``retire`` (and ``extra_record``) into ``keep`` is about to change."""
    from sqlalchemy import insert, select

    from phbrefs.db import models as m

    conn = session.connection()
    kept = conn.execute(select(m.Work.data).where(m.Work.id == keep)).scalar_one()
    base = {"kept_data": kept, "kept_tags": _tags(conn, keep), "kept_study": _study(conn, keep)}
    merge_id = uuid4().hex
    snapshots = [{**base, "retired": _retired_snapshot(conn, w)} for w in retire]
    if extra_record is not None:
        snapshots.append({**base, "incoming": extra_record.to_dict(include_raw=True)})
    conn.execute(
        insert(m.MergeLog),
        [
            {"work_id": keep, "merge_id": merge_id, "snapshot": s, "merged_by": by}
            for s in snapshots
        ],
    )


def log_folded(
    session: Session,
    work_id: int,
    own: WorkRecord,
    folded: list[WorkRecord],
    by: str | None = None,
) -> None:
    """Record copies that import folded into an entry of the same batch before storing it:
    the work as its own entry alone, and each copy."""
    from sqlalchemy import insert

    from phbrefs.db import models as m

    base = {"kept_data": own.to_dict(), "kept_tags": [], "kept_study": None}
    merge_id = uuid4().hex
    rows = [
        {
            "work_id": work_id,
            "merge_id": merge_id,
            "snapshot": {**base, "incoming": r.to_dict(include_raw=True)},
            "merged_by": by,
        }
        for r in folded
    ]
    session.connection().execute(insert(m.MergeLog), rows)


def unmerge_work(library: Library, key: str) -> BatchReport:
    """Split work ``key`` back into the works its latest merge joined, each with its own
    fields, citekey, DOI, tags, notes, findings, study record and source texts; the kept work
    gets back its own record, tags and study. What was added to it since stays with it."""
    from sqlalchemy import delete, select, update

    from phbrefs.db import models as m

    with library.session() as session:
        keep = library.resolve(session, key)
        conn = session.connection()
        kept_key = conn.execute(select(m.Work.citekey).where(m.Work.id == keep)).scalar_one()
        latest = conn.execute(
            select(m.MergeLog.merge_id)
            .where(m.MergeLog.work_id == keep)
            .order_by(m.MergeLog.id.desc())
            .limit(1)
        ).scalar()
        if latest is None:
            raise InvalidInputError(f"{kept_key} has no merge to undo")
        snapshots = list(
            conn.execute(
                select(m.MergeLog.snapshot)
                .where(m.MergeLog.merge_id == latest)
                .order_by(m.MergeLog.id)
            ).scalars()
        )
        base = snapshots[0]
        library.overwrite(keep, WorkRecord.from_dict(base["kept_data"]))
        result = BatchReport()
        study_moved = base["kept_study"] is None
        came_with: set[int] = set()
        for snapshot in snapshots:
            if "retired" in snapshot:
                retired = snapshot["retired"]
                new_id = _restore_retired(library, session, keep, retired, study_moved)
                study_moved = study_moved and retired["study"] is None
                came_with.update(set(retired["tags"]) - set(base["kept_tags"]))
                result.results.append(_restored(retired["row"]["citekey"], kept_key))
            else:
                new_id = _restore_incoming(library, session, keep, snapshot["incoming"])
                since = set(_tags(conn, keep)) - set(base["kept_tags"])  # the import's tags
                _add_tags(conn, new_id, sorted(since), _tagged(conn, keep))  # its who, when
                restored = select(m.Work.citekey).where(m.Work.id == new_id)
                result.results.append(_restored(conn.execute(restored).scalar_one(), kept_key))
        if came_with:
            conn.execute(
                delete(m.WorkTag).where(m.WorkTag.work_id == keep, m.WorkTag.tag_id.in_(came_with))
            )
        if base["kept_study"] is not None:
            own_study = update(m.Study).where(m.Study.work_id == keep)
            conn.execute(own_study.values(**_dated(base["kept_study"], m.Study.__table__)))
        library.reindex_notes(keep)  # the notes that left it
        conn.execute(delete(m.MergeLog).where(m.MergeLog.merge_id == latest))
        return result


def _restored(key: str, kept: str) -> ItemResult:
    return ItemResult(key, Outcome.ADDED, key, detail=f"split from {kept}", matched=kept)


def _restore_retired(
    library: Library, session: Session, keep: int, retired: dict[str, Any], study_moved: bool
) -> int:
    """The retired work again, under its old id when free, and every row back with it."""
    from sqlalchemy import delete, insert, select, text, update

    from phbrefs.db import models as m

    conn = session.connection()
    row = _dated(retired["row"], m.Work.__table__)
    old_id = row.pop("id")
    aliases = [k for k in (row["citekey"], row["doi"]) if k]
    conn.execute(delete(m.Alias).where(m.Alias.work_id == keep, m.Alias.key.in_(aliases)))
    if conn.execute(select(m.Work.id).where(m.Work.id == old_id)).scalar() is None:
        row["id"] = old_id
    new_id = conn.execute(insert(m.Work).values(**row)).inserted_primary_key[0]
    for table, column in _work_tables():
        ids = retired["moved"].get(table.name)
        if ids:
            key = next(iter(table.primary_key.columns))
            conn.execute(table.update().where(key.in_(ids)).values({column.name: new_id}))
    _add_tags(conn, new_id, retired["tags"], retired.get("tagged"))
    if retired["study"] is not None:
        if study_moved:  # the kept work had none: the row itself moved to it
            conn.execute(update(m.Study).where(m.Study.work_id == keep).values(work_id=new_id))
        else:
            study = _dated(retired["study"], m.Study.__table__)
            conn.execute(insert(m.Study).values(work_id=new_id, **study))
    pairs = [sorted(new_id if w == old_id else w for w in p) for p in retired["not_duplicate"]]
    if pairs:
        conn.execute(
            text(
                "INSERT INTO not_duplicate (work_a, work_b) VALUES (:a, :b) ON CONFLICT DO NOTHING"
            ),
            [{"a": a, "b": b} for a, b in pairs],
        )
    library.overwrite(new_id, WorkRecord.from_dict(row["data"]))  # and indexes
    if new_id != old_id:  # its own earlier merges follow it
        conn.execute(update(m.MergeLog).where(m.MergeLog.work_id == old_id).values(work_id=new_id))
    return new_id


def _restore_incoming(library: Library, session: Session, keep: int, data: dict[str, Any]) -> int:
    """A record merged on import, as a work of its own, with its source text and key."""
    from sqlalchemy import delete, update

    from phbrefs.db import models as m

    conn = session.connection()
    record = WorkRecord.from_dict(data)
    raw = data.get("raw")
    record.raw = None  # its source text is stored already, on the kept work: moved below
    if record.citekey:
        conn.execute(delete(m.Alias).where(m.Alias.work_id == keep, m.Alias.key == record.citekey))
    # a DOI may be shared by distinct works: the restored record keeps its own
    new_id = library.add_many([record], same_doi_same_work=False)[0].work_id
    if raw and new_id:
        conn.execute(
            update(m.SourceRecord)
            .where(m.SourceRecord.work_id == keep, m.SourceRecord.content == raw)
            .values(work_id=new_id)
        )
    return int(new_id or 0)
