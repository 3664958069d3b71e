"""Benchmark: read commands as whole processes against ``phbrefs --help``, and ``list`` at
10,000 works against ``pubs list``.

1. A library of 300 works (real Crossref records varied as in bench/import_export.py, with tags
   and notes): ``list``, ``list --json``, ``show``, ``show --json``, ``search``, ``tags``, each
   run as a fresh process; the median wall time and its ratio to ``--help``'s (goal ≤ 1.5).
2. The same records at 10,000 works: ``list`` into a pipe (tab-separated lines), ``list`` as a
   table on a terminal (forced with TTY_COMPATIBLE, without the pager), ``list --limit 20`` and
   ``list --json``, against ``pubs list`` on the same works exported as BibTeX and imported
   into pubs (goal: faster than pubs; ``--json`` ≤ 1 s). pubs is installed into its own venv,
   bench/.pubs-venv, on first use: never a phbrefs dependency.

Wall times depend on the load of a shared machine, so the CPU time (user + system) of each
process is printed beside them, and the load average before and after.

    python bench/startup.py               # both parts
    python bench/startup.py --large 0     # part 1 only
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from import_export import base_records, varied  # noqa: E402
from rows import report  # noqa: E402

from phbrefs.library import Library  # noqa: E402

PHBREFS = [sys.executable, "-m", "phbrefs"]
PUBS_VENV = BENCH / ".pubs-venv"
GOAL_RATIO = 1.5
JSON_GOAL = 1.0  # seconds for list --json at 10,000 works


def build(path: Path, n: int) -> list[str]:
    """A library of ``n`` works, a tenth of them tagged, a twentieth with a note; its keys."""
    records = varied(base_records(), n, random.Random(11))
    with Library(path) as library:
        results = []
        for start in range(0, n, 5000):
            results += library.add_many(records[start : start + 5000])
        keys = [r.citekey for r in results if r.citekey]
        library.tag(keys[::10], add=["screening"])
        library.tag(keys[::25], add=["included"])
        for key in keys[::20]:
            library.add_note(key, "health budgets: check the appendix")
    return keys


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one process, its output discarded."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def medians(
    commands: list[tuple[list[str], dict[str, str]]], repeat: int
) -> list[tuple[float, float]]:
    """(wall, CPU) medians of each command, run in rounds (each command once per round) so
    that a change of the machine's load weighs on all of them alike."""
    for command, env in commands:
        run(command, env)  # warm the OS cache
    rounds = [[run(command, env) for command, env in commands] for _ in range(repeat)]
    return [
        (statistics.median(r[i][0] for r in rounds), statistics.median(r[i][1] for r in rounds))
        for i in range(len(commands))
    ]


def row(label: str, wall: float, cpu: float, base: tuple[float, float] | None, goal: str) -> None:
    ratio = f"{wall / base[0]:5.2f}× {cpu / base[1]:5.2f}×" if base else " " * 13
    print(f"{label:<34} {wall * 1000:7.0f} ms {cpu * 1000:7.0f} ms  {ratio}  {goal}")


def header(title: str, against: str) -> None:
    print(f"\n{title}")
    print(f"{'command':<34} {'wall':>10} {'cpu':>10}  {'÷ ' + against:>13}  goal")


def startup(folder: Path, env: dict[str, str], repeat: int) -> None:
    db = folder / "small.db"
    keys = build(db, 300)
    reads = [
        ["list"],
        ["list", "--json"],
        ["show", keys[20]],
        ["show", keys[20], "--json"],
        ["search", "health budgets"],
        ["search", "review"],
        ["tags"],
    ]
    commands = [([*PHBREFS, "--help"], env)]
    commands += [([*PHBREFS, "--db", str(db), *args], env) for args in reads]
    help_times, *times = medians(commands, repeat)
    header("1. read commands on 300 works, fresh processes (medians)", "--help")
    row("phbrefs --help", *help_times, None, "the baseline")
    for args, (wall, cpu) in zip(reads, times, strict=True):
        row("phbrefs " + " ".join(args)[:26], wall, cpu, help_times, f"≤ {GOAL_RATIO}× --help")
    worst_wall = max(wall for wall, _ in times) / help_times[0]
    worst_cpu = max(cpu for _, cpu in times) / help_times[1]
    print(
        f"slowest read command: {worst_wall:.2f}× --help in wall time, {worst_cpu:.2f}× in CPU "
        f"time (goal ≤ {GOAL_RATIO}×)"
    )


def pubs_command() -> Path:
    pubs = PUBS_VENV / "bin" / "pubs"
    if not pubs.exists():
        print("installing pubs into bench/.pubs-venv (once)...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(PUBS_VENV)], check=True)
        # pubs 0.9 uses the bibtexparser 1 API (and its pyparsing dependency)
        subprocess.run(
            [
                str(PUBS_VENV / "bin" / "pip"),
                "install",
                "-q",
                "pubs",
                "bibtexparser<2",
                "pyparsing",
            ],
            check=True,
        )
    return pubs


def large(folder: Path, env: dict[str, str], n: int, repeat: int) -> None:
    db = folder / "large.db"
    build(db, n)
    bib = folder / "large.bib"
    subprocess.run(
        [*PHBREFS, "--db", str(db), "export", "-f", "bibtex", "--all", "-o", str(bib)],
        env=env,
        check=True,
        capture_output=True,
    )
    pubs = pubs_command()
    config = folder / "pubsrc"
    pubs_env = {**env, "HOME": str(folder)}
    for args in (["init", "-p", str(folder / "pubs")], ["import", str(bib)]):
        subprocess.run(
            [str(pubs), "-c", str(config), *args], env=pubs_env, check=True, capture_output=True
        )
    terminal = {**env, "TTY_COMPATIBLE": "1", "COLUMNS": "160", "LINES": "50"}
    cases = [
        ("phbrefs list (into a pipe)", ["list"], env, "faster than pubs"),
        ("phbrefs list (table, terminal)", ["list", "--no-pager"], terminal, "faster than pubs"),
        ("phbrefs list --limit 20 (table)", ["list", "--limit", "20"], terminal, "—"),
        ("phbrefs list --json", ["list", "--json"], env, f"≤ {JSON_GOAL:g} s"),
    ]
    commands = [([str(pubs), "-c", str(config), "list"], pubs_env)]
    commands += [([*PHBREFS, "--db", str(db), *args], run_env) for _, args, run_env, _ in cases]
    pubs_times, *times = medians(commands, repeat)
    header(f"2. list at {n:,} works, fresh processes (medians)", "pubs list")
    row("pubs list", *pubs_times, None, "the reference")
    for (label, _, _, goal), (wall, cpu) in zip(cases, times, strict=True):
        row(label, wall, cpu, pubs_times, goal)
    (table_wall, table_cpu), (json_wall, json_cpu) = times[1], times[3]
    report(
        f"`list` as a table, {n // 1000}k",
        f"{table_wall:.2f} s (CPU {table_cpu:.2f} s)",
        f"`pubs list` {pubs_times[0]:.2f} s (CPU {pubs_times[1]:.2f} s)",
        f"{table_wall / pubs_times[0]:.2f}× wall, {table_cpu / pubs_times[1]:.2f}× CPU",
        "faster than pubs",
        table_wall < pubs_times[0],
    )
    report(
        f"`list --json`, {n // 1000}k",
        f"{json_wall:.2f} s (CPU {json_cpu:.2f} s)",
        f"`pubs list` {pubs_times[0]:.2f} s",
        f"{json_wall:.2f} s wall",
        f"≤ {JSON_GOAL:g} s",
        json_wall <= JSON_GOAL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="runs per command")
    parser.add_argument("--large", type=int, default=10_000, help="works in part 2 (0: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        env = {**os.environ, "PHBREFS_CONFIG": str(folder / "config.toml")}
        env["PHBREFS_CACHE"] = "off"
        env.pop("PHBREFS_DB", None)
        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        startup(folder, env, args.repeat)
        if args.large:
            large(folder, env, args.large, max(3, args.repeat // 3))
        print(f"\nload average {os.getloadavg()[0]:.2f} at the end")
        shutil.rmtree(folder / "pubs", ignore_errors=True)


if __name__ == "__main__":
    main()
