"""Adding works by PMID or PMCID: through Europe PMC (or PubMed) to the DOI, then Crossref.

``pmid:27716473`` and ``pmcid:PMC5815332`` (or a bare ``PMC5815332``) are looked up in Europe
PMC, then, for PMIDs it does not know, in PubMed. A work with a DOI is added through the usual
DOI flow (Crossref's record, then enrichment); a work without a DOI, or whose DOI Crossref does
not know, is stored from the Europe PMC or PubMed record itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from phbrefs.db.location import Location
from phbrefs.errors import SourceError
from phbrefs.outcomes import ItemResult, Outcome
from phbrefs.sources import AddReport, Wanted
from phbrefs.sources.base import Enricher, Found, Lookup, WorkIds

_PMID = re.compile(r"^pmid:\s*(\d{1,9})$", re.I)
_PMCID = re.compile(r"^(?:pmcid:\s*)?(PMC\d{1,9})$", re.I)


def split_pm_ids(arguments: Sequence[str]) -> tuple[dict[str, WorkIds], list[str]]:
    """(label -> ids for ``pmid:…``/``pmcid:…`` arguments, the other arguments)."""
    found: dict[str, WorkIds] = {}
    rest = []
    for argument in arguments:
        text = argument.strip()
        if match := _PMID.match(text):
            found[f"pmid:{match.group(1)}"] = WorkIds(pmid=match.group(1))
        elif match := _PMCID.match(text):
            pmcid = match.group(1).upper()
            found[f"pmcid:{pmcid}"] = WorkIds(pmcid=pmcid)
        else:
            rest.append(argument)
    return found, rest


def resolve_pm_ids(
    ids: dict[str, WorkIds], open_client: Callable[[str], Enricher]
) -> tuple[dict[str, Found], dict[str, str]]:
    """(label -> what Europe PMC or PubMed knows, label -> why nothing was found)."""
    found: dict[str, Found] = {}
    problems: dict[str, str] = {}
    for source in ("europepmc", "pubmed"):
        pending = {label: w for label, w in ids.items() if label not in found}
        if source == "pubmed":
            pending = {label: w for label, w in pending.items() if w.pmid}
        if not pending:
            continue
        client = None
        try:
            client = open_client(source)
            answers = client.lookup(list(pending.values()))
        except SourceError as error:
            for label in pending:
                problems.setdefault(label, str(error))
            continue
        finally:
            if client is not None:
                client.close()
        for label, answer in zip(pending, answers, strict=True):
            if answer.status is Lookup.FOUND and answer.found and answer.found.record:
                found[label] = answer.found
                problems.pop(label, None)
            else:
                problems[label] = answer.detail or "not found"
    return found, problems


def add_pm_ids(
    ids: dict[str, WorkIds],
    wanted: Wanted,
    *,
    open_client: Callable[[str], Enricher],
    add: Callable[[Wanted], AddReport],
    library_path: Path | str,
    tags: Sequence[str] = (),
    enrich: Callable[[list[int]], Any] | None = None,
) -> AddReport:
    """Add the works ``ids`` name along with the DOIs ``wanted``; see the module docstring.
    ``add`` is the DOI flow (``add_dois`` with its source and enrichment); ``enrich`` completes
    the works stored from Europe PMC or PubMed."""
    found, problems = resolve_pm_ids(ids, open_client)
    present = _present(library_path, found)
    asked = set(wanted.dois)
    extra = [f.doi for label, f in found.items() if f.doi and label not in present]
    dois = list(dict.fromkeys([*wanted.dois, *extra]))
    report = add(Wanted(dois, wanted.invalid)) if dois or wanted.invalid else AddReport([])
    by_item = {r.item: r for r in report.results}
    results = [r for r in report.results if r.item in asked or r.outcome is Outcome.INVALID]
    fallback: list[tuple[str, Found]] = []
    for label in ids:
        if label in present:
            results.append(
                ItemResult(
                    label, Outcome.UNCHANGED, present[label], detail="already in the library"
                )
            )
        elif label not in found:
            results.append(ItemResult(label, Outcome.NOT_FOUND, detail=problems.get(label)))
        elif (doi_result := by_item.get(found[label].doi or "")) and doi_result.outcome.ok:
            results.append(replace(doi_result, item=label))
        else:
            fallback.append((label, found[label]))
    if fallback:
        from phbrefs.library import Library

        with Library(library_path, create=True) as library:
            stored = library.add_many(
                [f.record for _, f in fallback if f.record],
                tags=tags,
                origin=f"{fallback[0][1].source}",
                labels=[label for label, _ in fallback],
            )
        new_ids = [r.work_id for r in stored if r.work_id and r.outcome is Outcome.ADDED]
        if enrich is not None and new_ids:
            more = enrich(new_ids)
            if report.enrichment is None:
                report.enrichment = more
            else:
                report.enrichment.states.extend(more.states)
                report.enrichment.skipped.update(more.skipped)
        for (_label, item), result in zip(fallback, stored, strict=True):
            why = "no DOI" if not item.doi else "Crossref does not know its DOI"
            result.detail = f"stored from {item.source} ({why})"
            result.record = item.record
            results.append(result)
    report.results = results
    return report


def _present(library_path: Path | str, found: dict[str, Found]) -> dict[str, str]:
    """label -> citekey of works already stored under that PMID/PMCID or DOI."""
    if not Location(str(library_path)).exists():
        return {}
    from phbrefs.library import Library

    present = {}
    with Library(library_path, create=False) as library:
        known = library.known_dois([f.doi for f in found.values() if f.doi])
        for label, item in found.items():
            key = known.get(item.doi or "")
            if key is None and item.pmid:
                key = library.work_by_identifier("pmid", item.pmid)
            if key is not None:
                present[label] = key
    return present
