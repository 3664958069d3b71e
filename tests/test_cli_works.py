"""The library commands from the command line: data on stdout, one-line errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from phbrefs.errors import ExitCode
from phbrefs.library import Library
from phbrefs.records import AbstractSection, Contributor, PartialDate, UpdateNotice, WorkRecord


@pytest.fixture
def stocked(tmp_path: Path) -> Path:
    db = tmp_path / "library.db"
    with Library(db) as library:
        library.add_many(
            [
                WorkRecord(
                    type="article-journal",
                    title="Implementing personal health budgets in England",
                    subtitle="a user-led approach to substance misuse",
                    doi="10.1111/hsc.12396",
                    issued=PartialDate(2016, 10),
                    container_title="Health and Social Care in the Community",
                    contributors=[
                        Contributor(given="Elizabeth", family="Welch", orcid="0000-0002-1825-0097"),
                        Contributor(given="Karen", family="Jones"),
                    ],
                    abstract="Individuals would benefit from receiving their PHB post-detox.",
                ),
                WorkRecord(
                    type="article-journal",
                    title="Personal health budgets: a mechanism to encourage service integration?",
                    doi="10.1108/jica-07-2021-0038",
                    issued=PartialDate(2022, 3, 30),
                    contributors=[Contributor(given="Elizabeth", family="Welch")],
                    abstract_sections=[
                        AbstractSection(
                            "Purpose", "Integrated care continues to be a central aim."
                        ),
                        AbstractSection("Findings", "Effective leadership was vital."),
                    ],
                    updates=[UpdateNotice("updated-by", "correction", "10.1108/fix", None)],
                ),
            ]
        )
    return db


def test_list_json_is_data_on_stdout(cli, stocked):
    result = cli("--db", stocked, "list", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [w["citekey"] for w in data] == ["welch2016implementing", "welch2022personal"]
    assert data[0]["contributors"][0]["orcid"] == "0000-0002-1825-0097"


def test_list_filters(cli, stocked):
    result = cli("--db", stocked, "list", "--from", "2020", "--json")
    assert [w["citekey"] for w in json.loads(result.stdout)] == ["welch2022personal"]
    result = cli("--db", stocked, "list", "--text", "substance")
    assert "welch2016implementing" in result.stdout
    assert "welch2022personal" not in result.stdout


def test_show_prints_fields_sections_and_notices(cli, stocked):
    result = cli("--db", stocked, "show", "https://doi.org/10.1108/JICA-07-2021-0038")
    assert result.exit_code == 0
    assert "Purpose" in result.stdout and "Effective leadership was vital." in result.stdout
    assert "correction" in result.stdout


def test_show_unknown_key_is_one_line_naming_it(cli, stocked):
    result = cli("--db", stocked, "show", "welch2016implemnting")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "welch2016implemnting" in lines[0] and "welch2016implementing" in lines[0]


def test_search_tag_note_round(cli, stocked):
    assert cli("--db", stocked, "tag", "welch2022personal", "--add", "included").exit_code == 0
    assert cli("--db", stocked, "note", "welch2022personal", "RE-AIM used").exit_code == 0
    hits = json.loads(cli("--db", stocked, "search", "re-aim", "--json").stdout)
    assert [h["citekey"] for h in hits] == ["welch2022personal"]
    assert hits[0]["tags"] == ["included"]
    tags = json.loads(cli("--db", stocked, "tags", "--json").stdout)
    assert tags == [{"tag": "included", "works": 1}]


def test_remove_asks_and_without_a_terminal_refuses(cli, stocked):
    result = cli("--db", stocked, "remove", "welch2016implementing")
    assert result.exit_code == ExitCode.ABORTED
    assert "--yes" in result.stderr
    assert cli("--db", stocked, "show", "welch2016implementing").exit_code == 0
    result = cli("--db", stocked, "remove", "welch2016implementing", "--yes")
    assert result.exit_code == 0
    assert cli("--db", stocked, "show", "welch2016implementing").exit_code == ExitCode.NOT_FOUND


def test_reading_a_missing_library_does_not_create_one(cli, tmp_path):
    result = cli("--db", tmp_path / "none.db", "list")
    assert result.exit_code == ExitCode.STORAGE
    assert not (tmp_path / "none.db").exists()


def test_config_set_get_and_environment_precedence(cli, monkeypatch):
    assert cli("config", "set", "mailto", "me@uni.ac.uk").exit_code == 0
    assert cli("config", "get", "mailto").stdout.strip() == "me@uni.ac.uk"
    monkeypatch.setenv("PHBREFS_MAILTO", "env@uni.ac.uk")
    assert cli("config", "get", "mailto").stdout.strip() == "env@uni.ac.uk"
    listing = json.loads(cli("config", "list", "--json").stdout)
    mailto = next(s for s in listing["settings"] if s["key"] == "mailto")
    assert mailto["origin"] == "env"
    assert cli("config", "set", "colour", "red").exit_code == ExitCode.INVALID_INPUT


def test_bracketed_and_emoji_code_text_in_data_is_printed_verbatim(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    db = tmp_path / "b.db"
    with Library(db) as library:
        library.add(
            WorkRecord(
                title="Calcium [Ca2+] and the [bold]brave[/bold] at 1:smile:2",
                issued=PartialDate(2020),
                contributors=[Contributor(family="Ng", given="A")],
                abstract="Levels of [b]calcium[/b] rose :thumbs_up:.",
            )
        )
    key = "ng2020calcium"
    assert cli("--db", db, "tag", key, "--add", "search:[scopus]").exit_code == 0
    listing = cli("--db", db, "list").stdout
    assert "Calcium [Ca2+] and the [bold]brave[/bold] at 1:smile:2" in listing
    assert "search:[scopus]" in cli("--db", db, "tags").stdout
    assert "[b]calcium[/b] rose :thumbs_up:." in cli("--db", db, "show", key).stdout


def test_tags_record_who_and_when(cli, tmp_path, monkeypatch):
    (tmp_path / "a.bib").write_text(
        "@article{a1,\n title={A budget study},\n author={Smith, Ann},\n year=2019}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PHBREFS_CODER", "jb")
    assert cli("import", "a.bib", "-t", "screening").exit_code == 0
    monkeypatch.setenv("PHBREFS_CODER", "ek")
    assert cli("tag", "a1", "--add", "included").exit_code == 0
    shown = json.loads(cli("show", "a1", "--json").stdout)
    by = [(t["tag"], t["by"]) for t in shown["tagged"]]
    assert by == [("included", "ek"), ("screening", "jb")]
    assert all(t["at"].startswith("20") for t in shown["tagged"])
    assert "included (by ek, " in cli("show", "a1").stdout


@pytest.mark.parametrize("value", ["inf", "nan", "1e400"])
def test_a_watch_interval_must_be_a_finite_number(cli, tmp_path, value):
    manuscript = tmp_path / "paper.md"
    manuscript.write_text("No citations.\n", encoding="utf-8")
    result = cli("cite", manuscript, "--watch", "--interval", value)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.splitlines() == [
        "phbrefs: error: Invalid value for '--interval': Input should be a finite number"
        " (see 'phbrefs cite --help')"
    ]


@pytest.mark.parametrize("name", ["a\nb", "x\ty", "zero\u200bwidth", " "])
def test_a_tag_name_with_a_control_character_is_refused_everywhere(cli, tmp_path, name):
    """A newline or a tab in a tag would split the tab-separated ``tags`` listing."""
    (tmp_path / "a.bib").write_text("@article{a1, title={A budget study}, year=2019}\n")
    assert cli("import", "a.bib").exit_code == 0
    for args in (["tag", "a1", "--add", name], ["import", "a.bib", "--tag", name]):
        result = cli(*args)
        assert result.exit_code == ExitCode.INVALID_INPUT, args
        assert result.stderr.count("\n") == 1 and "tag name" in result.stderr
    assert cli("tags").stdout == ""


def test_tag_says_what_it_changed(cli, tmp_path):
    (tmp_path / "a.bib").write_text(
        "@article{a1, title={A budget study}, year=2019}\n"
        "@article{b2, title={Another budget study}, year=2020}\n"
    )
    assert cli("import", "a.bib").exit_code == 0
    assert cli("tag", "a1", "b2", "--add", "included").stderr == "added 2 tags on 2 works\n"
    assert cli("tag", "a1", "b2", "--add", "included").stderr == "added 0 tags on 2 works\n"
    removed = cli("tag", "a1", "--remove", "included", "--remove", "nosuch")
    assert (removed.exit_code, removed.stderr) == (0, "removed 1 tag on 1 work\n")
    both = cli("tag", "b2", "--add", "screened", "--remove", "included")
    assert both.stderr == "added 1 tag and removed 1 tag on 1 work\n"
