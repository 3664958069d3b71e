"""What every metadata source offers: many identifiers in, one resolution per identifier out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from phbrefs.records import WorkRecord

Progress = Callable[[int], None]  # called with how many identifiers were just settled


class Lookup(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not found"
    FAILED = "failed"


@dataclass
class Resolution:
    """The answer for one identifier: its record, or why there is none."""

    identifier: str
    status: Lookup
    record: WorkRecord | None = None
    detail: str | None = None


class Source(Protocol):
    """A metadata source such as Crossref.

    ``resolve`` answers for every identifier given (in the same order), settling what it can in
    as few requests as the source allows. It raises ``SourceError`` only when the source cannot
    be reached at all; a single identifier's failure is a ``Resolution`` with ``FAILED``.
    """

    name: str
    url: str

    def resolve(
        self, identifiers: Sequence[str], progress: Progress | None = None
    ) -> list[Resolution]: ...
