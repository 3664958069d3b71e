"""One writer module per format, each with ``write(table, path)``; text formats also ``render``.

Writers are imported only when used, so asking for Markdown never loads python-docx.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from phbrefs.errors import InvalidInputError
from phbrefs.tables.model import Table

TABLE_FORMATS = ("md", "csv", "html", "docx", "tex", "xlsx")
_MODULES = {
    "md": "markdown",
    "csv": "csv_writer",
    "html": "html",
    "docx": "docx_writer",
    "tex": "latex",
    "xlsx": "xlsx",
}
_ALIASES = {"markdown": "md", "latex": "tex", "htm": "html", "excel": "xlsx", "word": "docx"}


def format_for(path: Path, fmt: str | None = None) -> str:
    """The format asked for, or the one ``path``'s extension names."""
    name = (fmt or path.suffix.lstrip(".")).lower()
    name = _ALIASES.get(name, name)
    if name not in TABLE_FORMATS:
        wanted = f"format {fmt!r}" if fmt else f"extension of {str(path)!r}"
        raise InvalidInputError(f"unknown table {wanted}; known: {', '.join(TABLE_FORMATS)}")
    return name


def written_files(path: Path, fmt: str) -> list[Path]:
    """Every file ``write_table`` writes for ``path``: CSV adds its ``-references.csv``."""
    if fmt == "csv":
        from phbrefs.tables.writers.csv_writer import references_path

        return [path, references_path(path)]
    return [path]


def write_table(table: Table, path: Path | str, fmt: str | None = None) -> Path:
    """Write ``table`` to ``path`` as ``fmt`` (from the extension when None); returns the path."""
    path = Path(path)
    name = format_for(path, fmt)
    module = import_module(f"phbrefs.tables.writers.{_MODULES[name]}")
    module.write(table, path)  # through phbrefs.fileio: atomic, folders made as needed
    return path
