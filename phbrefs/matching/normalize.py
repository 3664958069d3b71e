"""One small normalisation per field: what two exports of the same work agree on once the
noise each database adds is taken away.

Every function is pure and cheap (they run once per record, not per pair), and each answers
one question a reviewer would ask: "is this the same title once the MEDLINE tail is gone?",
"is ``1201-14`` the same pages as ``1201-1214``?". Journal names have their own module
(journals.py: "is ``Endocr Rev`` ``Endocrine Reviews``?").
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from phbrefs.ids import ascii_fold

_WORD = re.compile(r"[a-z0-9]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# ASCII bytes lower-cased, every one ``_WORD`` would not take made a space
_ASCII_WORDS = bytes(
    c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 or 48 <= c <= 57 else 32 for c in range(256)
)

# -- text -----------------------------------------------------------------------------------

_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega", "µ": "mu",
}  # fmt: skip
_GREEK_RE = re.compile("|".join(_GREEK))
_LOST_LETTER = re.compile(r"(?<=[A-Za-z])\?(?=[A-Za-z])")
_SYMBOLS = [("+/-", " plus or minus "), ("±", " plus or minus "), ("&", " and ")]


def words(text: str | None) -> str:
    """Lower-case ASCII words separated by single spaces; Greek letters spelled out
    (``α`` and ``(alpha)`` agree), ``&`` as ``and``, ``±`` as ``plus or minus``."""
    if not text:
        return ""
    if text.isascii() and "?" not in text and "&" not in text and "+/-" not in text:
        return _split_words(text)  # nothing to spell out: most names and titles
    return _split_words(_spelled(text))


def lines_words(lines: list[str]) -> list[str]:
    """``words`` of each line, spelled out in one pass over them all (none holds a newline):
    the LTWA's 37,000 entries at a fraction of the cost of one call each."""
    if not lines:
        return []
    return [_split_words(line) for line in _spelled("\n".join(lines)).split("\n")]


def _spelled(text: str) -> str:
    """``text`` with lost letters dropped, Greek letters and symbols spelled out, other
    non-ASCII letters folded; character by character, so lines stay apart."""
    if "?" in text:  # a letter the export could not encode: "toracostom?a"
        text = _LOST_LETTER.sub("", text)
    if not text.isascii():
        text = _GREEK_RE.sub(lambda m: f" {_GREEK[m.group()]} ", text.lower())
        text = _NON_ASCII.sub(lambda run: ascii_fold(run.group()), text)
    for symbol, spelled in _SYMBOLS:
        if symbol in text:
            text = text.replace(symbol, spelled)
    return text


def _split_words(text: str) -> str:
    if text.isascii():  # the same words as the regex finds, in a third of the time
        return b" ".join(text.encode("ascii").translate(_ASCII_WORDS).split()).decode("ascii")
    return " ".join(_WORD.findall(text.lower()))


# -- titles ---------------------------------------------------------------------------------

_MARKUP = re.compile(r"</?[a-zA-Z][^>]{0,40}>|&[a-z]{2,8};|\\[a-z]+\{([^}]*)\}")
# what databases append to a title: MEDLINE tails, language tags, notes about the record
_TAILS = re.compile(
    r"""(?ix)
    \s*\.?\s*\[(?:
        review | \d+\s*refs? | abstract(?:\s*no[:.]?\s*[\w-]*)? | (?:article\s+in\s+)?[a-z]+\s*
        (?=\]) | erratum[^\]]* | comment[^\]]* | published\s+erratum[^\]]* | see\s+comments?
        | corrected | retracted[^\]]* | retraction[^\]]* | letter | editorial | note[^\]]*
    )\]
    | \s+(?:LA|TO|SO|AB):\s.*$          # field labels pasted into the title (LA: Chi, TO: ...)
    | \s*\.{2,}\s*includes?\s+discussion.*$
    """
)
_LANGUAGE_TAG = re.compile(
    r"\s*\[(?:in\s+)?(?:english|french|german|spanish|italian|portuguese|chinese|japanese|"
    r"russian|polish|dutch|czech|hungarian|danish|swedish|norwegian|finnish|turkish|korean|"
    r"hebrew|greek|croatian|serbian|romanian|persian|arabic)(?:\s+abstract)?\]",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(r"\s*<ORIGINAL>.*$", re.DOTALL)  # Embase: the original title appended
_FIELD_LABEL = re.compile(r"(?:LA|TO|SO|AB):\s", re.IGNORECASE)
_QUOTES = "\"'“”‘’«»"
_BRACKETED = re.compile(r"^\[(.+)\]\.?$")
_TRAILING_BRACKET = re.compile(r"^(.{20,}?)\s*\[([^\[\]]{20,})\]\.?$")


def _may_have_tail(text: str) -> bool:
    """What every tail needs: a bracket, two dots or a field label (most titles have none;
    a subtitle's ``: `` is no label)."""
    if "[" in text or ".." in text:
        return True
    return ": " in text and _FIELD_LABEL.search(text) is not None


def clean_title(title: str | None) -> str:
    """The title as written, without markup, quotes, MEDLINE tails (``[Review] [45 refs]``),
    language tags (``[French]``), pasted notes (``[Erratum appears in ...]``, ``<ORIGINAL>``,
    ``LA: Chi``) and the brackets MEDLINE puts round translated titles."""
    if not title:
        return ""
    text = _ORIGINAL.sub("", title) if "<ORIGINAL>" in title else title
    if "<" in text or "&" in text or "\\" in text:
        text = _MARKUP.sub(lambda m: m.group(1) or " ", text)
    text = text.strip().strip(_QUOTES).strip()
    for _ in range(3 if _may_have_tail(text) else 0):  # "[Review] [45 refs] [French]"
        stripped = _LANGUAGE_TAG.sub("", _TAILS.sub("", text)).strip()
        if stripped == text:
            break
        text = stripped
    if match := _BRACKETED.match(text):
        text = match.group(1)
    return text.strip().rstrip(".").strip()


def title_variants(title: str | None) -> tuple[str, ...]:
    """The normalised title and the other titles a record carries: a bracketed translation
    after the title, an original-language title after ``;`` or ``=``, a subtitle dropped.
    The first is the whole cleaned title; matching takes the best agreeing variant."""
    text = clean_title(title)
    whole = words(text)
    if "[" not in text and "; " not in text and " = " not in text:  # most titles: one
        return (whole,) if whole else ()
    variants = [whole]
    if match := _TRAILING_BRACKET.match(text):
        variants += [words(match.group(1)), words(match.group(2))]
    for separator in ("; ", " = "):
        if separator in text:
            variants += [words(part) for part in text.split(separator) if len(part) >= 20]
    return tuple(dict.fromkeys(v for v in variants if v))


_GENERIC_WORDS = frozenset(
    """a an the of on in for and or to with from by at as is re this issue s
    reply replies response responses letter letters editor editors editorial editorials
    comment comments commentary erratum errata correction corrections corrigendum retraction
    introduction foreword preface news abstracts abstract author authors notes note highlights
    overview summary digest announcement announcements obituary book books review reviews
    reviewers acknowledgement acknowledgment acknowledgements dear sir madam month year
    conference meeting proceedings selected invited discussion index contents""".split()
)


def is_generic_title(normalised: str) -> bool:
    """``Reply to the editor``, ``Editor's comments``, ``Erratum``: titles many distinct works
    carry (a recurring column, every letter's reply), so agreeing on them proves little."""
    return bool(normalised) and all(w in _GENERIC_WORDS for w in normalised.split())


_NUMBER = re.compile(r"\d+")
_ROMAN = re.compile(r"\b(?:i{1,3}|iv|v|vi{1,3}|ix|x)\b")
_NUMBERED = re.compile(r"\b(?:part|phase|stage|type|study|trial)\s+(\w+)")


def title_numbers(normalised: str) -> tuple[str, ...]:
    """Numbers that tell works apart ("part 2", "phase III", "arm 1 of 2"), sorted, repeats
    kept."""
    found = _NUMBER.findall(normalised)
    for context in _NUMBERED.finditer(normalised):
        if _ROMAN.fullmatch(context.group(1)):
            found.append(context.group(1))
    return tuple(sorted(found))


def numbers_clash(a: tuple[str, ...], b: tuple[str, ...], truncated: bool = False) -> bool:
    """The titles carry different numbers: part 1 against part 2, or against an unnumbered
    first part. Only where an export cut a long title short (``truncated``) may one carry
    fewer numbers than the other."""
    if a == b:
        return False
    if not truncated:
        return True
    count_a, count_b = Counter(a), Counter(b)
    return not (truncated and (count_a <= count_b or count_b <= count_a))


# -- authors --------------------------------------------------------------------------------

_PARTICLES = frozenset("van von der den de del della di da dos du le la ter ten".split())
_GROUP_WORDS = re.compile(
    r"\b(?:group|groupe|grupo|gruppo|investigators?|collaborat\w*|consortium|committee|network|society|"
    r"association|trialists|working party|study|team|organi[sz]ation|council)\b",
    re.IGNORECASE,
)


def is_group_author(name: str) -> bool:
    """``North American Linomide Investigators``: an organisation, not a person."""
    return bool(_GROUP_WORDS.search(name)) or len(name.split()) > 4


@lru_cache(maxsize=32768)
def surname(family: str) -> str:
    """``Della Latta``, ``della-latta`` and ``van der Berg``/``Berg``: one key each
    (particles dropped, spaces and hyphens closed up)."""
    parts = words(family).split()
    while len(parts) > 1 and parts[0] in _PARTICLES:
        parts = parts[1:]
    return "".join(parts)


def author_key(family: str | None, given: str | None) -> str:
    """``surname`` + first initial: ``Zhao, Wei-Zhu`` and ``Zhao, W. Z.`` agree."""
    initial = words(given)[:1]
    return f"{surname(family or '')} {initial}".strip()


def same_surname(a: str, b: str) -> bool:
    """``Mulic`` and ``Muli`` (a letter the export lost), ``Vazquez`` and ``Vasquez``."""
    if a == b:
        return True
    if min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)):
        return abs(len(a) - len(b)) <= 2
    return min(len(a), len(b)) >= 5 and Levenshtein.distance(a, b, score_cutoff=1) <= 1


# -- pages, volumes, years ------------------------------------------------------------------

_PAGE = re.compile(
    r"^\s*([a-z]{0,2})(\d{1,7})([a-z]?)\s*(?:[-‐‑–—−]+\s*([a-z]{0,2})(\d{1,7}))?", re.I
)
_PAGE_LIST = re.compile(r"[,;+]")
_PAGE_MARK = re.compile(r"^pp?\.?\s*(?=\d)", re.IGNORECASE)
_MONTHS = re.compile(r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec", re.IGNORECASE)


def page_ranges(pages: str | None) -> tuple[tuple[str, str | None], ...]:
    """Each range of the pages field, first and last page written in full: ``1201-14`` ->
    (``1201``, ``1214``), ``S33-38`` -> (``s33``, ``s38``), ``P63`` -> (``63``, None),
    ``230-5, 246-51`` (one article printed in two languages) two ranges. Garbage (``t-51``,
    ``01-Jun`` from a spreadsheet, ``discussion 748-9``) is left out; ``"230-`` gives its start."""
    if not pages:
        return ()
    found = []
    for part in _PAGE_LIST.split(pages):
        text = _PAGE_MARK.sub("", part.strip().strip(_QUOTES).strip())
        match = None if _MONTHS.search(text) else _PAGE.match(text)
        if not match:
            continue
        prefix, start, suffix, _, end = match.groups()
        prefix = "" if prefix.lower() == "e" else prefix.lower()  # e23: an e-locator for 23
        first = f"{prefix}{int(start)}{suffix.lower()}"
        if end and len(end) < len(start):  # 1201-14: the missing leading digits are the start's
            end = start[: len(start) - len(end)] + end
        found.append((first, f"{prefix}{int(end)}" if end else None))
    return tuple(found)


def page_range(pages: str | None) -> tuple[str, str | None] | None:
    """The first of ``page_ranges``: the article's own pages."""
    ranges = page_ranges(pages)
    return ranges[0] if ranges else None


def ranges_overlap(a: tuple[str, str | None], b: tuple[str, str | None]) -> bool:
    """``676-682`` and ``678-684``: a typo in one of them rather than two articles."""
    if not all(p and p.isdigit() for p in (*a, *b)):
        return False
    return int(a[0]) <= int(b[1] or 0) and int(b[0]) <= int(a[1] or 0)


def is_supplement_page(first_page: str) -> bool:
    """``S27``: a supplement page, shared by many abstracts."""
    return first_page.startswith("s")


_VOLUME = re.compile(r"\d+")


def volume_number(volume: str | None) -> str | None:
    """``10 Suppl 2`` -> ``10``; ``30a`` -> ``30``: the number both exports agree on."""
    if not volume:
        return None
    match = _VOLUME.search(volume)
    return str(int(match.group())) if match else None


def years_agree(a: int | None, b: int | None) -> bool | None:
    """Same year or one apart (online first, then print); None when either is missing."""
    if a is None or b is None:
        return None
    return abs(a - b) <= 1


_URL_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?", re.IGNORECASE)


def url_key(url: str | None) -> str | None:
    """``https://www.england.nhs.uk/x/`` and ``http://england.nhs.uk/x``: one page. DOI
    links are left to the DOI."""
    if not url:
        return None
    key = _URL_PREFIX.sub("", url.strip()).rstrip("/").lower()
    return None if not key or key.startswith(("doi.org/", "dx.doi.org/")) else key


# -- DOIs -----------------------------------------------------------------------------------

_SHARED_DOI = re.compile(
    r"""(?ix)
    suppl | supplement | abstracts? | proceedings | meeting | congress | conference
    | /97[89](?:-?\d){9}-?[\dx]$    # a whole book's DOI (its ISBN): chapters are given it too
    """
)


def doi_may_be_shared(doi: str | None) -> bool:
    """A DOI that different works are often given: a supplement or abstract book, a book
    whose chapters carry its DOI. Such a DOI is no proof of identity. A whole issue's DOI has
    no telling shape: scoring discounts any DOI shared by records whose titles disagree."""
    return bool(doi) and bool(_SHARED_DOI.search(doi or ""))
