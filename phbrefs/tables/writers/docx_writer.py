"""Word (python-docx): a real Word table whose header row repeats on every page, in landscape
when its columns need the room, followed by its footnotes and references (hanging indent,
journals in italics, URLs and DOIs as links).

Column widths are fixed from the content (``widths.plan_widths``) so that no word is ever
broken inside a cell, whatever Word or LibreOffice would have guessed; the type is Times New
Roman (LibreOffice sets it in the metric-compatible Liberation Serif).
"""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path
from typing import Any

from phbrefs import fileio
from phbrefs.tables.model import Cell, Span, Table
from phbrefs.tables.writers.common import links
from phbrefs.tables.writers.widths import ROTATED, column_needs, plan_widths, text_width

STANCE_COLOURS = {
    "supports": "1B7A2F",
    "contradicts": "B3261E",
    "mixed": "A15C00",
    "neutral": "555555",
}
NOTICE_COLOUR = "B3261E"
GROUP_SHADING = "EEF1F5"
LINK_COLOUR = "1F4E9A"
FONT = "Times New Roman"
EMU_PER_PT = 12700
CELL_MARGIN = 2.0  # pt, left and right of a cell's text
# Portrait at 9 pt when every text column has room there, else landscape at 8 pt, then 7 pt.
SIZES = ((False, 9.0), (True, 8.0), (True, 7.0))


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


def _fill(target: Any, cell: Cell, centre: bool, made: dict[tuple[Any, ...], Any]) -> None:
    """``cell`` written into ``target``. ``made``: the paragraphs written so far by content;
    a cell like one already written (a matrix repeats a few symbols) gets a copy of that
    paragraph's XML, much faster than python-docx building the same runs again."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import RGBColor

    if not cell.text and not cell.marker:
        return  # most matrix cells: leave them bare, which keeps wide tables fast to write
    paragraph = target.paragraphs[0]
    key = (cell.text, cell.stance, cell.marker, centre)
    if key in made:
        paragraph._p.getparent().replace(paragraph._p, deepcopy(made[key]))
        return
    made[key] = paragraph._p
    if centre:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(cell.text)
    if cell.stance in STANCE_COLOURS:
        run.font.color.rgb = RGBColor.from_string(STANCE_COLOURS[cell.stance])
    if cell.marker:
        mark = paragraph.add_run(f" {cell.marker}")
        mark.bold = True
        mark.font.color.rgb = RGBColor.from_string(NOTICE_COLOUR)


def _cells(row: Any, grid: Any) -> list[Any]:
    """A row's cells straight from its ``w:tc`` elements: ``row.cells`` works out every
    cell's grid span and vertical merge, which on a wide table costs more than filling it.
    Right for rows with no merged cells, as every row the writer leaves unspanned is."""
    from docx.table import _Cell

    return [_Cell(tc, grid) for tc in row._tr.tc_lst]


def _span(row: Any, grid: Any) -> Any:
    """The row's cells made one (a group heading across the table): what ``merge`` makes of
    empty cells (one cell, the widths added up, ``w:gridSpan``) without re-reading the whole
    table's grid for each cell it swallows."""
    first, *rest = row._tr.tc_lst
    width = sum(tc.width or 0 for tc in (first, *rest))
    for tc in rest:
        row._tr.remove(tc)
    first.width = width
    first.grid_span = 1 + len(rest)
    return _cells(row, grid)[0]


def layout(table: Table, page: tuple[int, int], margins: int) -> tuple[bool, float, list[int]]:
    """Landscape or not, the font size (pt) and each column's width (EMU, cell margins
    included). ``page`` is the portrait (width, height) and ``margins`` the left plus right."""
    needs = column_needs(table)
    for landscape, size in SIZES:
        line = (page[1] if landscape else page[0]) - margins
        em = size * EMU_PER_PT
        gap = 2 * CELL_MARGIN / size
        planned = plan_widths(
            table, line / em - gap, gap=gap, comfortable=not landscape, needs=needs
        )
        if planned:
            return landscape, size, [int((w + gap) * em) for w in planned]
    line = page[1] - margins  # cannot fit: share by header length, Word wraps what it must
    weights = [max(text_width(c.name), ROTATED) for c in table.columns]
    return True, SIZES[-1][1], [int(line * w / sum(weights)) for w in weights]


def _cell_margins(grid: Any) -> None:
    """Narrow left and right cell margins (``w:tblCellMar``) so many columns fit across."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(int(CELL_MARGIN * 20)))  # twentieths of a point
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    grid._tbl.tblPr.append(margins)


def _hyperlink(paragraph: Any, url: str, italic: bool = False) -> None:
    """A real link (``w:hyperlink`` with an external relationship), blue and underlined."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    relationship = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relationship)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    for tag, value in (("w:color", LINK_COLOUR), ("w:u", "single")):
        element = OxmlElement(tag)
        element.set(qn("w:val"), value)
        properties.append(element)
    if italic:
        properties.append(OxmlElement("w:i"))
    run.append(properties)
    text = OxmlElement("w:t")
    text.text = url
    run.append(text)
    link.append(run)
    paragraph._p.append(link)


def add_linked(paragraph: Any, parts: list[Span]) -> None:
    """Runs for ``parts``: italic where the reference says, URLs as links."""
    for part in parts:
        for piece, is_url in links(part.text):
            if is_url:
                _hyperlink(paragraph, piece, part.italic)
            else:
                paragraph.add_run(piece).italic = part.italic or None


def write(table: Table, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    document.styles["Normal"].font.name = FONT
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    landscape, points, widths = layout(table, (section.page_width, section.page_height), Cm(4))
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    size = Pt(points)

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
    grid.autofit = False  # a fixed layout: the grid's widths hold for every row
    _cell_margins(grid)
    for grid_column, width in zip(grid.columns, widths, strict=True):
        grid_column.width = width
    for cell, width in zip(grid.rows[0].cells, widths, strict=True):
        cell.width = width
    rows = iter(grid.rows)
    header = next(rows)
    _mark_header(header)
    turned = [text_width(c.name, bold=True) for c in table.columns if c.kind == "symbol"]
    if turned:  # tall enough for the longest turned study label
        header.height = Pt(max(turned) * points + 6)
        header.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    for target, column in zip(header.cells, table.columns, strict=True):
        target.paragraphs[0].add_run(column.name).bold = True
        _shade(target, GROUP_SHADING)
        if column.kind == "symbol":
            _turn(target)
    centred = [c.kind != "text" for c in table.columns]
    made: dict[tuple[Any, ...], Any] = {}
    for group, members in table.groups:
        if group:
            _span(next(rows), grid).paragraphs[0].add_run(group).bold = True
        for data in members:
            for target, cell, centre in zip(
                _cells(next(rows), grid), data.cells, centred, strict=True
            ):
                _fill(target, cell, centre, made)

    for note in table.footnotes:
        add_linked(document.add_paragraph(), [Span(note)])
    if table.references:
        document.add_heading("References", level=2)
        for ref in table.references:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.left_indent = Cm(1)
            paragraph.paragraph_format.first_line_indent = Cm(-1)
            add_linked(paragraph, ref.parts)
            if ref.notice:
                flag = paragraph.add_run(f" [{ref.notice}]")
                flag.bold = True
                flag.font.color.rgb = RGBColor.from_string(NOTICE_COLOUR)
    fileio.write_with(path, document.save)
