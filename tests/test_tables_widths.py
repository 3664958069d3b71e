"""Column widths planned from content: every column gets its longest word, the line is filled
exactly, and the columns with more text get more room."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from phbrefs.tables.model import Cell, Column, Row, Table
from phbrefs.tables.writers.widths import column_needs, plan_widths

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789-'", min_size=1, max_size=14)
cells = st.lists(words, min_size=0, max_size=30).map(" ".join)


@st.composite
def tables(draw) -> Table:
    kinds = draw(
        st.lists(st.sampled_from(["text", "text", "symbol", "number"]), min_size=1, max_size=8)
    )
    columns = [Column(f"Column {i}", kind) for i, kind in enumerate(kinds)]
    rows = draw(st.lists(st.lists(cells, min_size=len(columns), max_size=len(columns)), max_size=6))
    return Table("t", "T", columns, rows=[Row([Cell(text) for text in row]) for row in rows])


@given(tables(), st.floats(min_value=20, max_value=120))
def test_every_word_fits_and_the_line_is_filled(table: Table, line: float):
    widths = plan_widths(table, line, gap=0.5)
    needs = column_needs(table)
    if widths is None:
        assert sum(n.minimum for n in needs) + 0.5 * (len(needs) - 1) > line
        return
    assert all(w >= n.minimum - 1e-9 for w, n in zip(widths, needs, strict=True))
    if any(c.kind == "text" for c in table.columns):
        assert abs(sum(widths) + 0.5 * (len(widths) - 1) - line) < 1e-6


def test_the_claim_column_is_wide_and_the_confidence_column_narrow():
    table = Table(
        "soqf",
        "T",
        [Column("#", "number"), Column("Claim"), Column("Confidence")],
        rows=[
            Row(
                [
                    Cell("1"),
                    Cell("Direct payments give budget holders greater choice " * 3),
                    Cell("Moderate confidence"),
                ]
            ),
            Row(
                [
                    Cell("2"),
                    Cell("Budgets encourage service integration."),
                    Cell("Very low confidence"),
                ]
            ),
        ],
    )
    number, claim, confidence = plan_widths(table, 50, gap=0.5)
    assert number < confidence < claim
