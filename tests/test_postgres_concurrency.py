"""Many phbrefs processes on one PostgreSQL library: exact counts, truthful outcomes, no
traceback. The same contract as on SQLite (tests/test_concurrency.py): writers queue on one
advisory lock per database, so this holds for processes on different machines too.

Each test starts real processes at once (``python -m phbrefs``) against the test server.
"""

from __future__ import annotations

import json
import random

import psycopg
import pytest
from processes import run_together, search_bibtex

from phbrefs.db.engine import ADVISORY_LOCK_KEY, head_revision
from phbrefs.errors import ExitCode


def query(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def count(url: str, table: str) -> int:
    return query(url, f"SELECT count(*) FROM {table}")[0][0]


def test_parallel_add_into_an_empty_database_stores_each_doi_once(
    crossref_server, tmp_path, postgres_url
):
    """4 processes add the same DOIs in different orders to a database none has set up yet."""
    dois = sorted(crossref_server.works)
    commands = []
    for n in range(4):
        shuffled = dois[:]
        random.Random(n).shuffle(shuffled)
        path = tmp_path / f"dois{n}.txt"
        path.write_text("\n".join(shuffled) + "\n", encoding="utf-8")
        commands.append(["add", "--json", "--file", str(path)])
    results = run_together(
        tmp_path, postgres_url, commands, PHBREFS_CROSSREF_URL=crossref_server.url
    )
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    assert count(postgres_url, "work") == len(dois)
    assert count(postgres_url, "work_fts") == len(dois)
    reported: dict[str, list[str]] = {}
    for result in results:
        for item in json.loads(result.stdout):
            reported.setdefault(item["item"], []).append(item["outcome"])
    for doi in dois:  # added by exactly one process, unchanged for the others
        assert sorted(reported[doi]) == ["added", "unchanged", "unchanged", "unchanged"], doi


def test_parallel_imports_of_one_file_store_it_once_and_say_so(tmp_path, postgres_library_url):
    source = tmp_path / "search.bib"
    source.write_text(search_bibtex(200), encoding="utf-8")
    commands = [["import", "--json", str(source)] for _ in range(4)]
    results = run_together(tmp_path, postgres_library_url, commands)
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    assert count(postgres_library_url, "work") == 200
    summaries = [json.loads(r.stdout)["summary"] for r in results]
    new = [s.get("added", s.get("new", 0)) for s in summaries]
    assert sorted(new) == [0, 0, 0, 200]  # one import, three that find it all there
    assert all(s["unchanged"] == 200 for s, n in zip(summaries, new, strict=True) if n == 0)


def test_parallel_imports_of_overlapping_files_keep_every_work(tmp_path, postgres_library_url):
    commands = []
    for n in range(4):
        path = tmp_path / f"part{n}.bib"
        path.write_text(search_bibtex(200, start=n * 150), encoding="utf-8")  # 50 overlap each
        commands.append(["import", "--json", str(path)])
    results = run_together(tmp_path, postgres_library_url, commands)
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    assert count(postgres_library_url, "work") == 3 * 150 + 200
    dois = query(postgres_library_url, "SELECT count(DISTINCT doi), count(*) FROM work")
    assert dois == [(650, 650)]


def test_parallel_claims_get_distinct_positions_and_findings_are_exact(
    tmp_path, postgres_library_url
):
    (tmp_path / "one.bib").write_text(search_bibtex(1), encoding="utf-8")
    [imported] = run_together(tmp_path, postgres_library_url, [["import", "one.bib"]])
    assert imported.returncode == 0, imported.stderr
    claims = run_together(
        tmp_path,
        postgres_library_url,
        [["claim", "add", f"Claim number {n}.", "--slug", f"c{n}"] for n in range(6)],
    )
    assert [r.returncode for r in claims] == [0] * 6, [r.stderr for r in claims]
    positions = sorted(p for (p,) in query(postgres_library_url, "SELECT position FROM claim"))
    assert positions == [1, 2, 3, 4, 5, 6]
    findings = run_together(
        tmp_path,
        postgres_library_url,
        [
            ["finding", "add", "entry0", "c0", "-s", "supports", "-q", f"Quote {n}."]
            for n in range(10)
        ],
    )
    assert [r.returncode for r in findings] == [0] * 10, [r.stderr for r in findings]
    assert count(postgres_library_url, "finding") == 10


def test_parallel_first_use_of_an_empty_database_migrates_it_once(tmp_path, postgres_url):
    results = run_together(
        tmp_path,
        postgres_url,
        [["claim", "add", f"Claim {n}.", "--slug", f"new{n}"] for n in range(4)],
    )
    assert [r.returncode for r in results] == [0] * 4, [r.stderr for r in results]
    assert query(postgres_url, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert count(postgres_url, "claim") == 4
    assert query(postgres_url, "SELECT name FROM framework") == [("RE-AIM",)]


def test_a_lock_held_too_long_is_one_line_and_exit_7(tmp_path, postgres_library_url):
    (tmp_path / "one.bib").write_text(search_bibtex(1), encoding="utf-8")
    [imported] = run_together(tmp_path, postgres_library_url, [["import", "one.bib"]])
    assert imported.returncode == 0, imported.stderr
    with psycopg.connect(postgres_library_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
        [result] = run_together(
            tmp_path,
            postgres_library_url,
            [["tag", "entry0", "--add", "late"]],
            PHBREFS_LOCK_TIMEOUT="0.5",
        )
    assert result.returncode == ExitCode.STORAGE
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "busy" in lines[0] and "PHBREFS_LOCK_TIMEOUT" in lines[0]
    assert count(postgres_library_url, "tag") == 0


@pytest.fixture(autouse=True)
def _server(postgres_server):
    """Every test here needs the server (skips, saying why, without one)."""
