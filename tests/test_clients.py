"""The same reference from every client: ``phbrefs bib`` (citeproc-py) and pandoc --citeproc
(the pandoc Debian ships, 2.17) reading phbrefs' CSL-JSON export, for every shipped style, a
varied library and every form of page range; neither client may warn."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from phbrefs.formats.citeproc import STYLES

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = [
    FIXTURES / "bibtex" / "varied.bib",
    FIXTURES / "csl" / "zotero.json",
    *sorted((FIXTURES / "ris").glob("*.ris")),
]
needs_pandoc = pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")

# page form -> how each style prints it (all four ship with full or Chicago ranges)
PAGES = {
    "1-11": {"apa": "1–11", "vancouver": "1–11", "harvard": "1–11", "chicago": "1–11"},
    "1-12": {"apa": "1–12", "vancouver": "1–12", "harvard": "1–12", "chicago": "1–12"},
    "1201-14": {"apa": "1201–1214", "vancouver": "1201–1214", "harvard": "1201–1214",
                "chicago": "1201–14"},
    "e1234": {"apa": "e1234", "vancouver": "e1234", "harvard": "e1234", "chicago": "e1234"},
    "S12-S15": {"apa": "S12–S15", "vancouver": "S12–S15", "harvard": "S12–S15",
                "chicago": "S12–15"},
    "iii-xv": {"apa": "iii–xv", "vancouver": "iii–xv", "harvard": "iii–xv", "chicago": "iii–xv"},
}  # fmt: skip


def comparable(text: str) -> str:
    """One entry as both clients should give it. pandoc curls apostrophes, and 2.17 ignores
    ``initialize-with-hyphen="false"`` (Vancouver's "Jones KA" is "Jones K-A" there)."""
    text = " ".join(text.replace("’", "'").split())
    return re.sub(r"\b([A-Z])-([A-Z])\b", r"\1\2", text)


def pandoc_entries(csl_json: Path, style: str, tmp_path: Path) -> list[str]:
    document = tmp_path / "doc.md"
    document.write_text('---\nnocite: "@*"\n---\n')
    result = subprocess.run(
        ["pandoc", str(document), "--citeproc", "--bibliography", str(csl_json), "--csl",
         style, "-t", "plain", "--wrap=none"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0 and result.stderr == "", result.stderr
    entries = [line for line in result.stdout.splitlines() if line.strip()]
    return [re.sub(r"^\d+\. ", "", e) for e in entries]


def phbrefs_entries(cli, style: str) -> list[str]:
    result = cli("bib", "--all", "--style", style, "--json")
    assert result.exit_code == 0 and result.stderr == "", result.stderr
    return [re.sub(r"^\d+\. ", "", e["text"]) for e in json.loads(result.stdout)["entries"]]


@pytest.fixture
def exported(cli, tmp_path):
    result = cli("import", *SOURCES)
    assert "15 added" in result.stderr, result.stderr  # zotero.ris holds one broken entry
    path = tmp_path / "library.json"
    assert cli("export", "--all", "--format", "csljson", "-o", path).exit_code == 0
    return path


@needs_pandoc
@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_style_renders_alike_in_phbrefs_and_pandoc(cli, exported, style, tmp_path):
    from phbrefs.formats.citeproc import style_path

    ours = sorted(comparable(e) for e in phbrefs_entries(cli, style))
    theirs = sorted(
        comparable(e) for e in pandoc_entries(exported, str(style_path(style)), tmp_path)
    )
    assert ours == theirs


def _page_items() -> list[dict]:
    return [
        {"id": f"p{i}", "type": "article-journal", "title": f"Pages {form}",
         "author": [{"family": f"Author{chr(65 + i)}", "given": "Ann"}],
         "container-title": "Journal of Pages", "volume": "7", "page": form,
         "issued": {"date-parts": [[2020]]}}
        for i, form in enumerate(PAGES)
    ]  # fmt: skip


@needs_pandoc
@pytest.mark.parametrize("style", sorted(STYLES))
def test_page_ranges_in_every_style_and_client(cli, style, tmp_path):
    from phbrefs.formats.citeproc import style_path

    source = tmp_path / "pages.json"
    source.write_text(json.dumps(_page_items()))
    assert cli("import", source).exit_code == 0
    exported = tmp_path / "exported.json"
    assert cli("export", "--all", "--format", "csljson", "-o", exported).exit_code == 0
    ours = phbrefs_entries(cli, style)
    theirs = pandoc_entries(exported, str(style_path(style)), tmp_path)
    for form, printed in PAGES.items():
        mine = next(e for e in ours if f"Pages {form}" in e or f"Pages {form.title()}" in e)
        pandocs = next(e for e in theirs if comparable(e).startswith(comparable(mine)[:20]))
        assert printed[style] in mine, (form, mine)
        assert comparable(mine) == comparable(pandocs)
