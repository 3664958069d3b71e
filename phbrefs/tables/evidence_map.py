"""The evidence map: claims down the side, studies (or framework dimensions) across; a marker
where there is evidence, sized by the number of findings and coloured by stance.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from phbrefs import fileio
from phbrefs.errors import InvalidInputError
from phbrefs.tables.builders import Evidence, theme_ordered
from phbrefs.tables.data import NothingToTabulateError, load_evidence

if TYPE_CHECKING:
    from phbrefs.library import Library

MAP_AXES = ("studies", "dimensions")
MAP_FORMATS = (".png", ".svg")
STANCE_COLOURS = {
    "supports": "#1b7a2f",
    "contradicts": "#b3261e",
    "mixed": "#e08a00",
    "neutral": "#8a8a8a",
}


def _stance(stances: list[str]) -> str:
    distinct = set(stances)
    return distinct.pop() if len(distinct) == 1 and stances[0] in STANCE_COLOURS else "mixed"


def evidence_points(
    ev: Evidence, by: str
) -> tuple[list[str], list[str], list[tuple[int, int, int, str]]]:
    """Claim labels (rows), column labels, and ``(column, row, findings, stance)`` markers."""
    claims = theme_ordered(ev.data.claims)
    rows = [textwrap.shorten(c.statement, 70, placeholder="…") for c in claims]
    cells: dict[tuple[str | int, int], list[str]] = {}
    if by == "studies":
        work_ids = ev.ordered(f.work_id for f in ev.data.findings)
        columns = [ev.cite(w) for w in work_ids]
        keys: list[str | int] = list(work_ids)
        for finding in ev.data.findings:
            cells.setdefault((finding.work_id, finding.claim_id), []).append(finding.stance)
    else:
        columns = list(ev.data.dimensions)
        keys = list(columns)
        for finding in ev.data.findings:
            for dimension in finding.dimensions:
                cells.setdefault((dimension, finding.claim_id), []).append(finding.stance)
    points = []
    for x, key in enumerate(keys):
        for y, claim in enumerate(claims):
            stances = cells.get((key, claim.id))
            if stances:
                points.append((x, y, len(stances), _stance(stances)))
    return rows, columns, points


def draw_evidence_map(library: Library, path: Path | str, *, by: str = "studies") -> Path:
    """Draw the map to ``path`` (.png or .svg); ``by`` is ``studies`` or ``dimensions``."""
    path = Path(path)
    if by not in MAP_AXES:
        raise InvalidInputError(f"cannot map by {by!r}; choose {' or '.join(MAP_AXES)}")
    if path.suffix.lower() not in MAP_FORMATS:
        raise InvalidInputError(f"the evidence map is written as .png or .svg, not {path.name!r}")
    ev = Evidence(load_evidence(library, dimensions=by == "dimensions"))
    if not ev.data.claims:
        raise NothingToTabulateError("no claims to map")
    rows, columns, points = evidence_points(ev, by)
    if not points:
        what = "findings" if by == "studies" else "findings coded against framework dimensions"
        raise NothingToTabulateError(f"no {what} to map")

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    # Room for the claim labels and legend on the left and right, 0.4 in per column and row.
    longest_row = max(len(r) for r in rows)
    longest_column = max(len(c) for c in columns)
    width = min(150.0, 0.07 * longest_row + 2.4 + max(3.0, 0.4 * len(columns)))
    height = min(150.0, 1.2 + max(1.5, 0.45 * len(rows)) + 0.055 * longest_column)
    figure = Figure(figsize=(width, height), layout="constrained")
    axes = figure.add_subplot()
    largest = max(p[2] for p in points)

    def area(findings: int) -> float:
        return 50 + 250 * (findings - 1) / max(1, largest - 1)

    axes.scatter(
        [p[0] for p in points],
        [p[1] for p in points],
        s=[area(p[2]) for p in points],
        c=[STANCE_COLOURS[p[3]] for p in points],
        alpha=0.85,
        edgecolors="white",
        linewidths=0.6,
        zorder=3,
    )
    axes.set_xticks(range(len(columns)), columns, rotation=60, ha="right", fontsize=8)
    axes.set_yticks(range(len(rows)), rows, fontsize=8)
    axes.set_xlim(-0.7, len(columns) - 0.3)
    axes.set_ylim(len(rows) - 0.5, -0.5)  # first claim on top
    axes.grid(True, color="#e5e5e5", zorder=0)
    axes.set_axisbelow(True)
    axes.set_xlabel("Study" if by == "studies" else "Framework dimension")
    axes.set_title("Evidence map: claims by " + ("study" if by == "studies" else "dimension"))
    handles = [
        Line2D([], [], marker="o", linestyle="", color=colour, label=stance, markersize=8)
        for stance, colour in STANCE_COLOURS.items()
    ]
    for findings in sorted({1, (1 + largest) // 2, largest}):
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                color="#bbbbbb",
                markersize=area(findings) ** 0.5,
                label=f"{findings} finding{'s' if findings > 1 else ''}",
            )
        )
    axes.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False
    )
    dpi = 150 if width * 150 < 12000 else 72
    metadata = {"Date": None} if path.suffix == ".svg" else None
    options = {"format": path.suffix.lstrip(".").lower(), "dpi": dpi, "metadata": metadata}
    fileio.write_with(path, lambda stream: figure.savefig(stream, **options))
    return path
