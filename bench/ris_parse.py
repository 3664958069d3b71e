"""Benchmark: phbrefs's RIS parse (text -> WorkRecords, errors, warnings) against rispy.loads.

Stages in CPU seconds, best of ``--rounds`` (rounds interleaved, so that a loaded machine slows
each alike): rispy.loads, phbrefs's entry reader (``ris_entries``), and the whole parse as an
import runs it (garbage collector paused, as ``parse_input`` does), on 10,000 generated records
(bench/import_export.py's) and on real search exports repeated to the same size.

    python bench/ris_parse.py            # 10,000 records
    python bench/ris_parse.py --n 2000 --rounds 3
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import rispy  # noqa: E402
from import_export import base_records, stored, varied  # noqa: E402

from phbrefs.formats import get_exporter  # noqa: E402
from phbrefs.formats.ris import RisImporter  # noqa: E402
from phbrefs.formats.ris_entries import read_entries  # noqa: E402
from phbrefs.importing import _bulk  # noqa: E402

REAL = [Path("/work/shared/dedup-dev"), ROOT / "tests/fixtures/dedup"]


def real_export(n: int) -> str:
    """The real exports' entries repeated to ``n`` entries."""
    folder = next(p for p in REAL if p.exists())
    entries = []
    for path in sorted(folder.glob("**/*.ris")):
        text = path.read_text(encoding="utf-8")
        entries += [e.strip() for e in text.split("\nER  - ") if e.strip()]
    return "".join(f"{entries[i % len(entries)]}\nER  - \n\n" for i in range(n))


def cpu(function) -> float:  # type: ignore[no-untyped-def]
    gc.collect()
    start = time.process_time()
    function()
    return time.process_time() - start


def bench(name: str, text: str, rounds: int) -> None:
    importer = RisImporter()
    bare = reader = parse = float("inf")
    for _ in range(rounds):
        bare = min(bare, cpu(lambda: rispy.loads(text)))
        with _bulk():
            reader = min(reader, cpu(lambda: read_entries(text.splitlines(), 1)))
            parse = min(parse, cpu(lambda: importer.parse(text, name)))
    print(
        f"{name:9} {len(text) / 1e6:4.1f} MB | rispy.loads {bare:5.2f} s | entries read "
        f"{reader:5.2f} s ({reader / bare:.2f}x) | phbrefs parse {parse:5.2f} s "
        f"({parse / bare:.2f}x) | load {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    generated = get_exporter("ris").export(
        stored(varied(base_records(), args.n, random.Random(2026)))
    )
    bench("generated", generated, args.rounds)
    bench("real", real_export(args.n), args.rounds)


if __name__ == "__main__":
    main()
