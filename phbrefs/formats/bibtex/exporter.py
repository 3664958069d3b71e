"""Writing BibTeX (ASCII LaTeX for classic BibTeX and pandoc) and BibLaTeX (UTF-8 for biber)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from phbrefs.formats.bibtex.fields import (
    BIB_TO_CSL,
    BIBLATEX_TYPES,
    BIBTEX_TYPES,
    CSL_TO_BIB,
    MONTH_MACROS,
    ROLE_FIELDS,
    _fully_braced,
)
from phbrefs.formats.latex import babel_language, escape_specials, to_latex
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
    without a language model; the work's own abstract is the best witness there is. Counted
    with two scans in C (every word; the words starting sentences): a word is inside a
    sentence somewhere when it occurs more often than it starts one."""
    first = _WORD.search(text) if text else None
    if text is None or first is None:
        return frozenset()
    everywhere = Counter(_WORD.findall(text))
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
    in lower case)."""
    words = title.split(" ")
    # the words with an inner capital, found in one pass over the title (a word's index is
    # the number of spaces before it; a match never spans a space)
    acronyms = {title.count(" ", 0, match.start()) for match in _INNER_CAPITAL.finditer(title)}
    long_words = capitalised = 0
    for index in range(1, len(words)):
        word = words[index]
        if len(word) >= 4 and word[:1].isalpha() and index not in acronyms:
            long_words += 1
            capitalised += word[:1].isupper()
    sentence_case = capitalised * 2 <= long_words
    out, plain = [], []  # runs of unprotected words are encoded at once (a space ends any
    for index, word in enumerate(words):  # ligature, so that is the same as word by word)
        if word[:1].islower() and index not in acronyms:  # its core starts with that letter:
            plain.append(word)  # neither capitalised nor a proper noun
            continue
        core = word.strip(_PUNCTUATION)
        protect = (
            index in acronyms
            or (sentence_case and index > 0 and core[:1].isupper())
            or core in proper
        )
        if protect and core:
            if plain:
                out.append(encode(" ".join(plain)))
                plain = []
            lead, _, tail = word.partition(core)
            out.append(f"{encode(lead)}{{{encode(core)}}}{encode(tail)}")
        else:
            plain.append(word)
    if plain:
        out.append(encode(" ".join(plain)))
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


_FIELD_NAME = re.compile(r"[a-z][a-z0-9_-]*")  # an extra field BibTeX can take as it is
_NEEDS_BRACES = re.compile(r",|\band\b")  # what a name splitter would cut at
_VON_LIKE = re.compile(r"(?:^|\s)\{\\")  # a word a name splitter takes for a "von" word


def _name_part(text: str, encode: Callable[[str], str]) -> str:
    encoded = encode(text)
    if ("," in text or "and" in text) and _NEEDS_BRACES.search(text):
        return f"{{{encoded}}}"
    return encoded


def _name(person: Contributor, encode: Callable[[str], str]) -> str:
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
    ) -> list[tuple[str, str]]:
        enc = self.encode
        fields: list[tuple[str, str]] = []
        ours = record.source in ("bibtex", "biblatex")  # its extra fields are BibTeX fields

        def add(name: str, value: Any, *, raw: bool = False) -> None:
            if value in (None, "", []):
                return
            text = str(value)
            fields.append((name, text if raw else enc(text)))

        by_role: dict[str, list[Contributor]] = {}
        for person in record.contributors:
            by_role.setdefault(person.role, []).append(person)
        for role, field_name in ROLE_FIELDS.items():
            if field_name == "bookauthor" and not self.biblatex:
                continue
            if people := by_role.get(role):
                add(field_name, " and ".join(_name(p, enc) for p in people), raw=True)
        if record.title:
            if self.biblatex or not record.subtitle:
                add("title", _protect_title(record.title, enc, proper), raw=True)
                if record.subtitle:
                    add("subtitle", _protect_title(record.subtitle, enc, proper), raw=True)
            else:
                add("title", _protect_title(record.full_title or "", enc, proper), raw=True)
        container = record.container_title
        if entry_type in ("article", "periodical", "review"):
            add("journaltitle" if self.biblatex else "journal", container)
            if self.biblatex:
                add("shortjournal", record.container_short_title)
        elif entry_type == "online" or (entry_type == "misc" and record.type == "webpage"):
            add("organization" if self.biblatex else "howpublished", container)
        elif entry_type not in ("book", "mvbook", "collection", "proceedings"):
            add("booktitle", container)
        add("series", record.collection_title)
        add("volume", record.volume)
        if entry_type in ("article", "periodical", "review"):
            add("number", record.issue)
        else:
            add("number", record.number)
            if self.biblatex or record.number is None:
                add("issue" if self.biblatex else "number", record.issue)
        add("eid", record.article_number)
        if record.pages:
            add("pages", "--".join(enc(p) for p in record.pages.split("-")), raw=True)
        add("edition", record.edition)
        body = record.publisher
        if entry_type in ("thesis", "phdthesis", "mastersthesis"):
            add("institution" if self.biblatex else "school", body)
            if self.biblatex:
                add("type", "mathesis" if "master" in entry_type or _is_master(record) else
                    "phdthesis")  # fmt: skip
        elif entry_type in ("report", "techreport"):
            add("institution", body)
            # "Discussion paper", pandoc's genre; biblatex requires one
            add("type", record.extra.get("genre") or ("techreport" if self.biblatex else None))
        elif entry_type == "manual" and not self.biblatex:
            add("organization", body)
        elif entry_type != "online" and not (self.biblatex and entry_type == "article"):
            add("publisher", body)  # biblatex's data model has no publisher for articles
        if not (self.biblatex and entry_type == "article"):
            add("location" if self.biblatex else "address", record.publisher_place)
        if record.issued:
            if self.biblatex:
                add("date", str(record.issued), raw=True)
            else:
                add("year", record.issued.year, raw=True)
                if record.issued.month:
                    fields.append(("month", MONTH_MACROS[record.issued.month - 1]))
        if record.accessed and self.biblatex:
            add("urldate", str(record.accessed), raw=True)
        # biber validates one ISSN/ISBN per field; classic BibTeX takes a list
        add("issn", record.issn[0] if self.biblatex and record.issn else ", ".join(record.issn))
        add("isbn", record.isbn[0] if self.biblatex and record.isbn else ", ".join(record.isbn))
        add("doi", record.doi, raw=True)
        add("url", record.url, raw=True)
        if record.pmid:
            if self.biblatex:
                add("eprint", record.pmid, raw=True)
                add("eprinttype", "pubmed")
            else:
                add("pmid", record.pmid, raw=True)
        if record.language:
            add("langid" if self.biblatex else "language", babel_language(record.language))
        if any(person.particle for person in record.contributors):
            add("options", _useprefix(record.extra.get("options") if ours else None), raw=True)
        add("keywords", ", ".join(record.keywords))
        add("note", record.note)
        if abstracts:
            add("abstract", record.abstract)
        if ours:
            written = {name for name, _ in fields} | {"type", "year", "month", "date", "genre"}
            for name, value in record.extra.items():
                if _FIELD_NAME.fullmatch(name) and name not in written:
                    add(name, value)
        return fields

    def entry(
        self,
        key: str,
        record: WorkRecord,
        abstracts: bool = True,
        proper: frozenset[str] = frozenset(),
    ) -> str:
        """One entry; ``proper``: proper nouns known from the other works exported with it."""
        entry_type = self.entry_type(record)
        fields = self.fields(record, entry_type, abstracts, proper)
        width = max((len(name) for name, _ in fields), default=0)
        lines = [f"@{entry_type}{{{key},"]
        for name, value in fields:
            text = value if name == "month" and value in MONTH_MACROS else f"{{{value}}}"
            lines.append(f"  {name.ljust(width)} = {text},")
        lines.append("}")
        return "\n".join(lines)

    def export(self, works: Sequence[StoredWork], *, abstracts: bool = True) -> str:
        # the proper nouns of every abstract: a title with no abstract of its own still gets them
        proper = proper_nouns(".\n".join(w.record.abstract or "" for w in works))
        return "".join(self.entry(w.citekey, w.record, abstracts, proper) + "\n\n" for w in works)
