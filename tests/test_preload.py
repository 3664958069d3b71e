"""Modules loaded ahead on a thread (phbrefs add, while Crossref answers) are loaded once, and a
module that fails to load is left for the caller's own import to report."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from phbrefs.db.location import Location
from phbrefs.db.schema import write_modules
from phbrefs.preload import preloading


def test_modules_are_loaded_by_the_end_of_the_block(tmp_path: Path, monkeypatch):
    (tmp_path / "ahead_one.py").write_text("LOADS = []\nLOADS.append(1)\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with preloading(["ahead_one"]):
        import ahead_one  # the thread's import, or this one: never both
    assert ahead_one.LOADS == [1]
    monkeypatch.delitem(sys.modules, "ahead_one")


def test_a_module_that_fails_is_reported_by_the_callers_import(tmp_path: Path, monkeypatch, capsys):
    (tmp_path / "ahead_broken.py").write_text("raise RuntimeError('broken')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with preloading(["ahead_broken", "no_such_module_here"]):
        pass
    assert "broken" not in capsys.readouterr().err  # nothing printed by the thread
    with pytest.raises(RuntimeError, match="broken"):
        import ahead_broken  # noqa: F401


def test_the_storage_layer_and_the_dialect_are_loaded_ahead(tmp_path: Path):
    assert write_modules(Location(str(tmp_path / "new.db"))) == [
        "phbrefs.library",
        "sqlalchemy.dialects.sqlite",
    ]
    assert "sqlalchemy.dialects.postgresql" in write_modules(Location("postgresql://h/db"))
