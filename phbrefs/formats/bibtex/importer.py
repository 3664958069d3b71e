"""Reading BibTeX and BibLaTeX files: whole, or cut into pieces parsed apart and joined."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from phbrefs.formats import EntryError, ParseResult
from phbrefs.formats.bibtex.entries import (
    ENTRY_ERROR,
    _fields,
    _inherit,
    _parse_stack,
    entry_to_record,
)
from phbrefs.formats.bibtex.fields import CONTAINER_ENTRIES
from phbrefs.formats.limits import problem as beyond_limits
from phbrefs.records import WorkRecord

if TYPE_CHECKING:
    from bibtexparser.model import Entry

log = logging.getLogger("bibtexparser")
log.addHandler(logging.NullHandler())
log.propagate = False


class BibImporter:
    """Reads BibTeX and BibLaTeX alike (the dialect only matters when writing)."""

    extension = ".bib"

    def __init__(self, name: str) -> None:
        self.name = name

    def sniff(self, text: str) -> bool:
        return re.search(r"^\s*@\s*[A-Za-z]+\s*[{(]", text, re.MULTILINE) is not None

    def parse(self, text: str, origin: str) -> ParseResult:
        return _merge([self.parse_part(BibPart(0, text, None), origin)])

    def split(self, text: str, cuts: Sequence[float]) -> list[BibPart] | None:
        """``text`` cut near ``cuts`` (fractions of its length) into pieces that parse exactly
        as the whole does; None when entries may depend on each other (``@string``, a
        ``crossref`` or ``xdata`` field or ``@xdata`` entry anywhere in it, a key given twice),
        so that a streamed import never meets pieces that ``join`` refuses after it stored the
        first.

        Cuts fall before an ``@type{`` at the start of a line, where bibtexparser always ends
        the block before and starts a new one; each piece but the last ends with that block
        start (the sentinel) so that an unclosed block before it fails as it does in the whole
        file, and the sentinel's own block is dropped.
        """
        if not cuts or _STRING.search(text) or _links(text):
            return None
        keys = [
            key.strip().lower()
            for kind, key in _BLOCK_KEY.findall(text)
            if not kind.lower().startswith(("comment", "preamble"))  # keyless blocks
        ]
        if len(set(keys)) != len(keys):
            return None
        starts: list[tuple[int, str]] = []  # (offset, the block start found there)
        for fraction in cuts:
            at = max(int(len(text) * fraction), starts[-1][0] if starts else 0)
            if match := _PART_START.search(text, at):
                starts.append((match.end(), match.group(1)))
        pieces, start, first_line = [], 0, 0
        for cut, sentinel in starts:
            body = text[start:cut]
            lines = _marked_lines(body)  # a cut follows a newline: no escaped one spans it
            pieces.append(BibPart(first_line, body + sentinel, lines))
            start, first_line = cut, first_line + lines
        pieces.append(BibPart(first_line, text[start:], None))
        return pieces

    def parse_part(self, part: BibPart, origin: str) -> BibParsed:
        import bibtexparser
        from bibtexparser.model import (
            DuplicateBlockKeyBlock,
            Entry,
            ImplicitComment,
            ParsingFailedBlock,
        )

        library = bibtexparser.parse_string(part.text, parse_stack=_parse_stack())
        parsed = BibParsed([], [], [], linked=bool(library.strings))
        entries: dict[str, tuple[str, dict[str, Any]]] = {}
        ordered: list[tuple[Entry, dict[str, Any], str | None]] = []  # entry, fields, error
        for block in library.blocks:
            if part.sentinel_line is not None and (block.start_line or 0) >= part.sentinel_line:
                continue  # the next piece's first block
            if isinstance(block, DuplicateBlockKeyBlock):
                if not isinstance(block.ignore_error_block, Entry):
                    continue  # a repeated @string: the first definition stands
                block = _transform_alone(block.ignore_error_block, library.strings)
                ordered.append((block, _fields(block), _entry_error(block)))
            elif isinstance(block, ParsingFailedBlock):
                inner = block.ignore_error_block
                if isinstance(inner, Entry):
                    ordered.append((inner, {}, str(block.error)))
                else:
                    line = part.line(block.start_line)
                    reason = str(block.error).split("\n")[-1].strip() or "unreadable entry"
                    key = _key_of(block.raw)
                    parsed.block_errors.append(EntryError(origin, line, reason, key))
                continue
            elif isinstance(block, Entry):
                ordered.append((block, _fields(block), _entry_error(block)))
            else:
                if isinstance(block, ImplicitComment):
                    parsed.block_errors.extend(_stray_entries(block, part, origin))
                continue
            entries.setdefault(block.key.lower(), (block.entry_type.lower(), ordered[-1][1]))
        parsed.linked |= any("crossref" in own or "xdata" in own for _, own, _ in ordered)
        for entry, own, error in ordered:
            line = part.line(entry.start_line)
            entry_type = entry.entry_type.lower()
            if error:
                parsed.entry_errors.append(EntryError(origin, line, error, entry.key))
                continue
            if entry_type in CONTAINER_ENTRIES:
                continue
            try:
                seen = frozenset([entry.key.lower()])
                fields = _inherit(entries, entry_type, own, seen)
                record = entry_to_record(entry_type, entry.key, fields, entry.raw, self.name)
            except (TypeError, ValueError, AttributeError) as problem:
                parsed.entry_errors.append(
                    EntryError(origin, line, f"cannot map: {problem}", entry.key)
                )
                continue
            if not record.title:
                parsed.entry_errors.append(EntryError(origin, line, "no title", entry.key))
                continue
            if reason := beyond_limits(record):
                parsed.entry_errors.append(EntryError(origin, line, reason, entry.key))
                continue
            if not record.doi and record.extra.get("doi"):
                why = f"doi {record.extra['doi']!r} is not a DOI: kept as written, not matched"
                parsed.warnings.append(EntryError(origin, line, why, entry.key))
            parsed.records.append(record)
        return parsed

    def join(self, parsed: Sequence[BibParsed]) -> ParseResult | None:
        """One file's result from its pieces' (unreadable blocks first, then entries' errors),
        or None when entries of different pieces may refer to each other."""
        if len(parsed) > 1 and any(piece.linked for piece in parsed):
            return None
        return _merge(parsed)


def _merge(parsed: Sequence[BibParsed]) -> ParseResult:
    return ParseResult(
        [record for piece in parsed for record in piece.records],
        [error for piece in parsed for error in piece.block_errors]
        + [error for piece in parsed for error in piece.entry_errors],
        [warning for piece in parsed for warning in piece.warnings],
    )


# A block start at the beginning of a line (bibtexparser's own pattern), where pieces are cut.
_PART_START = re.compile(r"\n(?=(@\w*[ \t]*[{(]))")
# What bibtexparser takes for a block's key: up to its next mark (conservatively, up to an @).
_BLOCK_KEY = re.compile(r"@(\w*)[ \t]*[{(]([^{}\",=)@]*)")
_STRING = re.compile(r"@[sS][tT][rR][iI][nN][gG]")  # faster than re.IGNORECASE
# a field that links entries (a word "Crossref" in an abstract is not one), or an @xdata entry
_LINK = re.compile(
    r"(?:[cC][rR][oO][sS][sS][rR][eE][fF]|[xX][dD][aA][tT][aA])\s*=|@[xX][dD][aA][tT][aA]"
)


def _marked_lines(text: str) -> int:
    """The newlines bibtexparser counts in ``text``: those not escaped by a backslash."""
    return text.count("\n") - text.count("\\\n")


_WINDOW = 1 << 20  # characters lowered at a time by ``_links``


def _links(text: str) -> bool:
    """Does ``_LINK`` match in ``text``? Asked of the original text only where its words occur
    in lower case: lowering and finding a word take a quarter of the case-blind pattern's time
    over a whole file, and a window at a time (overlapping by a word) holds no second copy."""
    step = _WINDOW - len("crossref")
    for start in range(0, len(text), step):
        window = text[start : start + _WINDOW].lower()
        if "crossref" in window or "xdata" in window:
            return _LINK.search(text) is not None
    return False


@dataclass
class BibPart:
    """A piece of a file: its first line (0-based), its text, and where its sentinel is."""

    first_line: int
    text: str
    sentinel_line: int | None

    def line(self, start_line: int | None) -> int | None:
        """A block's 1-based line in the whole file."""
        return None if start_line is None else self.first_line + start_line + 1


@dataclass
class BibParsed:
    records: list[WorkRecord]
    block_errors: list[EntryError]  # blocks bibtexparser could not read
    entry_errors: list[EntryError]  # entries read but not mapped
    linked: bool = False  # holds @string, crossref or xdata: needs the other pieces
    warnings: list[EntryError] = dataclasses.field(default_factory=list)


def _transform_alone(entry: Entry, strings: list[Any]) -> Entry:
    """Run the parse stack over one entry bibtexparser set aside (a repeated key)."""
    from bibtexparser import Library

    alone = Library([*strings, entry])
    for middleware in _parse_stack():
        alone = middleware.transform(alone)
    return alone.entries[0] if alone.entries else entry


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A line of text between entries that starts like one: an entry bibtexparser could not see
# (a NUL or another stray byte in its header), never to be skipped silently.
_STRAY_ENTRY = re.compile(r"^[ \t]*@[^\n]*", re.MULTILINE)


def _entry_error(entry: Entry) -> str | None:
    if found := _CONTROL.search(entry.key):
        return f"the key holds a control character (U+{ord(found.group(0)):04X})"
    return entry.parser_metadata.get(ENTRY_ERROR)


def _stray_entries(block: Any, part: BibPart, origin: str) -> list[EntryError]:
    errors = []
    for match in _STRAY_ENTRY.finditer(block.raw or ""):
        line = part.line((block.start_line or 0) + _marked_lines(block.raw[: match.start()]))
        header = match.group(0).strip()[:40]
        bad = _CONTROL.search(header)
        reason = (
            f"not a readable entry: control character U+{ord(bad.group(0)):04X} in {header!r}"
            if bad
            else f"not a readable entry: {header!r}"
        )
        errors.append(EntryError(origin, line, reason, _key_of(match.group(0))))
    return errors


def _key_of(raw: str | None) -> str | None:
    match = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s]+)\s*,", raw or "")
    return match.group(1) if match else None
