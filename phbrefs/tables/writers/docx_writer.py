"""Word (python-docx): a real Word table whose header row repeats on every page, in landscape
when the table is wide, followed by its footnotes and references (hanging indent).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from phbrefs import fileio
from phbrefs.tables.model import Cell, Table

STANCE_COLOURS = {
    "supports": "1B7A2F",
    "contradicts": "B3261E",
    "mixed": "A15C00",
    "neutral": "555555",
}
NOTICE_COLOUR = "B3261E"
GROUP_SHADING = "EEF1F5"


def _mark_header(row: Any) -> None:
    """``w:tblHeader``: Word repeats this row at the top of every page the table spans."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _shade(cell: Any, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _turn(cell: Any) -> None:
    """Vertical text (bottom to top): a matrix's study columns stay narrow."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    direction = OxmlElement("w:textDirection")
    direction.set(qn("w:val"), "btLr")
    cell._tc.get_or_add_tcPr().append(direction)


def _fill(target: Any, cell: Cell, centre: bool) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import RGBColor

    if not cell.text and not cell.marker:
        return  # most matrix cells: leave them bare, which keeps wide tables fast to write
    paragraph = target.paragraphs[0]
    if centre:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(cell.text)
    if cell.stance in STANCE_COLOURS:
        run.font.color.rgb = RGBColor.from_string(STANCE_COLOURS[cell.stance])
    if cell.marker:
        mark = paragraph.add_run(f" {cell.marker}")
        mark.bold = True
        mark.font.color.rgb = RGBColor.from_string(NOTICE_COLOUR)


def column_widths(table: Table, available: int) -> list[int] | None:
    """Widths (EMU) sharing the text width by column weight, narrow columns 1.3 cm each; None
    when the narrow columns alone would not fit (very wide matrices: let Word decide)."""
    narrow = 468000  # 1.3 cm
    fixed = narrow * sum(1 for c in table.columns if c.kind != "text")
    room = available - fixed
    if room < available // 4:
        return None
    total = sum(c.weight for c in table.columns if c.kind == "text") or 1.0
    return [narrow if c.kind != "text" else int(room * c.weight / total) for c in table.columns]


def write(table: Table, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    if table.wide:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    size = Pt(8 if table.wide else 9)

    title = document.add_paragraph()
    title.add_run(table.title).bold = True
    if table.caption:
        caption = document.add_paragraph()
        caption.add_run(table.caption).italic = True

    # All rows at once: python-docx's add_row() is slow on wide tables.
    headings = sum(1 for group, _ in table.groups if group)
    grid = document.add_table(rows=1 + len(table.rows) + headings, cols=len(table.columns))
    grid.style = document.styles["Table Grid"]
    grid.style.font.size = size  # one size for every cell, set once on the table style
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = column_widths(table, section.page_width - section.left_margin - section.right_margin)
    if widths:
        grid.autofit = False
        for grid_column, width in zip(grid.columns, widths, strict=True):
            grid_column.width = width
        for row in grid.rows:
            for cell, width in zip(row.cells, widths, strict=False):
                cell.width = width
    rows = iter(grid.rows)
    header = next(rows)
    _mark_header(header)
    for target, column in zip(header.cells, table.columns, strict=True):
        target.paragraphs[0].add_run(column.name).bold = True
        _shade(target, GROUP_SHADING)
        if column.kind == "symbol":
            _turn(target)
    centred = [c.kind != "text" for c in table.columns]
    for group, members in table.groups:
        if group:
            cells = next(rows).cells
            cells[0].merge(cells[-1]).paragraphs[0].add_run(group).bold = True
        for data in members:
            for target, cell, centre in zip(next(rows).cells, data.cells, centred, strict=True):
                _fill(target, cell, centre)

    for note in table.footnotes:
        paragraph = document.add_paragraph()
        paragraph.add_run(note).font.size = size
    if table.references:
        document.add_heading("References", level=2)
        for ref in table.references:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.left_indent = Cm(1)
            paragraph.paragraph_format.first_line_indent = Cm(-1)
            paragraph.add_run(ref.text)
            if ref.notice:
                flag = paragraph.add_run(f" [{ref.notice}]")
                flag.bold = True
                flag.font.color.rgb = RGBColor.from_string(NOTICE_COLOUR)
    fileio.write_with(path, document.save)
