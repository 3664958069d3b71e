"""The import pipeline: parse -> match against the library -> add new works, merge confident
duplicates, flag possible ones -> a per-entry report.

Re-running an import is safe: an entry whose exact source text is already stored with a
matching work, or whose DOI is already in the library with that text, is ``unchanged``.
Only pairs in the matching engine's ``merge`` tier are merged (phbrefs.matching, the engine
``phbrefs dedup`` uses too); ``review`` ones are added as new works and listed by ``phbrefs
dedup``. Every merge is logged so that ``phbrefs unmerge`` can undo it. All writes of one import
are one transaction.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phbrefs.dedup import DuplicateIndex, Fingerprint, Match, merge_records
from phbrefs.errors import InvalidInputError
from phbrefs.formats import EntryError, Importer, ParseResult, detect_format, get_importer
from phbrefs.outcomes import BatchReport, ItemResult, Outcome

if TYPE_CHECKING:
    from phbrefs.library import Library
    from phbrefs.records import WorkRecord


@dataclass
class Batch:
    """One parsed input: where it came from, its format, its records and errors."""

    origin: str
    format: str
    parsed: ParseResult


@contextmanager
def _bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector: parsing and storing a batch allocates hundreds of
    thousands of short-lived objects without cycles, and its passes cost a third of the time.

    On resuming, what survived goes straight to the oldest generation (freeze, unfreeze: two
    list splices) rather than being scanned by a young collection that could find no garbage
    worth the pass; full collections still see it later. (Not when the program froze objects
    itself, say before forking workers: those must stay frozen.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def parse_input(text: str, origin: str, fmt: str | None = None, path: Path | None = None) -> Batch:
    """Parse one file's text (format given, or from the extension, or from the content)."""
    name = fmt or detect_format(text, path)
    with _bulk():
        return Batch(origin, name, parse_text(get_importer(name), text, origin))


# Below this size a second process costs more than it saves (about 1,000 entries).
PARALLEL_MIN_CHARS = 1_000_000
MAX_PROCESSES = 4
PARENT_SHARE = 1.15


def parse_text(
    importer: Importer, text: str, origin: str, processes: int | None = None
) -> ParseResult:
    """``importer.parse(text, origin)``, on several cores for a large file.

    An importer that can cut a text into pieces that parse exactly as the whole does
    (``split``/``parse_part``/``join``) has its pieces parsed in forked processes, this one
    parsing the first; the result, line numbers and errors included, is the same. Anything
    unusual (no fork, other threads running, a worker failing, pieces that ``join`` finds
    refer to each other) falls back to one process.
    """
    if processes is None:
        processes = _free_cores() if len(text) >= PARALLEL_MIN_CHARS else 1
    split = getattr(importer, "split", None)
    if processes < 2 or split is None or not _can_fork():
        return importer.parse(text, origin)
    count = min(processes, MAX_PROCESSES)
    # this process's piece a little larger: the others' results still have to travel back
    shares = [PARENT_SHARE, *([1.0] * (count - 1))]
    cuts = [sum(shares[:i]) / sum(shares) for i in range(1, count)]
    parts = split(text, cuts)
    if not parts or len(parts) < 2:
        return importer.parse(text, origin)
    joined = importer.join(_parse_parts(importer, parts, origin))  # type: ignore[attr-defined]
    return importer.parse(text, origin) if joined is None else joined


def _free_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _can_fork() -> bool:
    """Fork only where it is safe: Linux, no other thread, not inside a daemonic worker."""
    import multiprocessing
    import threading

    return (
        sys.platform.startswith("linux")
        and threading.active_count() == 1
        and not multiprocessing.current_process().daemon
    )


def _parse_parts(importer: Any, parts: Sequence[Any], origin: str) -> list[Any]:
    """Each part parsed: the first here, the others in forked children (which inherit the
    text and need no pickling of it); a child that fails has its part parsed here."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    children = []
    try:
        for part in parts[1:]:
            reader, writer = context.Pipe(duplex=False)
            child = context.Process(
                target=_parse_in_child,
                args=(importer, part, origin, writer, os.getpid()),
                daemon=True,
            )
            child.start()
            writer.close()
            children.append((child, reader))
        results = [importer.parse_part(parts[0], origin)]
        for part, (_, reader) in zip(parts[1:], children, strict=True):
            try:
                results.append(reader.recv())
            except (EOFError, OSError):  # the child died or could not send its result
                results.append(importer.parse_part(part, origin))
            finally:
                reader.close()
        return results
    finally:
        for child, _ in children:
            if child.is_alive():
                child.terminate()
            child.join()


def _end_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (a parent killed with -9 never
    reads the result, and the child would wait on its pipe forever)."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux's C library: the parent check below remains
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _parse_in_child(importer: Any, part: Any, origin: str, writer: Any, parent: int) -> None:
    _end_with_parent(parent)
    try:
        writer.send(importer.parse_part(part, origin))
    except BaseException:  # the parent parses the part itself when nothing arrives
        pass
    finally:
        writer.close()


def _label(origin: str, record: WorkRecord) -> str:
    name = record.citekey or (record.full_title or "")[:60]
    return f"{origin}: {name}"


def _error_item(error: EntryError) -> ItemResult:
    return ItemResult(str(error).split(": ", 1)[0], Outcome.FAILED, error.key, detail=error.reason)


def import_batches(
    library: Library,
    batches: Sequence[Batch],
    *,
    tags: Sequence[str] = (),
    strict: bool = False,
    advance: Callable[[int], Any] | None = None,
) -> BatchReport:
    """Import parsed batches into ``library`` in one transaction; see the module docstring.

    ``strict``: any unreadable entry aborts everything before a write (InvalidInputError).
    ``advance(n)`` is called as entries are processed (a progress bar).
    """
    errors = [e for b in batches for e in b.parsed.errors]
    if strict and errors:
        listed = "; ".join(str(e) for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise InvalidInputError(f"nothing imported (--strict): {listed}{more}")
    for name in tags:
        if not name.strip():
            raise InvalidInputError("a tag name cannot be empty")
    entries = [(b.origin, r) for b in batches for r in b.parsed.records]
    report = BatchReport(
        [_error_item(e) for e in errors],
        warnings=[str(w) for b in batches for w in b.parsed.warnings],
    )
    with _bulk(), library.transaction():
        _import(library, entries, report, list(tags), advance or (lambda n: None))
    return report


def _import(
    library: Library,
    entries: list[tuple[str, WorkRecord]],
    report: BatchReport,
    tags: list[str],
    advance: Callable[[int], Any],
) -> None:
    from phbrefs.db import duplicate_store, import_store
    from phbrefs.dedup import merge_into
    from phbrefs.library import usable_citekey

    prints, keys = duplicate_store.library_fingerprints(library)
    known = DuplicateIndex()
    for fingerprint in prints:
        known.add(fingerprint)
    fingerprints = [Fingerprint.of(-(i + 1), r) for i, (_, r) in enumerate(entries)]
    library_matches = [known.matches(fp) for fp in fingerprints]
    candidates = {match.b for matches in library_matches for match in matches}
    stored_texts = import_store.source_texts(library, sorted(candidates))

    batch = DuplicateIndex()
    new: list[int] = []  # entry indexes to add
    folded: dict[int, list[int]] = {}  # new entry index -> later entries merged into it
    merges: dict[int, list[int]] = {}  # work id -> entries merged into it
    unchanged: list[int] = []
    possibles: dict[int, int] = {}  # entry index -> the work id or (negative) entry it may be
    items: list[ItemResult] = []
    for index, ((origin, record), fingerprint, matches) in enumerate(
        zip(entries, fingerprints, library_matches, strict=True)
    ):
        item = ItemResult(_label(origin, record), Outcome.ADDED, title=record.full_title)
        items.append(item)
        advance(1)
        same_text = next(
            (mt for mt in matches if record.raw and record.raw in stored_texts.get(mt.b, ())),
            None,
        )
        if same_text is not None:
            _describe(item, Outcome.UNCHANGED, same_text, keys[same_text.b])
            item.why = ["already imported (same source text)"]
            unchanged.append(same_text.b)
            continue
        if matches and matches[0].confident:
            _describe(item, Outcome.MERGED, matches[0], keys[matches[0].b])
            merges.setdefault(matches[0].b, []).append(index)
            continue
        in_batch = batch.matches(fingerprint)
        if in_batch and in_batch[0].confident:
            first = -in_batch[0].b - 1
            _describe(item, Outcome.MERGED, in_batch[0], None)
            folded.setdefault(first, []).append(index)
            batch.add(replace(fingerprint, ref=in_batch[0].b))  # later copies may match it
            continue
        possible = max([*matches[:1], *in_batch[:1]], key=lambda mt: mt.score, default=None)
        if possible is not None:
            _describe(item, Outcome.POSSIBLE, possible, keys.get(possible.b))
            possibles[index] = possible.b
        new.append(index)
        batch.add(fingerprint)

    # new works (with the later batch entries folded into them), per origin for source records
    added_ids: dict[int, int] = {}
    by_origin: dict[str, list[int]] = {}
    for index in new:
        by_origin.setdefault(entries[index][0], []).append(index)
    for origin, indexes in by_origin.items():
        records = []
        for index in indexes:
            record = entries[index][1]
            later = [entries[i][1] for i in folded.get(index, [])]
            records.append(reduce(merge_records, later, record) if later else record)
            records[-1].raw, records[-1].source = record.raw, record.source
        results = library.add_many(records, tags=tags, origin=origin, same_doi_same_work=False)
        for index, result in zip(indexes, results, strict=True):
            items[index].citekey = result.citekey
            added_ids[index] = result.work_id or 0
            for later in folded.get(index, []):
                items[later].matched = items[later].citekey = result.citekey
            if folded.get(index) and result.work_id:  # so that unmerge can split them
                copies = [entries[i][1] for i in folded[index]]
                import_store.log_folded(library, result.work_id, entries[index][1], copies)
    for index, ref in possibles.items():
        if ref < 0:
            items[index].matched = items[-ref - 1].citekey

    # confident duplicates of works already stored
    for work_id, indexes in merges.items():
        incoming = reduce(merge_records, [entries[i][1] for i in indexes])
        incoming.raw = entries[indexes[0]][1].raw  # logged, to find its source text on unmerge
        merge_into(library, work_id, [], extra_record=incoming)
    # every incoming text is kept beside the work it became part of
    # and the key it proposed keeps resolving (a manuscript may cite it)
    sources = []
    aliases: dict[str, int] = {}
    for work_id, indexes in [
        *merges.items(),
        *((added_ids[first], later) for first, later in folded.items()),
    ]:
        for index in indexes:
            origin, record = entries[index]
            if record.raw:
                sources.append((work_id, origin, record))
            if key := usable_citekey(record.citekey):
                aliases.setdefault(key, work_id)
    import_store.keep_sources_and_aliases(library, sources, aliases)
    touched = [*merges, *unchanged]
    if tags and touched:
        library.tag_works(list(dict.fromkeys(touched)), tags)
    report.results[:0] = items


def _describe(item: ItemResult, outcome: Outcome, match: Match, key: str | None) -> None:
    item.outcome = outcome
    item.score = match.score
    item.why = [r for r in match.reasons if r != "confident"]
    item.matched = key
    if outcome is not Outcome.POSSIBLE:
        item.citekey = key
