"""Finding a work by the name a user gives it: its citekey, an alias (an old key after a merge,
or a key a source proposed that could not be the citekey) or its DOI, with the closest citekey
suggested when none matches. ``Library.resolve`` and the evidence stores all resolve here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from phbrefs.db import models as m
from phbrefs.db import work_store
from phbrefs.errors import UnknownKeyError
from phbrefs.ids import InvalidDOIError, normalize_doi

if TYPE_CHECKING:
    from sqlmodel import Session


def resolve(session: Session, key: str) -> int:
    """The work id for a citekey, an alias or a DOI; ``UnknownKeyError`` (with the closest
    citekey as its suggestion) when none names a work."""
    work_id = _named(session, key)
    if work_id is None:
        try:
            doi = normalize_doi(key)
        except InvalidDOIError:
            doi = None
        if doi:
            work_id = session.execute(
                select(m.Work.id).where(m.Work.doi == doi).order_by(m.Work.id)
            ).scalar()
    if work_id is None:
        raise UnknownKeyError(key, closest_key(session, key))
    return work_id


def _named(session: Session, key: str) -> int | None:
    """The work whose citekey, else whose alias, is ``key``."""
    work_id = session.execute(select(m.Work.id).where(m.Work.citekey == key)).scalar()
    if work_id is None:
        work_id = session.execute(select(m.Alias.work_id).where(m.Alias.key == key)).scalar()
    return work_id


def closest_key(session: Session, key: str) -> str | None:
    """The stored citekey most like ``key`` (a typo's suggestion), if any is close."""
    from rapidfuzz import process

    keys = session.execute(select(m.Work.citekey)).scalars().all()
    best = process.extractOne(key, keys, score_cutoff=70)
    return best[0] if best else None


def known_dois(session: Session, dois: Iterable[str]) -> dict[str, str]:
    """DOI -> citekey for those of ``dois`` already in the library."""
    stored = work_store.stored_by_doi(session.connection(), list(dois))
    return {doi: key for doi, (_, key, _) in stored.items()}


def add_alias(session: Session, alias: str, work_id: int) -> bool:
    """Make ``alias`` resolve to ``work_id``; False when it already names another work."""
    taken = _named(session, alias)
    if taken is None:
        session.connection().execute(insert(m.Alias).values(key=alias, work_id=work_id))
    return taken in (None, work_id)
