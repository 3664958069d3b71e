"""A whole review, as a researcher runs it: real processes, the local Crossref, real files.

add (Crossref) -> import (BibTeX) -> tag -> claim/finding/study/CERQual -> tables -> export ->
cite a manuscript -> pandoc renders it. Every step is a separate `python -m phbrefs` process
sharing one library, as at a terminal.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from phbrefs.errors import ExitCode

ANNWEH = "10.1093/annweh/wxz051"
PGEN = "10.1371/journal.pgen.1011490"

COLLEAGUE_BIB = r"""
@article{welch2016,
  author  = {Welch, Elizabeth and Jones, Karen and Caiels, James and Windle, Karen and Bass, Rosie},
  title   = {Implementing personal health budgets in {England}},
  journal = {Health and Social Care in the Community},
  year    = {2016},
  doi     = {10.1111/hsc.12396},
}
@article{broken,
  author = {Nobody},
  title = {Unclosed
"""


def run(tmp_path: Path, *args: str, server_url: str, stdin: str | None = None):
    env = {
        **os.environ,
        "PHBREFS_CROSSREF_URL": server_url,
        "PHBREFS_DB": str(tmp_path / "review.db"),
        "PHBREFS_CODER": "EW",
    }
    return subprocess.run(
        [sys.executable, "-m", "phbrefs", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        input=stdin,
        timeout=120,
    )


def test_a_review_from_dois_to_a_rendered_manuscript(crossref_server, tmp_path: Path):
    def phbrefs(*args: str, stdin: str | None = None, expect: int = 0):
        result = run(tmp_path, *args, server_url=crossref_server.url, stdin=stdin)
        assert result.returncode == expect, f"{args}: {result.stderr}"
        return result

    # 1. DOIs pasted from a reference list
    added = phbrefs(
        "add",
        "--from-text",
        "-",
        "--tag",
        "included",
        stdin=f"See doi:{ANNWEH}. Also https://doi.org/{PGEN.upper()}).",
    )
    keys = [line.split("\t")[0] for line in added.stdout.splitlines()]
    assert len(keys) == 2
    # re-running costs nothing and changes nothing
    again = phbrefs("add", ANNWEH, PGEN, "--json")
    assert {r["outcome"] for r in json.loads(again.stdout)} == {"unchanged"}

    # 2. a colleague's .bib with one broken entry: the rest imports, the failure is named
    (tmp_path / "colleague.bib").write_text(COLLEAGUE_BIB, encoding="utf-8")
    imported = phbrefs("import", "colleague.bib", "--tag", "included", expect=ExitCode.PARTIAL)
    assert "colleague.bib" in imported.stderr
    welch = phbrefs("show", "10.1111/hsc.12396", "--json")
    welch_key = json.loads(welch.stdout)["citekey"]
    listed = json.loads(phbrefs("list", "--tag", "included", "--json").stdout)
    assert len(listed) == 3

    # 3. coding the evidence
    phbrefs(
        "claim",
        "add",
        "PHBs work better when offered after detox than at a crisis point.",
        "--slug",
        "post-detox-timing",
        "--theme",
        "Implementation",
    )
    phbrefs(
        "finding",
        "add",
        welch_key,
        "post-detox-timing",
        "--stance",
        "supports",
        "--quote",
        "individuals potentially would benefit from receiving their PHB post-detox",
        "--location",
        "Abstract",
        "--participants",
        "organisational representatives",
        "--dimension",
        "RE-AIM:Implementation",
    )
    phbrefs(
        "finding",
        "add",
        keys[0],
        "post-detox-timing",
        "--stance",
        "neutral",
        "--quote",
        "Timing was not examined.",
        "--page",
        "4",
    )
    phbrefs(
        "study",
        "set",
        welch_key,
        "--design",
        "qualitative",
        "--participants",
        "20 organisational representatives (interviews)",
    )
    cerqual = phbrefs(
        "cerqual",
        "set",
        "post-detox-timing",
        "--overall",
        "low",
        "--overall-why",
        "One small study.",
    )
    assert "warning" in cerqual.stderr  # components not assessed yet
    shown = phbrefs("claim", "show", "post-detox-timing").stdout
    assert "receiving their PHB post-detox" in shown

    # 4. tables for the review, into exports/
    written = phbrefs("table", "matrix", "--format", "md").stdout.split()
    matrix = (tmp_path / written[0]).read_text(encoding="utf-8")
    assert "✓" in matrix and "○" in matrix and "Welch" in matrix
    assert Path(written[0]).parent.name == "exports"

    # 5. a manuscript citing two works and one unknown key
    manuscript = tmp_path / "paper.md"
    manuscript.write_text(
        f"PHBs after detox [@{welch_key}, p. 3]. See also @{keys[0]} and [@nosuchkey2020].\n",
        encoding="utf-8",
    )
    cited = phbrefs("cite", "paper.md", "-o", "refs.json", expect=ExitCode.NOT_FOUND)
    assert "nosuchkey2020" in cited.stderr
    refs = json.loads((tmp_path / "refs.json").read_text(encoding="utf-8"))
    assert sorted(item["id"] for item in refs) == sorted([welch_key, keys[0]])

    # 6. pandoc renders it with no warning
    if shutil.which("pandoc"):
        manuscript.write_text(
            f"PHBs after detox [@{welch_key}, p. 3]. See also @{keys[0]}.\n", encoding="utf-8"
        )
        phbrefs("cite", "paper.md", "-o", "refs.json")
        html = subprocess.run(
            ["pandoc", "--citeproc", "--bibliography", "refs.json", "paper.md", "-t", "html"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=True,
        )
        assert html.stderr == ""
        assert "Welch" in html.stdout and "2016" in html.stdout

    # 7. deleting a coded paper asks; without a terminal it refuses and keeps everything
    refused = phbrefs("remove", welch_key, expect=ExitCode.ABORTED)
    assert "finding" in refused.stderr
    assert json.loads(phbrefs("finding", "list", "--json").stdout)
