"""RIS import across database dialects, export for Zotero/EndNote, and round trips."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phbrefs.formats import detect_format, get_exporter, get_importer
from phbrefs.formats.ris_mapping import parse_date
from phbrefs.library import StoredWork
from phbrefs.records import Contributor, PartialDate, WorkRecord

RIS = Path(__file__).parent / "fixtures" / "ris"


def load(name: str):
    return get_importer("ris").parse((RIS / name).read_text(encoding="utf-8"), name)


def first(name: str) -> WorkRecord:
    result = load(name)
    return result.records[0]


@pytest.mark.parametrize("name", ["pubmed.ris", "scopus.ris", "wos.ris", "ovid.ris"])
def test_every_dialect_reads_the_same_paper(name):
    record = first(name)
    assert record.type == "article-journal" and record.source_type == "JOUR"
    assert record.title == (
        "Implementing personal health budgets in England: a user-led approach to substance misuse"
    )
    assert record.doi == "10.1111/hsc.12396"
    assert record.issued.year == 2017
    assert record.pages == "1634-1643"
    assert record.volume == "25" and record.issue == "5"
    assert record.contributors[0].family == "Welch"
    assert record.abstract.startswith("Personal health budgets were piloted")
    assert record.source == "ris" and record.raw.startswith("TY  - JOUR")


def test_pubmed_dialect():
    record = first("pubmed.ris")
    assert record.pmid == "27723138"
    assert record.issued == PartialDate(2017, 9)  # DA wins over PY: it has the month
    assert record.issn == ["1365-2524"]
    assert record.container_short_title == "Health Soc Care Community"
    assert record.abstract.endswith("people who misuse substances.")  # continuation line joined
    second = load("pubmed.ris").records[1]
    assert second.pages == "101-109"  # abbreviated end page expanded
    berg = second.contributors[0]
    assert (berg.particle, berg.family, berg.given) == ("van der", "Berg", "Jan")
    assert second.contributors[1].family == "García Márquez"


def test_scopus_dialect():
    record = first("scopus.ris")
    assert [c.given for c in record.authors] == ["E.", "K.", "J.", "K.", "R."]
    assert record.issn == ["0966-0410"]  # 09660410 normalised
    assert record.pmid == "27723138"  # Scopus's C2
    assert record.extra["DB"] == "Scopus" and record.extra["M3"] == "Article"
    assert load("scopus.ris").records[1].authors[1].given == "K.-A."


def test_web_of_science_dialect():
    result = load("wos.ris")
    record = result.records[0]
    assert record.issued == PartialDate(2017, 9)  # "SEP 2017"
    assert record.issn == ["0966-0410", "1365-2524"]
    assert record.extra["AN"] == "WOS:000407985600019"
    conference = result.records[1]
    assert conference.type == "paper-conference"
    assert conference.contributors[1].literal == "NHS England"


def test_ovid_dialect():
    record = first("ovid.ris")
    assert record.title.endswith("substance misuse")  # Ovid's closing full stop dropped
    assert record.doi == "10.1111/hsc.12396"  # from M3
    assert record.pmid == "27723138"
    assert record.container_title == "Health & Social Care in the Community"
    assert record.keywords[1] == "Substance-Related Disorders/th [Therapy]"


def test_ebsco_dialect():
    record = first("ebsco.ris")
    assert record.abstract.startswith("Purpose:")  # N2
    assert record.issued == PartialDate(2022, 5)  # Y1 2022/05//
    assert record.container_title == "Journal of Integrated Care"
    assert record.container_short_title == "J INTEGR CARE"
    assert record.citekey is None and record.extra["ID"] == "123400987"


def test_zotero_dialect_types_and_broken_entry():
    result = load("zotero.ris")
    types = [r.type for r in result.records]
    assert types == ["report", "chapter", "webpage", "thesis"]
    report, chapter, page, _ = result.records
    assert report.number == "2840" and report.accessed == PartialDate(2026, 11, 20)
    assert report.contributors[2].literal == "Department of Health"
    assert [c.role for c in chapter.contributors] == ["author", "editor", "editor"]
    assert chapter.container_title == "Debates in personalisation"
    assert chapter.isbn == ["978-1-4473-1387-8"]
    assert page.url.startswith("https://www.england.nhs.uk/")
    (error,) = result.errors
    assert (error.origin, error.line) == ("zotero.ris", 39)
    assert "ER" in error.reason


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2016/10/10/", PartialDate(2016, 10, 10)),
        ("2016///", PartialDate(2016)),
        ("2016-10", PartialDate(2016, 10)),
        ("NOV 2016", PartialDate(2016, 11)),
        ("2016 Oct 10", PartialDate(2016, 10, 10)),
        ("Spring 2019", PartialDate(2019, 3)),
        ("undated", None),
    ],
)
def test_dates(text, date):
    assert parse_date(text) == date


def test_sniffing():
    assert detect_format((RIS / "wos.ris").read_text()) == "ris"


def stored(record: WorkRecord, key: str = "key1") -> StoredWork:
    now = datetime(2026, 1, 1)
    return StoredWork(id=1, citekey=key, record=record, added_at=now, updated_at=now)


def test_export_is_what_zotero_and_endnote_read():
    record = WorkRecord(
        type="article-journal",
        title="Personal health budgets",
        contributors=[
            Contributor(given="Elizabeth", family="Welch"),
            Contributor(literal="NHS England"),
            Contributor(role="editor", given="Jan", family="Berg", particle="van der"),
        ],
        container_title="Journal of Integrated Care",
        pages="133-146",
        issued=PartialDate(2022, 5),
        doi="10.1108/jica-07-2021-0038",
        issn=["1476-9018"],
        keywords=["PHB", "integration"],
        abstract="Abstract.",
        url="https://example.org/x",
    )
    text = get_exporter("ris").export([stored(record)])
    lines = text.splitlines()
    assert lines[-2:] == ["ER  - ", ""]  # entries end "ER  - " and a blank line
    assert lines[0] == "TY  - JOUR"
    for line in (
        "AU  - Welch, Elizabeth",
        "AU  - NHS England",
        "ED  - van der Berg, Jan",
        "SP  - 133",
        "EP  - 146",
        "PY  - 2022",
        "DA  - 2022/05//",
        "DO  - 10.1108/jica-07-2021-0038",
        "SN  - 1476-9018",
        "KW  - PHB",
        "AB  - Abstract.",
        "UR  - https://example.org/x",
    ):
        assert line in lines
    assert "AB  - Abstract." not in get_exporter("ris").export([stored(record)], abstracts=False)


# -- round trip --------------------------------------------------------------------------------

name_word = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=10
).filter(lambda w: w[0].isupper())
person = st.builds(
    lambda given, family, particle: Contributor(given=given, family=family, particle=particle),
    st.one_of(st.none(), name_word),
    st.lists(name_word, min_size=1, max_size=2).map(" ".join),
    st.sampled_from([None, "van", "de la", "von"]),
)
line_text = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
        min_size=1,
        max_size=60,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: s and not s.endswith("."))
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=line_text,
    container=line_text,
    people=st.lists(
        st.one_of(person, st.builds(lambda n: Contributor(literal=n), name_word)),
        min_size=1,
        max_size=4,
    ),
    pages=st.one_of(
        st.none(),
        st.tuples(st.integers(1, 999), st.integers(1, 999)).map(lambda p: f"{p[0]}-{p[0] + p[1]}"),
        st.integers(1, 99999).map(lambda n: f"e{n}"),
    ),
    date=st.one_of(
        st.builds(PartialDate, st.integers(1800, 2030)),
        st.builds(PartialDate, st.integers(1800, 2030), st.integers(1, 12), st.integers(1, 28)),
    ),
    abstract=st.one_of(st.none(), line_text),
    csl_type=st.sampled_from(["article-journal", "chapter", "book", "report", "thesis"]),
)
def test_round_trip(title, container, people, pages, date, abstract, csl_type):
    record = WorkRecord(
        type=csl_type,
        title=title,
        container_title=None if csl_type == "book" else container,
        contributors=people,
        pages=pages,
        issued=date,
        abstract=abstract,
        volume="3",
        issue="2",
        doi="10.1234/x.y-z(1)",
        issn=["1234-5678"],
        isbn=["978-1-4473-1387-8"],
        keywords=["health", "budgets"],
        publisher="Policy Press",
        publisher_place="Bristol",
        url="https://example.org/a?b=c",
        language="en",
        note="A note",
        pmid="27723138",
    )
    text = get_exporter("ris").export([stored(record)])
    result = get_importer("ris").parse(text, "round.ris")
    assert not result.errors, text
    (back,) = result.records
    expected = record.to_dict()
    actual = back.to_dict()
    for name in ("source", "source_type", "citekey", "extra", "raw"):
        expected.pop(name, None)
        actual.pop(name, None)
    assert back.citekey == "key1"
    assert actual == expected, text


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "TY  - JOUR\n",
                "ER  - \n",
                "TI  - T\n",
                "AU  - ,\n",
                "AU  - \n",
                "PY  - x\n",
                "SP  - -\n",
                "DA  - //\n",
                "SN  - 1\n",
                "DO  - 10.\n",
                "KW  - ;\n",
                "junk\n",
                "\n",
            ]
        )
        | st.text(max_size=8),
        max_size=30,
    ).map("".join)
)
def test_any_input_is_read_or_reported_never_crashes(text):
    result = get_importer("ris").parse(text, "fuzz.ris")
    assert all(r.title for r in result.records)
    assert all(e.origin == "fuzz.ris" for e in result.errors)
