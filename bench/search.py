"""Benchmark: full-text search latency at 50,000 works, against the 50 ms goal.

Works are the recorded Crossref records varied as in bench/import_export.py (real titles,
abstracts and authors), each also keyworded "review" so that one query matches every work.
For each query it prints the median in-process time of the read path the CLI uses
(``phbrefs.db.reader.Reader.search``: top N by bm25, snippets for those N only) and of the
``Library.search`` statement (bm25 and snippet for every match, then the limit), and the ratio
of the read path to the 50 ms goal (≤ 1 meets it).

    python bench/search.py                    # 50,000 works, top 20
    python bench/search.py --n 10000 --keep /tmp/bench10k.db
"""

from __future__ import annotations

import argparse
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
    ("common word", "health"),
    ("two words", "personal health"),
    ("phrase", '"health budgets"'),
    ("prefix", "implem*"),
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


def median_time(function, repeat: int) -> float:  # type: ignore[no-untyped-def]
    function()  # warm: pages in the OS cache, statements prepared
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
        print(f"{'query':<16} {'matches':>8} {'read path':>10} {'Library':>9} {'÷ goal':>7}")
        worst = 0.0
        for label, template in QUERIES:
            query = template.format(rare=rare)
            matches = reader.count_matches(query)
            fast = median_time(lambda q=query: reader.search(q, limit=args.limit), args.repeat)
            full = median_time(lambda q=query: library.search(q, limit=args.limit), args.repeat)
            worst = max(worst, fast)
            print(
                f"{label:<16} {matches:>8,} {fast * 1000:>8.1f}ms {full * 1000:>7.1f}ms "
                f"{fast / GOAL:>7.2f}"
            )
        verdict = "meets" if worst <= GOAL else "misses"
        print(f"slowest: {worst * 1000:.1f} ms = {worst / GOAL:.2f} × the 50 ms goal ({verdict})")
    folder.cleanup()


if __name__ == "__main__":
    main()
