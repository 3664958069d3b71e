"""RIS: import the dialects of PubMed, Scopus, Web of Science, Ovid, EBSCO and Zotero (rispy),
export RIS that Zotero, EndNote and Mendeley read.

Tags are read as given (an identity mapping over rispy's line parser) and mapped here, because
the same tag means different things across databases: ``Y1``/``PY``/``DA`` dates, ``AB``/``N2``
abstracts, ``DO``/``M3`` DOIs, ``JF``/``JO``/``T2`` journals. Tags with no home in
``WorkRecord`` are kept in ``record.extra`` (by tag) and written back on export.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from phbrefs.cleaning import clean_record
from phbrefs.errors import InvalidDOIError
from phbrefs.formats import EntryError, ParseResult
from phbrefs.formats.limits import problem as beyond_limits
from phbrefs.ids import extract_dois, normalise_issn, normalize_doi
from phbrefs.records import Contributor, PartialDate, WorkRecord

if TYPE_CHECKING:
    from phbrefs.library import StoredWork

RIS_TO_CSL = {
    "JOUR": "article-journal",
    "JFULL": "article-journal",
    "EJOUR": "article-journal",
    "ABST": "article-journal",
    "INPR": "article-journal",
    "MGZN": "article-magazine",
    "NEWS": "article-newspaper",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "CHAP": "chapter",
    "ECHAP": "chapter",
    "RPRT": "report",
    "GOVDOC": "report",
    "CONF": "paper-conference",
    "CPAPER": "paper-conference",
    "THES": "thesis",
    "ELEC": "webpage",
    "WEB": "webpage",
    "ICOMM": "webpage",
    "BLOG": "post-weblog",
    "DATA": "dataset",
    "DBASE": "dataset",
    "AGGR": "dataset",
    "COMP": "software",
    "UNPB": "manuscript",
    "MANSCPT": "manuscript",
    "PAT": "patent",
    "ENCYC": "entry-encyclopedia",
    "DICT": "entry-dictionary",
    "PAMP": "pamphlet",
    "STAND": "standard",
    "STAT": "legislation",
    "BILL": "bill",
    "CASE": "legal_case",
    "HEAR": "hearing",
    "PCOMM": "personal_communication",
    "MAP": "map",
    "ADVS": "motion_picture",
    "VIDEO": "motion_picture",
    "SOUND": "song",
    "MUSIC": "song",
    "ART": "graphic",
    "SER": "periodical",
    "GEN": "article",
}
CSL_TO_RIS = {
    "article-journal": "JOUR",
    "article-magazine": "MGZN",
    "article-newspaper": "NEWS",
    "review": "JOUR",
    "book": "BOOK",
    "chapter": "CHAP",
    "report": "RPRT",
    "paper-conference": "CONF",
    "thesis": "THES",
    "webpage": "ELEC",
    "post": "ELEC",
    "post-weblog": "BLOG",
    "dataset": "DATA",
    "software": "COMP",
    "manuscript": "UNPB",
    "patent": "PAT",
    "entry-encyclopedia": "ENCYC",
    "entry-dictionary": "DICT",
    "pamphlet": "PAMP",
    "standard": "STAND",
    "legislation": "STAT",
    "bill": "BILL",
    "legal_case": "CASE",
    "hearing": "HEAR",
    "personal_communication": "PCOMM",
    "map": "MAP",
    "motion_picture": "VIDEO",
    "song": "SOUND",
    "graphic": "ART",
    "periodical": "SER",
}
AUTHOR_TAGS = ("AU", "A1")
EDITOR_TAGS = ("ED", "A2")
TEXT_TAGS = frozenset(("AB", "N2", "N1", "TI", "T1", "T2", "T3", "BT", "CT", "JF", "JO", "PB"))
MONTH_NAMES = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])\s{1,2}-(?: |$)")
_TY_LINE = re.compile(r"^TY\s{1,2}-(?: |$)")  # where an entry always starts
_NUMERIC_DATE = re.compile(r"^(\d{4})(?:[/-](\d{0,2})(?:[/-](\d{0,2}))?)?")
_LETTER = re.compile(r"[A-Za-z]")
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}


class _Identity(dict):
    """Every tag maps to itself: the mapping to fields happens in ``tags_to_record``."""

    def __missing__(self, key: str) -> str:
        return key


class _Everything:
    """Every tag is read as a list, so repeated tags (AU, KW, SN) are all kept."""

    def __contains__(self, item: object) -> bool:
        return True


def _rispy_parser() -> Any:
    from rispy import RisParser

    return RisParser(mapping=_Identity(), list_tags=_Everything(), delimiter_tags_mapping={})  # type: ignore[arg-type]


def split_entries(text: str) -> list[tuple[int, list[str]]]:
    """The entries of an RIS text as (first line number, lines), ``TY`` to ``ER``.

    Lines are normalised to ``XX  - value`` (some exports use one space); an entry missing
    its ``ER`` ends where the next ``TY`` begins (the importer reports it).
    """
    return _entries(text.lstrip("\ufeff").splitlines(), 1)


def _entries(lines: Sequence[str], first: int) -> list[tuple[int, list[str]]]:
    """``split_entries`` over lines numbered from ``first``."""
    entries: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    for number, line in enumerate(lines, start=first):
        match = _TAG_LINE.match(line)
        if match:
            line = f"{match.group(1)}  - {line[match.end() :].strip()}"
            tag = match.group(1)
            if tag == "TY":
                current = [line]
                entries.append((number, current))
                continue
            if current is None:
                current = [line]
                entries.append((number, current))
                continue
            current.append(line)
            if tag == "ER":
                current = None
        elif current is not None:
            current.append(line)
    return entries


def _names(values: list[str], role: str) -> list[Contributor]:
    people = []
    for value in values:
        value = value.strip().rstrip(";").strip()
        if not value:
            continue
        people.append(parse_name(value, role))
    return people


def parse_name(value: str, role: str = "author") -> Contributor:
    """``Family, Given[, Suffix]``; ``Family G.`` (Scopus); no comma and several words with
    an organisation word -> an organisation."""
    if "," in value:
        family, _, rest = value.partition(",")
        given, _, suffix = rest.partition(",")
        particle, family = _split_particle(family.strip())
        return Contributor(
            role=role,
            family=family,
            given=given.strip() or None,
            particle=particle,
            suffix=suffix.strip() or None,
        )
    words = value.split()
    initials = re.fullmatch(r"((?:[A-Z]\.-?)+)", words[-1]) if len(words) > 1 else None
    if initials:  # Scopus: "Welch E.", "Hall K.-A."
        particle, family = _split_particle(" ".join(words[:-1]))
        return Contributor(role=role, family=family, given=words[-1], particle=particle)
    return Contributor(role=role, literal=value)


def _split_particle(family: str) -> tuple[str | None, str]:
    """``van der Berg`` -> (``van der``, ``Berg``): lower-case leading words are a particle."""
    words = family.split(" ")
    lead = 0
    while lead < len(words) - 1 and words[lead][:1].islower():
        lead += 1
    if lead == 0:
        return None, family
    return " ".join(words[:lead]), " ".join(words[lead:])


def parse_date(value: str) -> PartialDate | None:
    """``2016/10/10/``, ``2016///``, ``2016-10``, ``2016 Oct 10``, ``NOV 2016``, ``Spring 2019``."""
    value = value.strip()
    numeric = _NUMERIC_DATE.match(value)
    if numeric and not _LETTER.search(value, numeric.end()):
        year, month, day = numeric.groups()
        parts = [year]
        if month:
            parts.append(month.zfill(2))
            if day:
                parts.append(day.zfill(2))
        return PartialDate.parse("-".join(parts))
    year_match = re.search(r"\b(\d{4})\b", value)
    if not year_match:
        return None
    parts = [year_match.group(1)]
    for word in re.findall(r"[A-Za-z]+", value.lower()):
        month = MONTH_NAMES.get(word[:3]) or _SEASONS.get(word)
        if month:
            parts.append(f"{month:02d}")
            rest = value[: year_match.start()] + value[year_match.end() :]
            if day := re.search(r"(?<!\d)(\d{1,2})(?!\d)", rest):
                parts.append(day.group(1).zfill(2))
            break
    return PartialDate.parse("-".join(parts))


def _pages(start: str | None, end: str | None) -> str | None:
    """SP/EP or a range in SP; MEDLINE's abbreviated ``1120-30`` becomes ``1120-1130``."""
    start = (start or "").strip()
    end = (end or "").strip()
    if not end and re.search(r"\w\s*[-–]\s*\w", start):
        start, end = (p.strip() for p in re.split(r"[-–]", start, maxsplit=1))
    if start.isdigit() and end.isdigit() and len(end) < len(start):
        expanded = start[: len(start) - len(end)] + end
        if int(expanded) >= int(start):
            end = expanded
    if start and end and end != start:
        return f"{start}-{end}"
    return start or end or None


def tags_to_record(tags: dict[str, list[str]], raw: str) -> WorkRecord:
    """Map one entry's tags (every value a list) to a ``WorkRecord``."""
    tags = {
        tag: [values] if isinstance(values, str) else [v for v in values if v is not None]
        for tag, values in tags.items()
    }

    def text(tag: str) -> str | None:
        values = [v.strip() for v in tags.pop(tag, []) if v and v.strip()]
        if not values:
            return None
        return " ".join(values) if tag in TEXT_TAGS else values[0]

    def first(*names: str) -> str | None:
        found = None
        for name in names:
            value = text(name)
            if value and found is None:
                found = value
            elif value and value != found:
                tags_extra.setdefault(name, value)
        return found

    tags_extra: dict[str, str] = {}
    ris_type = (text("TY") or "GEN").upper()
    record = WorkRecord(type=RIS_TO_CSL.get(ris_type, "article"), source_type=ris_type, raw=raw)
    record.source = "ris"
    proposed_key = text("ID")
    if proposed_key and not proposed_key.isdigit():
        record.citekey = proposed_key
    elif proposed_key:
        tags_extra["ID"] = proposed_key
    record.contributors = _names(
        [v for tag in AUTHOR_TAGS for v in tags.pop(tag, [])], "author"
    ) + _names([v for tag in EDITOR_TAGS for v in tags.pop(tag, [])], "editor")
    record.contributors += _names(tags.pop("A4", []), "translator")
    record.title = first("TI", "T1", "CT")
    if record.title and record.title.endswith(".") and not record.title.endswith(".."):
        record.title = record.title[:-1]  # Ovid and MEDLINE end titles with a full stop
    book_title = text("BT")
    if book_title and not record.title:
        record.title = book_title
    elif book_title:
        record.container_title = book_title
    journal_full = first("JF", "T2", "JO")
    short = first("J2", "JA", "J9", "JI")
    record.container_title = record.container_title or journal_full
    if record.container_title and journal_full and journal_full != record.container_title:
        tags_extra.setdefault("T2", journal_full)
    record.container_short_title = short
    record.collection_title = text("T3")
    record.volume = text("VL")
    record.issue = first("IS", "CP")
    if record.type == "report":
        record.number = text("M1") if not record.issue else None
    record.pages = _pages(text("SP"), text("EP"))
    record.edition = text("ET")
    record.publisher = text("PB")
    record.publisher_place = text("CY")
    dates = [parse_date(v) for tag in ("DA", "PY", "Y1") for v in tags.pop(tag, []) if v]
    dates = [d for d in dates if d]
    if dates:
        years = [d for d in dates if d.year == dates[0].year] or dates
        record.issued = max(years, key=lambda d: len(d.to_parts()))
    accessed = text("Y2")
    if accessed and (date := parse_date(accessed)):
        record.accessed = date
    elif accessed:
        tags_extra["Y2"] = accessed
    for value in [v for v in tags.pop("SN", []) if v]:
        for number in re.split(r"[;,\s]+(?=[\dXx-]{8})", value.strip()):
            digits = re.sub(r"[^\dXx]", "", number)
            if len(digits) == 8:
                record.issn.append(normalise_issn(number))
            else:
                record.isbn.append(number.strip())
    record.language = text("LA")
    record.keywords = [
        k.strip() for v in tags.pop("KW", []) for k in re.split(r";", v or "") if k.strip()
    ]
    record.abstract = first("AB", "N2")
    record.note = text("N1")
    doi_values = [v for tag in ("DO", "M3", "DI") for v in tags.get(tag, []) if v]
    for value in doi_values:
        try:  # a DOI as written (read once), else any DOI within the text
            dois = [normalize_doi(value)]
        except InvalidDOIError:
            dois = extract_dois(value)
        if dois:
            record.doi = dois[0]
            break
    else:
        if tags.get("DO") or tags.get("DI"):  # kept as written: reported, never dropped
            tags_extra["DO"] = "\n".join(tags.get("DO", []) + tags.get("DI", []))
    tags.pop("DO", None)
    tags.pop("DI", None)
    if tags.get("M3") and record.doi and any(record.doi in extract_dois(v) for v in tags["M3"]):
        tags.pop("M3")
    urls = [u.strip() for v in tags.pop("UR", []) for u in re.split(r"[;\s]+", v or "") if u]
    if urls:
        record.url = urls[0]
        if not record.doi:
            found = extract_dois(" ".join(urls))
            record.doi = found[0] if found else None
        if len(urls) > 1:
            tags_extra["UR"] = "\n".join(urls[1:])
    database = " ".join(tags.get("DB", []) + tags.get("DP", [])).lower()
    for tag in ("AN", "C2"):
        for value in tags.get(tag, []):
            value = (value or "").strip()
            pmid = re.fullmatch(r"(?:PMID:?\s*)?(\d{5,9})", value, re.I)
            if pmid and (
                value.upper().startswith("PMID")
                or ("pubmed" in database or "medline" in database)
                or (tag == "C2" and "scopus" in database)
            ):
                record.pmid = pmid.group(1)
                tags[tag].remove(value)
                break
    for tag, values in tags.items():
        values = [v for v in values if v and v.strip()]
        if values and tag != "ER":
            tags_extra.setdefault(tag, "\n".join(values))
    record.extra = tags_extra
    return clean_record(record)


class RisImporter:
    name = "ris"
    extension = ".ris"

    def sniff(self, text: str) -> bool:
        return re.search(r"^TY\s{1,2}- ", text.lstrip("\ufeff"), re.MULTILINE) is not None

    def parse(self, text: str, origin: str) -> ParseResult:
        return self.parse_part(RisPart(1, text.lstrip("\ufeff").splitlines()), origin)

    def split(self, text: str, cuts: Sequence[float]) -> list[RisPart] | None:
        """``text`` cut near ``cuts`` (fractions of its lines) at ``TY`` lines, where an entry
        always starts, so that each piece parses exactly as it does within the whole file."""
        lines = text.lstrip("\ufeff").splitlines()
        starts = [0]
        for fraction in cuts:
            at = max(int(len(lines) * fraction), starts[-1] + 1)
            while at < len(lines) and not _TY_LINE.match(lines[at]):
                at += 1
            if at < len(lines):
                starts.append(at)
        if len(starts) < 2:
            return None
        bounds = [*starts, len(lines)]
        return [RisPart(a + 1, lines[a:b]) for a, b in pairwise(bounds)]

    def parse_part(self, part: RisPart, origin: str) -> ParseResult:
        parser = _rispy_parser()
        result = ParseResult()
        for line, lines in _entries(part.lines, part.first_line):
            tags_seen = [ln[:2] for ln in lines if _TAG_LINE.match(ln)]
            raw = "\n".join(lines).strip()
            if tags_seen[0] != "TY":
                result.errors.append(EntryError(origin, line, "entry does not start with TY"))
                continue
            if tags_seen[-1] != "ER":
                result.errors.append(EntryError(origin, line, "entry not closed with ER"))
                continue
            try:
                parsed = parser.parse_lines(iter(lines))
            except (ValueError, KeyError, AttributeError) as error:
                result.errors.append(EntryError(origin, line, f"unreadable entry: {error}"))
                continue
            if len(parsed) != 1:
                result.errors.append(EntryError(origin, line, "unreadable entry"))
                continue
            record = tags_to_record(parsed[0], raw)
            if not record.title:
                result.errors.append(EntryError(origin, line, "no title (TI/T1)"))
                continue
            if reason := beyond_limits(record):
                result.errors.append(EntryError(origin, line, reason, record.citekey))
                continue
            if "DO" in record.extra:
                why = f"DO {record.extra['DO']!r} is not a DOI: kept as written, not matched"
                result.warnings.append(EntryError(origin, line, why, record.citekey))
            result.records.append(record)
        return result

    def join(self, parsed: Sequence[ParseResult]) -> ParseResult:
        return ParseResult(
            [record for piece in parsed for record in piece.records],
            [error for piece in parsed for error in piece.errors],
            [warning for piece in parsed for warning in piece.warnings],
        )


@dataclass
class RisPart:
    """A piece of a file: the number of its first line, and its lines."""

    first_line: int
    lines: list[str]


def _ris_name(person: Contributor) -> str:
    if person.is_organisation or not person.family:
        return person.literal or person.given or ""
    family = " ".join(p for p in (person.particle, person.family) if p)
    parts = [family, person.given or ""]  # "Plato," stays a person, "Plato" an organisation
    if person.suffix:
        parts.append(person.suffix)
    return ", ".join(parts).rstrip()


class RisExporter:
    name = "ris"
    extension = ".ris"

    def entry(self, work: StoredWork, abstracts: bool = True) -> str:
        record = work.record
        lines: list[tuple[str, str]] = []

        def add(tag: str, value: Any) -> None:
            if value not in (None, ""):
                lines.append((tag, " ".join(str(value).split())))

        own = (record.source_type or "").upper()
        ris_type = own if RIS_TO_CSL.get(own) == record.type else None
        add("TY", ris_type or CSL_TO_RIS.get(record.type, "GEN"))
        add("ID", work.citekey)
        add("TI", record.full_title)
        for person in record.contributors:
            tag = {"author": "AU", "editor": "ED", "translator": "A4"}.get(person.role)
            if tag:
                add(tag, _ris_name(person))
        add("T2", record.container_title)
        add("J2", record.container_short_title)
        add("T3", record.collection_title)
        add("VL", record.volume)
        add("IS", record.issue)
        if record.type == "report":
            add("M1", record.number)
        if record.pages:
            start, _, end = record.pages.partition("-")
            add("SP", start)
            add("EP", end)
        add("ET", record.edition)
        add("PB", record.publisher)
        add("CY", record.publisher_place)
        if record.issued:
            add("PY", record.issued.year)
            parts = [str(p).zfill(2) for p in record.issued.to_parts()]
            add("DA", "/".join(parts + [""] * (3 - len(parts))) + "/")
        if record.accessed:
            add("Y2", "/".join(str(p).zfill(2) for p in record.accessed.to_parts()))
        for number in record.issn + record.isbn:
            add("SN", number)
        add("DO", record.doi)
        add("UR", record.url)
        if record.pmid:
            add("AN", f"PMID:{record.pmid}")
        add("LA", record.language)
        for keyword in record.keywords:
            add("KW", keyword)
        if abstracts:
            add("AB", record.abstract)
        add("N1", record.note)
        if record.type in ("thesis", "report"):
            add("M3", record.extra.get("genre"))  # "PhD thesis", as Zotero writes it
        if record.source == "ris":
            written = {tag for tag, _ in lines} | {"ER", "TY", "ID"}
            for tag, value in record.extra.items():
                if re.fullmatch(r"[A-Z][A-Z0-9]", tag) and tag not in written:
                    for line in value.split("\n"):
                        add(tag, line)
        lines.append(("ER", ""))
        return "\n".join(f"{tag}  - {value}" for tag, value in lines)

    def export(self, works: Sequence[StoredWork], *, abstracts: bool = True) -> str:
        return "".join(self.entry(w, abstracts) + "\n\n" for w in works)


IMPORTER = RisImporter()
EXPORTER = RisExporter()
