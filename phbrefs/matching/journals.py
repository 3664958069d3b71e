"""Journal names as ISO 4 abbreviations (the ISSN Centre's LTWA), so that ``Endocr Rev`` and
``Endocrine Reviews`` agree; a field of matching's normalisation (normalize.py)."""

from __future__ import annotations

import re
from functools import lru_cache

from phbrefs.matching.normalize import lines_words, words

_JOURNAL_STOP = frozenset(
    "the of and for in on a an de la le les des du d l et en der die das und fur zur y e "
    "del di da do dos das och voor van".split()
)  # English, French, German, Spanish, Italian, Portuguese, Swedish, Dutch
_PARENTHESES = re.compile(r"\([^)]*\)")
_PARENTHESISED = re.compile(r"\(.*?\)")
_JOURNAL_PARTS = re.compile(r"\s=\s|:\s|(?<=\w)/(?=\w)")  # "Medizin/Praxis": two titles


@lru_cache(maxsize=1)
def _ltwa() -> tuple[list[str], dict[str, list[int]]]:
    """The ISSN Centre's List of Title Word Abbreviations as pyiso4 ships it (whole words and
    word stems, ``nation-`` -> ``natl``): its lines, and their numbers by the first three
    letters of their word once normalised, the letters every lookup of a word shares. Only
    the groups journal words ask for are normalised (``_ltwa_group``): a library's journals
    use a few hundred of the 37,000 words. Rather than pyiso4's own abbreviator, whose prefix
    tree takes 2 s to build: journals only need word-by-word lookups. Empty without pyiso4."""
    try:
        from importlib.resources import files

        text = (files("pyiso4") / "LTWA_20210702.csv").read_text(encoding="utf-8")
    except (ImportError, FileNotFoundError, ModuleNotFoundError):
        return [], {}
    lines = text.splitlines()
    groups: dict[str, list[int]] = {}
    odd = []  # a word not starting with three ASCII letters or digits: normalised to place it
    for number, line in enumerate(lines[1:], 1):
        head = line[:3]
        if head.isascii() and head.isalnum():  # its normalised word starts with these, lowered
            groups.setdefault(head.lower(), []).append(number)
        else:
            odd.append(number)
    for (number, _, _), key in zip(*_normalised(lines, odd), strict=True):
        groups.setdefault(key[:3], []).append(number)
    return lines, groups


def _normalised(
    lines: list[str], numbers: list[int]
) -> tuple[list[tuple[int, str, str]], list[str]]:
    """The entries of these lines that abbreviate, as (number, word, abbreviation), and their
    words normalised (in two passes over them all, not a call each)."""
    entries = []
    patterns = []
    for number in numbers:
        pattern, _, rest = lines[number].partition("\t")
        abbreviation = rest.partition("\t")[0]
        if not pattern or pattern.startswith("-") or " " in pattern.strip():
            continue
        if abbreviation.strip().lower() not in ("n.a.", "n. a.", "n.a"):  # a third: none
            entries.append((number, pattern, abbreviation))
            patterns.append(_PARENTHESISED.sub("", pattern) if "(" in pattern else pattern)
    return entries, lines_words(patterns)


@lru_cache(maxsize=4096)
def _ltwa_group(head: str) -> tuple[dict[str, str], dict[str, str]]:
    """The LTWA's whole words and stems whose normalised form starts with ``head``, to their
    abbreviations; the first line of a word wins, as in the list."""
    lines, groups = _ltwa()
    entries, keys = _normalised(lines, sorted(groups.get(head, ())))
    shorts = lines_words([abbreviation for _, _, abbreviation in entries])
    exact: dict[str, str] = {}
    stems: dict[str, str] = {}
    for (_, pattern, _), key, short in zip(entries, keys, shorts, strict=True):
        if short:
            into = stems if pattern.rstrip().endswith("-") else exact
            into.setdefault(key, short.replace(" ", ""))
    return exact, stems


@lru_cache(maxsize=65536)
def abbreviate_word(word: str) -> str:
    """``cardiovascular`` -> ``cardiovasc`` by the LTWA; a word it lacks stays whole."""
    exact, stems = _ltwa_group(word[:3])
    if word in exact:
        return exact[word]
    for end in range(len(word), 2, -1):
        if (stem := word[:end]) in stems:
            return stems[stem]
    return word


@lru_cache(maxsize=16384)
def journal_variants(name: str | None) -> tuple[tuple[str, ...], ...]:
    """Each title a journal field carries (``Ai zheng = Aizheng = Chinese journal of cancer``
    has three; ``Jpen: Journal of ...`` and ``Rundschau fur Medizin/Praxis`` two), as ISO
    4-abbreviated words without stop words, numbers or ``(Munich, Germany : 1983)``."""
    if not name:
        return ()
    text = _PARENTHESES.sub(" ", name)
    parts = [text, *_JOURNAL_PARTS.split(text)] if _JOURNAL_PARTS.search(text) else [text]
    variants = []
    for part in parts:
        tokens = tuple(  # numbers dropped: "Proceedings of the 2019 Conference on..."
            abbreviate_word(w)
            for w in words(part).split()
            if w not in _JOURNAL_STOP and not w.isdigit()
        )
        if tokens:
            variants.append(tokens)
    return tuple(dict.fromkeys(variants))


def _tokens_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Word by word, one an abbreviation (a prefix) of the other; or one is the other's
    words run together (``jthoraccardiovascsurg``)."""
    if len(a) == len(b):
        return all(x.startswith(y) or y.startswith(x) for x, y in zip(a, b, strict=True))
    joined_a, joined_b = "".join(a), "".join(b)
    return len(min(joined_a, joined_b, key=len)) >= 6 and joined_a == joined_b


@lru_cache(maxsize=65536)
def journals_agree(a: tuple[tuple[str, ...], ...], b: tuple[tuple[str, ...], ...]) -> bool:
    """``Endocr Rev`` and ``Endocrine Reviews``; ``JPEN`` forms; any title of either."""
    return any(_tokens_agree(x, y) for x in a for y in b)
