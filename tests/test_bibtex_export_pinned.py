"""The BibTeX and BibLaTeX export of a varied set of works, pinned byte for byte.

The records (tests/fixtures/bibtex-export/records.json) are the BibTeX, RIS and Crossref
fixtures as read in December 2026, the Crossref ones also with LaTeX specials, accents and
particles or suffixes in their titles and names, and a few hand-made edge cases (theses,
reports, web pages, organisations, PMIDs, languages). The expected files are what the exporter
wrote for them before it was made faster: a speed-up must not change one byte of what pandoc,
biber or BibTeX read.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from phbrefs.formats import get_exporter
from phbrefs.records import WorkRecord
from phbrefs.stored import StoredWork

PINNED = Path(__file__).parent / "fixtures" / "bibtex-export"


def pinned_works() -> list[StoredWork]:
    data = json.loads((PINNED / "records.json").read_text(encoding="utf-8"))
    when = datetime(2026, 1, 1)
    records = [WorkRecord.from_dict(item) for item in data]
    return [StoredWork(i, r.citekey or f"work{i}", r, when, when) for i, r in enumerate(records)]


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_export_is_byte_identical_to_the_pinned_output(fmt):
    expected = (PINNED / f"{fmt}.bib").read_text(encoding="utf-8")
    assert get_exporter(fmt).export(pinned_works()) == expected
