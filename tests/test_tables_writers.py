"""Table writers: golden files for the text formats, reopened content for Word and Excel, and
the safety every format owes its reader (escaping, no formulas, no script injection).

Regenerate the golden files after an intended change with
``UPDATE_GOLDEN=1 pytest tests/test_tables_writers.py`` and review the diff.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tables_helpers import add_claim, add_finding, add_study, add_works, build_review, record

from phbrefs.errors import InvalidInputError
from phbrefs.library import Library
from phbrefs.tables import Table, build_table, write_table

GOLDEN = Path(__file__).parent / "fixtures" / "tables"
TEXT_FORMATS = ("md", "csv", "html", "tex")
TABLES = {
    "studies": {},
    "matrix": {},
    "soqf": {},
    "profile": {},
    "claim": {"claim": "choice-control"},
}


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    with Library(tmp_path_factory.mktemp("review") / "library.db") as library:
        build_review(library)
        yield library


@pytest.fixture(scope="module")
def tables(review: Library) -> dict[str, Table]:
    return {name: build_table(review, name, **options) for name, options in TABLES.items()}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A library whose text tries to run scripts, formulas and markup."""
    with Library(tmp_path_factory.mktemp("hostile") / "library.db") as library:
        (work,) = add_works(
            library,
            record(
                "<script>alert(1)</script> & | pipes",
                [("Eve", "=cmd|' /C calc'!A0")],
                2020,
                container_title="@SUM(1+1)",
            ),
        )
        claim = add_claim(library, "x", "+1 claims | are <b>bold</b>", "-Theme")
        add_finding(
            library, work, claim, "supports", "<img src=x onerror=alert(2)>", location="=1+2"
        )
        add_study(library, work, [("\tpeople", None, None, None)], aim='=HYPERLINK("http://x")')
        yield library


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    assert path.exists(), f"missing golden file {path}: run with UPDATE_GOLDEN=1"
    with path.open(encoding="utf-8", newline="") as handle:
        assert text == handle.read()


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("name", list(TABLES))
def test_text_formats_match_their_golden_files(tables, tmp_path: Path, name: str, fmt: str):
    path = write_table(tables[name], tmp_path / f"{name}.{fmt}")
    check_golden(f"{name}.golden.{fmt}", _read(path))
    if fmt == "csv":
        check_golden(f"{name}-references.golden.csv", _read(tmp_path / f"{name}-references.csv"))


def _read(path: Path) -> str:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return handle.read()


def test_the_format_comes_from_the_extension_or_is_named(tables, tmp_path: Path):
    assert write_table(tables["soqf"], tmp_path / "a.markdown.txt", "markdown").exists()
    assert (tmp_path / "sub" / "b.html").exists() is False
    write_table(tables["soqf"], tmp_path / "sub" / "b.html")
    assert (tmp_path / "sub" / "b.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(InvalidInputError, match="known: md, csv, html, docx, tex, xlsx"):
        write_table(tables["soqf"], tmp_path / "c.pdf")


# -- Markdown -----------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")
@pytest.mark.parametrize("name", list(TABLES))
def test_pandoc_reads_the_markdown_as_a_table(tables, tmp_path: Path, name: str):
    path = write_table(tables[name], tmp_path / "t.md")
    html = subprocess.run(
        ["pandoc", "-f", "markdown", "-t", "html", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert html.count("<table") == 1
    rows = html.count("<tr")
    groups = sum(1 for g, _ in tables[name].groups if g)
    assert rows == 1 + len(tables[name].rows) + groups
    if name != "claim":  # the retracted paper's title, pipe and all, stays one cell of text
        text = " ".join(html.split())
        assert "Budget-holders’ views | choice &amp; control at 100% (a $5_000 question)" in text


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")
def test_an_at_sign_in_the_data_is_no_citation_to_pandoc(hostile, tmp_path: Path):
    """The journal "@SUM(1+1)" (or a quote's "@at") is text: unescaped, pandoc --citeproc
    reads a citation of the key SUM, warns it is not found and prints "(SUM?)"."""
    path = write_table(build_table(hostile, "matrix"), tmp_path / "t.md")
    done = subprocess.run(
        ["pandoc", "--citeproc", "-f", "markdown", "-t", "plain", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr == ""
    assert "@SUM(1+1)" in done.stdout


def test_markdown_escapes_pipes_and_markup(hostile):
    from phbrefs.tables.writers.markdown import render

    text = render(build_table(hostile, "matrix"))
    assert r"| +1 claims \| are \<b\>bold\</b\> |" in text
    assert "<script>" not in text


# -- HTML ---------------------------------------------------------------------------------------


def test_html_is_a_standalone_sortable_page(tables):
    from phbrefs.tables.writers.html import render

    page = render(tables["matrix"])
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "<style>" in page and 'table class="sortable"' in page
    assert 'addEventListener("click"' in page
    for external in ("<link", " src=", "http-equiv", "@import"):
        assert external not in page
    assert page.count("<tbody>") == 3  # one per theme, so sorting keeps themes apart
    assert '<td class="symbol mixed">✓ ±</td>' in page


def test_html_escapes_every_piece_of_text(hostile):
    from phbrefs.tables.writers.html import render

    for name, options in (("studies", {}), ("matrix", {}), ("claim", {"claim": "x"})):
        page = render(build_table(hostile, name, **options))
        assert page.count("<script>") == 1  # only the page's own sorting script
        assert "<script>alert" not in page and "<img" not in page and "<b>bold" not in page
    page = render(build_table(hostile, "claim", claim="x"))
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; | pipes" in page


# -- CSV ----------------------------------------------------------------------------------------


def test_csv_neutralises_formulas_and_keeps_references_apart(hostile, tmp_path: Path):
    path = write_table(build_table(hostile, "studies"), tmp_path / "studies.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(path.open(encoding="utf-8-sig", newline="")))
    assert rows[0][0] == "Study"
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    assert rows[1][5] == "'\tpeople"
    references = list(csv.reader((tmp_path / "studies-references.csv").open(encoding="utf-8-sig")))
    assert references[0] == ["kind", "label", "text"]
    assert [r[0] for r in references[1:]] == ["title", "caption", "reference"]
    assert references[-1][2].startswith("'=cmd|' /C calc'!A0, E. (2020)")
    matrix = list(
        csv.reader(
            write_table(build_table(hostile, "matrix"), tmp_path / "m.csv").open(
                encoding="utf-8-sig"
            )
        )
    )
    assert matrix[0][0] == "Theme" and matrix[1][:2] == ["'-Theme", "'+1 claims | are <b>bold</b>"]


# -- LaTeX --------------------------------------------------------------------------------------


def test_latex_escapes_special_characters(tables, hostile):
    from phbrefs.tables.writers.latex import escape, render

    assert escape(r"& % $ # _ { } ~ ^ \ |") == (
        r"\& \% \$ \# \_ \{ \} \textasciitilde{} \textasciicircum{} \textbackslash{} \textbar{}"
    )
    assert escape("[x]") == "{[}x{]}"
    text = render(tables["matrix"])
    assert r"\begin{longtable}" in text and r"\toprule" in text and r"\endhead" in text
    assert r"\begin{landscape}" not in text  # five studies fit across a portrait page
    assert r"\begin{landscape}" in render(tables["profile"])  # nine columns of prose do not
    assert r"choice \& control at 100\% (a \$5\_000 question)" in text
    assert r"\ding{51} \ensuremath{\pm}" in text


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
@pytest.mark.parametrize("name", ["matrix", "claim"])
def test_latex_fragment_compiles(tables, tmp_path: Path, name: str):
    """With the README's preamble (.ci/run installs its packages)."""
    from phbrefs.tables.writers.latex import PREAMBLE

    write_table(tables[name], tmp_path / "table.tex")
    document = PREAMBLE + "\\begin{document}\n\\input{table.tex}\n\\end{document}\n"
    (tmp_path / "main.tex").write_text(document, encoding="utf-8")
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "main.tex"],
        cwd=tmp_path,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert (tmp_path / "main.pdf").exists()


# -- Word ---------------------------------------------------------------------------------------


def _body_order(document) -> list[str]:
    return [child.tag.rsplit("}", 1)[1] for child in document.element.body.iterchildren()]


def test_docx_is_a_real_table_with_a_repeating_header_and_references_after(tables, tmp_path):
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn

    table = tables["matrix"]
    document = docx.Document(str(write_table(table, tmp_path / "m.docx")))
    assert len(document.tables) == 1
    grid = document.tables[0]
    header = grid.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in header.cells] == [c.name for c in table.columns]
    assert all(run.bold for run in header.cells[0].paragraphs[0].runs)
    turned = [c._tc.tcPr.find(qn("w:textDirection")) is not None for c in header.cells]
    assert turned == [c.kind == "symbol" for c in table.columns]  # study columns only
    assert grid.rows[1].cells[0].text == "Implementation"  # a theme heading spanning the row
    assert len(grid.rows) == 1 + len(table.rows) + 3
    assert document.sections[0].orientation == WD_ORIENT.PORTRAIT  # five studies fit
    texts = [p.text for p in document.paragraphs]
    references = texts.index("References")
    assert texts[references + 1 :] == [r.display for r in table.references]
    order = _body_order(document)
    assert order.index("tbl") < [i for i, t in enumerate(order) if t == "p"][references]
    assert texts[0] == table.title


def test_docx_keeps_narrow_tables_portrait(tables, tmp_path):
    import docx
    from docx.enum.section import WD_ORIENT

    profile = docx.Document(str(write_table(tables["profile"], tmp_path / "p.docx")))
    assert profile.sections[0].orientation == WD_ORIENT.LANDSCAPE
    document = docx.Document(str(write_table(tables["soqf"], tmp_path / "s.docx")))
    assert document.sections[0].orientation == WD_ORIENT.PORTRAIT
    grid = document.tables[0]
    assert grid.rows[2].cells[3].text == "Not assessed"
    widths = [column.width for column in grid.columns]
    assert widths[0] < widths[3] < widths[1]  # "#" narrow, confidence narrower than statements


# -- Excel --------------------------------------------------------------------------------------


def test_xlsx_has_a_bold_frozen_header_and_references_on_a_second_sheet(tables, tmp_path):
    import openpyxl

    table = tables["soqf"]
    workbook = openpyxl.load_workbook(write_table(table, tmp_path / "s.xlsx"))
    assert workbook.sheetnames == ["Table", "References", "Notes"]
    sheet = workbook["Table"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header == ["Theme"] + [c.name for c in table.columns]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.max_row == 1 + len(table.rows)
    assert sheet["D3"].value.startswith("Jones and Smith 2019 † RETRACTED")
    width = {c.value: sheet.column_dimensions[c.column_letter].width for c in sheet[1]}
    assert width["#"] < width["CERQual assessment of confidence"]
    assert width["CERQual assessment of confidence"] < width["Summary of review finding"]
    references = workbook["References"]
    assert [c.value for c in references[1]] == ["Citation", "Reference", "Notice"]
    assert [r[1] for r in references.iter_rows(min_row=2, values_only=True)] == [
        r.text for r in table.references
    ]


def test_xlsx_never_stores_a_formula(hostile, tmp_path):
    import openpyxl

    workbook = openpyxl.load_workbook(
        write_table(build_table(hostile, "studies"), tmp_path / "h.xlsx")
    )
    aim = workbook["Table"]["B2"]
    assert aim.data_type == "s" and aim.value == '\'=HYPERLINK("http://x")'
    for row in workbook["Table"].iter_rows():
        assert all(cell.data_type != "f" for cell in row)


# -- properties ---------------------------------------------------------------------------------


@given(st.text())
def test_latex_escape_leaves_no_active_character(text: str):
    import re

    from phbrefs.tables.writers.latex import escape

    escaped = escape(text)
    stripped = re.sub(r"\\[A-Za-z]+|\\[^A-Za-z]", "", escaped)  # macros and control symbols
    assert not re.search(r"[&%$#_^~\\]", stripped)
    depth = 0
    for char in stripped:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


@given(st.text())
def test_csv_cells_round_trip_and_never_start_a_formula(text: str):
    from phbrefs.tables.model import Cell, Column, Row
    from phbrefs.tables.writers.csv_writer import render

    table = Table("t", "T", [Column("A")], [Row([Cell(text)])])
    import io

    (value,) = list(csv.reader(io.StringIO(render(table), newline="")))[1]
    assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert (value[1:] if value.startswith("'") and value != text else value) == text


@given(st.text())
def test_html_text_is_always_escaped(text: str):
    from phbrefs.tables.model import Cell, Column, Row
    from phbrefs.tables.writers.html import render

    page = render(Table("t", "T", [Column("A")], [Row([Cell(text)])]))
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    inner = re.search(r"<td(?: data-sort=\"\d\")?>(.*)</td>", body, re.S).group(1)
    inner = re.sub(r'<a href="[^"<>]*">|</a>', "", inner)  # the links made of URLs
    assert "<" not in inner and ">" not in inner


# -- references and links in every format -------------------------------------------------------


def test_every_format_prints_journals_in_italics_and_dois_as_links(tables, tmp_path):
    import docx
    from docx.oxml.ns import qn

    table = tables["soqf"]
    html_text = write_table(table, tmp_path / "s.html").read_text(encoding="utf-8")
    doi = "https://doi.org/10.1111/hsc.12396"
    assert f'<a href="{doi}">{doi}</a>' in html_text
    assert "<i>Health and Social Care in the Community</i>" in html_text
    markdown = write_table(table, tmp_path / "s.md").read_text(encoding="utf-8")
    assert (
        f"*Health and Social Care in the Community*, 25(5), pp. 1634–1643. Available at: <{doi}>."
        in markdown
    )
    latex = write_table(table, tmp_path / "s.tex").read_text(encoding="utf-8")
    assert r"\emph{Health and Social Care in the Community}" in latex and rf"\url{{{doi}}}" in latex
    document = docx.Document(str(write_table(table, tmp_path / "s.docx")))
    italic = [r.text for p in document.paragraphs for r in p.runs if r.italic]
    assert "Health and Social Care in the Community" in italic
    links = document.element.body.findall(".//" + qn("w:hyperlink"))
    targets = {document.part.rels[link.get(qn("r:id"))].target_ref for link in links}
    assert doi in targets


def test_html_sorts_confidence_by_its_rank_not_alphabetically(tables):
    from phbrefs.tables.writers.html import render

    text = render(tables["soqf"])
    assert 'data-sort="3">Moderate confidence</td>' in text
    assert "cell.dataset.sort" in text


def test_latex_superscripts_and_subscripts_are_text_mode():
    from phbrefs.tables.writers.latex import escape

    assert escape("m⁴ and H₂O") == r"m\textsuperscript{4} and H\textsubscript{2}O"
