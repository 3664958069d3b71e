"""Full-text search on PostgreSQL ranks as on SQLite: the same top works, the same BM25 scores
and snippets, for a corpus of recorded Crossref works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phbrefs.db import fulltext
from phbrefs.errors import InvalidInputError
from phbrefs.library import Library
from phbrefs.sources.crossref import record_from_crossref

WORKS = Path(__file__).parent / "fixtures" / "crossref" / "works"
QUERIES = [
    "science",
    "widget",
    "springer",
    "data",
    "boettiger",
    "carl boettiger",
    "ecology",
    "ecolog",  # a prefix
    "evolution model",
    "library",
    "public library science",
    "results",
    "model",
    "methods",
    "springer business",
    "levels",
    "jquery",
    "chen",
    "university",
    "with that",
]


@pytest.fixture(scope="module")
def corpus() -> list:
    return [
        record_from_crossref(json.loads(path.read_text(encoding="utf-8"))["message"])
        for path in sorted(WORKS.glob("*.json"))
    ]


@pytest.fixture(scope="module")
def both(corpus, tmp_path_factory, postgres_server):
    sqlite_path = tmp_path_factory.mktemp("search") / "library.db"
    with Library(sqlite_path) as sqlite, Library(postgres_server.migrated()) as postgres:
        for library in (sqlite, postgres):
            library.add_many(corpus)
            library.add_note(corpus[0].doi, "mentions leadership and care")
        yield sqlite, postgres


def _top(library: Library, query: str, n: int = 5) -> list[tuple[str, float]]:
    return [(w.citekey, score) for w, score, _ in library.search(query, limit=n)]


@pytest.mark.parametrize("query", QUERIES)
def test_the_same_query_returns_the_same_top_works_with_the_same_scores(both, query):
    sqlite, postgres = both
    expected, found = _top(sqlite, query), _top(postgres, query)
    assert [key for key, _ in found] == [key for key, _ in expected]
    assert [score for _, score in found] == [score for _, score in expected]


def test_every_query_finds_something_and_search_reads_notes(both):
    sqlite, postgres = both
    counts = {query: len(postgres.search(query, limit=1000)) for query in QUERIES}
    assert all(counts.values()), counts
    assert {q: len(sqlite.search(q, limit=1000)) for q in QUERIES} == counts
    assert _top(postgres, "leadership") == _top(sqlite, "leadership")


def test_snippets_bracket_the_matched_words_the_same_on_both(both):
    sqlite, postgres = both
    for query in QUERIES:
        assert [hit[2] for hit in postgres.search(query)] == [
            hit[2] for hit in sqlite.search(query)
        ]
    for work, _, snippet in postgres.search("ecology", limit=20):
        assert "[" in snippet and "]" in snippet, (work.citekey, snippet)
        assert snippet.lower().count("[ecolog") >= 1


def test_phrases_or_and_bad_syntax_on_postgres(both):
    sqlite, postgres = both
    for query in ('"public library"', "jquery OR widget", "ecology NOT evolution"):
        assert {k for k, _ in _top(postgres, query, 100)} == {
            k for k, _ in _top(sqlite, query, 100)
        }
    with pytest.raises(InvalidInputError):
        postgres.search('"unbalanced')


def _folded_as_before(value: str) -> list[str]:
    """The tokeniser's definition: NFD, marks removed, then the letter and digit runs."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", value.lower())
    return fulltext._TOKEN.findall(
        "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


@given(st.text())
def test_postgres_tokens_fold_every_text_as_the_unicode61_definition(value):
    assert fulltext.tokens(value) == _folded_as_before(value)


@given(st.text(alphabet="abcé\u0301 Ü-_1\u212a\u0130"))
def test_postgres_tokens_of_accented_latin_text(value):
    assert fulltext.tokens(value) == _folded_as_before(value)
