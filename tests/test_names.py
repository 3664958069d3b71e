"""One author-year label (particle-aware) and name variants: listing and merging them."""

from __future__ import annotations

import json

import pytest

from phbrefs.errors import ExitCode
from phbrefs.names import author_year, could_abbreviate, label_base
from phbrefs.records import Contributor, PartialDate, WorkRecord
from phbrefs.tables.references import assign_citations, build_references

BERG = WorkRecord(
    type="article-journal",
    title="Budgets",
    container_title="J",
    issued=PartialDate(2019),
    contributors=[
        Contributor(given="Jan", family="Berg", particle="van der"),
        Contributor(given="Ann", family="Fox"),
        Contributor(given="Kim", family="Hall"),
    ],
)


def test_the_label_names_the_person_the_reference_list_sorts_by():
    assert author_year(BERG) == "van der Berg et al. 2019"
    assert assign_citations({1: BERG})[1].label == "van der Berg et al. 2019"
    (reference,) = build_references([(1, "berg2019", BERG)], assign_citations({1: BERG}))
    assert reference.text.startswith("van der Berg, J.")


@pytest.mark.parametrize(
    ("people", "label"),
    [
        ([Contributor(given="E", family="Welch")], "Welch"),
        ([Contributor(given="E", family="Welch"), Contributor(family="Jones")], "Welch and Jones"),
        ([Contributor(literal="NHS England")], "NHS England"),
        ([], "Untitled"),
    ],
)
def test_labels(people, label):
    assert label_base(WorkRecord(contributors=people)) == label


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("E.", "Elizabeth", True),
        ("E. A.", "Elizabeth Anne", True),
        ("Elizabeth", "Elizabeth A.", True),
        ("K.-A.", "Karen-Ann", True),
        ("Emma", "Elizabeth", False),
        ("E.", "E.", False),
        ("J.", "E.", False),
    ],
)
def test_given_names_that_may_abbreviate_each_other(one, other, same):
    assert could_abbreviate(one, other) is same


RIS = """TY  - JOUR
AU  - Welch, Elizabeth
AU  - Jones, Karen
TI  - Paper one
T2  - Journal A
PY  - 2016
ER  -

TY  - JOUR
AU  - Welch, E.
AU  - Jones, K.
TI  - Paper two
T2  - Journal A
PY  - 2018
ER  -

TY  - JOUR
AU  - Welch, Emma
AU  - Smith, Ann
TI  - Paper three
T2  - Journal B
PY  - 2019
ER  -
"""


@pytest.fixture
def welch(cli, tmp_path):
    source = tmp_path / "welch.ris"
    source.write_text(RIS)
    assert cli("import", source).exit_code == 0
    return cli


def test_names_lists_probable_variants_with_reasons(welch):
    result = welch("names", "--json")
    assert result.exit_code == 0
    groups = {g["name"]: g for g in json.loads(result.stdout)}
    assert set(groups) == {"Elizabeth Welch", "Karen Jones"}  # Emma Welch is someone else
    assert [v["name"] for v in groups["Elizabeth Welch"]["variants"]] == [
        "Elizabeth Welch",
        "E. Welch",
    ]
    assert groups["Elizabeth Welch"]["reasons"] == ["shared co-authors: Jones"]
    text = welch("names")
    assert text.exit_code == 0 and "E. Welch (welch2018paper)" in text.stdout


def test_same_orcid_makes_variants_without_co_authors(library):
    from phbrefs.names import find_variants

    library.add_many(
        [
            WorkRecord(
                title="A", contributors=[Contributor(given="E.", family="Welch", orcid="1")]
            ),
            WorkRecord(
                title="B", contributors=[Contributor(given="Elizabeth", family="Welch", orcid="1")]
            ),
            WorkRecord(
                title="C", contributors=[Contributor(given="Eve", family="Welch", orcid="2")]
            ),
        ]
    )
    (group,) = find_variants(library.works())
    assert [f.name for f in group.forms] == ["Elizabeth Welch", "E. Welch"]
    assert group.reasons == ["same ORCID 1"]


def test_two_names_on_one_author_list_are_never_one_person(library):
    """S. L. Hsieh and S. Hsieh on one paper are two people, however alike their names and
    whatever co-authors they share: merging them would list one author twice."""
    from phbrefs.names import find_variants

    def paper(title: str, *people: tuple[str, str]) -> WorkRecord:
        return WorkRecord(
            title=title, contributors=[Contributor(given=g, family=f) for g, f in people]
        )

    library.add_many(
        [
            paper("Silver copper oxide", ("Y. W.", "Chen"), ("S. L.", "Hsieh"), ("S.", "Hsieh")),
            paper("Copper again", ("Y. W.", "Chen"), ("S.", "Hsieh")),
        ]
    )
    assert find_variants(library.works()) == []


def test_names_merge_writes_the_fullest_form(welch):
    result = welch("names", "merge", "E. Welch")
    assert result.exit_code == 0, result.stderr
    assert "E. Welch -> Elizabeth Welch in 1 work" in result.stderr
    shown = json.loads(welch("show", "welch2018paper", "--json").stdout)
    assert shown["contributors"][0]["given"] == "Elizabeth"
    remaining = json.loads(welch("names", "--json").stdout)
    assert [g["name"] for g in remaining] == ["Karen Jones"]
    assert welch("names", "merge", "--all").exit_code == 0
    assert json.loads(welch("names", "--json").stdout) == []


def test_names_merge_errors(welch):
    missing = welch("names", "merge", "Nobody")
    assert missing.exit_code == ExitCode.NOT_FOUND
    assert "no listed variants for Nobody" in missing.stderr
    bare = welch("names", "merge")
    assert bare.exit_code == ExitCode.INVALID_INPUT
    assert "Traceback" not in missing.stderr + bare.stderr
