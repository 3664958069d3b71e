"""Benchmark: every row of the performance goals in one run, as the README's table.

Runs the benchmarks that measure the rows (each against its reference, measured in the same
run: rispy, pubs, bibtexparser, the network floor, Markdown), gathers the ``row:`` lines they
print (bench/rows.py) and prints the table in Markdown, with the machine's load before and
after. ``--readme`` also writes it into README.md, between its performance markers.

    python bench/performance.py            # about ten minutes on 2 cores
    python bench/performance.py --readme   # and regenerate the README's table
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from rows import PREFIX

BENCH = Path(__file__).resolve().parent
README = BENCH.parent / "README.md"
START, END = "<!-- performance table: start -->", "<!-- performance table: end -->"

SCRIPTS = [  # each with the arguments the rows are measured at
    ["import_export.py", "--n", "10000"],
    ["startup.py", "--repeat", "3"],
    ["import_memory.py", "--n", "10000", "--n", "50000"],
    ["batch_add.py", "--no-baseline"],
    ["tables.py"],
]


def gather(script: list[str]) -> list[dict[str, object]]:
    """The rows ``script`` prints; its other output goes to stderr, for the record."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(BENCH / script[0]), *script[1:]], capture_output=True, text=True
    )
    sys.stderr.write(result.stdout + result.stderr)
    if result.returncode:
        raise SystemExit(f"{script[0]} failed ({result.returncode})")
    print(f"{script[0]}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    lines = result.stdout.splitlines()
    return [json.loads(line[len(PREFIX) :]) for line in lines if line.startswith(PREFIX)]


def table(rows: list[dict[str, object]], before: str, after: str) -> str:
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} by `python bench/performance.py` on "
        f"{os.cpu_count()} cores, load average {before} at the start and {after} at the end.",
        "",
        "| path | phbrefs | reference | ratio | goal | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        cells = [row[k] for k in ("path", "ours", "reference", "ratio", "goal")]
        lines.append("| " + " | ".join(map(str, cells)) + f" | {'yes' if row['met'] else 'no'} |")
    return "\n".join(lines) + "\n"


def into_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    head, start, rest = readme.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"README.md has no {START} … {END} block")
    temporary = README.with_suffix(".md.tmp")
    temporary.write_text(f"{head}{START}\n{text}{END}{tail}", encoding="utf-8")
    temporary.replace(README)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    before = f"{os.getloadavg()[0]:.2f}"
    rows = [row for script in SCRIPTS for row in gather(script)]
    text = table(rows, before, f"{os.getloadavg()[0]:.2f}")
    print(text, end="")
    if args.readme:
        into_readme(text)


if __name__ == "__main__":
    main()
