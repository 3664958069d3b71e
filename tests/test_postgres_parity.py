"""What differs between SQLite and PostgreSQL by default is made the same: listings sort works
without a year, author or title first, and times read back in UTC, on both backends."""

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
