"""`phbrefs import`: new, merged, possible, unchanged and failed entries; idempotency; --strict."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from phbrefs.errors import ExitCode
from phbrefs.outcomes import Outcome

FIXTURES = Path(__file__).parent / "fixtures"
RIS = FIXTURES / "ris"
EXAMPLES = FIXTURES / "bibtex" / "biblatex-examples.bib"

BIB = r"""
@article{welch2016implementing,
  author = {Welch, Elizabeth and Jones, Karen},
  title = {Implementing personal health budgets in {England}:
           a user-led approach to substance misuse},
  journal = {Health \& Social Care in the Community},
  year = {2017}, volume = {25}, pages = {1634--1643},
  doi = {10.1111/hsc.12396},
}

@book{duffy2006,
  author = {Duffy, Simon},
  title = {Keys to Citizenship: a guide to getting good support
           for people with learning disabilities},
  publisher = {Paradigm}, year = {2006},
}

@book{duffy2006again,
  author = {Duffy, S.},
  title = {Keys to citizenship: A guide to getting good support
           for people with learning disabilities},
  publisher = {Paradigm}, year = {2006},
}

@article{broken, title = {Never closed
"""


def run_json(cli, *args):
    result = cli("import", "--json", *args)
    return result, json.loads(result.stdout)


def test_import_bibtex_file_and_rerun_is_unchanged(cli, tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    result, report = run_json(cli, path, "--tag", "search:manual")
    assert result.exit_code == ExitCode.PARTIAL, result.output
    assert {k: n for k, n in report["summary"].items() if n} == {
        "added": 2,
        "merged": 1,
        "failed": 1,
    }
    assert set(report["summary"]) == {str(o) for o in Outcome}  # every outcome, always
    failed = next(i for i in report["items"] if i["outcome"] == "failed")
    assert failed["item"] == f"{path}:25" and failed["citekey"] == "broken"
    assert "1 failed" in result.stderr
    merged = next(i for i in report["items"] if i["outcome"] == "merged")
    assert merged["matched"] == "duffy2006" and merged["score"] >= 0.9
    # the merged entry's key still resolves, to the work it joined
    shown = json.loads(cli("show", "duffy2006again", "--json").stdout)
    assert shown["citekey"] == "duffy2006"
    assert shown["tags"] == ["search:manual"]
    _, report = run_json(cli, path)
    assert report["summary"]["unchanged"] == 3 and report["summary"]["added"] == 0
    assert len(json.loads(cli("list", "--json").stdout)) == 2


def test_raw_entry_is_stored_as_source_record(cli, tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    cli("import", path)
    data = json.loads(cli("show", "duffy2006", "--raw").stdout)
    contents = [s["content"] for s in data["source_records"]]
    assert any(c.startswith("@book{duffy2006,") for c in contents)
    assert any(c.startswith("@book{duffy2006again,") for c in contents)
    assert all(s["source"] == "biblatex" or s["source"] == "bibtex" for s in data["source_records"])


def test_strict_aborts_without_writing(cli, tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    result = cli("import", "--strict", path)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "refs.bib:25" in result.stderr
    assert cli("list", "--json").stdout.strip() in ("[]", "")


def test_records_from_several_databases_merge_into_one_work(cli):
    files = [RIS / n for n in ("pubmed.ris", "scopus.ris", "wos.ris", "ovid.ris", "ebsco.ris")]
    result, report = run_json(cli, *files, "--tag", "search:2026-11")
    assert result.exit_code == 0, result.output
    summary = report["summary"]
    assert summary["added"] == 4  # two Welch papers, van der Berg, the conference paper
    assert summary["merged"] == 4
    works = json.loads(cli("list", "--json").stdout)
    welch = next(w for w in works if w["doi"] == "10.1111/hsc.12396")
    assert welch["pmid"] == "27723138"
    assert "search:2026-11" in welch["tags"]
    assert [a["given"] for a in welch["contributors"][:2]] == ["Elizabeth", "Karen"]
    sources = json.loads(cli("show", welch["citekey"], "--raw").stdout)["source_records"]
    assert len(sources) == 4  # one per database, nothing lost
    # per-source counting for a PRISMA flow: every merged work carries the batch tag
    tagged = json.loads(cli("list", "--tag", "search:2026-11", "--json").stdout)
    assert len(tagged) == 4


def test_possible_duplicates_are_added_and_listed(cli, tmp_path):
    path = tmp_path / "a.bib"
    path.write_text(
        "@report{a, author={Forder, Julien}, title={Evaluation of the personal health budget "
        "pilot programme}, year={2012}, institution={PSSRU}}\n"
        "@report{b, author={Forder, Julien}, title={Evaluation of the personal health budget "
        "pilot programme}, year={2009}, institution={PSSRU}}\n",
        encoding="utf-8",
    )
    result, report = run_json(cli, path)
    assert result.exit_code == 0
    possible = [i for i in report["items"] if i["outcome"] == "possible duplicate"]
    assert [(i["citekey"], i["matched"]) for i in possible] == [("b", "a")]
    assert "years 2009/2012" in possible[0]["why"]
    assert "1 possible duplicate to review" in result.stderr


def test_stdin_and_format_option(cli):
    text = (RIS / "ebsco.ris").read_text(encoding="utf-8")
    result = cli("import", "-", "--format", "ris", input=text)
    assert result.exit_code == 0, result.output
    assert "1 added" in result.stderr
    result = cli("import", "-", input=text)  # sniffed
    assert "1 unchanged" in result.stderr


def test_unknown_format_and_unreadable_file(cli, tmp_path):
    result = cli("import", "--format", "endnote-xml", RIS / "wos.ris")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "unknown format" in result.stderr
    result = cli("import", tmp_path / "missing.bib")
    assert result.exit_code == ExitCode.INVALID_INPUT


def test_biblatex_examples_every_entry_accounted_for(cli, tmp_path):
    result, report = run_json(cli, EXAMPLES)
    assert result.exit_code == 0, result.stderr
    assert len(report["items"]) == 90
    summary = report["summary"]
    assert summary["failed"] == 0
    assert summary["added"] + summary["possible duplicate"] + summary["merged"] == 90


@pytest.mark.skipif(
    not (Path(__file__).parents[1] / "phbrefs" / "formats" / "csljson.py").exists(),
    reason="no CSL-JSON format module",
)
def test_csljson_through_the_same_pipeline(cli, tmp_path, discard_library):
    cli("import", RIS / "zotero.ris")
    exported = tmp_path / "refs.json"
    assert cli("export", "--all", "-o", exported).exit_code == 0
    shutil.copy(exported, tmp_path / "again.json")
    discard_library()
    result, report = run_json(cli, tmp_path / "again.json")
    assert result.exit_code == 0, result.output
    assert report["summary"]["added"] == 4
    result, report = run_json(cli, tmp_path / "again.json")
    assert report["summary"]["unchanged"] == 4


def test_a_later_import_enriches_the_stored_work(cli):
    cli("import", RIS / "pubmed.ris", "--tag", "search:pubmed")
    result, report = run_json(cli, RIS / "scopus.ris", "--tag", "search:scopus")
    assert result.exit_code == 0, result.output
    assert report["summary"]["merged"] == 1 and report["summary"]["added"] == 1
    merged = next(i for i in report["items"] if i["outcome"] == "merged")
    assert "same DOI" in merged["why"] and "same title" in merged["why"]
    assert merged["score"] == 1.0
    work = json.loads(cli("show", "10.1111/hsc.12396", "--raw").stdout)
    assert work["citekey"] == merged["citekey"]
    assert work["publisher"] == "Blackwell Publishing Ltd"  # only Scopus had it
    assert work["container_title"] == "Health and Social Care in the Community"  # the fuller
    assert work["tags"] == ["search:pubmed", "search:scopus"]
    assert [s["source"] for s in work["source_records"]] == ["ris", "ris"]
    hits = json.loads(cli("search", "Blackwell", "--json").stdout)  # re-indexed for search
    assert [h["citekey"] for h in hits] == [work["citekey"]]


SHARED_DOI_RIS = """TY  - JOUR
ID  - abs1
AU  - Antonia, S.
TI  - Durvalumab after chemoradiotherapy in stage III lung cancer
PY  - 2019
T2  - Journal of Clinical Oncology
VL  - 37
IS  - 15_suppl
SP  - 8500
DO  - 10.1200/JCO.2019.37.15_suppl
ER  -

TY  - JOUR
ID  - abs2
AU  - Larkin, J.
TI  - Nivolumab plus ipilimumab in advanced melanoma: five-year results
PY  - 2019
T2  - Journal of Clinical Oncology
VL  - 37
IS  - 15_suppl
SP  - 9501
DO  - 10.1200/JCO.2019.37.15_suppl
ER  -
"""


SUPPLEMENT_DOI = "10.1200/jco.2019.37.15_suppl"


def test_abstracts_sharing_a_supplement_doi_are_both_kept(cli, tmp_path):
    path = tmp_path / "abstracts.ris"
    path.write_text(SHARED_DOI_RIS, encoding="utf-8")
    result, report = run_json(cli, path)
    assert result.exit_code == 0 and report["summary"]["added"] == 2
    works = json.loads(cli("list", "--json").stdout)
    assert sorted(w["citekey"] for w in works) == ["abs1", "abs2"]  # no study lost
    for key in ("abs1", "abs2"):  # each keeps the DOI it was published under
        assert json.loads(cli("show", key, "--json").stdout)["doi"] == SUPPLEMENT_DOI
    assert json.loads(cli("dedup", "--json").stdout) == []
    _, again = run_json(cli, path)
    assert again["summary"]["unchanged"] == 2


def test_an_unusable_bibtex_key_is_kept_as_an_alias_and_reported(cli, tmp_path):
    source = tmp_path / "ob.bib"
    source.write_text(
        "@article{o'brien2019budget, author={O'Brien, Se{\\'a}n}, title={Budgets},"
        " journal={J}, year={2019}}\n"
    )
    result = cli("import", source)
    assert result.exit_code == 0 and "Traceback" not in result.stderr
    assert (
        'key "o\'brien2019budget" is not a usable citekey: the work is obrien2019budgets, '
        'and "o\'brien2019budget" is kept as its alias'
    ) in result.stderr
    shown = json.loads(cli("show", "o'brien2019budget", "--json").stdout)
    assert shown["citekey"] == "obrien2019budgets"
    manuscript = tmp_path / "paper.tex"
    manuscript.write_text("As shown \\cite{o'brien2019budget}.\n")
    cited = cli("cite", manuscript, "--json")
    assert cited.exit_code == 0, cited.stderr
    assert "obrien2019budgets" in cited.stdout
    report = json.loads(cli("import", source, "--json").stdout)
    assert report["items"][0]["outcome"] == "unchanged"
    assert "kept as its alias" in report["items"][0]["detail"]
