"""What every command shares: settings, the library, consoles, JSON output, confirmations.

Messages go to stderr, data to stdout. Nothing heavy is imported at module level.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from phbrefs.errors import AbortedError

if TYPE_CHECKING:
    from phbrefs.config import Settings
    from phbrefs.db.reader import Reader
    from phbrefs.library import Library, StoredWork

# Markup and emoji codes off: titles, quotes and abstracts are data ("[b]", "[Ca2+]",
# "1:smile:2"), never styling or pictures; styled output is built from rich Text objects.
out = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)
err = Console(stderr=True, highlight=False, markup=False, emoji=False)


@dataclass
class State:
    """Options given before the command (``phbrefs --db x.db list``)."""

    db: str | None = None
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from phbrefs.config import Settings

            self._settings = Settings.load(db=self.db)
        return self._settings


state = State()


def settings() -> Settings:
    return state.settings


@contextmanager
def open_library(*, create: bool = False) -> Iterator[Library]:
    """The configured library; reading commands do not create an empty one, and a library this
    command created is removed again when the command fails before storing anything."""
    from phbrefs.library import Library

    location = settings().db
    new = create and not location.exists()
    config = settings()
    library = Library(location, create=create, lock_wait=config.lock_timeout, actor=config.who)
    try:
        yield library
    except BaseException:
        if new:
            library.discard_if_empty()
        raise
    finally:
        library.close()


@contextmanager
def open_reader() -> Iterator[Reader | Library]:
    """The configured library for a command that only reads it (list, show, search, tags):
    the fast SQLite reader when the library is ready for it, else the full ``Library``."""
    from phbrefs.db.reader import open_reader as open_fast

    reader = open_fast(settings().db, lock_wait=settings().lock_timeout)
    try:
        yield reader
    finally:
        reader.close()


def print_json(data: Any) -> None:
    """Indented UTF-8 JSON on stdout, as ``json.dumps(indent=2, default=str)`` writes it
    (orjson: the stdlib's indented writer is pure Python, seconds for 10,000 works)."""
    import orjson

    options = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
    options |= orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS
    try:
        text = orjson.dumps(data, default=str, option=options)
    except (TypeError, orjson.JSONEncodeError):  # beyond orjson (integers over 64 bits...)
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:  # a text-only stream (a caller's StringIO)
        sys.stdout.write(text.decode() + "\n")
        return
    sys.stdout.flush()
    binary.write(text + b"\n")
    binary.flush()


def counted(n: int, noun: str) -> str:
    """``1 note``, ``2 notes``: a count with its noun singular or plural (``works`` or ``work``)."""
    singular = noun.replace("_", " ")
    if singular.endswith("ies"):
        singular = singular[:-3] + "y"
    elif singular.endswith("s") and not singular.endswith("ss"):
        singular = singular[:-1]
    if n == 1:
        return f"1 {singular}"
    consonant_y = singular.endswith("y") and singular[-2:-1] not in "aeiou"
    plural = singular[:-1] + "ies" if consonant_y else singular + "s"
    return f"{n} {plural}"


def message(text: str) -> None:
    """A human-facing line on stderr, printed as is (never read as rich markup)."""
    err.print(text, markup=False, highlight=False, soft_wrap=True)


def warn(text: str) -> None:
    """A warning line on stderr: the work went on, but the user should know."""
    from rich.text import Text

    err.print(Text("warning: ", style="yellow") + Text(text), soft_wrap=True)


def confirm(question: str, *, yes: bool) -> None:
    """Ask before destroying data; without a terminal, only ``--yes`` proceeds."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise AbortedError(f"{question} Refusing without --yes (no terminal to ask).")
    if not typer.confirm(question, default=False, err=True):
        raise AbortedError("nothing changed")


@contextmanager
def progress(total: int, description: str) -> Iterator[Any]:
    """A rich progress bar on a terminal; silent when stderr is piped. Yields ``advance(n=1)``."""
    if not err.is_terminal or total <= 1:
        yield lambda n=1: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


def select_works(
    library: Library | Reader, keys: list[str] | None, tags: list[str], all_works: bool
) -> list[StoredWork]:
    """The works ``KEY…``, ``--tag`` and ``--all`` name: the keys given, then the works with
    every tag given (or all of them), each once. Never empty: an empty export would look like
    a successful one."""
    from phbrefs.errors import NotFoundError

    if not keys and not tags and not all_works:
        raise typer.BadParameter("name works: KEY…, --tag TAG or --all")
    works = library.works(keys) if keys else []
    if tags or all_works:
        chosen = {w.id for w in works}
        works += [w for w in library.works(tags=tags) if w.id not in chosen]
    if not works:
        raise NotFoundError(
            f"no works tagged {', '.join(tags)}" if tags else "the library is empty"
        )
    return works


def output_path(path: Path | None, default_name: str) -> Path:
    """``path``, or ``default_name`` in the exports folder (made by ``phbrefs.fileio`` when a
    file is written there)."""
    if path is None:
        path = settings().exports_dir / default_name
    return path
