"""The command line as a new user meets it: readable help, one-line errors, nothing left behind."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from phbrefs.errors import ExitCode
from phbrefs.library import Library
from phbrefs.records import Contributor, PartialDate, WorkRecord


def _command_paths() -> list[list[str]]:
    import typer

    from phbrefs.cli.app import app

    paths: list[list[str]] = []

    def walk(command, path: list[str]) -> None:
        paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


COMMANDS = _command_paths()


def test_every_command_is_walked():
    assert ["finding", "add"] in COMMANDS and ["config", "set"] in COMMANDS and len(COMMANDS) > 40


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "phbrefs")
def test_help_shows_metavars_not_python_types(cli, path: list[str]):
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.output
    usage = result.stdout.splitlines()[0]
    assert "{" not in usage and "[[" not in usage, usage
    assert not re.search(r"<[a-z][\w\[\], ]*>", result.stdout), result.stdout  # <str>, <list[str]>
    options = result.stdout.partition("\nOptions:\n")[2].partition("\nCommands:\n")[0]
    for line in options.splitlines():  # every option's value is named in UPPER CASE
        value = re.match(r"\s+(?:-\w, )?--[\w-]+(?:, --[\w-]+)? ([A-Za-z]\S*)\s", line)
        if value:
            assert value.group(1).isupper(), line


def test_usage_line_marks_optional_and_repeated_arguments(cli):
    assert cli("finding", "add", "--help").stdout.startswith(
        "Usage: phbrefs finding add [OPTIONS] KEY CLAIM"
    )
    assert cli("table", "--help").stdout.startswith("Usage: phbrefs table [OPTIONS] NAME [CLAIM]")
    assert cli("add", "--help").stdout.startswith("Usage: phbrefs add [OPTIONS] [DOI...]")


@pytest.mark.parametrize(
    "args",
    [["--bogus"], ["nope"], ["tag", "somekey"], ["finding", "show", "abc"], ["claim", "nope"]],
)
def test_usage_errors_are_one_line_with_exit_code_2(cli, args: list[str]):
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("phbrefs: error: ") and "--help" in lines[0]


def test_a_bare_group_lists_its_commands(cli):
    result = cli("claim")
    assert "Commands:" in result.output and "phbrefs: error" not in result.output


def test_failed_claim_add_leaves_no_library(cli, tmp_path: Path):
    result = cli("claim", "add", "A statement.", "--slug", "Bad Slug")
    assert result.exit_code == 3
    assert "'bad slug' is not a valid claim id" in result.stderr
    assert not (tmp_path / "library.db").exists()
    assert cli("claim", "add", "A statement.").exit_code == 0
    assert (tmp_path / "library.db").exists()


def test_an_import_in_which_every_entry_fails_leaves_no_library(cli, tmp_path: Path):
    (tmp_path / "bad.ris").write_text("TY  - JOUR\nAU  - Nobody\nER  - \n", encoding="utf-8")
    result = cli("import", "bad.ris")
    assert result.exit_code == ExitCode.PARTIAL
    assert result.stderr.splitlines() == ["failed: bad.ris:1 (no title (TI/T1))", "1 failed"]
    assert sorted(p.name for p in tmp_path.glob("library.db*")) == []
    mixed = "TY  - JOUR\nTI  - Kept\nER  - \nTY  - JOUR\nAU  - Nobody\nER  - \n"
    (tmp_path / "mixed.ris").write_text(mixed, encoding="utf-8")
    assert cli("import", "mixed.ris").exit_code == ExitCode.PARTIAL
    assert "Kept" in cli("list").stdout  # a partly failed import keeps what it stored


def test_failed_map_makes_no_exports_folder(cli, tmp_path: Path):
    result = cli("map", "--by", "bogus", "-o", "figures/map.png")
    assert result.exit_code != 0
    assert not (tmp_path / "figures").exists() and not (tmp_path / "exports").exists()


def test_config_set_refuses_a_value_that_would_break_every_command(cli, tmp_path: Path):
    result = cli("config", "set", "timeout", "abc")
    assert result.exit_code == 3 and "timeout must be a number" in result.stderr
    assert cli("config", "set", "timeout", "0").exit_code == 3
    assert not (tmp_path / "config.toml").exists()
    assert cli("config", "set", "timeout", "5").exit_code == 0
    assert cli("config", "get", "timeout").stdout.strip() == "5.0"
    assert cli("config", "get", "cache").stdout.strip() == "off"  # PHBREFS_CACHE=off


@pytest.mark.parametrize("key", ["timeout", "lock_timeout"])
@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "1e400", "1e12", "abc"])
def test_a_wait_is_checked_alike_wherever_it_is_set(cli, tmp_path: Path, monkeypatch, key, value):
    """``config set``, the config file and the environment: one rule, one line naming the setting
    and where it came from, exit 3; never a traceback or a write failing at once."""
    refused = cli("config", "set", "--", key, value)  # "--": "-1" is no option
    assert refused.exit_code == ExitCode.INVALID_INPUT, refused.output
    assert refused.stderr.startswith(f"phbrefs: error: {key} must be a number of seconds above 0")
    assert not (tmp_path / "config.toml").exists()
    (tmp_path / "config.toml").write_text(f"{key} = {json.dumps(value)}\n")
    from_file = cli("add", "10.1111/hsc.12396")
    (tmp_path / "config.toml").unlink()
    monkeypatch.setenv(f"PHBREFS_{key.upper()}", value)
    from_env = cli("add", "10.1111/hsc.12396")
    for result, origin in [(from_file, "config file"), (from_env, f"PHBREFS_{key.upper()}")]:
        assert result.exit_code == ExitCode.INVALID_INPUT, result.output
        [line] = result.stderr.splitlines()
        assert line.startswith(f"phbrefs: error: {key} must be a number of seconds above 0")
        assert f"not {value!r} (from {origin}" in line
    assert not (tmp_path / "library.db").exists()


def test_a_sane_wait_is_kept(cli, monkeypatch):
    assert cli("config", "set", "lock_timeout", "0.5").exit_code == 0
    assert cli("config", "get", "lock_timeout").stdout.strip() == "0.5"
    monkeypatch.setenv("PHBREFS_TIMEOUT", "86400")
    assert cli("config", "get", "timeout").stdout.strip() == "86400.0"


@pytest.fixture
def one_work(tmp_path: Path) -> None:
    with Library(tmp_path / "library.db") as library:
        library.add_many(
            [
                WorkRecord(
                    type="article-journal",
                    title="Personal health budgets: a mechanism to encourage service integration?",
                    doi="10.1108/jica-07-2021-0038",
                    issued=PartialDate(2022, 3, 30),
                    contributors=[Contributor(given="Elizabeth", family="Welch")],
                )
            ]
        )


def test_export_of_an_empty_selection_is_an_error_and_writes_nothing(cli, one_work, tmp_path):
    result = cli("export", "-f", "bibtex", "--tag", "nope", "-o", "refs.bib")
    assert result.exit_code == 4 and "no works tagged nope" in result.stderr
    assert not (tmp_path / "refs.bib").exists()


def test_bib_rejects_an_unknown_locale(cli, one_work):
    result = cli("bib", "--all", "--locale", "xx-YY")
    assert result.exit_code == 3 and "unknown locale 'xx-YY'" in result.stderr
    assert cli("bib", "--all", "--style", "vancouver", "--locale", "de-DE").exit_code == 0


def test_counts_read_as_english(cli, one_work):
    key = json.loads(cli("list", "--json").stdout)[0]["citekey"]
    assert "(1 note)" in cli("note", key, "First note.").stderr
    assert "(2 notes)" in cli("note", key, "Second note.").stderr
    result = cli("remove", key)  # no terminal: refuses, saying what would go
    assert (
        result.exit_code == 8 and "Delete 1 work: " in result.stderr and "2 notes" in result.stderr
    )


def test_finding_edit_without_a_change_is_a_usage_error(cli, one_work):
    key = json.loads(cli("list", "--json").stdout)[0]["citekey"]
    assert cli("claim", "add", "Leadership matters.", "--slug", "leadership").exit_code == 0
    added = cli("finding", "add", key, "leadership", "-s", "supports", "-q", "Leaders matter.")
    finding = added.stdout.strip()
    result = cli("finding", "edit", finding)
    assert result.exit_code == 2 and "give at least one of" in result.stderr
    assert cli("finding", "edit", finding, "--note", "").exit_code == 0
