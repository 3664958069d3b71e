"""Citation formats: one registry of importers and exporters, found by name or file extension.

Each format module defines ``IMPORTER`` and/or ``EXPORTER`` objects following the protocols
below; modules are imported only when their format is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from phbrefs.errors import InvalidInputError

if TYPE_CHECKING:
    from phbrefs.library import StoredWork
    from phbrefs.records import WorkRecord

# format name -> module (relative to this package)
FORMATS: dict[str, str] = {
    "bibtex": "bibtex",
    "biblatex": "bibtex",
    "ris": "ris",
    "csljson": "csljson",
}
EXTENSIONS: dict[str, str] = {
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".ris": "ris",
    ".json": "csljson",
    ".csljson": "csljson",
}


@dataclass
class EntryError:
    """An entry that could not be read: where it is and why."""

    origin: str
    line: int | None
    reason: str
    key: str | None = None

    def __str__(self) -> str:
        where = f"{self.origin}:{self.line}" if self.line is not None else self.origin
        return f"{where}: {self.key + ': ' if self.key else ''}{self.reason}"


@dataclass
class ParseResult:
    """Every readable record of a file, an error for each entry that was not, and a warning
    for each value an entry was read without (a DOI that is not one)."""

    records: list[WorkRecord] = field(default_factory=list)
    errors: list[EntryError] = field(default_factory=list)
    warnings: list[EntryError] = field(default_factory=list)


class Importer(Protocol):
    name: str

    def sniff(self, text: str) -> bool:
        """True when ``text`` looks like this format (used when no format is given)."""
        ...

    def parse(self, text: str, origin: str) -> ParseResult:
        """Records from ``text``; ``origin`` (a file name) labels errors and source records."""
        ...


class Exporter(Protocol):
    name: str
    extension: str

    def export(self, works: Sequence[StoredWork], *, abstracts: bool = True) -> str: ...


def _module(name: str):  # type: ignore[no-untyped-def]
    try:
        module_name = FORMATS[name]
    except KeyError:
        raise InvalidInputError(f"unknown format {name!r}; known: {', '.join(FORMATS)}") from None
    return importlib.import_module(f"{__name__}.{module_name}")


def get_importer(name: str) -> Importer:
    module = _module(name)
    importers = getattr(module, "IMPORTERS", None)
    return importers[name] if importers else module.IMPORTER


def get_exporter(name: str) -> Exporter:
    module = _module(name)
    exporters = getattr(module, "EXPORTERS", None)
    return exporters[name] if exporters else module.EXPORTER


def format_for_path(path: Path) -> str | None:
    return EXTENSIONS.get(path.suffix.lower())


def detect_format(text: str, path: Path | None = None) -> str:
    """The format of a file: from its extension, else by sniffing its content."""
    if path is not None and (name := format_for_path(path)):
        return name
    for name in dict.fromkeys(FORMATS.values()):
        if get_importer(name).sniff(text):
            return name
    label = str(path) if path else "standard input"
    raise InvalidInputError(f"{label}: cannot tell the format; give --format")
