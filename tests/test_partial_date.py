"""``PartialDate.parse``: what the library stores as a date's text reads back as that date."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from phbrefs.records import PartialDate


@given(st.integers(1000, 9999), st.none() | st.integers(1, 12), st.none() | st.integers(1, 31))
def test_a_date_reads_back_from_its_text(year: int, month: int | None, day: int | None) -> None:
    date = PartialDate(year, month, day if month else None)
    assert PartialDate.parse(str(date)) == date
    assert PartialDate.parse(f" {date}\n") == date


def test_parts_out_of_range_are_dropped_and_other_text_is_no_date() -> None:
    assert PartialDate.parse("2019-13") == PartialDate(2019)
    assert PartialDate.parse("2019-02-32") == PartialDate(2019, 2)
    assert PartialDate.parse("2019-2-3") == PartialDate(2019, 2, 3)
    for text in ("", None, "2019/02", "May 2019", "19", "2019-", "20199"):
        assert PartialDate.parse(text) is None
