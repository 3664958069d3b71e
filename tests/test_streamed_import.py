"""A large file is imported a chunk at a time (``importing.read_input``): the outcomes, report
and stored works are those of importing it whole, whatever the chunk boundaries; a copy of an
entry an earlier chunk added is merged into that work (and unmerge splits it); a failure or,
with --strict, an unreadable entry in a late chunk stores nothing."""

from __future__ import annotations

import json
import os
import time

import pytest

from phbrefs.dedup import Fingerprint
from phbrefs.errors import InvalidInputError
from phbrefs.importing import import_batches, parse_input, read_input
from phbrefs.library import Library
from phbrefs.outcomes import Outcome

ENTRY = (
    "@article{{{key},\n  author = {{Welch, Elizabeth and Jones, Karen}},\n"
    "  title = {{Personal health budgets {n}: a pilot}},\n"
    "  journal = {{Health and Social Care}}, year = {{2016}}, volume = {{{n}}},\n"
    "  pages = {{{n}--{m}}}, doi = {{10.5555/pilot.{n}}},\n}}\n\n"
)


def _entry(n: int, key: str | None = None) -> str:
    return ENTRY.format(key=key or f"welch{n}", n=n, m=n + 9)


# distinct works, a copy of work 1 far after it, a copy of work 2 right after it, an entry
# without a title in the middle, an unreadable block near the end
TEXT = (
    "".join(_entry(n) for n in range(1, 9))
    + _entry(1, "welch1copy")
    + "@article{notitle, author = {Jones, Karen}, year = {2019}}\n\n"
    + _entry(2, "welch2copy")
    + "".join(_entry(n) for n in range(9, 14))
    + "@misc{unclosed,\n  title = {Never closed\n\n"
    + _entry(14)
)


def _outcomes(report):  # type: ignore[no-untyped-def]
    return [(r.item, r.outcome, r.citekey, r.matched, r.detail) for r in report.results]


def _stored(path) -> list[tuple[str, str | None, int]]:  # type: ignore[no-untyped-def]
    with Library(path) as library:
        return [(w.citekey, w.record.doi, len(w.record.contributors)) for w in library.works()]


def _import(path, batch, **options):  # type: ignore[no-untyped-def]
    with Library(path) as library:
        return import_batches(library, [batch], **options)


@pytest.mark.parametrize("chunk_chars", [1, 400, 1500, 10**9])
def test_chunked_import_reports_and_stores_what_the_whole_import_does(tmp_path, chunk_chars):
    whole = _import(tmp_path / "whole.db", parse_input(TEXT, "in.bib"))
    batch = read_input(TEXT, "in.bib", chunk_chars=chunk_chars)
    chunked = _import(tmp_path / "chunked.db", batch)
    assert (batch.chunks is not None) == (chunk_chars < len(TEXT))  # else parsed at once
    assert _outcomes(chunked) == _outcomes(whole)
    assert chunked.warnings == whole.warnings
    assert _stored(tmp_path / "chunked.db") == _stored(tmp_path / "whole.db")
    copies = [r for r in chunked.results if r.item.endswith("copy")]
    assert [(r.outcome, r.citekey) for r in copies] == [
        (Outcome.MERGED, "welch1"),
        (Outcome.MERGED, "welch2"),
    ]
    failed = [r.item for r in chunked.results if r.outcome is Outcome.FAILED]
    assert len(failed) == 2 and chunked.results[-2:] == whole.results[-2:]  # last, in order


def test_a_copy_in_a_later_chunk_is_merged_and_unmerge_splits_it(tmp_path):
    from phbrefs.db.merge_log import unmerge_work

    text = _entry(1) + "".join(_entry(n) for n in range(2, 6)) + _entry(1, "welch1copy")
    path = tmp_path / "library.db"
    batch = read_input(text, "in.bib", chunk_chars=1)
    report = _import(path, batch)
    assert batch.chunks is not None and batch.chunks.count == 6  # an entry a chunk
    assert report.results[-1].outcome is Outcome.MERGED
    assert report.results[-1].matched == "welch1"
    with Library(path) as library:
        assert library.count() == 5
        assert library.get("welch1copy").citekey == "welch1"  # the key it proposed resolves
        assert len(library.source_records("welch1")) == 2  # both texts kept
        unmerge_work(library, "welch1")
        assert library.count() == 6
    again = _import(path, read_input(text, "in.bib", chunk_chars=1))
    assert {r.outcome for r in again.results} == {Outcome.UNCHANGED}


def test_rerunning_a_chunked_import_is_unchanged(tmp_path):
    path = tmp_path / "library.db"
    _import(path, read_input(TEXT, "in.bib", chunk_chars=400))
    stored = _stored(path)
    again = _import(path, read_input(TEXT, "in.bib", chunk_chars=400))
    assert {r.outcome for r in again.results} == {Outcome.UNCHANGED, Outcome.FAILED}
    assert _stored(path) == stored


def _strict_message(path, batch) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError) as raised:
        _import(path, batch, strict=True)
    return str(raised.value)


def test_strict_with_an_error_in_a_late_chunk_stores_nothing(tmp_path):
    path = tmp_path / "library.db"
    text = "".join(_entry(n) for n in range(1, 20)) + "@misc{late,\n  title = {Never closed\n\n"
    text += _entry(20) + "@article{notitle, year = {2019}}\n"
    message = _strict_message(path, read_input(text, "in.bib", chunk_chars=300))
    with Library(path) as library:
        assert library.count() == 0
    assert message == _strict_message(tmp_path / "whole.db", parse_input(text, "in.bib"))
    assert "late" in message and "notitle" in message


def test_a_failure_in_a_late_chunk_rolls_back_every_chunk(tmp_path):
    path = tmp_path / "library.db"
    seen = []

    def fail_on_third(entries):  # type: ignore[no-untyped-def]
        seen.append(len(entries))
        if len(seen) == 3:
            raise RuntimeError("the disk filled up")

    text = "".join(_entry(n) for n in range(1, 10))
    with pytest.raises(RuntimeError):
        _import(path, read_input(text, "in.bib", chunk_chars=1), on_chunk=fail_on_third)
    with Library(path) as library:
        assert library.count() == 0


def test_entries_linked_across_chunks_are_read_as_one_file(tmp_path):
    text = (
        "@book{parent, title = {The proceedings}, year = {2001}, publisher = {Press}}\n\n"
        + "".join(_entry(n) for n in range(1, 5))
        + "@inbook{child, crossref = {parent}, title = {A chapter}, author = {Roe, Ann}}\n\n"
    )
    whole = _import(tmp_path / "whole.db", parse_input(text, "in.bib"))
    chunked = _import(tmp_path / "chunked.db", read_input(text, "in.bib", chunk_chars=1))
    assert _outcomes(chunked) == _outcomes(whole)
    with Library(tmp_path / "chunked.db") as library:
        assert library.works(["child"])[0].record.issued.year == 2001  # inherited


def test_ris_is_chunked_too(tmp_path):
    text = "".join(
        f"TY  - JOUR\nTI  - Personal health budgets {n}\nAU  - Welch, Elizabeth\nPY  - 2016\n"
        f"DO  - 10.5555/ris.{n % 7}\nER  - \n\n"
        for n in range(20)
    )
    whole = _import(tmp_path / "whole.db", parse_input(text, "in.ris"))
    chunked = _import(tmp_path / "chunked.db", read_input(text, "in.ris", chunk_chars=100))
    assert _outcomes(chunked) == _outcomes(whole)
    assert _stored(tmp_path / "chunked.db") == _stored(tmp_path / "whole.db")


def test_a_mention_of_crossref_in_an_abstract_does_not_stop_chunking(tmp_path):
    text = _entry(1).replace("year =", "abstract = {We searched Crossref and Scopus}, year =")
    text += "".join(_entry(n) for n in range(2, 9))
    batch = read_input(text, "in.bib", chunk_chars=400)
    assert batch.chunks is not None and batch.chunks.count > 1
    chunked = _import(tmp_path / "chunked.db", batch)
    whole = _import(tmp_path / "whole.db", parse_input(text, "in.bib"))
    assert _outcomes(chunked) == _outcomes(whole)


def test_a_later_chunk_never_takes_a_key_an_earlier_chunk_used(tmp_path):
    """The keys in use are read once per import: the citekeys and the aliases an earlier chunk
    added must still be refused to a later chunk's entries."""
    generated = "welch2016personal"  # the citekey made for an entry whose own key is unusable
    text = (
        _entry(1)
        + _entry(1, generated)  # a copy of work 1: merged, the key it proposed kept as an alias
        + _entry(3, "unusable#3")  # distinct works whose generated key is that alias
        + _entry(4, "unusable#4")
    )
    path = tmp_path / "library.db"
    batch = read_input(text, "in.bib", chunk_chars=1)
    report = _import(path, batch)
    assert batch.chunks is not None and batch.chunks.count == 4
    assert [(r.outcome, r.citekey) for r in report.results] == [
        (Outcome.ADDED, "welch1"),
        (Outcome.MERGED, "welch1"),
        (Outcome.ADDED, f"{generated}a"),
        (Outcome.ADDED, f"{generated}b"),
    ]
    with Library(path) as library:
        assert library.get(generated).citekey == "welch1"  # the alias still names work 1
        assert library.get(f"{generated}b").record.volume == "4"


def _fingerprinted_where(records):  # type: ignore[no-untyped-def]
    """A ``prepare`` that says which process fingerprinted a chunk's records."""
    return os.getpid(), [Fingerprint.of(None, record) for record in records]


def _chunks(prepare):  # type: ignore[no-untyped-def]
    from phbrefs.formats import get_importer
    from phbrefs.parsing import Chunks

    chunks = Chunks.of(get_importer("bibtex"), TEXT, "big.bib", 400)
    assert chunks is not None and chunks.count > 3
    return list(chunks.parsed(prepare))


class _SlowInTheWorker:
    """An importer whose parse takes a while in the parse worker (``PARENT`` is the test's)."""

    def __init__(self, importer, parent: int) -> None:  # type: ignore[no-untyped-def]
        self.importer, self.parent = importer, parent

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.importer, name)

    def parse_part(self, part, origin):  # type: ignore[no-untyped-def]
        if os.getpid() != self.parent:
            time.sleep(PAUSE)
        return self.importer.parse_part(part, origin)


PAUSE = 0.15  # s: far longer than parsing or preparing a chunk of a few entries


def _prepared_by_the_worker(slower: str) -> None:
    """Run alone (the parse worker forks only with no other thread, which a test process
    may have), the ``slower`` side made slow: prints which chunks this process prepared, and
    whether every chunk's preparation is what this process makes of the same records."""
    from phbrefs.formats import get_importer
    from phbrefs.parsing import Chunks

    importer = get_importer("bibtex")
    if slower == "worker":
        importer = _SlowInTheWorker(importer, os.getpid())
    chunks = Chunks.of(importer, TEXT, "big.bib", 400)
    assert chunks is not None and chunks.count > 3
    here, same = [], True
    for index, (chunk, (pid, prints)) in enumerate(chunks.parsed(_fingerprinted_where)):
        if pid == os.getpid():
            here.append(index)
        made_here = _fingerprinted_where(chunk.records)[1]
        same &= [p.identity() for p in prints] == [p.identity() for p in made_here]
        if slower == "import":
            time.sleep(PAUSE)  # this process busy importing the chunk
    print(json.dumps({"here": here, "same": same, "chunks": chunks.count}))


@pytest.mark.parametrize("slower", ["import", "worker"])
def test_the_slower_side_is_given_none_of_the_preparing(slower: str) -> None:
    """Per-record work (an import's fingerprints and library matches) is done beside each
    chunk's parse by the parse worker while the import is busy with the chunk before (a RIS
    import), and by the import when it already waits for the worker (a slow BibTeX parse);
    either way it is what this process would make of the same records, in order."""
    import subprocess
    import sys
    from pathlib import Path

    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("the parse worker runs only with a second core")
    script = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        f"import test_streamed_import as t; t._prepared_by_the_worker({slower!r})"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert seen["same"] and seen["chunks"] > 3
    if slower == "import":
        assert seen["here"] == [0]  # the first chunk only: the worker prepared the others
    else:
        assert seen["here"] == list(range(seen["chunks"]))


PARENT = os.getpid()  # the test process: the parse worker is any other


def _dies_in_the_worker(records):  # type: ignore[no-untyped-def]
    if os.getpid() != PARENT:
        os._exit(1)  # the parse worker killed as it prepares its first chunk
    return _fingerprinted_where(records)


def test_chunks_a_dead_parse_worker_left_are_parsed_and_prepared_here() -> None:
    chunks = _chunks(_dies_in_the_worker)
    assert all(pid == os.getpid() for _, (pid, _) in chunks)
    records = [r.citekey for chunk, _ in chunks for r in chunk.records]
    assert records == [r.citekey for r in parse_input(TEXT, "big.bib").parsed.records]
    assert all(len(prints) == len(chunk.records) for chunk, (_, prints) in chunks)


def test_an_import_into_a_library_matches_each_chunk_against_it(tmp_path) -> None:
    """Library matches worked out beside the parse: a second import of the same works, each
    entry's text changed, merges every one into the work the first import stored."""
    first = "".join(_entry(n) for n in range(1, 30))
    _import(tmp_path / "lib.db", parse_input(first, "first.bib"))
    again = first.replace("a pilot", "a pilot.")  # another source text, the same works
    report = _import(tmp_path / "lib.db", read_input(again, "again.bib", chunk_chars=400))
    assert [r.outcome for r in report.results] == [Outcome.MERGED] * 29
    assert [r.matched for r in report.results] == [f"welch{n}" for n in range(1, 30)]
