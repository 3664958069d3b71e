"""Every file phbrefs writes is written whole or not at all: the one place that writes them.

A file is written to a temporary file beside its target (same folder, so the same file system),
flushed and synced to disk, given the target's permissions, and renamed over the target in one
step (``os.replace``). A full disk, a missing permission or a read-only file system therefore
leaves the previous file exactly as it was, and a reader (a LaTeX build, a watcher) never sees
half a file.

Targets: a symbolic link is followed and the file it points to is replaced (the link stays a
link). A target that exists but is not a regular file (a directory, a device such as
``/dev/full``, a FIFO, a socket) is refused: renaming over it would destroy it, and writing into
it is not writing a file. ``-`` means standard output and is the callers' to handle
(``file_or_stdout``).

Hand-written because the one library for this (atomicwrites) is archived, and none refuses
special targets or maps the errors to phbrefs' own. The folder is not synced after the rename: a
crash then leaves the old file or the new one, both whole, which is the promise.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from phbrefs.errors import OutputError

_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "read-only file system",
    errno.EISDIR: "it is a directory",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EFBIG: "the file is too large for this file system",
}


def file_or_stdout(path: Path | None) -> Path | None:
    """An ``-o`` option's file, or None for standard output (not given, or ``-``)."""
    return None if path is None or str(path) == "-" else path


def output_target(path: Path | str) -> Path:
    """The regular file that writing ``path`` replaces: links followed, anything else refused."""
    given = Path(path)
    target = Path(os.path.realpath(given))
    try:
        info = target.stat()
    except FileNotFoundError:
        return target
    except OSError as error:
        raise _output_error(given, error, existed=False) from error
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(f"cannot write {given}: it is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(f"cannot write {given}: not a regular file ({_kind(info.st_mode)})")
    return target


@contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """A temporary path to write the whole file to; on leaving, it replaces ``path``.

    The temporary name ends with the target's extension. On any error the temporary file is
    removed and the target is untouched; an ``OSError`` becomes ``OutputError`` (one line, exit
    code OUTPUT).
    """
    given = Path(path)
    target = output_target(given)
    existed = target.exists()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = _create_beside(target)
    except OSError as error:
        raise _output_error(given, error, existed) from error
    try:
        yield temporary
        _sync(temporary)
        if existed:
            _keep_owner_and_mode(temporary, target.stat())
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise _output_error(given, error, existed) from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text(
    path: Path | str, text: str, *, encoding: str = "utf-8", newline: str | None = None
) -> Path:
    """Write ``text`` to ``path`` atomically; returns the path given."""
    with (
        atomic_path(path) as temporary,
        temporary.open("w", encoding=encoding, newline=newline) as handle,
    ):
        handle.write(text)
    return Path(path)


def write_bytes(path: Path | str, data: bytes) -> Path:
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)
    return Path(path)


def write_with(path: Path | str, save: Callable[[BinaryIO], object]) -> Path:
    """``save(stream)`` (a library's own save: openpyxl, python-docx, matplotlib), then the
    bytes written atomically. The library writes to memory: a zip writer that fails half-way
    on a full disk would otherwise complain again, with a traceback, when it is collected."""
    output_target(path)  # refuse a bad target before the work of saving
    stream = io.BytesIO()
    save(stream)
    return write_bytes(path, stream.getvalue())


def _create_beside(target: Path) -> Path:
    """A new empty file in the target's folder; mode 0666 less the umask, as ``open`` gives."""
    while True:
        # os.urandom, not secrets: the same bytes without importing hmac and hashlib at start-up
        name = f".{target.stem}.{os.urandom(4).hex()}.partial{target.suffix}"
        temporary = target.with_name(name)
        try:
            os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return temporary


def _keep_owner_and_mode(temporary: Path, previous: os.stat_result) -> None:
    os.chmod(temporary, stat.S_IMODE(previous.st_mode))
    if os.geteuid() == 0:  # root writing someone's file: it stays theirs
        os.chown(temporary, previous.st_uid, previous.st_gid)


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _output_error(path: Path, error: OSError, existed: bool) -> OutputError:
    reason = _REASONS.get(error.errno or 0) or error.strerror or str(error)
    kept = "; the previous file is unchanged" if existed else ""
    return OutputError(f"cannot write {path}: {reason}{kept}")
