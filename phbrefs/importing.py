"""The import pipeline: parse -> match against the library -> add new works, merge confident
duplicates, flag possible ones -> a per-entry report.

Re-running an import is safe: an entry whose exact source text is already stored with a
matching work, or whose DOI is already in the library with that text, is ``unchanged``.
Only pairs in the matching engine's ``merge`` tier are merged (phbrefs.matching, the engine
``phbrefs dedup`` uses too); ``review`` ones are added as new works and listed by ``phbrefs
dedup``. Every merge is logged so that ``phbrefs unmerge`` can undo it. All writes of one import
are one transaction.

A large file is imported a chunk of entries at a time (``read_input``): each chunk parsed,
matched, written and dropped before the next, so that the import never holds every record,
source text and row at once. Only compact fingerprints of earlier entries are kept; a later
copy of an entry an earlier chunk added is merged into that stored work (logged, as a
library duplicate is), where copies within one chunk are folded into the new work.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phbrefs.controls import check_tag_names
from phbrefs.dedup import DuplicateIndex, Fingerprint, Match, merge_records
from phbrefs.errors import InvalidInputError
from phbrefs.formats import EntryError, ParseResult, detect_format, get_importer
from phbrefs.heap import collector_paused
from phbrefs.outcomes import BatchReport, ItemResult, Outcome
from phbrefs.parsing import CHUNK_CHARS, Chunks, Prepare, parse_text

if TYPE_CHECKING:
    from phbrefs.library import Library
    from phbrefs.records import WorkRecord

__all__ = ["CHUNK_CHARS", "Batch", "import_batches", "parse_input", "parse_text", "read_input"]


@dataclass
class Batch:
    """One input: where it came from, its format, and its entries: ``parsed`` whole, or
    ``chunks`` parsed one after another as the import goes (``read_input``)."""

    origin: str
    format: str
    parsed: ParseResult | None = None
    chunks: Chunks | None = None

    @property
    def size(self) -> int:
        """The units of ``import_batches``'s ``advance``: entries, or characters if chunked."""
        return self.chunks.size if self.chunks else len(self._parsed.records)

    @property
    def _parsed(self) -> ParseResult:
        assert self.parsed is not None, "a batch has its entries parsed or chunks to parse"
        return self.parsed

    def pieces(self, prepare: Prepare | None = None) -> Iterator[tuple[ParseResult, Any]]:
        """Each piece with ``prepare`` of its records when the parse worked it out
        (``Chunks.parsed``), else None."""
        if self.chunks is not None:
            yield from self.chunks.parsed(prepare)
        else:
            yield self._parsed, None

    def rest(self) -> ParseResult:
        """Every error and warning, once ``pieces`` were read."""
        return self.chunks.rest if self.chunks is not None else self._parsed


def parse_input(text: str, origin: str, fmt: str | None = None, path: Path | None = None) -> Batch:
    """Parse one file's text (format given, or from the extension, or from the content)."""
    name = fmt or detect_format(text, path)
    with collector_paused():
        return Batch(origin, name, parse_text(get_importer(name), text, origin))


def read_input(
    text: str,
    origin: str,
    fmt: str | None = None,
    path: Path | None = None,
    *,
    chunk_chars: int = CHUNK_CHARS,
) -> Batch:
    """One file's text to import a chunk of about ``chunk_chars`` at a time (see the module
    docstring), parsed as the import goes; a shorter one (or one the importer cannot cut) is
    parsed now, as ``parse_input`` does."""
    name = fmt or detect_format(text, path)
    importer = get_importer(name)
    chunks = Chunks.of(importer, text, origin, chunk_chars)
    if chunks is not None:
        return Batch(origin, name, chunks=chunks)
    with collector_paused():
        return Batch(origin, name, parse_text(importer, text, origin))


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
    on_chunk: Callable[[list[tuple[WorkRecord, ItemResult]]], Any] | None = None,
) -> BatchReport:
    """Import batches into ``library`` in one transaction; see the module docstring.

    ``strict``: any unreadable entry aborts everything, nothing written (InvalidInputError).
    ``advance(n)`` is called as entries are processed (a progress bar; units: ``Batch.size``).
    ``on_chunk(pairs)``: each chunk's (record, result) pairs, inside the transaction.
    """
    check_tag_names(tags)
    with library.transaction():
        run = _Import(library, list(tags), strict, advance or (lambda n: None), on_chunk)
        return run.all(batches)


class _Import:
    """One import's state across its chunks: the library's fingerprints at the start, compact
    fingerprints of this import's earlier entries and the works they became, the report."""

    def __init__(
        self,
        library: Library,
        tags: list[str],
        strict: bool,
        advance: Callable[[int], Any],
        on_chunk: Callable[[list[tuple[WorkRecord, ItemResult]]], Any] | None,
    ) -> None:
        from phbrefs.db import duplicate_store, import_store

        self.library, self.tags, self.strict = library, tags, strict
        self.advance, self.on_chunk = advance, on_chunk
        prints, self.keys = duplicate_store.library_fingerprints(library)
        self.keys_taken = import_store.keys_in_use(library)  # citekeys and aliases
        self.known = DuplicateIndex()
        for fingerprint in prints:
            self.known.add(fingerprint)
        self.batch = DuplicateIndex()  # this import's entries, refs -(index + 1)
        self.work_of: dict[int, int] = {}  # entry index of an earlier chunk -> its new work
        self.items: list[ItemResult] = []
        self.failed = False  # strict and an entry unreadable: read on, write nothing more

    def all(self, batches: Sequence[Batch]) -> BatchReport:
        for batch in batches:
            with closing(batch.pieces(self.prepare)) as pieces:
                while True:
                    with collector_paused():  # a chunk at a time: its cycles freed before the next
                        chunk, prepared = next(pieces, (None, None))
                        if chunk is None:
                            break
                        self.failed |= self.strict and bool(chunk.errors)
                        if not self.failed:
                            self.chunk(batch.origin, chunk.records, prepared)
                        share = batch.chunks.count if batch.chunks else 1
                        self.advance(batch.size // share)
                        chunk = prepared = None  # dropped before the next is parsed
                        if batch.chunks is not None:  # (a batch parsed whole holds all already)
                            gc.collect(0)  # the young generation: this chunk's objects
        errors = [e for b in batches for e in b.rest().errors]
        if self.strict and errors:
            listed = "; ".join(str(e) for e in errors[:5])
            more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
            raise InvalidInputError(f"nothing imported (--strict): {listed}{more}")
        return BatchReport(
            [*self.items, *(_error_item(e) for e in errors)],
            warnings=[str(w) for b in batches for w in b.rest().warnings],
        )

    def prepare(self, records: list[WorkRecord]) -> tuple[list[Fingerprint], list[list[Match]]]:
        """The records' fingerprints and their matches in the library, which depend on
        nothing this import changes: worked out beside a chunk's parse (``Batch.pieces``),
        a seventh of a large import's time (more into a large library) then spent on the
        other core. Each ``ref`` (None here) is set when the chunk is imported."""
        fingerprints = [Fingerprint.of(None, record) for record in records]
        return fingerprints, [self.known.matches(fp) for fp in fingerprints]

    def chunk(
        self,
        origin: str,
        records: list[WorkRecord],
        prepared: tuple[list[Fingerprint], list[list[Match]]] | None,
    ) -> None:
        """Match, write and report one chunk's entries (all from ``origin``); ``prepared``:
        ``prepare(records)`` when the parse worked it out."""
        from phbrefs.db import import_store
        from phbrefs.dedup import merge_into
        from phbrefs.library import usable_citekey

        library, keys, items, offset = self.library, self.keys, self.items, len(self.items)
        fingerprints, library_matches = prepared or self.prepare(records)
        pairs = zip(fingerprints, library_matches, strict=True)
        for number, (fingerprint, matches) in enumerate(pairs, start=offset + 1):
            fingerprint.ref = -number  # this import's entries: -(index + 1)
            for match in matches:
                match.a = -number
        candidates = {match.b for matches in library_matches for match in matches}
        stored_texts = import_store.source_texts(library, sorted(candidates))

        new: list[int] = []  # chunk indexes to add
        folded: dict[int, list[int]] = {}  # new chunk index -> later ones merged into it
        merges: dict[int, list[int]] = {}  # work id -> chunk indexes merged into it
        unchanged: list[int] = []
        possibles: dict[int, int] = {}  # chunk index -> the work id or (negative) entry it may be
        for index, (record, fingerprint, matches) in enumerate(
            zip(records, fingerprints, library_matches, strict=True)
        ):
            item = ItemResult(_label(origin, record), Outcome.ADDED, title=record.full_title)
            items.append(item)
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
            in_batch = self.batch.matches(fingerprint)
            if in_batch and in_batch[0].confident:
                first = -in_batch[0].b - 1
                if first in self.work_of:  # an earlier chunk added it: merge into that work
                    _describe(item, Outcome.MERGED, in_batch[0], items[first].citekey)
                    merges.setdefault(self.work_of[first], []).append(index)
                else:
                    _describe(item, Outcome.MERGED, in_batch[0], None)
                    folded.setdefault(first - offset, []).append(index)
                self.batch.add(replace(fingerprint, ref=in_batch[0].b))  # later copies may match
                continue
            possible = max([*matches[:1], *in_batch[:1]], key=lambda mt: mt.score, default=None)
            if possible is not None:
                _describe(item, Outcome.POSSIBLE, possible, keys.get(possible.b))
                possibles[index] = possible.b
            new.append(index)
            self.batch.add(fingerprint)

        # new works, with the later entries of this chunk folded into them
        added = []
        for index in new:
            record = records[index]
            later = [records[i] for i in folded.get(index, [])]
            added.append(reduce(merge_records, later, record) if later else record)
            added[-1].raw, added[-1].source = record.raw, record.source
        results = library.add_many(
            added,
            tags=self.tags,
            origin=origin,
            same_doi_same_work=False,
            keys_taken=self.keys_taken,
        )
        added_ids: dict[int, int] = {}
        for index, result in zip(new, results, strict=True):
            items[offset + index].citekey = result.citekey
            added_ids[index] = self.work_of[offset + index] = result.work_id or 0
            for later in folded.get(index, []):
                items[offset + later].matched = items[offset + later].citekey = result.citekey
            if folded.get(index) and result.work_id:  # so that unmerge can split them
                copies = [records[i] for i in folded[index]]
                import_store.log_folded(library, result.work_id, records[index], copies)
        for index, ref in possibles.items():
            if ref < 0:
                items[offset + index].matched = items[-ref - 1].citekey

        # confident duplicates of works already stored
        for work_id, indexes in merges.items():
            incoming = reduce(merge_records, [records[i] for i in indexes])
            incoming.raw = records[indexes[0]].raw  # logged, to find its source text on unmerge
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
                record = records[index]
                if record.raw:
                    sources.append((work_id, origin, record))
                if key := usable_citekey(record.citekey):
                    aliases.setdefault(key, work_id)
        import_store.keep_sources_and_aliases(library, sources, aliases)
        self.keys_taken.update(aliases)  # those already taken were in it
        touched = [*merges, *unchanged]
        if self.tags and touched:
            library.tag_works(list(dict.fromkeys(touched)), self.tags)
        if self.on_chunk is not None:
            self.on_chunk(list(zip(records, items[offset:], strict=True)))


def _describe(item: ItemResult, outcome: Outcome, match: Match, key: str | None) -> None:
    item.outcome = outcome
    item.score = match.score
    item.why = [r for r in match.reasons if r != "confident"]
    item.matched = key
    if outcome is not Outcome.POSSIBLE:
        item.citekey = key
