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
    from phbrefs.library import Library

# Markup off: titles, quotes and abstracts are data ("[b]", "[Ca2+]"), never styling; styled
# output is built from rich Text objects.
out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, markup=False)


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
    """The configured library; reading commands do not create an empty one."""
    from phbrefs.library import Library

    library = Library(settings().db, create=create)
    try:
        yield library
    finally:
        library.close()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


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


def output_path(path: Path | None, default_name: str) -> Path:
    """``path``, or ``default_name`` in the exports folder (created when needed)."""
    if path is None:
        path = settings().exports_dir / default_name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
