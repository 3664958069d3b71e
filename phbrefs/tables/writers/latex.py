"""LaTeX: a booktabs ``longtable`` fragment to ``\\input`` (header repeated on every page),
landscape when the content needs it (a text column would be cramped in portrait), then
footnotes and a hanging-indent reference list.

Column widths come from the content (``widths.plan_widths``) and sum to ``\\linewidth`` exactly;
cells are ragged right and never hyphenated, so no word (a citekey, a claim) is broken and no
line is stretched. URLs and DOIs are set with ``\\url`` (``xurl`` breaks them anywhere),
containers in italics. The preamble the fragment needs is ``PREAMBLE`` (also in the README and
the fragment's first lines). Text is escaped with pylatexenc (``& % $ # _ { } ~ ^ \\``,
accents, dashes, quotes) after bidi and zero-width controls are dropped; ✓ and ✗ become pifont
dingbats.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from phbrefs import fileio
from phbrefs.tables.model import Column, Span, Table
from phbrefs.tables.writers.common import links
from phbrefs.tables.writers.widths import plan_widths, text_width

PACKAGES = "booktabs,longtable,array,pifont,graphicx,pdflscape,xurl"
PREAMBLE = (
    "\\documentclass[10pt]{article}\n"
    "\\usepackage[a4paper,margin=2.5cm]{geometry}\n"
    "\\usepackage[T1]{fontenc}\n"
    f"\\usepackage{{{PACKAGES}}}\n"
)
# The line widths the documented preamble gives (pt), and the ems of the table fonts (pt).
PORTRAIT, LANDSCAPE = 455.0, 702.0
SIZES = (  # font, its em, \tabcolsep
    (r"\footnotesize", 8.5, 3.0),
    (r"\scriptsize", 7.97, 2.0),
    (r"\scriptsize", 7.97, 1.0),
)
# Bidi overrides and zero-width characters: invisible, and they upset TeX's line breaking.
_CONTROLS = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_URL_SAFE = re.compile(r"[^%#{}\\^~\s]+")


@cache
def _encoder() -> Any:
    from pylatexenc.latexencode import (
        RULE_DICT,
        UnicodeToLatexConversionRule,
        UnicodeToLatexEncoder,
    )

    dingbats = UnicodeToLatexConversionRule(
        rule_type=RULE_DICT,
        rule={
            ord("✓"): r"\ding{51}",
            ord("✗"): r"\ding{55}",
            ord("○"): r"\ensuremath{\circ}",
            ord("|"): r"\textbar{}",
            ord("["): "{[}",  # so a cell starting with [ is not read as \\[<length>]
            ord("]"): "{]}",
        },
    )
    return UnicodeToLatexEncoder(
        conversion_rules=[dingbats, "defaults"],
        non_ascii_only=False,
        replacement_latex_protection="braces-after-macro",
        unknown_char_policy="keep",
        unknown_char_warning=False,
    )


def clean(text: str) -> str:
    """One line of text without invisible controls (spaces at its ends kept)."""
    return re.sub(r"\s+", " ", _CONTROLS.sub("", text))


def escape(text: str) -> str:
    return _encoder().unicode_to_latex(clean(text))


def linked(text: str) -> str:
    """Escaped text with its URLs (DOIs included) set as ``\\url``, which breaks them cleanly."""
    out = []
    for piece, is_url in links(clean(text).strip()):
        # characters \url cannot take inside a table stay text
        out.append(f"\\url{{{piece}}}" if is_url and _URL_SAFE.fullmatch(piece) else escape(piece))
    return "".join(out)


def spans(parts: list[Span]) -> str:
    return "".join(rf"\emph{{{linked(p.text)}}}" if p.italic else linked(p.text) for p in parts)


def layout(table: Table) -> tuple[bool, str, float, list[float]]:
    """Landscape or not, the font, its ``\\tabcolsep`` and the column widths in ems: portrait
    when every text column gets room enough there, else landscape, smaller type last."""
    tries = [(False, SIZES[0])] + [(True, size) for size in SIZES]
    for landscape, (font, em, sep) in tries:
        line = (LANDSCAPE if landscape else PORTRAIT) / em
        widths = plan_widths(table, line, gap=2 * sep / em, comfortable=not landscape)
        if widths:
            return landscape, font, sep, widths
    font, em, sep = SIZES[-1]
    widths = [max(text_width(c.name) / 4, 1.0) for c in table.columns]  # cannot fit: share out
    return True, font, sep, widths


def column_spec(columns: list[Column], widths: list[float]) -> str:
    """``p`` columns: text ragged right and sharing what the fixed columns leave of the line,
    symbols centred and numbers right-aligned at their content's width."""
    fixed = sum(w for w, c in zip(widths, columns, strict=True) if c.kind != "text")
    flexible = sum(w for w, c in zip(widths, columns, strict=True) if c.kind == "text") or 1.0
    rest = rf"\linewidth-{fixed:.2f}em-{2 * (len(columns) - 1)}\tabcolsep"
    specs = []
    for column, width in zip(columns, widths, strict=True):
        if column.kind == "text":
            share = int(10000 * width / flexible)
            specs.append(
                rf">{{\raggedright\arraybackslash}}p{{\dimexpr({rest})*{share}/10000\relax}}"
            )
        else:
            align = r"\centering" if column.kind == "symbol" else r"\raggedleft"
            specs.append(rf">{{{align}\arraybackslash}}p{{{width:.2f}em}}")
    return "@{}" + "".join(specs) + "@{}"


def _header_cell(column: Column) -> str:
    """Bold; study columns of a matrix are turned on their side so many fit across."""
    text = rf"\textbf{{{escape(column.name)}}}"
    return rf"\rotatebox{{90}}{{{text}}}" if column.kind == "symbol" else text


def render(table: Table) -> str:
    landscape, font, sep, widths = layout(table)
    width = len(table.columns)
    header = " & ".join(_header_cell(c) for c in table.columns) + r" \\"
    title = escape(table.title)
    caption = title + (f". {escape(table.caption)}" if table.caption else "")
    full = r"@{}>{\raggedright\arraybackslash}p{\linewidth}@{}"
    lines = [
        f"% phbrefs table: {table.name}. \\input this fragment; its preamble needs",
        f"% \\usepackage{{{PACKAGES}}}",
    ]
    if landscape:
        lines.append(r"\begin{landscape}")
    lines += [
        rf"\begingroup{font}\setlength{{\tabcolsep}}{{{sep:g}pt}}",
        r"\hyphenpenalty=10000\exhyphenpenalty=10000\setlength{\LTcapwidth}{\linewidth}",
        rf"\begin{{longtable}}{{{column_spec(table.columns, widths)}}}",
        rf"\caption{{{caption}}}\label{{tab:phbrefs-{table.name}}}\\",
        r"\toprule",
        header,
        r"\midrule",
        r"\endfirsthead",
        rf"\caption[]{{{title} (continued)}}\\",
        r"\toprule",
        header,
        r"\midrule",
        r"\endhead",
        rf"\midrule\multicolumn{{{width}}}{{r@{{}}}}{{\emph{{continued on next page}}}}\\",
        r"\endfoot",
        r"\bottomrule",
        r"\endlastfoot",
    ]
    for index, (group, rows) in enumerate(table.groups):
        if group:
            if index:
                lines.append(r"\addlinespace")
            lines.append(rf"\multicolumn{{{width}}}{{{full}}}{{\textbf{{{escape(group)}}}}}\\")
        for row in rows:
            lines.append(" & ".join(linked(cell.display) for cell in row.cells) + r" \\")
    lines += [r"\end{longtable}", r"\endgroup"]
    if landscape:
        lines.append(r"\end{landscape}")
    lines.append(r"\begingroup\footnotesize\raggedright")
    lines += [f"\\noindent {linked(note)}\\par" for note in table.footnotes]
    if table.references:
        lines += [
            r"\paragraph*{References}",
            r"\begin{list}{}{\setlength{\leftmargin}{2em}\setlength{\itemindent}{-2em}}",
        ]
        for ref in table.references:
            notice = f" {{[}}{linked(ref.notice)}{{]}}" if ref.notice else ""
            lines.append(f"\\item{{}} {spans(ref.parts)}{notice}")
        lines.append(r"\end{list}")
    lines.append(r"\endgroup")
    return "\n".join(lines) + "\n"


def write(table: Table, path: Path) -> None:
    fileio.write_text(path, render(table))
