"""What a refresh may change: a fresh answer replaces stored values, never blanks them.

A source that answers with an empty title or no authors (a broken record, a server fault) must
not erase what the library holds: every field the fresh record leaves empty keeps its stored value.
Fields that only make sense together move together: a new title comes with its own subtitle (or
none), a new abstract with its own sections.
"""

from __future__ import annotations

from dataclasses import fields, replace

from phbrefs.records import WorkRecord

_FROM_THE_ANSWER = frozenset({"source", "raw"})  # always the answer's own
_TOGETHER = (("title", "subtitle"), ("abstract", "abstract_sections"))
_GROUPED = {name for group in _TOGETHER for name in group}
_UNITS = [
    *_TOGETHER,
    *((f.name,) for f in fields(WorkRecord) if f.name not in _GROUPED | _FROM_THE_ANSWER),
]


def keep_stored_values(fresh: WorkRecord, stored: WorkRecord) -> WorkRecord:
    """``fresh`` with each field (or group of fields) it leaves empty, None, "", [] or {}, taken
    from ``stored``."""
    kept = {
        name: getattr(stored, name)
        for unit in _UNITS
        if all(_empty(getattr(fresh, name)) for name in unit)
        and not all(_empty(getattr(stored, name)) for name in unit)
        for name in unit
    }
    if "container_title" in kept:  # cleaning retyped the answer for its missing journal
        kept["type"] = stored.type
    return replace(fresh, **kept) if kept else fresh


def _empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}
