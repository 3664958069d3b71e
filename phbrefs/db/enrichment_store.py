"""The enrichment and integrity-check rows of a library (migration 0003_enrichment): field
provenance, identifiers, subject terms, open-access locations, source attempts, notices and
checks. A part of ``Library`` (which inherits it), kept in its own module for its size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, select

from phbrefs.db import models as m
from phbrefs.db.bulk import bulk_insert
from phbrefs.records import WorkRecord

_CHUNK = 900  # ids per IN (...): well under SQLite's bound on parameters


class EnrichmentStore:
    """``Library``'s enrichment methods; they use its ``session``, ``resolve`` and ``_replace``."""

    def enrichment_work_ids(
        self, *, keys: Sequence[str] | None = None, work_ids: Sequence[int] | None = None
    ) -> list[int]:
        """The works to enrich or check: by key, by id, or every work (by id)."""
        with self.session(write=False) as session:
            if keys:
                return list(dict.fromkeys(self.resolve(session, key) for key in keys))
            if work_ids is not None:
                return list(work_ids)
            return list(session.execute(select(m.Work.id).order_by(m.Work.id)).scalars())

    def enrichment_states(self, work_ids: Sequence[int]) -> list[Any]:
        """An ``enrich.EnrichmentState`` per work: its record and what enrichment stored."""
        from phbrefs.enrich import EnrichmentState
        from phbrefs.sources.base import OALocation

        if len(work_ids) > _CHUNK:  # SQLite bounds the parameters of one statement
            return [
                state
                for start in range(0, len(work_ids), _CHUNK)
                for state in self.enrichment_states(work_ids[start : start + _CHUNK])
            ]

        with self.session(write=False) as session:
            conn = session.connection()
            states = {
                wid: EnrichmentState(wid, key, WorkRecord.from_dict(data))
                for wid, key, data in conn.execute(
                    select(m.Work.id, m.Work.citekey, m.Work.data).where(
                        m.Work.id.in_(list(work_ids))
                    )
                )
            }
            ids = list(states)
            for row in conn.execute(
                select(m.FieldProvenance).where(m.FieldProvenance.work_id.in_(ids))
            ):
                states[row.work_id].provenance[row.field] = (row.source, row.identifier)
            for row in conn.execute(
                select(m.WorkIdentifier).where(m.WorkIdentifier.work_id.in_(ids))
            ):
                states[row.work_id].identifiers[row.scheme] = (row.value, row.source)
            for row in conn.execute(
                select(m.WorkTerm).where(m.WorkTerm.work_id.in_(ids)).order_by(m.WorkTerm.term)
            ):
                terms, _ = states[row.work_id].terms.get(row.vocabulary, ([], row.source))
                states[row.work_id].terms[row.vocabulary] = ([*terms, row.term], row.source)
            for row in conn.execute(
                select(m.OALocationRow)
                .where(m.OALocationRow.work_id.in_(ids))
                .order_by(m.OALocationRow.position)
            ):
                states[row.work_id].oa_locations.append(
                    OALocation(
                        row.source,
                        row.url,
                        row.pdf_url,
                        row.license,
                        row.version,
                        row.host_type,
                        row.is_best,
                    )
                )
            for row in conn.execute(
                select(m.EnrichmentAttempt).where(m.EnrichmentAttempt.work_id.in_(ids))
            ):
                states[row.work_id].attempts[row.source] = (row.outcome, row.detail)
            return [states[w] for w in work_ids if w in states]

    def store_enrichment(self, states: Sequence[Any]) -> None:
        """Write what a run found (``enrich.EnrichmentState``s) in one transaction."""
        with self.session() as session:
            conn = session.connection()
            now = m.utcnow()
            for state in states:
                wid = state.work_id
                if state.changed:
                    self._replace(session, wid, state.record, None)
                for table in (
                    m.FieldProvenance,
                    m.WorkIdentifier,
                    m.WorkTerm,
                    m.OALocationRow,
                    m.EnrichmentAttempt,
                ):
                    conn.execute(delete(table).where(table.work_id == wid))
                rows = [
                    {"work_id": wid, "field": f, "source": s, "identifier": i, "recorded_at": now}
                    for f, (s, i) in state.provenance.items()
                ]
                bulk_insert(conn, m.FieldProvenance, rows)
                rows = [
                    {"work_id": wid, "scheme": k, "value": v, "source": s}
                    for k, (v, s) in state.identifiers.items()
                ]
                bulk_insert(conn, m.WorkIdentifier, rows)
                rows = [
                    {"work_id": wid, "vocabulary": vocab, "term": term, "source": source}
                    for vocab, (terms, source) in state.terms.items()
                    for term in dict.fromkeys(terms)
                ]
                bulk_insert(conn, m.WorkTerm, rows)
                rows = [
                    {"work_id": wid, "position": i, **vars(location)}
                    for i, location in enumerate(state.oa_locations)
                ]
                bulk_insert(conn, m.OALocationRow, rows)
                rows = [
                    {"work_id": wid, "source": s, "outcome": o, "detail": d, "attempted_at": now}
                    for s, (o, d) in state.attempts.items()
                ]
                bulk_insert(conn, m.EnrichmentAttempt, rows)

    def enrichment_of(self, key: str) -> dict[str, Any]:
        """Provenance, identifiers, terms, open-access locations, notices and the last check of
        one work (``show``)."""
        with self.session(write=False) as session:
            work_id = self.resolve(session, key)
        [state] = self.enrichment_states([work_id])
        state.note_existing()
        notices = self.notices([work_id]).get(work_id, [])
        with self.session(write=False) as session:
            check = session.get(m.WorkCheck, work_id)
            last_check = (
                {"checked_at": check.checked_at.isoformat(), "detail": check.detail}
                if check
                else None
            )
        return {
            "provenance": {
                f: {"source": s, "identifier": i} for f, (s, i) in state.provenance.items()
            },
            "identifiers": {k: v for k, (v, _s) in state.identifiers.items()},
            "terms": {vocab: terms for vocab, (terms, _s) in state.terms.items()},
            "oa_locations": [vars(location) for location in state.oa_locations],
            "notices": notices,
            "last_check": last_check,
        }

    def work_by_identifier(self, scheme: str, value: str) -> str | None:
        """The citekey of the work with this PMID or PMCID, if stored."""
        with self.session(write=False) as session:
            found = session.execute(
                select(m.Work.citekey)
                .join(m.WorkIdentifier, m.WorkIdentifier.work_id == m.Work.id)
                .where(m.WorkIdentifier.scheme == scheme, m.WorkIdentifier.value == value)
            ).scalar()
            if found is None and scheme == "pmid":
                found = session.execute(
                    select(m.Work.citekey).where(m.Work.data["pmid"].as_string() == value)
                ).scalar()
            return found

    def notices(
        self, work_ids: Sequence[int] | None = None, kinds: Sequence[str] = ()
    ) -> dict[int, list[dict[str, Any]]]:
        """Stored notices by work id (all works when ``work_ids`` is None), oldest first."""
        if work_ids is not None and len(work_ids) > _CHUNK:
            found: dict[int, list[dict[str, Any]]] = {}
            for start in range(0, len(work_ids), _CHUNK):
                found.update(self.notices(work_ids[start : start + _CHUNK], kinds))
            return found
        query = select(m.Notice).order_by(m.Notice.work_id, m.Notice.id)
        if work_ids is not None:
            query = query.where(m.Notice.work_id.in_(list(work_ids)))
        if kinds:
            query = query.where(m.Notice.kind.in_(list(kinds)))
        found = {}
        with self.session(write=False) as session:
            for row in session.execute(query).scalars():
                found.setdefault(row.work_id, []).append(
                    {
                        "kind": row.kind,
                        "source": row.source,
                        "doi": row.doi or None,
                        "date": row.date,
                        "label": row.label,
                        "first_seen_at": row.first_seen_at.isoformat(),
                    }
                )
        return found

    def record_check(
        self, results: Sequence[tuple[int, list[dict[str, Any]], str | None]]
    ) -> dict[int, list[dict[str, Any]]]:
        """Store a check: (work id, notices seen, detail) each; returns the notices not seen
        before, by work id. Notices are never deleted: the history stays."""
        new: dict[int, list[dict[str, Any]]] = {}
        with self.session() as session:
            conn = session.connection()
            now = m.utcnow()
            for work_id, notices, detail in results:
                known = {
                    (r.kind, r.source, r.doi)
                    for r in conn.execute(select(m.Notice).where(m.Notice.work_id == work_id))
                }
                for notice in notices:
                    identity = (notice["kind"], notice["source"], notice.get("doi") or "")
                    if identity in known:
                        continue
                    known.add(identity)
                    row = {
                        "work_id": work_id,
                        "kind": notice["kind"],
                        "source": notice["source"],
                        "doi": notice.get("doi") or "",
                        "date": notice.get("date"),
                        "label": notice.get("label"),
                        "first_seen_at": now,
                    }
                    conn.execute(insert(m.Notice).values(**row))
                    new.setdefault(work_id, []).append({**row, "first_seen_at": now.isoformat()})
                conn.execute(delete(m.WorkCheck).where(m.WorkCheck.work_id == work_id))
                retracted = any(kind == "retraction" for kind, _source, _doi in known)
                conn.execute(
                    insert(m.WorkCheck).values(
                        work_id=work_id, checked_at=now, is_retracted=retracted, detail=detail
                    )
                )
        return new

    def claim_works(self, slugs: Sequence[str] | None = None) -> dict[str, set[int]]:
        """Claim slug -> ids of the works its findings come from (integrity warnings)."""
        query = select(m.Claim.slug, m.Finding.work_id).join(
            m.Finding, m.Finding.claim_id == m.Claim.id
        )
        if slugs:
            query = query.where(m.Claim.slug.in_(list(slugs)))
        found: dict[str, set[int]] = {}
        with self.session(write=False) as session:
            for slug, work_id in session.execute(query):
                found.setdefault(slug, set()).add(work_id)
        return found
