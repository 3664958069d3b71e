"""Study records' rows: one per work, with its participant groups in order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select

from phbrefs.db import models as m
from phbrefs.evidence.studies import STUDY_FIELDS, Group, StudyInfo, study_values

if TYPE_CHECKING:
    from sqlmodel import Session

    from phbrefs.library import Library


def _infos(session: Session, work_ids: Sequence[int] | None = None) -> list[StudyInfo]:
    query = (
        select(m.Study, m.Work.citekey, m.Work.title, m.Work.year, m.Work.first_author)
        .join(m.Work, m.Work.id == m.Study.work_id)
        .order_by(m.Work.year, m.Work.citekey)
    )
    group_query = select(m.StudyGroup).order_by(m.StudyGroup.work_id, m.StudyGroup.position)
    if work_ids is not None:
        query = query.where(m.Study.work_id.in_(work_ids))
        group_query = group_query.where(m.StudyGroup.work_id.in_(work_ids))
    groups: dict[int, list[Group]] = {}
    for row in session.execute(group_query).scalars():
        groups.setdefault(row.work_id, []).append(
            Group(label=row.label, count=row.count, unit=row.unit, detail=row.detail)
        )
    infos = []
    for study, citekey, title, year, first_author in session.execute(query).all():
        infos.append(
            StudyInfo(
                citekey=citekey,
                work_id=study.work_id,
                title=title,
                year=year,
                first_author=first_author,
                fields={name: getattr(study, name) for name in STUDY_FIELDS},
                groups=groups.get(study.work_id, []),
                updated_at=study.updated_at,
            )
        )
    return infos


def store_study(
    session: Session,
    work_id: int,
    values: dict[str, str | None],
    groups: Sequence[Group] | None,
) -> str:
    """Set the given study fields (``""`` clears one) and, when given, replace the groups.

    Returns ``added``, ``updated`` or ``unchanged``.
    """
    cleaned = study_values(values)
    study = session.get(m.Study, work_id)
    outcome = "unchanged"
    if study is None:
        study = m.Study(work_id=work_id)
        session.add(study)
        outcome = "added"
    changed = {k: v for k, v in cleaned.items() if getattr(study, k) != v}
    for key, value in changed.items():
        setattr(study, key, value)
    if groups is not None:
        current = [
            Group(r.label, r.count, r.unit, r.detail)
            for r in session.execute(
                select(m.StudyGroup)
                .where(m.StudyGroup.work_id == work_id)
                .order_by(m.StudyGroup.position)
            ).scalars()
        ]
        if current != list(groups):
            session.execute(delete(m.StudyGroup).where(m.StudyGroup.work_id == work_id))
            if groups:
                session.execute(
                    insert(m.StudyGroup),
                    [
                        {"work_id": work_id, "position": i, **g.to_dict()}
                        for i, g in enumerate(groups)
                    ],
                )
            changed["groups"] = "changed"
    if changed and outcome == "unchanged":
        outcome = "updated"
    if changed:
        study.updated_at = m.utcnow()
    session.flush()
    return outcome


def set_study(
    library: Library,
    key: str,
    values: dict[str, str | None],
    *,
    groups: Sequence[Group] | None = None,
) -> tuple[StudyInfo, str]:
    with library.session() as session:
        work_id = library.resolve(session, key)
        outcome = store_study(session, work_id, values, groups)
        return _infos(session, [work_id])[0], outcome


def get_study(library: Library, key: str) -> StudyInfo | None:
    """The study record of a work, or None when none has been extracted yet."""
    with library.session(write=False) as session:
        found = _infos(session, [library.resolve(session, key)])
        return found[0] if found else None


def list_studies(library: Library, keys: Sequence[str] = ()) -> list[StudyInfo]:
    with library.session(write=False) as session:
        ids = [library.resolve(session, k) for k in keys] if keys else None
        return _infos(session, ids)
