"""Duplicate detection, reviewers' judgements and merging (core and CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from phbrefs.db import models as m
from phbrefs.db.merge_log import unmerge_work
from phbrefs.dedup import (
    Fingerprint,
    compare,
    find_duplicates,
    mark_not_duplicate,
    merge_records,
    merge_works,
)
from phbrefs.errors import ExitCode, InvalidInputError, UnknownKeyError
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
    same_doi = score(paper(TITLE, doi="10.1/x"), paper(TITLE.lower(), doi="10.1/x"))
    assert same_doi.confident and "same DOI" in same_doi.reasons
    shared_doi = score(paper("A first abstract", doi="10.1/x"), paper("Another", doi="10.1/x"))
    assert shared_doi is None or not shared_doi.confident  # a DOI alone is no proof
    different_dois = score(paper(TITLE, doi="10.1/x"), paper(TITLE, doi="10.1/y"))
    assert different_dois is None or not different_dois.confident
    typo = score(paper(TITLE, pages="1-9"), paper(TITLE.replace("budgets", "budgts"), pages="1-9"))
    assert typo.confident and "same first author" in typo.reasons
    accents = score(paper(TITLE, family="Müller"), paper(TITLE.upper(), family="Muller"))
    assert accents.confident
    other_part = score(
        paper(TITLE + " part 1", pages="1-9"), paper(TITLE + " part 2", pages="10-19")
    )
    assert other_part is None or not other_part.confident
    years_apart = score(paper(TITLE, 2012), paper(TITLE, 2019))
    assert years_apart is not None and years_apart.tier == "review"
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
    assert group.confident and group.pairs[0]["why"][0] == "same title"
    report = merge_works(three, ["welch2016", "welchcopy"])
    (result,) = report.results
    assert (result.item, result.outcome, result.citekey) == ("welchcopy", "merged", "welch2016")
    assert "1 finding" in result.detail and "1 note" in result.detail
    with three.session(write=False) as session:
        (log,) = session.execute(select(m.MergeLog)).scalars()
        retired = log.snapshot["retired"]
        assert (retired["row"]["citekey"], log.merged_by) == ("welchcopy", "reviewer-a")
        assert len(retired["moved"]["note"]) == 1
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
    assert listed[0]["confident"] is False and listed[0]["pairs"][0]["score"] > 0
    assert "1 group" in cli("dedup").stderr
    marked = cli("dedup", "--not-duplicate", "a", "b", "--json")
    assert marked.exit_code == 0 and json.loads(marked.stdout) == {"not_duplicates": ["a", "b"]}
    assert json.loads(cli("dedup", "--json").stdout) == []
    merged = cli("merge", "a", "c", "--json")
    assert merged.exit_code == 0
    items = json.loads(merged.stdout)["items"]
    assert [(i["item"], i["outcome"], i["citekey"]) for i in items] == [("c", "merged", "a")]
    assert json.loads(cli("show", "c", "--json").stdout)["citekey"] == "a"
    assert cli("merge", "a").exit_code == ExitCode.INVALID_INPUT
    assert cli("merge", "a", "zzz").exit_code == ExitCode.NOT_FOUND


SAMPLE = Path(__file__).parent / "fixtures" / "dedup" / "sra_respiratory_sample.ris"


def test_cli_explain_shows_each_fields_evidence(cli):
    assert cli("import", SAMPLE).exit_code == 0
    result = cli("dedup", "--explain", "id_0001355", "id_0001356", "--json")
    assert result.exit_code == 0
    explained = json.loads(result.stdout)
    assert explained["keys"] == ["id_0001355", "id_0001356"]
    assert explained["tier"] == "review"
    fields = {e["field"]: e for e in explained["evidence"]}
    assert list(fields) == ["title", "doi", "url", "authors", "year", "volume", "pages", "journal"]
    assert fields["journal"]["verdict"] == "journal names differ"
    assert fields["journal"]["right"] == "acp j club" and fields["journal"]["points"] < 0
    assert fields["pages"]["left"] == "jc6-jc9"
    table = cli("dedup", "--explain", "id_0001369", "id_0001372")
    assert table.exit_code == 0 and "Traceback" not in table.output
    assert "different titles" in table.stdout and "same first page" in table.stdout
    assert "distinct works" in table.stderr


def test_cli_explain_refuses_what_it_cannot_explain(cli):
    cli("import", SAMPLE)
    one = cli("dedup", "--explain", "id_0001355")
    assert one.exit_code == ExitCode.USAGE and "exactly two" in one.stderr
    unknown = cli("dedup", "--explain", "id_0001355", "nosuchkey")
    assert unknown.exit_code == ExitCode.NOT_FOUND
    merged = cli("dedup", "--explain", "id_0000088", "id_0000089")  # merged on import
    assert merged.exit_code == ExitCode.INVALID_INPUT and "same work" in merged.stderr
    for result in (one, unknown, merged):
        assert "Traceback" not in result.output


def test_unmerge_restores_every_dependent_row(three):
    before = three.get("welchcopy").record.to_dict()
    kept_before = three.get("welch2016").record.to_dict()
    with three.session() as session:
        copy_id = three.resolve(session, "welchcopy")
        sources = (
            session.execute(select(m.SourceRecord.id).where(m.SourceRecord.work_id == copy_id))
            .scalars()
            .all()
        )
    merge_works(three, ["welch2016", "welchcopy"])
    three.tag(["welch2016"], add=["added-after"])
    result = unmerge_work(three, "welch2016")
    assert [(r.item, r.outcome, r.matched) for r in result.results] == [
        ("welchcopy", "added", "welch2016")
    ]
    assert three.count() == 3
    copy, kept = three.get("welchcopy"), three.get("welch2016")
    assert copy.citekey == "welchcopy" and copy.record.to_dict() == before
    assert kept.record.to_dict() == kept_before  # its own fields again (no pages, no abstract)
    assert copy.tags == ["screening"] and kept.tags == ["added-after"]
    assert [n for n, _ in copy.notes] == ["Read in full."] and kept.notes == []
    with three.session() as session:
        assert session.execute(select(m.Finding.work_id)).scalar() == copy.id
        assert session.execute(select(m.Study.work_id)).scalars().all() == [copy.id]
        moved_back = (
            session.execute(select(m.SourceRecord.id).where(m.SourceRecord.work_id == copy.id))
            .scalars()
            .all()
        )
        assert moved_back == sources
        assert session.execute(select(m.Alias.key)).scalars().all() == []
    assert [g.keys for g in find_duplicates(three)] == [["welch2016", "welchcopy"]]
    assert three.search("Read")[0][0].citekey == "welchcopy"  # re-indexed for search
    with pytest.raises(InvalidInputError):
        unmerge_work(three, "welch2016")  # nothing left to undo


def test_unmerge_restores_who_tagged_and_when(three, storage):
    """welchcopy's tag by reviewer-a, welch2016's by reviewer-b (one on both), the third work's
    by reviewer-a: each gets its own back, through two chained merges undone one by one."""
    from phbrefs.library import Library

    third = "welch2022personal"
    with Library(storage, actor="reviewer-b") as other:
        other.tag(["welch2016"], add=["screening", "included"])
    three.tag([third], add=["included"])
    keys = ["welchcopy", "welch2016", third]
    before = {k: three.get(k).tagged for k in keys}
    assert before["welchcopy"][0][1] == "reviewer-a" and before["welch2016"][0][1] == "reviewer-b"
    assert all(at is not None for k in keys for _, _, at in before[k])
    merge_works(three, ["welch2016", "welchcopy"])
    merge_works(three, [third, "welch2016"])
    unmerge_work(three, third)  # welch2016, retired directly
    assert {k: three.get(k).tagged for k in keys[1:]} == {k: before[k] for k in keys[1:]}
    unmerge_work(three, "welch2016")  # welchcopy, retired in the earlier merge
    assert {k: three.get(k).tagged for k in keys} == before
    # a merge logged before the log kept who and when: the tags come back, without them
    merge_works(three, ["welch2016", "welchcopy"])
    with three.session() as session:
        (log_id, snapshot) = session.execute(select(m.MergeLog.id, m.MergeLog.snapshot)).one()
        del snapshot["retired"]["tagged"]
        session.execute(update(m.MergeLog).where(m.MergeLog.id == log_id).values(snapshot=snapshot))
    unmerge_work(three, "welch2016")
    assert three.get("welchcopy").tagged == [("screening", None, None)]
    assert three.get("welch2016").tagged == before["welch2016"]


def test_cli_unmerge_splits_an_import_merge(cli):
    ris = Path(__file__).parent / "fixtures" / "ris"
    cli("import", ris / "pubmed.ris")
    report = json.loads(cli("import", ris / "scopus.ris", "--json").stdout)
    merged = next(i for i in report["items"] if i["outcome"] == "merged")
    split = cli("unmerge", merged["citekey"], "--json")
    assert split.exit_code == 0, split.output
    result = json.loads(split.stdout)
    (item,) = result["items"]
    assert item["matched"] == merged["citekey"] and item["outcome"] == "added"
    restored = json.loads(cli("show", item["citekey"], "--raw").stdout)
    kept_doi = json.loads(cli("show", merged["citekey"], "--json").stdout)["doi"]
    assert restored["doi"] == kept_doi  # each keeps the DOI its record gave
    assert restored["publisher"] == "Blackwell Publishing Ltd"  # Scopus's record, alone
    assert [s["source"] for s in restored["source_records"]] == ["ris"]
    kept = json.loads(cli("show", merged["citekey"], "--raw").stdout)
    assert kept.get("publisher") is None and len(kept["source_records"]) == 1
    again = cli("unmerge", merged["citekey"])
    assert again.exit_code == ExitCode.INVALID_INPUT and "no merge to undo" in again.stderr
    assert "Traceback" not in again.output
    assert cli("unmerge", "nosuchkey").exit_code == ExitCode.NOT_FOUND


def test_a_record_split_from_an_import_merge_keeps_who_tagged_it_and_when(cli, monkeypatch):
    ris = Path(__file__).parent / "fixtures" / "ris"
    cli("import", ris / "pubmed.ris")
    monkeypatch.setenv("PHBREFS_CODER", "ek")
    report = json.loads(
        cli("import", ris / "scopus.ris", "--tag", "search:scopus", "--json").stdout
    )
    merged = next(i for i in report["items"] if i["outcome"] == "merged")
    kept = json.loads(cli("show", merged["citekey"], "--json").stdout)["tagged"]
    (item,) = json.loads(cli("unmerge", merged["citekey"], "--json").stdout)["items"]
    restored = json.loads(cli("show", item["citekey"], "--json").stdout)["tagged"]
    assert [t for t in restored if t["tag"] == "search:scopus"] == [
        t for t in kept if t["tag"] == "search:scopus"
    ]
    assert restored[0]["by"] == "ek" and restored[0]["at"]


def test_cli_unmerge_splits_copies_folded_within_one_import(cli):
    cli("import", SAMPLE, "--tag", "search:sra")
    before = len(json.loads(cli("list", "--json").stdout))
    split = cli("unmerge", "id_0000088")
    assert split.exit_code == 0 and "id_0000089" in split.stderr
    assert len(json.loads(cli("list", "--json").stdout)) == before + 1
    restored = json.loads(cli("show", "id_0000089", "--raw").stdout)
    assert restored["citekey"] == "id_0000089" and restored["tags"] == ["search:sra"]
    assert restored["title"].startswith("[Comparison of amoxicillin")  # its own title
    assert len(restored["source_records"]) == 1
    kept = json.loads(cli("show", "id_0000088", "--raw").stdout)
    assert kept["title"].startswith("Antibiotic prophylaxis in pulmonary surgery")
    assert len(kept["source_records"]) == 1


def test_a_merge_keeps_the_print_and_the_online_date():
    """Scopus dates by the printed issue (PY 2017), Crossref by first publication online (2016)."""
    crossref = paper(TITLE, doi="10.1111/hsc.12396", issued=PartialDate(2016, 10, 10))
    scopus = paper(TITLE, issued=PartialDate(2017))
    for first, second in ((crossref, scopus), (scopus, crossref)):
        merged = merge_records(first, second)
        assert merged.issued == PartialDate(2016, 10, 10)
        assert merged.published_online == PartialDate(2016, 10, 10)
        assert merged.published_print == PartialDate(2017)
    same_year = merge_records(crossref, paper(TITLE, issued=PartialDate(2016)))
    assert same_year.published_print is None and same_year.issued == PartialDate(2016, 10, 10)
