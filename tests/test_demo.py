"""``phbrefs demo``: the example review built offline, with every table and the map."""

from __future__ import annotations

import json
from pathlib import Path

from phbrefs.evidence import cerqual, claims, findings, studies
from phbrefs.evidence.example import example_records
from phbrefs.library import Library

CLAIMS = [
    "post-detox-timing",
    "link-to-after-care",
    "direct-payments-protocols",
    "change-management",
    "leadership-communication",
    "longer-term-implementation",
]


def test_example_papers_carry_the_printed_metadata():
    first, second = example_records()
    assert first.doi == "10.1111/hsc.12396" and first.year == 2016
    assert first.container_title == "Health and Social Care in the Community"
    assert [a.family for a in first.authors] == ["Welch", "Jones", "Caiels", "Windle", "Bass"]
    assert "post-detox rather than at a crisis point" in first.abstract
    assert second.doi == "10.1108/jica-07-2021-0038"
    assert (second.volume, second.issue, second.pages) == ("30", "3", "251-262")
    assert second.issn == ["1476-9018"]
    assert [s.heading for s in second.abstract_sections] == [
        "Purpose",
        "Design/methodology/approach",
        "Findings",
        "Originality/value",
    ]
    assert second.authors[2].affiliations == [
        "Personal Social Services Research Unit, University of Kent, Canterbury, UK"
    ]
    assert second.funders[0].awards == ["PRP 077/0014"]


def test_demo_builds_the_library_and_writes_every_file_and_rerunning_adds_nothing(
    cli, tmp_path: Path
):
    from phbrefs.tables import TABLE_FORMATS, TABLE_NAMES

    folder = tmp_path / "review"
    result = cli("demo", folder)
    assert result.exit_code == 0, result.output
    written = [Path(line) for line in result.stdout.splitlines()]
    assert all(path.is_file() and path.stat().st_size > 0 for path in written)
    names = {path.name for path in written}
    for table in TABLE_NAMES:
        stems = [f"claim-{c}" for c in CLAIMS] if table == "claim" else [table]
        for stem in stems:
            assert {f"{stem}.{fmt}" for fmt in TABLE_FORMATS} <= names
    assert {"evidence-map.png", "evidence-map.svg"} <= names
    assert all(path.parent == folder / "exports" for path in written)
    assert "matrix-references.csv" in names
    on_disk = sorted(p.name for p in (folder / "exports").iterdir())
    assert sorted(names) == on_disk
    assert f"{len(on_disk)} files written" in result.stderr
    soqf = (folder / "exports" / "soqf.md").read_text(encoding="utf-8")
    assert "Moderate confidence" in soqf and "Low confidence" in soqf

    with Library(folder / "library.db") as library:
        assert library.count() == 2
        assert [c.slug for c in claims.list_claims(library)] == CLAIMS
        assert [c.theme for c in claims.list_claims(library)][:1] == ["Offering PHBs"]
        n_findings = len(findings.list_findings(library))
        assert n_findings == 9
        study_2016, study_2022 = studies.list_studies(library)
        assert study_2016.groups[0].count == 20 and study_2016.fields["period"] == "2011–2012"
        assert [g.count for g in study_2022.groups] == [8, 23, 3, 42, 14]
        assert study_2022.fields["framework"] == "RE-AIM"
        assessments = cerqual.list_assessments(library)
        assert all(a.overall.level in ("low", "moderate") and not a.warnings for a in assessments)

    again = cli("demo", folder, "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert {p["outcome"] for p in report["papers"]} == {"unchanged"}
    assert report["coding"]["counts"]["findings"] == {"unchanged": 9}
    with Library(folder / "library.db") as library:
        assert library.count() == 2 and len(findings.list_findings(library)) == n_findings


def test_demo_honours_db(cli, tmp_path: Path):
    result = cli("--db", tmp_path / "elsewhere.db", "demo", tmp_path / "out", "--json")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "elsewhere.db").exists() and not (tmp_path / "out" / "library.db").exists()
    assert (tmp_path / "out" / "exports" / "matrix.md").exists()
