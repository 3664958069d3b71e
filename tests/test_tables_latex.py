"""The LaTeX tables typeset by pdflatex in an A4 article with the README's preamble: every table
of the demo and of a generated 40-study, 12-claim review, with no overfull box anywhere."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from large_review import build_large_review

from phbrefs.evidence.claims import list_claims
from phbrefs.evidence.example import load_example
from phbrefs.library import Library
from phbrefs.tables import TABLE_NAMES, Table, build_table, write_table
from phbrefs.tables.writers.latex import PREAMBLE

needs_pdflatex = pytest.mark.skipif(
    shutil.which("pdflatex") is None, reason="pdflatex not installed (.ci/run installs it)"
)


def every_table(library: Library) -> dict[str, Table]:
    tables = {}
    for name in TABLE_NAMES:
        if name == "claim":
            for claim in list_claims(library):
                tables[f"claim-{claim.slug}"] = build_table(library, "claim", claim=claim.slug)
        else:
            tables[name] = build_table(library, name)
    return tables


@pytest.fixture(scope="module")
def demo_tables(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Table]]:
    with Library(tmp_path_factory.mktemp("demo") / "library.db") as library:
        load_example(library)
        yield every_table(library)


@pytest.fixture(scope="module")
def large_tables(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Table]]:
    with Library(tmp_path_factory.mktemp("large") / "library.db") as library:
        build_large_review(library)
        yield every_table(library)


def typeset(tables: dict[str, Table], folder: Path) -> str:
    """Compile every table in one document; the log."""
    inputs = []
    for stem, table in tables.items():
        write_table(table, folder / f"{stem}.tex")
        inputs.append(f"\\input{{{stem}.tex}}\n\\clearpage")
    document = PREAMBLE + "\\begin{document}\n" + "\n".join(inputs) + "\n\\end{document}\n"
    (folder / "main.tex").write_text(document, encoding="utf-8")
    for _ in range(2):  # longtable settles its column widths on the second run
        result = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "main.tex"],
            cwd=folder,
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=300,
        )
        assert result.returncode == 0, result.stdout[-3000:]
    return (folder / "main.log").read_text(encoding="utf-8", errors="replace")


def overfull(log: str) -> list[str]:
    """Overfull boxes, and underfull lines (stretched word gaps) too."""
    lines = log.splitlines()
    bad = ("Overfull", "Underfull \\hbox")
    return [" ".join(lines[i : i + 3]) for i, line in enumerate(lines) if line.startswith(bad)]


@needs_pdflatex
def test_every_demo_table_typesets_without_an_overfull_box(demo_tables, tmp_path: Path):
    log = typeset(demo_tables, tmp_path)
    assert overfull(log) == []
    assert (tmp_path / "main.pdf").stat().st_size > 0


@needs_pdflatex
def test_a_40_study_12_claim_review_typesets_without_an_overfull_box(large_tables, tmp_path):
    assert len(large_tables["matrix"].columns) == 1 + 40 + 5
    log = typeset(large_tables, tmp_path)
    assert overfull(log) == []


def test_columns_are_sized_by_content_and_cells_are_ragged_right(demo_tables):
    from phbrefs.tables.writers.latex import layout

    soqf = demo_tables["soqf"]
    _, _, _, widths = layout(soqf)
    names = [c.name for c in soqf.columns]
    summary = widths[names.index("Summary of review finding")]
    confidence = widths[names.index("CERQual assessment of confidence")]
    assert summary > 1.5 * confidence


def test_links_italics_and_invisible_controls(demo_tables):
    from phbrefs.tables.writers.latex import render

    text = render(demo_tables["studies"])
    assert r"\url{https://doi.org/10.1111/hsc.12396}" in text
    assert r"\emph{Health and Social Care in the Community}" in text
    assert r"\raggedright\arraybackslash}p{" in text
    assert r"\hyphenpenalty=10000" in text
    table = demo_tables["claim-post-detox-timing"]
    table.rows[0].cells[1].text = "bidi\u202eevil\u200b zero\u2066width"
    assert "bidievil zerowidth" in render(table)


def test_the_readme_documents_the_preamble_the_tests_compile_with():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert PREAMBLE in readme.replace("\n  ", "\n")


@needs_pdflatex
def test_a_matrix_too_wide_for_one_page_is_split_into_parts_that_fit(tmp_path: Path):
    with Library(tmp_path / "library.db") as library:
        build_large_review(library, studies=90)
        matrix = build_table(library, "matrix")
    text = write_table(matrix, tmp_path / "matrix.tex").read_text(encoding="utf-8")
    parts = text.count(r"\begin{longtable}")
    assert parts >= 2 and f"Part {parts} of {parts}." in text
    assert (
        text.count(r"\rotatebox{90}") == 2 * 90
    )  # each study once, in the first and the running header
    folder = tmp_path / "typeset"
    folder.mkdir()
    assert overfull(typeset({"matrix": matrix}, folder)) == []
