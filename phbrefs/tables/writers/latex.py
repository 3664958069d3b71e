"""LaTeX: a booktabs ``longtable`` fragment to ``\\input`` (header repeated on every page),
landscape when wide, then footnotes and a hanging-indent reference list.

Needs ``\\usepackage{booktabs,longtable,array,pifont,graphicx}`` (and ``pdflscape`` for wide
tables); the fragment's first lines say so. Text is escaped with pylatexenc
(``& % $ # _ { } ~ ^ \\``, accents, dashes, quotes); ✓ and ✗ become pifont dingbats.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from phbrefs import fileio
from phbrefs.tables.model import Column, Table


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


def escape(text: str) -> str:
    return _encoder().unicode_to_latex(" ".join(text.split()))


def column_spec(columns: list[Column]) -> str:
    """``p{}`` widths for text columns (shared by weight), ``c`` for symbols, ``r`` for numbers."""
    narrow = sum(1 for c in columns if c.kind != "text")
    room = max(0.3, 1.0 - 0.05 * narrow)
    total = sum(c.weight for c in columns if c.kind == "text") or 1.0
    specs = []
    for column in columns:
        if column.kind == "symbol":
            specs.append("c")
        elif column.kind == "number":
            specs.append("r")
        else:
            share = room * column.weight / total
            specs.append(f"p{{\\dimexpr {share:.3f}\\linewidth-2\\tabcolsep\\relax}}")
    return "@{}" + "".join(specs) + "@{}"


def _header_cell(column: Column) -> str:
    """Bold; study columns of a matrix are turned on their side so many fit across."""
    text = rf"\textbf{{{escape(column.name)}}}"
    return rf"\rotatebox{{90}}{{{text}}}" if column.kind == "symbol" else text


def render(table: Table) -> str:
    width = len(table.columns)
    header = " & ".join(_header_cell(c) for c in table.columns) + r" \\"
    title = escape(table.title)
    caption = title + (f". {escape(table.caption)}" if table.caption else "")
    lines = [
        f"% phbrefs table: {table.name}. \\input this fragment; it needs",
        "% \\usepackage{booktabs,longtable,array,pifont,graphicx}"
        + (" and \\usepackage{pdflscape}" if table.wide else ""),
    ]
    if table.wide:
        lines.append(r"\begin{landscape}")
    lines += [
        r"\begingroup\footnotesize",
        rf"\begin{{longtable}}{{{column_spec(table.columns)}}}",
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
            lines.append(rf"\multicolumn{{{width}}}{{@{{}}l}}{{\textbf{{{escape(group)}}}}}\\")
        for row in rows:
            lines.append(" & ".join(escape(cell.display) for cell in row.cells) + r" \\")
    lines += [r"\end{longtable}", r"\endgroup"]
    if table.wide:
        lines.append(r"\end{landscape}")
    if table.footnotes:
        lines.append(r"\begingroup\footnotesize")
        lines += [f"\\noindent {escape(note)}\\par" for note in table.footnotes]
        lines.append(r"\endgroup")
    if table.references:
        lines += [
            r"\paragraph*{References}",
            r"\begin{list}{}{\setlength{\leftmargin}{2em}\setlength{\itemindent}{-2em}}",
        ]
        lines += [f"\\item{{}} {escape(ref.display)}" for ref in table.references]
        lines.append(r"\end{list}")
    return "\n".join(lines) + "\n"


def write(table: Table, path: Path) -> None:
    fileio.write_text(path, render(table))
