"""A damaged or too-new library is refused in one line, exit 7, and nothing is written;
`phbrefs doctor` finds the damage and rebuilds a damaged search index."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from phbrefs.errors import ExitCode

WORDS = "budgets carers dementia housing respite autism stroke wheelchair".split()


def _title(i: int) -> str:
    """Distinct titles (not near-duplicates): words picked by the digits of ``i``."""
    return " ".join(WORDS[int(d) % len(WORDS)] + "s" * (int(d) // 8) for d in f"{i:03d}")


def _bibtex(n: int) -> str:
    return "".join(
        f"@article{{w{i},\n  title = {{Personal health {_title(i)} number {i}}},\n"
        f"  author = {{Writer{i}, Ann}},\n  year = {{2015}},\n  journal = {{Health}},\n"
        f"  abstract = {{{'Budget holders described their support plans. ' * 8}}}\n}}\n\n"
        for i in range(n)
    )


@pytest.fixture
def filled(cli, tmp_path: Path) -> Path:
    (tmp_path / "works.bib").write_text(_bibtex(456), encoding="utf-8")
    assert cli("import", "works.bib").exit_code == 0
    with sqlite3.connect(tmp_path / "library.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return tmp_path / "library.db"


def _pages(db: Path, table: str, kind: str = "leaf") -> list[int]:
    with sqlite3.connect(db) as conn:
        return [
            p
            for (p,) in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = ? ORDER BY pageno",
                (table, kind),
            )
        ]


def _smash(db: Path, page: int, offset: int = 0, size: int = 4096) -> None:
    with sqlite3.connect(db) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    with db.open("r+b") as handle:
        handle.seek((page - 1) * page_size + offset)
        handle.write(b"\xa5" * min(size, page_size - offset))


def _snapshot(db: Path) -> bytes:
    return db.read_bytes()


def test_a_damaged_works_page_is_refused_by_every_command(cli, filled):
    _smash(filled, _pages(filled, "work")[3])
    before = _snapshot(filled)
    for args in (("list",), ("export", "--all", "-f", "bibtex"), ("tag", "w1", "--add", "x")):
        result = cli(*args)
        assert result.exit_code == ExitCode.STORAGE, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "damaged" in lines[0] and "doctor" in lines[0], lines
        assert result.stdout == ""
    assert _snapshot(filled) == before


def test_doctor_reports_damaged_data_and_exit_7(cli, filled):
    _smash(filled, _pages(filled, "work")[3])
    result = cli("doctor", "--json")
    assert result.exit_code == ExitCode.STORAGE
    report = json.loads(result.stdout)
    assert not report["ok"] and report["repaired"] == []
    assert any(not c["ok"] and "work" in c["detail"] for c in report["checks"])


def test_a_damaged_search_index_fails_search_in_one_line_and_doctor_rebuilds_it(cli, filled):
    # cell contents of the index's data (not its b-tree): the database itself checks clean
    for page in _pages(filled, "work_fts_data"):
        _smash(filled, page, offset=200)
    result = cli("search", "budget")
    assert result.exit_code == ExitCode.STORAGE, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "doctor" in result.stderr
    assert cli("doctor", "--check").exit_code == ExitCode.STORAGE

    repaired = cli("doctor", "--json")
    assert repaired.exit_code == 0, repaired.output
    report = json.loads(repaired.stdout)
    assert report["ok"] and report["repaired"] == ["search index rebuilt from 456 works"]
    found = cli("search", f"{_title(172)} number 172", "--json")
    assert found.exit_code == 0, found.output
    assert [w["citekey"] for w in json.loads(found.stdout)][:1] == ["w172"]
    assert cli("doctor").exit_code == 0


def test_doctor_on_a_sound_library(cli, filled):
    result = cli("doctor")
    assert result.exit_code == 0
    assert "the library is sound" in result.stderr
    assert "456 works indexed" in result.stderr


def test_a_library_from_a_newer_phbrefs_is_refused_naming_both_versions(cli, filled):
    from phbrefs.db.engine import head_revision

    with sqlite3.connect(filled) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_future'")
    before = _snapshot(filled)
    result = cli("list")
    assert result.exit_code == ExitCode.STORAGE
    line = result.stderr.strip()
    assert "0099_future" in line and head_revision() in line and "upgrade phbrefs" in line
    assert _snapshot(filled) == before


def test_a_large_damaged_library_refuses_writes_before_writing(cli, filled, monkeypatch):
    """Past the size checked at open, the first write of a process checks the file first."""
    monkeypatch.setattr("phbrefs.library.READ_CHECK_LIMIT", 0)
    monkeypatch.setattr("phbrefs.db.engine.READ_CHECK_LIMIT", 0)
    _smash(filled, _pages(filled, "source_record")[2])
    before = _snapshot(filled)
    result = cli("tag", "w1", "--add", "x")
    assert result.exit_code == ExitCode.STORAGE, result.output
    assert "damaged" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert _snapshot(filled) == before
