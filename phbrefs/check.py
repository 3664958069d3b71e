"""Integrity checks: retractions, corrections, expressions of concern and new versions.

``check_works`` asks Crossref for every work's current ``updated-by`` notices (batched list
requests; notices whose ``source`` is ``retraction-watch`` come from the Retraction Watch
database Crossref now serves) and OpenAlex for its ``is_retracted`` flag (batched), then stores
what it saw. The library keeps every notice ever seen with when it was first seen, so a check
reports exactly what is new since the previous one. A source that is down is reported as
skipped; the check of the other source still counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from phbrefs.errors import SourceError
from phbrefs.sources.base import Enricher, WorkIds

CHECK_SOURCES = ("crossref", "openalex")


def notices_from_crossref(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``updated-by`` notices of a Crossref work, each with its source (``publisher``,
    ``retraction-watch``...)."""
    notices = []
    for entry in message.get("updated-by") or []:
        if not isinstance(entry, dict):
            continue
        rows = (entry.get("updated") or {}).get("date-parts") or [[]]
        date = "-".join(f"{int(p):02d}" if i else str(p) for i, p in enumerate(rows[0]) if p)
        notices.append(
            {
                "kind": (entry.get("type") or "update").replace("-", "_"),
                "source": entry.get("source") or "crossref",
                "doi": (entry.get("DOI") or "").lower() or None,
                "date": date or None,
                "label": entry.get("label"),
            }
        )
    return notices


@dataclass
class WorkCheck:
    work_id: int
    citekey: str
    doi: str | None
    notices: list[dict[str, Any]] = field(default_factory=list)
    new: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "citekey": self.citekey,
            "doi": self.doi,
            "retracted": any(n["kind"] == "retraction" for n in self.notices),
            "notices": self.notices,
            "new": self.new,
            "problems": self.problems,
        }


@dataclass
class CheckReport:
    works: list[WorkCheck]
    skipped: dict[str, str] = field(default_factory=dict)  # source -> why

    @property
    def new(self) -> list[WorkCheck]:
        return [w for w in self.works if w.new]

    def to_dict(self) -> dict[str, Any]:
        return {
            "works": [w.to_dict() for w in self.works],
            "new": sum(len(w.new) for w in self.works),
            "skipped_sources": self.skipped,
        }


def _ask(
    checks: list[WorkCheck], source: str, open_client: Callable[[str], Enricher], report
) -> None:
    targets = [c for c in checks if c.doi]
    if not targets:
        return
    client = None
    try:
        client = open_client(source)
        answers = client.lookup([WorkIds(doi=c.doi) for c in targets])
    except SourceError as error:
        report.skipped[source] = str(error)
        for check in targets:
            check.problems.append(f"{source} skipped: {error}")
        return
    finally:
        if client is not None:
            client.close()
    for check, answer in zip(targets, answers, strict=True):
        found = answer.found
        if found is None:
            if answer.detail and answer.status != "not found":
                check.problems.append(f"{source}: {answer.detail}")
            continue
        if source == "crossref" and found.record is not None and found.record.raw:
            import json

            check.notices += notices_from_crossref(json.loads(found.record.raw))
        if source == "openalex" and found.is_retracted:
            check.notices.append(
                {
                    "kind": "retraction",
                    "source": "openalex",
                    "doi": None,
                    "date": None,
                    "label": f"is_retracted in OpenAlex {found.identifier}",
                }
            )


def _merge_updates(state: Any, notices: list[dict[str, Any]]) -> bool:
    """Add new notices to the stored record's ``updates``; True when it changed."""
    from phbrefs.records import PartialDate, UpdateNotice

    known = {(u.kind, u.doi) for u in state.record.updates if u.direction == "updated-by"}
    for notice in notices:
        if (notice["kind"], notice.get("doi") or None) in known:
            continue
        state.record.updates.append(
            UpdateNotice(
                direction="updated-by",
                kind=notice["kind"],
                doi=notice.get("doi") or None,
                date=PartialDate.parse(notice.get("date")),
                label=notice.get("label"),
            )
        )
        state.changed = True
    return state.changed


def check_works(
    library_path: Path | str,
    *,
    keys: Sequence[str] | None = None,
    open_client: Callable[[str], Enricher],
    sources: Sequence[str] = CHECK_SOURCES,
    batch: int = 500,
) -> CheckReport:
    """Check ``keys`` (or every work), ``batch`` works per round, and store what was seen."""
    from phbrefs.library import Library

    report = CheckReport([])
    with Library(library_path, create=False) as library:
        ids = library.enrichment_work_ids(keys=keys)
        for start in range(0, len(ids), batch):
            states = library.enrichment_states(ids[start : start + batch])
            checks = [WorkCheck(s.work_id, s.citekey, s.record.doi) for s in states]
            for source in sources:
                _ask(checks, source, open_client, report)
            asked = [c for c in checks if c.doi]
            new = library.record_check(
                [(c.work_id, c.notices, "; ".join(c.problems) or None) for c in asked]
            )
            for check in checks:
                check.new = new.get(check.work_id, [])
            changed = [s for s in states if _merge_updates(s, new.get(s.work_id, []))]
            if changed:  # tables, show and citations read the record's notices
                library.store_enrichment(changed)
            report.works.extend(checks)
    return report
