"""The labelled development sets and their scoring, shared by bench/dedup.py and its helpers.

Provenance of bench/data/dedup/ (copied from the project's shared data): see its README.md.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "dedup"
SCORER = DATA / "dedup_score.py"


@dataclass
class DevSet:
    name: str
    folder: Path

    @property
    def ris(self) -> Path:
        return self.folder / "records.ris"

    @property
    def truth_args(self) -> list[str]:
        groups = self.folder / "truth_groups.csv"
        if groups.exists():
            return ["--truth-groups", str(groups)]
        return ["--truth-flags", str(self.folder / "truth_records.csv")]


SETS = [DevSet(name, DATA / name) for name in ("sra_respiratory", "iebh_copper")]


def write_groups(path: Path, groups: dict[str, str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["record_id", "group_id"])
        writer.writerows(groups.items())


def score(devset: DevSet, pred: Path) -> dict:
    """The shared scorer's JSON figures for one prediction file."""
    out = subprocess.run(
        [sys.executable, str(SCORER), "score", *devset.truth_args, "--pred", str(pred), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def figures(result: dict) -> tuple[float | None, float | None]:
    """Precision and recall: pairwise where groups are known, membership otherwise."""
    if "pairwise" in result:
        block = result["pairwise"]
        return block["precision"], block["recall"]
    block = result["membership_flags"]
    return block["precision"], block["sensitivity"]
