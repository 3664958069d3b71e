"""Benchmark: peak memory of importing N BibTeX entries against the bare parse of the same text.

Each side runs in a fresh process (its peak resident size is its own): bibtexparser 2 parsing
the file, and ``phbrefs import`` of it into a fresh library. The text is the real Zotero export
of bench/data repeated to N entries with distinct keys, as in bench/import_export.py.

    python bench/import_memory.py            # 10,000 entries
    python bench/import_memory.py --n 50000  # the size the issue names
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from import_export import real_export  # noqa: E402

BARE = (
    "import bibtexparser, sys\n"
    "bibtexparser.parse_string(open(sys.argv[1], encoding='utf-8').read())\n"
)


# a fresh process whose one child is the command: its children's peak is the command's own
MEASURE = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True, capture_output=True)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def peak_kib(command: list[str], env: dict[str, str] | None = None) -> int:
    """The command's peak resident size (KiB), as the OS recorded it."""
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], check=True, capture_output=True, env=env
    )
    return int(result.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "export.bib"
        source.write_text(real_export(args.n), encoding="utf-8")
        bare = peak_kib([sys.executable, "-c", BARE, str(source)])
        env = {
            **os.environ,
            "PHBREFS_DB": str(Path(folder) / "library.db"),
            "PHBREFS_CONFIG": str(Path(folder) / "config.toml"),
            "PHBREFS_CACHE": "off",
        }
        ours = peak_kib([sys.executable, "-m", "phbrefs", "import", str(source)], env)
        size = source.stat().st_size
    print(
        f"{args.n} entries ({size / 1e6:.1f} MB): bare "
        f"bibtexparser parse peak {bare / 1024:.0f} MiB; phbrefs import peak {ours / 1024:.0f} "
        f"MiB ({ours / bare:.2f}x; goal <= 1x)"
    )


if __name__ == "__main__":
    main()
