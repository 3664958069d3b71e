"""Benchmark: peak memory of importing N BibTeX entries against the bare parse of the same text.

Each side runs in a fresh process: bibtexparser 2 parsing the file, and ``phbrefs import`` of
it into a fresh library. The text is the real Zotero export of bench/data repeated to N
entries with distinct keys, as in bench/import_export.py.

Two figures per side: the command's own peak resident size as the OS records it, and the
peak of its whole process tree (the import forks a parse worker), sampled every 10 ms as
the sum of each process's proportional set size (shared pages split between the processes
that share them, so that nothing is counted twice).

    python bench/import_memory.py                  # 10,000 and 50,000 entries
    python bench/import_memory.py --n 10000
    python bench/import_memory.py --baseline DIR   # also a copy of another phbrefs checkout
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from import_export import real_export  # noqa: E402
from rows import report  # noqa: E402

BARE = (
    "import bibtexparser, sys\n"
    "bibtexparser.parse_string(open(sys.argv[1], encoding='utf-8').read())\n"
)


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo.extend(int(child) for child in children.read().split())
        except OSError:  # ended meanwhile
            continue
    return pids


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# ``phbrefs`` of the checkout given, not the one an editable install would find first
RUN = (
    "import runpy, sys\n"
    "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f)]\n"
    "sys.path.insert(0, sys.argv.pop(1))\n"
    "runpy.run_module('phbrefs', run_name='__main__', alter_sys=True)\n"
)

# a fresh process whose one child is the command: its children's peak is the command's own
MEASURE = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True, capture_output=True)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def peaks_kib(command: list[str], env: dict[str, str] | None = None) -> tuple[int, int]:
    """(the command's peak resident size as the OS recorded it, the sampled peak of its
    process tree's summed PSS), in KiB."""
    wrapper = subprocess.Popen(
        [sys.executable, "-c", MEASURE, *command], env=env, stdout=subprocess.PIPE
    )
    tree = 0
    while wrapper.poll() is None:
        pids = _tree(wrapper.pid)[1:]  # the command and its children, not the wrapper
        tree = max(tree, sum(_pss_kib(pid) for pid in pids))
        time.sleep(0.01)
    output = wrapper.stdout.read() if wrapper.stdout else b""
    if wrapper.returncode:
        raise SystemExit(f"{command} failed ({wrapper.returncode})")
    return int(output.split()[-1]), max(tree, 1)


def measure(n: int, checkouts: dict[str, Path]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "export.bib"
        source.write_text(real_export(n), encoding="utf-8")
        size = source.stat().st_size
        print(f"{n} entries ({size / 1e6:.1f} MB), load average "
              + " ".join(f"{x:.2f}" for x in os.getloadavg()))  # fmt: skip
        bare_own, bare_tree = peaks_kib([sys.executable, "-c", BARE, str(source)])
        print(f"  bare bibtexparser parse: peak {bare_own / 1024:.0f} MiB "
              f"(tree PSS {bare_tree / 1024:.0f} MiB)")  # fmt: skip
        for label, checkout in checkouts.items():
            env = {
                **os.environ,
                "PHBREFS_DB": str(Path(folder) / f"{label}.db"),
                "PHBREFS_CONFIG": str(Path(folder) / "config.toml"),
                "PHBREFS_CACHE": "off",
            }
            command = [sys.executable, "-c", RUN, str(checkout), "import", str(source)]
            own, tree = peaks_kib(command, env)
            print(
                f"  phbrefs import ({label}): peak {own / 1024:.0f} MiB ({own / bare_own:.2f}x), "
                f"tree PSS {tree / 1024:.0f} MiB ({tree / bare_tree:.2f}x; goal <= 1x)"
            )
            if label == "this":
                report(
                    f"import peak memory, {n // 1000}k real entries",
                    f"{own / 1024:.0f} MiB (tree {tree / 1024:.0f} MiB)",
                    f"bare parse {bare_own / 1024:.0f} MiB (tree {bare_tree / 1024:.0f} MiB)",
                    f"{own / bare_own:.2f}× (tree {tree / bare_tree:.2f}×)",
                    "≤ the bare parser's peak",
                    own <= bare_own and tree <= bare_tree,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="entries (repeat)")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure beside")
    args = parser.parse_args()
    checkouts = {"this": ROOT}
    if args.baseline:
        checkouts = {"baseline": args.baseline.resolve(), **checkouts}
    for n in args.n or [10_000, 50_000]:
        measure(n, checkouts)


if __name__ == "__main__":
    main()
