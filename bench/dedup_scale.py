"""Benchmark: de-duplication of 50,000 records, with precision and recall on planted duplicates.

Distinct works are synthesised from the recorded Crossref works' vocabulary (title words,
author names, journals); a share of them get a planted duplicate as another database would
export it: DOI dropped, title re-cased, punctuated or mistyped, accents stripped, given names
as initials, the year off by one, pages missing. Look-alike distinct works (a series' next
part, a later edition) test precision. The library holds all of them; `phbrefs dedup`'s
core (find_duplicates) runs over it. A pair counts as found when it scores as at least a
possible duplicate; "confident" pairs are those an import would merge without asking.

    python bench/dedup_scale.py           # 50,000 records
    python bench/dedup_scale.py --n 10000 # quicker
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from phbrefs.dedup import find_duplicates  # noqa: E402
from phbrefs.ids import ascii_fold  # noqa: E402
from phbrefs.library import Library  # noqa: E402
from phbrefs.records import Contributor, PartialDate, WorkRecord  # noqa: E402
from phbrefs.sources.crossref import record_from_crossref  # noqa: E402

WORKS = [Path("/work/shared/fixtures/crossref/works"), ROOT / "tests/fixtures/crossref/works"]


def vocabulary() -> tuple[list[str], list[tuple[str, str]], list[str]]:
    folder = next(p for p in WORKS if p.exists())
    words: set[str] = set()
    people: set[tuple[str, str]] = set()
    journals: set[str] = set()
    for path in folder.glob("*.json"):
        message = json.loads(path.read_text(encoding="utf-8")).get("message")
        if not isinstance(message, dict) or not message.get("title"):
            continue
        record = record_from_crossref(message)
        words.update(w for w in (record.title or "").split() if w.isalpha() and len(w) > 2)
        people.update((c.given, c.family) for c in record.contributors if c.family and c.given)
        if record.container_title:
            journals.add(record.container_title)
    return sorted(words), sorted(people), sorted(journals)


def distinct_works(n: int, rng: random.Random) -> list[WorkRecord]:
    words, people, journals = vocabulary()
    records = []
    for i in range(n):
        authors = rng.sample(people, rng.randint(1, 5))
        start = rng.randint(1, 2000)
        records.append(
            WorkRecord(
                type="article-journal",
                title=" ".join(rng.sample(words, rng.randint(5, 14))).capitalize(),
                contributors=[Contributor(given=g, family=f) for g, f in authors],
                issued=PartialDate(rng.randint(1980, 2026)),
                container_title=rng.choice(journals),
                volume=str(rng.randint(1, 60)),
                pages=f"{start}-{start + rng.randint(3, 30)}",
                doi=f"10.5555/dedup.{i}" if rng.random() < 0.7 else None,
            )
        )
    return records


def duplicate_of(record: WorkRecord, rng: random.Random) -> WorkRecord:
    """The same work as another database exports it (without the DOI)."""
    copy = WorkRecord.from_dict(record.to_dict())
    copy.doi = None  # a stored pair cannot share a DOI: same-DOI copies merge on import
    title = copy.title or ""
    change = rng.choice(["upper", "title", "typo", "punct", "fold", "none"])
    if change == "upper":
        title = title.upper()
    elif change == "title":
        title = title.title()
    elif change == "typo" and len(title) > 10:
        at = rng.randrange(len(title) - 1)
        title = title[:at] + title[at + 1] + title[at] + title[at + 2 :]
    elif change == "punct":
        title = title + "."
    elif change == "fold":
        title = ascii_fold(title)
    copy.title = title
    if rng.random() < 0.5:
        copy.contributors = [
            Contributor(given=(c.given or "")[:1] + ".", family=c.family) for c in copy.contributors
        ]
    if rng.random() < 0.1 and copy.issued:
        copy.issued = PartialDate(copy.issued.year + 1)
    if rng.random() < 0.3:
        copy.pages = None
    return copy


def near_miss(record: WorkRecord, rng: random.Random, index: int) -> WorkRecord:
    """A different work that looks alike: a series' next part, a later edition of a report."""
    other = WorkRecord.from_dict(record.to_dict())
    other.doi = f"10.5555/near.{index}" if rng.random() < 0.5 else None
    start = rng.randint(2001, 4000)
    other.pages = f"{start}-{start + 9}"
    if rng.random() < 0.5:
        other.title = f"{other.title}: part {rng.randint(2, 4)}"
    elif other.issued:
        other.issued = PartialDate(other.issued.year + rng.randint(2, 6))
    return other


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--share", type=float, default=0.05, help="share with a duplicate")
    args = parser.parse_args()
    rng = random.Random(7)
    planted_count = int(args.n * args.share)
    works = distinct_works(args.n - 2 * planted_count, rng)
    originals = rng.sample(range(len(works)), planted_count)
    near = [near_miss(works[i], rng, i) for i in rng.sample(range(len(works)), planted_count)]
    works += near  # hard negatives: distinct works a careless matcher would merge
    records = works + [duplicate_of(works[i], rng) for i in originals]
    planted = {frozenset((f"w{i}", f"w{len(works) + k}")) for k, i in enumerate(originals)}
    for index, record in enumerate(records):
        record.citekey = f"w{index}"
    with tempfile.TemporaryDirectory() as folder:
        library = Library(Path(folder) / "dedup.db")
        start = time.perf_counter()
        library.add_many(records)
        stored = time.perf_counter() - start
        start = time.perf_counter()
        groups = find_duplicates(library)
        seconds = time.perf_counter() - start
        library.close()
    found = {frozenset(p["keys"]) for g in groups for p in g.pairs}
    confident = {frozenset(p["keys"]) for g in groups for p in g.pairs if p["confident"]}

    def rates(pairs: set[frozenset[str]]) -> str:
        hits = len(pairs & planted)
        precision = hits / len(pairs) if pairs else 1.0
        return f"precision {precision:.3f}, recall {hits / len(planted):.3f} ({len(pairs)} pairs)"

    print(
        f"{len(records)} records ({planted_count} planted duplicates, {len(near)} look-alike "
        f"distinct works); stored in {stored:.1f} s"
    )
    print(f"find_duplicates: {seconds:.2f} s, {len(groups)} groups")
    print(f"  possible or better: {rates(found)}")
    print(f"  confident (merged on import): {rates(confident)}")


if __name__ == "__main__":
    main()
