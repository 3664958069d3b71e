"""What databases write survives import and an export -> import round trip: MeSH keywords that
hold a comma, ISSNs with qualifiers, Ovid's "et al." authors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phbrefs.formats import get_importer
from phbrefs.formats.bibtex.entries import split_keywords
from phbrefs.ids import standard_numbers

MESH = (
    "TY  - JOUR\nAU  - Smith, Jane\nAU  - et al.,\nAU  - ,\nTI  - Copper and infants\n"
    "T2  - Pediatrics\nPY  - 2019\nSN  - 2321-3868 (Print)\nSN  - 1234-5678 (Linking)\n"
    "SN  - 2321-3868 (Electronic)\nKW  - Child, Preschool\nKW  - Infant, Newborn\n"
    "KW  - Copper\nER  - \n"
)
KEYWORDS = ["Child, Preschool", "Infant, Newborn", "Copper"]


def _works(cli) -> list[dict]:  # type: ignore[no-untyped-def]
    return json.loads(cli("list", "--json").stdout)


def test_ris_import_keeps_bare_issns_and_no_et_al_person(cli, tmp_path: Path) -> None:
    path = tmp_path / "ovid.ris"
    path.write_text(MESH)
    assert cli("import", str(path)).exit_code == 0
    (work,) = _works(cli)
    (record,) = get_importer("ris").parse(MESH, "ovid.ris").records
    assert record.issn == ["2321-3868", "1234-5678"]
    assert [(p.family, p.given, p.particle) for p in record.contributors] == [
        ("Smith", "Jane", None)
    ]
    assert work["title"] == "Copper and infants"


@pytest.mark.parametrize(
    ("value", "issns", "isbns"),
    [
        ("2321-3868 (Print)", ["2321-3868"], []),
        ("0966-0410; 1365-2524", ["0966-0410", "1365-2524"], []),
        ("09660410", ["0966-0410"], []),
        ("1476-901x (Electronic)", ["1476-901X"], []),
        ("978-0-19-853453-1 (pbk.)", [], ["978-0-19-853453-1"]),
        ("9780198534531 0966-0410", ["0966-0410"], ["9780198534531"]),
    ],
)
def test_standard_numbers_lose_their_qualifiers(value: str, issns: list, isbns: list) -> None:
    assert standard_numbers(value) == (issns, isbns)


@pytest.mark.parametrize("value", ["et al.,", "et al", "et. al.", "Et Al.", "others", ",", " , "])
def test_et_al_and_empty_ris_authors_are_no_one(value: str) -> None:
    text = f"TY  - JOUR\nTI  - T\nAU  - Welch, Elizabeth\nAU  - {value}\nER  - \n"
    (record,) = get_importer("ris").parse(text, "x.ris").records
    assert [p.family for p in record.contributors] == ["Welch"]


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex", "csljson", "ris"])
def test_comma_keywords_and_issns_survive_export_and_import(cli, tmp_path: Path, fmt: str) -> None:
    ris = tmp_path / "kw.ris"
    ris.write_text(MESH)
    assert cli("import", str(ris)).exit_code == 0
    suffix = {"bibtex": "bib", "biblatex": "bib", "csljson": "json", "ris": "ris"}[fmt]
    first = tmp_path / f"first.{suffix}"
    assert cli("export", "-f", fmt, "--all", "-o", str(first)).exit_code == 0
    other = tmp_path / "other.db"
    assert cli("--db", str(other), "import", str(first)).exit_code == 0
    again = tmp_path / f"again.{suffix}"
    assert cli("--db", str(other), "export", "-f", fmt, "--all", "-o", str(again)).exit_code == 0
    assert again.read_text() == first.read_text()
    (record,) = get_importer(fmt).parse(first.read_text(), first.name).records
    assert record.keywords == KEYWORDS
    assert record.issn == (["2321-3868"] if fmt == "biblatex" else ["2321-3868", "1234-5678"])


def test_bibtex_export_braces_a_keyword_holding_a_comma(cli, tmp_path: Path) -> None:
    ris = tmp_path / "kw.ris"
    ris.write_text(MESH)
    cli("import", str(ris))
    text = cli("export", "-f", "biblatex", "--all").stdout
    assert "keywords     = {{Child, Preschool}, {Infant, Newborn}, Copper}," in text
    assert "issn" in text and "(Print)" not in text


def test_csljson_keyword_uses_semicolons_only_when_a_keyword_holds_a_comma() -> None:
    importer = get_importer("csljson")
    item = '[{"id": "a", "type": "article", "title": "T", "keyword": "%s"}]'
    (one,) = importer.parse(item % "Child, Preschool; Copper", "a.json").records
    (two,) = importer.parse(item % "copper, infants", "b.json").records
    assert one.keywords == ["Child, Preschool", "Copper"]
    assert two.keywords == ["copper", "infants"]


_WORD = st.text(st.sampled_from("abcXYZ é"), min_size=1, max_size=6).map(str.strip).filter(bool)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_WORD, min_size=1, max_size=3).map(", ".join), max_size=5))
def test_braced_keywords_split_back_whole(keywords: list[str]) -> None:
    written = ", ".join(f"{{{k}}}" if "," in k else k for k in keywords)
    assert [k.strip("{}") for k in split_keywords(written)] == keywords


def test_bibtex_and_others_stays_and_others_and_names_no_one_elsewhere() -> None:
    """BibTeX's ``and others`` (a list cut short) is written back bare, as BibTeX styles, biber
    and pandoc read it ("et al."), never as a body braced ``{others}``; CSL-JSON and RIS, which
    have no such marker, name only the authors."""
    from datetime import datetime

    from phbrefs.formats import get_exporter
    from phbrefs.stored import StoredWork

    text = "@article{a1, title={A budget study}, author={Smith, Ann and others}, year=2019}\n"
    (record,) = get_importer("bibtex").parse(text, "a.bib").records
    assert record.contributors[-1].is_others
    work = StoredWork(1, "a1", record, datetime(2026, 1, 1), datetime(2026, 1, 1))
    for fmt in ("bibtex", "biblatex"):
        assert "author = {Smith, Ann and others}," in get_exporter(fmt).export([work])
    (item,) = json.loads(get_exporter("csljson").export([work]))
    assert item["author"] == [{"family": "Smith", "given": "Ann"}]
    ris = get_exporter("ris").export([work])
    assert [line for line in ris.splitlines() if line.startswith("AU")] == ["AU  - Smith, Ann"]


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
@pytest.mark.parametrize(
    "details", ["DO  - 10.1111/1471-0528.14572\n", "VL  - 14\nSP  - S36-S40\n"]
)
def test_a_work_without_a_journal_keeps_its_type_through_export_and_import(
    fmt: str, details: str
) -> None:
    """An Embase record with a URL and a DOI (or a volume and pages) but no journal is a
    generic work (``@misc``); read back, those say it is no web page: ``@misc`` again."""
    from datetime import datetime

    from phbrefs.formats import get_exporter
    from phbrefs.stored import StoredWork

    text = (
        "TY  - GEN\nAU  - Kluge, J.\nTI  - Post-placental insertion of intrauterine devices\n"
        f"PY  - 2017\n{details}UR  - http://www.embase.com/search/results?id=L615337930\n"
        "ER  - \n"
    )
    (record,) = get_importer("ris").parse(text, "embase.ris").records
    when = datetime(2026, 1, 1)
    exported = get_exporter(fmt).export([StoredWork(1, "kluge2017", record, when, when)])
    (again,) = get_importer(fmt).parse(exported, "kluge.bib").records
    assert exported.startswith("@misc{") and (record.type, again.type) == ("article", "article")
