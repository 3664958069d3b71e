"""The coding round trip: export a form, fill it in, import it back (xlsx, csv, yaml, json)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from evidence_helpers import KEY_2016, KEY_2022, coding_snapshot

from phbrefs.errors import ExitCode, NotFoundError, ValidationError
from phbrefs.evidence import cerqual, claims, coding, findings, studies
from phbrefs.evidence.coding.form import FINDING_COLUMNS, PAPER_COLUMNS
from phbrefs.evidence.coding.reading import structured_data
from phbrefs.library import Library

FIXTURES = Path(__file__).parent / "fixtures" / "coding"


@pytest.fixture
def coded(lib: Library) -> Library:
    """The library after importing the YAML fixture: two claims, a study, findings, CERQual."""
    coding.import_coding(lib, FIXTURES / "coding.yaml", coder="AB")
    return lib


def test_yaml_import_creates_claims_studies_findings_and_cerqual(coded):
    slugs = [c.slug for c in claims.list_claims(coded)]
    assert slugs == ["post-detox-timing", "direct-payments-need-sufficient-protocols"]
    study = studies.get_study(coded, KEY_2016)
    assert study.fields["design"] == "qualitative"
    assert study.groups == [
        studies.Group(
            "organisational representatives", 20, "interviews", "at two time points (10 at each)"
        )
    ]
    assert [g.count for g in studies.get_study(coded, KEY_2022).groups] == [23, 42]
    found = findings.list_findings(coded)
    assert [(f.claim, f.stance, f.coder) for f in found] == [
        ("post-detox-timing", "supports", "AB"),
        ("direct-payments-need-sufficient-protocols", "supports", "AB"),
    ]
    assert found[0].dimensions == ["RE-AIM:Reach"]
    assessment = cerqual.get_assessment(coded, "post-detox-timing")
    assert assessment.overall.level == "low" and assessment.assessed_by == "AB"


def test_yaml_import_twice_changes_nothing_and_reports_the_warnings(coded):
    before = coding_snapshot(coded)
    report = coding.import_coding(coded, FIXTURES / "coding.yaml")
    assert report.changed == 0
    assert report.by_kind()["findings"] == {"unchanged": 2}
    assert any("unassessed" in w for w in report.warnings)
    assert coding_snapshot(coded) == before


@pytest.mark.parametrize("suffix", ["xlsx", "yaml", "json"])
def test_export_then_import_is_idempotent(coded, tmp_path, suffix):
    path = tmp_path / f"coding.{suffix}"
    counts = coding.export_coding(coded, path)
    assert counts == {"papers": 2, "claims": 2, "findings": 2, "cerqual": 1}
    before = coding_snapshot(coded)
    report = coding.import_coding(coded, path)
    assert report.changed == 0, report.counts
    assert coding_snapshot(coded) == before


def test_xlsx_has_the_sheets_rows_and_stance_drop_down(coded, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "coding.xlsx"
    coding.export_coding(coded, path)
    workbook = load_workbook(path)
    assert {"papers", "claims", "findings", "cerqual"} <= set(workbook.sheetnames)
    papers = list(workbook["papers"].iter_rows(values_only=True))
    assert papers[0][:5] == ("citekey", "author_year", "title", "year", "doi")
    assert papers[1][:2] == (KEY_2016, "Welch 2016")
    participants = papers[1][PAPER_COLUMNS.index("participants")]
    assert participants.startswith("20 interviews with organisational representatives")
    findings_sheet = workbook["findings"]
    stance_column = "D"
    assert FINDING_COLUMNS[3] == "stance"
    validations = findings_sheet.data_validations.dataValidation
    stance_rule = next(v for v in validations if f"{stance_column}2" in str(v.sqref))
    assert stance_rule.type == "list"
    lists = workbook["lists"]
    referenced = [lists[f"A{n}"].value for n in range(2, 6)]  # the stance list the rule points to
    assert referenced == ["supports", "contradicts", "mixed", "neutral"]
    assert "lists!$A$2:$A$5" in stance_rule.formula1


def test_a_reviewer_fills_in_the_xlsx_and_it_imports(coded, tmp_path, cli, db):
    from openpyxl import load_workbook

    path = tmp_path / "coding.xlsx"
    assert cli("--db", db, "coding", "export", path).exit_code == 0
    workbook = load_workbook(path)
    sheet = workbook["findings"]
    sheet.append(
        [None, KEY_2022, "post-detox-timing", "Contradicts", "a new quote", 12, None, None]
    )
    papers = workbook["papers"]
    papers.cell(3, PAPER_COLUMNS.index("country") + 1, "England")
    workbook.save(path)
    result = cli("--db", db, "coding", "import", path, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"]["findings"] == {"unchanged": 2, "added": 1}
    assert report["counts"]["papers"] == {"unchanged": 1, "updated": 1}
    new = findings.list_findings(coded, keys=[KEY_2022])[0]
    assert (new.stance, new.location) == ("contradicts", "12")
    assert studies.get_study(coded, KEY_2022).fields["country"] == "England"


def test_import_with_three_bad_rows_reports_each_and_imports_nothing(coded, cli, db):
    before = coding_snapshot(coded)
    result = cli("--db", db, "coding", "import", FIXTURES / "findings-bad.csv")
    assert result.exit_code == ExitCode.INVALID_INPUT
    lines = result.stderr.strip().splitlines()
    assert (
        "findings row 3, column citekey: no work with key or DOI 'welch2016implementng'" in lines[0]
    )
    assert "did you mean 'welch2016implementing'" in lines[0]
    assert lines[1].startswith("findings row 4, column stance: 'suports' is not a stance")
    assert lines[2].startswith("findings row 5, column claim: no claim 'post-detox-timin'")
    assert lines[3] == "findings row 5, column quote: missing quote (a verbatim quote is required)"
    assert lines[4].startswith("findings row 5, column dimensions: unknown framework dimension")
    assert lines[-1].startswith("phbrefs: error:") and "5 problems; nothing imported" in lines[-1]
    assert coding_snapshot(coded) == before  # not even the good first row


def test_dry_run_counts_but_changes_nothing(coded):
    claims.add_claim(coded, "Direct payments need protocols.", slug="direct-payments-protocols")
    before = coding_snapshot(coded)
    report = coding.import_coding(coded, FIXTURES / "findings.csv", dry_run=True)
    assert report.dry_run and report.by_kind()["findings"] == {"added": 3}
    assert coding_snapshot(coded) == before


def test_csv_import_with_quoted_commas_and_dimension_lists(coded, cli, db):
    claims.add_claim(coded, "Direct payments need protocols.", slug="direct-payments-protocols")
    result = cli("--db", db, "coding", "import", FIXTURES / "findings.csv")
    assert result.exit_code == 0, result.output
    found = findings.list_findings(coded, claims=["direct-payments-protocols"])[0]
    assert found.quote.startswith("direct payments can provide greater choice and control, but")
    assert found.dimensions == ["RE-AIM:Adoption", "RE-AIM:Implementation"]
    assert found.note == "comma, inside a quoted cell"
    again = cli("--db", db, "coding", "import", FIXTURES / "findings.csv", "--json")
    assert json.loads(again.stdout)["counts"]["findings"] == {"unchanged": 3}


def test_csv_export_is_the_findings_sheet(coded, tmp_path):
    path = tmp_path / "coding.csv"
    assert coding.export_coding(coded, path) == {"findings": 2}
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join(FINDING_COLUMNS)
    shutil.copy(path, tmp_path / "again.csv")
    assert coding.import_coding(coded, tmp_path / "again.csv").changed == 0


def test_export_refuses_to_overwrite_a_filled_in_form(coded, tmp_path, cli, db):
    path = tmp_path / "coding.xlsx"
    path.write_text("my coding", encoding="utf-8")
    result = cli("--db", db, "coding", "export", path)
    assert result.exit_code == ExitCode.INVALID_INPUT and "--force" in result.stderr
    assert path.read_text(encoding="utf-8") == "my coding"
    assert cli("--db", db, "coding", "export", path, "--force").exit_code == 0


def test_structured_import_checks_counts_fields_and_levels(lib):
    data = structured_data(
        {
            "papers": [
                {"citekey": KEY_2016, "groups": [{"label": "budget holders", "count": "many"}]},
                {"citekey": KEY_2022, "participants": "2.5 interviews with carers"},
            ],
            "claims": [{"claim": "Bad Slug", "statement": "x"}],
            "findings": [
                {
                    "citekey": KEY_2016,
                    "claim": "nope",
                    "stance": "supports",
                    "quote": "q",
                    "colour": "red",
                }
            ],
            "cerqual": [{"claim": "nope", "overall": "excellent"}],
        },
        "inline",
    )
    with pytest.raises(ValidationError) as caught:
        coding.import_data(lib, data)
    problems = caught.value.problems
    assert "findings item 1, field colour: unknown field" in problems
    assert "papers item 1, field groups[1].count: bad count 'many'" in problems
    assert any(p.startswith("papers item 2, field participants: bad count '2.5'") for p in problems)
    assert any(
        p.startswith("claims item 1, field claim: 'bad slug' is not a valid claim id")
        for p in problems
    )
    assert any(p.startswith("findings item 1, field claim: no claim 'nope'") for p in problems)
    assert any(p.startswith("cerqual item 1, field overall: 'excellent'") for p in problems)
    assert claims.list_claims(lib) == [] and studies.list_studies(lib) == []


def test_unreadable_files_are_one_clear_error(tmp_path, cli, db):
    broken = tmp_path / "coding.xlsx"
    broken.write_text("not a workbook", encoding="utf-8")
    result = cli("--db", db, "coding", "import", broken)
    assert result.exit_code == ExitCode.INVALID_INPUT and "not a readable .xlsx" in result.stderr
    odd = tmp_path / "coding.txt"
    odd.write_text("x", encoding="utf-8")
    assert (
        "use one of: .xlsx, .csv, .yaml, .json" in cli("--db", db, "coding", "import", odd).stderr
    )


def test_two_csv_rows_with_one_finding_id_are_refused_naming_both(coded, tmp_path, cli, db):
    path = tmp_path / "coding.csv"
    coding.export_coding(coded, path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    first_id = lines[1].split(",", 1)[0]
    lines[2] = first_id + "," + lines[2].split(",", 1)[1]  # row 3 now claims row 2's finding
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = coding_snapshot(coded)
    result = cli("--db", db, "coding", "import", path)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr.splitlines() == [
        f"findings: rows 2 and 3 both have id {first_id}",
        f"phbrefs: error: {path}: 1 problem; nothing imported",
    ]
    assert coding_snapshot(coded) == before


def test_repeated_papers_claims_and_cerqual_items_are_refused(coded):
    data = structured_data(
        {
            "papers": [{"citekey": KEY_2016, "country": "England"}] * 2,
            "claims": [{"claim": "post-detox-timing", "theme": "x"}] * 2,
            "cerqual": [{"claim": "post-detox-timing", "overall": "high"}] * 2,
        },
        "inline",
    )
    before = coding_snapshot(coded)
    with pytest.raises(ValidationError) as caught:
        coding.import_data(coded, data)
    assert caught.value.problems == [
        "claims: items 1 and 2 both have claim 'post-detox-timing'",
        f"papers: items 1 and 2 both have citekey {KEY_2016!r}",
        "cerqual: items 1 and 2 both have claim 'post-detox-timing'",
    ]
    assert coding_snapshot(coded) == before


def test_ids_and_counts_too_large_to_store_are_problems_not_crashes(coded, tmp_path, cli, db):
    huge = 10**23
    path = tmp_path / "coding.csv"
    coding.export_coding(coded, path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[1] = f"{huge}," + lines[1].split(",", 1)[1]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = coding_snapshot(coded)
    result = cli("--db", db, "coding", "import", path)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr.splitlines()[0] == f"findings row 2, column id: no finding with id {huge}"
    data = structured_data(
        {"papers": [{"citekey": KEY_2016, "groups": [{"label": "carers", "count": huge}]}]}, "x"
    )
    with pytest.raises(ValidationError) as caught:
        coding.import_data(coded, data)
    assert caught.value.problems == [f"papers item 1, field groups[1].count: bad count {huge}"]
    assert coding_snapshot(coded) == before
    with pytest.raises(NotFoundError, match=f"no finding with id {huge}"):
        findings.get_finding(coded, huge)
