"""What a retraction or correction reaches: the notices of works, and the claims and citations
built on them.

A work's notices are those ``check`` stored (Crossref, Retraction Watch, OpenAlex) and the
``updated-by`` notices its Crossref record carried when it was added.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from phbrefs.library import Library

RETRACTIONS = frozenset({"retraction", "withdrawal", "removal"})
CORRECTIONS = frozenset({"correction", "erratum", "corrigendum", "addendum", "clarification"})
CONCERNS = frozenset({"expression_of_concern"})
FILTERS = ("retraction", "correction", "concern", "any")


def severity(kind: str) -> str:
    """retraction, concern, correction or other."""
    if kind in RETRACTIONS or "retract" in kind:
        return "retraction"
    if kind in CONCERNS:
        return "concern"
    if kind in CORRECTIONS:
        return "correction"
    return "other"


def work_notices(library: Library, work_ids: Sequence[int] | None = None) -> dict[int, list[dict]]:
    """Every notice of each work (all works when ``work_ids`` is None), by work id."""
    stored = library.notices(work_ids)
    ids = list(work_ids) if work_ids is not None else library.enrichment_work_ids()
    found: dict[int, list[dict[str, Any]]] = {}
    for state in library.enrichment_states(ids):
        notices = list(stored.get(state.work_id, []))
        seen = {(n["kind"], n.get("doi")) for n in notices}
        for update in state.record.updates:
            if update.direction == "updated-by" and (update.kind, update.doi) not in seen:
                seen.add((update.kind, update.doi))
                date = str(update.date) if update.date else None
                notices.append(
                    {"kind": update.kind, "source": "crossref", "doi": update.doi, "date": date}
                )
        if notices:
            found[state.work_id] = notices
    return found


def matches(notices: Sequence[dict[str, Any]], wanted: str) -> bool:
    """Whether ``notices`` hold one of the kind ``wanted`` (see ``FILTERS``)."""
    if wanted == "any":
        return bool(notices)
    return any(severity(n["kind"]) == wanted for n in notices)


def describe(notices: Sequence[dict[str, Any]]) -> str:
    """``retraction 10.…; correction 10.…``"""
    return "; ".join(f"{n['kind']} {n.get('doi') or ''}".strip() for n in notices)


def claim_warnings(library: Library, slugs: Sequence[str] | None = None) -> dict[str, list[str]]:
    """Per claim, a warning for every retracted work (or work under an expression of concern)
    among its findings' papers, saying when the claim rests on such works alone."""
    claim_works = library.claim_works(slugs)
    ids = sorted({w for works in claim_works.values() for w in works})
    if not ids:
        return {}
    notices = work_notices(library, ids)
    keys = {s.work_id: s.citekey for s in library.enrichment_states(ids)}
    warnings: dict[str, list[str]] = {}
    for slug, works in claim_works.items():
        for level, words in (
            ("retraction", "retracted"),
            ("concern", "under an expression of concern"),
        ):
            flagged = sorted(keys[w] for w in works if matches(notices.get(w, []), level))
            if not flagged:
                continue
            alone = len(flagged) == len(works)
            where = (
                "rests only on" if alone else f"draws on ({len(flagged)} of {len(works)} papers)"
            )
            warnings.setdefault(slug, []).append(
                f"claim {slug} {where} {words} work(s): {', '.join(flagged)}"
            )
    return warnings


def flagged_keys(library: Library, citekeys: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Citekey -> its retraction and expression-of-concern notices, for the works that have
    some (finding lists, claim pages)."""
    keys = list(dict.fromkeys(citekeys))
    if not keys:
        return {}
    ids = dict(zip(keys, library.enrichment_work_ids(keys=keys), strict=True))
    notices = work_notices(library, list(ids.values()))
    flagged = {}
    for key, work_id in ids.items():
        serious = [
            n for n in notices.get(work_id, []) if severity(n["kind"]) in ("retraction", "concern")
        ]
        if serious:
            flagged[key] = serious
    return flagged
