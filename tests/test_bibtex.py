"""BibTeX/BibLaTeX import and export: macros, LaTeX, names, inheritance, errors, round trips."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phbrefs.formats import get_exporter, get_importer
from phbrefs.library import StoredWork
from phbrefs.records import Contributor, PartialDate, WorkRecord

FIXTURES = Path(__file__).parent / "fixtures"

SAMPLE = r"""
@string{hsc = {Health \& Social Care in the Community}}
@string{pre = "Proc. "}

@article{Welch2016,
  author = {Welch, Elizabeth and van der Berg, Jan and Jones, Jr., Karen and {NHS England}},
  title = {Implementing {P}ersonal Health Budgets in {England}: a user-led approach},
  journal = hsc,
  year = 2016,
  month = oct,
  volume = {25}, number = {5}, pages = {1634--1643},
  doi = {https://doi.org/10.1111/HSC.12396},
  keywords = {personal health budgets; substance misuse},
  abstract = {Caf\'e, na{\"\i}ve and {\AA}ngstr\"om \& 50\%.},
  annote = {kept as extra},
}

@inproceedings{conf,
  author = {Okafor, Chidi},
  title = {Budget holders},
  booktitle = pre # {Integrated Care},
  year = {2019},
}

@book{parent,
  editor = {Needham, Catherine},
  title = {Debates in Personalisation},
  publisher = {Policy Press},
  location = {Bristol},
  date = {2014-03},
}

@incollection{child,
  author = {Glasby, Jon},
  title = {Personalisation and the health service},
  pages = {31-40},
  crossref = {parent},
}

@xdata{pp, publisher = {Policy Press}, location = {Bristol}}
@book{withxdata, author = {Duffy, Simon}, title = {Unlocking the imagination}, year = {2006},
  xdata = {pp}}

@phdthesis{thesis, author = {Smith, Anna}, title = {Choice and control}, school = {Univ},
  year = {2019}}
"""


def parse(text: str, name: str = "biblatex"):
    return get_importer(name).parse(text, "sample.bib")


def by_key(result):
    return {r.citekey: r for r in result.records}


def test_macros_latex_and_names_are_resolved():
    records = by_key(parse(SAMPLE))
    welch = records["Welch2016"]
    assert welch.type == "article-journal" and welch.source_type == "article"
    assert welch.container_title == "Health & Social Care in the Community"
    assert welch.title == "Implementing Personal Health Budgets in England: a user-led approach"
    assert welch.issued == PartialDate(2016, 10)
    assert welch.pages == "1634-1643" and welch.issue == "5" and welch.volume == "25"
    assert welch.doi == "10.1111/hsc.12396"
    assert welch.keywords == ["personal health budgets", "substance misuse"]
    assert welch.abstract == "Café, naïve and Ångström & 50%."
    assert welch.extra == {"annote": "kept as extra"}
    people = welch.contributors
    assert (people[1].particle, people[1].family, people[1].given) == ("van der", "Berg", "Jan")
    assert (people[2].family, people[2].suffix) == ("Jones", "Jr.")
    assert people[3].is_organisation and people[3].literal == "NHS England"
    assert records["conf"].container_title == "Proc. Integrated Care"


def test_raw_entry_text_and_source_are_kept():
    records = by_key(parse(SAMPLE, "bibtex"))
    assert records["conf"].raw.startswith("@inproceedings{conf,")
    assert records["conf"].raw.rstrip().endswith("}")
    assert records["conf"].source == "bibtex"


def test_crossref_and_xdata_inheritance():
    records = by_key(parse(SAMPLE))
    child = records["child"]
    assert child.type == "chapter"
    assert child.container_title == "Debates in Personalisation"
    assert [c.family for c in child.editors] == ["Needham"]
    assert child.publisher == "Policy Press" and child.issued == PartialDate(2014, 3)
    assert "crossref" not in child.extra
    assert records["withxdata"].publisher == "Policy Press"
    assert records["withxdata"].publisher_place == "Bristol"
    assert "pp" not in records  # an @xdata holder is not a work


def test_broken_entries_are_reported_with_line_and_the_rest_imports():
    text = "@article{ok1, title={Fine}, year=2020}\n\n@article{bad, title={Unclosed\n\n" + (
        "@book{ok2, title={Also fine}, year=2021}\n@misc{notitle, year=2020}\n"
    )
    result = parse(text)
    assert [r.citekey for r in result.records] == ["ok1", "ok2"]
    lines = {e.key: e.line for e in result.errors}
    assert lines == {"bad": 3, "notitle": 6}
    assert all(str(e).startswith("sample.bib:") for e in result.errors)


def test_duplicate_keys_are_both_imported():
    result = parse("@misc{k, title={One}}\n@misc{k, title={Two}}\n")
    assert [r.title for r in result.records] == ["One", "Two"]


def test_biblatex_examples_every_entry_accounted_for():
    text = (FIXTURES / "bibtex" / "biblatex-examples.bib").read_text(encoding="utf-8")
    assert "LaTeX Project Public License" in text
    result = parse(text)
    entries = re.findall(r"^@(\w+)\{", text, re.MULTILINE)
    containers = [e for e in entries if e.lower() in ("string", "set", "xdata", "preamble")]
    assert len(result.records) + len(result.errors) == len(entries) - len(containers)
    assert len(result.records) == 90
    records = by_key(result)
    assert records["aksin"].contributors[0].family == "Aksın"
    assert records["aksin"].container_title == "J.\xa0Organomet. Chem."  # @string, ~ a tie
    assert records["westfahl:space"].container_title.startswith("Space and Beyond")
    assert records["sigfridsson"].doi.startswith("10.1002/(sici)1096-987x")
    assert records["itzhaki"].type == "webpage"


def work(record: WorkRecord, key: str = "key1") -> StoredWork:
    from datetime import datetime

    now = datetime(2026, 1, 1)
    return StoredWork(id=1, citekey=key, record=record, added_at=now, updated_at=now)


def export(record: WorkRecord, name: str, **kwargs) -> str:
    """The export with field alignment removed (``name = {value}``)."""
    text = get_exporter(name).export([work(record)], **kwargs)
    return re.sub(r"(?m)^  (\w+) +=", r"  \1 =", text)


RICH = WorkRecord(
    type="article-journal",
    title="Personal health budgets in England & the NHS: 50% of $costs",
    contributors=[
        Contributor(given="Élodie", family="Müller"),
        Contributor(given="Jan", family="Berg", particle="van der"),
        Contributor(literal="Department of Health and Social Care"),
    ],
    container_title="Journal of Integrated Care",
    volume="30",
    issue="2",
    pages="133-146",
    issued=PartialDate(2016, 10, 10),
    doi="10.1108/jica-07-2021-0038",
    url="https://example.org/a_b?x=1%20",
    abstract="An abstract.",
)


def test_bibtex_export_escapes_for_classic_bibtex():
    text = export(RICH, "bibtex")
    assert text.startswith("@article{key1,")
    assert text.isascii()
    assert r"M{\"u}ller, {\'E}lodie" in text
    assert "van der Berg, Jan" in text
    assert "{Department of Health and Social Care}" in text
    assert r"{England} \& the {NHS}: 50\% of \$costs" in text
    assert "journal = {Journal of Integrated Care}" in text
    assert "pages = {133--146}" in text
    assert "year = {2016}" in text and "month = oct," in text
    assert "url = {https://example.org/a_b?x=1%20}" in text  # verbatim
    assert "abstract" in text
    assert "abstract" not in export(RICH, "bibtex", abstracts=False)


def test_biblatex_export_is_utf8_with_biblatex_fields():
    text = export(RICH, "biblatex")
    assert "Müller, Élodie" in text
    assert "journaltitle = {Journal of Integrated Care}" in text
    assert "date = {2016-10-10}" in text


@pytest.mark.parametrize(
    ("csl", "bibtex", "biblatex"),
    [
        ("article-journal", "article", "article"),
        ("chapter", "incollection", "incollection"),
        ("book", "book", "book"),
        ("report", "techreport", "report"),
        ("webpage", "misc", "online"),
        ("thesis", "phdthesis", "thesis"),
        ("paper-conference", "inproceedings", "inproceedings"),
        ("dataset", "misc", "dataset"),
    ],
)
def test_entry_types(csl, bibtex, biblatex):
    record = WorkRecord(type=csl, title="T", container_title="C", issued=PartialDate(2020))
    assert export(record, "bibtex").startswith(f"@{bibtex}{{")
    assert export(record, "biblatex").startswith(f"@{biblatex}{{")


def test_chapter_without_book_title_is_inbook():
    assert export(WorkRecord(type="chapter", title="T"), "bibtex").startswith("@inbook{")


def test_title_protection():
    from phbrefs.formats.bibtex.exporter import _protect_title

    def plain(text):
        return text

    assert _protect_title("Personal budgets in England and the NHS", plain) == (
        "Personal budgets in {England} and the {NHS}"
    )
    # title case: only acronyms and inner capitals are protected
    assert _protect_title("Implementing Personal Health Budgets in the NHS", plain) == (
        "Implementing Personal Health Budgets in the {NHS}"
    )
    assert _protect_title("Using iPhones (mHealth).", plain) == "Using {iPhones} ({mHealth})."


def test_proper_nouns_of_a_title_case_title_are_protected_from_its_abstract():
    record = WorkRecord(
        type="article-journal",
        title="Using and Reporting the Delphi Method for Selecting Healthcare Quality Indicators",
        container_title="PLoS ONE",
        abstract="Background. The Delphi technique is used in England. Using it, panels rate "
        "indicators; reporting is poor. Method: we reviewed Delphi studies.",
    )
    title = re.search(r"title\s*=\s*\{(.*)\},", export(record, "bibtex")).group(1)
    assert title == (
        "Using and Reporting the {Delphi} Method for Selecting Healthcare Quality Indicators"
    )


# -- round trips ------------------------------------------------------------------------------

LATEX_SPECIALS = "&%$#_{}~^\\"
text_strategy = (
    st.text(
        alphabet=st.one_of(
            st.sampled_from(list(LATEX_SPECIALS) + list("éüßøłÅçñ–—’“”")),
            st.characters(min_codepoint=0x20, max_codepoint=0x7E),
            st.characters(whitelist_categories=("Lu", "Ll")),
        ),
        min_size=1,
        max_size=40,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: s.strip() and not s.startswith("{"))
)
word = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=12
).filter(lambda w: w[0].isupper())
particle = st.sampled_from([None, "van", "de la", "von", "van der", "di"])
# A person without a given name has a one-word family name: BibTeX reads "Lloyd Webber" as
# given + family, and "{Lloyd Webber}" as an organisation.
person = st.one_of(
    st.builds(
        lambda given, family, part: Contributor(given=given, family=family, particle=part),
        word,
        st.lists(word, min_size=1, max_size=2).map(" ".join),
        particle,
    ),
    st.builds(lambda family: Contributor(family=family), word),
)
organisation = st.builds(
    lambda name: Contributor(literal=name), st.lists(word, min_size=1, max_size=4).map(" ".join)
)
pages = st.one_of(
    st.none(),
    st.integers(1, 9999).map(str),
    st.tuples(st.integers(1, 999), st.integers(1, 999)).map(lambda p: f"{p[0]}-{p[0] + p[1]}"),
    st.integers(1, 99999).map(lambda n: f"e{n}"),
)


def comparable(record: WorkRecord, *, biblatex: bool) -> dict:
    data = record.to_dict()
    for name in ("raw", "source", "source_type", "citekey", "extra"):
        data.pop(name, None)
    if not biblatex and record.issued:  # classic BibTeX has year and month, no day
        data["issued"] = str(PartialDate(record.issued.year, record.issued.month))
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=text_strategy,
    container=text_strategy,
    people=st.lists(st.one_of(person, organisation), min_size=1, max_size=4),
    editors=st.lists(person, max_size=2),
    page_range=pages,
    date=st.one_of(
        st.builds(PartialDate, st.integers(1800, 2030)),
        st.builds(PartialDate, st.integers(1800, 2030), st.integers(1, 12)),
        st.builds(PartialDate, st.integers(1800, 2030), st.integers(1, 12), st.integers(1, 28)),
    ),
    abstract=st.one_of(st.none(), text_strategy),
    dialect=st.sampled_from(["bibtex", "biblatex"]),
    csl_type=st.sampled_from(["article-journal", "chapter", "paper-conference", "report"]),
)
def test_round_trip_preserves_fields(
    title, container, people, editors, page_range, date, abstract, dialect, csl_type
):
    record = WorkRecord(
        type=csl_type,
        title=title,
        container_title=container,
        contributors=[
            *people,
            *(
                Contributor(
                    role="editor", **{k: getattr(e, k) for k in ("given", "family", "particle")}
                )
                for e in editors
            ),
        ],
        pages=page_range,
        issued=date,
        abstract=abstract,
        volume="12",
        doi="10.1234/abc_def(x);2-p",
        url="https://example.org/?q=a_b#frag",
        keywords=["health", "budgets"],
        publisher=None if csl_type == "article-journal" else "Policy Press",
        language="en",
        note="A note & more",
    )
    text = export(record, dialect)
    result = get_importer(dialect).parse(text, "round.bib")
    assert not result.errors, text
    (back,) = result.records
    assert back.citekey == "key1"
    biblatex = dialect == "biblatex"
    assert comparable(back, biblatex=biblatex) == comparable(record, biblatex=biblatex), text


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "@article{k,",
                "title = {",
                "}",
                "{",
                '"',
                "author = {A and {B} and , }",
                "@string{x = {y}}",
                "month = x # y,",
                "crossref = {k}",
                "\\'",
                "\\",
                "%",
                "$",
                "\n",
                "year = 20a,",
                "@comment{",
                "@xdata{k, xdata = {k}}",
            ]
        )
        | st.text(max_size=5),
        max_size=30,
    ).map("".join)
)
def test_any_input_is_read_or_reported_never_crashes(text):
    result = parse(text)
    assert all(r.title for r in result.records)
    assert all(e.origin == "sample.bib" for e in result.errors)


def test_a_volume_inherits_its_multivolume_works_title_as_maintitle():
    text = (
        "@mvbook{set, author = {Kant, Immanuel}, title = {Werke}, publisher = {de Gruyter}}\n"
        "@book{vol1, title = {Kritik der reinen Vernunft}, volume = 3, crossref = {set}}\n"
    )
    records = by_key(parse(text))
    volume = records["vol1"]
    assert volume.title == "Kritik der reinen Vernunft"
    assert volume.extra["maintitle"] == "Werke"
    assert volume.publisher == "de Gruyter" and volume.authors[0].family == "Kant"


def test_particles_sort_under_the_particle_in_every_client():
    record = WorkRecord(
        type="thesis",
        title="A thesis",
        contributors=[Contributor(given="Jan", family="Berg", particle="van der")],
        publisher="University of Kent",
        issued=PartialDate(2018),
        extra={"genre": "PhD thesis"},
    )
    for dialect in ("bibtex", "biblatex"):
        text = export(record, dialect)
        assert "author = {van der Berg, Jan}" in " ".join(text.split())
        assert "options = {useprefix=true}" in " ".join(text.split())
        assert "genre" not in text
    assert "type = {phdthesis}" in " ".join(export(record, "biblatex").split())


def test_a_report_carries_its_kind_as_type():
    record = WorkRecord(type="report", title="R", extra={"genre": "Discussion paper"})
    for dialect in ("bibtex", "biblatex"):
        assert "type = {Discussion paper}" in " ".join(export(record, dialect).split())


def test_proper_nouns_known_from_other_abstracts_protect_a_title_without_one():
    from datetime import datetime

    from phbrefs.library import StoredWork

    now = datetime(2026, 1, 1)
    known = WorkRecord(title="A", abstract="Budgets were piloted in England. The budgets worked.")
    bare = WorkRecord(type="report", title="Personal Health Budgets in England")
    works = [StoredWork(i, f"k{i}", r, now, now) for i, r in enumerate((known, bare))]
    text = get_exporter("bibtex").export(works)
    assert "title = {Personal Health Budgets in {England}}" in text
