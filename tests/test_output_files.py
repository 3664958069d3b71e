"""Every file phbrefs writes is written whole or not at all, and only over a regular file.

A full disk and a read-only file system are real ones: a 64 KB tmpfs mounted by the test (as
root, which CI is; skipped with the reason elsewhere). Devices, FIFOs, folders and symbolic links
need no privilege.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from phbrefs.errors import ExitCode
from phbrefs.evidence.example import load_example
from phbrefs.library import Library

KEY = "welch2016implementing"
PREVIOUS = b"the previous file, which must survive\n"
MANUSCRIPT = "As @welch2016implementing and @welch2022personal found.\n"

# what each writer is asked to write, and the file it writes to (in the folder under test)
WRITERS: dict[str, tuple[list[str], str]] = {
    "export": (["export", "--all", "-o", "{}"], "refs.bib"),
    "bib html": (["bib", "--all", "-o", "{}"], "refs.html"),
    "bib docx": (["bib", "--all", "-o", "{}"], "refs.docx"),
    "cite": (["cite", "{ms}", "-o", "{}"], "cited.bib"),
    "table html": (["table", "matrix", "-o", "{}"], "matrix.html"),
    "table tex": (["table", "matrix", "-o", "{}"], "matrix.tex"),
    "table md": (["table", "matrix", "-o", "{}"], "matrix.md"),
    "table csv": (["table", "matrix", "-o", "{}"], "matrix.csv"),
    "table docx": (["table", "matrix", "-o", "{}"], "matrix.docx"),
    "table xlsx": (["table", "matrix", "-o", "{}"], "matrix.xlsx"),
    "map": (["map", "-o", "{}"], "map.png"),
    "coding export xlsx": (["coding", "export", "{}", "--force"], "coding.xlsx"),
    "coding export csv": (["coding", "export", "{}", "--force"], "coding.csv"),
}


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example review (two papers, their coding and CERQual), built once."""
    path = tmp_path_factory.mktemp("example") / "library.db"
    with Library(path) as library:
        load_example(library)
    return path


@pytest.fixture
def review(example_db: Path, tmp_path: Path) -> Path:
    """A copy of the example review as ./library.db, and a manuscript citing both papers."""
    shutil.copy(example_db, tmp_path / "library.db")
    (tmp_path / "paper.md").write_text(MANUSCRIPT, encoding="utf-8")
    return tmp_path / "library.db"


def run_writer(cli, name: str, target: Path | str):
    arguments, _ = WRITERS[name]
    return cli(*[a.format(target, ms="paper.md") for a in arguments])


def assert_one_line_error(result, code: ExitCode, *words: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("phbrefs: error: "), result.stderr
    assert all(word in lines[0] for word in words), lines[0]
    assert "Traceback" not in result.stderr


def leftovers(folder: Path, *keep: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p not in keep)


# -- the files are written, whole, with their permissions --------------------------------------


@pytest.mark.parametrize("name", WRITERS)
def test_each_writer_replaces_the_previous_file_keeping_its_mode(cli, review, tmp_path, name):
    target = tmp_path / "out" / WRITERS[name][1]
    target.parent.mkdir()
    target.write_bytes(PREVIOUS)
    target.chmod(0o640)
    result = run_writer(cli, name, target)
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes() != PREVIOUS and target.stat().st_size > 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    partial = [p.name for p in target.parent.iterdir() if ".partial" in p.name]
    assert partial == []


def test_a_new_file_gets_the_usual_mode_and_its_folders(cli, review, tmp_path):
    old = os.umask(0o022)
    try:
        result = run_writer(cli, "export", tmp_path / "new" / "deeper" / "refs.bib")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE((tmp_path / "new" / "deeper" / "refs.bib").stat().st_mode) == 0o644


@pytest.mark.parametrize("command", [["export", "--all"], ["bib", "--all"], ["cite", "paper.md"]])
def test_dash_is_standard_output(cli, review, tmp_path, command):
    if command[0] != "bib":
        command = [*command, "--format", "bibtex"]
    result = cli(*command, "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert "welch" in result.stdout.lower()
    assert not (tmp_path / "-").exists()


# -- targets that are not regular files ---------------------------------------------------------


@pytest.mark.parametrize("name", WRITERS)
def test_a_device_is_refused_and_left_a_device(cli, review, tmp_path, name):
    target = tmp_path / WRITERS[name][1]  # named for its format, a link to the device
    target.symlink_to("/dev/full")
    result = run_writer(cli, name, target)
    assert_one_line_error(result, ExitCode.OUTPUT, target.name, "not a regular file (a device)")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize("command", [["cite", "paper.md"], ["export", "--all"]])
def test_writing_to_dev_full_itself_is_refused(cli, review, command):
    result = cli(*command, "--format", "bibtex", "-o", "/dev/full")
    assert_one_line_error(result, ExitCode.OUTPUT, "/dev/full", "not a regular file (a device)")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize("name", WRITERS)
def test_a_fifo_is_refused_and_left_a_fifo(cli, review, tmp_path, name):
    fifo = tmp_path / WRITERS[name][1]
    os.mkfifo(fifo)
    result = run_writer(cli, name, fifo)  # opening it would block: it is never opened
    assert_one_line_error(result, ExitCode.OUTPUT, "not a regular file (a FIFO)")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.parametrize("name", WRITERS)
def test_a_folder_is_refused_and_left_as_it_was(cli, review, tmp_path, name):
    folder = tmp_path / WRITERS[name][1]
    folder.mkdir()
    (folder / "keep.txt").write_bytes(PREVIOUS)
    result = run_writer(cli, name, folder)
    assert_one_line_error(result, ExitCode.OUTPUT, "it is a directory")
    assert leftovers(folder) == ["keep.txt"]


@pytest.mark.parametrize("name", ["export", "table tex", "coding export xlsx"])
def test_a_symlink_is_followed_the_file_it_names_replaced_and_the_link_kept(
    cli, review, tmp_path, name
):
    real = tmp_path / "real" / WRITERS[name][1]
    real.parent.mkdir()
    real.write_bytes(PREVIOUS)
    link = tmp_path / f"link-{real.name}"
    link.symlink_to(real)
    result = run_writer(cli, name, link)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.resolve() == real
    assert real.read_bytes() != PREVIOUS
    assert leftovers(real.parent) == [real.name]


# -- a full disk and a read-only file system ------------------------------------------------------


def _mount_tmpfs(folder: Path, size: str = "64k") -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "64k") -> Iterator[Path]:
    _mount_tmpfs(folder, size)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Fill the file system until the next byte cannot be written."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 4096)
    with pytest.raises(OSError) as raised:
        (folder / "probe").write_bytes(b"x" * 4096)
    assert raised.value.errno == errno.ENOSPC
    (folder / "probe").unlink(missing_ok=True)
    return filler


@pytest.mark.parametrize("name", WRITERS)
def test_a_full_disk_is_one_line_and_the_previous_file_is_intact(cli, review, tmp_path, name):
    with small_disk(tmp_path / "small") as folder:
        target = folder / WRITERS[name][1]
        target.write_bytes(PREVIOUS)
        filler = fill(folder)
        result = run_writer(cli, name, target)
        assert_one_line_error(
            result, ExitCode.OUTPUT, target.name, "no space left", "previous file is unchanged"
        )
        assert target.read_bytes() == PREVIOUS
        assert leftovers(folder, filler) == [target.name]


@pytest.mark.parametrize("name", ["export", "table xlsx", "coding export xlsx", "bib docx"])
def test_a_read_only_file_system_is_one_line_and_the_file_intact(cli, review, tmp_path, name):
    with small_disk(tmp_path / "small") as folder:
        target = folder / WRITERS[name][1]
        target.write_bytes(PREVIOUS)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        result = run_writer(cli, name, target)
        assert_one_line_error(result, ExitCode.OUTPUT, "read-only file system")
        assert target.read_bytes() == PREVIOUS


@pytest.mark.parametrize(
    "command",
    [["list"], ["tag", KEY, "--add", "x"], ["note", KEY, "hi"]],
)
def test_a_library_on_a_read_only_file_system_is_one_line_exit_7(cli, review, tmp_path, command):
    with small_disk(tmp_path / "small", size="2m") as folder:
        shutil.copy(review, folder / "library.db")
        before = (folder / "library.db").read_bytes()
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        result = cli("--db", folder / "library.db", *command)
        assert_one_line_error(result, ExitCode.STORAGE, "library")
        assert (folder / "library.db").read_bytes() == before


def test_a_library_on_a_full_disk_is_one_line_exit_7_and_unchanged(cli, review, tmp_path):
    with small_disk(tmp_path / "small", size="2m") as folder:  # the library is over 64 KB
        shutil.copy(review, folder / "library.db")
        fill(folder)
        before = (folder / "library.db").read_bytes()
        text = "a long note " * 2000
        result = cli("--db", folder / "library.db", "note", KEY, text)
        assert_one_line_error(result, ExitCode.STORAGE, "library")
        assert (folder / "library.db").read_bytes() == before


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_root_rewriting_a_users_file_leaves_it_theirs(cli, review, tmp_path):
    target = tmp_path / "refs.bib"
    target.write_bytes(PREVIOUS)
    os.chown(target, 65534, 65534)
    assert run_writer(cli, "export", target).exit_code == 0
    info = target.stat()
    assert (info.st_uid, info.st_gid) == (65534, 65534)


@pytest.mark.parametrize("failure", [RuntimeError("a writer's bug"), KeyboardInterrupt()])
def test_a_writer_failing_half_way_leaves_the_previous_file_and_no_debris(tmp_path, failure):
    from phbrefs import fileio

    target = tmp_path / "table.xlsx"
    target.write_bytes(PREVIOUS)

    with pytest.raises(type(failure)), fileio.atomic_path(target) as temporary:
        temporary.write_bytes(b"half a workbook")
        raise failure
    assert target.read_bytes() == PREVIOUS
    assert leftovers(tmp_path) == ["table.xlsx"]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user for a moment")
def test_a_folder_without_write_permission_is_one_error_and_the_file_intact(tmp_path):
    """EACCES, as a user meets it: the folder is root's, the writer is not (root itself is never
    refused, so the test takes another user's identity, then gives it back)."""
    from phbrefs import fileio
    from phbrefs.errors import OutputError

    folder = Path(tempfile.mkdtemp(prefix="phbrefs-eacces-"))  # 0700 parents would hide it
    try:
        folder.chmod(0o755)
        target = folder / "refs.bib"
        target.write_bytes(PREVIOUS)
        target.chmod(0o666)  # the file is writable; the folder, where the new one goes, is not
        os.seteuid(65534)
        try:
            with pytest.raises(OutputError) as raised:
                fileio.write_text(target, "new text")
        finally:
            os.seteuid(0)
        assert str(raised.value) == (
            f"cannot write {target}: permission denied; the previous file is unchanged"
        )
        assert raised.value.exit_code == ExitCode.OUTPUT
        assert target.read_bytes() == PREVIOUS
        assert leftovers(folder) == ["refs.bib"]
    finally:
        shutil.rmtree(folder)


def test_demo_into_a_read_only_file_system_is_one_line(cli, tmp_path):
    with small_disk(tmp_path / "small") as folder:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        result = cli("demo", folder / "review")
        assert_one_line_error(result, ExitCode.OUTPUT, "review", "Read-only file system")
        assert leftovers(folder) == []
