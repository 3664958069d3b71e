"""Benchmark: abstract coverage before and after ``enrich``, requests made, time against limits.

The library holds every recorded Crossref work (as ``phbrefs add`` stores them) plus the works
the other recorded answers describe, stored bare (DOI or PMID and a title, as a reference list
imported from RIS would give): the recorded Crossref works and the other sources' works do not
overlap, so these are what the other sources can complete. Every source is a local replay server
of its recorded answers with the service's published limits enforced (429 past them) and a
network latency per answer. The default chain runs through ``enrich_stored`` as the CLI does.

Baseline, in the same run: the same chain with one work per request (what a client without
batching does). Printed: coverage before/after, requests per source, wall time, and the least
time the services' limits allow for those requests.

    python bench/enrich.py                 # the 456 shared Crossref works; ~7 minutes
    python bench/enrich.py --tests-only    # the 73 test Crossref works; quicker
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from crossref_server import FIXTURE_WORKS, CrossrefServer  # noqa: E402
from source_servers import (  # noqa: E402
    FIXTURES,
    EuropePMCServer,
    OpenAlexServer,
    PubMedServer,
    UnpaywallServer,
)

from phbrefs.enrich import enrich_stored  # noqa: E402
from phbrefs.library import Library  # noqa: E402
from phbrefs.records import WorkRecord  # noqa: E402
from phbrefs.sources.base import enricher  # noqa: E402
from phbrefs.sources.crossref import record_from_crossref  # noqa: E402

SHARED_WORKS = Path("/work/shared/fixtures/crossref/works")
CHAIN = ("crossref", "europepmc", "pubmed", "openalex", "unpaywall")
# published limits (requests/s, at once) the servers enforce
LIMITS = {
    "crossref": (10, 3),
    "europepmc": (10, 2),
    "pubmed": (3, 1),
    "openalex": (10, 2),
    "unpaywall": (10, 2),
}


def bare_records() -> list[WorkRecord]:
    """The works of the other recorded answers, as a bare reference list would hold them."""
    records: dict[str, WorkRecord] = {}
    core = json.loads((FIXTURES / "europepmc" / "search_cancer_core.json").read_text())
    for hit in core["resultList"]["result"]:
        doi = (hit.get("doi") or "").lower() or None
        records[doi or hit["pmid"]] = WorkRecord(
            title=hit.get("title"), doi=doi, pmid=None if doi else hit["pmid"], source="ris"
        )
    for path in sorted((FIXTURES / "pubmed").glob("*efetch*.xml")):
        for pmid in re.findall(rb"<MedlineCitation[^>]*>\s*<PMID[^>]*>(\d+)<", path.read_bytes()):
            records.setdefault(
                pmid.decode(),
                WorkRecord(title=f"PMID {pmid.decode()}", pmid=pmid.decode(), source="ris"),
            )
    for doi in (
        "10.7717/peerj.4375",
        *(json.loads(p.read_text())["doi"] for p in (FIXTURES / "unpaywall").glob("v2_*.json")),
    ):
        records.setdefault(doi.lower(), WorkRecord(title=doi, doi=doi.lower(), source="ris"))
    return list(records.values())


def build_library(path: Path, works_dir: Path) -> int:
    crossref = [
        record_from_crossref(json.loads(p.read_text())["message"])
        for p in sorted(works_dir.glob("*.json"))
    ]
    with Library(path) as library:
        library.add_many(crossref)
        library.add_many(bare_records())
        return library.count()


def coverage(path: Path) -> dict[str, int]:
    with Library(path, create=False) as library:
        states = library.enrichment_states(library.enrichment_work_ids())
    return {
        "works": len(states),
        "abstract": sum(1 for s in states if s.record.abstract),
        "pmid": sum(1 for s in states if s.ids.pmid),
        "open access": sum(1 for s in states if s.oa_locations),
    }


class Settings:
    """What ``enricher`` reads, pointing at the local servers."""

    def __init__(self, servers: dict, cache: None = None) -> None:
        for name, server in servers.items():
            setattr(self, f"{name}_url", server.url)
        self.mailto = "bench@example.org"
        self.timeout = 20.0
        self.cache = cache
        self.ncbi_api_key = None
        self.openalex_api_key = None


def run(path: Path, servers: dict, *, batch_size: int | None) -> tuple[float, dict[str, int]]:
    settings = Settings(servers)

    def open_client(name: str):
        client = enricher(name, settings)
        if batch_size is not None:
            client.BATCH = batch_size
            client.MAX_ROWS = batch_size
        return client

    started = time.perf_counter()
    report = enrich_stored(path, chain=CHAIN, open_client=open_client)
    return time.perf_counter() - started, report.requests


def least_time(requests: dict[str, int]) -> float:
    """Seconds the published rates allow at best: the chain's sources run one after another."""
    return sum(n / LIMITS[name][0] for name, n in requests.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per answer")
    parser.add_argument("--tests-only", action="store_true", help="the 73 test Crossref works")
    args = parser.parse_args()
    shared = SHARED_WORKS.is_dir() and not args.tests_only
    works_dir = SHARED_WORKS if shared else FIXTURE_WORKS
    servers = {
        "crossref": CrossrefServer(works_dir),
        "europepmc": EuropePMCServer(),
        "pubmed": PubMedServer(),
        "openalex": OpenAlexServer(),
        "unpaywall": UnpaywallServer(),
    }
    for name, server in servers.items():
        server.rate_limit, server.concurrency = LIMITS[name]
        server.latency = args.latency
        server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            results = {}
            for label, batch_size in (("batched (phbrefs)", None), ("one per request", 1)):
                path = Path(tmp) / f"{batch_size or 'batched'}.db"
                build_library(path, works_dir)
                before = coverage(path)
                for server in servers.values():
                    server.reset()
                elapsed, requests = run(path, servers, batch_size=batch_size)
                after = coverage(path)
                limited = sum(s.count_429 for s in servers.values())
                results[label] = (elapsed, requests)
                made = sum(requests.values())
                print(f"\n{label}: {elapsed:.2f} s, {made} requests, {limited} x 429")
                print("  requests: " + ", ".join(f"{k} {v}" for k, v in requests.items()))
                print(f"  least time the limits allow: {least_time(requests):.2f} s")
                for key in ("abstract", "pmid", "open access"):
                    share = after[key] / after["works"]
                    print(
                        f"  {key:12s} {before[key]:4d} -> {after[key]:4d} of {after['works']}"
                        f" ({before[key] / before['works']:.0%} -> {share:.0%})"
                    )
            ours, naive = results["batched (phbrefs)"], results["one per request"]
            print(
                f"\nrequests: {sum(naive[1].values())} -> {sum(ours[1].values())} "
                f"({sum(naive[1].values()) / max(1, sum(ours[1].values())):.1f}x fewer); "
                f"time: {naive[0]:.2f} s -> {ours[0]:.2f} s ({naive[0] / ours[0]:.1f}x faster)"
            )
    finally:
        for server in servers.values():
            server.stop()


if __name__ == "__main__":
    main()
