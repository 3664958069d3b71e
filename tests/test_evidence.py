"""Claims, findings, frameworks and CERQual: the core service and its commands."""

from __future__ import annotations

import json

import pytest
from evidence_helpers import KEY_2016, KEY_2022

from phbrefs.errors import ExitCode, InvalidInputError, NotFoundError
from phbrefs.evidence import cerqual, claims, findings, frameworks, vocab
from phbrefs.library import Library


def _claim(lib: Library, slug: str = "post-detox-timing") -> claims.ClaimInfo:
    return claims.add_claim(
        lib,
        "People benefit most from a PHB after detox rather than at a crisis point.",
        slug=slug,
        theme="Offering PHBs",
    )


# -- vocabularies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("supports", "supports"), ("Supp", "supports"), ("against", "contradicts"), ("MIX", "mixed")],
)
def test_stances_accept_short_forms(typed, expected):
    assert vocab.stance(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("no", "no or very minor"),
        ("No or very minor concerns", "no or very minor"),
        ("minor concerns", "minor"),
        ("mod", "moderate"),
        ("Serious", "serious"),
    ],
)
def test_concern_levels_accept_short_forms(typed, expected):
    assert vocab.concern_level(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"), [("very-low", "very low"), ("Moderate confidence", "moderate")]
)
def test_confidence_levels_accept_short_forms(typed, expected):
    assert vocab.confidence_level(typed) == expected


def test_a_bad_stance_lists_the_allowed_values():
    with pytest.raises(InvalidInputError) as caught:
        vocab.stance("maybe")
    assert "supports, contradicts, mixed, neutral" in str(caught.value)


# -- claims ----------------------------------------------------------------------------------


def test_claim_slug_is_derived_from_the_statement_and_kept_unique(lib):
    first = claims.add_claim(lib, "Direct payments need sufficient protocols.")
    second = claims.add_claim(lib, "Direct payments need sufficient protocols!")
    assert first.slug == "direct-payments-need-sufficient-protocols"
    assert second.slug == "direct-payments-need-sufficient-protocols-2"
    assert [c.position for c in claims.list_claims(lib)] == [1, 2]


@pytest.mark.parametrize("slug", ["Post Detox", "post--detox", "-x", "a" * 61])
def test_invalid_claim_slugs_are_refused(lib, slug):
    with pytest.raises(InvalidInputError):
        claims.add_claim(lib, "Some claim.", slug=slug)


def test_unknown_claim_names_the_closest_slug(lib):
    _claim(lib)
    with pytest.raises(NotFoundError) as caught:
        claims.get_claim(lib, "post-detox-timin")
    assert "'post-detox-timin'" in str(caught.value)
    assert "did you mean 'post-detox-timing'" in str(caught.value)


def test_claim_cli_add_list_edit(cli, db):
    result = cli("--db", db, "claim", "add", "Leadership matters.", "--theme", "Implementation")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "leadership-matters"
    assert cli("--db", db, "claim", "edit", "leadership-matters", "--theme", "").exit_code == 0
    data = json.loads(cli("--db", db, "claim", "list", "--json").stdout)
    assert data[0]["slug"] == "leadership-matters" and data[0]["theme"] is None


def test_claim_show_lists_quotes_by_stance_with_keys_pages_and_cerqual(cli, db, lib):
    _claim(lib)
    findings.add_finding(
        lib, KEY_2016, "post-detox-timing", stance="supports", quote="post-detox", page="5"
    )
    findings.add_finding(
        lib, KEY_2022, "post-detox-timing", stance="contradicts", quote="crisis works too"
    )
    cerqual.set_assessment(
        lib,
        "post-detox-timing",
        components={"adequacy": ("serious", "one study")},
        overall=("low", "thin evidence"),
    )
    result = cli("--db", db, "claim", "show", "post-detox-timing")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.index("Supports (1)") < text.index("“post-detox”") < text.index("Contradicts (1)")
    assert text.index("Contradicts (1)") < text.index("“crisis works too”")
    assert f"{KEY_2016} (p. 5)" in text and KEY_2022 in text
    assert "serious concerns" in text and "low confidence" in text and "thin evidence" in text
    assert "unassessed" in result.stderr  # three components are not assessed


def test_claim_remove_asks_and_says_what_goes_with_it(cli, db, lib):
    _claim(lib)
    findings.add_finding(lib, KEY_2016, "post-detox-timing", stance="supports", quote="q")
    refused = cli("--db", db, "claim", "remove", "post-detox-timing")
    assert refused.exit_code == ExitCode.ABORTED
    assert "1 findings" in refused.stderr or "1 finding" in refused.stderr
    assert claims.get_claim(lib, "post-detox-timing").findings == 1
    assert cli("--db", db, "claim", "remove", "post-detox-timing", "--yes").exit_code == 0
    assert claims.list_claims(lib) == []
    assert findings.list_findings(lib) == []


def test_unknown_claim_from_cli_is_one_line_and_exit_not_found(cli, db, lib):
    _claim(lib)
    result = cli(
        "--db", db, "finding", "add", KEY_2016, "post-detox", "--stance", "supports", "-q", "x"
    )
    assert result.exit_code == ExitCode.NOT_FOUND
    assert result.stderr.strip().count("\n") == 0
    assert "no claim 'post-detox'" in result.stderr


# -- findings --------------------------------------------------------------------------------


def test_finding_add_is_idempotent_on_work_claim_and_quote(lib):
    _claim(lib)
    first, outcome = findings.add_finding(
        lib,
        KEY_2016,
        "post-detox-timing",
        stance="supp",
        quote="  individuals would   benefit post-detox ",
        page="3-4",
        participants="organisational representatives",
        dimensions=["Reach", "RE-AIM:Implementation"],
        coder="AB",
    )
    assert outcome == "added"
    assert first.quote == "individuals would benefit post-detox"
    assert first.location == "pp. 3–4"
    assert first.dimensions == ["RE-AIM:Reach", "RE-AIM:Implementation"]
    assert first.coder == "AB"
    again, outcome = findings.add_finding(
        lib,
        KEY_2016,
        "post-detox-timing",
        stance="supports",
        quote="individuals would benefit post-detox",
        page="3-4",
        participants="organisational representatives",
        dimensions=["RE-AIM:Reach", "Implementation"],
    )
    assert (again.id, outcome) == (first.id, "unchanged")
    assert len(findings.list_findings(lib)) == 1


def test_a_paper_can_have_several_findings_for_one_claim(lib):
    _claim(lib)
    for quote in ("one", "two"):
        findings.add_finding(lib, KEY_2022, "post-detox-timing", stance="mixed", quote=quote)
    assert len(findings.list_findings(lib, keys=[KEY_2022])) == 2
    assert findings.list_findings(lib, keys=[KEY_2016]) == []


def test_finding_needs_a_quote_and_a_known_key(lib):
    _claim(lib)
    with pytest.raises(InvalidInputError, match="quote"):
        findings.add_finding(lib, KEY_2016, "post-detox-timing", stance="supports", quote=" ")
    with pytest.raises(NotFoundError, match="did you mean 'welch2016implementing'"):
        findings.add_finding(lib, "welch2016", "post-detox-timing", stance="supports", quote="q")


def test_finding_cli_rejects_bad_stance_with_allowed_values(cli, db, lib):
    _claim(lib)
    result = cli(
        "--db", db, "finding", "add", KEY_2016, "post-detox-timing", "-s", "maybe", "-q", "x"
    )
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "supports, contradicts, mixed, neutral" in result.stderr
    assert findings.list_findings(lib) == []


def test_finding_cli_add_list_edit_remove(cli, db, lib, monkeypatch):
    _claim(lib)
    monkeypatch.setenv("PHBREFS_CODER", "EW")
    added = cli(
        "--db",
        db,
        "finding",
        "add",
        KEY_2016,
        "post-detox-timing",
        "--stance",
        "supports",
        "--quote",
        "post-detox rather than at a crisis point",
        "--page",
        "7",
        "--participants",
        "organisational representatives",
        "--dimension",
        "RE-AIM:Reach",
    )
    assert added.exit_code == 0, added.output
    finding_id = int(added.stdout)
    listed = json.loads(
        cli("--db", db, "finding", "list", "--claim", "post-detox-timing", "--json").stdout
    )
    assert listed[0]["coder"] == "EW" and listed[0]["location"] == "p. 7"
    edit = cli(
        "--db", db, "finding", "edit", str(finding_id), "--stance", "mixed", "--no-dimensions"
    )
    assert edit.exit_code == 0, edit.output
    shown = json.loads(cli("--db", db, "finding", "show", str(finding_id), "--json").stdout)
    assert shown["stance"] == "mixed" and shown["dimensions"] == []
    assert cli("--db", db, "finding", "remove", str(finding_id), "--yes").exit_code == 0
    missing = cli("--db", db, "finding", "edit", str(finding_id), "--stance", "mixed")
    assert missing.exit_code == ExitCode.NOT_FOUND


def test_editing_a_finding_into_a_duplicate_is_refused(lib):
    _claim(lib)
    first, _ = findings.add_finding(lib, KEY_2016, "post-detox-timing", stance="mixed", quote="a")
    second, _ = findings.add_finding(lib, KEY_2016, "post-detox-timing", stance="mixed", quote="b")
    with pytest.raises(InvalidInputError, match=f"finding {first.id}"):
        findings.edit_finding(lib, second.id, quote="a")
    assert findings.get_finding(lib, second.id).quote == "b"


# -- frameworks ------------------------------------------------------------------------------


def test_user_frameworks_and_ambiguous_dimension_codes(lib):
    info, added = frameworks.add_framework(
        lib, "CFIR", ["Inner setting=the organisation", "Implementation"]
    )
    assert added == ["Inner setting", "Implementation"]
    assert [d.code for d in info.dimensions] == ["Inner setting", "Implementation"]
    _, added_again = frameworks.add_framework(lib, "cfir", ["Implementation"])
    assert added_again == []
    _claim(lib)
    with pytest.raises(InvalidInputError, match="CFIR:Implementation or RE-AIM:Implementation"):
        findings.add_finding(
            lib,
            KEY_2016,
            "post-detox-timing",
            stance="supports",
            quote="q",
            dimensions=["Implementation"],
        )
    found, _ = findings.add_finding(
        lib,
        KEY_2016,
        "post-detox-timing",
        stance="supports",
        quote="q",
        dimensions=["Inner setting", "cfir:implementation"],
    )
    assert found.dimensions == ["CFIR:Inner setting", "CFIR:Implementation"]


def test_framework_cli(cli, db):
    assert cli("--db", db, "framework", "add", "CFIR", "-d", "Process").exit_code == 0
    data = json.loads(cli("--db", db, "framework", "list", "--json").stdout)
    by_name = {f["name"]: f for f in data}
    assert [d["code"] for d in by_name["RE-AIM"]["dimensions"]] == [
        "Reach",
        "Effectiveness",
        "Adoption",
        "Implementation",
        "Maintenance",
    ]
    assert by_name["CFIR"]["dimensions"][0]["code"] == "Process"
    empty = cli("--db", db, "framework", "add", "Empty")
    assert empty.exit_code == ExitCode.INVALID_INPUT


# -- CERQual ---------------------------------------------------------------------------------


def test_cerqual_overall_with_unassessed_components_warns(lib):
    _claim(lib)
    info = cerqual.set_assessment(
        lib,
        "post-detox-timing",
        components={"methodological_limitations": ("minor", "two sites")},
        overall=("mod", "one study"),
    )
    assert info.overall.level == "moderate"
    assert info.unassessed == ["Coherence", "Adequacy of data", "Relevance"]
    assert any("Coherence, Adequacy of data, Relevance are unassessed" in w for w in info.warnings)
    complete = cerqual.set_assessment(
        lib,
        "post-detox-timing",
        components={
            "coherence": ("no", "consistent"),
            "adequacy": ("serious", "one study"),
            "relevance": ("moderate", "pilot sites"),
        },
    )
    assert complete.warnings == []
    assert complete.components["methodological_limitations"].level == "minor"  # merged, kept


def test_cerqual_cli_set_and_show(cli, db, lib):
    _claim(lib)
    result = cli(
        "--db",
        db,
        "cerqual",
        "set",
        "post-detox-timing",
        "--limitations",
        "minor",
        "--limitations-why",
        "abstract only",
        "--overall",
        "low",
        "--overall-why",
        "one study",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["methodological_limitations"] == {
        "concerns": "minor",
        "explanation": "abstract only",
    }
    assert data["overall"] == {"confidence": "low", "explanation": "one study"}
    assert data["warnings"] and "warning:" in result.stderr
    bad = cli("--db", db, "cerqual", "set", "post-detox-timing", "--coherence", "huge")
    assert bad.exit_code == ExitCode.INVALID_INPUT
    assert "no or very minor, minor, moderate, serious" in bad.stderr
    shown = json.loads(cli("--db", db, "cerqual", "show", "post-detox-timing", "--json").stdout)
    assert shown["coherence"]["concerns"] is None
    assert cli("--db", db, "cerqual", "show", "nope").exit_code == ExitCode.NOT_FOUND


def test_claim_positions_are_renumbered_when_one_moves(library):
    from phbrefs.evidence.claims import add_claim, edit_claim, list_claims

    for statement in ("First claim here.", "Second claim here.", "Third claim here."):
        add_claim(library, statement)
    moved = edit_claim(library, "third-claim-here", position=1)
    assert moved.position == 1
    order = [(c.slug, c.position) for c in list_claims(library)]
    assert order == [("third-claim-here", 1), ("first-claim-here", 2), ("second-claim-here", 3)]
    add_claim(library, "Fourth claim here.", position=2)
    assert [c.position for c in list_claims(library)] == [1, 2, 3, 4]
    assert [c.slug for c in list_claims(library)][1] == "fourth-claim-here"


def test_the_same_statement_twice_is_refused(library):
    from phbrefs.errors import InvalidInputError
    from phbrefs.evidence.claims import add_claim, list_claims

    add_claim(library, "Direct payments need sufficient protocols.")
    with pytest.raises(InvalidInputError, match="direct-payments-need-sufficient-protocols"):
        add_claim(library, "Direct payments need  sufficient protocols.")
    assert len(list_claims(library)) == 1
