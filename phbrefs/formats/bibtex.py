"""BibTeX and BibLaTeX: import with bibtexparser 2 middlewares, export for bibtex, biber, pandoc.

Import: ``@string`` macros, month macros, LaTeX to Unicode, names split into given/von/family/
suffix (a fully braced name is an organisation), ``crossref`` and ``xdata`` inheritance. Fields
with no home in ``WorkRecord`` go to ``record.extra`` and are written back on export.

Export: ``bibtex`` is pure ASCII LaTeX for classic BibTeX (and pandoc); ``biblatex`` is UTF-8
for biber, with BibLaTeX's own entry types and fields (``date``, ``journaltitle``...).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from phbrefs.cleaning import clean_record
from phbrefs.formats import EntryError, ParseResult
from phbrefs.formats.latex import (
    babel_language,
    escape_specials,
    needs_decoding,
    to_latex,
    to_text,
)
from phbrefs.formats.limits import MAX_FIELD_CHARS
from phbrefs.formats.limits import problem as beyond_limits
from phbrefs.ids import is_doi, normalise_issn, normalize_doi
from phbrefs.records import Contributor, PartialDate, WorkRecord

if TYPE_CHECKING:
    from bibtexparser.model import Entry

    from phbrefs.library import StoredWork

# -- entry types ------------------------------------------------------------------------------

BIB_TO_CSL = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "bookinbook": "chapter",
    "inbook": "chapter",
    "suppbook": "chapter",
    "booklet": "pamphlet",
    "collection": "book",
    "mvcollection": "book",
    "incollection": "chapter",
    "suppcollection": "chapter",
    "dataset": "dataset",
    "manual": "report",
    "misc": "article",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "patent": "patent",
    "periodical": "periodical",
    "suppperiodical": "article-journal",
    "proceedings": "book",
    "mvproceedings": "book",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "reference": "book",
    "mvreference": "book",
    "inreference": "entry-encyclopedia",
    "report": "report",
    "techreport": "report",
    "thesis": "thesis",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "unpublished": "manuscript",
    "software": "software",
    "standard": "standard",
    "legislation": "legislation",
    "jurisdiction": "legal_case",
    "artwork": "graphic",
    "image": "graphic",
    "audio": "song",
    "music": "song",
    "video": "motion_picture",
    "movie": "motion_picture",
    "performance": "performance",
    "letter": "personal_communication",
    "review": "review",
}

# CSL type -> (biblatex type, bibtex type)
CSL_TO_BIB = {
    "article-journal": ("article", "article"),
    "article-magazine": ("article", "article"),
    "article-newspaper": ("article", "article"),
    "review": ("review", "article"),
    "review-book": ("review", "article"),
    "periodical": ("periodical", "misc"),
    "book": ("book", "book"),
    "classic": ("book", "book"),
    "chapter": ("incollection", "incollection"),
    "entry-encyclopedia": ("inreference", "incollection"),
    "entry-dictionary": ("inreference", "incollection"),
    "entry": ("inreference", "incollection"),
    "paper-conference": ("inproceedings", "inproceedings"),
    "report": ("report", "techreport"),
    "thesis": ("thesis", "phdthesis"),
    "webpage": ("online", "misc"),
    "post": ("online", "misc"),
    "post-weblog": ("online", "misc"),
    "dataset": ("dataset", "misc"),
    "software": ("software", "misc"),
    "manuscript": ("unpublished", "unpublished"),
    "pamphlet": ("booklet", "booklet"),
    "patent": ("patent", "misc"),
    "standard": ("standard", "techreport"),
    "legislation": ("legislation", "misc"),
    "legal_case": ("jurisdiction", "misc"),
    "personal_communication": ("letter", "misc"),
}
BIBLATEX_TYPES = set(BIB_TO_CSL) - {
    "electronic",
    "www",
    "conference",
    "phdthesis",
    "mastersthesis",
    "techreport",
}
BIBTEX_TYPES = {
    "article",
    "book",
    "booklet",
    "inbook",
    "incollection",
    "inproceedings",
    "conference",
    "manual",
    "mastersthesis",
    "misc",
    "phdthesis",
    "proceedings",
    "techreport",
    "unpublished",
}

NAME_FIELDS = {
    "author": "author",
    "editor": "editor",
    "translator": "translator",
    "bookauthor": "container-author",
    "editora": "editor",
    "annotator": "annotator",
    "commentator": "commentator",
    "introduction": "introduction",
    "foreword": "foreword",
    "afterword": "afterword",
}
ROLE_FIELDS = {
    "author": "author",
    "editor": "editor",
    "translator": "translator",
    "container-author": "bookauthor",
}
# Fields read verbatim (no LaTeX decoding): identifiers and links.
VERBATIM = frozenset(("url", "doi", "eprint", "file", "pdf", "verba", "verbb", "verbc", "urlraw"))
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
CONTAINER_ENTRIES = frozenset(("xdata", "set"))  # hold fields for others; not works themselves
_NO_INHERIT = frozenset(
    (
        "ids crossref xref xdata entryset entrysubtype execute label options presort related "
        "relatedoptions relatedstring relatedtype shorthand shorthandintro sortkey"
    ).split()
)
_BOOK_PARENTS = frozenset(
    ("book", "mvbook", "collection", "mvcollection", "proceedings", "mvproceedings", "reference")
)
_IN_CHILDREN = frozenset(
    (
        "inbook",
        "bookinbook",
        "suppbook",
        "incollection",
        "suppcollection",
        "inproceedings",
        "inreference",
    )
)

log = logging.getLogger("bibtexparser")
log.addHandler(logging.NullHandler())
log.propagate = False


# -- import -----------------------------------------------------------------------------------


def _parse_stack() -> list[Any]:
    from bibtexparser.middlewares import (
        BlockMiddleware,
        RemoveEnclosingMiddleware,
        ResolveStringReferencesMiddleware,
    )
    from bibtexparser.middlewares.names import split_multiple_persons_names

    strip_enclosing = RemoveEnclosingMiddleware._strip_enclosing

    class DecodeFields(BlockMiddleware):
        """bibtexparser's enclosing removal, co-author split and LaTeX decoding in one pass
        (each of its middlewares rebuilds the library: a third of the parse), skipping
        verbatim fields (URLs, DOIs)."""

        def __init__(self) -> None:
            super().__init__(allow_inplace_modification=True, allow_parallel_execution=False)

        def transform_entry(self, entry: Entry, library: Any) -> Any:
            for field in entry.fields:
                value = strip_enclosing(field.value)[0]
                name = field.key.lower()
                if name in NAME_FIELDS:
                    field.value = split_multiple_persons_names(value)
                else:
                    field.value = value if name in VERBATIM else to_text(value)
            return entry

    class ResolveStrings(ResolveStringReferencesMiddleware):
        """bibtexparser's ``@string`` resolution, plus ``#`` concatenation (``pre # {Text}``)."""

        def transform(self, library: Any) -> Any:
            strings: dict[str, str | None] = {}  # None: refused, too large
            for string in library.strings:
                try:
                    strings[string.key.lower()] = _concatenate(string.value, strings)
                except ExpansionError:
                    strings[string.key.lower()] = None
            for entry in library.entries:
                for field in entry.fields:
                    if isinstance(field.value, str):
                        try:
                            field.value = _concatenate(field.value, strings)
                        except ExpansionError as error:
                            entry.parser_metadata[ENTRY_ERROR] = f"field {field.key}: {error}"
            return library

    return [ResolveStrings(), DecodeFields()]


ENTRY_ERROR = "phbrefs.error"  # an entry's parser_metadata key: why it cannot be read


class ExpansionError(ValueError):
    """``@string`` macros that expand beyond a field's size (a macro bomb)."""


def _macro(name: str, strings: dict[str, str | None]) -> str | None:
    key = name.strip().lower()
    if key in strings and strings[key] is None:
        raise ExpansionError(
            f"@string {name.strip()} expands to more than {MAX_FIELD_CHARS:,} characters"
        )
    return strings.get(key)


def _concatenate(value: str, strings: dict[str, str | None]) -> str:
    """A raw field value (``{a}``, ``"a"``, ``macro``, ``1999`` or parts joined by ``#``) as
    one braced value; unknown macros (month names) stay as their names. A value expanding
    beyond ``MAX_FIELD_CHARS`` raises ExpansionError, before it is built."""
    if "#" not in value:
        if value[:1] in ("{", '"'):
            return value
        resolved = _macro(value, strings)
        return value if resolved is None else resolved
    parts, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(value):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(value[start:index])
            start = index + 1
    parts.append(value[start:])
    if len(parts) == 1 and value[:1] in ("{", '"'):
        return value
    pieces, size = [], 0
    for part in (p.strip() for p in parts):
        if part[:1] in ("{", '"') and len(part) >= 2:
            pieces.append(part[1:-1])
        else:
            resolved = _macro(part, strings)
            pieces.append(resolved[1:-1] if resolved is not None else part)
        size += len(pieces[-1])
        if size > MAX_FIELD_CHARS:
            raise ExpansionError(f"expands to more than {MAX_FIELD_CHARS:,} characters")
    return "{" + "".join(pieces) + "}"


def _fields(entry: Entry) -> dict[str, Any]:
    return {f.key.lower(): f.value for f in entry.fields}


def _inherit(
    entries: dict[str, tuple[str, dict[str, Any]]],
    entry_type: str,
    own: dict[str, Any],
    seen: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """An entry's fields with its ``xdata`` and ``crossref`` parents' fields filled in (biblatex
    inheritance: a book's ``title`` becomes a chapter's ``booktitle``, and so on)."""
    if "crossref" not in own and "xdata" not in own:
        return own
    fields = dict(own)

    def parent(key: str) -> tuple[str, dict[str, Any]] | None:
        if key not in entries or key in seen:
            return None
        parent_type, parent_own = entries[key]
        return parent_type, _inherit(entries, parent_type, parent_own, seen | {key})

    for key in [k.strip().lower() for k in str(own.get("xdata", "")).split(",") if k.strip()]:
        if found := parent(key):
            for name, value in found[1].items():
                fields.setdefault(name, value)
    if found := parent(str(own.get("crossref", "")).strip().lower()):
        parent_type, parent_fields = found
        renames: dict[str, str] = {}
        if parent_type.startswith("mv") or (
            entry_type in _IN_CHILDREN and parent_type in _BOOK_PARENTS
        ):  # a multi-volume work's title is the volume's maintitle, a book's a chapter's
            prefix = "main" if parent_type.startswith("mv") else "book"
            renames = {part: f"{prefix}{part}" for part in ("title", "subtitle", "titleaddon")}
            if entry_type in ("inbook", "bookinbook", "suppbook"):
                renames["author"] = "bookauthor"
        elif entry_type == "article" and parent_type == "periodical":
            renames = {"title": "journaltitle", "subtitle": "journalsubtitle"}
        for name, value in parent_fields.items():
            if name not in _NO_INHERIT:
                fields.setdefault(renames.get(name, name), value)
    return fields


def _contributors(role: str, names: list[str] | str) -> list[Contributor]:
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    people = []
    for name in [names] if isinstance(names, str) else names:
        name = name.strip()
        if not name:
            continue
        if name.lower() == "others":
            people.append(Contributor(role=role, literal="others"))
            continue
        if _fully_braced(name):
            people.append(Contributor(role=role, literal=to_text(name[1:-1])))
            continue
        simple = _simple_name(name)
        if simple:  # "Welch, Elizabeth": what most names are, without the general splitter
            people.append(Contributor(role=role, given=simple[1], family=simple[0]))
            continue
        parts = parse_single_name_into_parts(name, strict=False)
        family = to_text(" ".join(parts.last))
        if not family:
            people.append(Contributor(role=role, literal=to_text(name)))
            continue
        people.append(
            Contributor(
                role=role,
                given=to_text(" ".join(parts.first)) or None,
                family=family,
                particle=to_text(" ".join(parts.von)) or None,
                suffix=to_text(" ".join(parts.jr)) or None,
            )
        )
    return people


def _simple_name(name: str) -> tuple[str, str] | None:
    """(family, given) of "Family, Given" when the family words are all capitalised and
    nothing needs LaTeX decoding (no particle, no suffix); None for anything else."""
    if name.count(",") != 1 or needs_decoding(name):
        return None
    family, given = name.split(",")
    family_words, given_words = family.split(), given.split()
    if not family_words or not given_words:
        return None
    for word in family_words:  # a loop: all() over a generator costs twice as much here
        if not word[0].isupper():
            return None
    return " ".join(family_words), " ".join(given_words)


def _fully_braced(name: str) -> bool:
    if not (name.startswith("{") and name.endswith("}")):
        return False
    depth = 0
    for index, char in enumerate(name):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and index < len(name) - 1:
            return False
    return True


def _month(value: Any) -> int | None:
    text = str(value).strip().lower().rstrip(".")
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return MONTHS.get(text)


def _date(fields: dict[str, Any], name: str = "date") -> PartialDate | None:
    match = re.match(r"^\s*(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", str(fields.get(name, "")))
    if match:
        return PartialDate.parse("-".join(p for p in match.groups() if p))
    return None


def _year_month_day(fields: dict[str, Any]) -> PartialDate | None:
    """Classic ``year`` + ``month`` (a macro, a name or a number) + ``day``."""
    year = re.fullmatch(r"\s*(\d{4})\s*", str(fields.get("year", "")))
    if not year:
        return None
    month = _month(fields.get("month", ""))
    day = str(fields.get("day", "")).strip()
    if not month:
        return PartialDate(int(year.group(1)))
    return PartialDate.parse(f"{year.group(1)}-{month}" + (f"-{day}" if day.isdigit() else ""))


def _split_list(value: str, separators: str = ",;") -> list[str]:
    return [p.strip() for p in re.split(f"[{separators}]", value) if p.strip()]


def pages_to_text(value: str) -> str:
    """``12--34`` / ``12–34`` as ``12-34`` (the CSL form)."""
    return re.sub(r"\s*(?:--+|–|—)\s*", "-", value.strip())


def entry_to_record(
    entry_type: str, key: str, fields: dict[str, Any], raw: str, source: str
) -> WorkRecord:
    """Map one (decoded, inherited) BibTeX/BibLaTeX entry to a ``WorkRecord``."""
    fields = dict(fields)
    take: Callable[..., Any] = fields.pop
    record = WorkRecord(
        type=BIB_TO_CSL.get(entry_type, "article"),
        source_type=entry_type,
        citekey=key,
        source=source,
        raw=raw,
    )
    for field_name, role in NAME_FIELDS.items():
        if field_name in fields:
            record.contributors += _contributors(role, take(field_name))
    record.title = take("title", None) or None
    record.subtitle = take("subtitle", None) or None
    in_book = entry_type in _IN_CHILDREN
    container = take("journaltitle", None) or take("journal", None)
    if in_book or not container:
        container = take("booktitle", None) or container
        subtitle = take("booksubtitle", None)
        if container and subtitle:
            container = f"{container}: {subtitle}"
    if entry_type == "misc" and fields.get("url") and not container and "publisher" not in fields:
        record.type = "webpage"  # what classic BibTeX calls a web page
    if not container and record.type == "webpage":
        container = take("organization", None) or take("howpublished", None)
    record.container_title = container or None
    record.container_short_title = take("shortjournal", None) or take("journalabbrev", None)
    record.collection_title = take("series", None)
    record.volume = take("volume", None)
    number = take("number", None)
    issue = take("issue", None)
    if entry_type in ("article", "periodical", "suppperiodical") or record.type == "article":
        record.issue = number or issue
        if number and issue:
            record.extra["issue"] = issue
    else:
        record.number = number
        record.issue = issue
    if pages := take("pages", None):
        record.pages = pages_to_text(pages)
    record.article_number = take("eid", None)
    record.edition = take("edition", None)
    publisher = take("publisher", None)
    for body in ("school", "institution", "organization"):
        if body in fields:
            if publisher:
                record.extra[body] = take(body)
            else:
                publisher = take(body)
    record.publisher = publisher
    record.publisher_place = take("location", None) or take("address", None)
    record.issued = _date(fields) or _year_month_day(fields)
    if record.issued:
        for name in ("date", "year", "month", "day"):
            take(name, None)
    if "urldate" in fields:
        record.accessed = _date(fields, "urldate")
        if record.accessed:
            take("urldate")
    if issn := take("issn", None):
        record.issn = [normalise_issn(i) for i in _split_list(issn, ",; ")]
    if isbn := take("isbn", None):
        record.isbn = _split_list(isbn)
    record.url = take("url", None)
    if doi := take("doi", None):
        if is_doi(doi):
            record.doi = normalize_doi(doi)
        else:
            record.extra["doi"] = doi
    record.language = take("langid", None) or take("language", None)
    if keywords := take("keywords", None):
        record.keywords = _split_list(keywords)
    record.abstract = take("abstract", None)
    record.note = take("note", None)
    if str(fields.get("eprinttype", "")).lower() == "pubmed" and "eprint" in fields:
        take("eprinttype")
        record.pmid = take("eprint")
    elif "pmid" in fields:
        record.pmid = take("pmid")
    if record.type == "thesis":
        kind = str(fields.get("type", "") or entry_type).lower()
        if kind in ("phdthesis", "mastersthesis", "thesis"):
            record.extra["type"] = fields.pop("type", kind)
    for name in ("crossref", "xdata"):
        fields.pop(name, None)
    for name, value in fields.items():
        record.extra[name] = value if isinstance(value, str) else " and ".join(map(str, value))
    for name in ("volume", "issue", "number", "edition", "pmid", "article_number"):
        value = getattr(record, name)
        if value is not None:
            setattr(record, name, str(value))
    return clean_record(record)


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
        as the whole does; None when entries may depend on each other (``@string``,
        ``crossref``, ``xdata`` anywhere in it, a key given twice), so that a streamed import
        never meets pieces that ``join`` refuses after it stored the first.

        Cuts fall before an ``@type{`` at the start of a line, where bibtexparser always ends
        the block before and starts a new one; each piece but the last ends with that block
        start (the sentinel) so that an unclosed block before it fails as it does in the whole
        file, and the sentinel's own block is dropped.
        """
        if not cuts or _STRING.search(text) or _LINK.search(text):
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
        pieces, start = [], 0
        for cut, sentinel in starts:
            body = text[start:cut]
            pieces.append(BibPart(_marked_lines(text, start), body + sentinel, _marked_lines(body)))
            start = cut
        pieces.append(BibPart(_marked_lines(text, start), text[start:], None))
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
_LINK = re.compile(r"[cC][rR][oO][sS][sS][rR][eE][fF]|[xX][dD][aA][tT][aA]")  # fields, types


def _marked_lines(text: str, end: int | None = None) -> int:
    """The newlines bibtexparser counts before ``end``: those not escaped by a backslash."""
    end = len(text) if end is None else end
    return text.count("\n", 0, end) - text.count("\\\n", 0, end)


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
        line = part.line((block.start_line or 0) + _marked_lines(block.raw, match.start()))
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


# -- export -----------------------------------------------------------------------------------

_ACRONYM = re.compile(r"\w*[A-Z]\w*[A-Z]|\w+[A-Z]|\d\w*[A-Z]")


# a word, with the sentence end before it if it starts a sentence
_WORD = re.compile(r"([.!?:;]\s*)?([^\W\d_][\w'’-]*)")


def proper_nouns(text: str | None) -> frozenset[str]:
    """The words ``text`` (an abstract) writes capitalised inside sentences and never in
    lower case: the proper nouns a title-case title holds ("the Delphi method" -> Delphi).

    Written here because no maintained package tells a proper noun from a capitalised word
    without a language model; the work's own abstract is the best witness there is."""
    if not text:
        return frozenset()
    words = _WORD.findall(text)
    # each distinct (sentence end, word) weighed once: abstracts repeat their words
    later = set(words[1:])  # the text's first word starts a sentence
    lower = {w.lower() for _, w in later | set(words[:1]) if w[0].islower()}
    capitalised = {w for stop, w in later if not stop and not w[0].islower()}
    return frozenset(w for w in capitalised if w.lower() not in lower)


def _protect_title(
    title: str, encode: Callable[[str], str], proper: frozenset[str] = frozenset()
) -> str:
    """Brace what a style must not lower-case: acronyms and inner capitals always, in a
    sentence-case title every capitalised word after the first (proper nouns: England, NHS),
    and in a title-case title the words ``proper`` names (see ``proper_nouns``)."""
    words = title.split(" ")
    long_words = [
        w for w in words[1:] if len(w) >= 4 and w[:1].isalpha() and not _ACRONYM.search(w)
    ]
    capitalised = [w for w in long_words if w[:1].isupper()]
    sentence_case = len(capitalised) * 2 <= len(long_words)
    out, plain = [], []  # runs of unprotected words are encoded at once (a space ends any
    for index, word in enumerate(words):  # ligature, so that is the same as word by word)
        core = word.strip("()[]\"'“”‘’:;,.!?")
        protect = (
            bool(_ACRONYM.search(core))
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


def _name(person: Contributor, encode: Callable[[str], str]) -> str:
    if person.is_organisation or not person.family:
        return f"{{{encode(person.literal or person.given or '')}}}"

    def part(text: str) -> str:
        encoded = encode(text)
        return f"{{{encoded}}}" if re.search(r",|\band\b", text) else encoded

    family = part(person.family)
    if re.search(r"(?:^|\s)\{\\", family) and (person.given or person.suffix):
        # "{\v{S}}koda" starts with what name splitters take for a lower-case "von" word
        family = f"{{{family}}}"
    elif _fully_braced(family) and not person.particle:
        # "{\`A}" alone would read as an organisation: keep that letter as UTF-8
        family = person.family[0] + encode(person.family[1:])
    if person.particle:
        family = f"{part(person.particle)} {family}"
    pieces = [family]
    if person.suffix:
        pieces.append(part(person.suffix))
    if person.given:
        pieces.append(part(person.given))
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

        for role, field_name in ROLE_FIELDS.items():
            if field_name == "bookauthor" and not self.biblatex:
                continue
            people = [p for p in record.contributors if p.role == role]
            if people:
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
                if re.fullmatch(r"[a-z][a-z0-9_-]*", name) and name not in written:
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


IMPORTERS = {"bibtex": BibImporter("bibtex"), "biblatex": BibImporter("biblatex")}
EXPORTERS = {"bibtex": BibExporter("bibtex"), "biblatex": BibExporter("biblatex")}
