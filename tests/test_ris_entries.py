"""The hand-written RIS reader (ris_entries) reads every entry as rispy, the reference, reads it:
the same tags with the same values in the same order, on generated texts and real exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phbrefs.formats.ris_entries import TAG_LINE, Tags, read_entries, rispy_parser

FIXTURES = Path(__file__).parent / "fixtures"
REAL = sorted((FIXTURES / "ris").glob("*.ris")) + sorted((FIXTURES / "dedup").glob("*.ris"))

TAGS = ["TI", "T1", "AU", "A1", "DO", "M3", "UR", "AN", "KW", "SN", "PY", "DA", "AB", "N2", "ID"]
ODD_TAGS = ["XX", "A-", "É1", "A ", "Ab", "ty", "TY", "ER"]  # not tags here; rispy reads some
SEPARATORS = ["  - ", " - ", "\t- ", "  -", "  -  ", " \t- ", "  -x", "   - ", "-", ""]
VALUES = ["", " ", "x", "Smith, J.", "10.1234/abc", "PMID: 12345678", "a;b", "  padded  ", "É"]
tag_line = st.builds(
    lambda tag, separator, value: tag + separator + value,
    st.sampled_from(TAGS + ODD_TAGS),
    st.sampled_from(SEPARATORS),
    st.sampled_from(VALUES),
)
other_line = st.sampled_from(["", "   ", "continued text", "  TYPE x", "\tindented", "ER", "TY"])
line = st.one_of(tag_line, other_line, st.text(max_size=10))
entry = st.builds(
    lambda first, body, last: [first, *body, last],
    st.sampled_from(["TY  - JOUR", "TY - BOOK", "TY  -", "TY  - CHAP  ", "AU  - Orphan, O."]),
    st.lists(st.one_of(tag_line, line), max_size=15),
    st.sampled_from(["ER  - ", "ER  -", "ER - ", "ER  -  ", "ER  - x", "TI  - unclosed"]),
)
line_ends = st.sampled_from(["\n", "\r\n", "\r", "\u2028"])


def rispy_tags(text: str) -> list[tuple[str | None, list[str]]]:
    """rispy's reading of one entry's text, ``TY`` as a list like every other tag."""
    (parsed,) = rispy_parser().parse(text)
    return [(tag, [v] if isinstance(v, str) else v) for tag, v in parsed.items()]


def assert_read_as_rispy_reads(text: str) -> None:
    lines = text.splitlines()
    for entry in read_entries(lines, 1):
        assert TAG_LINE.match(lines[entry.line - 1])  # an entry starts at a tag line
        if entry.tags is not None:
            tags: Tags = entry.tags
            assert list(tags.items()) == rispy_tags(entry.text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(entry, st.lists(line, max_size=3)), max_size=8), line_ends)
def test_generated_entries_are_read_as_rispy_reads_them(blocks, line_end):
    assert_read_as_rispy_reads(line_end.join(text for block in blocks for text in block))


@pytest.mark.parametrize("path", REAL, ids=lambda path: path.name)
def test_real_exports_are_read_as_rispy_reads_them(path):
    text = path.read_text(encoding="utf-8").lstrip("\ufeff")
    assert_read_as_rispy_reads(text)
    entries = read_entries(text.splitlines(), 1)
    assert sum(entry.tags is not None for entry in entries) >= 1


def test_an_entry_is_its_tidied_text_from_ty_to_er():
    text = "junk\nTY - JOUR\nTI  -  A title  \n  continued\nER  -\n\nAU  - Orphan\nER  - \n"
    readable, orphan = read_entries(text.splitlines(), 1)
    assert (readable.line, orphan.line) == (2, 7)
    assert readable.text == "TY  - JOUR\nTI  - A title\n  continued\nER  -"
    assert readable.tags == {"TY": ["JOUR"], "TI": ["A title", "continued"]}
    assert orphan.tags is None and orphan.problem == "entry does not start with TY"
