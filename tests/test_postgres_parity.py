"""What differs between SQLite and PostgreSQL by default is made the same: listings sort works
without a year, author or title first, times read back in UTC, and doctor checks and rebuilds
the search index, on both backends."""

from __future__ import annotations

import pytest

from phbrefs.library import Library
from phbrefs.records import Contributor, PartialDate, WorkRecord

RECORDS = [
    WorkRecord(title="B without a year", contributors=[Contributor(family="Zed")]),
    WorkRecord(title="A", issued=PartialDate(2001), contributors=[Contributor(family="Abe")]),
    WorkRecord(title="c lower case, no author", issued=PartialDate(2002)),
    WorkRecord(title="Élan", issued=PartialDate(2003)),
    WorkRecord(issued=PartialDate(2000), contributors=[Contributor(family="Notitle")]),
]


@pytest.mark.parametrize("order", ["citekey", "year", "author", "title", "added"])
def test_listings_sort_the_same_on_both_backends(tmp_path, postgres_library_url, order):
    listed = []
    for location in (tmp_path / "library.db", postgres_library_url):
        with Library(location) as library:
            library.add_many(RECORDS)
            listed.append([w.citekey for w in library.works(order=order)])
    assert listed[0] == listed[1]


def test_times_read_back_in_utc(postgres_library_url):
    with Library(postgres_library_url) as library:
        library.add(RECORDS[1])
        work = library.works()[0]
    assert work.added_at.utcoffset().total_seconds() == 0
    assert work.to_dict()["added_at"].endswith("+00:00")


def test_doctor_on_postgres_finds_and_rebuilds_a_stale_search_index(cli, postgres_library_url):
    import psycopg

    with Library(postgres_library_url) as library:
        library.add_many(RECORDS)
    with psycopg.connect(postgres_library_url) as conn:
        conn.execute("DELETE FROM work_fts WHERE work_id = (SELECT min(id) FROM work)")
    checked = cli("--db", postgres_library_url, "doctor", "--check")
    assert checked.exit_code == 7
    assert "DAMAGED search index coverage: 1 works not indexed" in checked.stderr
    repaired = cli("--db", postgres_library_url, "doctor")
    assert repaired.exit_code == 0, repaired.output
    assert "repaired: search index rebuilt from 5 works" in repaired.stderr
    assert "Traceback" not in checked.output + repaired.output
    with Library(postgres_library_url) as library:
        assert len(library.search("lower")) == 1
