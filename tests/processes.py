"""Many real phbrefs processes at once (the concurrency tests, on either backend)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def run_together(
    tmp_path: Path, db: str, commands: list[list[str]], timeout: float = 60, **env: str
) -> list[subprocess.CompletedProcess[str]]:
    """Start every ``phbrefs ARGS`` at once on the library ``db``, wait for all (bounded);
    none may print a traceback."""
    environment = {
        **os.environ,
        "PHBREFS_DB": db,
        "PHBREFS_CONFIG": str(tmp_path / "config.toml"),
        "PHBREFS_CACHE": "off",
        "PHBREFS_CODER": "tester",
        **env,
    }
    started = time.monotonic()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "phbrefs", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=environment,
            cwd=tmp_path,
        )
        for args in commands
    ]
    results = []
    for args, process in zip(commands, processes, strict=True):
        left = max(1.0, timeout - (time.monotonic() - started))
        stdout, stderr = process.communicate(timeout=left)
        results.append(subprocess.CompletedProcess(args, process.returncode, stdout, stderr))
    for result in results:
        assert "Traceback" not in result.stderr, result.stderr
    return results


def search_bibtex(n: int, start: int = 0) -> str:
    """``n`` distinct BibTeX entries (numbered from ``start``), each with its own DOI."""
    return "".join(
        f"@article{{entry{i},\n  title = {{Budget study number {i} on topic {i * 7919 % 1000}}},\n"
        f"  author = {{Author{i}, Ann and Other{i}, Bob}},\n  year = {{{2000 + i % 20}}},\n"
        f"  journal = {{Journal {i % 13}}},\n  doi = {{10.5555/concurrency.{i}}}\n}}\n\n"
        for i in range(start, start + n)
    )
