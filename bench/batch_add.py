"""Benchmark: `phbrefs add --file` of a batch of DOIs against habanero called once per DOI.

Both run against the same local Crossref replay server (tests/crossref_server.py) holding the
recorded works, with the public pool's real limits (5 requests/s, 1 at a time, enforced with
429 + Retry-After) and a network latency per answer. phbrefs runs as a real process on a fresh
library with the HTTP cache off; the baseline is what other reference managers do:
``habanero.Crossref(base_url=...).works(ids=doi)`` in a loop, waiting out any 429.

    python bench/batch_add.py              # all recorded works (456 with the shared set)
    python bench/batch_add.py --sample 60  # a quicker run
    python bench/batch_add.py --no-baseline  # phbrefs against its floor only

phbrefs runs with ``--no-enrich``: the other sources have their own benchmark (bench/enrich.py)
and no server here. It also prints phbrefs against its floor: the requests it made times the
latency, plus the start-up of a ``phbrefs --help`` process (the goal: within 1.5x of that); and
against a measured floor, the same requests replayed by a bare ``requests`` session (the
latency plus what the replay server itself spends on each answer), plus that start-up.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from crossref_server import FIXTURE_WORKS, CrossrefServer  # noqa: E402
from rows import report  # noqa: E402

SHARED_WORKS = Path("/work/shared/fixtures/crossref/works")


def time_phbrefs(server: CrossrefServer, dois: list[str], folder: Path) -> tuple[float, int, str]:
    listing = folder / "dois.txt"
    listing.write_text("\n".join(dois) + "\n", encoding="utf-8")
    env = {
        **os.environ,
        "PHBREFS_CROSSREF_URL": server.url,
        "PHBREFS_CACHE": "off",
        "PHBREFS_CONFIG": str(folder / "config.toml"),
        "PHBREFS_DB": str(folder / "library.db"),
    }
    env.pop("PHBREFS_MAILTO", None)  # the public pool, as the server's limits say
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "phbrefs", "add", "--no-enrich", "--file", str(listing)],
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"phbrefs add failed ({result.returncode}):\n{result.stderr}")
    return elapsed, len(result.stdout.splitlines()), result.stderr.strip().splitlines()[-1]


def time_startup(folder: Path) -> float:
    """The fastest of three ``phbrefs --help`` processes: what any command pays to start."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "phbrefs", "--help"], capture_output=True, cwd=folder)
        times.append(time.perf_counter() - started)
    return min(times)


def time_bare_requests(server: CrossrefServer, seen: list) -> float:
    """The same requests phbrefs made, sent one after another by a bare ``requests`` session
    that reads each answer and does nothing else: what any client pays the network and the
    server for them, measured in this run."""
    import requests

    time.sleep(server.interval)  # an empty window, as phbrefs had
    with requests.Session() as session:
        started = time.perf_counter()
        for request in seen:
            session.get(server.url + request.path, params=request.query).raise_for_status()
        return time.perf_counter() - started


def time_habanero(server: CrossrefServer, dois: list[str]) -> tuple[float, int, int]:
    import httpx2
    from habanero import Crossref

    crossref = Crossref(base_url=server.url)
    resolved = 0
    rate_limited = 0
    started = time.perf_counter()
    for doi in dois:
        while True:
            try:
                work = crossref.works(ids=doi)
            except httpx2.HTTPStatusError as error:
                if error.response.status_code != 429:
                    raise
                rate_limited += 1
                time.sleep(float(error.response.headers.get("Retry-After", "1")))
                continue
            resolved += work["message"]["DOI"].lower() == doi
            break
    return time.perf_counter() - started, resolved, rate_limited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, help="only the first N DOIs (a quicker run)")
    parser.add_argument("--latency", type=float, default=0.15, help="seconds per answer")
    parser.add_argument("--no-baseline", action="store_true", help="skip the habanero loop")
    args = parser.parse_args()

    works_dir = SHARED_WORKS if SHARED_WORKS.is_dir() else FIXTURE_WORKS
    server = CrossrefServer(
        works_dir=works_dir, rate_limit=5, interval=1.0, concurrency=1, latency=args.latency
    )
    dois = sorted(server.works)[: args.sample] if args.sample else sorted(server.works)
    print(f"{len(dois)} DOIs from {works_dir}")
    print(f"server: 5 requests/s, 1 at a time (enforced with 429), {args.latency * 1000:.0f} ms")
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    with server, tempfile.TemporaryDirectory() as tmp:
        startup = time_startup(Path(tmp))
        for doi in dois:  # the replay server parses a work's body once, at its first list:
            server.message(doi)  # done now, so phbrefs and the bare floor meet the same server
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        ours, printed, summary = time_phbrefs(server, dois, Path(tmp))
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = sum(getattr(cpu_after, f) - getattr(cpu_before, f) for f in ("ru_utime", "ru_stime"))
        ours_429 = server.count_429
        ours_requests = len(server.requests_to())
        print(
            f"phbrefs add --file: {ours:7.2f} s (CPU {cpu:.2f} s)  {ours_requests} requests, "
            f"{ours_429} x 429"
        )
        print(f"  {summary}")
        if printed != len(dois):
            raise SystemExit(f"phbrefs printed {printed} works for {len(dois)} DOIs")
        floor = ours_requests * args.latency + startup
        print(
            f"floor: {ours_requests} x {args.latency * 1000:.0f} ms + start-up {startup:.2f} s "
            f"= {floor:.2f} s; phbrefs {ours / floor:.2f}x the floor (goal <= 1.5x)"
        )
        network = time_bare_requests(server, server.requests_to())
        print(
            f"measured floor: the same {ours_requests} requests by bare requests {network:.2f} s "
            f"(latency and the server's own work) + start-up = {network + startup:.2f} s; "
            f"phbrefs {ours / (network + startup):.2f}x"
        )
        report(
            f"`add --file`, {len(dois)} DOIs, {args.latency * 1000:.0f} ms latency",
            f"{ours:.2f} s (CPU {cpu:.2f} s), {ours_requests} requests, {ours_429} × 429",
            f"floor {floor:.2f} s; measured floor {network + startup:.2f} s",
            f"{ours / floor:.2f}× the floor, {ours / (network + startup):.2f}× the measured one",
            "≤ 1.5× the floor",
            ours <= 1.5 * floor,
        )
        if args.no_baseline:
            return
        time.sleep(server.interval)  # an empty window for the baseline
        server.reset()
        theirs, resolved, their_429 = time_habanero(server, dois)
        print(
            f"habanero loop:      {theirs:7.2f} s  {len(server.requests_to())} requests, "
            f"{their_429} x 429 ({resolved} resolved)"
        )
    print(f"speed-up: {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
