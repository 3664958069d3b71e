"""Frameworks' rows: their dimensions in order, with how many findings use each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from phbrefs.db import models as m
from phbrefs.errors import InvalidInputError
from phbrefs.evidence.frameworks import DimensionInfo, FrameworkInfo

if TYPE_CHECKING:
    from sqlmodel import Session

    from phbrefs.library import Library


def add_framework(
    library: Library,
    name: str,
    specs: Sequence[tuple[str, str | None]],
    description: str | None,
) -> tuple[FrameworkInfo, list[str]]:
    """Store a framework's checked name and (code, description) dimensions; see
    ``phbrefs.evidence.frameworks.add_framework``."""
    with library.session() as session:
        framework = session.execute(
            select(m.Framework).where(func.lower(m.Framework.name) == name.lower())
        ).scalar()
        if framework is None:
            if not specs:
                raise InvalidInputError(f"a new framework needs --dimension CODE (for {name!r})")
            framework = m.Framework(name=name, description=description)
            session.add(framework)
            session.flush()
        elif description:
            framework.description = description
        rows = session.execute(
            select(m.FrameworkDimension).where(m.FrameworkDimension.framework_id == framework.id)
        ).scalars()
        known = {d.code.lower(): d for d in rows}
        added: list[str] = []
        position = len(known)
        for code, text in specs:
            existing = known.get(code.lower())
            if existing is not None:
                if text and existing.description != text:
                    existing.description = text
                continue
            dimension = m.FrameworkDimension(
                framework_id=framework.id or 0, code=code, description=text, position=position
            )
            session.add(dimension)
            known[code.lower()] = dimension
            added.append(code)
            position += 1
        session.flush()
        return _infos(session, [framework.id or 0])[0], added


def _infos(session: Session, framework_ids: Sequence[int] | None = None) -> list[FrameworkInfo]:
    query = select(m.Framework).order_by(m.Framework.name)
    if framework_ids is not None:
        query = query.where(m.Framework.id.in_(framework_ids))
    counts = dict(
        session.execute(
            select(m.FindingDimension.dimension_id, func.count()).group_by(
                m.FindingDimension.dimension_id
            )
        ).all()
    )
    result = []
    for framework in session.execute(query).scalars():
        dimensions = session.execute(
            select(m.FrameworkDimension)
            .where(m.FrameworkDimension.framework_id == framework.id)
            .order_by(m.FrameworkDimension.position, m.FrameworkDimension.id)
        ).scalars()
        result.append(
            FrameworkInfo(
                framework.name,
                framework.description,
                [DimensionInfo(d.code, d.description, counts.get(d.id, 0)) for d in dimensions],
            )
        )
    return result


def list_frameworks(library: Library) -> list[FrameworkInfo]:
    with library.session(write=False) as session:
        return _infos(session)


def dimension_index(session: Session) -> list[tuple[int, str, str]]:
    """Every dimension as (id, framework name, code), in framework and dimension order."""
    rows = session.execute(
        select(m.FrameworkDimension.id, m.Framework.name, m.FrameworkDimension.code)
        .join(m.Framework, m.Framework.id == m.FrameworkDimension.framework_id)
        .order_by(m.Framework.name, m.FrameworkDimension.position, m.FrameworkDimension.id)
    )
    return [(i, name, code) for i, name, code in rows]
