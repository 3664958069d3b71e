"""The rows a coding import checks and writes, each in the import's one transaction.

``phbrefs.evidence.coding`` validates every row first and writes only when all are valid; it
calls these inside ``library.transaction()``, so checks and writes see the same state and
commit (or roll back, for a dry run) together. Claim rows are handed out as opaque handles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from phbrefs.db import cerqual_store, claim_store, finding_store, framework_store, study_store
from phbrefs.db import models as m
from phbrefs.formats.limits import storable_int

if TYPE_CHECKING:
    from collections.abc import Sequence

    from phbrefs.evidence.cerqual import CerqualInfo
    from phbrefs.evidence.findings import FindingFields
    from phbrefs.evidence.studies import Group
    from phbrefs.library import Library


def claims_by_slug(library: Library) -> dict[str, Any]:
    with library.session(write=False) as session:
        return {c.slug: c for c in session.execute(select(m.Claim)).scalars()}


def dimension_index(library: Library) -> list[tuple[int, str, str]]:
    """Every dimension as (id, framework name, code), in framework and dimension order."""
    with library.session(write=False) as session:
        return framework_store.dimension_index(session)


def closest_slug(library: Library, slug: str) -> str | None:
    with library.session(write=False) as session:
        return claim_store.closest_slug(session, slug)


def add_claim(library: Library, statement: str, **fields: Any) -> Any:
    with library.session() as session:
        return claim_store.add_claim_in(session, statement, **fields)


def update_claim(library: Library, claim: Any, **changes: Any) -> bool:
    with library.session() as session:
        return claim_store.update_claim_in(session, claim, **changes)


def has_study(library: Library, work_id: int) -> bool:
    with library.session(write=False) as session:
        return session.get(m.Study, work_id) is not None


def store_study(
    library: Library,
    work_id: int,
    values: dict[str, str | None],
    groups: Sequence[Group] | None,
) -> str:
    with library.session() as session:
        return study_store.store_study(session, work_id, values, groups)


def has_finding(library: Library, finding_id: int) -> bool:
    if not storable_int(finding_id):  # no id is that large (SQLite would overflow)
        return False
    with library.session(write=False) as session:
        return session.get(m.Finding, finding_id) is not None


def store_finding(
    library: Library,
    work_id: int,
    claim_id: int,
    fields: FindingFields,
    finding_id: int | None = None,
) -> str:
    """Store a finding (``finding_store.store_finding``); with ``finding_id``, that finding is
    updated in place, moved to this work, claim and quote (a corrected row is ``updated``;
    refused when another finding has that work, claim and quote)."""
    with library.session() as session:
        _, outcome = finding_store.store_finding(session, work_id, claim_id, fields, finding_id)
        return outcome


def has_assessment(library: Library, claim: Any) -> bool:
    with library.session(write=False) as session:
        return session.get(m.CerqualAssessment, claim.id) is not None


def store_assessment(
    library: Library,
    claim: Any,
    components: dict[str, tuple[str | None, str | None]],
    overall: tuple[str | None, str | None],
    assessed_by: str | None,
) -> tuple[CerqualInfo, str]:
    with library.session() as session:
        return cerqual_store.store_assessment(session, claim, components, overall, assessed_by)
