"""Full-text search on PostgreSQL against SQLite (the baseline), same library, same run.

Builds N synthetic works in a SQLite file and in a throwaway PostgreSQL cluster (the tests'
``LocalCluster``), then times ``Library.search`` (top 50) for a rare word, a common word and a
word every work holds. Prints milliseconds per query and the PostgreSQL/SQLite ratio.

    python bench/search_postgres.py [N]    # default 10,000 works
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

from postgres_server import LocalCluster, Server, postgres_bin

from phbrefs.library import Library
from phbrefs.records import Contributor, PartialDate, WorkRecord

WORDS = (
    "care health personal budget direct payment choice control service user carer support "
    "integration commissioning outcome wellbeing disability mental older people social policy "
    "england evaluation qualitative interview trial cost market provider assessment plan"
).split()
QUERIES = {"rare word (10 works)": "zebrafish", "common word": "choice", "every work": "budget"}


def corpus(n: int) -> list[WorkRecord]:
    rng = random.Random(7)
    works = []
    for i in range(n):
        title = " ".join(rng.choices(WORDS, k=8)) + " budget" + (" zebrafish" if i < 10 else "")
        works.append(
            WorkRecord(
                type="article-journal",
                title=title,
                abstract=" ".join(rng.choices(WORDS, k=120)),
                doi=f"10.5555/bench.{i}",
                issued=PartialDate(2000 + i % 25),
                contributors=[Contributor(given="A.", family=f"Author{i % 997}")],
                container_title=f"Journal {i % 50}",
            )
        )
    return works


def timed(library: Library, query: str, repeat: int = 5) -> float:
    library.search(query)  # warm
    start = time.perf_counter()
    for _ in range(repeat):
        library.search(query)
    return (time.perf_counter() - start) / repeat * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    works = corpus(n)
    cluster = LocalCluster(postgres_bin(), Path(tempfile.mkdtemp(prefix="phbrefs-bench-")))
    server = Server(cluster.start())
    try:
        with (
            Library(Path(tempfile.mkdtemp()) / "library.db") as sqlite,
            Library(server.migrated()) as postgres,
        ):
            for library in (sqlite, postgres):
                for start in range(0, n, 2000):
                    library.add_many(works[start : start + 2000])
            print(f"{n:,} works; top 50; ms per query")
            print(f"{'query':<24}{'SQLite':>10}{'PostgreSQL':>12}{'ratio':>8}")
            for label, query in QUERIES.items():
                base, pg = timed(sqlite, query), timed(postgres, query)
                print(f"{label:<24}{base:>10.1f}{pg:>12.1f}{pg / base:>7.1f}×")
    finally:
        server.drop_all()
        cluster.stop()


if __name__ == "__main__":
    main()
