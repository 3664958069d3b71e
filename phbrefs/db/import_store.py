"""An import's own rows: the source texts it keeps, the keys it proposed, the copies it folded.

Called by ``phbrefs.importing`` inside its one ``library.transaction()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from phbrefs.db import models as m
from phbrefs.db import work_store
from phbrefs.db.bulk import insert_tuples
from phbrefs.db.merge_log import log_folded as log_folded_in
from phbrefs.db.work_store import SOURCE_COLUMNS, source_format

if TYPE_CHECKING:
    from phbrefs.library import Library
    from phbrefs.records import WorkRecord


def keys_in_use(library: Library) -> set[str]:
    """Every citekey and alias, read once per import (inside its transaction, so only its own
    chunks change them: ``add_many`` and the aliases kept add theirs)."""
    with library.session(write=False) as session:
        return work_store.keys_in_use(session.connection())


def source_texts(library: Library, work_ids: Sequence[int]) -> dict[int, set[str]]:
    """Work id -> the source texts stored with it, for the works given."""
    stored_texts: dict[int, set[str]] = {}
    with library.session(write=False) as session:
        wanted = list(work_ids)
        for start in range(0, len(wanted), 500):
            rows = session.execute(
                select(m.SourceRecord.work_id, m.SourceRecord.content).where(
                    m.SourceRecord.work_id.in_(wanted[start : start + 500])
                )
            )
            for work_id, content in rows:
                stored_texts.setdefault(work_id, set()).add(content)
    return stored_texts


def log_folded(library: Library, work_id: int, first: WorkRecord, copies: list[WorkRecord]) -> None:
    """Log copies folded into one new work within an import, so that unmerge can split them."""
    with library.session() as session:
        log_folded_in(session, work_id, first, copies, library.actor)


def keep_sources_and_aliases(
    library: Library,
    sources: Sequence[tuple[int, str, WorkRecord]],
    aliases: dict[str, int],
) -> None:
    """Store each (work id, origin, record)'s source text beside the work it became part of,
    and each proposed key not already taken as an alias of its work."""
    with library.session() as session:
        conn = session.connection()
        texts = [
            (
                work_id,
                record.source or "manual",
                source_format(record.raw or ""),
                record.raw or "",
                origin,
            )
            for work_id, origin, record in sources
        ]
        insert_tuples(conn, m.SourceRecord, SOURCE_COLUMNS, texts, {"added_at": m.utcnow()})
        if aliases:
            taken = set(
                conn.execute(select(m.Work.citekey).where(m.Work.citekey.in_(aliases))).scalars()
            )
            taken.update(
                conn.execute(select(m.Alias.key).where(m.Alias.key.in_(aliases))).scalars()
            )
            rows = [{"key": k, "work_id": w} for k, w in aliases.items() if k not in taken]
            if rows:
                conn.execute(insert(m.Alias), rows)
