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
from phbrefs.controls import strip_controls
from phbrefs.tables.model import Column, Row, Span, Table
from phbrefs.tables.writers.common import links
from phbrefs.tables.writers.widths import column_needs, plan_widths, text_width

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
_URL_SAFE = re.compile(r"[^%#{}\\^~\s]+")


def _scripts() -> dict[int, str]:
    """Unicode super- and subscripts (``⁴``, ``₂``, ``ⁿ``) as text-mode ``\\textsuperscript``
    and ``\\textsubscript``: pylatexenc writes some as ``\\ensuremath{^4}``, math in a table
    cell that a reader of the source takes for a stray ``^``."""
    import unicodedata

    found = {}
    for code in range(0x80, 0x2100):
        tag, _, base = unicodedata.decomposition(chr(code)).partition(" ")
        if tag in ("<super>", "<sub>") and len(base) == 4:
            char = chr(int(base, 16))
            if char.isascii() and (char.isalnum() or char in "+-=()"):
                macro = "textsuperscript" if tag == "<super>" else "textsubscript"
                found[code] = f"\\{macro}{{{char}}}"
    return found


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
            **_scripts(),
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
    return re.sub(r"\s+", " ", strip_controls(text).replace("\u00ad", ""))


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


Layout = tuple[bool, str, float, list[float]]  # landscape, font, \tabcolsep (pt), widths (em)


def fitted(table: Table) -> Layout | None:
    """Portrait when every text column gets room enough there, else landscape, smaller type
    last; None when even that cannot hold the longest words."""
    tries = [(False, SIZES[0])] + [(True, size) for size in SIZES]
    needs = column_needs(table)
    for landscape, (font, em, sep) in tries:
        line = (LANDSCAPE if landscape else PORTRAIT) / em
        gap = 2 * sep / em
        widths = plan_widths(table, line, gap=gap, comfortable=not landscape, needs=needs)
        if widths:
            return landscape, font, sep, widths
    return None


def layout(table: Table) -> Layout:
    laid = fitted(table)
    if laid:
        return laid
    font, _, sep = SIZES[-1]
    widths = [max(text_width(c.name) / 4, 1.0) for c in table.columns]  # cannot fit: share out
    return True, font, sep, widths


def _part(table: Table, symbols: list[int], last: bool, caption: str) -> Table:
    keep = [
        i
        for i, c in enumerate(table.columns)
        if c.kind == "text" or i in symbols or (c.kind == "number" and last)
    ]
    return Table(
        table.name,
        table.title,
        [table.columns[i] for i in keep],
        [Row([row.cells[i] for i in keep], row.group) for row in table.rows],
        caption=caption,
    )


def parts(table: Table) -> list[Table]:
    """The table, or, when its study columns cannot all fit across a landscape page (a matrix
    of some 45 studies or more), consecutive parts of as many studies as fit, the counts in the
    last part."""
    symbols = [i for i, c in enumerate(table.columns) if c.kind == "symbol"]
    if fitted(table) or len(symbols) < 2:
        return [table]

    def chunked(size: int) -> list[list[int]]:
        return [symbols[i : i + size] for i in range(0, len(symbols), size)]

    # as many study columns as fit, in the smallest type, beside the claim and count columns
    _, em, sep = SIZES[-1]
    needs = column_needs(table)
    gap = 2 * sep / em
    rest = sum(n.minimum + gap for i, n in enumerate(needs) if i not in symbols) - gap

    def fits(chunk: list[int]) -> bool:
        return rest + sum(needs[i].minimum + gap for i in chunk) <= LANDSCAPE / em

    size = len(symbols) - 1
    while size > 1 and not all(fits(chunk) for chunk in chunked(size)):
        size -= 1
    chunks = chunked(size)
    result = []
    for number, chunk in enumerate(chunks, start=1):
        caption = f"{table.caption or ''} Part {number} of {len(chunks)}.".strip()
        result.append(_part(table, chunk, number == len(chunks), caption))
    return result


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


def _longtable(table: Table, label: str) -> list[str]:
    landscape, font, sep, widths = layout(table)
    width = len(table.columns)
    header = " & ".join(_header_cell(c) for c in table.columns) + r" \\"
    title = escape(table.title)
    caption = title + (f". {escape(table.caption)}" if table.caption else "")
    full = r"@{}>{\raggedright\arraybackslash}p{\linewidth}@{}"
    lines = [r"\begin{landscape}"] if landscape else []
    lines += [
        rf"\begingroup{font}\setlength{{\tabcolsep}}{{{sep:g}pt}}",
        r"\hyphenpenalty=10000\exhyphenpenalty=10000\setlength{\LTcapwidth}{\linewidth}",
        rf"\begin{{longtable}}{{{column_spec(table.columns, widths)}}}",
        rf"\caption{{{caption}}}\label{{{label}}}\\",
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
    return lines


def render(table: Table) -> str:
    lines = [
        f"% phbrefs table: {table.name}. \\input this fragment; its preamble needs",
        f"% \\usepackage{{{PACKAGES}}}",
    ]
    for number, part in enumerate(parts(table)):
        label = f"tab:phbrefs-{table.name}" + (f"-{number + 1}" if number else "")
        lines += _longtable(part, label)
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
