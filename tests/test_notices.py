"""A retraction reaches what is built on the work: ``list --notice``, ``cite`` (FILE:LINE,
``--strict``), ``cerqual show/list`` and ``claim show`` warnings. The retraction is the
constructed fixture (a real recorded work plus a documented-format notice, see MANIFEST.tsv)
found by a real ``check`` against the replay servers; the correction is a real recorded one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from phbrefs.errors import ExitCode
from phbrefs.integrity import severity

NOTICES = Path(__file__).parent / "fixtures" / "crossref-notices"
CORRECTED = "10.1371/journal.pone.0033693"
RETRACTED = "10.7717/peerj.10734"
SOUND = "10.1093/annweh/wxz051"


@pytest.fixture
def keys(cli, enrichment_servers) -> dict[str, str]:
    crossref = enrichment_servers["crossref"]
    crossref.works[CORRECTED] = (
        NOTICES / "habanero_works_10.1371_journal.pone.0033693.json"
    ).read_bytes()
    added = cli("add", CORRECTED, RETRACTED, SOUND, "--no-enrich", "--json")
    assert added.exit_code == 0, added.output
    crossref.works[RETRACTED] = (
        NOTICES / "constructed_retraction_10.7717_peerj.10734.json"
    ).read_bytes()
    assert cli("check", "--all").exit_code == ExitCode.NOTICES
    return {row["doi"]: row["citekey"] for row in json.loads(added.stdout)}


def test_list_filters_by_notice(cli, keys):
    def listed(kind: str) -> list[str]:
        result = cli("list", "--notice", kind, "--json")
        assert result.exit_code == 0
        return sorted(w["citekey"] for w in json.loads(result.stdout))

    assert listed("retraction") == [keys[RETRACTED]]
    assert listed("correction") == [keys[CORRECTED]]
    assert listed("any") == sorted([keys[RETRACTED], keys[CORRECTED]])
    assert cli("list", "--notice", "typo").exit_code == ExitCode.USAGE


def test_cite_reports_each_citation_of_a_retracted_work_with_file_and_line(cli, keys, tmp_path):
    manuscript = tmp_path / "paper.md"
    manuscript.write_text(
        f"Intro [@{keys[SOUND]}].\n\nAs shown [@{keys[RETRACTED]}; @{keys[CORRECTED]}].\n"
        f"\nAgain @{keys[RETRACTED]}.\n",
        encoding="utf-8",
    )
    result = cli("cite", manuscript)
    assert result.exit_code == 0
    retracted = keys[RETRACTED]
    notice = "retraction 10.5555/constructed-retraction-of-peerj.10734"
    assert f"{manuscript}:3: {retracted} cites a retracted work ({notice})" in result.stderr
    assert f"{manuscript}:5: {retracted} cites a retracted work" in result.stderr
    assert f"{manuscript}:3: {keys[CORRECTED]} cites a corrected work" in result.stderr
    assert keys[SOUND] not in result.stderr
    strict = cli("cite", manuscript, "--strict", "--json")
    assert strict.exit_code == ExitCode.NOTICES
    cited = {c["key"]: c for c in json.loads(strict.stdout)["citations"]}
    assert [n["kind"] for n in cited[retracted]["notices"]] == ["retraction"]
    assert cited[keys[SOUND]]["notices"] == []


def test_claims_resting_on_a_retracted_work_are_flagged(cli, keys):
    assert cli("claim", "add", "Fat mass can be predicted.", "--slug", "fat").exit_code == 0
    assert cli("claim", "add", "Workers are exposed.", "--slug", "mixed").exit_code == 0
    for key, slug in ((keys[RETRACTED], "fat"), (keys[RETRACTED], "mixed"), (keys[SOUND], "mixed")):
        assert cli("finding", "add", key, slug, "-s", "supports", "-q", "A quote.").exit_code == 0
    shown = cli("cerqual", "show", "fat")
    assert f"claim fat rests only on retracted work(s): {keys[RETRACTED]}" in shown.stderr
    data = json.loads(cli("cerqual", "show", "mixed", "--json").stdout)
    assert (
        f"claim mixed draws on (1 of 2 papers) retracted work(s): {keys[RETRACTED]}"
        in (data["warnings"])
    )
    listed = json.loads(cli("cerqual", "list", "--json").stdout)
    assert all(any("retracted" in w for w in i["warnings"]) for i in listed)
    assert "rests only on retracted" in cli("claim", "show", "fat").stderr


def test_notice_kinds_are_ranked():
    assert [
        severity(k) for k in ("retraction", "expression_of_concern", "erratum", "new_version")
    ] == [
        "retraction",
        "concern",
        "correction",
        "other",
    ]


def test_check_writes_new_notices_into_the_record_the_tables_read(cli, keys, tmp_path):
    work = json.loads(cli("show", keys[RETRACTED], "--json").stdout)
    [update] = [u for u in work["updates"] if u["direction"] == "updated-by"]
    assert (update["kind"], update["doi"]) == (
        "retraction",
        "10.5555/constructed-retraction-of-peerj.10734",
    )
    cli("claim", "add", "Fat mass can be predicted.", "--slug", "fat")
    cli("finding", "add", keys[RETRACTED], "fat", "-s", "supports", "-q", "A quote.")
    table = cli("table", "soqf")
    assert table.exit_code == 0, table.output
    soqf = (tmp_path / "exports" / "soqf.md").read_text()
    assert "† RETRACTED" in soqf
    warning = f"claim fat rests only on retracted work(s): {keys[RETRACTED]}"
    assert f"Warning: {warning}." in soqf and warning in table.stderr


def test_finding_list_marks_findings_from_a_retracted_work(cli, keys):
    cli("claim", "add", "Fat mass can be predicted.", "--slug", "fat")
    cli("finding", "add", keys[RETRACTED], "fat", "-s", "supports", "-q", "A quote.")
    cli("finding", "add", keys[SOUND], "fat", "-s", "supports", "-q", "Another.")
    listed = cli("finding", "list")
    assert f"comes from {keys[RETRACTED]}: retraction 10.5555/" in listed.stderr
    assert f"comes from {keys[SOUND]}" not in listed.stderr
    rows = {r["citekey"]: r for r in json.loads(cli("finding", "list", "--json").stdout)}
    assert [n["kind"] for n in rows[keys[RETRACTED]]["work_notices"]] == ["retraction"]
    assert rows[keys[SOUND]]["work_notices"] == []
