"""How long the review tables take on a large review: 500 papers, 100 claims, 5,000 findings.

Prints, for each table, the time to build it and write Markdown (the target: under a second),
then the time each format's writer takes, and ratios against a baseline measured in the same run
(``Library.works()`` loading all 500 works). Run: ``python bench/tables.py [--papers N ...]``.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rows import report
from sqlalchemy import insert

from phbrefs.db import models as m
from phbrefs.library import Library
from phbrefs.records import Contributor, PartialDate, UpdateNotice, WorkRecord
from phbrefs.tables import TABLE_FORMATS, TABLE_NAMES, build_table, write_table

STANCES = ("supports", "supports", "supports", "contradicts", "mixed", "neutral")
SURNAMES = ("Welch", "Jones", "Caiels", "Windle", "Bass", "Smith", "Patel", "Okafor", "Nguyen")


def make_records(papers: int, rng: random.Random) -> list[WorkRecord]:
    records = []
    for i in range(papers):
        authors = [
            Contributor(given="Alex", family=rng.choice(SURNAMES) + ("" if j else str(i % 37)))
            for j in range(rng.randint(1, 5))
        ]
        record = WorkRecord(
            type="article-journal",
            title=f"Personal health budgets study {i}: what budget-holders said",
            doi=f"10.5555/bench.{i}",
            contributors=authors,
            issued=PartialDate(2009 + i % 14),
            container_title="Health and Social Care in the Community",
            volume=str(20 + i % 10),
            issue=str(1 + i % 6),
            pages=f"{100 + i}-{110 + i}",
        )
        if i % 97 == 0:
            record.updates = [UpdateNotice("updated-by", "retraction", f"10.5555/retraction.{i}")]
        records.append(record)
    return records


def build_library(path: Path, papers: int, claims: int, findings: int) -> Library:
    rng = random.Random(7)
    library = Library(path)
    results = library.add_many(make_records(papers, rng))
    work_ids = [r.work_id for r in results]
    with library.session() as session:
        conn = session.connection()
        claim_ids = [
            row[0]
            for row in conn.execute(
                insert(m.Claim).returning(m.Claim.id, sort_by_parameter_order=True),
                [
                    {
                        "slug": f"claim-{c}",
                        "statement": f"Claim {c}: budgets change how services work together.",
                        "theme": f"Theme {c % 8}",
                        "position": c,
                        "created_at": m.utcnow(),
                        "updated_at": m.utcnow(),
                    }
                    for c in range(claims)
                ],
            )
        ]
        conn.execute(
            insert(m.Finding),
            [
                {
                    "work_id": rng.choice(work_ids),
                    "claim_id": rng.choice(claim_ids),
                    "stance": rng.choice(STANCES),
                    "quote": "budget-holders valued choice and control " * rng.randint(1, 4),
                    "location": f"p. {rng.randint(1, 20)}",
                    "participants": "budget-holders",
                    "coded_at": m.utcnow(),
                }
                for _ in range(findings)
            ],
        )
        conn.execute(
            insert(m.Study),
            [
                {
                    "work_id": w,
                    "aim": "To explore implementation",
                    "design": "Qualitative",
                    "data_collection": "Interviews",
                    "country": "England",
                    "updated_at": m.utcnow(),
                }
                for w in work_ids
            ],
        )
        conn.execute(
            insert(m.StudyGroup),
            [
                {"work_id": w, "label": label, "count": n, "unit": "interviews", "position": p}
                for w in work_ids
                for p, (label, n) in enumerate((("budget-holders", 12), ("carers", 6)))
            ],
        )
        conn.execute(
            insert(m.CerqualAssessment),
            [
                {
                    "claim_id": c,
                    "methodological_limitations": "minor",
                    "coherence": "moderate",
                    "adequacy": "minor",
                    "relevance": "no or very minor",
                    "overall": "moderate",
                    "assessed_at": m.utcnow(),
                }
                for c in claim_ids[::2]
            ],
        )
    return library


def best_of(repeat: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=500)
    parser.add_argument("--claims", type=int, default=100)
    parser.add_argument("--findings", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        start = time.perf_counter()
        library = build_library(out / "bench.db", args.papers, args.claims, args.findings)
        print(
            f"library: {args.papers} papers, {args.claims} claims, {args.findings} findings "
            f"(built in {time.perf_counter() - start:.2f} s)"
        )
        baseline = best_of(args.repeat, library.works)
        print(f"baseline: Library.works() loading all papers: {baseline * 1000:.0f} ms\n")
        tables = {}
        print(f"{'table':<8} {'rows':>5} {'build+md':>9} {'ratio':>6}")
        for name in TABLE_NAMES:
            options = {"claim": "claim-1"} if name == "claim" else {}

            def build_and_write(name: str = name, options: dict = options) -> None:
                tables[name] = build_table(library, name, **options)
                write_table(tables[name], out / f"{name}.md")

            elapsed = best_of(args.repeat, build_and_write)
            print(
                f"{name:<8} {len(tables[name].rows):>5} {elapsed * 1000:>6.0f} ms "
                f"{elapsed / baseline:>5.1f}x"
            )
        print("\nwriting only (one run), ms:")
        print(f"{'table':<8}" + "".join(f"{fmt:>8}" for fmt in TABLE_FORMATS))
        for name, table in tables.items():
            cells = []
            for fmt in TABLE_FORMATS:
                target = out / f"{name}.{fmt}"
                elapsed = best_of(1, lambda t=table, p=target: write_table(t, p))
                cells.append(f"{elapsed * 1000:>8.0f}")
            print(f"{name:<8}" + "".join(cells))
        matrix_cost("matrix" in tables and tables["matrix"], out)
        matrix_row(library, out, args)
        library.close()


def matrix_cost(table: object, out: Path) -> None:
    """``table matrix`` as docx against Markdown, wall and CPU (the machine may be loaded)."""
    if not table:
        return
    costs = {}
    for fmt in ("md", "docx"):
        start, cpu = time.perf_counter(), time.process_time()
        write_table(table, out / f"matrix-cost.{fmt}")  # type: ignore[arg-type]
        costs[fmt] = (time.perf_counter() - start, time.process_time() - cpu)
    (md_wall, md_cpu), (docx_wall, docx_cpu) = costs["md"], costs["docx"]
    print(
        f"\nmatrix docx {docx_wall:.2f} s (CPU {docx_cpu:.2f} s) against Markdown "
        f"{md_wall:.2f} s (CPU {md_cpu:.2f} s); load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )


def matrix_row(library: object, out: Path, args: argparse.Namespace) -> None:
    """The performance row: ``table matrix`` built and written as docx, against Markdown."""
    costs = {}
    for fmt in ("md", "docx"):
        start, cpu = time.perf_counter(), time.process_time()
        write_table(build_table(library, "matrix"), out / f"matrix-row.{fmt}")
        costs[fmt] = (time.perf_counter() - start, time.process_time() - cpu)
    (md_wall, md_cpu), (docx_wall, docx_cpu) = costs["md"], costs["docx"]
    report(
        f"`table matrix` {args.papers} papers × {args.claims} claims, docx",
        f"{docx_wall:.2f} s (CPU {docx_cpu:.2f} s)",
        f"Markdown {md_wall:.2f} s (CPU {md_cpu:.2f} s)",
        f"{docx_wall:.2f} s wall ({docx_wall / md_wall:.2f}× Markdown)",
        "≤ 2 s",
        docx_wall <= 2.0,
    )


if __name__ == "__main__":
    main()
