"""One BibTeX entry to a ``WorkRecord``: bibtexparser's parse stack (``@string`` macros, LaTeX
decoding, names), ``crossref`` and ``xdata`` inheritance, and the field mapping."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from phbrefs.cleaning import clean_record
from phbrefs.formats.bibtex.fields import (
    _BOOK_PARENTS,
    _IN_CHILDREN,
    _NO_INHERIT,
    BIB_TO_CSL,
    MONTHS,
    NAME_FIELDS,
    VERBATIM,
    _fully_braced,
)
from phbrefs.formats.latex import needs_decoding, to_text
from phbrefs.formats.limits import MAX_FIELD_CHARS
from phbrefs.ids import is_doi, normalize_doi
from phbrefs.records import Contributor, PartialDate, WorkRecord

if TYPE_CHECKING:
    from bibtexparser.model import Entry


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
                elif name == "keywords":  # {Child, Preschool} is one keyword
                    field.value = [to_text(k) for k in split_keywords(value)]
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


_NOT_ON_A_WEB_PAGE = ("publisher", "doi", "volume", "pages", "issn", "isbn")


def split_keywords(value: str) -> list[str]:
    """A ``keywords`` value split at the commas and semicolons outside braces, as biblatex
    reads its lists: ``{Child, Preschool}, Infant`` is two keywords (the braces are kept)."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(value):
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char in ",;" and depth == 0:
            parts.append(value[start:index])
            start = index + 1
    parts.append(value[start:])
    return [part.strip() for part in parts if part.strip()]


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
    # what classic BibTeX calls a web page; with a DOI, a publisher, a volume, pages or an
    # ISSN it is a generic work (an article without a journal exports as @misc)
    web_page = not any(name in fields for name in _NOT_ON_A_WEB_PAGE)
    if entry_type == "misc" and fields.get("url") and not container and web_page:
        record.type = "webpage"
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
    if issn := take("issn", None):  # made bare identifiers by clean_record
        record.issn = [issn]
    if isbn := take("isbn", None):
        record.isbn = [isbn]
    record.url = take("url", None)
    if doi := take("doi", None):
        if is_doi(doi):
            record.doi = normalize_doi(doi)
        else:
            record.extra["doi"] = doi
    record.language = take("langid", None) or take("language", None)
    if keywords := take("keywords", None):  # split by the parse stack (split_keywords)
        keywords = split_keywords(keywords) if isinstance(keywords, str) else keywords
        record.keywords = [k.strip() for k in keywords if k.strip()]
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
