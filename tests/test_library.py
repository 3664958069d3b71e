"""The storage core: citekeys, idempotent adds, refresh, tags, notes, search, removal."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phbrefs.errors import InvalidInputError, UnknownKeyError
from phbrefs.outcomes import Outcome
from phbrefs.records import AbstractSection, Contributor, PartialDate, WorkRecord


def paper(
    doi: str | None = "10.1111/hsc.12396", title: str = "Implementing personal health budgets"
):
    return WorkRecord(
        type="article-journal",
        title=title,
        doi=doi,
        issued=PartialDate(2016, 10, 10),
        contributors=[Contributor(given="Elizabeth", family="Welch"), Contributor(literal="PSSRU")],
        container_title="Health and Social Care in the Community",
        abstract="Individuals would benefit from receiving their PHB post-detox.",
        abstract_sections=[AbstractSection("Purpose", "Explore PHBs.")],
        source="crossref",
        raw='{"DOI": "10.1111/hsc.12396"}',
    )


def test_citekeys_are_readable_unique_and_stable(library):
    first = library.add(paper())
    second = library.add(paper(doi="10.1/x", title="Implementing budgets again"))
    assert first.citekey == "welch2016implementing"
    assert second.citekey == "welch2016implementinga"
    library.remove([first.citekey])
    third = library.add(paper(doi="10.1/y"))
    assert third.citekey == "welch2016implementing"  # free again only after removal
    assert library.get("welch2016implementinga").record.doi == "10.1/x"


def test_adding_the_same_doi_twice_changes_nothing(library):
    assert library.add(paper()).outcome is Outcome.ADDED
    again = library.add(paper())
    assert again.outcome is Outcome.UNCHANGED
    assert again.citekey == "welch2016implementing"
    assert library.count() == 1


def test_refresh_updates_metadata_but_keeps_key_tags_and_notes(library):
    key = library.add(paper()).citekey
    library.tag([key], add=["included"])
    library.add_note(key, "organisational view only")
    newer = paper(title="Implementing personal health budgets in England")
    assert library.add(newer, refresh=True).outcome is Outcome.UPDATED
    assert library.add(newer, refresh=True).outcome is Outcome.UNCHANGED
    work = library.get(key)
    assert work.record.title == "Implementing personal health budgets in England"
    assert work.tags == ["included"]
    assert [n for n, _ in work.notes] == ["organisational view only"]
    assert [s["source"] for s in library.source_records(key)] == ["crossref"]


def test_record_round_trips_losslessly_through_storage(library):
    record = paper()
    record.extra = {"institution": "PSSRU"}
    stored = library.get(library.add(record).citekey).record
    expected = record.to_dict()
    assert stored.to_dict() == expected


def test_works_resolve_by_key_or_any_doi_form(library):
    library.add(paper())
    for key in (
        "welch2016implementing",
        "https://doi.org/10.1111/HSC.12396",
        "doi:10.1111/hsc.12396",
    ):
        assert library.get(key).citekey == "welch2016implementing"


def test_unknown_key_suggests_the_closest(library):
    library.add(paper())
    with pytest.raises(UnknownKeyError) as info:
        library.get("welch2016implemnting")
    assert info.value.suggestion == "welch2016implementing"


def test_search_ranks_and_covers_abstract_authors_and_notes(library):
    library.add(paper())
    other = library.add(paper(doi="10.1/z", title="Detox services in England")).citekey
    library.add_note(other, "mentions leadership")
    hits = library.search("detox")
    assert next(w.citekey for w, _, _ in hits) == other  # title match outranks abstract match
    assert {w.citekey for w, _, _ in hits} == {other, "welch2016implementing"}
    assert [w.citekey for w, _, _ in library.search("leadership")] == [other]
    assert len(library.search("PSSRU")) == 2
    with pytest.raises(InvalidInputError):
        library.search('"unbalanced')


def test_filters_and_tags(library):
    library.add(paper())
    library.add(WorkRecord(type="book", title="Budgets", issued=PartialDate(2010), doi="10.1/b"))
    library.tag(["welch2016implementing"], add=["included"])
    assert [w.citekey for w in library.works(tags=["included"])] == ["welch2016implementing"]
    assert [w.record.type for w in library.works(year_to=2012)] == ["book"]
    assert len(library.works(types=["article-journal"])) == 1
    assert library.tags() == [("included", 1)]
    library.tag(["welch2016implementing"], remove=["included"])
    assert library.tags() == []


def test_failed_batch_leaves_library_untouched(library):
    library.add(paper())
    with pytest.raises(UnknownKeyError):
        library.tag(["welch2016implementing", "nope"], add=["x"])
    assert library.get("welch2016implementing").tags == []


def test_a_transaction_commits_every_call_inside_it_or_none(library):
    """Several writes that belong together (store, tag, note) commit as one: when the block
    fails, nothing of it is stored, and another process sees all of it or none."""
    from phbrefs.library import Library

    with pytest.raises(InvalidInputError), library.transaction():
        stored = library.add(paper())
        library.tag([stored.citekey], add=["screening"])
        library.add_note(stored.citekey, "Read in full.")
        library.tag([stored.citekey], add=[" "])  # refused: the whole block rolls back
    assert library.count() == 0
    assert library.tags() == []

    with library.transaction():
        stored = library.add(paper())
        library.tag([stored.citekey], add=["screening"])
        with Library(library.location, lock_wait=0.2) as other:
            assert other.count() == 0  # nothing visible before the block commits
    with Library(library.location) as other:
        assert other.get(stored.citekey).tags == ["screening"]


def test_a_batch_is_stored_whole_with_ids_in_its_order(library):
    """A batch is written in bulk with ids taken before the insert: each work gets the id its
    result names, after every stored work's, and reads back with its people, source text and
    search row, also after the newest work was removed."""
    first = library.add(paper(doi=None, title="First"))
    library.remove([library.add(paper(doi=None, title="Removed")).citekey])
    batch = [paper(doi=f"10.5555/batch.{n}", title=f"Batch work {n}") for n in range(5)]
    batch[2].contributors = []
    batch[3].raw = None
    results = library.add_many(batch, tags=["batch"])
    ids = [result.work_id for result in results]
    assert ids == sorted(ids) and ids[0] > first.work_id and len(set(ids)) == 5
    for result, record in zip(results, batch, strict=True):
        stored = library.get(result.citekey)
        assert stored.id == result.work_id
        assert stored.record.to_dict() == record.to_dict()
        assert stored.tags == ["batch"]
        assert len(library.source_records(result.citekey)) == (1 if record.raw else 0)
    found = {work.citekey for work, _, _ in library.search("welch batch")}
    assert found == {r.citekey for n, r in enumerate(results) if n != 2}


@given(st.text(), st.lists(st.text(max_size=8), max_size=3))
def test_a_records_stored_json_reads_back_as_its_dict(title, keywords):
    """``to_json`` (orjson, the stdlib for what orjson refuses: lone surrogates) is the text
    of ``to_dict``, whatever the characters."""
    record = paper(title=title)
    record.keywords = keywords
    record.extra = {"note": title}
    assert json.loads(record.to_json()) == record.to_dict()
