"""Keys a source proposes that cannot be citekeys (``o'brien2019budget``): the work gets a
usable citekey, and the key given stays an alias of it, so a manuscript citing the original
(``\\cite{o'brien2019budget}``) still resolves; each such entry is reported."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phbrefs.library import Library
    from phbrefs.outcomes import ItemResult
    from phbrefs.records import WorkRecord


def keep_unusable_keys(library: Library, entries: Sequence[tuple[WorkRecord, ItemResult]]) -> int:
    """In an import (``importing.import_batches``'s ``on_chunk``): alias each unusable key an
    entry proposed to the work it became, and say so in its result's ``detail``; returns how
    many."""
    from phbrefs.library import usable_citekey  # what BibTeX, biber and pandoc all accept

    kept = 0
    for record, item in entries:
        proposed = (record.citekey or "").strip()
        if not proposed or usable_citekey(proposed) or not item.citekey:
            continue
        if library.add_alias(proposed, item.citekey):
            item.detail = (
                f"key {proposed!r} is not a usable citekey: the work is {item.citekey}, "
                f"and {proposed!r} is kept as its alias"
            )
            kept += 1
        else:
            item.detail = f"key {proposed!r} is not a usable citekey and names another work"
    return kept
