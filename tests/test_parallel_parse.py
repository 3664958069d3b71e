"""Large files parsed in pieces on several cores give exactly what one parse of the whole gives:
the same records, the same errors on the same lines, whatever the pieces' boundaries."""

from __future__ import annotations

import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from phbrefs.formats import get_importer
from phbrefs.importing import parse_text

# Good and broken BibTeX blocks; {n} keeps every key distinct.
BIB_BLOCKS = [
    "@article{{good{n},\n  author = {{Welch, Elizabeth and van der Berg, Jan}},\n"
    "  title = {{Personal health budgets {n}: caf\\'e \\& 50\\%}},\n"
    "  journal = {{Health \\& Social Care}}, year = {{2016}}, month = oct,\n"
    "  pages = {{1634--1643}},\n}}\n",
    "@book(paren{n}, title = {{A book in parentheses {n}}}, year = 2001)\n",
    "@misc{{unclosed{n},\n  title = {{Never closed {n}\n",  # fails at the next block start
    "@article{{nocomma{n} title = {{No comma}}}}\n",
    "@article{{notitle{n}, author = {{Jones, Karen}}, year = {{2019}}}}\n",
    "@misc{{badlatex{n}, title = {{Bad \\\\ macro $x^{{ {n}}}\n",
    "@comment{{a comment {n}}}\n",
    '@preamble{{"\\newcommand{{\\noop{n}}}[1]{{}}"}}\n',
    "free text between entries {n} \\\nwith an escaped newline\n",
    "@article{{escaped{n}, title = {{Lines joined \\\n by a backslash {n}}}, year = {{2020}}}}\n",
    "  @article{{indented{n}, title = {{Indented start {n}}}}}\n",
]

RIS_BLOCKS = [
    "TY  - JOUR\nTI  - Personal health budgets {n}\nAU  - Welch, Elizabeth\nPY  - 2016\nER  - \n",
    "TY  - BOOK\nT1  - A book {n}\nER  - \n\n",
    "TY  - JOUR\nTI  - Never closed {n}\n",  # ends where the next TY begins
    "AU  - Orphan, Tag {n}\nER  - \n",  # an entry without TY
    "TY  - JOUR\nAU  - No, Title\nER  - \n",
    "some header line {n}\n\n",
]


def _text(blocks: list[str], choices: list[int]) -> str:
    return "".join(blocks[choice].format(n=n) for n, choice in enumerate(choices))


def _same(one, other) -> None:  # type: ignore[no-untyped-def]
    assert [r.to_dict(include_raw=True) for r in one.records] == [
        r.to_dict(include_raw=True) for r in other.records
    ]
    assert one.errors == other.errors


def _pieces(name: str, text: str, cuts: list[float]):  # type: ignore[no-untyped-def]
    importer = get_importer(name)
    parts = importer.split(text, cuts)
    if parts is None:
        return None
    return importer.join([importer.parse_part(part, "big.bib") for part in parts])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, len(BIB_BLOCKS) - 1), min_size=1, max_size=25),
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=3).map(sorted),
)
def test_bibtex_pieces_parse_as_the_whole(choices: list[int], cuts: list[float]) -> None:
    text = _text(BIB_BLOCKS, choices)
    joined = _pieces("bibtex", text, cuts)
    assert joined is not None
    _same(joined, get_importer("bibtex").parse(text, "big.bib"))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, len(RIS_BLOCKS) - 1), min_size=1, max_size=25),
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=3).map(sorted),
)
def test_ris_pieces_parse_as_the_whole(choices: list[int], cuts: list[float]) -> None:
    text = _text(RIS_BLOCKS, choices)
    importer = get_importer("ris")
    parts = importer.split(text, cuts)
    whole = importer.parse(text, "big.ris")
    if parts is None:  # no TY line after the first cut
        return
    _same(importer.join([importer.parse_part(part, "big.ris") for part in parts]), whole)


def test_errors_keep_their_lines_across_pieces() -> None:
    text = _text(BIB_BLOCKS, [0, 2, 0, 3, 0, 4] * 5)
    importer = get_importer("bibtex")
    whole = importer.parse(text, "big.bib")
    assert len(whole.records) == 15 and len(whole.errors) == 15
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.9):
        _same(_pieces("bibtex", text, [fraction]), whole)
    lines = text.splitlines()
    for error in whole.errors:
        assert error.key is None or error.key in lines[error.line - 1]


def test_entries_that_refer_to_each_other_are_parsed_whole() -> None:
    importer = get_importer("bibtex")
    entries = _text(BIB_BLOCKS, [0] * 6)
    strings = "@string{hsc = {Health and Social Care}}\n" + entries
    assert importer.split(strings, [0.5]) is None
    twice = entries + "@article{good0, title = {Again}}\n"
    assert importer.split(twice, [0.5]) is None
    linked = entries + "@incollection{child, title = {Chapter}, crossref = {good0}}\n"
    assert _pieces("bibtex", linked, [0.5]) is None  # join refuses: parse the whole
    for text in (strings, twice, linked):
        _same(parse_text(importer, text, "big.bib", processes=2), importer.parse(text, "big.bib"))


def test_linking_fields_are_found_in_any_case_anywhere_in_the_file(monkeypatch) -> None:
    """A ``crossref``/``xdata`` field or ``@xdata`` entry keeps the file whole wherever it
    sits, across the windows the search lowers a few characters at a time (small here); the
    word alone ("deposited with Crossref") does not."""
    from phbrefs.formats.bibtex import importer as bibtex

    monkeypatch.setattr(bibtex, "_WINDOW", 16)
    importer = get_importer("bibtex")
    entries = _text(BIB_BLOCKS, [0] * 6)
    word = entries + "@misc{note, note = {DOIs deposited with CrossRef and XData}}\n"
    assert importer.split(word, [0.5]) is not None
    for link in ("cRoSsReF = {good0}", "XDATA={good1}"):
        for padding in range(9):  # the field name at every place across a window's edge
            text = entries + f"@misc{{child, {' ' * padding}{link}}}\n"
            assert importer.split(text, [0.5]) is None, (link, padding)
    assert importer.split(entries + "@XData{shared, year = 2020}\n", [0.5]) is None


def test_forked_processes_give_the_same_result() -> None:
    assert threading.active_count() == 1  # else parse_text would not fork
    for name, blocks in (("bibtex", BIB_BLOCKS), ("ris", RIS_BLOCKS)):
        importer = get_importer(name)
        text = _text(blocks, list(range(len(blocks))) * 40)
        assert len(importer.split(text, [0.3, 0.6])) == 3
        _same(parse_text(importer, text, "big", processes=3), importer.parse(text, "big"))


def test_records_are_stored_as_the_json_of_their_dict() -> None:
    """``to_json`` (the bulk insert's serialiser) writes what reads back as ``to_dict()``."""
    import json
    from pathlib import Path

    from phbrefs.records import AbstractSection, Funder, PartialDate, UpdateNotice, WorkRecord
    from phbrefs.sources.crossref import record_from_crossref

    folder = Path(__file__).parent / "fixtures/crossref/works"
    records = [
        record_from_crossref(message)
        for path in sorted(folder.glob("*.json"))
        if isinstance(message := json.loads(path.read_text("utf-8")).get("message"), dict)
    ]
    full = WorkRecord(
        title="Ünïcode “quotes”",
        issued=PartialDate(2016, 10),
        accessed=PartialDate(2020, 1, 2),
        funders=[Funder("NIHR", "10.13039/501100000272", ["A1"])],
        abstract_sections=[AbstractSection("Aims", "To see.")],
        updates=[UpdateNotice("updated-by", "retraction", "10.1/x", PartialDate(2021))],
        extra={"note": "kept"},
        raw="@article{x}",
    )
    for record in [*records, full, WorkRecord()]:
        assert json.loads(record.to_json()) == record.to_dict()
    assert len(records) > 5
