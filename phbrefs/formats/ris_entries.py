"""The entries of an RIS text, ``TY`` to ``ER``, each with its tags' values and first line.

Written by hand rather than calling rispy's ``RisParser`` for every entry, for speed: rispy reads
each line through three method calls and a dictionary per entry, and cost 60% of an RIS import's
parse. This reads a file in one pass over its lines with a few string operations per line, and
gives what rispy gives for each entry (tests/test_ris_entries.py holds the two to agreement on
generated and real exports). rispy still reads the rare entry whose continuation lines it would
take for tags (``AU  -x``, ``É1  - x``): what rispy makes of those is the reference.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from string import ascii_uppercase, digits
from typing import Any

TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])\s{1,2}-(?: |$)")  # what every exporter writes, loosely
_TAGS = frozenset(a + b for a in ascii_uppercase for b in ascii_uppercase + digits)

Tags = dict[str | None, list[str]]  # tag -> its values in order (a continuation line is one)


@dataclass(slots=True)
class RisEntry:
    """One entry: where it starts, its text with tag lines tidied to ``XX  - value``, and its
    tags (None, with the reason in ``problem``, when it is not a whole ``TY``...``ER`` entry)."""

    line: int
    text: str
    tags: Tags | None
    problem: str | None = None


def read_entries(lines: Sequence[str], first: int) -> list[RisEntry]:
    """The entries of ``lines`` (numbered from ``first``).

    An entry starts at ``TY`` (or at any tag outside an entry, to be reported) and ends at
    ``ER``; one missing its ``ER`` ends where the next ``TY`` begins. Tag lines written with
    one space or a tab (``AU - x``) are read as ``AU  - x``; lines between entries are skipped.
    """
    entries: list[RisEntry] = []
    start = -1  # index of the open entry's first line, -1 between entries
    opening = ""  # the open entry's first tag
    tags: Tags = {}
    values: list[str] | None = None  # the last tag's values, which a continuation line extends
    untidy = -1  # the last tag line not written ``XX  - value``
    odd = -1  # the last continuation line that rispy would read as a tag
    known, tag_line = _TAGS, TAG_LINE.match  # (locals: this loop runs for every line)
    for index, line in enumerate(lines):
        tag = line[:2]
        if line[2:6] == "  - " and tag in known:
            if (value := (rest := line[6:]).strip()) is not rest:  # (strip gives rest if tidy)
                untidy = index
        elif match := tag_line(line):
            tag, value, untidy = match.group(1), line[match.end() :].strip(), index
        else:
            if start >= 0:
                if line[2:5] == "  -" and tag.isupper() and tag[:1].isalpha():
                    odd = index
                if values is None:
                    values = tags.setdefault(None, [])
                values.append(line.strip())
            continue
        if tag == "TY" or start < 0:
            if start >= 0:
                entries.append(RisEntry(first + start, "", None, _problem(opening, False)))
            start, opening, tags, values = index, tag, {tag: [value]}, None
        elif tag == "ER":
            if problem := _problem(opening, True):
                entries.append(RisEntry(first + start, "", None, problem))
            else:
                entry = lines[start : index + 1]
                entries.append(_read(first + start, entry, tags, untidy >= start, odd >= start))
            start = -1
        elif (values := tags.get(tag)) is None:
            tags[tag] = values = [value]
        else:
            values.append(value)
    if start >= 0:
        entries.append(RisEntry(first + start, "", None, _problem(opening, False)))
    return entries


def _problem(opening: str, closed: bool) -> str | None:
    if opening != "TY":
        return "entry does not start with TY"
    return None if closed else "entry not closed with ER"


def _read(number: int, lines: Sequence[str], tags: Tags, untidy: bool, odd: bool) -> RisEntry:
    """A whole entry; its tags are rispy's when a line would mislead the reading above."""
    if untidy:
        lines = [_tidied(line) for line in lines]
    text = "\n".join(lines).strip()
    if not odd:
        return RisEntry(number, text, tags)
    parsed = _rispy_tags(lines)
    return RisEntry(number, text, parsed, None if parsed else "unreadable entry")


def _tidied(line: str) -> str:
    """``AU - x`` (or a tab, or spaces after the value) as ``AU  - x``."""
    match = TAG_LINE.match(line)
    return f"{match.group(1)}  - {line[match.end() :].strip()}" if match else line


class _Identity(dict):  # type: ignore[type-arg]
    """Every tag maps to itself: the mapping to fields happens in ``ris_mapping``."""

    def __missing__(self, key: str) -> str:
        return key


class _Everything:
    """Every tag is read as a list, so repeated tags (AU, KW, SN) are all kept."""

    def __contains__(self, item: object) -> bool:
        return True


def rispy_parser() -> Any:
    """rispy's parser reading tags as written, every value a list (the reference)."""
    from rispy import RisParser

    return RisParser(mapping=_Identity(), list_tags=_Everything(), delimiter_tags_mapping={})  # type: ignore[arg-type]


def _rispy_tags(lines: Sequence[str]) -> Tags | None:
    """What rispy reads from one entry's lines, or None when it reads other than one entry."""
    parsed = rispy_parser().parse_lines(iter(lines))
    if len(parsed) != 1:
        return None
    return {tag: [v] if isinstance(v, str) else v for tag, v in parsed[0].items()}
