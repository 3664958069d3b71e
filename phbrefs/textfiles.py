"""Reading the text files users import: UTF-8, UTF-16 and UTF-32, with or without a byte order
mark, and other encodings as charset-normalizer recognises them.

Search databases and reference managers on Windows write UTF-16 (often without a BOM); read as
UTF-8 such a file decodes to nothing at all, so every entry would be lost without a word.
"""

from __future__ import annotations

import codecs
import contextlib
import re
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

    results = from_bytes(data)
    best = results.best()
    if best is None:
        raise InvalidInputError(f"{label}: cannot read: not text in any encoding phbrefs knows")
    if best.encoding in _LATIN_LOOKALIKES:
        scores = {m.encoding: (m.chaos, -m.coherence) for m in results}
        return _western_or_central(data, scores) or str(best)
    return str(best)


# Single-byte code pages charset-normalizer cannot tell apart on short or mostly-ASCII text
# (it scores Windows-1250 and Windows-1252 alike, and picks 1250: "España" -> "Espańa").
# Search databases and reference managers write Windows-1252; Central-European ones 1250.
_LATIN_LOOKALIKES = frozenset(
    "cp1250 cp1252 cp1254 cp1257 cp1258 latin_1 iso8859_9 iso8859_10 iso8859_13 iso8859_14 "
    "iso8859_15 cp775 cp850 cp857 cp858 hp_roman8 mac_iceland mac_latin2 mac_turkish".split()
)
# Bytes counted as a vote for the code page whose letter they are in text that uses it:
# Windows-1250's "ą ł ż ś ź ě ů ű ş ţ ľ ť" are symbols, undefined or rare letters in 1252
# ("¹ ³ ¿ œ Ÿ ì ù û º þ ¾"), and its "š ž" are the same in both but Central European;
# 1252's "à ñ ã å" are rare in 1250 ("ŕ ń ă ĺ"). "è/č", "ø/ř", "æ/ć", "ê/ę" and "õ/ő" are
# common in both: no vote.
_CENTRAL_BYTES = re.compile(
    rb"[\x8a-\x8f\x9a-\x9f\xa3\xa5\xaa\xaf\xb3\xb9\xba\xbc\xbe\xbf"
    rb"\xcc\xd9\xdb\xde\xec\xf9\xfb\xfe]"
)
_WESTERN_BYTES = re.compile(rb"[\xc0\xc3\xc5\xd1\xe0\xe3\xe5\xf1]")


def _western_or_central(data: bytes, scores: dict[str, tuple[float, float]]) -> str | None:
    """``data`` as Windows-1252 or Windows-1250, by which one's letters the text uses; a tie
    is 1252 unless charset-normalizer finds 1250 clearly less garbled. None: neither fits."""
    texts = {}
    for encoding in ("cp1252", "cp1250"):
        with contextlib.suppress(UnicodeDecodeError):
            texts[encoding] = data.decode(encoding)
    if len(texts) < 2:
        return next(iter(texts.values()), None)
    central = _central_letters(data, texts["cp1250"])
    western = len(_WESTERN_BYTES.findall(data))
    if central != western:
        return texts["cp1250" if central > western else "cp1252"]
    western_score = scores.get("cp1252", (1.0, 0.0))
    central_score = scores.get("cp1250", (1.0, 0.0))
    clearly = central_score[0] + _CLEAR_CHAOS < western_score[0]
    return texts["cp1250" if clearly else "cp1252"]


_CLEAR_CHAOS = 0.02  # charset-normalizer's "mess" ratio: 0 is clean text


def _central_letters(data: bytes, central: str) -> int:
    """The Windows-1250 votes in ``data`` (``central``: it read as 1250, a character a byte):
    only bytes that are letters of a word there. In a Windows-1252 file the same bytes are
    symbols beside digits or before a capital ("£1,000" is no "Ł1,000", "¿Qué" no "żQué",
    "1º" no "1ş"), which a UK review's abstracts are full of."""
    votes = 0
    for match in _CENTRAL_BYTES.finditer(data):
        at = match.start()
        letter, before = central[at], central[at - 1 : at]
        after = central[at + 1 : at + 2]
        if not letter.isalpha() or (letter.islower() and after.isupper()):
            continue
        votes += before.isalpha() or after.isalpha()
    return votes


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
