"""Project-wide guarantees: lint clean, fast start-up, documented exit codes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "habanero",
    "citeproc",
    "matplotlib",
    "requests",
    "docx",
    "openpyxl",
    "bibtexparser",
    "rispy",
    "alembic",
    "rapidfuzz",
)


def test_help_imports_no_heavy_module():
    code = (
        "import sys\n"
        "from phbrefs.cli.app import app\n"
        "from typer.testing import CliRunner\n"
        "result = CliRunner().invoke(app, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "", f"--help imported: {result.stdout.strip()}"


def test_version_through_a_real_process(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "phbrefs", "--version"], capture_output=True, text=True, check=True
    )
    from phbrefs import __version__

    assert result.stdout.strip() == f"phbrefs {__version__}"


def test_every_exit_code_is_documented():
    from phbrefs.errors import ExitCode

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert f"| {code.value} | {code.name} |" in readme


@pytest.mark.skipif(
    shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff").exists(),
    reason="ruff not installed",
)
@pytest.mark.parametrize(
    "command", [["check", "."], ["format", "--check", "phbrefs", "tests", "bench"]]
)
def test_ruff_is_clean(command):
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run([ruff, *command], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
