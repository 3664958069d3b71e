"""The BibTeX and BibLaTeX export of a varied set of works, pinned byte for byte; the faster
scans of the exporter against the regexes they replace.

The records (tests/fixtures/bibtex-export/records.json) are the BibTeX, RIS and Crossref
fixtures as read in December 2026, the Crossref ones also with LaTeX specials, accents and
particles or suffixes in their titles and names, and a few hand-made edge cases (theses,
reports, web pages, organisations, PMIDs, languages). The expected files are what the exporter
wrote for them before it was made faster: a speed-up must not change one byte of what pandoc,
biber or BibTeX read.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phbrefs.formats import get_exporter
from phbrefs.formats.bibtex import proper_nouns
from phbrefs.formats.bibtex.exporter import _protect_title
from phbrefs.formats.latex import escape_specials, to_latex
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


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_an_export_written_on_two_cores_is_byte_identical(fmt, monkeypatch):
    """A large export's entries are written by this process and a forked child: the proper
    nouns of every abstract still reach every title, and not one byte changes."""
    from phbrefs.forked import free_cores, map_forked
    from phbrefs.formats.bibtex import exporter

    if free_cores() < 2:
        pytest.skip("one core: the export is written in one process")
    parts: list[int] = []

    def spied(function, works):  # the real map_forked, its parts' sizes kept
        parts.extend(len(part) for part in works)
        return map_forked(function, works)

    monkeypatch.setattr(exporter, "PARALLEL_MIN_WORKS", 2)
    monkeypatch.setattr(exporter, "map_forked", spied)
    works = pinned_works()
    expected = (PINNED / f"{fmt}.bib").read_text(encoding="utf-8")
    assert get_exporter(fmt).export(works) == expected
    assert len(parts) == 2 and sum(parts) == len(works) and parts[0] > parts[1] > 0


# what the exporter used before: one pass that pairs each word with the sentence end before it
_PAIRED = re.compile(r"([.!?:;]\s*)?([^\W\d_][\w'’-]*)")
_ACRONYM = re.compile(r"\w*[A-Z]\w*[A-Z]|\w+[A-Z]|\d\w*[A-Z]")


def paired_proper_nouns(text: str | None) -> frozenset[str]:
    if not text:
        return frozenset()
    words = _PAIRED.findall(text)
    later = set(words[1:])
    lower = {w.lower() for _, w in later | set(words[:1]) if w[0].islower()}
    capitalised = {w for stop, w in later if not stop and not w[0].islower()}
    return frozenset(w for w in capitalised if w.lower() not in lower)


prose = st.lists(
    st.sampled_from([*"aAbBzZéÉ_'’-19", " ", "\n", "\t", *".!?:;,()", "\u00a0", "the", "NHS"]),
    max_size=60,
).map("".join)


@given(prose)
def test_proper_nouns_are_those_of_the_paired_scan(text):
    assert proper_nouns(text) == paired_proper_nouns(text)


title_words = st.lists(
    st.text(st.sampled_from([*"aAbBnNéÉ_'’-19", *'()[]:;,.!?"“”', "\t", "&", "`"]), max_size=8),
    max_size=8,
)


# what proper_nouns gives: words that do not start in lower case
@given(title_words, st.frozensets(st.sampled_from(["A", "Ab", "NHS", "Ééa", "B-b", "É"])))
def test_titles_protect_the_words_the_acronym_regex_finds(words, proper):
    """The inner capitals found in one pass over the title are the words the former per-word
    regex found: the same braces in every title."""
    title = " ".join(words)
    found = {i for i, w in enumerate(title.split(" ")) if _ACRONYM.search(w)}
    inner = {title.count(" ", 0, m.start()) for m in re.finditer(r"\w[A-Z]", title)}
    assert inner == found
    for encode in (to_latex, escape_specials):
        assert _protect_title(title, encode, proper) == former_protect_title(title, encode, proper)


def former_protect_title(title, encode, proper):
    words = title.split(" ")
    long_words = [
        w for w in words[1:] if len(w) >= 4 and w[:1].isalpha() and not _ACRONYM.search(w)
    ]
    capitalised = [w for w in long_words if w[:1].isupper()]
    sentence_case = len(capitalised) * 2 <= len(long_words)
    out, plain = [], []
    for index, word in enumerate(words):
        core = word.strip("()[]\"'“”‘’:;,.!?")
        protect = (
            bool(_ACRONYM.search(core))
            or (sentence_case and index > 0 and core[:1].isupper())
            or core in proper
        )
        if protect and core:
            if plain:
                out.append(encode(" ".join(plain)))
                plain = []
            lead, _, tail = word.partition(core)
            out.append(f"{encode(lead)}{{{encode(core)}}}{encode(tail)}")
        else:
            plain.append(word)
    if plain:
        out.append(encode(" ".join(plain)))
    return " ".join(out)


_SPECIALS = re.compile(r"[\\{}&%$#_~^]")
_LIGATURES = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')")


@given(st.text(st.sampled_from([*"a-`'\\{}&%$#_~^ é\u200b"]), max_size=30))
def test_escaping_runs_the_ligature_regex_only_where_it_would_change_something(text):
    from phbrefs.controls import strip_controls
    from phbrefs.formats.latex import SPECIALS

    former = _SPECIALS.sub(lambda m: SPECIALS[m.group(0)], strip_controls(text))
    assert escape_specials(text) == _LIGATURES.sub("{}", former)
