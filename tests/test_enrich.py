"""Enrichment end to end: ``enrich``, ``add``'s enrichment step, ``show`` and ``open``, over real
HTTP against the local replay servers of every source's real recorded answers."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from processes import search_bibtex

from phbrefs.enrich import EnrichmentState
from phbrefs.errors import ExitCode
from phbrefs.records import WorkRecord
from phbrefs.sources.base import Found, OALocation
from phbrefs.sources.openalex import rebuild_abstract
from phbrefs.sources.pmids import split_pm_ids

# Works a reviewer imported from a reference list: no abstracts, no PMIDs. Each is known to one
# recorded source answer (none of them to the recorded Crossref works).
BIB = """
@book{nodoi2020, title = {A report with no identifier}, year = {2020}}
@article{flex2025, title = {The role of psychological flexibility in relation to health outcomes},
  doi = {10.1111/bjhp.12807}, year = {2025}}
@article{oa2018, title = {The state of OA}, doi = {10.7717/peerj.4375}, year = {2018}}
@article{ppi2022, title = {Safety of long-term proton pump inhibitors},
  doi = {10.1590/S0004-2803.202202000-40}, year = {2022}}
@article{thermo2013, title = {Nanometre-scale thermometry in a living cell},
  doi = {10.1038/nature12373}, year = {2013}}
"""


@pytest.fixture
def imported(cli, tmp_path: Path) -> Path:
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    result = cli("import", bib)
    assert result.exit_code == 0, result.output
    return bib


def by_key(report: dict) -> dict[str, dict]:
    return {w["citekey"]: w for w in report["works"]}


def test_enrich_fills_each_field_from_the_first_source_that_has_it(
    cli, imported, enrichment_servers
):
    result = cli("enrich", "--all", "--json")
    assert result.exit_code == 0, result.output
    works = by_key(json.loads(result.stdout))
    flex = works["flex2025"]["filled"]
    assert flex["abstract"] == {"source": "europepmc", "identifier": "PMID 40468710"}
    assert flex["pmid"]["source"] == "europepmc" and flex["mesh"]["source"] == "europepmc"
    oa = works["oa2018"]["filled"]
    assert oa["abstract"] == {"source": "openalex", "identifier": "W2741809807"}
    assert oa["oa_locations"]["source"] == "openalex"
    assert works["ppi2022"]["filled"]["abstract"] == {
        "source": "pubmed",
        "identifier": "PMID 35830032",
    }
    assert works["thermo2013"]["filled"] == {
        "oa_locations": {"source": "unpaywall", "identifier": "10.1038/nature12373"}
    }
    # every source was asked about the works still missing something, in batches
    europepmc = enrichment_servers["europepmc"].requests_to()
    assert len(europepmc) == 1 and europepmc[0].query["resultType"] == ["core"]
    assert len(enrichment_servers["openalex"].requests_to()) == 1
    assert [s.path for s in enrichment_servers["pubmed"].requests_to()] == [
        "/esearch.fcgi",
        "/efetch.fcgi",
    ]


def test_show_names_where_each_field_came_from(cli, imported, enrichment_servers):
    assert cli("enrich", "--all").exit_code == 0
    shown = cli("show", "flex2025")
    assert shown.exit_code == 0
    assert "abstract: Europe PMC, PMID 40468710" in shown.stdout
    assert "Objective" in shown.stdout and "PMID" in shown.stdout
    data = json.loads(cli("show", "flex2025", "--json").stdout)
    assert data["pmid"] == "40468710" and data["abstract_sections"][0]["heading"] == "Objective"
    assert data["provenance"]["abstract"] == {"source": "europepmc", "identifier": "PMID 40468710"}
    assert "Neoplasms" in data["terms"]["mesh"]
    assert data["identifiers"]["pmid"] == "40468710"
    thermo = json.loads(cli("show", "thermo2013", "--json").stdout)
    assert len(thermo["oa_locations"]) == 4
    assert [loc["is_best"] for loc in thermo["oa_locations"]].count(True) == 1
    text = cli("show", "thermo2013").stdout
    assert "Open access" in text
    best = "http://nrs.harvard.edu/urn-3:HUL.InstRepos:12285462"
    assert f"* {best} (unpaywall: repository, publishedVersion)" in text


def test_search_finds_a_work_by_words_of_its_new_abstract(cli, imported, enrichment_servers):
    cli("enrich", "--all")
    hits = json.loads(cli("search", "psychological flexibility wellbeing", "--json").stdout)
    assert [h["citekey"] for h in hits] == ["flex2025"]


def test_enrich_is_resumable_and_asks_nobody_twice(cli, imported, enrichment_servers):
    assert cli("enrich", "--all").exit_code == 0
    made = {name: len(s.requests_to()) for name, s in enrichment_servers.items()}
    again = cli("enrich", "--all", "--json")
    assert again.exit_code == 0
    assert {name: len(s.requests_to()) for name, s in enrichment_servers.items()} == made
    assert all(w["outcome"] == "unchanged" for w in json.loads(again.stdout)["works"])
    forced = cli("enrich", "flex2025", "--force")
    assert forced.exit_code == 0
    assert len(enrichment_servers["europepmc"].requests_to()) == made["europepmc"] + 1


def test_a_source_that_is_down_is_skipped_with_the_reason(
    cli, imported, enrichment_servers, monkeypatch
):
    monkeypatch.setenv("PHBREFS_EUROPEPMC_URL", "http://127.0.0.1:9")
    result = cli("enrich", "--all", "--json")
    assert result.exit_code == ExitCode.PARTIAL
    report = json.loads(result.stdout)
    assert "cannot reach Europe PMC at http://127.0.0.1:9" in report["skipped_sources"]["europepmc"]
    flex = by_key(report)["flex2025"]
    assert flex["sources"]["europepmc"]["outcome"] == "skipped"
    assert flex["outcome"] == "unchanged"  # known to Europe PMC only
    assert by_key(report)["ppi2022"]["filled"]["abstract"]["source"] == "pubmed"
    assert "Traceback" not in result.output
    # once the source is back, the skipped works are asked again; the others are not
    monkeypatch.setenv("PHBREFS_EUROPEPMC_URL", enrichment_servers["europepmc"].url)
    retry = json.loads(cli("enrich", "--all", "--json").stdout)
    assert by_key(retry)["flex2025"]["filled"]["abstract"]["source"] == "europepmc"


def test_a_failing_source_fails_only_its_items(cli, imported, enrichment_servers):
    enrichment_servers["openalex"].inject("503", times=-1)
    result = cli("enrich", "--all", "--json")
    assert result.exit_code == ExitCode.PARTIAL
    oa = by_key(json.loads(result.stdout))["oa2018"]
    assert oa["sources"]["openalex"]["outcome"] == "failed"
    assert "503" in oa["sources"]["openalex"]["detail"]


def test_the_chain_order_is_configurable(cli, imported, enrichment_servers):
    result = cli("enrich", "oa2018", "--sources", "openalex,europepmc", "--json")
    assert by_key(json.loads(result.stdout))["oa2018"]["filled"]["pmid"]["source"] == "openalex"
    unknown = cli("enrich", "--all", "--sources", "scopus")
    assert unknown.exit_code == ExitCode.INVALID_INPUT and "scopus" in unknown.stderr


def test_enrich_needs_keys_or_all_and_known_keys(cli, imported, enrichment_servers):
    assert cli("enrich").exit_code == ExitCode.USAGE
    unknown = cli("enrich", "nosuchkey")
    assert unknown.exit_code == ExitCode.NOT_FOUND
    assert enrichment_servers["europepmc"].requests_to() == []


def test_add_enriches_and_a_down_source_never_fails_it(cli, enrichment_servers, monkeypatch):
    monkeypatch.setenv("PHBREFS_EUROPEPMC_URL", "http://127.0.0.1:9")
    result = cli("add", "10.7717/peerj.10734", "--json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert row["outcome"] == "added"
    assert row["enrichment"]["sources"]["europepmc"]["outcome"] == "skipped"
    assert row["enrichment"]["sources"]["crossref"]["outcome"] == "found"
    assert "skipped Europe PMC: cannot reach" in result.stderr
    shown = json.loads(cli("show", row["citekey"], "--json").stdout)
    assert shown["provenance"]["abstract"] == {
        "source": "crossref",
        "identifier": "10.7717/peerj.10734",
    }


def test_add_no_enrich_asks_only_crossref(cli, enrichment_servers):
    assert cli("add", "10.7717/peerj.10734", "--no-enrich").exit_code == 0
    assert all(not enrichment_servers[n].requests_to() for n in ("europepmc", "openalex"))


def phbrefs_process(*args: str, browser: str) -> subprocess.CompletedProcess:
    """A real ``phbrefs`` process: Python's webbrowser reads ``BROWSER`` once per process."""
    env = {**os.environ, "BROWSER": browser, "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    command = [sys.executable, "-m", "phbrefs", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)


def test_open_starts_the_browser_on_the_best_copy(cli, imported, enrichment_servers, tmp_path):
    cli("enrich", "--all")
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" >> {opened}\n')
    browser.chmod(browser.stat().st_mode | stat.S_IEXEC)
    result = phbrefs_process("open", "thermo2013", browser=str(browser))
    pdf = phbrefs_process("open", "thermo2013", "--pdf", browser=str(browser))
    assert result.returncode == 0 and pdf.returncode == 0, result.stderr
    best = "http://nrs.harvard.edu/urn-3:HUL.InstRepos:12285462"
    assert result.stdout.strip() == best
    assert pdf.stdout.strip().endswith("Nanometer-Scale%20Thermometry.pdf")
    assert opened.read_text().split() == [best, pdf.stdout.strip()]
    assert "opened in the browser" in result.stderr


def test_open_prints_the_doi_url_when_no_browser_starts(cli, imported, tmp_path):
    result = phbrefs_process("open", "flex2025", browser=str(tmp_path / "no-such-browser"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://doi.org/10.1111/bjhp.12807"
    assert "no browser could be started" in result.stderr and "Traceback" not in result.stderr


def test_open_an_unknown_key_is_not_found(cli, imported):
    result = cli("open", "nosuchkey")
    assert result.exit_code == ExitCode.NOT_FOUND


# -- the pure logic ------------------------------------------------------------------------


def test_a_field_already_there_is_never_overwritten_and_keeps_its_origin():
    record = WorkRecord(title="T", doi="10.1/x", abstract="Ours.", source="crossref")
    state = EnrichmentState(1, "key", record)
    state.note_existing()
    state.apply(
        Found(
            "europepmc",
            "PMID 1",
            abstract="Theirs.",
            pmid="1",
            oa_locations=[OALocation("europepmc", "https://e/1")],
        )
    )
    assert record.abstract == "Ours." and record.pmid == "1"
    assert state.provenance["abstract"] == ("crossref", "10.1/x")
    assert state.provenance["pmid"] == ("europepmc", "PMID 1")
    assert state.missing("unpaywall") == set()  # it has a copy already
    assert state.missing("pubmed") == {"pmcid", "keywords", "mesh"}
    book = EnrichmentState(2, "book", WorkRecord(title="A book without identifiers"))
    assert all(not book.missing(source) for source in ("crossref", "europepmc", "openalex"))


# -- adding by PMID / PMCID -------------------------------------------------------------------


def test_add_by_pmid_goes_through_europepmc_and_stores_its_record(cli, enrichment_servers):
    result = cli("add", "pmid:40468710", "pmcid:PMC12120539", "pmid:39038316", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["item"]: row for row in json.loads(result.stdout)}
    flex = rows["pmid:40468710"]
    assert flex["outcome"] == "added" and flex["doi"] == "10.1111/bjhp.12807"
    assert flex["detail"] == "stored from europepmc (Crossref does not know its DOI)"
    assert rows["pmcid:PMC12120539"]["doi"] == "10.1002/hpja.70059"
    assert rows["pmid:39038316"]["detail"] == "stored from europepmc (no DOI)"
    # Crossref was asked for the DOIs found (one list request, then each alone for the 404)
    asked = {s.path for s in enrichment_servers["crossref"].requests_to(lists=False)}
    assert asked == {"/works/10.1111/bjhp.12807", "/works/10.1002/hpja.70059"}
    shown = json.loads(cli("show", flex["citekey"], "--json").stdout)
    assert shown["provenance"]["abstract"] == {"source": "europepmc", "identifier": "PMID 40468710"}
    assert (
        shown["pmid"] == "40468710" and shown["authors" if "authors" in shown else "contributors"]
    )
    again = json.loads(cli("add", "pmid:40468710", "--json").stdout)
    assert again[0]["outcome"] == "unchanged" and again[0]["citekey"] == flex["citekey"]


def test_add_by_pmid_falls_back_to_pubmed(cli, enrichment_servers):
    result = cli("add", "pmid:35830032", "--json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert row["detail"] == "stored from pubmed (Crossref does not know its DOI)"
    shown = json.loads(cli("show", row["citekey"], "--json").stdout)
    assert shown["abstract_sections"][0]["heading"] == "BACKGROUND"
    assert shown["provenance"]["abstract"] == {"source": "pubmed", "identifier": "PMID 35830032"}


def test_an_unknown_pmid_is_not_found(cli, enrichment_servers):
    result = cli("add", "pmid:1", "10.7717/peerj.10734", "--no-enrich")
    assert result.exit_code == ExitCode.PARTIAL
    assert "not found" in result.stderr and "pmid:1" in result.stderr


def test_a_work_imported_without_its_abstract_gets_crossrefs(cli, enrichment_servers, tmp_path):
    bib = tmp_path / "one.bib"
    bib.write_text("@article{fat2021, title = {Fat mass}, doi = {10.7717/peerj.10734}}\n")
    cli("import", bib)
    result = cli("enrich", "fat2021", "--sources", "crossref", "--json")
    assert result.exit_code == 0, result.output
    [work] = json.loads(result.stdout)["works"]
    assert work["filled"]["abstract"] == {"source": "crossref", "identifier": "10.7717/peerj.10734"}
    shown = json.loads(cli("show", "fat2021", "--json").stdout)
    assert shown["abstract_sections"][0]["heading"] == "Background"


def test_an_unreachable_source_with_the_cache_on_is_skipped_not_a_crash(
    cli, enrichment_servers, tmp_path
):
    """Hundreds of works, several Europe PMC workers in flight when it proves unreachable: the
    run goes on to the next sources (it used to segfault, exit 139, closing the cache's SQLite
    connection under a worker reading it)."""
    bib = tmp_path / "many.bib"
    bib.write_text(search_bibtex(300), encoding="utf-8")
    assert cli("import", bib).exit_code == 0
    env = {
        **os.environ,
        "PHBREFS_CACHE": str(tmp_path / "cache" / "http.sqlite"),
        "PHBREFS_EUROPEPMC_URL": "http://127.0.0.1:1",
        "PHBREFS_ENRICH_CHAIN": "europepmc,openalex",
    }
    command = [sys.executable, "-m", "phbrefs", "enrich", "--all"]
    for _ in range(3):  # the crash was a race: give it every chance
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode == ExitCode.PARTIAL, (result.returncode, result.stderr[-2000:])
        skipped = [line for line in result.stderr.splitlines() if "Europe PMC" in line]
        assert skipped == [
            "skipped Europe PMC: cannot reach Europe PMC at http://127.0.0.1:1 (connection refused)"
        ]
        assert "Traceback" not in result.stderr
    assert enrichment_servers["openalex"].requests_to()  # the chain went on after it


@given(st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=6), min_size=1, max_size=40))
def test_an_inverted_index_rebuilds_the_text_it_came_from(words):
    index: dict[str, list[int]] = {}
    for position, word in enumerate(words):
        index.setdefault(word, []).append(position)
    assert rebuild_abstract(index) == " ".join(words)


@given(st.integers(min_value=1, max_value=999_999_999), st.sampled_from(["pmid:", "PMID: "]))
def test_pmid_arguments_are_recognised_and_dois_left_alone(number, prefix):
    found, rest = split_pm_ids([f"{prefix}{number}", f"PMC{number}", "10.1111/hsc.12396"])
    assert list(found) == [f"pmid:{number}", f"pmcid:PMC{number}"]
    assert found[f"pmid:{number}"].pmid == str(number) and rest == ["10.1111/hsc.12396"]
