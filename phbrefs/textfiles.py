"""Reading the text files users import: UTF-8, UTF-16 and UTF-32, with or without a byte order
mark, and other encodings as charset-normalizer recognises them.

Search databases and reference managers on Windows write UTF-16 (often without a BOM); read as
UTF-8 such a file decodes to nothing at all, so every entry would be lost without a word.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import BinaryIO

from phbrefs.errors import InvalidInputError

# Longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SAMPLE = 4096


MAX_FILE_BYTES = 512 * 1024 * 1024  # 100,000 records with abstracts are about 200 MB


def read_text(path: Path) -> str:
    """The text of ``path``; an unreadable, undecodable or oversized file (``/dev/zero``) is an
    InvalidInputError naming it. Pipes are read too (``phbrefs import <(zcat refs.ris.gz)``)."""
    try:
        with path.open("rb") as handle:
            data = read_bounded(handle, str(path))
    except OSError as error:
        raise InvalidInputError(f"{path}: cannot read: {error.strerror or error}") from error
    return decode_text(data, str(path))


def read_bounded(handle: BinaryIO, label: str) -> bytes:
    """All of ``handle``, refused past ``MAX_FILE_BYTES``."""
    data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInputError(f"{label}: cannot read: larger than {MAX_FILE_BYTES:,} bytes")
    return data


def decode_text(data: bytes, label: str) -> str:
    """``data`` as text, its encoding found from a BOM, the pattern of zero bytes that UTF-16
    and UTF-32 leave in mostly-ASCII text, UTF-8 itself, or charset-normalizer's best guess."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom) :], encoding, label)
    if b"\x00" in data[:_SAMPLE] and (encoding := _wide_encoding(data[:_SAMPLE])):
        return _strict(data, encoding, label)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InvalidInputError(f"{label}: cannot read: not text in any encoding phbrefs knows")
    return str(best)


def _strict(data: bytes, encoding: str, label: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{label}: cannot read: not valid {encoding.upper()} at byte {error.start}"
        ) from error


def _wide_encoding(sample: bytes) -> str | None:
    """UTF-32 or UTF-16 (and which byte order) when zero bytes fall where mostly-ASCII text
    in that encoding puts them; None otherwise (a stray NUL in UTF-8 text)."""
    quarter = max(len(sample) // 4, 1)
    zeros = [sample[i::4].count(0) / quarter for i in range(4)]
    if min(zeros[1:]) > 0.9:
        return "utf-32-le"
    if min(zeros[:3]) > 0.9:
        return "utf-32-be"
    half = max(len(sample) // 2, 1)
    even, odd = sample[0::2].count(0) / half, sample[1::2].count(0) / half
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    return None
