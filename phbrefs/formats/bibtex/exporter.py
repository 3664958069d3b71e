"""Writing BibTeX (ASCII LaTeX for classic BibTeX and pandoc) and BibLaTeX (UTF-8 for biber)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from phbrefs.forked import cuts, free_cores, map_forked
from phbrefs.formats.bibtex.fields import (
    BIB_TO_CSL,
    BIBLATEX_TYPES,
    BIBTEX_TYPES,
    CSL_TO_BIB,
    MONTH_MACROS,
    ROLE_FIELDS,
    _fully_braced,
)
from phbrefs.formats.latex import babel_language, escape_specials, is_plain, to_latex
from phbrefs.heap import collector_paused
from phbrefs.records import Contributor, WorkRecord

if TYPE_CHECKING:
    from phbrefs.library import StoredWork


# A capital after a letter or a digit: an acronym or an inner capital (NHS, mRNA, COVID-19).
_INNER_CAPITAL = re.compile(r"\w[A-Z]")
_PUNCTUATION = "()[]\"'“”‘’:;,.!?"  # around a title's word, not part of it


_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_SENTENCE_START = re.compile(r"[.!?:;]\s*([^\W\d_][\w'’-]*)")  # a word after a sentence end


def proper_nouns(text: str | None) -> frozenset[str]:
    """The words ``text`` (an abstract) writes capitalised inside sentences and never in
    lower case: the proper nouns a title-case title holds ("the Delphi method" -> Delphi).

    Written here because no maintained package tells a proper noun from a capitalised word
    without a language model; the work's own abstract is the best witness there is. A word is
    inside a sentence somewhere when it occurs more often than it starts one. The words are
    counted per distinct whitespace-separated token (a word never spans whitespace, and a
    library's abstracts repeat their tokens: splitting and counting tokens in C, then the word
    regex once per distinct token, takes two thirds of the regex over the whole text)."""
    first = _WORD.search(text) if text else None
    if text is None or first is None:
        return frozenset()
    everywhere: Counter[str] = Counter()
    for token, count in Counter(text.split()).items():
        if token.isalpha():  # one word, the whole token
            everywhere[token] += count
        else:
            for word in _WORD.findall(token):
                everywhere[word] += count
    starting = Counter(_SENTENCE_START.findall(text))
    # the text's first word starts a sentence, with a sentence end before it or not
    everywhere[first.group(0)] -= 1
    opening = _SENTENCE_START.search(text)
    if opening is not None and opening.start(1) == first.start():
        starting[first.group(0)] -= 1
    lower = {word.lower() for word in everywhere if word[0].islower()}
    return frozenset(
        word
        for word, count in everywhere.items()
        if count > starting[word] and not word[0].islower() and word.lower() not in lower
    )


def _protect_title(
    title: str, encode: Callable[[str], str], proper: frozenset[str] = frozenset()
) -> str:
    """Brace what a style must not lower-case: acronyms and inner capitals always, in a
    sentence-case title every capitalised word after the first (proper nouns: England, NHS),
    and in a title-case title the words ``proper`` names (``proper_nouns``: none of them starts
    in lower case). The words are judged first; the runs between braced words are then
    encoded at once (a space ends any ligature, so that is the same as word by word)."""
    words = title.split(" ")
    # the words with an inner capital, found in one pass over the title (a word's index is
    # the number of spaces before it; a match never spans a space)
    acronyms = {title.count(" ", 0, match.start()) for match in _INNER_CAPITAL.finditer(title)}
    long_words = [
        word[:1].isupper()
        for index, word in enumerate(words)
        if index and len(word) >= 4 and word[:1].isalpha() and index not in acronyms
    ]
    sentence_case = sum(long_words) * 2 <= len(long_words)
    protected = []  # (index, the word's core)
    for index, word in enumerate(words):
        if word[:1].islower() and index not in acronyms:  # its core starts with that letter:
            continue  # neither capitalised nor a proper noun
        core = word.strip(_PUNCTUATION)
        if core and (
            index in acronyms
            or (sentence_case and index > 0 and core[:1].isupper())
            or core in proper
        ):
            protected.append((index, core))
    if not protected:
        return encode(title)
    out, start = [], 0
    for index, core in protected:
        if index > start:
            out.append(encode(" ".join(words[start:index])))
        lead, _, tail = words[index].partition(core)  # most often both empty
        lead, tail = lead and encode(lead), tail and encode(tail)
        out.append(f"{lead}{{{encode(core)}}}{tail}")
        start = index + 1
    if start < len(words):
        out.append(encode(" ".join(words[start:])))
    return " ".join(out)


def _is_master(record: WorkRecord) -> bool:
    return "master" in f"{record.extra.get('type', '')} {record.extra.get('genre', '')}".lower()


def _useprefix(options: str | None) -> str:
    """The entry's ``options`` with ``useprefix=true``: biblatex, biber and pandoc then sort
    and print "van der Berg" under V, as CSL's non-dropping particle and classic BibTeX do
    (without it biblatex sorts under B and pandoc reads a dropping particle)."""
    kept = [o.strip() for o in (options or "").split(",") if o.strip()]
    kept = [o for o in kept if not o.replace(" ", "").startswith("useprefix")]
    return ",".join([*kept, "useprefix=true"])


def _keywords(keywords: list[str], encode: Callable[[str], str]) -> str:
    """biber splits ``keywords`` at every comma, and biblatex's list keeps a braced item
    whole: a keyword holding a comma (MeSH's ``Child, Preschool``) is braced."""
    return ", ".join([f"{{{encode(k)}}}" if "," in k else encode(k) for k in keywords])


_EMPTY = (None, "", [])  # values no field is written for
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_-]*")  # an extra field BibTeX can take as it is
_NEEDS_BRACES = re.compile(r",|\band\b")  # what a name splitter would cut at
_VON_LIKE = re.compile(r"(?:^|\s)\{\\")  # a word a name splitter takes for a "von" word


def _name_part(text: str, encode: Callable[[str], str]) -> str:
    encoded = encode(text)
    if ("," in text or "and" in text) and _NEEDS_BRACES.search(text):
        return f"{{{encoded}}}"
    return encoded


def _named(
    person: Contributor, encode: Callable[[str], str], written: dict[tuple[str | None, ...], str]
) -> str:
    """``_name``, looked up in ``written`` by the parts it is made of; a name whose parts are
    all plain is made with ``str`` (the text itself) for ``encode``."""
    key = (person.family, person.given, person.particle, person.suffix, person.literal)
    name = written.get(key)
    if name is None:
        plain = is_plain("\x00".join([part for part in key if part]))
        name = written[key] = _name(person, str if plain else encode)
    return name


def _name(person: Contributor, encode: Callable[[str], str]) -> str:
    if person.is_others:  # bare, as BibTeX, biber and pandoc read it: not a body "{others}"
        return "others"
    if person.is_organisation or not person.family:
        return f"{{{encode(person.literal or person.given or '')}}}"
    family = _name_part(person.family, encode)
    if "{\\" in family and _VON_LIKE.search(family) and (person.given or person.suffix):
        # "{\v{S}}koda" starts with what name splitters take for a lower-case "von" word
        family = f"{{{family}}}"
    elif family[:1] == "{" and _fully_braced(family) and not person.particle:
        # "{\`A}" alone would read as an organisation: keep that letter as UTF-8
        family = person.family[0] + encode(person.family[1:])
    if person.particle:
        family = f"{_name_part(person.particle, encode)} {family}"
    pieces = [family]
    if person.suffix:
        pieces.append(_name_part(person.suffix, encode))
    if person.given:
        pieces.append(_name_part(person.given, encode))
    elif person.suffix:
        pieces.append("")
    return ", ".join(pieces)


# Below this many works a second process for the entries costs more than it saves.
PARALLEL_MIN_WORKS = 2_000


class BibExporter:
    """``bibtex``: classic BibTeX, ASCII LaTeX; ``biblatex``: UTF-8 with BibLaTeX's model."""

    extension = ".bib"

    def __init__(self, name: str) -> None:
        self.name = name
        self.biblatex = name == "biblatex"
        self.encode: Callable[[str], str] = escape_specials if self.biblatex else to_latex

    def entry_type(self, record: WorkRecord) -> str:
        own = (record.source_type or "").lower()
        types = BIBLATEX_TYPES if self.biblatex else BIBTEX_TYPES
        if own in types and BIB_TO_CSL.get(own) == record.type:
            return own
        biblatex, bibtex = CSL_TO_BIB.get(record.type, ("misc", "misc"))
        if record.type == "chapter" and not record.container_title:
            return "inbook"
        kind = f"{record.extra.get('type', '')} {record.extra.get('genre', '')}"
        master = "master" in kind.lower()
        if record.type == "thesis" and master and not self.biblatex:
            return "mastersthesis"
        return biblatex if self.biblatex else bibtex

    def fields(
        self,
        record: WorkRecord,
        entry_type: str,
        abstracts: bool,
        proper: frozenset[str] = frozenset(),
        names: dict[tuple[str | None, ...], str] | None = None,
    ) -> list[tuple[str, str]]:
        """The entry's fields in order, their values encoded (``raw``: written as they are).

        Most values need no encoding at all (volumes, pages, journals, plain names): one test
        of a record's values joined spares each value its own ``encode`` call. ``names``: the
        people already written by this export (co-authors recur from work to work)."""
        enc = self.encode
        biblatex = self.biblatex
        todo: list[tuple[str, Any, bool]] = []  # (name, value, raw), empty values left out below
        put = todo.append
        ours = record.source in ("bibtex", "biblatex")  # its extra fields are BibTeX fields

        by_role: dict[str, list[Contributor]] = {}
        for person in record.contributors:
            by_role.setdefault(person.role, []).append(person)
        if by_role:
            known = {} if names is None else names
            for role, field_name in ROLE_FIELDS.items():
                if field_name == "bookauthor" and not biblatex:
                    continue
                if people := by_role.get(role):
                    put((field_name, " and ".join([_named(p, enc, known) for p in people]), True))
        if record.title:
            if biblatex or not record.subtitle:
                put(("title", _protect_title(record.title, enc, proper), True))
                if record.subtitle:
                    put(("subtitle", _protect_title(record.subtitle, enc, proper), True))
            else:
                put(("title", _protect_title(record.full_title or "", enc, proper), True))
        container = record.container_title
        if entry_type in ("article", "periodical", "review"):
            put(("journaltitle" if biblatex else "journal", container, False))
            if biblatex:
                put(("shortjournal", record.container_short_title, False))
        elif entry_type == "online" or (entry_type == "misc" and record.type == "webpage"):
            put(("organization" if biblatex else "howpublished", container, False))
        elif entry_type not in ("book", "mvbook", "collection", "proceedings"):
            put(("booktitle", container, False))
        put(("series", record.collection_title, False))
        put(("volume", record.volume, False))
        if entry_type in ("article", "periodical", "review"):
            put(("number", record.issue, False))
        else:
            put(("number", record.number, False))
            if biblatex or record.number is None:
                put(("issue" if biblatex else "number", record.issue, False))
        put(("eid", record.article_number, False))
        if pages := record.pages:
            dashed = pages.replace("-", "--") if is_plain(pages) else None
            put(("pages", dashed or "--".join([enc(p) for p in pages.split("-")]), True))
        put(("edition", record.edition, False))
        body = record.publisher
        if entry_type in ("thesis", "phdthesis", "mastersthesis"):
            put(("institution" if biblatex else "school", body, False))
            if biblatex:
                master = "master" in entry_type or _is_master(record)
                put(("type", "mathesis" if master else "phdthesis", False))
        elif entry_type in ("report", "techreport"):
            put(("institution", body, False))
            # "Discussion paper", pandoc's genre; biblatex requires one
            genre = record.extra.get("genre") or ("techreport" if biblatex else None)
            put(("type", genre, False))
        elif entry_type == "manual" and not biblatex:
            put(("organization", body, False))
        elif entry_type != "online" and not (biblatex and entry_type == "article"):
            put(("publisher", body, False))  # biblatex's data model has no publisher for articles
        if not (biblatex and entry_type == "article"):
            put(("location" if biblatex else "address", record.publisher_place, False))
        if record.issued:
            if biblatex:
                put(("date", str(record.issued), True))
            else:
                put(("year", record.issued.year, True))
                if record.issued.month:
                    put(("month", MONTH_MACROS[record.issued.month - 1], True))
        if record.accessed and biblatex:
            put(("urldate", str(record.accessed), True))
        # biber validates one ISSN/ISBN per field; classic BibTeX takes a list
        put(("issn", record.issn[0] if biblatex and record.issn else ", ".join(record.issn), False))
        put(("isbn", record.isbn[0] if biblatex and record.isbn else ", ".join(record.isbn), False))
        put(("doi", record.doi, True))
        put(("url", record.url, True))
        if record.pmid:
            if biblatex:
                put(("eprint", record.pmid, True))
                put(("eprinttype", "pubmed", False))
            else:
                put(("pmid", record.pmid, True))
        if record.language:
            put(("langid" if biblatex else "language", babel_language(record.language), False))
        if any(person.particle for person in record.contributors):
            options = _useprefix(record.extra.get("options") if ours else None)
            put(("options", options, True))
        if any("," in keyword for keyword in record.keywords):
            put(("keywords", _keywords(record.keywords, enc), True))
        else:
            put(("keywords", ", ".join(record.keywords), False))
        put(("note", record.note, False))
        if abstracts and record.abstract:  # long and often not plain: encoded on its own
            put(("abstract", enc(str(record.abstract)), True))
        if ours and record.extra:
            written = {name for name, value, _ in todo if value not in _EMPTY}
            written |= {"type", "year", "month", "date", "genre"}
            for name, value in record.extra.items():
                if _FIELD_NAME.fullmatch(name) and name not in written:
                    put((name, value, False))
        kept = [(name, str(value), raw) for name, value, raw in todo if value not in _EMPTY]
        if is_plain("\x00".join([text for _, text, raw in kept if not raw])):
            return [(name, text) for name, text, _ in kept]
        return [(name, text if raw else enc(text)) for name, text, raw in kept]

    def entry(
        self,
        key: str,
        record: WorkRecord,
        abstracts: bool = True,
        proper: frozenset[str] = frozenset(),
        names: dict[tuple[str | None, ...], str] | None = None,
    ) -> str:
        """One entry; ``proper``: proper nouns known from the other works exported with it;
        ``names``: as ``fields`` takes it."""
        entry_type = self.entry_type(record)
        fields = self.fields(record, entry_type, abstracts, proper, names)
        width = max([len(name) for name, _ in fields], default=0)
        lines = [
            f"  {name.ljust(width)} = {value},"
            if name == "month" and value in MONTH_MACROS
            else f"  {name.ljust(width)} = {{{value}}},"
            for name, value in fields
        ]
        return "\n".join([f"@{entry_type}{{{key},", *lines, "}"])

    def export(self, works: Sequence[StoredWork], *, abstracts: bool = True) -> str:
        """Every entry; a large export's entries written on two cores (``forked``: the
        entries are independent once the proper nouns are known, and a child inherits the
        loaded works without pickling them); the collector paused (``heap``): the entries'
        short-lived strings and lists would otherwise have it scan every record again and
        again."""
        # the proper nouns of every abstract: a title with no abstract of its own still gets them
        proper = proper_nouns(".\n".join(w.record.abstract or "" for w in works))

        def entries(part: Sequence[StoredWork]) -> str:
            names: dict[tuple[str | None, ...], str] = {}
            with collector_paused():
                return "".join(
                    self.entry(w.citekey, w.record, abstracts, proper, names) + "\n\n" for w in part
                )

        parts = [works]
        if len(works) >= PARALLEL_MIN_WORKS and free_cores() >= 2:
            cut = round(len(works) * cuts(2)[0])
            parts = [works[:cut], works[cut:]]
        return "".join(map_forked(entries, parts))
