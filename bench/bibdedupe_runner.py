"""Run bib-dedupe on one records CSV and write its duplicate groups (run by bench/dedup.py
with the interpreter of bench/.venv-bibdedupe, never with phbrefs's own environment).

    python bench/bibdedupe_runner.py RECORDS.csv GROUPS.csv

Prints the seconds bib-dedupe's own steps took (prep, block, match, cluster) on stdout.
"""

from __future__ import annotations

import csv
import sys
import time

import pandas as pd
from bib_dedupe.bib_dedupe import block, cluster, match, prep


def main(records: str, out: str) -> None:
    frame = pd.read_csv(records, dtype=str, keep_default_na=False)
    start = time.perf_counter()
    matched = match(block(prep(frame, verbosity_level=0), verbosity_level=0), verbosity_level=0)
    groups = cluster(matched, verbosity_level=0)
    took = time.perf_counter() - start
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["record_id", "group_id"])
        for number, group in enumerate(groups):
            writer.writerows([record_id, f"b{number}"] for record_id in sorted(group))
    print(f"{took:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
