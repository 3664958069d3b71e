"""Benchmark: full-text search latency at 50,000 works, against the 50 ms goal.

Works are the recorded Crossref records varied as in bench/import_export.py (real titles,
abstracts and authors), each also keyworded "review" so that one query matches every work.
For each query it prints the median in-process time of the read path the CLI uses
(``phbrefs.db.reader.Reader.search``: one statement, bm25 over the matches, SQLite's bounded
sorter keeping the top N, snippets for those N) and of ``Library.search`` (the same statement
through SQLAlchemy and the models), as wall and CPU time (the wall time of a shared machine
follows its load), and the read path's CPU time against the 50 ms goal (≤ 1 meets it).

    python bench/search.py                    # 50,000 works, top 20
    python bench/search.py --n 10000 --keep /tmp/bench10k.db
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from import_export import base_records, varied  # noqa: E402

from phbrefs.db.location import Location  # noqa: E402
from phbrefs.db.reader import Reader  # noqa: E402
from phbrefs.library import Library  # noqa: E402

GOAL = 0.050  # seconds, in the process
MATCH_ALL = "review"
QUERIES = [
    ("one title", "{rare}"),
    ("common word", "model"),
    ("two words", "health care"),
    ("phrase", '"climate change"'),
    ("prefix", "patient*"),
    ("match-all word", MATCH_ALL),
    ("match-all OR", "Brontë OR Núñez OR Berg OR Wójcik"),
]


def build(path: Path, n: int) -> None:
    """A library of ``n`` distinct works, stored in batches as an import stores them."""
    records = varied(base_records(), n, random.Random(7))
    for record in records:
        record.keywords = [*record.keywords, MATCH_ALL]
    with Library(path) as library:
        for start in range(0, n, 5000):
            library.add_many(records[start : start + 5000])


def median_time(function, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median (wall, CPU) seconds of ``function()``, after one warming call."""
    function()  # warm: pages in the OS cache, statements prepared
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000, help="works in the library")
    parser.add_argument("--limit", type=int, default=20, help="top N")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="library file to reuse or create")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    path = args.keep or Path(folder.name) / "bench.db"
    if not path.exists():
        start = time.perf_counter()
        build(path, args.n)
        print(f"built {args.n:,} works in {time.perf_counter() - start:.1f} s ({path})")
    location = Location(str(path))
    with Reader(location) as reader, Library(location, create=False) as library:
        total = library.count()
        rare = library.works()[total // 2].record.title.split()[-1]  # the title's serial
        print(f"{total:,} works; top {args.limit}; medians of {args.repeat} runs")
        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        print(
            f"{'query':<16} {'matches':>8} {'read wall':>10} {'read cpu':>9} "
            f"{'Library wall':>13} {'Library cpu':>12} {'cpu ÷ goal':>10}"
        )
        worst = 0.0
        for label, template in QUERIES:
            query = template.format(rare=rare)
            matches = reader.count_matches(query)
            fast = median_time(lambda q=query: reader.search(q, limit=args.limit), args.repeat)
            full = median_time(lambda q=query: library.search(q, limit=args.limit), args.repeat)
            worst = max(worst, fast[1])
            print(
                f"{label:<16} {matches:>8,} {fast[0] * 1000:>8.1f}ms {fast[1] * 1000:>7.1f}ms "
                f"{full[0] * 1000:>11.1f}ms {full[1] * 1000:>10.1f}ms {fast[1] / GOAL:>10.2f}"
            )
        verdict = "meets" if worst <= GOAL else "misses"
        print(
            f"slowest: {worst * 1000:.1f} ms CPU = {worst / GOAL:.2f} × the 50 ms goal ({verdict})"
        )
    folder.cleanup()


if __name__ == "__main__":
    main()
