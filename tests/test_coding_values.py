"""Coding forms keep every value as it is: a quote too long for an Excel cell is refused, not cut;
participant groups read back as the same groups; dimension names never hold a list separator;
a YAML/JSON value of the wrong kind (a list as a quote) is a problem, never its Python repr."""

from __future__ import annotations

from pathlib import Path

import pytest
from evidence_helpers import KEY_2016, KEY_2022, coding_snapshot

from phbrefs.errors import ExitCode, InvalidInputError, ValidationError
from phbrefs.evidence import coding, findings, frameworks, studies
from phbrefs.evidence.studies import Group, parse_group, parse_participants
from phbrefs.library import Library

FIXTURES = Path(__file__).parent / "fixtures" / "coding"
LONG_QUOTE = " ".join(["word"] * 10_000)  # 49,999 characters; an Excel cell holds 32,767


@pytest.fixture
def coded(lib: Library) -> Library:
    coding.import_coding(lib, FIXTURES / "coding.yaml", coder="AB")
    return lib


def _long_finding(lib: Library) -> int:
    info, _ = findings.add_finding(
        lib, KEY_2016, "post-detox-timing", stance="supports", quote=LONG_QUOTE
    )
    return info.id


# -- a cell longer than Excel holds ----------------------------------------------------------


def test_xlsx_export_refuses_a_quote_too_long_for_a_cell(coded, tmp_path, cli, db):
    finding_id = _long_finding(coded)
    path = tmp_path / "coding.xlsx"
    result = cli("--db", db, "coding", "export", path)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr.splitlines() == [
        f"phbrefs: error: {path}: findings row 3, column quote (finding {finding_id}) holds "
        "49,999 characters, more than an Excel cell holds (32,767); nothing written: export to "
        ".csv, .yaml or .json instead"
    ]
    assert not path.exists()
    for suffix in ("csv", "yaml", "json"):  # the formats it suggests keep the quote whole
        other = path.with_suffix(f".{suffix}")
        assert cli("--db", db, "coding", "export", other).exit_code == 0
        assert coding.import_coding(coded, other).changed == 0
    assert findings.get_finding(coded, finding_id).quote == LONG_QUOTE


def test_xlsx_table_refuses_a_cell_too_long(coded, tmp_path, cli, db):
    _long_finding(coded)
    path = tmp_path / "claim.xlsx"
    result = cli("--db", db, "table", "claim", "post-detox-timing", "-f", "xlsx", "-o", path)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr.splitlines()[-1] == (
        f"phbrefs: error: {path}: sheet Table, row 3, column 'Quote' holds 50,001 characters, "
        "more than an Excel cell holds (32,767); nothing written: write the table as .csv, .md, "
        ".html, .docx or .tex instead"
    )
    assert not path.exists()


# -- participant groups ----------------------------------------------------------------------

MANAGERS = Group("managers, carers and nurses", 10, "interviews")
STAFF = Group("staff", 5, "focus groups", "at two sites")


def test_a_group_keeps_its_label_without_the_semicolon():
    assert parse_group("5 focus groups with staff; at two sites") == STAFF
    assert parse_group("budget holders, at two sites") == Group(
        "budget holders", None, None, "at two sites"
    )


def test_quoted_groups_and_json_mappings_are_one_group_each():
    odd = Group("staff", 5, "diaries", "mostly women")  # no phrase reads back as this group
    cell = studies.groups_cell([MANAGERS, STAFF, odd])
    assert cell == (
        '"10 interviews with managers, carers and nurses"; 5 focus groups with staff at two '
        'sites; {"label": "staff", "count": 5, "unit": "diaries", "detail": "mostly women"}'
    )
    assert parse_participants(cell) == [MANAGERS, STAFF, odd]
    assert (
        len(parse_participants("8 managers, 23 budget holders and 3 carers; 42 support plans")) == 4
    )
    with pytest.raises(InvalidInputError, match=r"label: expected text, not 3"):
        parse_participants('{"label": 3}')


def test_an_unedited_xlsx_round_trip_keeps_the_groups(coded, tmp_path, cli, db):
    odd = Group("staff", 5, "diaries", "mostly women")
    studies.set_study(coded, KEY_2022, {}, groups=[MANAGERS, STAFF, odd])
    path = tmp_path / "coding.xlsx"
    assert cli("--db", db, "coding", "export", path).exit_code == 0
    before = coding_snapshot(coded)
    report = coding.import_coding(coded, path)
    assert report.by_kind()["papers"] == {"unchanged": 2}
    assert coding_snapshot(coded) == before
    assert studies.get_study(coded, KEY_2022).groups == [MANAGERS, STAFF, odd]


def test_study_set_groups_round_trip_through_the_cli(coded, tmp_path, cli, db):
    args = ["--group", "10 interviews with managers, carers and nurses"]
    args += ["--group", "5 focus groups with staff; at two sites"]
    assert cli("--db", db, "study", "set", KEY_2022, *args).exit_code == 0
    assert studies.get_study(coded, KEY_2022).groups == [MANAGERS, STAFF]
    path = tmp_path / "coding.xlsx"
    cli("--db", db, "coding", "export", path)
    assert coding.import_coding(coded, path).changed == 0
    assert studies.get_study(coded, KEY_2022).groups == [MANAGERS, STAFF]


# -- dimension names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["CFIR", "-d", "Inner setting; culture"],
            "dimension code 'Inner setting; culture' contains ';'",
        ),
        (["CFIR", "-d", "Inner setting, culture"], "dimension code 'Inner setting, culture'"),
        (["CF;IR", "-d", "Process"], "framework name 'CF;IR' contains ';'"),
        (["CFIR", "-d", "=the organisation"], "no dimension code in '=the organisation'"),
    ],
)
def test_framework_add_refuses_a_list_separator_in_a_name(cli, db, lib, args, message):
    result = cli("--db", db, "framework", "add", *args)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"phbrefs: error: {message}")
    assert [f.name for f in frameworks.list_frameworks(lib)] == ["RE-AIM"]


def test_a_dimension_without_separators_survives_a_csv_round_trip(coded, tmp_path, cli, db):
    refused = cli("--db", db, "framework", "add", "CFIR", "-d", "Inner setting; culture")
    assert refused.exit_code == ExitCode.INVALID_INPUT
    assert cli("--db", db, "framework", "add", "CFIR", "-d", "Inner setting").exit_code == 0
    findings.add_finding(
        coded,
        KEY_2016,
        "post-detox-timing",
        stance="supports",
        quote="q",
        dimensions=["CFIR:Inner setting", "RE-AIM:Reach"],
    )
    path = tmp_path / "coding.csv"
    coding.export_coding(coded, path)
    assert coding.import_coding(coded, path).changed == 0


# -- YAML/JSON values of the wrong kind -------------------------------------------------------

FINDING = f"citekey: {KEY_2016}, claim: post-detox-timing, stance: supports"


@pytest.mark.parametrize(
    ("yaml_text", "problems"),
    [
        (
            f"findings:\n- {{{FINDING}, quote: new q, dimensions: [2020]}}\n",
            ["findings item 1, field dimensions: expected text, not 2020"],
        ),
        (
            f"findings:\n- {{{FINDING}, quote: new q, dimensions: [Reach, null]}}\n",
            ["findings item 1, field dimensions: expected text, not null"],
        ),
        (
            f"findings:\n- {{citekey: {KEY_2016}, claim: post-detox-timing, stance: [supports], "
            "quote: {a: 1}}\n",
            [
                "findings item 1, field stance: expected text, not a list",
                "findings item 1, field quote: expected text, not a mapping",
            ],
        ),
        (
            f"papers:\n- {{citekey: {KEY_2016}, groups: notalist}}\n"
            f"- {{citekey: {KEY_2022}, groups: [{{label: [a]}}, {{label: x, unit: 3}}, 5]}}\n",
            [
                "papers item 1, field groups: expected a list of groups, not 'notalist'",
                "papers item 2, field groups[1].label: expected text, not a list",
                "papers item 2, field groups[2].unit: expected text, not 3",
                "papers item 2, field groups[3]: a group is a mapping with label, count, unit "
                "and detail",
            ],
        ),
        (
            "claims:\n- {claim: new-claim, statement: true, theme: 2}\n",
            [
                "claims item 1, field statement: expected text, not true",
                "claims item 1, field theme: expected text, not 2",
            ],
        ),
    ],
)
def test_a_value_of_the_wrong_kind_is_one_problem_line(
    coded, tmp_path, cli, db, yaml_text, problems
):
    path = tmp_path / "coding.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    before = coding_snapshot(coded)
    result = cli("--db", db, "coding", "import", path)
    assert result.exit_code == ExitCode.INVALID_INPUT
    n = len(problems)
    assert result.stderr.splitlines() == [
        *problems,
        f"phbrefs: error: {path}: {n} problem{'s' if n > 1 else ''}; nothing imported",
    ]
    assert coding_snapshot(coded) == before


def test_numbers_are_text_only_where_natural(coded, tmp_path):
    path = tmp_path / "coding.json"
    finding = f'"citekey": "{KEY_2016}", "claim": "post-detox-timing", "stance": "supports"'
    path.write_text(f'{{"findings": [{{{finding}, "quote": ["a", "b"]}}]}}', encoding="utf-8")
    with pytest.raises(ValidationError) as caught:  # never stored as "a; b" or "['a', 'b']"
        coding.import_coding(coded, path)
    assert caught.value.problems == ["findings item 1, field quote: expected text, not a list"]
    path.write_text(
        f'{{"papers": [{{"citekey": "{KEY_2016}", "period": 2011}}], '
        f'"findings": [{{{finding}, "quote": "q", "location": 5}}]}}',
        encoding="utf-8",
    )
    coding.import_coding(coded, path)
    assert [f.location for f in findings.list_findings(coded) if f.quote == "q"] == ["5"]
    assert studies.get_study(coded, KEY_2016).fields["period"] == "2011"
