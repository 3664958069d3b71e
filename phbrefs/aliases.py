"""Keys a source proposes that cannot be citekeys (``o'brien2019budget``): the work gets a
usable citekey, and the key given stays an alias of it, so a manuscript citing the original
(``\\cite{o'brien2019budget}``) still resolves; each such entry is reported."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phbrefs.importing import Batch
    from phbrefs.library import Library
    from phbrefs.outcomes import BatchReport


def keep_unusable_keys(library: Library, batches: Sequence[Batch], report: BatchReport) -> int:
    """After an import: alias each unusable proposed key to the work its entry became, and
    say so in that entry's ``detail``; returns how many. ``report.results`` lists the entries
    in input order before the unreadable ones (``importing.import_batches``)."""
    from phbrefs.library import usable_citekey  # what BibTeX, biber and pandoc all accept

    records = [r for b in batches for r in b.parsed.records]
    kept = 0
    for record, item in zip(records, report.results, strict=False):
        proposed = (record.citekey or "").strip()
        if not proposed or usable_citekey(proposed) or not item.citekey:
            continue
        if item.title != record.full_title:  # not the entry this item reports: stop guessing
            break
        if library.add_alias(proposed, item.citekey):
            item.detail = (
                f"key {proposed!r} is not a usable citekey: the work is {item.citekey}, "
                f"and {proposed!r} is kept as its alias"
            )
            kept += 1
        else:
            item.detail = f"key {proposed!r} is not a usable citekey and names another work"
    return kept
