"""CSL-JSON import and export: Zotero and pandoc files in, files pandoc reads cleanly out."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phbrefs.cleaning import clean_record
from phbrefs.errors import ExitCode, ParseError
from phbrefs.formats import detect_format, get_exporter, get_importer
from phbrefs.formats.csljson import csl_to_record, work_to_csl
from phbrefs.library import StoredWork
from phbrefs.records import AbstractSection, Contributor, PartialDate, WorkRecord

FIXTURES = Path(__file__).parent / "fixtures" / "csl"


def _zotero() -> list[WorkRecord]:
    text = (FIXTURES / "zotero.json").read_text(encoding="utf-8")
    result = get_importer("csljson").parse(text, "zotero.json")
    assert result.errors == []
    return result.records


def _stored(record: WorkRecord, key: str = "key1") -> StoredWork:
    now = datetime(2026, 1, 1)
    return StoredWork(id=1, citekey=key, record=record, added_at=now, updated_at=now)


def test_zotero_article_maps_every_field():
    welch = _zotero()[0]
    assert welch.citekey == "welch2016implementing"
    assert welch.type == "article-journal" and welch.source_type == "article-journal"
    assert welch.title.startswith("Implementing personal health budgets in England")
    assert welch.container_title == "Health & Social Care in the Community"
    assert welch.container_short_title == "Health Soc Care Community"
    assert (welch.volume, welch.issue, welch.pages) == ("24", "5", "e33-e42")
    assert welch.doi == "10.1111/hsc.12396"
    assert welch.issn == ["0966-0410", "1365-2524"]
    assert welch.pmid == "27723122"
    assert welch.issued == PartialDate(2016, 10, 10)  # date-parts given as strings
    assert welch.accessed == PartialDate(2017, 9, 24)
    assert welch.keywords == ["personal health budgets", "substance misuse", "qualitative"]
    assert [c.family for c in welch.authors] == ["Welch", "Jones", "Caiels", "Windle", "Bass"]
    assert welch.language == "en"
    assert welch.source == "csljson"
    assert json.loads(welch.raw)["id"] == "welch2016implementing"
    assert welch.extra == {}


def test_zotero_names_dates_and_unknown_keys():
    records = {r.citekey: r for r in _zotero()}
    assert records["welch2022personal"].doi == "10.1108/jica-07-2021-0038"
    report = records["forder2012evaluation"]
    assert report.number == "2840" and report.article_number is None
    assert report.issued == PartialDate(2012, 11)  # from "raw"
    assert report.collection_title == "PSSRU Discussion Paper"
    assert report.contributors[1].literal == "Personal Social Services Research Unit"
    assert report.contributors[1].is_organisation
    assert report.note == "Commissioned by the Department of Health"
    assert report.extra == {"genre": "Discussion paper"}
    chapter = records["berg2019budgets"]
    assert chapter.issued == PartialDate(2019)  # from the literal "Spring 2019"
    van, de = chapter.authors
    assert (van.family, van.given, van.particle) == ("Berg", "Anna", "van den")
    assert (de.family, de.particle, de.suffix) == ("Gaulle", "de", "Jr.")
    assert [(c.role, c.family) for c in chapter.contributors[2:]] == [
        ("editor", "Glasby"),
        ("translator", "Müller"),
    ]
    assert (chapter.edition, chapter.isbn) == ("2", ["978-1-4473-0000-1"])
    page = records["nhs2017guidance"]
    assert page.authors == []
    assert json.loads(page.extra["original-date"]) == {"date-parts": [[2014, 4]]}
    assert page.extra["event-place"] == "London"
    assert json.loads(page.extra["custom-field"]) == {"anything": [1, 2]}


def test_pandoc_output_from_bibtex():
    # tests/fixtures/csl/pandoc.json is `pandoc refs.bib -f bibtex -t csljson` (pandoc 2.17)
    text = (FIXTURES / "pandoc.json").read_text(encoding="utf-8")
    result = get_importer("csljson").parse(text, "pandoc.json")
    assert result.errors == []
    welch, chapter, report, misc = result.records
    assert welch.issued == PartialDate(2016, 10) and welch.pages == "e33-e42"
    assert welch.extra == {"title-short": "Implementing personal health budgets in England"}
    assert [(c.particle, c.family, c.suffix) for c in chapter.authors] == [
        ("van den", "Berg", None),
        ("de", "Gaulle", "Jr."),
    ]
    assert chapter.editors[0].family == "Glasby"
    assert report.contributors[0].is_organisation and report.number == "11072"
    assert (misc.type, misc.source_type) == ("document", None)
    assert misc.accessed == PartialDate(2024, 1, 5)


def test_single_object_and_numbers_as_numbers():
    item = {"id": 7, "type": "article-journal", "title": "T", "volume": 24, "number": "e1234"}
    result = get_importer("csljson").parse(json.dumps(item), "one.json")
    (record,) = result.records
    assert (record.citekey, record.volume, record.article_number) == ("7", "24", "e1234")


def test_zotero_item_uris_are_not_proposed_as_citekeys():
    items = [
        {"id": "http://zotero.org/users/123/items/ABCD2345", "type": "book", "title": "A"},
        {"id": "4567/WXYZ2345", "type": "book", "title": "B"},
        {"id": "4567/WXYZ2345", "citation-key": "smith2020b", "type": "book", "title": "C"},
    ]
    records = get_importer("csljson").parse(json.dumps(items), "zotero.json").records
    assert [r.citekey for r in records] == [None, None, "smith2020b"]


def test_bad_items_are_reported_by_index_while_the_rest_imports():
    items = [
        {"id": "good", "type": "book", "title": "Fine"},
        "not an object",
        {"id": "badauthor", "type": "book", "title": "X", "author": {"family": "Solo"}},
        {"id": "baddoi", "type": "book", "title": "Y", "DOI": "not a doi"},
        {"id": "baddate", "type": "book", "title": "Z", "issued": {"date-parts": [["soon"]]}},
        {"id": "good2", "type": "book", "title": "Also fine"},
    ]
    result = get_importer("csljson").parse(json.dumps(items), "refs.json")
    assert [r.citekey for r in result.records] == ["good", "good2"]
    messages = [str(e) for e in result.errors]
    assert messages[0] == "refs.json[1]: an item must be an object, not str"
    assert messages[1] == "refs.json[2]: badauthor: author must be a list of names"
    assert messages[2].startswith("refs.json[3]: baddoi: DOI: not a DOI")
    assert messages[3] == "refs.json[4]: baddate: issued: unreadable date-parts ['soon']"


def test_an_item_without_a_title_fails_like_in_ris_and_bibtex(cli, tmp_path):
    items = [
        {},
        {"id": "untitled", "type": "book", "title": " "},
        {"type": "book", "title": "Kept"},
    ]
    (tmp_path / "refs.json").write_text(json.dumps(items), encoding="utf-8")
    result = cli("import", "refs.json")
    assert result.exit_code == ExitCode.PARTIAL
    assert result.stderr.splitlines() == [
        "failed: refs.json[0] (no title)",
        "failed: refs.json[1] (no title)",
        "1 added, 2 failed",
    ]
    assert [w["title"] for w in json.loads(cli("list", "--json").stdout)] == ["Kept"]


def test_invalid_json_is_a_parse_error_with_the_line():
    with pytest.raises(ParseError) as caught:
        get_importer("csljson").parse('[\n{"id": "a",\n "title": }\n]', "broken.json")
    assert caught.value.line == 3
    assert "broken.json:3" in str(caught.value)


def test_sniff_and_detect():
    importer = get_importer("csljson")
    assert importer.sniff('[{"id": "a", "type": "book"}]')
    assert importer.sniff('{"title": "x"}')
    assert not importer.sniff("@article{a, title={x}}")
    assert not importer.sniff('{"unrelated": 1}')
    assert detect_format('[{"id": "a", "type": "book"}]') == "csljson"


def test_export_is_csl_1_0_2():
    record = WorkRecord(
        type="journal-article-ish",
        title="Personal health budgets",
        subtitle="a mechanism to encourage service integration?",
        published_online=PartialDate(2022, 3, 30),
        contributors=[
            Contributor(given="Elizabeth", family="Welch", orcid="0000-0002-1825-0097"),
            Contributor(literal="NHS England"),
            Contributor(role="chair", given="Ann", family="Chair"),
            Contributor(role="advisor", given="Not", family="Csl"),
        ],
        abstract_sections=[AbstractSection("Purpose", "Integrated care.")],
        extra={"genre": "Editorial", "howpublished": "bibtex only", "original-date": "{bad"},
        issn=["1476-9018"],
        keywords=["integration", "PHB"],
    )
    (item,) = json.loads(get_exporter("csljson").export([_stored(record, "welch2022personal")]))
    assert item["id"] == item["citation-key"] == "welch2022personal"
    assert item["type"] == "document"  # not a CSL type
    assert item["title"] == (
        "Personal health budgets: a mechanism to encourage service integration?"
    )
    assert item["issued"] == {"date-parts": [[2022, 3, 30]]}
    assert item["author"] == [{"family": "Welch", "given": "Elizabeth"}, {"literal": "NHS England"}]
    assert item["chair"] == [{"family": "Chair", "given": "Ann"}]
    assert "advisor" not in item and "orcid" not in json.dumps(item).lower()
    assert item["abstract"] == "Purpose: Integrated care."
    assert item["genre"] == "Editorial"
    assert "howpublished" not in item and "original-date" not in item
    assert item["ISSN"] == "1476-9018" and item["keyword"] == "integration, PHB"
    without = json.loads(get_exporter("csljson").export([_stored(record)], abstracts=False))
    assert "abstract" not in without[0]


def test_library_keeps_the_proposed_key(library):
    library.add_many(_zotero(), origin="zotero.json")
    keys = [w.citekey for w in library.works()]
    assert keys == [
        "berg2019budgets",
        "forder2012evaluation",
        "nhs2017guidance",
        "welch2016implementing",
        "welch2022personal",
    ]
    stored = library.source_records("welch2016implementing")
    assert stored[0]["source"] == "csljson" and stored[0]["content"]["PMID"] == "27723122"


def test_round_trip_of_every_field_csl_carries():
    record = WorkRecord(
        type="chapter",
        title="Budgets, choice & control: “quoted” <tags> {braces} $math$ 50%",
        container_title="Handbook of Personalised Care",
        container_short_title="Handb Pers Care",
        collection_title="Policy and Practice",
        volume="2",
        issue="3",
        pages="101-124",  # stored records have the CSL form (cleaning.expand_pages)
        edition="2",
        number="PSSRU DP 2840",
        publisher="Policy Press",
        publisher_place="Bristol",
        issued=PartialDate(2019, 4, 30),
        accessed=PartialDate(2024, 1, 5),
        doi="10.1332/policypress/9781447300001.003.0006",
        url="https://example.org/chapter?id=6&lang=en",
        issn=["1476-9018", "1365-2524"],
        isbn=["978-1-4473-0000-1"],
        pmid="27723122",
        language="en-GB",
        abstract="Line one.\n\nLine two with <b>markup</b>.",
        keywords=["personal health budgets", "choice"],
        note="Reprinted 2021",
        contributors=[
            Contributor(given="Anna", family="Berg", particle="van den"),
            Contributor(given="Charles", family="Gaulle", particle="de", suffix="Jr."),
            Contributor(literal="NHS England"),
            # roles in CSL's order: only the order within a role is CSL data
            Contributor(role="collection-editor", given="Ann", family="Series"),
            Contributor(role="editor", given="Jon", family="Glasby"),
            Contributor(role="translator", given="Jörg", family="Müller"),
        ],
        extra={"genre": "Book chapter", "original-date": '{"date-parts": [[2014, 4]]}'},
    )
    exported = get_exporter("csljson").export([_stored(record, "berg2019budgets")])
    (back,) = get_importer("csljson").parse(exported, "refs.json").records
    kept = record.to_dict()
    kept.update(citekey="berg2019budgets", source="csljson", source_type="chapter")
    assert back.to_dict() == kept


# -- round trip -------------------------------------------------------------------------------

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30
).map(str.strip)
_word = _text.filter(lambda s: bool(s) and "," not in s and ";" not in s)
_person = st.builds(
    Contributor,
    role=st.sampled_from(["author", "editor", "translator"]),
    given=st.none() | _word,
    family=_word,
    particle=st.none() | st.sampled_from(["van", "de la", "von", "d'"]),
    suffix=st.none() | st.sampled_from(["Jr.", "III"]),
)
_organisation = st.builds(Contributor, role=st.just("author"), literal=_word)
_pages = st.from_regex(r"\Ae?[1-9]\d{0,3}(-e?[1-9]\d{0,3})?\Z")
_date = st.builds(
    PartialDate,
    year=st.integers(1800, 2100),
    month=st.none() | st.integers(1, 12),
    day=st.none(),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    csl_type=st.sampled_from(["article-journal", "book", "chapter", "report", "webpage"]),
    title=_text.filter(bool),
    people=st.lists(_person | _organisation, max_size=5),
    pages=st.none() | _pages,
    volume=st.none() | st.from_regex(r"\A[1-9]\d{0,2}\Z"),
    number=st.none() | _word,
    issued=st.none() | _date,
    keywords=st.lists(_word, max_size=3),
    container=st.none() | _text.filter(bool),
    doi=st.none() | st.from_regex(r"\A10\.[1-9][0-9]{3,4}/[a-z0-9][a-z0-9.\-]{0,20}[a-z0-9]\Z"),
    key=st.from_regex(r"\A[a-z][a-z0-9:_\-]{0,20}\Z"),
)
def test_round_trip_keeps_what_csl_carries(
    csl_type, title, people, pages, volume, number, issued, keywords, container, doi, key
):
    record = clean_record(  # what the library stores
        WorkRecord(
            type=csl_type,
            title=title,
            contributors=people,
            pages=pages,
            volume=volume,
            number=number if csl_type not in ("article-journal",) else None,
            article_number=number if csl_type == "article-journal" else None,
            issued=issued,
            keywords=keywords,
            container_title=container,
            doi=doi,
            note='a note with "quotes" & <angle> brackets',
        )
    )
    item = json.loads(json.dumps(work_to_csl(_stored(record, key))))
    back = csl_to_record(item)
    assert back.citekey == key
    for name in (
        "type",
        "title",
        "pages",
        "volume",
        "number",
        "article_number",
        "issued",
        "keywords",
        "container_title",
        "doi",
        "note",
    ):
        assert getattr(back, name) == getattr(record, name), name
    for role in ("author", "editor", "translator"):  # CSL keeps the order within a role
        assert [c for c in back.contributors if c.role == role] == [
            c for c in record.contributors if c.role == role
        ]


# -- the real tool ----------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed")
def test_pandoc_citeproc_reads_the_export_without_a_warning(library, tmp_path):
    library.add_many(_zotero())
    library.add_many(
        [
            WorkRecord(
                type="book",
                title="Ünïcödé & <special> {characters} in a $title$ — with 50% more",
                contributors=[Contributor(given="José", family="García", particle="de la")],
                issued=PartialDate(2021, 2, 3),
                publisher="Policy Press",
                edition="3",
                isbn=["9781447300001"],
            ),
            WorkRecord(type="misc-from-bibtex", title="An unusual type", citekey="odd:key.2020"),
        ]
    )
    works = library.works()
    refs = tmp_path / "refs.json"
    refs.write_text(get_exporter("csljson").export(works), encoding="utf-8")
    manuscript = tmp_path / "paper.md"
    citations = "; ".join(f"@{w.citekey}" for w in works)
    manuscript.write_text(f"# Paper\n\nSeveral studies [{citations}].\n\n# References\n")
    result = subprocess.run(
        ["pandoc", str(manuscript), "--citeproc", "--bibliography", str(refs), "-t", "plain"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    rendered = " ".join(result.stdout.split())
    welch = "Welch, Elizabeth, Karen Jones, James Caiels, Karen Windle, and Rosemary Bass. 2016."
    assert welch in rendered
    assert "García, José de la. 2021. Ünïcödé & <Special> {Characters}" in rendered
    assert "edited by Jon Glasby, translated by Jörg Müller, 2nd ed., 101–24" in rendered
    assert "“An Unusual Type.” n.d." in rendered
    assert "???" not in result.stdout  # pandoc's mark for a citation it could not resolve
