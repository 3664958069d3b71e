"""Benchmark: duplicates in two real, labelled search exports, scored with the shared scorer.

For each development set (bench/data/dedup/, see its README.md for provenance) prints, in one
run, precision / recall and time of:

- phbrefs, engine: the matching engine on the parsed records, merge tier and merge + review;
- phbrefs, CLI: ``phbrefs import`` of the RIS file into a fresh library then ``phbrefs dedup``
  (what import merged, and then what dedup proposes), each a real process, start-up included;
- bib-dedupe (CoLRev), installed into its own environment bench/.venv-bibdedupe (created on
  first run; never a phbrefs dependency), on the same parsed records;
- the exact-DOI and exact-title baselines of the shared scorer.

Pairwise precision / recall where the set has groups, record-level (membership) where it has
only flags. "review queue" is the precision of the pairs only a reviewer would see.

    python bench/dedup.py
    python bench/dedup.py --no-bibdedupe
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from devsets import SCORER, SETS, DevSet, figures, score, write_groups  # noqa: E402

from phbrefs.dedup import Fingerprint, find_pairs, group_pairs  # noqa: E402
from phbrefs.formats.ris import RisImporter  # noqa: E402
from phbrefs.records import WorkRecord  # noqa: E402

BIB_VENV = ROOT / "bench" / ".venv-bibdedupe"
BIB_PYTHON = BIB_VENV / "bin" / "python"


def record_id(record: WorkRecord) -> str:
    """The RIS ``ID`` tag: the citekey the importer proposed, or (numeric) kept in extra."""
    return record.citekey or record.extra.get("ID", "")


def bib_fields(record: WorkRecord) -> dict[str, str]:
    """The record as bib-dedupe's data frames hold one (its benchmark's CSV columns)."""
    authors = " and ".join(
        f"{c.family}, {c.given}" if c.given else (c.family or c.literal or "")
        for c in record.authors
    )
    return {
        "ID": record_id(record),
        "ENTRYTYPE": "article" if record.type.startswith("article") else "misc",
        "author": authors,
        "title": record.full_title or "",
        "journal": record.container_title or "",
        "year": str(record.year or ""),
        "volume": record.volume or "",
        "number": record.issue or "",
        "pages": record.pages or "",
        "doi": record.doi or "",
        "abstract": record.abstract or "",
    }


def write_records(path: Path, records: list[WorkRecord]) -> None:
    rows = [bib_fields(r) for r in records]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    # the shared scorer's baselines read record_id, doi, title
    with path.with_suffix(".base.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["record_id", "doi", "title"])
        writer.writerows([row["ID"], row["doi"], row["title"]] for row in rows)


def true_pairs(devset: DevSet) -> set[frozenset[str]] | None:
    path = devset.folder / "truth_groups.csv"
    if not path.exists():
        return None
    groups: dict[str, list[str]] = {}
    with path.open(encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            groups.setdefault(row["group_id"], []).append(row["record_id"])
    return {frozenset((a, b)) for g in groups.values() for i, a in enumerate(g) for b in g[i + 1 :]}


def groups_of(pairs: list[tuple[str, str]], ids: list[str]) -> dict[str, str]:
    class Edge:
        def __init__(self, a: str, b: str) -> None:
            self.a, self.b = a, b

    return {ref: f"g:{group[0]}" for group in group_pairs(Edge(*p) for p in pairs) for ref in group}


Pairs = list[tuple[str, str]]


@dataclass
class Timing:
    """Wall-clock seconds, and CPU seconds of this process and the processes it ran: on a
    shared machine the wall clock also counts the waits for a free core."""

    wall: float = 0.0
    cpu: float = 0.0


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@contextmanager
def clock() -> Iterator[Timing]:
    timing = Timing()
    wall, cpu = time.perf_counter(), _cpu()
    yield timing
    timing.wall, timing.cpu = time.perf_counter() - wall, _cpu() - cpu


def run_engine(records: list[WorkRecord]) -> tuple[Timing, Pairs, Pairs]:
    with clock() as took:
        prints = [Fingerprint.of(i, r) for i, r in enumerate(records)]
        pairs = find_pairs(prints, set())
    ids = [record_id(r) for r in records]
    merge = [(ids[p.a], ids[p.b]) for p in pairs if p.confident]
    review = [(ids[p.a], ids[p.b]) for p in pairs if not p.confident]
    return took, merge, review


def run_cli(devset: DevSet, ids: list[str], work: Path) -> tuple[Timing, Pairs, Pairs]:
    """``phbrefs import`` then ``phbrefs dedup`` in real processes, into a fresh library."""
    phbrefs = [sys.executable, "-m", "phbrefs", "--db", str(work / f"{devset.name}.db")]
    with clock() as took:
        imported = subprocess.run(
            [*phbrefs, "import", str(devset.ris), "--json"], capture_output=True, text=True
        )
        listed = subprocess.run([*phbrefs, "dedup", "--json"], capture_output=True, text=True)
    items = json.loads(imported.stdout)["items"]
    assert len(items) == len(ids), "import items and parsed records differ"
    first_of: dict[str, str] = {}
    merge: Pairs = []
    review: Pairs = []
    key_to_record: dict[str, str] = {}
    for rid, item in zip(ids, items, strict=True):
        key = item["citekey"]
        if key in first_of:
            merge.append((first_of[key], rid))
        else:
            first_of[key] = key_to_record[key] = rid
        if item["outcome"] == "possible duplicate" and item["matched"] in first_of:
            review.append((first_of[item["matched"]], rid))
    for group in json.loads(listed.stdout):
        members = [key_to_record[k] for k in group["keys"] if k in key_to_record]
        edges = [(members[0], other) for other in members[1:]]
        (merge if group["confident"] else review).extend(edges)
    return took, merge, review


def run_bibdedupe(records_csv: Path, out: Path) -> tuple[float, Timing] | str:
    """(seconds of its steps, the process's timing), or why it could not run."""
    if not BIB_PYTHON.exists():
        made = subprocess.run([sys.executable, "-m", "venv", str(BIB_VENV)], capture_output=True)
        if made.returncode == 0:
            installed = subprocess.run(
                [str(BIB_PYTHON), "-m", "pip", "install", "-q", "bib-dedupe"],
                capture_output=True,
                text=True,
            )
            if installed.returncode != 0:
                return "bib-dedupe could not be installed: " + installed.stderr.strip()[-300:]
    runner = ROOT / "bench" / "bibdedupe_runner.py"
    with clock() as wall:
        ran = subprocess.run(
            [str(BIB_PYTHON), str(runner), str(records_csv), str(out)],
            capture_output=True,
            text=True,
        )
    if ran.returncode != 0:
        return "bib-dedupe failed: " + ran.stderr.strip()[-300:]
    return float(ran.stdout.strip().splitlines()[-1]), wall


def baseline(base_csv: Path, method: str, out: Path) -> Timing:
    command = ["baseline", "--records", str(base_csv), "--method", method, "--out", str(out)]
    with clock() as took:
        subprocess.run([sys.executable, str(SCORER), *command], capture_output=True, check=True)
    return took


def fmt(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:.3f}"


def report(devset: DevSet, work: Path, label: str, groups: dict[str, str], took: Timing,
           note: str = "") -> None:  # fmt: skip
    pred = work / f"{devset.name}-{label.replace(' ', '_').replace('+', 'p')}.csv"
    write_groups(pred, groups)
    p, r = figures(score(devset, pred))
    print(f"{label:<30} {fmt(p):>6} {fmt(r):>6}  {took.wall:7.2f} {took.cpu:7.2f}{note}")


def bench_set(devset: DevSet, work: Path, with_bibdedupe: bool) -> None:
    records = RisImporter().parse(devset.ris.read_text(encoding="utf-8"), "bench").records
    ids = [record_id(r) for r in records]
    records_csv = work / f"{devset.name}.csv"
    write_records(records_csv, records)
    truth = true_pairs(devset)
    print(f"\n{devset.name}: {len(records)} records")
    print(f"{'method':<30} {'P':>6} {'R':>6}  {'wall s':>7} {'cpu s':>7}")
    times = {}
    for name in ("phbrefs engine", "phbrefs CLI"):
        if name == "phbrefs engine":
            took, merge, review = run_engine(records)
        else:
            took, merge, review = run_cli(devset, ids, work)
        times[name] = took
        report(devset, work, f"{name}: merge", groups_of(merge, ids), took)
        report(devset, work, f"{name}: merge+review", groups_of(merge + review, ids), took)
        if truth is not None and review:
            queue = sum(frozenset(p) in truth for p in review) / len(review)
            print(f"{'':<4}review queue: {len(review)} pairs, precision {queue:.3f}")
    if not with_bibdedupe:
        print("bib-dedupe: skipped (--no-bibdedupe)")
    else:
        out = work / f"{devset.name}-bibdedupe.csv"
        ran = run_bibdedupe(records_csv, out)
        if isinstance(ran, str):
            print(ran)
        else:
            steps, wall = ran
            groups = {row["record_id"]: row["group_id"] for row in csv.DictReader(out.open())}
            report(devset, work, "bib-dedupe", groups, wall, f"  (its steps {steps:.2f} s)")
            for name, took in times.items():
                print(f"{'':<4}speed: {name} {wall.wall / took.wall:.1f}x faster than bib-dedupe "
                      f"(wall), {wall.cpu / took.cpu:.1f}x (CPU)")  # fmt: skip
    for method in ("doi", "title"):
        out = work / f"{devset.name}-{method}.csv"
        took = baseline(records_csv.with_suffix(".base.csv"), method, out)
        groups = {row["record_id"]: row["group_id"] for row in csv.DictReader(out.open())}
        report(devset, work, f"exact {method}", groups, took)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-bibdedupe", action="store_true", help="skip bib-dedupe")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="phbrefs-dedup-bench-"))
    for devset in SETS:
        bench_set(devset, work, not args.no_bibdedupe)


if __name__ == "__main__":
    main()
