"""The rows of the performance table, one machine-readable line each.

Each benchmark prints its figures for people and, for each row of the performance goals it
measures, one ``row: {json}`` line; ``bench/performance.py`` runs them all in one go and makes
the README's table from those lines.
"""

from __future__ import annotations

import json

PREFIX = "row: "


def report(path: str, ours: str, reference: str, ratio: str, goal: str, met: bool) -> None:
    """One row: the path measured, phbrefs's figure, the reference's, the ratio (or the figure
    a goal in seconds is judged on) and the goal."""
    row = {"path": path, "ours": ours, "reference": reference, "ratio": ratio, "goal": goal}
    print(PREFIX + json.dumps({**row, "met": met}, ensure_ascii=False), flush=True)
