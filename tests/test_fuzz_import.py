"""Fuzzing every importer through the CLI: mutated and hostile BibTeX, RIS, CSL-JSON, coding
forms (YAML, JSON, CSV, XLSX) and DOI lists (tests/fixtures/fuzz, made by make_corpus.py), and
hypothesis-mutated text. Every case ends with a documented exit code and one-line messages, no
traceback, and a library unchanged when the command fails."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phbrefs.errors import ExitCode

CORPUS = Path(__file__).parent / "fixtures" / "fuzz"
OK, INVALID, PARTIAL = ExitCode.OK, ExitCode.INVALID_INPUT, ExitCode.PARTIAL


def command(path: Path) -> tuple[list[str], set[int]]:
    """The CLI command that reads ``path`` and the exit codes its documentation allows."""
    name = path.name
    if ".coding." in name:
        return ["coding", "import", str(path)], {OK, INVALID}
    if name.endswith(".dois.txt"):
        return ["add", "--dry-run", "--file", str(path)], {OK, INVALID, PARTIAL}
    return ["import", str(path)], {OK, INVALID, PARTIAL}


def snapshot(db: Path) -> list[str]:
    with sqlite3.connect(db) as connection:
        return list(connection.iterdump())


def check(cli, db: Path, args: list[str], allowed: set[int]) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(db)
    result = cli(*args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{args}: {result.exception!r}"
    )
    assert "Traceback" not in result.output
    assert result.exit_code in allowed, (args, result.exit_code, result.output)
    errors = [line for line in result.stderr.splitlines() if line.startswith("phbrefs: error:")]
    assert len(errors) == (result.exit_code == INVALID), result.stderr
    if result.exit_code == INVALID:
        assert snapshot(db) == before, f"{args} failed but changed the library"
    elif result.exit_code == PARTIAL and args[0] == "import":
        assert any(line.startswith("failed: ") for line in result.stderr.splitlines())


CASES = sorted(
    p
    for p in CORPUS.iterdir()
    if p.suffix != ".py" and not p.name.startswith(("shared-doi", "README"))
)


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_corpus_case(cli, db, path):
    args, allowed = command(path)
    intact = path.name.startswith(("seed.", "utf16-nobom."))
    if intact and not path.name.endswith((".csv", ".xlsx")):  # read whole, nothing lost
        allowed = {OK}
    check(cli, db, args, allowed)


def test_a_doi_shared_across_two_imports_does_not_crash(cli, db):
    """A real search export pattern: records of one batch sharing a DOI with earlier imports
    (UNIQUE constraint failed: work.doi in dedup.merge_into / library.add_many)."""
    check(cli, db, ["import", str(CORPUS / "shared-doi-first.bib")], {OK, PARTIAL})
    check(cli, db, ["import", str(CORPUS / "shared-doi-second.bib")], {OK, PARTIAL})


SEEDS = {
    name: (CORPUS / name).read_bytes()
    for name in ("seed.bib", "seed.ris", "seed.json", "seed.coding.yaml", "seed.dois.txt")
}
SPECIALS = [
    b"\x00",
    b"{",
    b"}",
    b"\\",
    b"@",
    b"#",
    b'"',
    b"%",
    b"$",
    b"\n",
    b"TY  - ",
    b"ER  - ",
    b"\xff",
    b"\xfe",
    b"[",
    b"]",
    b",",
    b"\\ud800",
    b"\xe2\x80\xae",
    b"9" * 40,
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.sampled_from(sorted(SEEDS)),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 8), st.sampled_from(SPECIALS)), max_size=6
    ),
)
def test_mutated_imports(cli, db, tmp_path_factory, seed, edits):
    data = bytearray(SEEDS[seed])
    for where, cut, insert in edits:  # replace a few bytes at a point with a special one
        at = int(where * len(data))
        data[at : at + cut] = insert
    path = tmp_path_factory.mktemp("fuzz") / seed.replace("seed", "mutated")
    path.write_bytes(bytes(data))
    check(cli, db, *command(path))
