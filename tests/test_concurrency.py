"""Many phbrefs processes on one library: exact counts, truthful outcomes, no traceback.

Each test starts real processes at once (``python -m phbrefs``) on one SQLite library and
checks what is stored against what each process reported.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import run_together, search_bibtex

from phbrefs.db.engine import open_engine
from phbrefs.errors import ExitCode, StorageError

DB = "library.db"  # in the folder each process runs in: tmp_path


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_parallel_add_of_overlapping_dois_stores_each_once(crossref_server, tmp_path):
    """4 processes add the same DOIs in different orders to a library none has created yet."""
    dois = sorted(crossref_server.works)
    lists = []
    for n in range(4):
        shuffled = dois[:]
        random.Random(n).shuffle(shuffled)
        path = tmp_path / f"dois{n}.txt"
        path.write_text("\n".join(shuffled) + "\n", encoding="utf-8")
        lists.append(["add", "--json", "--file", str(path)])
    results = run_together(tmp_path, DB, lists, PHBREFS_CROSSREF_URL=crossref_server.url)
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    assert count(tmp_path / "library.db", "work") == len(dois)
    reported: dict[str, list[str]] = {}
    for result in results:
        for item in json.loads(result.stdout):
            reported.setdefault(item["item"], []).append(item["outcome"])
    for doi in dois:  # added by exactly one process, unchanged for the others
        assert sorted(reported[doi]) == ["added", "unchanged", "unchanged", "unchanged"], doi


def test_parallel_imports_of_one_file_store_it_once_and_say_so(tmp_path):
    source = tmp_path / "search.bib"
    source.write_text(search_bibtex(200), encoding="utf-8")
    results = run_together(tmp_path, DB, [["import", "--json", str(source)] for _ in range(4)])
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    assert count(tmp_path / "library.db", "work") == 200
    summaries = [json.loads(r.stdout)["summary"] for r in results]
    assert sum(s["added"] for s in summaries) == 200
    assert sorted(s["added"] for s in summaries) == [0, 0, 0, 200]  # one import, three no-ops
    assert all(s["unchanged"] == 200 for s in summaries if s["added"] == 0)


def test_parallel_imports_of_different_files_keep_every_work(tmp_path):
    commands = []
    for n in range(4):
        path = tmp_path / f"part{n}.bib"
        path.write_text(search_bibtex(200, start=n * 150), encoding="utf-8")  # 50 overlap each
        commands.append(["import", "--json", str(path)])
    results = run_together(tmp_path, DB, commands)
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    assert count(tmp_path / "library.db", "work") == 3 * 150 + 200
    assert count(tmp_path / "library.db", "source_record") >= 3 * 150 + 200


@pytest.fixture
def one_work(tmp_path: Path) -> str:
    (tmp_path / "one.bib").write_text(search_bibtex(1), encoding="utf-8")
    result = run_together(tmp_path, DB, [["import", str(tmp_path / "one.bib")]])[0]
    assert result.returncode == 0, result.stderr
    return "entry0"


def test_parallel_findings_and_claims_are_exact(tmp_path, one_work):
    claims = run_together(
        tmp_path, DB, [["claim", "add", f"Claim number {n}.", "--slug", f"c{n}"] for n in range(6)]
    )
    assert [r.returncode for r in claims] == [0] * 6, [r.stderr for r in claims]
    with sqlite3.connect(tmp_path / "library.db") as conn:
        positions = sorted(p for (p,) in conn.execute("SELECT position FROM claim"))
    assert positions == [1, 2, 3, 4, 5, 6]
    findings = run_together(
        tmp_path,
        DB,
        [
            ["finding", "add", one_work, "c0", "-s", "supports", "-q", f"Quote {n}."]
            for n in range(10)
        ],
    )
    assert [r.returncode for r in findings] == [0] * 10, [r.stderr for r in findings]
    assert count(tmp_path / "library.db", "finding") == 10
    with sqlite3.connect(tmp_path / "library.db") as conn:
        coders = {c for (c,) in conn.execute("SELECT coder FROM finding")}
    assert coders == {"tester"}


def test_parallel_first_use_of_a_new_library_creates_it_once(tmp_path):
    results = run_together(
        tmp_path, DB, [["claim", "add", f"Claim {n}.", "--slug", f"new{n}"] for n in range(4)]
    )
    assert [r.returncode for r in results] == [0] * 4, [r.stderr for r in results]
    assert count(tmp_path / "library.db", "claim") == 4


def test_parallel_first_use_of_an_older_library_migrates_it_once(tmp_path):
    """A library written before schema 0005 (its people also in a contributor table), met by
    readers and writers at the same moment: each succeeds, the schema moves to head once, and
    every work keeps its people and its tags."""
    from schema_helpers import library_at_0003

    from phbrefs.db.engine import head_revision, make_engine
    from phbrefs.records import Contributor, WorkRecord

    engine = make_engine(tmp_path / DB)
    person = Contributor(family="Welch", given="E")
    record = WorkRecord(title="Personal health budgets", contributors=[person])
    library_at_0003(engine, record)
    engine.dispose()
    commands = [["list", "--json"], ["tag", "welch", "--add", "a"]] * 2
    commands[3] = ["tag", "welch", "--add", "b"]
    results = run_together(tmp_path, DB, commands)
    assert [r.returncode for r in results] == [0] * 4, [r.stderr for r in results]
    for listing in (results[0], results[2]):
        [work] = json.loads(listing.stdout)
        assert [p["family"] for p in work["contributors"]] == ["Welch"]
    with sqlite3.connect(tmp_path / DB) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)
        ]
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    assert "contributor" not in tables
    assert count(tmp_path / DB, "work_tag") == 2


@pytest.fixture
def creation_under_way(tmp_path: Path) -> Iterator[Path]:
    """A new library file while another process holds its write lock, the file not yet WAL
    (as when another phbrefs is creating it); the lock is let go after 0.5 s."""
    path = tmp_path / "library.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, holder.execute, ["ROLLBACK"])
    release.start()
    yield path
    release.join()
    holder.close()


def test_a_library_another_process_is_creating_is_waited_for(creation_under_way):
    """SQLite fails the switch to WAL at once here instead of waiting (it would have to
    upgrade a read lock): phbrefs waits its turn, as for any other write."""
    open_engine(creation_under_way).dispose()
    assert count(creation_under_way, "alembic_version") == 1


def test_a_library_being_created_for_too_long_is_reported_busy(creation_under_way):
    with pytest.raises(StorageError, match="is busy: another phbrefs process held it"):
        open_engine(creation_under_way, lock_wait=0.1)


def test_a_lock_held_too_long_is_one_line_and_exit_7(tmp_path, one_work):
    holder = sqlite3.connect(tmp_path / "library.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = run_together(
            tmp_path, DB, [["tag", one_work, "--add", "late"]], PHBREFS_LOCK_TIMEOUT="0.5"
        )[0]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == ExitCode.STORAGE
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "busy" in lines[0] and "PHBREFS_LOCK_TIMEOUT" in lines[0]
    with sqlite3.connect(tmp_path / "library.db") as conn:
        assert conn.execute("SELECT count(*) FROM tag").fetchone()[0] == 0
