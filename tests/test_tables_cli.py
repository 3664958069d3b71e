"""``phbrefs table`` and ``phbrefs map`` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from tables_helpers import build_review

from phbrefs.library import Library


@pytest.fixture
def review(library: Library) -> Library:
    """The sample review in ./library.db, where the CLI looks by default."""
    build_review(library)
    return library


def test_table_writes_markdown_to_exports_and_prints_the_path(cli, review, tmp_path: Path):
    result = cli("table", "soqf")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(Path("exports") / "soqf.md")
    text = (tmp_path / "exports" / "soqf.md").read_text(encoding="utf-8")
    assert "| 2 | Direct payments give budget-holders greater choice and control." in text
    assert "soqf table: 4 rows, 5 references" in result.stderr


def test_format_all_writes_every_format(cli, review, tmp_path: Path):
    result = cli("table", "matrix", "--format", "all")
    assert result.exit_code == 0, result.output
    written = result.stdout.split()
    assert [Path(p).name for p in written] == [
        "matrix.md",
        "matrix.csv",
        "matrix-references.csv",
        "matrix.html",
        "matrix.docx",
        "matrix.tex",
        "matrix.xlsx",
    ]
    assert all((tmp_path / p).stat().st_size > 0 for p in written)
    assert "7 files" in result.stderr


def test_output_extension_picks_the_format_and_repeated_formats_share_the_stem(cli, review):
    result = cli("table", "studies", "-o", "out/chars.docx", "--tag", "included")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(Path("out/chars.docx"))
    result = cli("table", "profile", "-o", "out/profile.txt", "-f", "html", "-f", "tex")
    assert result.stdout.split() == [str(Path("out/profile.html")), str(Path("out/profile.tex"))]


def test_claim_table_takes_the_slug(cli, review, tmp_path: Path):
    result = cli("table", "claim", "choice-control", "--format", "html")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "exports" / "claim-choice-control.html").read_text(encoding="utf-8")
    assert "“direct payments can provide greater choice and control”" in page
    missing = cli("table", "claim")
    assert missing.exit_code == 2
    assert "claim's slug" in missing.stderr


def test_filters_reach_the_table(cli, review, tmp_path: Path):
    result = cli("table", "matrix", "--theme", "Outcomes", "--claim", "integration", "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = (tmp_path / "exports" / "matrix.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 2 and rows[1].startswith("Outcomes,Budgets encourage service integration.")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["table", "claim", "choise-control"], 4, "no claim 'choise-control' in the library"),
        (["table", "soqf", "--theme", "Costs"], 4, "no claims with theme 'Costs'"),
        (["table", "soqf", "--format", "pdf"], 3, "unknown table format 'pdf'"),
        (["table", "forest"], 2, "unknown table 'forest'"),
        (["map", "-o", "map.jpg"], 3, "written as .png or .svg"),
        (["map", "--by", "year"], 3, "cannot map by 'year'"),
    ],
)
def test_bad_requests_get_one_clear_line(cli, review, args, code, message):
    result = cli(*args)
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "command", [["table", "studies"], ["table", "matrix"], ["map"], ["map", "-o", "map.html"]]
)
def test_an_empty_library_says_there_is_nothing_to_show(cli, library, command, tmp_path):
    result = cli(*command)
    assert result.exit_code == 4
    assert result.stderr.startswith("phbrefs: error: no ")
    assert not (tmp_path / "map.html").exists()


def test_no_library_at_all_is_a_storage_error(cli):
    result = cli("table", "studies")
    assert result.exit_code == 7
    assert "no library at library.db" in result.stderr


def test_map_draws_png_and_svg(cli, review, tmp_path: Path):
    result = cli("map")
    assert result.exit_code == 0, result.output
    png = tmp_path / "exports" / "evidence-map.png"
    assert result.stdout.strip() == str(Path("exports") / "evidence-map.png")
    assert png.read_bytes().startswith(b"\x89PNG")
    result = cli("map", "--by", "dimensions", "-o", "figs/map.svg")
    assert result.exit_code == 0, result.output
    svg = (tmp_path / "figs" / "map.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "RE-AIM: Reach" in svg and "Maintenance" in svg


def test_map_draws_dollars_and_backslashes_as_text(cli, review, tmp_path: Path):
    """A claim's "$5 to $10" is text, never matplotlib's TeX math, which dropped the dollars
    (and raised, a traceback, on an unknown command)."""
    for slug, statement in (
        ("dollars", "Budgets cost $5 to $10 per day"),
        ("backslash", "Costs $\\foo{ and $ more"),
    ):
        assert cli("claim", "add", statement, "--slug", slug).exit_code == 0
        added = cli("finding", "add", "welch2016implementing", slug, "-s", "mixed", "-q", slug)
        assert added.exit_code == 0, added.output
    result = cli("map", "-o", "m.svg")
    assert result.exit_code == 0, result.output
    svg = (tmp_path / "m.svg").read_text(encoding="utf-8")
    assert "Budgets cost $5 to $10 per day" in svg and "Costs $\\foo{ and $ more" in svg
