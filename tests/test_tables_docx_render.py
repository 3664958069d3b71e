"""The Word tables as LibreOffice lays them out: converted to PDF by ``soffice --headless`` and
read back with ``pdftotext``, every word of every cell must come out whole (none broken inside
a word by a column too narrow for it), for the demo and a 40-study, 12-claim review."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from large_review import build_large_review

from phbrefs.evidence.example import load_example
from phbrefs.library import Library
from phbrefs.tables import Table, build_table, write_table

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (libreoffice-writer-nogui) or pdftotext (poppler-utils) not installed",
)
WORD = re.compile(r"[^\W_](?:[\w'’.]*[^\W_])?")


def words(text: str) -> Counter[str]:
    return Counter(WORD.findall(text))


def render_pdf_text(tables: dict[str, Table], folder: Path) -> dict[str, str]:
    """Each table's docx as LibreOffice prints it, as text."""
    for stem, table in tables.items():
        write_table(table, folder / f"{stem}.docx")
    profile = folder / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *(str(folder / f"{stem}.docx") for stem in tables),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    texts = {}
    for stem in tables:
        # -tsv: the words as they sit on the page (plain output would join a line-end hyphen
        # to whatever comes next in reading order, often the next cell)
        result = subprocess.run(
            ["pdftotext", "-tsv", "-enc", "UTF-8", str(folder / f"{stem}.pdf"), "-"],
            check=True,
            capture_output=True,
            encoding="utf-8",
        )
        rows = [line.split("\t") for line in result.stdout.splitlines()[1:]]
        texts[stem] = " ".join(row[11] for row in rows if len(row) == 12 and row[0] == "5")
    return texts


def broken_words(table: Table, pdf_text: str) -> list[str]:
    """Cell words the PDF does not hold whole as often as the cells use them."""
    wanted: Counter[str] = Counter()
    for row in table.rows:
        for cell in row.cells:
            wanted += words(cell.display)
    for column in table.columns:
        if column.kind != "symbol":  # turned headers are printed sideways, letter by letter
            wanted += words(column.name)
    found = words(pdf_text)
    return sorted(word for word, n in wanted.items() if found[word] < n)


def tables_of(library: Library, claim: str) -> dict[str, Table]:
    names = ("studies", "matrix", "soqf", "profile")
    tables = {name: build_table(library, name) for name in names}
    tables["claim"] = build_table(library, "claim", claim=claim)
    return tables


def test_no_word_of_a_demo_cell_is_broken_in_libreoffice(tmp_path: Path):
    with Library(tmp_path / "library.db") as library:
        load_example(library)
        tables = tables_of(library, "post-detox-timing")
    texts = render_pdf_text(tables, tmp_path)
    for stem, table in tables.items():
        assert broken_words(table, texts[stem]) == [], stem


def test_no_word_of_a_large_review_cell_is_broken_in_libreoffice(tmp_path: Path):
    with Library(tmp_path / "library.db") as library:
        build_large_review(library)
        tables = tables_of(library, "claim-1")
    texts = render_pdf_text(tables, tmp_path)
    for stem, table in tables.items():
        assert broken_words(table, texts[stem]) == [], stem
