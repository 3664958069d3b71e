"""`phbrefs export`: selection, formats, output file, abstracts, and round trips through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from phbrefs.errors import ExitCode

RIS = Path(__file__).parent / "fixtures" / "ris"


@pytest.fixture
def stocked(cli):
    result = cli("import", RIS / "zotero.ris", RIS / "pubmed.ris", "--tag", "batch1")
    assert result.exit_code == ExitCode.PARTIAL  # zotero.ris has one broken entry
    cli("import", RIS / "scopus.ris")
    return cli


def test_export_selected_keys_to_stdout(stocked):
    result = stocked(
        "export", "--format", "bibtex", "welch2017implementing", "glasby2014personalisation"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("@article{welch2017implementing,")
    assert "@incollection{glasby2014personalisation," in result.stdout
    assert "exported 2 works" in result.stderr


def test_export_by_tag_and_all(stocked):
    tagged = stocked("export", "--format", "ris", "--tag", "batch1").stdout
    assert tagged.count("TY  - ") == 6
    everything = stocked("export", "--format", "ris", "--all").stdout
    assert everything.count("TY  - ") == 7
    untagged = next(
        w["citekey"]
        for w in json.loads(stocked("list", "--json").stdout)
        if "batch1" not in w["tags"]
    )
    both = stocked("export", "--format", "ris", untagged, "--tag", "batch1").stdout
    assert both.count("TY  - ") == 7  # the key given, then the tagged works, each once


def test_output_file_and_format_from_extension(stocked, tmp_path):
    target = tmp_path / "out" / "refs.ris"
    result = stocked("export", "--all", "-o", target)
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("TY  - ")
    assert result.stdout == ""


def test_no_abstract(stocked):
    with_abstract = stocked("export", "-f", "biblatex", "welch2017implementing").stdout
    without = stocked("export", "-f", "biblatex", "--no-abstract", "welch2017implementing").stdout
    assert "abstract" in with_abstract and "abstract" not in without


def test_selection_and_format_are_required(stocked):
    assert stocked("export", "--all").exit_code == ExitCode.USAGE
    assert stocked("export", "--format", "ris").exit_code == ExitCode.USAGE
    result = stocked("export", "--format", "ris", "nosuchkey")
    assert result.exit_code == ExitCode.NOT_FOUND


def test_old_key_after_merge_still_exports(stocked):
    stocked("merge", "welch2022personal", "welch2017implementing")
    result = stocked("export", "-f", "bibtex", "welch2017implementing")
    assert result.exit_code == 0
    assert result.stdout.startswith("@article{welch2022personal,")


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex", "ris", "csljson"])
def test_cli_round_trip_keeps_every_work(stocked, tmp_path, fmt, discard_library):
    if fmt == "csljson" and not (Path(__file__).parents[1] / "phbrefs/formats/csljson.py").exists():
        pytest.skip("no CSL-JSON format module")
    target = tmp_path / f"refs.{fmt}"
    stocked("export", "--all", "--format", fmt, "-o", target)
    before = json.loads(stocked("list", "--json").stdout)
    discard_library()
    result = stocked("import", "--format", fmt, target)
    assert result.exit_code == 0, result.output
    after = json.loads(stocked("list", "--json").stdout)
    assert [w["citekey"] for w in after] == [w["citekey"] for w in before]
    for old, new in zip(before, after, strict=True):
        for name in ("title", "doi", "pages", "volume", "container_title", "type"):
            assert new[name] == old[name], (fmt, name)
        assert [c["family"] for c in new["contributors"]] == [
            c["family"] for c in old["contributors"]
        ]
