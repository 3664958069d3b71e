"""RIS tags to a ``WorkRecord``: the dialects of PubMed, Scopus, Web of Science, Ovid, EBSCO and
Zotero.

The same tag means different things across databases: ``Y1``/``PY``/``DA`` dates, ``AB``/``N2``
abstracts, ``DO``/``M3`` DOIs, ``JF``/``JO``/``T2`` journals. Tags with no home in
``WorkRecord`` are kept in ``record.extra`` (by tag, in the order the entry gives them) and
written back on export.
"""

from __future__ import annotations

import re
from functools import lru_cache

from phbrefs.cleaning import clean_record
from phbrefs.errors import InvalidDOIError
from phbrefs.formats.ris_entries import Tags
from phbrefs.ids import extract_dois, normalize_doi, standard_numbers
from phbrefs.records import Contributor, PartialDate, WorkRecord

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
_NUMERIC_DATE = re.compile(r"^(\d{4})(?:[/-](\d{0,2})(?:[/-](\d{0,2}))?)?")
_LETTER = re.compile(r"[A-Za-z]")
_YEAR = re.compile(r"\b(\d{4})\b")
# "et al.," (Ovid), "et al", "et. al.", "others": the list was cut short; no one is named
_ET_AL = re.compile(r"(?:et\.?\s*al(?:ii|\.)?|others)[\s.,;]*", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]+")
_DAY = re.compile(r"(?<!\d)(\d{1,2})(?!\d)")
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_INITIALS = re.compile(r"((?:[A-Z]\.-?)+)")
_RANGE = re.compile(r"\w\s*[-–]\s*\w")
_DASH = re.compile(r"[-–]")
_URL_SPLIT = re.compile(r"[;\s]+")
_PMID = re.compile(r"(?:PMID:?\s*)?(\d{5,9})", re.I)
_ONE_TAG_FIELDS = (  # fields read from one tag each, whatever the database
    ("collection_title", "T3"),
    ("volume", "VL"),
    ("edition", "ET"),
    ("publisher", "PB"),
    ("publisher_place", "CY"),
    ("language", "LA"),
    ("note", "N1"),
)


def _text(tags: Tags, tag: str) -> str | None:
    """``tag``'s text, taken out of ``tags``: a text tag's values joined, else the first value.
    (Values come stripped from ``ris_entries``.)"""
    values = tags.pop(tag, None)
    if not values:
        return None
    if len(values) == 1:
        return values[0] or None
    values = [v for v in values if v]
    if not values:
        return None
    return " ".join(values) if tag in TEXT_TAGS else values[0]


def _first(tags: Tags, names: tuple[str, ...], extra: dict[str, str]) -> str | None:
    """The first of ``names`` given; another that says otherwise is kept in ``extra``."""
    found = None
    for name in names:
        value = _text(tags, name) if name in tags else None
        if value and found is None:
            found = value
        elif value and value != found:
            extra.setdefault(name, value)
    return found


def _names(tags: Tags, names: tuple[str, ...], role: str) -> list[Contributor]:
    people = []
    for name in names:
        for value in tags.pop(name, ()):
            value = value.rstrip(";").strip()
            if value.strip(" ,.;") and not _ET_AL.fullmatch(value):  # not "," nor "et al."
                people.append(parse_name(value, role))
    return people


def parse_name(value: str, role: str = "author") -> Contributor:
    """``Family, Given[, Suffix]``; ``Family G.`` (Scopus); no comma and several words with
    an organisation word -> an organisation."""
    if "," in value:
        family, _, rest = value.partition(",")
        given, _, suffix = rest.partition(",")
        family, particle = family.strip(), None
        if family[:1].islower():
            particle, family = _split_particle(family)
        return Contributor(
            role=role,
            family=family,
            given=given.strip() or None,
            particle=particle,
            suffix=suffix.strip() or None,
        )
    words = value.split()
    initials = _INITIALS.fullmatch(words[-1]) if len(words) > 1 else None
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


@lru_cache(maxsize=4096)  # an export has few distinct dates; PartialDate is immutable
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
    year_match = _YEAR.search(value)
    if not year_match:
        return None
    parts = [year_match.group(1)]
    for word in _WORD.findall(value.lower()):
        month = MONTH_NAMES.get(word[:3]) or _SEASONS.get(word)
        if month:
            parts.append(f"{month:02d}")
            rest = value[: year_match.start()] + value[year_match.end() :]
            if day := _DAY.search(rest):
                parts.append(day.group(1).zfill(2))
            break
    return PartialDate.parse("-".join(parts))


def _pages(start: str | None, end: str | None) -> str | None:
    """SP/EP or a range in SP; MEDLINE's abbreviated ``1120-30`` becomes ``1120-1130``."""
    start = start or ""
    end = end or ""
    if not end and _RANGE.search(start):
        start, end = (p.strip() for p in _DASH.split(start, maxsplit=1))
    if start.isdigit() and end.isdigit() and len(end) < len(start):
        expanded = start[: len(start) - len(end)] + end
        if int(expanded) >= int(start):
            end = expanded
    if start and end and end != start:
        return f"{start}-{end}"
    return start or end or None


def tags_to_record(tags: Tags, raw: str) -> WorkRecord:
    """Map one entry's tags (from ``ris_entries``; taken out of ``tags``) to a ``WorkRecord``."""
    extra: dict[str, str] = {}
    ris_type = (_text(tags, "TY") or "GEN").upper()
    record = WorkRecord(
        type=RIS_TO_CSL.get(ris_type, "article"), source_type=ris_type, raw=raw, source="ris"
    )
    proposed_key = _text(tags, "ID")
    if proposed_key and not proposed_key.isdigit():
        record.citekey = proposed_key
    elif proposed_key:
        extra["ID"] = proposed_key
    record.contributors = (
        _names(tags, AUTHOR_TAGS, "author")
        + _names(tags, EDITOR_TAGS, "editor")
        + _names(tags, ("A4",), "translator")
    )
    title = _first(tags, ("TI", "T1", "CT"), extra)
    if title and title.endswith(".") and not title.endswith(".."):
        title = title[:-1]  # Ovid and MEDLINE end titles with a full stop
    book_title = _text(tags, "BT")
    if book_title and not title:
        title = book_title
    elif book_title:
        record.container_title = book_title
    record.title = title
    journal_full = _first(tags, ("JF", "T2", "JO"), extra)
    short = _first(tags, ("J2", "JA", "J9", "JI"), extra)
    record.container_title = record.container_title or journal_full
    if record.container_title and journal_full and journal_full != record.container_title:
        extra.setdefault("T2", journal_full)
    record.container_short_title = short
    record.issue = _first(tags, ("IS", "CP"), extra)
    if record.type == "report":
        record.number = _text(tags, "M1") if not record.issue else None
    record.pages = _pages(_text(tags, "SP"), _text(tags, "EP"))
    for name, tag in _ONE_TAG_FIELDS:
        if tag in tags:
            setattr(record, name, _text(tags, tag))
    _dates(tags, record, extra)
    for value in tags.pop("SN", ()):  # "2321-3868 (Print)", "0966-0410; 1365-2524", ISBNs
        issns, isbns = standard_numbers(value) if value else ([], [])
        record.issn += issns
        record.isbn += isbns if issns or isbns or not value else [value]
    record.keywords = [k.strip() for v in tags.pop("KW", ()) for k in v.split(";") if k.strip()]
    record.abstract = _first(tags, ("AB", "N2"), extra)
    _identifiers(tags, record, extra)
    for tag, values in tags.items():
        values = [v for v in values if v]
        if values:
            extra.setdefault(tag, "\n".join(values))  # type: ignore[arg-type]
    record.extra = extra
    return clean_record(record)


def _dates(tags: Tags, record: WorkRecord, extra: dict[str, str]) -> None:
    """The publication date (of ``DA``, ``PY``, ``Y1``: the fullest in the first one's year) and
    the access date (``Y2``; kept as written when it is no date)."""
    dates = [parse_date(v) for tag in ("DA", "PY", "Y1") for v in tags.pop(tag, ()) if v]
    dates = [d for d in dates if d]
    if dates:
        issued = dates[0]
        for date in dates[1:]:
            if date.year == issued.year and len(date.to_parts()) > len(issued.to_parts()):
                issued = date
        record.issued = issued
    accessed = _text(tags, "Y2") if "Y2" in tags else None
    if accessed and (date := parse_date(accessed)):
        record.accessed = date
    elif accessed:
        extra["Y2"] = accessed


def _identifiers(tags: Tags, record: WorkRecord, extra: dict[str, str]) -> None:
    """The DOI (``DO``, ``M3``, ``DI``, else within ``UR``), the URL and the PMID (``AN``,
    ``C2``), each taken out of ``tags``."""
    for value in [v for tag in ("DO", "M3", "DI") for v in tags.get(tag, ()) if v]:
        try:  # a DOI as written (read once), else any DOI within the text
            dois = [normalize_doi(value)]
        except InvalidDOIError:
            dois = extract_dois(value)
        if dois:
            record.doi = dois[0]
            break
    else:
        if tags.get("DO") or tags.get("DI"):  # kept as written: reported, never dropped
            extra["DO"] = "\n".join(tags.get("DO", []) + tags.get("DI", []))
    tags.pop("DO", None)
    tags.pop("DI", None)
    if tags.get("M3") and record.doi and any(record.doi in extract_dois(v) for v in tags["M3"]):
        tags.pop("M3")
    urls = [u.strip() for v in tags.pop("UR", ()) for u in _URL_SPLIT.split(v) if u]
    if urls:
        record.url = urls[0]
        if not record.doi:
            found = extract_dois(" ".join(urls))
            record.doi = found[0] if found else None
        if len(urls) > 1:
            extra["UR"] = "\n".join(urls[1:])
    if "AN" not in tags and "C2" not in tags:
        return
    database = " ".join(tags.get("DB", []) + tags.get("DP", [])).lower()
    for tag in ("AN", "C2"):
        for value in tags.get(tag, ()):
            pmid = _PMID.fullmatch(value)
            if pmid and (
                value.upper().startswith("PMID")
                or ("pubmed" in database or "medline" in database)
                or (tag == "C2" and "scopus" in database)
            ):
                record.pmid = pmid.group(1)
                tags[tag].remove(value)
                break
