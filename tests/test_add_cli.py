"""``phbrefs add`` end to end: the CLI, the local Crossref server over real HTTP, the library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from phbrefs.errors import ExitCode
from phbrefs.library import Library

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
ANNWEH = "10.1093/annweh/wxz051"
PEERJ = "10.7717/peerj.10734"
PGEN = "10.1371/journal.pgen.1011490"


def stored(where: Path | str) -> dict[str, str]:
    """DOI -> citekey of everything in the library ``where``."""
    with Library(where, create=False) as library:
        return {w.record.doi: w.citekey for w in library.works()}


def nothing_stored(where: str) -> bool:
    """No library file was left behind (SQLite), or the database holds no work (PostgreSQL)."""
    if not where.startswith("postgresql://"):
        return not Path(where).exists()
    return not stored(where)


def test_add_accepts_every_pasted_form(storage, cli, crossref_server, tmp_path):
    result = cli(
        "add",
        "doi:10.1093/ANNWEH/WXZ051",
        "https://doi.org/10.7717/peerj.10734",
        "http://dx.doi.org/10.1371%2Fjournal.pgen.1011490.",
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split("\t") == [
        "schaal2019sound",
        "Schaal",
        "2019",
        "Sound Level Measurements in Berthing Areas of an Aircraft Carrier",
    ]
    assert [line.split("\t")[0] for line in lines] == [
        "schaal2019sound",
        "alkutbe2021fat",
        "rivera2024gwas",
    ]
    assert set(stored(storage)) == {ANNWEH, PEERJ, PGEN}
    assert storage in result.stderr
    assert "3 added" in result.stderr
    assert len(crossref_server.requests_to()) == 1  # one list request for the three


def test_the_stored_work_keeps_crossref_json_and_the_mapped_fields(cli, crossref_server):
    assert cli("add", ANNWEH).exit_code == 0
    shown = json.loads(cli("show", ANNWEH, "--raw").stdout)
    assert shown["source"] == "crossref"
    assert [s["heading"] for s in shown["abstract_sections"]][:2] == ["Background", "Methods"]
    assert shown["source_records"][0]["content"]["DOI"] == "10.1093/annweh/wxz051"


def test_a_file_of_dois_with_a_comment_and_a_broken_line(storage, cli, crossref_server, tmp_path):
    listing = tmp_path / "dois.txt"
    listing.write_text(f"# my review\n{ANNWEH}\n\nhttps://doi.org/{PEERJ}\n10.12/broken\n")
    result = cli("add", "--file", listing)
    assert result.exit_code == ExitCode.PARTIAL
    assert set(stored(storage)) == {ANNWEH, PEERJ}
    assert "10.12/broken" in result.stderr and "invalid" in result.stderr


def test_dois_from_standard_input(storage, cli, crossref_server):
    result = cli("add", "-", input=f"{ANNWEH}\n{PGEN}\n")
    assert result.exit_code == 0, result.stderr
    assert set(stored(storage)) == {ANNWEH, PGEN}


def test_from_text_finds_both_seed_dois_in_saved_pages(storage, cli, crossref_server, tmp_path):
    pages = sorted(SEEDS.glob("*.txt"))
    result = cli("add", "--dry-run", *[a for page in pages for a in ("--from-text", page)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "10.1111/hsc.12396\tresolve",
        "10.1108/jica-07-2021-0038\tresolve",
    ]
    assert crossref_server.requests_to() == []
    assert nothing_stored(storage)


def test_from_text_resolves_what_it_finds(cli, crossref_server, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<p>Cookies? <a href='https://doi.org/10.1093/annweh/wxz051'>Read</a>. "
        f"Also DOI: http://dx.doi.org/{PEERJ} (available online)</p>"
    )
    result = cli("add", "--from-text", page, "--json")
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)
    assert [(i["item"], i["outcome"]) for i in items] == [(ANNWEH, "added"), (PEERJ, "added")]
    assert items[0]["citekey"] == "schaal2019sound" and items[0]["year"] == 2019


def test_dry_run_changes_nothing_and_says_what_is_present(storage, cli, crossref_server, tmp_path):
    assert cli("add", ANNWEH).exit_code == 0
    before = len(crossref_server.requests_to())
    result = cli("add", "--dry-run", ANNWEH, PEERJ, "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [(r["item"], r["action"], r["citekey"]) for r in rows] == [
        (ANNWEH, "skip (already present)", "schaal2019sound"),
        (PEERJ, "resolve", None),
    ]
    assert len(crossref_server.requests_to()) == before
    assert set(stored(storage)) == {ANNWEH}


def test_dry_run_needs_no_network(cli, tmp_path):
    result = cli("add", "--dry-run", ANNWEH)  # the default test URL has nothing listening
    assert result.exit_code == 0
    assert result.stdout == f"{ANNWEH}\tresolve\n"


def test_rerunning_a_batch_fetches_nothing_again(cli, crossref_server, tmp_path):
    assert cli("add", ANNWEH, PEERJ).exit_code == 0
    before = len(crossref_server.requests_to())
    result = cli("add", ANNWEH, PEERJ, "--json")
    assert result.exit_code == 0
    assert [i["outcome"] for i in json.loads(result.stdout)] == ["unchanged", "unchanged"]
    assert len(crossref_server.requests_to()) == before


def test_refresh_updates_metadata_and_keeps_key_tags_and_notes(cli, crossref_server, tmp_path):
    assert cli("add", ANNWEH, "--tag", "included").exit_code == 0
    assert cli("note", "schaal2019sound", "berthing areas only").exit_code == 0
    body = json.loads(crossref_server.works[ANNWEH])
    body["message"]["title"] = ["Sound levels in berthing areas (corrected)"]
    crossref_server.works[ANNWEH] = json.dumps(body).encode()

    result = cli("add", ANNWEH, "--refresh", "--json")
    assert result.exit_code == 0, result.stderr
    [item] = json.loads(result.stdout)
    assert (item["outcome"], item["citekey"]) == ("updated", "schaal2019sound")
    shown = json.loads(cli("show", "schaal2019sound", "--json").stdout)
    assert shown["title"] == "Sound levels in berthing areas (corrected)"
    assert shown["tags"] == ["included"]
    assert [n["text"] for n in shown["notes"]] == ["berthing areas only"]


def test_tags_apply_to_added_and_already_present_works(cli, crossref_server, tmp_path):
    assert cli("add", ANNWEH).exit_code == 0
    assert cli("add", ANNWEH, PEERJ, "--tag", "screening", "--tag", "phb").exit_code == 0
    listed = json.loads(cli("list", "--tag", "screening", "--json").stdout)
    assert {w["doi"]: w["tags"] for w in listed} == {
        ANNWEH: ["phb", "screening"],
        PEERJ: ["phb", "screening"],
    }


def test_a_partial_batch_stores_what_resolved_and_exits_partial(
    storage, cli, crossref_server, tmp_path
):
    result = cli("add", ANNWEH, "10.5555/no-such-work", "not-a-doi")
    assert result.exit_code == ExitCode.PARTIAL
    assert set(stored(storage)) == {ANNWEH}
    assert "not found" in result.stderr and "invalid" in result.stderr
    assert "10.5555/no-such-work" in result.stderr
    assert result.stdout.startswith("schaal2019sound\t")


def test_nothing_found_creates_no_library(storage, cli, crossref_server, tmp_path):
    result = cli("add", "10.5555/no-such-work")
    assert result.exit_code == ExitCode.PARTIAL
    assert "not found: 10.5555/no-such-work" in result.stderr
    assert nothing_stored(storage)


def test_unreachable_crossref_names_the_url_and_leaves_no_library(storage, cli, tmp_path):
    result = cli("add", ANNWEH, PEERJ)
    assert result.exit_code == ExitCode.NETWORK
    assert result.stderr.strip().splitlines() == [
        "phbrefs: error: cannot reach Crossref at http://127.0.0.1:9 (connection refused)"
    ]
    assert nothing_stored(storage)


def test_unreachable_crossref_leaves_an_existing_library_as_it_was(
    storage, cli, crossref_server, tmp_path, monkeypatch
):
    assert cli("add", ANNWEH).exit_code == 0
    monkeypatch.setenv("PHBREFS_CROSSREF_URL", "http://127.0.0.1:9")
    result = cli("add", PEERJ, "--tag", "x")
    assert result.exit_code == ExitCode.NETWORK
    assert stored(storage) == {ANNWEH: "schaal2019sound"}
    assert json.loads(cli("tags", "--json").stdout) == []


def test_no_doi_at_all_is_a_usage_error(cli, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("nothing to see\n")
    result = cli("add", "--file", empty)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "no DOI given" in result.stderr
    assert cli("add", "--file", tmp_path / "missing.txt").exit_code == ExitCode.INVALID_INPUT


def test_through_a_real_process(crossref_server, tmp_path):
    listing = tmp_path / "dois.txt"
    listing.write_text(f"{ANNWEH}\n{PGEN}\n10.5555/no-such-work\n")
    env = {**os.environ, "PHBREFS_CROSSREF_URL": crossref_server.url}
    result = subprocess.run(
        [sys.executable, "-m", "phbrefs", "add", "--file", str(listing)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == ExitCode.PARTIAL, result.stderr
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == [
        "schaal2019sound",
        "rivera2024gwas",
    ]
    assert "\x1b[" not in result.stderr  # piped: no progress bar, no colour codes
    assert "not found" in result.stderr
    assert set(stored(tmp_path / "library.db")) == {ANNWEH, PGEN}


def test_from_text_on_standard_input_and_a_batch_summary(storage, cli, crossref_server, tmp_path):
    text = f"See https://doi.org/{ANNWEH}, and 10.5555/missing-one; also doi:{PEERJ}."
    result = cli("add", "--from-text", "-", input=text)
    assert result.exit_code == ExitCode.PARTIAL
    assert set(stored(storage)) == {ANNWEH, PEERJ}
    summary = result.stderr
    assert "outcome" in summary and "added" in summary and "not found" in summary
    assert "10.5555/missing-one" in summary


def test_with_a_cache_a_fresh_library_costs_no_request(cli, crossref_server, tmp_path, monkeypatch):
    monkeypatch.setenv("PHBREFS_CACHE", str(tmp_path / "cache" / "http.sqlite"))
    assert cli("--db", "first.db", "add", ANNWEH, PEERJ).exit_code == 0
    before = len(crossref_server.requests_to())
    result = cli("--db", "second.db", "add", ANNWEH, PEERJ)
    assert result.exit_code == 0
    assert len(crossref_server.requests_to()) == before
    assert "2 added" in result.stderr


def test_dry_run_reports_what_is_not_a_doi(cli, tmp_path):
    result = cli("add", "--dry-run", ANNWEH, "10.12/broken", "--json")
    assert result.exit_code == ExitCode.PARTIAL
    rows = json.loads(result.stdout)
    assert [(r["item"], r["action"]) for r in rows] == [
        ("10.12/broken", "invalid"),
        (ANNWEH, "resolve"),
    ]
