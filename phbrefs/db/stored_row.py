"""A work row as the fast reader loads it, decoded exactly as SQLAlchemy decodes it (``data``:
JSON text; datetimes: ISO text, read as UTC): so ``Reader`` and ``Library`` return the same
works."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson

from phbrefs.records import Contributor, WorkRecord
from phbrefs.stored import StoredWork


def decode_json(text: str) -> Any:
    """What SQLAlchemy's JSON type returns (``json.loads``), read by orjson when it can
    (decoding is the largest part of a 10,000-work ``list --json``; orjson takes 3/4 of it)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # what only the stdlib reads (NaN, integers over 64 bits)
        return json.loads(text)


@lru_cache(maxsize=4096)
def utc(text: str) -> datetime:
    """A stored datetime as SQLAlchemy's ``UTCDateTime`` returns it: aware, in UTC. Each text
    read once (datetimes are immutable): the works of one import share their timestamps."""
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)


RECORD_KEYS = frozenset(WorkRecord().to_dict())
PERSON_KEYS = frozenset(vars(Contributor()))


@dataclass
class StoredRow:
    """One work row as stored (``data`` decoded, datetimes still text)."""

    id: int
    citekey: str
    data: dict[str, Any]
    added_at: str
    updated_at: str
    tags: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    tagged: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    def record_dict(self) -> dict[str, Any]:
        """``WorkRecord.from_dict(data).to_dict()``: ``data`` itself when it has exactly the
        fields this phbrefs writes (what every row stored since then has)."""
        data = self.data
        current = data.keys() == RECORD_KEYS and all(
            person.keys() == PERSON_KEYS for person in data["contributors"]
        )
        return data if current else WorkRecord.from_dict(data).to_dict()

    def stored_work(self) -> StoredWork:
        return StoredWork(
            self.id,
            self.citekey,
            WorkRecord.from_dict(self.data),
            utc(self.added_at),
            utc(self.updated_at),
            self.tags,
            [(text, utc(created)) for text, created in self.notes],
            [(tag, by, utc(at) if at else None) for tag, by, at in self.tagged],
        )

    def to_dict(self) -> dict[str, Any]:
        """What ``self.stored_work().to_dict()`` gives."""
        return {
            **self.record_dict(),
            "citekey": self.citekey,
            "tags": self.tags,
            "tagged": [
                {"tag": t, "by": by, "at": utc(at).isoformat() if at else None}
                for t, by, at in self.tagged
            ],
            "notes": [{"text": t, "created_at": utc(c).isoformat()} for t, c in self.notes],
            "added_at": utc(self.added_at).isoformat(),
            "updated_at": utc(self.updated_at).isoformat(),
        }
