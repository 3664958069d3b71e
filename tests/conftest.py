"""Shared fixtures: an isolated environment for every test, libraries, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

# `crossref_server`: a local Crossref; `db`/`lib`: a library holding the two seed papers
pytest_plugins = ["crossref_server", "source_servers", "evidence_helpers"]


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
def library(tmp_path: Path):
    from phbrefs.library import Library

    with Library(tmp_path / "library.db", actor="reviewer-a") as lib:
        yield lib


@pytest.fixture
def cli():
    """Run ``phbrefs ARGS`` in-process; returns the result (exit_code, stdout, stderr)."""
    from typer.testing import CliRunner

    from phbrefs.cli.app import app

    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input)

    return run
