"""A work as the library holds it, free of any database import: the fast read path
(``phbrefs.db.reader``) and the full library (``phbrefs.library``) both return it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from phbrefs.records import WorkRecord


@dataclass
class StoredWork:
    """A work as the library holds it: the record plus what the user added."""

    id: int
    citekey: str
    record: WorkRecord
    added_at: datetime
    updated_at: datetime
    tags: list[str] = field(default_factory=list)
    notes: list[tuple[str, datetime]] = field(default_factory=list)
    # (tag, who, when) for each tag; who/when are None for tags set before phbrefs kept them
    tagged: list[tuple[str, str | None, datetime | None]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.record.to_dict(),
            "citekey": self.citekey,
            "tags": self.tags,
            "tagged": [
                {"tag": t, "by": by, "at": at.isoformat() if at else None}
                for t, by, at in self.tagged
            ],
            "notes": [{"text": t, "created_at": c.isoformat()} for t, c in self.notes],
            "added_at": self.added_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }
