"""``phbrefs check``: notices from Crossref (Retraction Watch included) and OpenAlex, what is new
since the last check, exit codes; over real HTTP against the replay servers.

The correction of pone.0033693 is a real recorded answer. No real retraction was ever recorded:
the retraction fixtures are real recorded works with a retraction added in the documented
format, marked CONSTRUCTED in their MANIFEST.tsv."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from phbrefs.check import notices_from_crossref
from phbrefs.errors import ExitCode

FIXTURES = Path(__file__).parent / "fixtures"
NOTICES = FIXTURES / "crossref-notices"
CORRECTED = "10.1371/journal.pone.0033693"
PEERJ = "10.7717/peerj.10734"


@pytest.fixture
def servers(enrichment_servers, monkeypatch):
    crossref = enrichment_servers["crossref"]
    crossref.works[CORRECTED] = (
        NOTICES / "habanero_works_10.1371_journal.pone.0033693.json"
    ).read_bytes()
    return enrichment_servers


@pytest.fixture
def stored(cli, servers) -> dict[str, str]:
    result = cli("add", CORRECTED, PEERJ, "--no-enrich", "--json")
    assert result.exit_code == 0, result.output
    for server in servers.values():
        server.reset()
    return {row["doi"]: row["citekey"] for row in json.loads(result.stdout)}


def test_crossref_notices_keep_their_source_and_date():
    message = json.loads((NOTICES / "constructed_retraction_10.7717_peerj.10734.json").read_text())
    [notice] = notices_from_crossref(message["message"])
    assert notice == {
        "kind": "retraction",
        "source": "retraction-watch",
        "doi": "10.5555/constructed-retraction-of-peerj.10734",
        "date": "2025-03-14",
        "label": "Retraction",
    }


def test_the_first_check_reports_every_notice_then_only_what_is_new(cli, servers, stored):
    first = cli("check", "--all", "--json")
    assert first.exit_code == ExitCode.NOTICES
    works = {w["doi"]: w for w in json.loads(first.stdout)["works"]}
    [correction] = works[CORRECTED]["new"]
    assert (correction["kind"], correction["source"]) == ("correction", "publisher")
    assert correction["doi"] == "10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda"
    assert works[PEERJ]["new"] == [] and works[PEERJ]["retracted"] is False
    # batched: one Crossref list request and one OpenAlex list request for both works
    assert len(servers["crossref"].requests_to(lists=True)) == 1
    assert len(servers["openalex"].requests_to()) == 1

    again = cli("check", "--all")
    assert again.exit_code == 0 and again.stdout == ""
    assert "0 new notice(s)" in again.stderr


def test_a_retraction_that_appears_later_is_reported_once(cli, servers, stored):
    cli("check", "--all")
    servers["crossref"].works[PEERJ] = (
        NOTICES / "constructed_retraction_10.7717_peerj.10734.json"
    ).read_bytes()
    result = cli("check", "--all")
    assert result.exit_code == ExitCode.NOTICES
    key = stored[PEERJ]
    assert result.stdout == (
        f"{key}\tNEW retraction 10.5555/constructed-retraction-of-peerj.10734\tretraction-watch\n"
    )
    assert cli("check", key).exit_code == 0  # seen now
    shown = cli("show", key).stdout
    assert shown.startswith("RETRACTED: see the notices below\n")
    assert "retraction (retraction-watch)" in shown
    data = json.loads(cli("show", key, "--json").stdout)
    assert [n["kind"] for n in data["notices"]] == ["retraction"]
    assert data["last_check"]["checked_at"]


def test_openalex_is_retracted_is_a_notice(cli, servers, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{oa2018, title = {The state of OA}, doi = {10.7717/peerj.4375}}\n")
    cli("import", bib)
    constructed = json.loads(
        (FIXTURES / "openalex" / "constructed_retracted_W2741809807.json").read_text()
    )
    servers["openalex"].works["10.7717/peerj.4375"] = constructed
    result = cli("check", "oa2018", "--json")
    assert result.exit_code == ExitCode.NOTICES
    [work] = json.loads(result.stdout)["works"]
    assert work["retracted"] is True
    assert [(n["kind"], n["source"]) for n in work["new"]] == [("retraction", "openalex")]


def test_a_source_down_is_skipped_and_both_down_is_a_network_error(
    cli, servers, stored, monkeypatch
):
    monkeypatch.setenv("PHBREFS_OPENALEX_URL", "http://127.0.0.1:9")
    result = cli("check", "--all", "--json")
    assert result.exit_code == ExitCode.NOTICES  # Crossref still answered
    assert "openalex" in json.loads(result.stdout)["skipped_sources"]
    monkeypatch.setenv("PHBREFS_CROSSREF_URL", "http://127.0.0.1:9")
    down = cli("check", "--all")
    assert down.exit_code == ExitCode.NETWORK
    assert "no source could be asked" in down.stderr and "Traceback" not in down.output


def test_check_is_never_answered_from_the_http_cache(cli, servers, stored, monkeypatch, tmp_path):
    monkeypatch.setenv("PHBREFS_CACHE", str(tmp_path / "cache.sqlite"))
    cli("check", "--all")
    before = len(servers["crossref"].requests_to())
    cli("check", "--all")
    assert len(servers["crossref"].requests_to()) == before + 1


def test_check_needs_keys_or_all(cli, stored):
    assert cli("check").exit_code == ExitCode.USAGE
    assert cli("check", "nosuchkey").exit_code == ExitCode.NOT_FOUND
