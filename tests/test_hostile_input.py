"""Real-world and hostile input files: every encoding a database writes, damaged entries reported
with their line, bounded work on bombs, and no parse worker left behind by a killed import."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from phbrefs.errors import ExitCode
from phbrefs.formats import get_importer
from phbrefs.ids import extract_dois, normalize_doi

BIB = "@article{enc, title = {Caf\\'e in Zoë's São Paulo}, year = {2020}}\n"
RIS = "TY  - JOUR\nTI  - Café in Zoë's São Paulo\nPY  - 2020\nER  - \n"
CSL = '[{"id": "enc", "type": "article-journal", "title": "Café in Zoë\'s São Paulo"}]'
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"]


def imported(cli, path: Path, *extra: str):  # type: ignore[no-untyped-def]
    result = cli("import", "--json", str(path), *extra)
    assert "Traceback" not in result.output
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(("suffix", "text"), [(".bib", BIB), (".ris", RIS), (".json", CSL)])
def test_every_unicode_encoding_with_or_without_bom_is_read(cli, tmp_path, encoding, suffix, text):
    path = tmp_path / f"refs{suffix}"
    path.write_bytes(text.encode(encoding))
    result, report = imported(cli, path)
    assert result.exit_code == 0, result.output
    assert report["summary"]["added"] == 1
    (work,) = json.loads(cli("list", "--json").stdout)
    assert work["title"] == "Café in Zoë's São Paulo"


def test_a_windows_1252_export_is_read(cli, tmp_path):
    path = tmp_path / "endnote.ris"
    path.write_bytes(RIS.replace("Zoë's", "Zoë’s").encode("cp1252"))
    result, report = imported(cli, path)
    assert result.exit_code == 0 and report["summary"]["added"] == 1


def test_an_undecodable_file_is_an_error_naming_it(cli, tmp_path):
    path = tmp_path / "scan.bib"
    path.write_bytes(bytes(range(256)) * 20)
    result = cli("import", str(path))
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr.strip().splitlines() == [
        f"phbrefs: error: {path}: cannot read: not text in any encoding phbrefs knows"
    ]
    assert not (tmp_path / "library.db").exists() or cli("list", "--json").stdout == "[]\n"


def test_entries_damaged_by_a_nul_byte_fail_with_their_line(cli, tmp_path):
    path = tmp_path / "damaged.bib"
    path.write_text(
        "@article{ok, title = {Fine}, year = 2020}\n\n"
        "@art\x00icle{nul1, title = {NUL in the type}, year = 2020}\n\n"
        "@article{nu\x00l2, title = {NUL in the key}, year = 2020}\n\n"
        "@article{nul3, title = {NUL in a \x00 value}, year = 2020}\n\n"
        "@article{ok2, title = {Fine too}}\n",
        encoding="utf-8",
    )
    result, report = imported(cli, path)
    assert result.exit_code == ExitCode.PARTIAL
    assert report["summary"]["added"] == 2 and report["summary"]["failed"] == 3
    failed = {i["item"]: i["detail"] for i in report["items"] if i["outcome"] == "failed"}
    assert set(failed) == {f"{path}:3", f"{path}:5", f"{path}:7"}
    assert "U+0000" in failed[f"{path}:3"] and "key" in failed[f"{path}:5"]
    assert "NUL byte" in failed[f"{path}:7"]


def test_string_macro_bomb_fails_its_entry_quickly():
    lines, previous = ['@string{m0 = "lol lol lol lol"}'], "m0"
    for level in range(1, 40):
        lines.append(f"@string{{m{level} = {' # '.join([previous] * 10)}}}")
        previous = f"m{level}"
    text = (
        "\n".join(lines) + f"\n@article{{bomb, title = {previous}}}\n@misc{{ok, title = {{Ok}}}}\n"
    )
    started = time.perf_counter()
    result = get_importer("bibtex").parse(text, "bomb.bib")
    assert time.perf_counter() - started < 5
    assert [r.citekey for r in result.records] == ["ok"]
    (error,) = result.errors
    assert error.key == "bomb" and error.line == 41 and "expands to more than" in error.reason


def test_an_entry_too_large_to_be_a_reference_fails(cli, tmp_path):
    path = tmp_path / "huge.bib"
    path.write_text(
        "@article{huge, title = {Huge}, abstract = {" + "word " * 300_000 + "}}\n"
        "@article{small, title = {Small}}\n",
        encoding="utf-8",
    )
    result, report = imported(cli, path)
    assert result.exit_code == ExitCode.PARTIAL and report["summary"]["added"] == 1
    (failed,) = [i for i in report["items"] if i["outcome"] == "failed"]
    assert failed["citekey"] == "huge" and "at most 1,000,000" in failed["detail"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
        ('[{"id": "a", "title": "A", "volume": ' + "9" * 5000 + "}]", "5,000-digit integer"),
    ],
)
def test_hostile_json_is_one_line_and_changes_nothing(cli, tmp_path, text, reason):
    path = tmp_path / "hostile.json"
    path.write_text(text, encoding="utf-8")
    result = cli("import", str(path))
    assert result.exit_code == ExitCode.INVALID_INPUT
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"phbrefs: error: {path}") and reason in line


def test_a_lone_surrogate_fails_its_item_only(cli, tmp_path):
    path = tmp_path / "surrogate.json"
    path.write_text(
        '[{"id": "bad", "type": "book", "title": "A \\ud800 B"},'
        ' {"id": "good", "type": "book", "title": "Good"}]',
        encoding="utf-8",
    )
    result, report = imported(cli, path)
    assert result.exit_code == ExitCode.PARTIAL and report["summary"]["added"] == 1
    (failed,) = [i for i in report["items"] if i["outcome"] == "failed"]
    assert "lone surrogate (U+D800)" in failed["detail"]


def test_yaml_billion_laughs_is_refused(cli, db, tmp_path):
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for name, previous in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    result = cli("coding", "import", str(path))
    assert time.perf_counter() - started < 10
    assert result.exit_code == ExitCode.INVALID_INPUT
    (line,) = result.stderr.strip().splitlines()
    assert "aliases expand to more than 1,000,000 values" in line


def test_dois_lose_invisible_characters_and_fullwidth_forms():
    assert normalize_doi("10.1111/hsc.\u200b12396\u202e") == "10.1111/hsc.12396"
    assert normalize_doi("１０．１１１１／ＨＳＣ．１２３９６") == "10.1111/hsc.12396"
    assert normalize_doi("doi:10.1111/hsc.12\u00ad396") == "10.1111/hsc.12396"
    assert extract_dois("at https://doi.org/１０.１１１１/hsc.１２３９６.") == ["10.1111/hsc.12396"]


def test_a_doi_field_that_is_not_a_doi_is_reported(cli, tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text("@article{a, title = {A}, doi = {10.abc/x}}\n", encoding="utf-8")
    result, report = imported(cli, path)
    assert result.exit_code == 0 and report["summary"]["added"] == 1
    assert report["warnings"] == [
        f"{path}:1: a: doi '10.abc/x' is not a DOI: kept as written, not matched"
    ]
    assert "warning:" in cli("import", str(path)).stderr


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits for a parent


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux /proc and fork")
@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: no parallel parse")
def test_kill_9_during_the_parallel_parse_leaves_no_worker(tmp_path):
    entry = (
        "@article{{key{n}, author = {{Welch, Elizabeth and Jones, Karen}},\n"
        "  title = {{Personal health budgets {n}: a {{NHS}} pilot with caf\\'e \\& more}},\n"
        "  journal = {{Health \\& Social Care}}, year = {{2016}}, pages = {{1--9}},\n"
        "  abstract = {{" + "An abstract sentence with p {{\\textless}} 0.05. " * 8 + "}}}}\n"
    )
    path = tmp_path / "big.bib"
    path.write_text("".join(entry.format(n=n) for n in range(12_000)), encoding="utf-8")
    env = {**os.environ, "PHBREFS_DB": str(tmp_path / "library.db")}
    parent = subprocess.Popen(
        [sys.executable, "-m", "phbrefs", "import", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while not workers and time.monotonic() < deadline and parent.poll() is None:
            workers = _children(parent.pid)
            time.sleep(0.01)
        assert workers, "the import finished before it forked a parse worker"
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while any(_running(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_running(w) for w in workers)
    finally:
        if parent.poll() is None:
            parent.kill()
        for worker in workers:  # only if the test failed: never leave them behind
            if _running(worker):
                os.kill(worker, signal.SIGKILL)


def test_a_zip_bomb_workbook_is_refused_before_it_is_unpacked(cli, db, tmp_path):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/sharedStrings.xml", "w") as part,
    ):
        for _ in range(300):
            part.write(b"\0" * (1024 * 1024))
    assert path.stat().st_size < 2_000_000
    result = cli("coding", "import", str(path))
    assert result.exit_code == ExitCode.INVALID_INPUT
    (line,) = result.stderr.strip().splitlines()
    assert "unpacks to 314,572,800 bytes" in line


def test_an_endless_file_is_refused_past_the_size_cap(cli, monkeypatch):
    import phbrefs.textfiles

    monkeypatch.setattr(phbrefs.textfiles, "MAX_FILE_BYTES", 100_000)
    result = cli("import", "/dev/zero", "--format", "ris")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert (
        result.stderr.strip() == "phbrefs: error: /dev/zero: cannot read: larger than 100,000 bytes"
    )


def test_a_directory_is_one_line(cli, tmp_path):
    result = cli("import", str(tmp_path))
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr.strip() == f"phbrefs: error: {tmp_path}: cannot read: Is a directory"
