"""The exports proven with the real tools: pandoc --citeproc reads the BibTeX, biber the BibLaTeX,
both without a single warning, for a library of varied records (BibTeX and RIS imports)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = [
    FIXTURES / "bibtex" / "varied.bib",
    *sorted((FIXTURES / "ris").glob("*.ris")),
]


@pytest.fixture
def varied_library(cli):
    result = cli("import", *SOURCES)
    assert "failed: " in result.stderr  # zotero.ris holds one deliberately broken entry
    keys = [w["citekey"] for w in json.loads(cli("list", "--json").stdout)]
    assert len(keys) == 13  # 9 BibTeX + 13 RIS entries, 8 of them merged or duplicates
    return keys


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")
def test_pandoc_citeproc_renders_every_key_without_warning(cli, varied_library, tmp_path):
    bib = tmp_path / "refs.bib"
    assert cli("export", "--all", "--format", "bibtex", "-o", bib).exit_code == 0
    manuscript = tmp_path / "paper.md"
    citations = "; ".join(f"@{key}" for key in varied_library)
    manuscript.write_text(f"# Review\n\nAs shown [{citations}].\n\n# References\n")
    result = subprocess.run(
        ["pandoc", str(manuscript), "--citeproc", "--bibliography", str(bib), "-t", "plain"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    assert "???" not in result.stdout
    assert "García Márquez" in result.stdout and "Østergaard" in result.stdout
    rendered = " ".join(result.stdout.split()).lower()  # the style title-cases
    assert "costs & outcomes of $-denominated budgets: the #1 r&d _tension_ in 5% of nhs" in (
        rendered
    )


@pytest.mark.skipif(shutil.which("biber") is None, reason="biber not installed")
def test_biber_validates_the_biblatex_export_without_warning(cli, varied_library, tmp_path):
    bib = tmp_path / "refs.bib"
    assert cli("export", "--all", "--format", "biblatex", "-o", bib).exit_code == 0
    result = subprocess.run(
        [
            "biber",
            "--tool",
            "--validate-datamodel",
            "--output-file",
            str(tmp_path / "out.bib"),
            str(bib),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    log = result.stdout + result.stderr
    logfile = tmp_path / "refs.bib.blg"
    if logfile.exists():
        log += logfile.read_text(encoding="utf-8", errors="replace")
    assert result.returncode == 0, log
    assert not re.search(r"\b(WARN|ERROR)\b", log), log
    written = (tmp_path / "out.bib").read_text(encoding="utf-8")
    for key in varied_library:
        assert f"{{{key}," in written.lower() or f"{{{key.lower()}," in written.lower()
