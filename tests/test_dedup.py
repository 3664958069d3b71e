"""Duplicate detection, reviewers' judgements and merging (core and CLI)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import insert, select

from phbrefs.db import models as m
from phbrefs.dedup import (
    CONFIDENT,
    POSSIBLE,
    Fingerprint,
    compare,
    find_duplicates,
    mark_not_duplicate,
    merge_records,
    merge_works,
)
from phbrefs.errors import ExitCode, UnknownKeyError
from phbrefs.records import Contributor, PartialDate, WorkRecord


def paper(title: str, year: int = 2016, family: str = "Welch", **kwargs) -> WorkRecord:
    kwargs.setdefault("issued", PartialDate(year))
    return WorkRecord(
        type="article-journal",
        title=title,
        contributors=[Contributor(given="Elizabeth", family=family)],
        **kwargs,
    )


TITLE = "Implementing personal health budgets in England: a user-led approach to substance misuse"


def score(a: WorkRecord, b: WorkRecord):
    return compare(Fingerprint.of(1, a), Fingerprint.of(2, b))


def test_scores():
    same_doi = score(paper("A", doi="10.1/x"), paper("B", doi="10.1/x"))
    assert same_doi.score == 1.0 and same_doi.confident
    assert score(paper(TITLE, doi="10.1/x"), paper(TITLE, doi="10.1/y")) is None
    typo = score(paper(TITLE, pages="1-9"), paper(TITLE.replace("budgets", "budgts"), pages="1-9"))
    assert typo.confident and "same first author" in typo.reasons
    accents = score(paper(TITLE, family="Müller"), paper(TITLE.upper(), family="Muller"))
    assert accents.confident
    other_part = score(
        paper(TITLE + " part 1", pages="1-9"), paper(TITLE + " part 2", pages="10-19")
    )
    assert other_part is not None and not other_part.confident
    years_apart = score(paper(TITLE, 2012), paper(TITLE, 2019))
    assert years_apart is not None and POSSIBLE <= years_apart.score < CONFIDENT
    assert score(paper(TITLE), paper("Personal budgets and social care outcomes")) is None
    short = score(paper("Editorial"), paper("Editorial"))
    assert short is not None and not short.confident


def test_merge_records_keeps_the_richest_values():
    a = paper(TITLE, pages="1634", keywords=["PHB"], url="https://a.example")
    a.contributors = [Contributor(given="E.", family="Welch")]
    b = paper(
        TITLE,
        pages="1634-1643",
        keywords=["phb", "substance misuse"],
        abstract="Long abstract.",
        issued=PartialDate(2016, 10, 10),
        url="https://b.example/longer/url",
    )
    merged = merge_records(a, b)
    assert merged.pages == "1634-1643"
    assert merged.keywords == ["PHB", "substance misuse"]
    assert merged.abstract == "Long abstract."
    assert merged.issued == PartialDate(2016, 10, 10)
    assert merged.contributors[0].given == "Elizabeth"
    assert merged.url == "https://a.example"  # identifiers: the kept work's stand


@pytest.fixture
def three(library):
    """Two records of one paper (one with a note, tag, finding and study) and an unrelated one."""
    library.add_many(
        [
            paper(TITLE, doi="10.1111/hsc.12396", citekey="welch2016"),
            paper(TITLE.upper(), pages="1634-1643", abstract="Abstract.", citekey="welchcopy"),
            paper("Personal health budgets: a mechanism to encourage service integration?", 2022),
        ]
    )
    library.tag(["welchcopy"], add=["screening"])
    library.add_note("welchcopy", "Read in full.")
    with library.session() as session:
        work_id = library.resolve(session, "welchcopy")
        conn = session.connection()
        claim = conn.execute(insert(m.Claim).values(slug="c1", statement="S")).inserted_primary_key
        conn.execute(
            insert(m.Finding).values(
                work_id=work_id, claim_id=claim[0], stance="supports", quote="Q"
            )
        )
        conn.execute(insert(m.Study).values(work_id=work_id, design="qualitative"))
    return library


def test_find_and_merge(three):
    (group,) = find_duplicates(three)
    assert group.keys == ["welch2016", "welchcopy"]
    assert group.confident and group.pairs[0]["why"][0] == "title 100%"
    report = merge_works(three, ["welch2016", "welchcopy"])
    (result,) = report.results
    assert (result.item, result.outcome, result.citekey) == ("welchcopy", "merged", "welch2016")
    assert "1 finding" in result.detail and "1 note" in result.detail
    with three.session(write=False) as session:
        (log,) = session.execute(select(m.MergeLog)).scalars()
        assert (log.retired_citekey, log.merged_by) == ("welchcopy", "reviewer-a")
        assert log.retired_data["pages"] == "1634-1643" and len(log.moved["note"]) == 1
    kept = three.get("welchcopy")  # the old key resolves through its alias
    assert kept.citekey == "welch2016"
    assert kept.tags == ["screening"]
    assert [n for n, _ in kept.notes] == ["Read in full."]
    assert kept.record.pages == "1634-1643" and kept.record.abstract == "Abstract."
    assert kept.record.doi == "10.1111/hsc.12396"
    with three.session() as session:
        assert session.execute(select(m.Study.design)).scalar() == "qualitative"
        assert session.execute(select(m.Finding.work_id)).scalar() == kept.id
    assert three.count() == 2
    assert find_duplicates(three) == []
    assert three.search("Read")[0][0].citekey == "welch2016"  # notes re-indexed


def test_merge_is_transactional(three):
    with pytest.raises(UnknownKeyError):
        merge_works(three, ["welch2016", "welchcopy", "nosuchkey"])
    assert three.count() == 3
    assert three.get("welchcopy").citekey == "welchcopy"


def test_not_duplicate_judgement_silences_the_pair(three):
    mark_not_duplicate(three, ["welch2016", "welchcopy"])
    assert find_duplicates(three) == []


def test_cli_dedup_and_merge(cli, tmp_path):
    bib = tmp_path / "a.bib"
    bib.write_text(
        "@report{a, author={Forder, Julien}, title={Evaluation of the personal health budget "
        "pilot programme}, year={2012}}\n"
        "@report{b, author={Forder, J.}, title={Evaluation of the personal health budget "
        "pilot programme}, year={2009}}\n"
        "@report{c, author={Duffy, Simon}, title={Unlocking the imagination}, year={2006}}\n",
        encoding="utf-8",
    )
    cli("import", bib)
    listed = json.loads(cli("dedup", "--json").stdout)
    assert [g["keys"] for g in listed] == [["a", "b"]]
    assert listed[0]["confident"] is False and listed[0]["pairs"][0]["score"] >= POSSIBLE
    assert "1 group" in cli("dedup").stderr
    assert cli("dedup", "--not-duplicate", "a", "b").exit_code == 0
    assert json.loads(cli("dedup", "--json").stdout) == []
    merged = cli("merge", "a", "c", "--json")
    assert merged.exit_code == 0
    items = json.loads(merged.stdout)["items"]
    assert [(i["item"], i["outcome"], i["citekey"]) for i in items] == [("c", "merged", "a")]
    assert json.loads(cli("show", "c", "--json").stdout)["citekey"] == "a"
    assert cli("merge", "a").exit_code == ExitCode.INVALID_INPUT
    assert cli("merge", "a", "zzz").exit_code == ExitCode.NOT_FOUND
