"""DOI normalisation and extraction from free text, and citekey generation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import unquote

from phbrefs.controls import strip_controls
from phbrefs.errors import InvalidDOIError

# A DOI: "10." + registrant (4-9 digits, optionally dotted sub-parts) + "/" + suffix (no spaces).
_DOI_CORE = r"10\.[0-9]{4,9}(?:\.[0-9]+)*/\S+"
# In running text a DOI also stops at quotes and markup; only an old SICI-style "<...::...>"
# group (10.1002/(SICI)...43:4<424::AID-JBM9>3.0.CO;2-F) keeps its angle brackets.
_DOI_RE = re.compile(
    r"10\.[0-9]{4,9}(?:\.[0-9]+)*/(?:[^\s\"<>]|<[^\s\"<>]*::[^\s\"<>]*>)+", re.IGNORECASE
)
_PREFIXES = re.compile(
    r"^(?:(?:https?://)?(?:dx\.|www\.)?doi\.org/|info:doi/|urn:doi:|doi\s*:?\s*)",
    re.IGNORECASE,
)
_DOI_FULL = re.compile(_DOI_CORE, re.IGNORECASE)
_RESOLVER_URL = re.compile(r"^(?:https?://)?(?:dx\.|www\.)?doi\.org/", re.IGNORECASE)
_LEADING = "([{<\"'«“‘"  # what a sentence or markup opens before a DOI
_TRAILING = ".,;:!?'\"»”’>*"  # punctuation a sentence or a markup wraps around a DOI
_BRACKETS = {")": "(", "]": "[", "}": "{"}


def _trim(candidate: str) -> str:
    """Drop trailing punctuation and closing brackets that the DOI itself did not open."""
    while candidate:
        last = candidate[-1]
        unbalanced = last in _BRACKETS and candidate.count(last) > candidate.count(_BRACKETS[last])
        if last in _TRAILING or unbalanced:
            candidate = candidate[:-1]
        else:
            break
    return candidate


def _plain(text: str) -> str:
    """DOI text as a resolver reads it: invisible controls and soft hyphens (pasted from web
    pages and PDFs) dropped, compatibility forms folded (NFKC: fullwidth ０-９, ／, ．)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", strip_controls(text).replace("\u00ad", ""))


def normalize_doi(text: str) -> str:
    """The canonical (lower-case, bare) form of a DOI as researchers paste it.

    Accepts ``doi:``, ``https://doi.org/``, ``http://dx.doi.org/`` forms, URL-encoding,
    any case and trailing punctuation. Raises ``InvalidDOIError`` for anything else.
    """
    value = _plain(text).strip()
    if _RESOLVER_URL.match(value):  # a link's ?query or #fragment is not part of the DOI
        value = re.split(r"[?#]", value, maxsplit=1)[0]
    value = unquote(value).strip().lstrip(_LEADING).strip()
    value = _PREFIXES.sub("", value, count=1).strip()
    value = _trim(value)
    if not _DOI_FULL.fullmatch(value):  # \S: no whitespace anywhere
        raise InvalidDOIError(text)
    return value.lower()


def is_doi(text: str) -> bool:
    try:
        normalize_doi(text)
    except InvalidDOIError:
        return False
    return True


def extract_dois(text: str) -> list[str]:
    """Every distinct DOI in messy text (saved pages, reference lists), in order of appearance."""
    found: dict[str, None] = {}
    text = _plain(unquote(text))
    for match in _DOI_RE.finditer(text):
        candidate = match.group(0)
        if text[max(0, match.start() - 1)] == "/":  # inside a link: drop its ?query, #fragment
            candidate = re.split(r"[?#]", candidate, maxsplit=1)[0]
        candidate = _trim(candidate)
        # "10.1111/hsc.12396/full" in a publisher link: the DOI ends before a known page suffix.
        candidate = re.sub(
            r"(?:/(?:full|abstract|summary|pdf|epdf|pdfdirect|fulltext|html|references))+$",
            "",
            candidate,
            flags=re.I,
        )
        try:
            found.setdefault(normalize_doi(candidate), None)
        except InvalidDOIError:
            continue
    return list(found)


def doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}"


# -- citekeys ---------------------------------------------------------------------------------

_STOPWORDS = frozenset(
    (
        "a an the of on in for and or to with from by at as is are be its into about via "
        "between de la le les el los das der die und du des van von"
    ).split()
)


# Letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSABLE = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "Þ": "Th",
        "ı": "i",
    }
)


def ascii_fold(text: str) -> str:
    if text.isascii():  # most text: skip the per-character work
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return folded.translate(_UNDECOMPOSABLE)


def _slug_word(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text or "").lower())


def citekey_base(first_author: str | None, year: int | None, title: str | None) -> str:
    """``welch2016implementing``: author family name, year, first significant title word."""
    names = (first_author or "").split()
    author = _slug_word(names[-1] if names else "") or "anon"
    title_word = ""
    for word in re.findall(r"[\w'-]+", ascii_fold(title or "")):
        slug = _slug_word(word)
        if slug and slug not in _STOPWORDS and not slug.isdigit():
            title_word = slug
            break
    return f"{author}{year or 'nd'}{title_word}"


def unique_citekey(base: str, taken: Iterable[str] | set[str]) -> str:
    """``base``, else ``base`` + a, b, ..., z, aa, ab... whichever is free."""
    used = taken if isinstance(taken, set) else set(taken)
    if base not in used:
        return base
    n = 0
    while True:
        suffix = ""
        k = n
        while True:
            suffix = chr(ord("a") + k % 26) + suffix
            k = k // 26 - 1
            if k < 0:
                break
        if base + suffix not in used:
            return base + suffix
        n += 1


_ISSN_SPACING = re.compile(r"[\s-]")
_ISSN = re.compile(r"\d{7}[\dX]")


def normalise_issn(text: str) -> str:
    """``09660410`` / ``0966 0410`` as ``0966-0410``; anything else is returned trimmed."""
    compact = _ISSN_SPACING.sub("", text.strip()).upper()
    return f"{compact[:4]}-{compact[4:]}" if _ISSN.fullmatch(compact) else text.strip()


# An ISBN-13 or ISBN-10 as written (hyphens allowed), an ISSN (``0966-0410``, ``09660410``,
# ``0966 0410``), each standing alone: never a run of digits inside a longer number.
_ISBN_IN_TEXT = re.compile(r"(?<![\w-])(?:97[89]-?)?(?:\d-?){9}[\dXx](?![\w-])")
_ISSN_IN_TEXT = re.compile(r"(?<![\w-])\d{4}[-\s]?\d{3}[\dXx](?![\w-])")


def standard_numbers(text: str) -> tuple[list[str], list[str]]:
    """The ISSNs (normalised) and the ISBNs (as written) in ``text``, in order, without the
    qualifiers databases add (``2321-3868 (Print)``, ``978-0-19-853453-1 (pbk.)``)."""
    isbns = [m.group() for m in _ISBN_IN_TEXT.finditer(text)]
    rest = _ISBN_IN_TEXT.sub(" ", text)
    return [normalise_issn(m.group()) for m in _ISSN_IN_TEXT.finditer(rest)], isbns


def bare_numbers(values: Iterable[str], kind: str) -> list[str]:
    """``values`` (``kind`` ``"issn"`` or ``"isbn"``) as bare identifiers, once each, in order;
    a value holding no identifier of that kind is kept as written (trimmed), never lost."""
    found: dict[str, str] = {}
    for value in values:
        issns, isbns = standard_numbers(value)
        for number in (issns if kind == "issn" else isbns) or [value.strip()]:
            if number:
                found.setdefault(_ISSN_SPACING.sub("", number).upper(), number)
    return list(found.values())
