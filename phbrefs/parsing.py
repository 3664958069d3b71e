"""Reading a file's entries: all at once on several cores (``parse_text``), or a chunk at a
time (``parse_chunks``) so that an import of a large file never holds all of it parsed."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from phbrefs.forked import can_fork, cuts, end_with_parent, free_cores, map_forked
from phbrefs.formats import Importer, ParseResult

# Below this size a second process costs more than it saves (about 1,000 entries).
PARALLEL_MIN_CHARS = 1_000_000
MAX_PROCESSES = 4


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
        processes = free_cores() if len(text) >= PARALLEL_MIN_CHARS else 1
    split = getattr(importer, "split", None)
    if processes < 2 or split is None or not can_fork():
        return importer.parse(text, origin)
    parts = split(text, cuts(min(processes, MAX_PROCESSES)))
    if not parts or len(parts) < 2:
        return importer.parse(text, origin)
    parse_part = importer.parse_part  # type: ignore[attr-defined]
    parsed = map_forked(lambda part: parse_part(part, origin), parts)
    joined = importer.join(parsed)  # type: ignore[attr-defined]
    return importer.parse(text, origin) if joined is None else joined


# A chunk of a streamed import (about 1,300 BibTeX entries): large enough that per-chunk
# costs (reading the taken citekeys, say) stay small, small enough that its parse takes
# tens of MiB, not hundreds.
CHUNK_CHARS = 500_000


# What a chunk's records are given to by the process that parses them (``Chunks``).
Prepare = Callable[[list[Any]], Any]


class Chunks:
    """A text's entries parsed one chunk after another, each dropped once the caller moves
    on; ``rest`` then holds every error and warning in the order the whole parse gives.

    Chunks are the importer's ``split`` pieces, which parse exactly as the whole does
    (``split`` refuses a text whose entries refer to each other). They hold their own copy of
    the text: the caller may drop the whole.
    """

    def __init__(self, importer: Importer, parts: list[Any], origin: str, size: int) -> None:
        self.importer, self.parts, self.origin = importer, parts, origin
        self.size, self.count = size, len(parts)  # characters, chunks
        self.rest = ParseResult()

    @classmethod
    def of(cls, importer: Importer, text: str, origin: str, chunk_chars: int) -> Chunks | None:
        """``text`` in chunks of about ``chunk_chars``; None when it is one chunk (short, or
        the importer cannot cut it)."""
        split = getattr(importer, "split", None)
        count = -(-len(text) // chunk_chars)
        parts = split(text, [i / count for i in range(1, count)]) if split and count > 1 else None
        return cls(importer, parts, origin, len(text)) if parts and len(parts) > 1 else None

    def parsed(self, prepare: Prepare | None = None) -> Iterator[tuple[ParseResult, Any]]:
        """Each chunk, read once, with ``prepare(chunk.records)`` (None without ``prepare``):
        per-record work done beside the chunk's parse, by the parsing process (on the other
        core, while this one imports the chunk before); ``prepare`` sees this process as it
        is when the first chunk is asked for."""
        importer, parts, self.parts = self.importer, self.parts, []  # read once
        seen: list[Any] = []  # the pieces parsed, their records dropped: for their errors
        for piece, prepared in _parsed_in_order(importer, parts, self.origin, prepare):
            chunk = importer.join([piece])  # type: ignore[attr-defined]  # same records
            piece.records = []
            seen.append(piece)
            yield chunk, prepared
            chunk = prepared = None  # not held while the next piece is parsed
        self.rest = importer.join(seen)  # type: ignore[attr-defined]


def _parse_prepared(importer: Any, part: Any, origin: str, prepare: Prepare | None) -> Any:
    """(the part parsed, ``prepare`` of its records or None)."""
    piece = importer.parse_part(part, origin)
    return piece, _prepared(piece, prepare)


def _prepared(piece: Any, prepare: Prepare | None) -> Any:
    return prepare(piece.records) if prepare is not None else None


def _parsed_in_order(
    importer: Any, parts: list[Any], origin: str, prepare: Prepare | None
) -> Iterator[Any]:
    """Each part parsed and prepared (``_parse_prepared``), in order, each part's text
    dropped once parsed: the first here, the others by one forked child that parses the next
    part while this process imports the one before (the pipe between them holds one at a
    time); a part the child did not send (it died) is parsed here.

    The child prepares a part only while this process is still busy with the one before;
    when this process already waits for it, the child hands it over unprepared and this
    process prepares it: whichever side is the slower (a BibTeX parse, or a RIS import's
    writes) is given none of the other's work."""
    parts.reverse()  # popped in order
    if len(parts) < 2 or free_cores() < 2 or not can_fork():
        while parts:
            yield _parse_prepared(importer, parts.pop(), origin, prepare)
        return
    import multiprocessing

    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    asked = context.RawValue("i", 0)  # the number of the part this process waits for (shared)
    child = context.Process(
        target=_parse_each_in_child,
        args=(importer, parts[-2::-1], origin, prepare, asked, writer, os.getpid()),
        daemon=True,
    )
    child.start()
    writer.close()
    try:
        yield _parse_prepared(importer, parts.pop(), origin, prepare)
        number = 0
        while parts:
            part, number = parts.pop(), number + 1
            asked.value = number
            try:
                message = reader.recv()  # (piece, prepared), or (piece,): prepare it here
            except (EOFError, OSError):  # the child died or could not send: parse it here
                message = (importer.parse_part(part, origin),)
            piece = message[0]
            prepared = message[1] if len(message) == 2 else _prepared(piece, prepare)
            message = part = None
            yield piece, prepared
            piece = prepared = None
    finally:
        reader.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _parse_each_in_child(
    importer: Any,
    parts: list[Any],
    origin: str,
    prepare: Prepare | None,
    asked: Any,
    writer: Any,
    parent: int,
) -> None:
    import gc

    end_with_parent(parent)
    try:
        for index in range(len(parts)):
            part, parts[index] = parts[index], None
            piece = importer.parse_part(part, origin)
            busy = asked.value <= index  # the parent has not asked for it (part index + 1) yet
            writer.send((piece, prepare(piece.records)) if prepare and busy else (piece,))
            piece = None
            gc.collect(0)  # the collector is off (an import in progress): a part's cycles
    except BaseException:  # the parent parses what did not arrive
        pass
    finally:
        writer.close()
