"""What a refresh may change: a fresh answer replaces stored values, never blanks them.

A source that answers with an empty title or no authors (a broken record, a server fault) must
not erase what the library holds: every field the fresh record leaves empty keeps its stored value.
"""

from __future__ import annotations

from dataclasses import fields, replace

from phbrefs.records import WorkRecord

_FROM_THE_ANSWER = frozenset({"source", "raw"})  # always the answer's own


def keep_stored_values(fresh: WorkRecord, stored: WorkRecord) -> WorkRecord:
    """``fresh`` with each field it leaves empty (None, "", [] or {}) taken from ``stored``."""
    kept = {
        field.name: stored_value
        for field in fields(WorkRecord)
        if field.name not in _FROM_THE_ANSWER
        and _empty(getattr(fresh, field.name))
        and not _empty(stored_value := getattr(stored, field.name))
    }
    if "container_title" in kept:  # cleaning retyped the answer for its missing journal
        kept["type"] = stored.type
    return replace(fresh, **kept) if kept else fresh


def _empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}
