"""Benchmark: what the cleaning step (phbrefs.cleaning) adds to parsing 10,000 records.

Parses the same BibTeX, RIS and CSL-JSON texts with the cleaning steps and with none (the
baseline, measured in the same run) and prints the ratio.

    python bench/cleaning.py            # 10,000 records
    python bench/cleaning.py --n 2000   # a quicker run
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import import_export as base  # noqa: E402

from phbrefs import cleaning  # noqa: E402
from phbrefs.formats import get_exporter, get_importer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    n = parser.parse_args().n
    records = base.varied(base.base_records(), n, random.Random(7))
    works = base.stored(records)
    print(f"{n} records: parse time with cleaning / without")
    steps = cleaning.STEPS
    for name in ("bibtex", "ris", "csljson"):
        text = get_exporter(name).export(works)
        importer = get_importer(name)
        cleaning.STEPS = ()
        bare, _ = base.timed(importer.parse, text, "bench")
        cleaning.STEPS = steps
        cleaned, _ = base.timed(importer.parse, text, "bench")
        print(f"  {name:8} {cleaned:6.2f}s / {bare:6.2f}s = {cleaned / bare:4.2f}x")


if __name__ == "__main__":
    main()
