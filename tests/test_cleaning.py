"""The cleaning step every import and add runs: one behaviour per concern, then through the
real importers (Scopus and PubMed RIS, BibTeX, CSL-JSON, Crossref)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from phbrefs.cleaning import (
    clean_note,
    clean_record,
    clean_url,
    expand_pages,
    fallback_date,
    genre,
    language_tag,
    type_without_container,
)
from phbrefs.formats import get_importer
from phbrefs.records import PartialDate, WorkRecord
from phbrefs.sources.crossref import record_from_crossref

FIXTURES = Path(__file__).parent / "fixtures"


def test_scopus_export_notes_are_dropped():
    record = WorkRecord(note="Cited By :1502; Export Date: 28 November 2026")
    clean_note(record)
    assert record.note is None


def test_a_real_note_survives_beside_export_segments():
    record = WorkRecord(note="Correspondence Address: Welch, E.; Reprinted 2021; CODEN: HSCCE")
    clean_note(record)
    assert record.note == "Reprinted 2021"


def test_pmid_in_the_note_moves_to_its_field():
    record = WorkRecord(note="PMID: 27723138\nPMCID: PMC5001234")
    clean_note(record)
    assert (record.note, record.pmid, record.extra["PMCID"]) == (None, "27723138", "PMC5001234")


def test_a_pmid_already_known_is_not_replaced():
    record = WorkRecord(note="PMID: 1", pmid="27723138")
    clean_note(record)
    assert record.pmid == "27723138" and record.note is None


def test_pubmed_page_is_the_pmid_not_the_url():
    record = WorkRecord(url="https://www.ncbi.nlm.nih.gov/pubmed/27723138")
    clean_url(record)
    assert (record.url, record.pmid) == (None, "27723138")


def test_a_database_record_page_is_not_the_works_url():
    page = "https://www.scopus.com/inward/record.uri?eid=2-s2.0-84991754567&partnerID=40"
    record = WorkRecord(url=page)
    clean_url(record)
    assert (record.url, record.extra["database URL"]) == (None, page)


def test_a_doi_link_is_the_doi():
    record = WorkRecord(doi="10.1111/hsc.12396", url="https://doi.org/10.1111/HSC.12396")
    clean_url(record)
    assert record.url is None


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/pubmed/1",
        "https://onlinelibrary.wiley.com/doi/10.1111/hsc.12396",
        "https://doi.org/10.9999/other",
    ],
)
def test_the_works_own_pages_stay(url):
    record = WorkRecord(url=url, pmid="2", doi="10.1111/hsc.12396")
    clean_url(record)
    assert record.url == url


@pytest.mark.parametrize(
    ("given", "tag"),
    [
        ("English", "en"),
        ("eng", "en"),
        ("EN", "en"),
        ("en_GB", "en-GB"),
        ("French", "fr"),
        ("fre", "fr"),
        ("english", "en"),
        ("Unknownese", "Unknownese"),
    ],
)
def test_languages_become_bcp47(given, tag):
    assert language_tag(given) == tag


def test_common_languages_table_agrees_with_langcodes():
    """The table that spares most records the langcodes import gives langcodes's own answers."""
    from phbrefs.cleaning import _COMMON_TAGS, language_tag_by_langcodes

    for spelling in _COMMON_TAGS:
        for written in (spelling, spelling.upper(), spelling.title(), f" {spelling} "):
            assert language_tag(written) == language_tag_by_langcodes(written), written


def test_crossref_approval_date_is_used_when_nothing_else_exists():
    record = WorkRecord(extra={"approved": "2025-04-01", "accepted": "2025-05-01"})
    fallback_date(record)
    assert record.issued == PartialDate(2025, 4, 1)


def test_a_publication_date_is_never_replaced():
    record = WorkRecord(published_online=PartialDate(2016), extra={"accepted": "2015-01-01"})
    fallback_date(record)
    assert record.issued is None and record.year == 2016


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("1-11", "1-11"),
        ("1-12", "1-12"),
        ("1201-14", "1201-1214"),
        ("1201–1214", "1201-1214"),
        ("12--34", "12-34"),
        ("e1234", "e1234"),
        ("S12-S15", "S12-S15"),
        ("iii-xv", "iii-xv"),
        ("99-3", "99-3"),
        ("7-7", "7"),
    ],
)
def test_page_ranges_are_stored_whole(given, stored):
    record = WorkRecord(pages=given)
    expand_pages(record)
    assert record.pages == stored


@pytest.mark.parametrize(
    ("record", "kind"),
    [
        (WorkRecord(type="article-journal", number="WP 12"), "report"),
        (WorkRecord(type="article-journal", url="https://example.org/post"), "webpage"),
        (WorkRecord(type="article-journal", doi="10.1/x"), "article"),
        (WorkRecord(type="article-journal", container_title="BMJ"), "article-journal"),
        (WorkRecord(type="book"), "book"),
    ],
)
def test_an_article_without_a_journal_gets_the_type_that_fits(record, kind):
    type_without_container(record)
    assert record.type == kind


def test_scopus_ris_is_clean_on_import():
    records = get_importer("ris").parse((FIXTURES / "ris" / "scopus.ris").read_text(), "s.ris")
    first = records.records[0]
    assert first.note is None
    assert first.language == "en"
    assert first.pmid == "27723138"


def test_pubmed_ris_language_is_a_tag():
    records = get_importer("ris").parse((FIXTURES / "ris" / "pubmed.ris").read_text(), "p.ris")
    assert {r.language for r in records.records} <= {"en", None}


def test_bibtex_note_with_a_pmid_is_clean_on_import():
    text = "@article{a, title={T}, journal={J}, year={2019}, note={PMID: 123456}, langid={english}}"
    (record,) = get_importer("biblatex").parse(text, "a.bib").records
    assert (record.note, record.pmid, record.language) == (None, "123456", "en")


def test_csljson_is_clean_on_import():
    item = {
        "id": "a",
        "type": "article-journal",
        "title": "T",
        "language": "English",
        "note": "Cited By :3",
        "page": "1201-14",
    }
    (record,) = get_importer("csljson").parse(json.dumps([item]), "a.json").records
    assert (record.language, record.note, record.pages, record.type) == (
        "en",
        None,
        "1201-1214",
        "article",
    )


def test_crossref_dissertation_with_only_an_approval_date_has_a_year():
    path = FIXTURES / "crossref" / "works" / "10.31390_gradschool_theses.6125.json"
    record = record_from_crossref(json.loads(path.read_text())["message"])
    assert record.year == 2025 and record.issued == PartialDate(2025, 4, 1)


def test_clean_record_is_idempotent():
    record = WorkRecord(
        type="article-journal", note="PMID: 1; Cited By: 2", language="eng", pages="1201-14"
    )
    once = clean_record(record).to_dict()
    assert clean_record(WorkRecord.from_dict(once)).to_dict() == once


@pytest.mark.parametrize(
    ("record", "kind"),
    [
        (WorkRecord(type="thesis", extra={"type": "phdthesis"}), "PhD thesis"),
        (WorkRecord(type="thesis", extra={"type": "mastersthesis"}), "Master's thesis"),
        (
            WorkRecord(type="thesis", extra={"degree": "Master of Science (MSCS)"}),
            "Master's thesis",
        ),
        (WorkRecord(type="thesis"), "PhD thesis"),
        (WorkRecord(type="report", extra={"type": "Discussion paper"}), "Discussion paper"),
    ],
)
def test_thesis_and_report_genres(record, kind):
    genre(record)
    assert record.extra["genre"] == kind


def test_a_report_with_no_kind_gets_no_genre():
    record = WorkRecord(type="report", extra={"type": "techreport"})
    genre(record)
    assert "genre" not in record.extra
