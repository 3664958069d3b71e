"""Property: for every format, export -> import -> export gives the same text (a fixed point),
for records as the library stores them (cleaned)."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phbrefs.cleaning import clean_record
from phbrefs.formats import get_exporter, get_importer
from phbrefs.library import StoredWork
from phbrefs.records import Contributor, PartialDate, WorkRecord

FORMATS = ["bibtex", "biblatex", "ris", "csljson"]
word = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=2, max_size=10
).map(str.capitalize)
words = st.lists(word, min_size=1, max_size=6).map(" ".join)
person = st.builds(
    lambda given, family, particle: Contributor(given=given, family=family, particle=particle),
    word,
    word,
    st.sampled_from([None, "van der", "de"]),
)
organisation = st.builds(lambda name: Contributor(literal=name), words)
editor = st.builds(lambda given, family: Contributor(role="editor", given=given, family=family),
                   word, word)  # fmt: skip
pages = st.sampled_from([None, "1-11", "1201-1214", "e1234", "S12-S15", "iii-xv", "7"])
record = st.builds(
    lambda kind, title, people, editors, page, year, language, doi, volume: clean_record(
        WorkRecord(
            type=kind,
            title=title,
            contributors=[*people, *editors],
            container_title=None if kind in ("book", "thesis", "report") else "Journal of Tests",
            publisher="Policy Press" if kind in ("book", "thesis", "report", "chapter") else None,
            pages=page,
            issued=PartialDate(year),
            language=language,
            doi=doi,
            volume=volume,
        )
    ),
    st.sampled_from(["article-journal", "chapter", "book", "thesis", "report"]),
    words,
    st.lists(st.one_of(person, organisation), min_size=1, max_size=3),
    st.lists(editor, max_size=2),
    pages,
    st.integers(1900, 2030),
    st.sampled_from([None, "en", "fr", "en-GB"]),
    st.sampled_from([None, "10.1111/hsc.12396", "10.1234/abc_def(x)"]),
    st.sampled_from([None, "12"]),
)


def _stored(record: WorkRecord) -> StoredWork:
    now = datetime(2026, 1, 1)
    return StoredWork(id=1, citekey="key2020", record=record, added_at=now, updated_at=now)


def _round(text: str, fmt: str) -> str:
    result = get_importer(fmt).parse(text, f"fixed.{fmt}")
    assert not result.errors, (text, result.errors)
    (back,) = result.records
    return get_exporter(fmt).export([_stored(back)])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=record, fmt=st.sampled_from(FORMATS))
def test_export_import_export_is_a_fixed_point(record, fmt):
    first = get_exporter(fmt).export([_stored(record)])
    second = _round(first, fmt)
    assert second == first
    assert _round(second, fmt) == second
