"""CSL-JSON, the data format of Zotero, pandoc and citeproc: import and export.

Mapping follows CSL-JSON 1.0.2. On import, keys phbrefs has no field for are kept in
``record.extra`` (values that are not strings as JSON text) so nothing is lost; on export only
valid CSL variables are written, so pandoc and Zotero read the file without complaint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from phbrefs.cleaning import clean_record
from phbrefs.errors import ParseError
from phbrefs.formats import EntryError, ParseResult
from phbrefs.records import Contributor, PartialDate, WorkRecord

if TYPE_CHECKING:
    from phbrefs.library import StoredWork

CSL_TYPES = frozenset(
    "article article-journal article-magazine article-newspaper bill book broadcast chapter "
    "classic collection dataset document entry entry-dictionary entry-encyclopedia event "
    "figure graphic hearing interview legal_case legislation manuscript map motion_picture "
    "musical_score pamphlet paper-conference patent performance periodical personal_communication "
    "post post-weblog regulation report review review-book software song speech standard "
    "thesis treaty webpage".split()
)
NAME_VARIABLES = (
    "author chair collection-editor compiler composer container-author contributor curator "
    "director editor editorial-director executive-producer guest host illustrator interviewer "
    "narrator organizer original-author performer producer recipient reviewed-author "
    "script-writer series-creator translator"
).split()
DATE_VARIABLES = frozenset(
    "accessed available-date event-date issued original-date submitted".split()
)
# Standard and number variables phbrefs keeps only in ``extra``: exported back when present there.
OTHER_VARIABLES = frozenset(
    "annote archive archive-collection archive_collection archive-location archive_location "
    "archive-place authority call-number chapter-number citation-label collection-number "
    "dimensions division event event-place event-title genre jurisdiction "
    "medium number-of-pages number-of-volumes original-publisher original-publisher-place "
    "original-title part part-title PMCID printing references reviewed-genre reviewed-title "
    "scale section source status supplement title-short version volume-title "
    "volume-title-short year-suffix".split()
)
# CSL variable -> WorkRecord string field, both ways.
STRING_FIELDS = {
    "container-title": "container_title",
    "container-title-short": "container_short_title",
    "collection-title": "collection_title",
    "volume": "volume",
    "issue": "issue",
    "page": "pages",
    "edition": "edition",
    "publisher": "publisher",
    "publisher-place": "publisher_place",
    "URL": "url",
    "PMID": "pmid",
    "abstract": "abstract",
    "language": "language",
    "note": "note",
}
ARTICLE_TYPES = frozenset({"article", "article-journal", "article-magazine", "article-newspaper"})
_SPLIT_IDS = re.compile(r"[,;]\s*|\s+")
_GENERATED_ID = re.compile(r"^(?:[a-z][a-z0-9+.\-]*://|\d+/[A-Z0-9]{8}$)", re.I)
_RAW_DATE = re.compile(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?")


class ItemError(ValueError):
    """One CSL item that cannot be read (the rest of the file still imports)."""


# -- import -----------------------------------------------------------------------------------


def _text(value: Any, variable: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ItemError(f"{variable} must be text or a number, not {type(value).__name__}")
    return str(value).strip() or None


def _date(value: Any, variable: str) -> PartialDate | None:
    """A CSL date object: ``date-parts`` first, else ``raw``/``literal`` text with a year in it."""
    if value is None:
        return None
    if isinstance(value, str):
        value = {"raw": value}
    if not isinstance(value, dict):
        raise ItemError(f"{variable} must be a date object")
    parts = value.get("date-parts")
    if parts:
        if not isinstance(parts, list) or not isinstance(parts[0], list):
            raise ItemError(f"{variable}: date-parts must be a list of lists")
        date = PartialDate.from_parts(parts[0])
        if date is None and parts[0] and parts[0][0] not in (None, ""):
            raise ItemError(f"{variable}: unreadable date-parts {parts[0]!r}")
        if date is not None:
            return date
    for text in (value.get("raw"), value.get("literal")):
        if isinstance(text, str) and (match := _RAW_DATE.search(text)):
            return PartialDate.parse("-".join(p for p in match.groups() if p))
    return None


def _name(data: Any, role: str) -> Contributor:
    if isinstance(data, str):
        return Contributor(role=role, literal=data.strip())
    if not isinstance(data, dict):
        raise ItemError(f"{role}: a name must be an object")
    particles = [data.get("dropping-particle"), data.get("non-dropping-particle")]
    family = _text(data.get("family"), role)
    given = _text(data.get("given"), role)
    literal = _text(data.get("literal"), role)
    if not (family or given or literal):
        raise ItemError(f"{role}: a name with no family, given or literal part")
    return Contributor(
        role=role,
        given=given,
        family=family,
        literal=literal,
        particle=" ".join(p.strip() for p in particles if isinstance(p, str) and p.strip()) or None,
        suffix=_text(data.get("suffix"), role),
    )


def _id_list(value: Any, variable: str) -> list[str]:
    if isinstance(value, list):
        return [t for v in value if (t := _text(v, variable))]
    text = _text(value, variable)
    return [p for p in _SPLIT_IDS.split(text) if p] if text else []


def _extra_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def csl_to_record(item: dict[str, Any]) -> WorkRecord:
    """A WorkRecord from one CSL-JSON item; raises ``ItemError`` when the item is malformed."""
    if not isinstance(item, dict):
        raise ItemError(f"an item must be an object, not {type(item).__name__}")
    handled = {"id", "citation-key", "type", "title", "DOI", "ISSN", "ISBN", "number"}
    handled.update(STRING_FIELDS, NAME_VARIABLES, ("issued", "accessed", "keyword"))
    csl_type = _text(item.get("type"), "type")
    record = WorkRecord(
        type=csl_type or "document",  # pandoc writes "" for BibTeX @misc
        source_type=csl_type,
        title=_text(item.get("title"), "title"),
        doi=_doi(item.get("DOI")),
        issued=_date(item.get("issued"), "issued"),
        accessed=_date(item.get("accessed"), "accessed"),
        issn=_id_list(item.get("ISSN"), "ISSN"),
        isbn=_id_list(item.get("ISBN"), "ISBN"),
        source="csljson",
        raw=json.dumps(item, ensure_ascii=False),
    )
    for variable, field_name in STRING_FIELDS.items():
        setattr(record, field_name, _text(item.get(variable), variable))
    if record.container_short_title is None and item.get("journalAbbreviation"):
        record.container_short_title = _text(item["journalAbbreviation"], "journalAbbreviation")
        handled.add("journalAbbreviation")
    number = _text(item.get("number"), "number")
    if csl_type in ARTICLE_TYPES:
        record.article_number = number
    else:
        record.number = number
    keyword = item.get("keyword")
    if isinstance(keyword, list):
        record.keywords = [t for k in keyword if (t := _text(k, "keyword"))]
    elif text := _text(keyword, "keyword"):
        # "; " when a keyword holds a comma (as the export writes them), else ", "
        separator = ";" if ";" in text else ","
        record.keywords = [k.strip() for k in text.split(separator) if k.strip()]
    for role in NAME_VARIABLES:
        names = item.get(role)
        if names in (None, []):
            continue
        if not isinstance(names, list):
            raise ItemError(f"{role} must be a list of names")
        record.contributors.extend(_name(n, role) for n in names)
    record.citekey = _proposed_key(item.get("citation-key") or item.get("id"))
    record.extra = {
        name: _extra_value(value)
        for name, value in item.items()
        if name not in handled and value not in (None, "", [], {})
    }
    return clean_record(record)


def _proposed_key(value: Any) -> str | None:
    """The item's id as a citekey, unless it is a Zotero item URI or library/item id."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    key = str(value).strip()
    return None if _GENERATED_ID.match(key) else key or None


def _doi(value: Any) -> str | None:
    from phbrefs.ids import InvalidDOIError, normalize_doi

    text = _text(value, "DOI")
    if text is None:
        return None
    try:
        return normalize_doi(text)
    except InvalidDOIError as error:
        raise ItemError(f"DOI: {error}") from None


class CslJsonImporter:
    name = "csljson"

    def sniff(self, text: str) -> bool:
        start = text.lstrip()[:1]
        if start not in ("[", "{"):
            return False
        try:
            data = json.loads(text)
        except ValueError:
            return False
        first = data[0] if isinstance(data, list) and data else data
        return isinstance(first, dict) and bool({"type", "title", "id"} & first.keys())

    def parse(self, text: str, origin: str) -> ParseResult:
        from phbrefs.formats.limits import bounded_int
        from phbrefs.formats.limits import problem as beyond_limits

        try:
            data = json.loads(text, parse_int=bounded_int)
        except json.JSONDecodeError as error:
            raise ParseError(origin, f"not valid JSON: {error.msg}", error.lineno) from None
        except ValueError as error:
            raise ParseError(origin, f"not valid JSON: {error}") from None
        except RecursionError:
            raise ParseError(origin, "not valid JSON: nested too deeply") from None
        items = data if isinstance(data, list) else [data]
        result = ParseResult()
        for index, item in enumerate(items):
            try:
                record = csl_to_record(item)
                if not record.title:  # as RIS and BibTeX: an untitled work is no reference
                    raise ItemError("no title")
                if reason := beyond_limits(record):
                    raise ItemError(reason)
                result.records.append(record)
            except (ItemError, TypeError, ValueError, AttributeError, RecursionError) as error:
                key = item.get("id") if isinstance(item, dict) else None
                result.errors.append(
                    EntryError(f"{origin}[{index}]", None, str(error), str(key) if key else None)
                )
        return result


# -- export -----------------------------------------------------------------------------------


def record_to_csl(record: WorkRecord, key: str, *, abstracts: bool = True) -> dict[str, Any]:
    """One CSL-JSON 1.0.2 item for ``record`` under the id ``key``."""
    item: dict[str, Any] = {"id": key, "citation-key": key}
    item["type"] = record.type if record.type in CSL_TYPES else "document"
    if record.full_title:
        item["title"] = record.full_title
    for role in NAME_VARIABLES:
        names = [
            _name_object(c)
            for c in record.contributors
            if c.role == role and (c.family or c.literal or c.given) and not c.is_others
        ]  # CSL has no "and others": a style cuts long lists itself
        if names:
            item[role] = names
    for variable, field_name in STRING_FIELDS.items():
        value = getattr(record, field_name)
        if value and (abstracts or variable != "abstract"):
            item[variable] = value
    if abstracts and not record.abstract and record.abstract_sections:
        item["abstract"] = "\n\n".join(
            f"{s.heading}: {s.text}" if s.heading else s.text for s in record.abstract_sections
        )
    number = record.number or record.article_number
    if number:
        item["number"] = number
    issued = record.issued or record.published_print or record.published_online
    if issued:
        item["issued"] = {"date-parts": [issued.to_parts()]}
    if record.accessed:
        item["accessed"] = {"date-parts": [record.accessed.to_parts()]}
    if record.doi:
        item["DOI"] = record.doi
    if record.issn:
        item["ISSN"] = ", ".join(record.issn)
    if record.isbn:
        item["ISBN"] = ", ".join(record.isbn)
    if record.keywords:
        commas = any("," in keyword for keyword in record.keywords)
        item["keyword"] = ("; " if commas else ", ").join(record.keywords)
    for name, value in record.extra.items():
        if name in item:
            continue
        if name in DATE_VARIABLES:
            try:
                item[name] = json.loads(value)
            except ValueError:
                continue
        elif name in OTHER_VARIABLES:
            item[name] = value
    return item


def _name_object(person: Contributor) -> dict[str, str]:
    if not person.family:
        return {"literal": person.literal or person.given or ""}
    name = {"family": person.family}
    if person.given:
        name["given"] = person.given
    if person.particle:
        name["non-dropping-particle"] = person.particle
    if person.suffix:
        name["suffix"] = person.suffix
    return name


def work_to_csl(work: StoredWork, *, abstracts: bool = True) -> dict[str, Any]:
    """The CSL-JSON item of a stored work, its citekey as ``id``."""
    return record_to_csl(work.record, work.citekey, abstracts=abstracts)


class CslJsonExporter:
    name = "csljson"
    extension = ".json"

    def export(self, works: Sequence[StoredWork], *, abstracts: bool = True) -> str:
        items = [work_to_csl(w, abstracts=abstracts) for w in works]
        return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


IMPORTER = CslJsonImporter()
EXPORTER = CslJsonExporter()
