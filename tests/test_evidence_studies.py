"""Study characteristics and the participant-group parser."""

from __future__ import annotations

import json

import pytest
from evidence_helpers import KEY_2016, KEY_2022, coding_snapshot
from hypothesis import given
from hypothesis import strategies as st

from phbrefs.errors import ExitCode, InvalidInputError
from phbrefs.evidence.studies import Group, describe_groups, parse_group, parse_participants

BRIEF_EXAMPLE = (
    "20 interviews with organisational representatives at two time points; 23 budget holders, "
    "8 representatives, 3 providers, 42 support plans, 14 survey responses"
)


def test_the_brief_example_parses_into_six_groups():
    groups = parse_participants(BRIEF_EXAMPLE)
    assert groups == [
        Group("organisational representatives", 20, "interviews", "at two time points"),
        Group("budget holders", 23),
        Group("representatives", 8),
        Group("providers", 3),
        Group("support plans", 42, "support plans"),
        Group("survey responses", 14, "survey responses"),
    ]


def test_the_2022_abstract_sentence_parses_with_number_words():
    groups = parse_participants(
        "eight organisational representatives, 23 personal health budget holders and three "
        "service providers were interviewed"
    )
    assert [(g.count, g.label) for g in groups] == [
        (8, "organisational representatives"),
        (23, "personal health budget holders"),
        (3, "service providers"),
    ]
    assert groups[2].detail == "were interviewed"


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("budget holders (n=23)", Group("budget holders", 23)),
        (
            "14 survey responses from service providers",
            Group("service providers", 14, "survey responses"),
        ),
        ("carers", Group("carers")),
        ("1,200 questionnaires", Group("questionnaires", 1200, "questionnaires")),
    ],
)
def test_single_groups(phrase, expected):
    assert parse_group(phrase) == expected


@pytest.mark.parametrize("phrase", ["2.5 interviews with carers", "-3 carers", "carers (n=lots)"])
def test_bad_counts_are_refused(phrase):
    with pytest.raises(InvalidInputError, match="bad count"):
        parse_participants(phrase)


_WORDS = st.sampled_from(
    ["budget", "holders", "carers", "commissioners", "NHS", "managers", "young", "people", "GPs"]
)
_LABELS = st.lists(_WORDS, min_size=1, max_size=4).map(" ".join)
_GROUPS = st.builds(
    Group,
    label=_LABELS,
    count=st.none() | st.integers(min_value=0, max_value=10_000),
    unit=st.none() | st.sampled_from(["interviews", "focus groups", "survey responses"]),
    detail=st.none() | st.sampled_from(["at two time points", "(10 at each)", "over 6 months"]),
)


@given(st.lists(_GROUPS, min_size=1, max_size=5))
def test_describe_then_parse_gives_the_same_groups(groups):
    assert parse_participants(describe_groups(groups)) == groups


def test_study_set_show_list(cli, db):
    result = cli(
        "--db",
        db,
        "study",
        "set",
        KEY_2022,
        "--design",
        "Mixed-methods",
        "--country",
        "England",
        "--period",
        "2015–2016",
        "--participants",
        "8 organisational representatives; 23 budget holders; 42 support plans",
        "--framework",
        "RE-AIM",
        "--funding",
        "NIHR Policy Research Programme",
    )
    assert result.exit_code == 0, result.output
    assert "added" in result.stderr
    shown = json.loads(cli("--db", db, "study", "show", KEY_2022, "--json").stdout)
    assert shown["design"] == "mixed methods"
    assert [g["count"] for g in shown["groups"]] == [8, 23, 42]
    # Only the options given change; --group replaces the groups and is not split at commas.
    again = cli("--db", db, "study", "set", KEY_2022, "--group", "3 providers, private and NHS")
    assert again.exit_code == 0, again.output
    listed = json.loads(cli("--db", db, "study", "list", "--json").stdout)
    assert len(listed) == 1 and listed[0]["country"] == "England"
    assert listed[0]["groups"] == [
        {"label": "providers, private and NHS", "count": 3, "unit": None, "detail": None}
    ]
    cleared = cli("--db", db, "study", "set", KEY_2022, "--funding", "")
    assert cleared.exit_code == 0
    assert (
        json.loads(cli("--db", db, "study", "show", KEY_2022, "--json").stdout)["funding"] is None
    )


def test_study_errors(cli, db):
    missing = cli("--db", db, "study", "show", KEY_2016)
    assert missing.exit_code == ExitCode.NOT_FOUND and "study set" in missing.stderr
    unknown = cli("--db", db, "study", "set", "nobody2020", "--design", "RCT")
    assert unknown.exit_code == ExitCode.NOT_FOUND
    bad = cli("--db", db, "study", "set", KEY_2016, "--participants", "x interviews; 2.5 carers")
    assert bad.exit_code == ExitCode.INVALID_INPUT and "bad count '2.5'" in bad.stderr


HUGE = "99999999999999999999999"  # more than SQLite's and PostgreSQL's 64-bit integers hold


@pytest.mark.parametrize(
    ("args", "name", "value"),
    [
        (["finding", "show", HUGE], "'ID'", HUGE),
        (["finding", "edit", HUGE, "--note", "x"], "'ID'", HUGE),
        (["finding", "remove", "--yes", "--", f"-{HUGE}"], "'ID'", f"-{HUGE}"),
        (["list", "--from", HUGE], "'--from'", HUGE),
        (["list", "--to", HUGE], "'--to'", HUGE),
        (["list", "--limit", HUGE], "'--limit' / '-n'", HUGE),
        (["search", "budgets", "--limit", HUGE], "'--limit'", HUGE),
        (["claim", "add", "A new claim.", "--position", HUGE], "'--position'", HUGE),
    ],
)
def test_integers_too_large_to_store_are_usage_errors(cli, db, lib, args, name, value):
    before = coding_snapshot(lib)
    result = cli("--db", db, *args)
    assert result.exit_code == ExitCode.USAGE
    command = " ".join(args[:2] if args[0] in ("finding", "claim") else args[:1])
    bound = "at least -9223372036854775808" if value[0] == "-" else "at most 9223372036854775807"
    too = "small" if value[0] == "-" else "large"
    assert result.stderr.splitlines() == [
        f"phbrefs: error: Invalid value for {name}: {value} is too {too} ({bound})"
        f" (see 'phbrefs {command} --help')"
    ]
    assert coding_snapshot(lib) == before


@pytest.mark.parametrize("count", [HUGE, "9" * 5000])  # int() itself refuses 4,300 digits
def test_a_participant_count_too_large_to_store_is_refused(cli, db, lib, count):
    before = coding_snapshot(lib)
    phrase = f"{count} budget holders"
    result = cli("--db", db, "study", "set", KEY_2016, "--participants", phrase)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr.splitlines() == [
        f"phbrefs: error: bad count '{count}' in '{phrase}': too large"
    ]
    assert coding_snapshot(lib) == before
