"""Where a stored field came from, when nothing recorded it: light enough for the fast read
path (``show``), which must not import the sources package (it loads the full library)."""

from __future__ import annotations

from phbrefs.records import WorkRecord


def existing_provenance(record: WorkRecord, citekey: str) -> dict[str, tuple[str, str]]:
    """Field -> (source, identifier) for what a record carried from its own source (an
    abstract from Crossref, Europe PMC...) when no enrichment recorded where it came from."""
    if not record.abstract:
        return {}
    source = record.source or "manual"
    pmid = record.pmid if source in ("europepmc", "pubmed") else None
    return {"abstract": (source, f"PMID {pmid}" if pmid else record.doi or citekey)}
