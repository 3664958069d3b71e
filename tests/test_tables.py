"""Review tables: what each builder puts in its rows, notes and references."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from postgres_server import backends
from tables_helpers import WELCH_2016, add_claim, add_finding, add_works, build_review, record

from phbrefs.errors import InvalidInputError, NotFoundError
from phbrefs.library import Library
from phbrefs.records import Contributor, PartialDate, WorkRecord
from phbrefs.tables import TABLE_FORMATS, TABLE_NAMES, NothingToTabulateError, Table, build_table
from phbrefs.tables.model import Reference
from phbrefs.tables.references import Citation, assign_citations, build_references, notice_text


@pytest.fixture(scope="module", params=backends())
def review(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Library, dict[str, int]]]:
    """The sample review, built once per backend."""
    if request.param == "postgres":
        location = request.getfixturevalue("postgres_server").migrated()
    else:
        location = tmp_path_factory.mktemp("review") / "library.db"
    with Library(location) as library:
        yield library, build_review(library)


def column(table: Table, name: str) -> list[str]:
    index = [c.name for c in table.columns].index(name)
    return [row.cells[index].display for row in table.rows]


def row_for(table: Table, text: str) -> list[str]:
    return next([c.display for c in r.cells] for r in table.rows if text in r.cells[0].display)


# -- references ---------------------------------------------------------------------------------


def reference(work: WorkRecord, year: str) -> Reference:
    """The one reference the tables print for ``work``, dated as its label says."""
    return build_references([(1, "key", work)], {1: Citation(f"X {year}", year)})[0]


def test_the_seed_paper_is_referenced_in_harvard_style_with_the_journal_in_italics():
    ref = reference(WELCH_2016, "2016b")
    assert ref.text == (
        "Welch, E. et al. (2016b) ‘Implementing personal health budgets in England: a user-led "
        "approach to substance misuse’, Health and Social Care in the Community, 25(5), "
        "pp. 1634–1643. Available at: https://doi.org/10.1111/hsc.12396."
    )
    italic = [span.text for span in ref.parts if span.italic]
    assert italic == ["et al.", "Health and Social Care in the Community"]


def test_books_chapters_and_organisations_are_referenced():
    chapter = WorkRecord(
        type="chapter",
        title="Budgets in practice",
        contributors=[
            Contributor(given="Ann", family="Lee"),
            Contributor(role="editor", given="Bo", family="Kim"),
        ],
        issued=PartialDate(2020),
        container_title="Handbook of Care",
        publisher="Policy Press",
        publisher_place="Bristol",
        pages="10-20",
    )
    assert reference(chapter, "2020").text == (
        "Lee, A. (2020) ‘Budgets in practice’, in B. Kim (ed.) Handbook of Care. "
        "Bristol: Policy Press, pp. 10–20."
    )
    report = WorkRecord(
        type="report",
        title="Guide",
        contributors=[Contributor(literal="NHS England")],
        publisher="NHS England",
        url="https://example.org/guide",
    )
    assert reference(report, "n.d.").text == (
        "NHS England (n.d.) Guide. NHS England. Available at: https://example.org/guide."
    )


def test_labels_name_one_two_or_many_authors_and_tell_clashes_apart():
    one = record("Zeta", [("A", "Welch")], 2016)
    two = record("Beta", [("A", "Welch"), ("B", "Jones")], 2016)
    many_b = record("Budgets", [("A", "Welch"), ("B", "Jones"), ("C", "Bass")], 2016)
    many_a = record("Another", [("A", "Welch"), ("D", "Doe"), ("C", "Bass")], 2016)
    undated = WorkRecord(title="Old", contributors=[Contributor(family="Welch")])
    labels = assign_citations({1: one, 2: two, 3: many_b, 4: many_a, 5: undated})
    assert labels[1].label == "Welch 2016"
    assert labels[2].label == "Welch and Jones 2016"
    assert (labels[4].label, labels[3].label) == ("Welch et al. 2016a", "Welch et al. 2016b")
    assert labels[3].year == "2016b"
    assert labels[5].label == "Welch n.d."


def test_notice_names_kind_doi_and_date():
    retracted = record("X", [("A", "B")], 2019)
    assert notice_text(retracted) is None
    from phbrefs.records import UpdateNotice

    retracted.updates = [
        UpdateNotice("updated-by", "expression_of_concern", "10.1/eoc", PartialDate(2021, 2)),
        UpdateNotice("update-to", "correction", "10.1/other"),
    ]
    assert notice_text(retracted) == (
        "Expression of concern notice: https://doi.org/10.1/eoc (2021-02)"
    )


# -- the tables ---------------------------------------------------------------------------------


def test_contract_names_and_formats():
    assert TABLE_NAMES == ("studies", "matrix", "soqf", "profile", "claim")
    assert TABLE_FORMATS == ("md", "csv", "html", "docx", "tex", "xlsx")


def test_studies_lists_every_work_with_a_study_record_or_findings(review):
    library, _ = review
    table = build_table(library, "studies")
    assert column(table, "Study") == [
        "Jones and Smith 2019 (jones2019budgetholders) † RETRACTED",
        "NHS England 2014 (england2014personal)",
        "Welch and Jones 2022 (welch2022personal)",
        "Welch et al. 2016a (welch2016another)",
        "Welch et al. 2016b (welch2016implementing)",
    ]
    welch = row_for(table, "2016b")
    assert welch[5] == "20 organisational representatives (interviews, two time points)"
    assert welch[3] == "Semi-structured interviews (2011–2012)"
    assert welch[4] == "Two pilot sites; England"
    assert row_for(table, "2022")[5] == (
        "12 commissioners (interviews); 8 providers (interviews); Total n = 20"
    )
    assert row_for(table, "NHS England")[1] == "—"


def test_tag_filter_keeps_only_tagged_works_but_labels_stay_the_same(review):
    library, _ = review
    table = build_table(library, "studies", tags=["seed"])
    assert column(table, "Study") == ["Welch et al. 2016b (welch2016implementing)"]
    assert [r.label for r in table.references] == ["Welch et al. 2016b"]
    assert table.references[0].text.startswith("Welch, E. et al. (2016b) ‘Implementing")
    assert "(2016b)" in table.references[0].text
    assert "works tagged seed" in (table.caption or "")


def test_matrix_shows_stances_per_study_with_counts_grouped_by_theme(review):
    library, _ = review
    table = build_table(library, "matrix")
    assert [c.name for c in table.columns][:3] == [
        "Claim",
        "Jones and Smith 2019 †",
        "NHS England 2014",
    ]
    assert [g for g, _ in table.groups] == ["Implementation", "Outcomes", "Other claims"]
    choice = row_for(table, "Direct payments")
    # studies: Jones, NHS, Welch 2022, Welch 2016a, Welch 2016b; then ✓ ✗ ± ○ Studies
    assert choice[1:] == ["✓", "○", "✓", "", "✓ ±", "3", "0", "1", "1", "4"]
    cell = table.rows[1].cells[5]
    assert (cell.text, cell.stance) == ("✓ ±", "mixed")
    assert row_for(table, "Sufficient protocols")[-5:] == ["0", "0", "0", "0", "0"]
    assert any("✓ supports" in note for note in table.footnotes)
    assert any(
        note.startswith(
            "† RETRACTED Jones and Smith 2019: Retraction notice: "
            "https://doi.org/10.1234/retraction.1"
        )
        for note in table.footnotes
    )


def test_matrix_repeats_the_symbol_for_several_findings_of_one_stance():
    from phbrefs.tables.builders import stance_cell

    assert stance_cell(["supports", "mixed", "supports"]).text == "✓✓ ±"
    assert stance_cell(["neutral", "contradicts"]).text == "✗ ○"
    assert stance_cell(["supports", "supports"]).stance == "supports"


def test_soqf_summarises_each_claim_with_its_cerqual_judgement(review):
    library, _ = review
    table = build_table(library, "soqf")
    assert column(table, "#") == ["1", "2", "3", "4"]
    choice = row_for(table, "2")
    assert choice[2] == (
        "Jones and Smith 2019 † RETRACTED; NHS England 2014; Welch and Jones 2022; "
        "Welch et al. 2016b"
    )
    assert choice[3:] == ["Moderate confidence", "Moderate concerns about adequacy."]
    assert row_for(table, "1")[3] == "Not assessed"
    assert row_for(table, "3")[3:] == [
        "Not assessed",
        "Minor concerns regarding coherence; Serious concerns regarding adequacy.",
    ]
    assert row_for(table, "4")[2] == "No contributing studies"


def test_profile_gives_each_component_its_concern_and_explanation(review):
    library, _ = review
    table = build_table(library, "profile")
    choice = row_for(table, "2")
    assert choice[3:7] == [
        "Minor concerns: Interview studies of providers only.",
        "No or very minor concerns: Consistent across studies.",
        "Moderate concerns: Four small studies.",
        "Minor concerns: England only.",
    ]
    assert row_for(table, "1")[3:8] == ["Not assessed"] * 5


def test_claim_table_groups_quotes_by_stance(review):
    library, _ = review
    table = build_table(library, "claim", claim="choice-control")
    assert [g for g, _ in table.groups] == ["Supports (3)", "Mixed (1)", "Neutral (1)"]
    first = [c.display for c in table.rows[2].cells]
    assert first[:4] == [
        "Welch et al. 2016b",
        "“direct payments can provide greater choice and control”",
        "Abstract",
        "organisational representatives",
    ]
    assert "Note" in [c.name for c in table.columns]
    assert table.rows[0].cells[1].stance == "supports"
    dimensions = build_table(library, "claim", claim="post-detox")
    assert column(dimensions, "Framework dimensions") == ["—", "RE-AIM: Reach", "—"]


def test_every_table_ends_with_the_references_of_the_works_it_cites(review):
    library, _ = review
    for name in ("studies", "matrix", "soqf", "profile"):
        table = build_table(library, name)
        assert len(table.references) == 5, name
        retracted = [r for r in table.references if r.notice]
        assert [r.label for r in retracted] == ["Jones and Smith 2019"]
    narrow = build_table(library, "soqf", claims=["integration"])
    assert [r.label for r in narrow.references] == ["Welch and Jones 2022"]
    assert not narrow.footnotes


def test_theme_filter_and_unknown_names(review):
    library, _ = review
    outcomes = build_table(library, "matrix", themes=["Outcomes"])
    assert {r.group for r in outcomes.rows} == {"Outcomes"}
    with pytest.raises(NotFoundError, match="'nope'"):
        build_table(library, "soqf", claims=["nope"])
    with pytest.raises(NotFoundError, match="did you mean 'integration'"):
        build_table(library, "claim", claim="integratoin")
    with pytest.raises(NotFoundError, match="theme 'Costs'"):
        build_table(library, "soqf", themes=["Costs"])
    with pytest.raises(NotFoundError, match="tagged 'missing'"):
        build_table(library, "studies", tags=["missing"])
    with pytest.raises(InvalidInputError, match="unknown table"):
        build_table(library, "forest")
    with pytest.raises(InvalidInputError, match="needs a claim"):
        build_table(library, "claim")
    with pytest.raises(NothingToTabulateError, match="'protocols' has no findings"):
        build_table(library, "claim", claim="protocols")


@pytest.mark.parametrize("name", ["studies", "matrix", "soqf", "profile"])
def test_an_empty_library_gives_a_clear_error(library: Library, name: str):
    with pytest.raises(NothingToTabulateError, match=r"^no "):
        build_table(library, name)


def test_claims_without_findings_make_no_matrix(library: Library):
    add_claim(library, "lonely", "A claim nobody has evidence for.")
    with pytest.raises(NothingToTabulateError, match="no findings"):
        build_table(library, "matrix")
    assert len(build_table(library, "soqf").rows) == 1


def _count_queries(library: Library, name: str) -> int:
    from sqlalchemy import event

    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(library.engine, "before_cursor_execute", count)
    try:
        build_table(library, name)
    finally:
        event.remove(library.engine, "before_cursor_execute", count)
    return len(statements)


def _library_of(library: Library, works: int) -> None:
    claim = add_claim(library, "c", "A claim.")
    ids = add_works(
        library, *(record(f"Paper {i}", [("A", f"Author{i}")], 2000 + i) for i in range(works))
    )
    for work_id in ids:
        add_finding(library, work_id, claim, "supports", "yes")


def test_loading_takes_the_same_number_of_queries_for_3_or_60_works(tmp_path):
    counts = []
    for works in (3, 60):
        with Library(tmp_path / f"{works}.db") as library:
            _library_of(library, works)
            counts.append([_count_queries(library, n) for n in ("studies", "matrix", "soqf")])
    assert counts[0] == counts[1]
    assert max(counts[1]) <= 12


def test_evidence_map_draws_every_finding_with_mixed_cells_in_parts(review):
    from phbrefs.tables.data import load_evidence
    from phbrefs.tables.evidence import Evidence
    from phbrefs.tables.evidence_map import MapCell, evidence_points

    library, _ = review
    rows, columns, points = evidence_points(Evidence(load_evidence(library)), "studies")
    assert [r.theme for r in rows] == ["Implementation", "Outcomes", "Outcomes", "Other claims"]
    assert rows[0].statement.startswith("Budget-holders benefit more")  # full, never shortened
    assert columns[0] == "Jones and Smith 2019 † RETRACTED"
    welch_2016b = columns.index("Welch et al. 2016b")
    cell = next(p for p in points if (p.column, p.row) == (welch_2016b, 1))
    assert cell.stances == ("supports", "mixed") and cell.stance == "mixed"
    assert MapCell(0, 0, ("contradicts",)) in points
    data = load_evidence(library, dimensions=True)
    rows, columns, points = evidence_points(Evidence(data), "dimensions")
    assert columns == [
        "RE-AIM: Reach",
        "RE-AIM: Effectiveness",
        "RE-AIM: Adoption",
        "RE-AIM: Implementation",
        "RE-AIM: Maintenance",
        "No dimension",
    ]
    assert sum(p.findings for p in points) == sum(max(1, len(f.dimensions)) for f in data.findings)
    assert MapCell(0, 0, ("supports",)) in points and MapCell(2, 2, ("supports",)) in points


def test_themes_keep_their_claims_together_with_unthemed_claims_last():
    from phbrefs.tables.data import ClaimData
    from phbrefs.tables.evidence import theme_ordered

    claims = [
        ClaimData(1, "a", "A", None, None),
        ClaimData(2, "b", "B", "Costs", None),
        ClaimData(3, "c", "C", "Access", None),
        ClaimData(4, "d", "D", "Costs", None),
    ]
    assert [c.slug for c in theme_ordered(claims)] == ["b", "d", "c", "a"]


def test_references_drop_crossref_inline_markup_but_keep_the_words():
    article = record(
        "Budgets for <i>all</i>: <scp>PHB</scp>s &amp; care",
        [("A", "Lee")],
        2020,
        container_title="Health &amp; Care",
        volume="3",
        pages="1",
    )
    ref = reference(article, "2020")
    assert ref.text == "Lee, A. (2020) ‘Budgets for all: PHBs & care’, Health & Care, 3, p. 1."
    assert [s.text for s in ref.parts if s.italic] == ["all", "Health & Care"]


def test_participant_totals_never_add_different_units():
    from phbrefs.tables.builders import participants_text
    from phbrefs.tables.data import GroupData, StudyData

    study = StudyData(
        1,
        groups=[
            GroupData("budget holders", 23, "interviews", None),
            GroupData("providers", 3, "interviews", None),
            GroupData("support plans", 42, "support plans", None),
        ],
    )
    assert participants_text(study) == (
        "23 budget holders (interviews); 3 providers (interviews); 42 support plans; "
        "Total: 26 interviews, 42 support plans"
    )
    large = StudyData(
        3,
        groups=[
            GroupData("budget holders", 1200, None, "site A"),
            GroupData("budget holders", 1035, None, "site B"),
            GroupData("support plans", 4200, "support plans", None),
        ],
    )
    assert participants_text(large) == (
        "1,200 budget holders (site A); 1,035 budget holders (site B); 4,200 support plans; "
        "Total: 2,235 budget holders, 4,200 support plans"
    )
    people = StudyData(
        4, groups=[GroupData("nurses", 1500, None, None), GroupData("GPs", 9, None, None)]
    )
    assert participants_text(people) == "1,500 nurses; 9 GPs; Total n = 1,509"
    assert participants_text(StudyData(2, groups=[GroupData("nurses", None, None, "ward")])) == (
        "nurses (ward)"
    )


def test_a_detail_given_in_parentheses_gets_one_pair():
    from phbrefs.tables.builders import participants_text
    from phbrefs.tables.data import GroupData, StudyData

    def text(detail: str) -> str:
        return participants_text(StudyData(1, groups=[GroupData("managers", 5, None, detail)]))

    assert text("(two sites)") == "5 managers (two sites)"
    assert text("at two time points (10 at each)") == "5 managers (at two time points (10 at each))"
    assert text("(a) and (b)") == "5 managers ((a) and (b))"


def test_a_matrix_of_one_study_and_one_claim_says_so_in_the_singular(library: Library):
    (work,) = add_works(library, record("Budgets in practice", [("Welch", "Elizabeth")], 2016))
    claim = add_claim(library, "choice", "Budgets give choice.")
    add_finding(library, work, claim, "supports", "People chose.")
    assert build_table(library, "matrix").caption == "Findings of 1 study on 1 claim."
