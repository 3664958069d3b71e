"""Bounds on what one imported entry may hold, checked by every importer after mapping it.

A hostile or damaged file must cost bounded work and fail entry by entry with a reason: a value
too large to be a bibliographic field, text that cannot be stored (a lone surrogate from a JSON
escape), or a NUL byte (a damaged file, never a reference).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

MAX_FIELD_CHARS = 1_000_000  # a long abstract is 10,000; a book's whole text would be this
MAX_ENTRY_CHARS = MAX_FIELD_CHARS  # one entry's source text, every field together
MAX_INTEGER_DIGITS = 50  # JSON numbers: a year or a page, never a 5,000-digit integer
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# SQLite's INTEGER and PostgreSQL's BIGINT hold 64 bits: a larger id, count or year cannot be
# stored or looked up (Python's sqlite3 raises OverflowError), so it is refused before it gets there
MIN_STORED_INT, MAX_STORED_INT = -(2**63), 2**63 - 1


def storable_int(value: int) -> bool:
    """Whether ``value`` fits a 64-bit database integer."""
    return MIN_STORED_INT <= value <= MAX_STORED_INT


def shown(value: Any) -> str:
    """A parsed value (YAML/JSON) as messages name it: ``null``, ``a list``, ``'x'``, ``2020``."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, dict | list):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value) if isinstance(value, str) else str(value)


def not_text(value: Any, *, numbers: bool = False, null: bool = True) -> str | None:
    """Why a parsed value (YAML/JSON) cannot be taken as text, ``expected text, not 2020``; None
    for text, for null (unless ``null`` is False) and, with ``numbers``, for a number."""
    if isinstance(value, str) or (value is None and null):
        return None
    if numbers and isinstance(value, int | float) and not isinstance(value, bool):
        return None
    return f"expected text, not {shown(value)}"


def bounded_int(text: str) -> int:
    """A JSON integer, refused beyond ``MAX_INTEGER_DIGITS`` digits (``json.loads(parse_int=)``)."""
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValueError(f"a {len(text):,}-digit integer (at most {MAX_INTEGER_DIGITS})")
    return int(text)


def _strings(value: Any) -> Iterator[tuple[str, str]]:
    """(field name, text) for every string inside a record, nested lists and objects included."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        name, item = stack.pop()
        if isinstance(item, str):
            yield name, item
        elif isinstance(item, dict):
            stack.extend((f"{name}.{k}".strip("."), v) for k, v in item.items())
        elif isinstance(item, list | tuple):
            stack.extend((name, v) for v in item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(
                (f"{name}.{f.name}".strip("."), getattr(item, f.name))
                for f in dataclasses.fields(item)
            )


def problem(record: Any) -> str | None:
    """Why ``record`` cannot be imported, or None when it can. Its source text holds every
    field, so one search of it is enough (every record read from a file has one)."""
    texts = [("source text", record.raw)] if record.raw else _strings(record)
    for name, text in texts:
        if len(text) > MAX_ENTRY_CHARS:
            return f"the {name} is {len(text):,} characters long (at most {MAX_ENTRY_CHARS:,})"
        if found := _UNSTORABLE.search(text):
            what = "a NUL byte" if found.group(0) == "\x00" else "a lone surrogate"
            return f"the {name} holds {what} (U+{ord(found.group(0)):04X}): a damaged file?"
    return None


def unstorable(content: Any) -> str | None:
    """Where parsed JSON or YAML holds text that cannot be stored, or None."""
    for name, text in _strings(content):
        if found := _UNSTORABLE.search(text):
            what = "a NUL byte" if found.group(0) == "\x00" else "a lone surrogate"
            return f"{what} (U+{ord(found.group(0)):04X}) in {name or 'a value'}"
    return None
