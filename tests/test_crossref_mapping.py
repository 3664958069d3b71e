"""Crossref JSON -> WorkRecord over real recorded works (tests/fixtures/crossref, MANIFEST.tsv
tags each record with the features it exercises)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phbrefs.records import WorkRecord
from phbrefs.sources.crossref import record_from_crossref
from phbrefs.sources.jats import parse_abstract, strip_markup

CROSSREF = Path(__file__).parent / "fixtures" / "crossref"
MANIFEST = list(csv.DictReader((CROSSREF / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
TAG = re.compile(r"</?[a-zA-Z][\w:-]*[^>]*>")


def message(doi: str) -> dict[str, Any]:
    row = next(r for r in MANIFEST if r["doi"].lower() == doi.lower())
    return json.loads((CROSSREF / row["file"]).read_text(encoding="utf-8"))["message"]


def with_feature(feature: str) -> list[str]:
    dois = [r["doi"] for r in MANIFEST if feature in r["features"].split(",")]
    assert dois, f"no fixture has {feature}"
    return dois


@pytest.mark.parametrize("row", MANIFEST, ids=lambda r: r["doi"])
def test_every_record_maps_keeps_its_raw_json_and_round_trips(row):
    source = json.loads((CROSSREF / row["file"]).read_text(encoding="utf-8"))["message"]
    record = record_from_crossref(source)
    assert record.doi == row["doi"].lower()
    assert record.source == "crossref"
    assert record.source_type == row["type"]
    assert json.loads(record.raw) == source
    assert WorkRecord.from_dict(record.to_dict(include_raw=True)) == record
    for text in (record.title, record.subtitle, record.container_title, record.abstract):
        assert text is None or not TAG.search(text), text
        assert text is None or "&amp;" not in text
    issued_year = source["issued"]["date-parts"][0][0]
    if issued_year:
        assert record.year == issued_year


@pytest.mark.parametrize(
    ("crossref_type", "csl_type"),
    [
        ("journal-article", "article-journal"),
        ("book-chapter", "chapter"),
        ("proceedings-article", "paper-conference"),
        ("posted-content", "article"),
        ("dataset", "dataset"),
        ("report", "report"),
        ("dissertation", "thesis"),
        ("reference-entry", "entry-encyclopedia"),
        ("journal-issue", "periodical"),
        ("journal", "periodical"),
        ("component", "document"),
    ],
)
def test_crossref_types_become_csl_types(crossref_type, csl_type):
    row = next(r for r in MANIFEST if r["type"] == crossref_type)
    assert record_from_crossref(message(row["doi"])).type == csl_type


def test_authors_in_order_with_bare_orcids_and_affiliations():
    record = record_from_crossref(message("10.7717/peerj.10734"))
    first = record.authors[0]
    assert (first.given, first.family, first.role) == ("Rabab B.", "Alkutbe", "author")
    assert first.orcid == "0000-0001-6077-5279"
    assert first.affiliations == [
        "School of Biomedical sciences, University of Plymouth, Plymouth, UK"
    ]
    source = message("10.7717/peerj.10734")["author"]
    assert [a.family for a in record.authors] == [a["family"] for a in source]


@pytest.mark.parametrize("doi", with_feature("orcid"))
def test_every_orcid_is_stored_bare(doi):
    record = record_from_crossref(message(doi))
    orcids = [c.orcid for c in record.contributors if c.orcid]
    assert orcids and all(ORCID.match(o) for o in orcids)


@pytest.mark.parametrize("doi", with_feature("affiliation"))
def test_affiliations_are_kept(doi):
    assert any(c.affiliations for c in record_from_crossref(message(doi)).contributors)


def test_an_organisation_author_is_a_literal_name():
    record = record_from_crossref(message("10.15554/pci.cta-17"))
    [author] = record.authors
    assert author.literal == "Concrete Technology Associates"
    assert author.family is None and author.is_organisation


@pytest.mark.parametrize("doi", with_feature("no-author"))
def test_works_without_authors_have_none(doi):
    assert record_from_crossref(message(doi)).authors == []


def test_a_nameless_contributor_entry_is_dropped():
    record = record_from_crossref(message("10.31390/gradschool_theses.6125"))
    assert [(a.given, a.family) for a in record.authors] == [("Joshua", "Rovira")]
    assert record.type == "thesis"
    assert record.extra["degree"].startswith("Master of Science")


def test_cjk_and_non_ascii_names_are_kept_as_written():
    cjk = record_from_crossref(message("10.21326/ksdt.2008..18.018"))
    assert cjk.authors[0].family == "조혜린"
    for doi in with_feature("non-ascii-name"):
        names = " ".join(c.display_name() for c in record_from_crossref(message(doi)).contributors)
        assert not names.isascii()


@pytest.mark.parametrize("doi", with_feature("markup-title"))
def test_markup_in_titles_is_stripped_to_text(doi):
    source = message(doi)["title"][0]
    title = record_from_crossref(message(doi)).title
    assert title and "<" not in title
    assert strip_markup(source) == title


def test_subscripts_and_italics_become_plain_text():
    title = record_from_crossref(message("10.1002/zaac.19271660112")).title
    assert title == (
        "Eigenschaftszusammenhänge der spezifischen Wärmen cp – Cv im flüssigen Zustande"
    )


@pytest.mark.parametrize("doi", with_feature("structured-abstract"))
def test_structured_abstracts_keep_their_sections(doi):
    record = record_from_crossref(message(doi))
    assert len(record.abstract_sections) >= 2
    assert all(s.heading and s.text for s in record.abstract_sections)
    assert "jats" not in record.abstract
    for section in record.abstract_sections:
        assert f"{section.heading}: {section.text}" in record.abstract


def test_structured_abstract_headings_in_order():
    record = record_from_crossref(message("10.1093/annweh/wxz051"))
    headings = [s.heading for s in record.abstract_sections]
    assert headings == ["Background", "Methods", "Results", "Discussion/Conclusions"]
    assert not record.abstract.startswith("Abstract")


@pytest.mark.parametrize("doi", with_feature("abstract"))
def test_plain_abstracts_are_clean_text(doi):
    record = record_from_crossref(message(doi))
    assert record.abstract and not TAG.search(record.abstract)
    assert "  " not in record.abstract


def test_jats_paragraphs_sections_and_entities():
    markup = (
        "<jats:title>Abstract</jats:title><jats:sec><jats:title>Purpose</jats:title>"
        "<jats:p>Personal health budgets &amp; <jats:italic>integration</jats:italic>.</jats:p>"
        "</jats:sec><jats:sec><jats:title>Findings</jats:title><jats:p>One.</jats:p>"
        "<jats:p>Two &lt; three.</jats:p></jats:sec>"
    )
    abstract = parse_abstract(markup)
    assert [(s.heading, s.text) for s in abstract.sections] == [
        ("Purpose", "Personal health budgets & integration."),
        ("Findings", "One.\n\nTwo < three."),
    ]
    assert abstract.text == (
        "Purpose: Personal health budgets & integration.\n\nFindings: One.\n\nTwo < three."
    )
    plain = parse_abstract("<jats:p>Only a paragraph.</jats:p>")
    assert (plain.text, plain.sections) == ("Only a paragraph.", [])
    assert parse_abstract("  ") is None


def test_book_chapter_with_editors_isbns_and_series():
    record = record_from_crossref(message("10.1007/978-3-031-33148-0_45"))
    assert record.type == "chapter"
    assert record.container_title == "Mediterranean Architecture and the Green-Digital Transition"
    assert record.collection_title == "Innovative Renewable Energy"
    assert record.isbn == ["9783031331473", "9783031331480"]
    assert record.publisher_place == "Cham"
    for doi in with_feature("editor"):
        editors = record_from_crossref(message(doi)).editors
        assert editors and all(e.role == "editor" for e in editors)


@pytest.mark.parametrize("doi", with_feature("isbn"))
def test_isbns_are_kept(doi):
    assert record_from_crossref(message(doi)).isbn == list(dict.fromkeys(message(doi)["ISBN"]))


def test_update_notices_both_directions():
    record = record_from_crossref(message("10.1371/journal.pgen.1011490"))
    directions = {(u.direction, u.kind) for u in record.updates}
    assert directions == {("update-to", "new_version"), ("updated-by", "new_version")}
    notice = record.updates[0]
    assert notice.doi == "10.1371/journal.pgen.1011490"
    assert str(notice.date) == "2024-12-09"
    assert notice.label == "New version"
    for doi in with_feature("updated-by"):
        assert record_from_crossref(message(doi)).has_notices


@pytest.mark.parametrize("doi", with_feature("article-number"))
def test_article_numbers(doi):
    record = record_from_crossref(message(doi))
    assert record.article_number == message(doi)["article-number"]


def test_dates_funders_licences_and_identifiers():
    record = record_from_crossref(message("10.1093/annweh/wxz051"))
    assert (str(record.issued), str(record.published_print), str(record.published_online)) == (
        "2019-07-01",
        "2019-10-11",
        "2019-07-01",
    )
    assert record.issn == ["2398-7308", "2398-7316"]
    assert record.url == "https://academic.oup.com/annweh/article/63/8/918/5526481"
    assert record.language == "en"
    [funder] = record.funders
    assert (funder.name, funder.doi, funder.awards) == (
        "Office of Naval Research",
        "10.13039/100000006",
        ["N0001413MP20134"],
    )
    licensed = record_from_crossref(message("10.1371/journal.pgen.1011490"))
    assert licensed.licenses == ["http://creativecommons.org/licenses/by/4.0/"]
    distinct = {(f.name, f.doi, tuple(f.awards)) for f in licensed.funders}
    assert (
        len(distinct)
        == len(licensed.funders)
        < len(message("10.1371/journal.pgen.1011490")["funder"])
    )


def test_partial_dates_keep_only_the_known_parts():
    assert str(record_from_crossref(message("10.21326/ksdt.2008..18.018")).issued) == "2008-02"
    assert str(record_from_crossref(message("10.15554/pci.cta-17")).issued) == "1981"


def test_every_fixture_stores_in_a_library(library):
    records = [record_from_crossref(message(r["doi"])) for r in MANIFEST]
    results = library.add_many(records)
    assert all(r.outcome == "added" for r in results)
    stored = library.get(records[0].doi)
    assert stored.record == WorkRecord.from_dict(records[0].to_dict())
    assert library.source_records(records[0].doi)[0]["content"] == json.loads(records[0].raw)


def test_entities_in_affiliations_and_funders_are_decoded():
    from phbrefs.sources.crossref import record_from_crossref

    record = record_from_crossref(
        {
            "DOI": "10.1/x",
            "type": "journal-article",
            "title": ["T"],
            "author": [
                {
                    "given": "Carl",
                    "family": "Boettiger",
                    "affiliation": [
                        {"name": "Department of Environmental Science, Policy, &amp; Management"}
                    ],
                }
            ],
            "funder": [{"name": "Policy &amp; Research Programme"}],
        }
    )
    assert record.contributors[0].affiliations == [
        "Department of Environmental Science, Policy, & Management"
    ]
    assert record.funders[0].name == "Policy & Research Programme"


_WHITESPACE_AND_PUNCT = st.sampled_from(list(" \t\n\r\x0b\x0c\x1c\x85\xa0\u2003\u3000,.;:!?)]a"))


@given(st.text(_WHITESPACE_AND_PUNCT | st.characters(exclude_characters="<&"), max_size=40))
def test_tidying_text_is_the_regular_expression_it_replaces(text: str):
    # _tidy splits on whitespace instead of matching \s+: the same text for any input
    expected = re.sub(r"\s+([,.;:!?)\]])", r"\1", re.sub(r"\s+", " ", text).strip())
    assert strip_markup(text) == (expected or None)


def test_raw_json_keeps_a_number_orjson_cannot_write():
    """Crossref's counts are ordinary integers, but an answer holding one past 64 bits must
    still be stored whole, key-sorted and compact like the rest."""
    source = {**message(MANIFEST[0]["doi"]), "is-referenced-by-count": 2**70}
    raw = record_from_crossref(source).raw
    assert json.loads(raw) == source and raw.startswith('{"') and ", " not in raw[:200]
