"""Benchmark: storing a 10,000-record RIS import, on SQLite and PostgreSQL, against a reference
checkout of phbrefs (an older commit) measured in the same run.

Times, in CPU seconds, what ``phbrefs import`` spends in the storage layer: opening a fresh
library (creating its schema) and ``Library.add_many`` of the parsed records (works,
contributors, source texts, search index, one transaction). Each measurement runs in its own
process, the two checkouts alternating, best of ``--repeat``. On PostgreSQL the server's CPU
(its backends, read from /proc) is added to the client's.

    python bench/store.py                                # this checkout alone
    python bench/store.py --reference /tmp/phbrefs-old   # against another checkout's phbrefs
    python bench/store.py --n 2000 --no-postgres         # a quicker run

A reference checkout: ``git worktree add /tmp/phbrefs-old <commit>`` (or ``git archive``).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def records(n: int) -> list:  # type: ignore[type-arg]
    """``n`` varied records as the RIS importer gives them (with their source text)."""
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    from import_export import base_records, stored, varied

    from phbrefs.formats import get_exporter, get_importer
    from phbrefs.importing import parse_text

    text = get_exporter("ris").export(stored(varied(base_records(), n, random.Random(2026))))
    return parse_text(get_importer("ris"), text, "bench.ris", processes=1).records


class ServerCPU:
    """CPU seconds so far of a local PostgreSQL server's processes (those ``pg_stat_activity``
    lists: the backends and the server's own workers), read from /proc."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.admin = psycopg.connect(url, autocommit=True)

    def __call__(self) -> float:
        pids = self.admin.execute("SELECT pid FROM pg_stat_activity").fetchall()
        total = 0
        for (pid,) in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")


def measure(checkout: str, pickled: str, url: str) -> dict[str, float]:
    """One fresh library at ``url``: CPU to open it and to store every record (child process),
    with the phbrefs of ``checkout`` (ahead of an editable install's import hook)."""
    sys.meta_path = [f for f in sys.meta_path if "__editable__" not in type(f).__module__]
    sys.path.insert(0, checkout)
    import phbrefs
    from phbrefs.library import Library

    assert Path(phbrefs.__file__).is_relative_to(checkout), phbrefs.__file__

    with open(pickled, "rb") as handle:
        batch = pickle.load(handle)
    postgres = url.startswith("postgresql")
    server = ServerCPU(url) if postgres else (lambda: 0.0)
    started, served = time.process_time(), server()
    library = Library(url)
    opened, opened_served = time.process_time(), server()
    library.add_many(batch, tags=[], origin="bench.ris", same_doi_same_work=False)
    done, done_served = time.process_time(), server()
    assert library.count() == len(batch)
    library.close()
    return {
        "open": opened - started + opened_served - served,
        "add_many": done - opened + done_served - opened_served,
    }


def run(checkout: Path, pickled: str, url: str) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", str(checkout.resolve()), pickled, url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="records (default 10,000)")
    parser.add_argument("--reference", type=Path, help="another checkout to compare against")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (best counts)")
    parser.add_argument("--postgres", help="a server URL (default: a throwaway local cluster)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child)))
        return

    checkouts = {"this": ROOT, **({"reference": args.reference} if args.reference else {})}
    folder = Path(tempfile.mkdtemp(prefix="phbrefs-bench-store-"))
    pickled = str(folder / "records.pickle")
    with open(pickled, "wb") as handle:
        pickle.dump(records(args.n), handle)
    cluster = server = None
    backends = ["sqlite"]
    if not args.no_postgres:
        sys.path.insert(0, str(ROOT / "tests"))
        from postgres_server import LocalCluster, Server, postgres_bin

        if args.postgres is None:
            cluster = LocalCluster(postgres_bin(), Path(tempfile.mkdtemp(prefix="phbrefs-pg-")))
        server = Server(args.postgres or cluster.start())  # type: ignore[union-attr]
        backends.append("postgres")
    best: dict[tuple[str, str], dict[str, float]] = {}
    try:
        for attempt in range(args.repeat):
            for backend in backends:
                for name, checkout in checkouts.items():
                    url = server.create() if server and backend == "postgres" else ""
                    url = url or str(folder / f"{name}-{backend}-{attempt}.db")
                    figures = run(checkout, pickled, url)
                    if server and backend == "postgres":
                        server.drop(url)
                    kept = best.setdefault((backend, name), figures)
                    for key, value in figures.items():
                        kept[key] = min(kept[key], value)
    finally:
        if server:
            server.drop_all()
        if cluster:
            cluster.stop()
    print(f"{args.n:,} RIS records; CPU seconds, best of {args.repeat}")
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"{'backend':<10}{'checkout':<11}{'open':>8}{'add_many':>10}{'total':>8}{'ratio':>8}")
    for backend in backends:
        for name in checkouts:
            figures = best[(backend, name)]
            total = figures["open"] + figures["add_many"]
            reference = best.get((backend, "reference"))
            ratio = total / sum(reference.values()) if reference else 1.0
            print(
                f"{backend:<10}{name:<11}{figures['open']:>8.2f}{figures['add_many']:>10.2f}"
                f"{total:>8.2f}{ratio:>7.2f}×"
            )


if __name__ == "__main__":
    main()
