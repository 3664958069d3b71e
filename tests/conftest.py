"""Shared fixtures: an isolated environment for every test, libraries, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

# `crossref_server`: a local Crossref; `db`/`lib`: a library holding the two seed papers;
# `postgres_server`: a real PostgreSQL server
pytest_plugins = ["crossref_server", "source_servers", "evidence_helpers", "postgres_server"]

# The modules whose tests run on both backends (every test using `storage`, `library`, `db`,
# `lib` or `cli`); elsewhere those fixtures are SQLite only. PHBREFS_TEST_BACKENDS=sqlite
# skips PostgreSQL everywhere.
BOTH_BACKENDS = {
    "test_library",
    "test_import",
    "test_dedup",
    "test_evidence",
    "test_evidence_studies",
    "test_coding",
    "test_tables",
    "test_cite",
    "test_migrations",
    "test_add_cli",
    "test_add_core",
    "test_cli_works",
    "test_export",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    from postgres_server import backends

    if "storage" not in metafunc.fixturenames:
        return
    if metafunc.module.__name__.rsplit(".", 1)[-1] in BOTH_BACKENDS and len(backends()) > 1:
        metafunc.parametrize("storage", backends(), indirect=True)


@pytest.fixture
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where this test's library lives: ``./library.db`` (sqlite) or a fresh database holding
    an empty library on the test PostgreSQL server (postgres)."""
    if getattr(request, "param", "sqlite") == "postgres":
        return request.getfixturevalue("postgres_library_url")
    return str(tmp_path / "library.db")


@pytest.fixture
def blank(request: pytest.FixtureRequest, storage: str, tmp_path: Path) -> str:
    """A place for a library that does not exist yet, on ``storage``'s backend: a file name, or
    an empty PostgreSQL database (no schema)."""
    if storage.startswith("postgresql://"):
        return request.getfixturevalue("postgres_url")
    return str(tmp_path / "blank.db")


@pytest.fixture
def discard_library(storage: str):
    """Throw the library away (``discard_library()``): the next command starts a new one."""

    def discard() -> None:
        if not storage.startswith("postgresql://"):
            Path(storage).unlink()
            return
        import psycopg

        with psycopg.connect(storage, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")

    return discard


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads the user's config, cache or library, or reaches the network by default."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PHBREFS_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("PHBREFS_CACHE", "off")
    for name in ("CROSSREF", "EUROPEPMC", "PUBMED", "OPENALEX", "UNPAYWALL"):
        monkeypatch.setenv(f"PHBREFS_{name}_URL", "http://127.0.0.1:9")  # nothing listens there
    # enrichment beyond the Crossref record only where a test asks for it (enrichment_servers)
    monkeypatch.setenv("PHBREFS_ENRICH_CHAIN", "crossref")
    for name in (
        "PHBREFS_DB",
        "PHBREFS_MAILTO",
        "PHBREFS_EXPORTS",
        "PHBREFS_CODER",
        "PHBREFS_NCBI_API_KEY",
        "PHBREFS_OPENALEX_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def library(storage: str):
    from phbrefs.library import Library

    with Library(storage, actor="reviewer-a") as lib:
        yield lib


@pytest.fixture
def cli(storage: str, monkeypatch: pytest.MonkeyPatch):
    """Run ``phbrefs ARGS`` in-process; returns the result (exit_code, stdout, stderr).
    The default library is ``storage`` (``./library.db`` or a PostgreSQL database)."""
    from typer.testing import CliRunner

    from phbrefs.cli.app import app

    if storage.startswith("postgresql://"):
        monkeypatch.setenv("PHBREFS_DB", storage)
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input)

    return run
