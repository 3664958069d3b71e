"""The evidence map as a figure (PNG or SVG): claims down the side in theme bands, with their
full statements wrapped and their CERQual confidence in a column of its own; studies (or
framework dimensions, plus a column for findings coded against none) across. Each cell's
bubble is sized by its findings and coloured by stance; a cell whose findings disagree is a pie
of its stances, so every finding is drawn.
"""

from __future__ import annotations

import math
import textwrap
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phbrefs import fileio
from phbrefs.errors import InvalidInputError
from phbrefs.tables.cerqual import CONFIDENCE
from phbrefs.tables.data import NothingToTabulateError, load_evidence
from phbrefs.tables.evidence import OTHER_THEME, Evidence, theme_ordered
from phbrefs.tables.model import STANCES

if TYPE_CHECKING:
    from phbrefs.library import Library

MAP_AXES = ("studies", "dimensions")
MAP_FORMATS = (".png", ".svg")
NO_DIMENSION = "No dimension"
STANCE_COLOURS = {
    "supports": "#1b7a2f",
    "contradicts": "#b3261e",
    "mixed": "#e08a00",
    "neutral": "#8a8a8a",
}
CONFIDENCE_COLOURS = {
    "high": "#08306b",
    "moderate": "#2b7bba",
    "low": "#8fc1e3",
    "very low": "#d8e8f5",
    None: "#ffffff",
}
LABEL_WIDTH = 48  # characters per line of a claim label


@dataclass(frozen=True)
class MapRow:
    statement: str
    theme: str | None
    confidence: str | None  # high, moderate, low, very low or None (not assessed)


@dataclass(frozen=True)
class MapCell:
    column: int
    row: int
    stances: tuple[str, ...]  # one per finding, in STANCES order

    @property
    def findings(self) -> int:
        return len(self.stances)

    @property
    def stance(self) -> str:
        distinct = set(self.stances)
        return self.stances[0] if len(distinct) == 1 else "mixed"


def _confidence(ev: Evidence, claim_id: int) -> str | None:
    assessment = ev.data.cerqual.get(claim_id)
    key = (
        (assessment.overall or "").strip().lower().removesuffix(" confidence") if assessment else ""
    )
    return key if key in CONFIDENCE else None


def evidence_points(ev: Evidence, by: str) -> tuple[list[MapRow], list[str], list[MapCell]]:
    """Claim rows, column labels and a cell for every claim x column holding findings."""
    claims = theme_ordered(ev.data.claims)
    themed = any(c.theme for c in claims)
    rows = [
        MapRow(c.statement, (c.theme or OTHER_THEME) if themed else None, _confidence(ev, c.id))
        for c in claims
    ]
    cells: dict[tuple[Any, int], list[str]] = {}
    if by == "studies":
        work_ids = ev.ordered(f.work_id for f in ev.data.findings)
        columns = [ev.cite(w) for w in work_ids]
        keys: list[Any] = list(work_ids)
        for finding in ev.data.findings:
            cells.setdefault((finding.work_id, finding.claim_id), []).append(finding.stance)
    else:
        columns = list(ev.data.dimensions)
        for finding in ev.data.findings:
            for dimension in finding.dimensions or [NO_DIMENSION]:
                cells.setdefault((dimension, finding.claim_id), []).append(finding.stance)
        if any(not f.dimensions for f in ev.data.findings):
            columns.append(NO_DIMENSION)
        keys = list(columns)
    order = {s: i for i, s in enumerate(STANCES)}
    points = []
    for x, key in enumerate(keys):
        for y, claim in enumerate(claims):
            stances = cells.get((key, claim.id))
            if stances:
                ranked = sorted(stances, key=lambda s: order.get(s, len(order)))
                points.append(MapCell(x, y, tuple(ranked)))
    return rows, columns, points


def _slice(start: float, end: float) -> list[tuple[float, float]]:
    """A pie slice as a marker path (unit circle, angles in turns)."""
    steps = max(2, int(40 * (end - start)))
    arc = [
        (
            math.cos(2 * math.pi * (start + (end - start) * i / steps)),
            math.sin(2 * math.pi * (start + (end - start) * i / steps)),
        )
        for i in range(steps + 1)
    ]
    return [(0.0, 0.0), *arc, (0.0, 0.0)]


def _layout(rows: list[MapRow]) -> tuple[list[float], list[tuple[str, float, float]]]:
    """Each claim's y, and each theme's (name, first y, last y), a heading line above each."""
    ys, bands, y = [], [], 0.0
    for index, row in enumerate(rows):
        if row.theme and (index == 0 or rows[index - 1].theme != row.theme):
            y += 0.9 if index else 0.6
            bands.append((row.theme, y, y))
        ys.append(y)
        if bands:
            bands[-1] = (bands[-1][0], bands[-1][1], y)
        y += 1.0
    return ys, bands


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
        raise NothingToTabulateError("no findings to map")

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    # "$5 to $10 a day" in a claim or a study's name is text: never matplotlib's TeX math
    # (which drops the dollars, or raises on an unknown command: "$\\foo{")
    with matplotlib.rc_context({"text.parse_math": False}):
        labels = [textwrap.fill(r.statement, LABEL_WIDTH) for r in rows]
        ys, bands = _layout(rows)
        top = ys[-1] + 0.6
        lines = sum(label.count("\n") + 1 for label in labels)
        longest_column = max(len(c) for c in columns)
        width = min(150.0, 4.6 + 0.42 * (len(columns) + 1) + 2.0)
        height = min(
            150.0, 1.3 + 0.15 * lines + 0.1 * len(rows) + 0.25 * len(bands) + 0.06 * longest_column
        )
        figure = Figure(figsize=(width, height), layout="constrained")
        axes = figure.add_subplot()
        largest = max(p.findings for p in points)

        def area(findings: int) -> float:
            return 60 + 260 * (findings - 1) / max(1, largest - 1)

        for index, (theme, first, last) in enumerate(bands):
            axes.axhspan(
                first - 0.5, last + 0.5, color="#eef2f7" if index % 2 == 0 else "#f7f3ea", zorder=0
            )
            axes.text(
                -1.55, first - 0.62, theme, fontsize=8.5, fontweight="bold", va="bottom", ha="left"
            )
        for point in points:
            x, y = point.column, ys[point.row]
            counts = Counter(point.stances)
            if len(counts) == 1:
                axes.scatter(
                    [x],
                    [y],
                    s=area(point.findings),
                    c=STANCE_COLOURS.get(point.stance, "#8a8a8a"),
                    edgecolors="white",
                    linewidths=0.6,
                    zorder=3,
                )
                continue
            start = 0.25
            for stance, n in counts.items():
                end = start + n / point.findings
                axes.scatter(
                    [x],
                    [y],
                    s=area(point.findings),
                    marker=_slice(start, end),
                    c=STANCE_COLOURS.get(stance, "#8a8a8a"),
                    edgecolors="white",
                    linewidths=0.4,
                    zorder=3,
                )
                start = end
        axes.scatter(
            [-1.0] * len(rows),
            ys,
            s=70,
            marker="s",
            c=[CONFIDENCE_COLOURS[r.confidence] for r in rows],
            edgecolors="#555555",
            linewidths=0.5,
            zorder=3,
        )
        axes.axvline(-0.5, color="#cccccc", linewidth=0.8)
        axes.set_xticks(
            [-1.0, *range(len(columns))], ["CERQual", *columns], rotation=60, ha="right", fontsize=8
        )
        axes.set_yticks(ys, labels, fontsize=7.5)
        axes.set_xlim(-1.6, len(columns) - 0.4)
        axes.set_ylim(top, -0.5 - (0.2 if bands else 0))  # first claim on top
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
        for level, colour in CONFIDENCE_COLOURS.items():
            name = f"CERQual: {level}" if level else "CERQual: not assessed"
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="s",
                    linestyle="",
                    color=colour,
                    label=name,
                    markeredgecolor="#555555",
                    markersize=7,
                )
            )
        axes.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, 1),
            fontsize=7.5,
            frameon=False,
            title="Pie: a cell's findings by stance",
            title_fontsize=7.5,
        )
        dpi = 150 if width * 150 < 12000 else 72
        metadata = {"Date": None} if path.suffix == ".svg" else None
        options = {"format": path.suffix.lstrip(".").lower(), "dpi": dpi, "metadata": metadata}
        fileio.write_with(path, lambda stream: figure.savefig(stream, **options))
        return path
