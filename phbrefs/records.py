"""The neutral in-memory record that travels between sources, importers, the library and exporters.

No database and no format knowledge lives here. Work types use the CSL vocabulary
(``article-journal``, ``chapter``, ``book``, ``report``...), the lingua franca of citation tools;
the source's own type is kept in ``source_type``.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from typing import Any

import orjson

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date with only the parts known (a year, a year and month, or a full date)."""

    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
            if self.day:
                text += f"-{self.day:02d}"
        return text

    @staticmethod
    def parse(text: str | None) -> PartialDate | None:
        """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; anything else gives None."""
        return _parsed_date(text) if text else None

    @classmethod
    def from_parts(cls, parts: list[Any] | tuple[Any, ...] | None) -> PartialDate | None:
        """Build from CSL/Crossref ``date-parts`` rows such as ``[2016, 10, 10]``."""
        if not parts or parts[0] in (None, ""):
            return None
        try:
            numbers = [int(p) for p in parts if p not in (None, "")]
        except (TypeError, ValueError):
            return None
        return cls.parse("-".join(str(n) for n in numbers[:3]))

    def to_parts(self) -> list[int]:
        return [p for p in (self.year, self.month, self.day) if p]


@lru_cache(maxsize=4096)
def _parsed_date(text: str) -> PartialDate | None:
    """``PartialDate.parse``, each text read once (dates are immutable, and the works of a
    library share a few hundred: a tenth of loading one)."""
    match = _DATE_RE.match(text.strip())
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    if month is not None and not 1 <= month <= 12:
        return PartialDate(year)
    if day is not None and not 1 <= day <= 31:
        return PartialDate(year, month)
    return PartialDate(year, month, day)


@dataclass
class Contributor:
    """A person or an organisation, in the order the source lists them."""

    role: str = "author"  # author, editor, translator, chair...
    given: str | None = None
    family: str | None = None
    literal: str | None = None  # an organisation or a name that cannot be split
    particle: str | None = None  # "van", "de la": kept apart so sorting and BibTeX get it right
    suffix: str | None = None
    orcid: str | None = None
    affiliations: list[str] = field(default_factory=list)

    @property
    def is_organisation(self) -> bool:
        return bool(self.literal) and not self.family

    @property
    def is_others(self) -> bool:
        """BibTeX's ``and others``: the list goes on, unnamed (a style writes "et al.")."""
        return self.literal == "others" and not self.family and not self.given

    def display_name(self) -> str:
        """``Given von Family, Suffix`` or the organisation's name."""
        if self.literal and not self.family:
            return self.literal
        parts = [self.given, self.particle, self.family]
        name = " ".join(p for p in parts if p)
        return f"{name}, {self.suffix}" if self.suffix else name

    def sort_name(self) -> str:
        """``von Family, Given``: how bibliographies and tables list people."""
        if self.literal and not self.family:
            return self.literal
        family = " ".join(p for p in (self.particle, self.family) if p)
        return f"{family}, {self.given}" if self.given else family


@dataclass
class Funder:
    name: str
    doi: str | None = None
    awards: list[str] = field(default_factory=list)


@dataclass
class UpdateNotice:
    """A Crossref ``update-to`` / ``updated-by`` notice: corrections, retractions..."""

    direction: str  # "update-to" (this work updates another) or "updated-by"
    kind: str  # retraction, correction, erratum, expression_of_concern...
    doi: str | None = None
    date: PartialDate | None = None
    label: str | None = None


@dataclass
class AbstractSection:
    heading: str | None
    text: str


@dataclass
class WorkRecord:
    """Everything phbrefs keeps about one work, whatever it came from."""

    type: str = "article"
    title: str | None = None
    doi: str | None = None
    source_type: str | None = None
    subtitle: str | None = None
    container_title: str | None = None
    container_short_title: str | None = None
    collection_title: str | None = None  # series
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    article_number: str | None = None
    edition: str | None = None
    number: str | None = None  # report or standard number
    publisher: str | None = None
    publisher_place: str | None = None
    issued: PartialDate | None = None
    published_print: PartialDate | None = None
    published_online: PartialDate | None = None
    accessed: PartialDate | None = None
    issn: list[str] = field(default_factory=list)
    isbn: list[str] = field(default_factory=list)
    url: str | None = None
    language: str | None = None
    licenses: list[str] = field(default_factory=list)
    funders: list[Funder] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    contributors: list[Contributor] = field(default_factory=list)
    abstract: str | None = None
    abstract_sections: list[AbstractSection] = field(default_factory=list)
    updates: list[UpdateNotice] = field(default_factory=list)
    pmid: str | None = None
    note: str | None = None  # a bibliographic note carried by the source (BibTeX ``note``)
    extra: dict[str, str] = field(default_factory=dict)  # source fields with no home above
    citekey: str | None = None  # the key a source proposes (BibTeX key); the library decides
    source: str | None = None  # crossref, bibtex, ris, csljson, manual...
    raw: str | None = None  # the source record as received, for lossless re-mapping

    # -- derived views ---------------------------------------------------------------------

    @property
    def year(self) -> int | None:
        for date in (self.issued, self.published_print, self.published_online):
            if date:
                return date.year
        return None

    @property
    def authors(self) -> list[Contributor]:
        return [c for c in self.contributors if c.role == "author"]

    @property
    def editors(self) -> list[Contributor]:
        return [c for c in self.contributors if c.role == "editor"]

    @property
    def full_title(self) -> str | None:
        if self.title and self.subtitle:
            separator = " " if self.title.rstrip().endswith(("?", "!", ":", ".")) else ": "
            return f"{self.title}{separator}{self.subtitle}"
        return self.title

    @property
    def is_retracted(self) -> bool:
        return any(u.direction == "updated-by" and "retract" in u.kind for u in self.updates)

    @property
    def has_notices(self) -> bool:
        return any(u.direction == "updated-by" for u in self.updates)

    # -- (de)serialisation: plain JSON-able dicts ---------------------------------------------

    def to_dict(self, *, include_raw: bool = False) -> dict[str, Any]:
        # What dataclasses.asdict gives, built directly: asdict's deep copies dominated the
        # cost of storing a batch of 10,000 imported records.
        values = vars(self)
        data = {
            name: value if type(value := values[name]) in _SCALARS else _plain(value)
            for name in _FIELD_NAMES
        }
        for name in ("issued", "published_print", "published_online", "accessed"):
            value = getattr(self, name)
            data[name] = str(value) if value else None
        data["updates"] = [
            {**asdict(u), "date": str(u.date) if u.date else None} for u in self.updates
        ]
        if not include_raw:
            data.pop("raw")
        return data

    def to_json(self) -> str:
        """``self.to_dict()`` as JSON text, written by orjson (a tenth of the stdlib's time:
        storing a large import serialises each record once), without first copying every list
        and person. What orjson refuses (integers over 64 bits) the stdlib writes."""
        values = vars(self)
        data = {name: values[name] for name in _FIELD_NAMES}
        for name in ("issued", "published_print", "published_online", "accessed"):
            value = data[name]
            data[name] = str(value) if value else None
        data["updates"] = [
            {**asdict(u), "date": str(u.date) if u.date else None} for u in self.updates
        ]
        data.pop("raw")
        try:
            return orjson.dumps(data).decode()
        except (TypeError, orjson.JSONEncodeError):
            return _ENCODER.encode(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorkRecord:
        if tuple(data) == _STORED_FIELDS:
            return cls._from_stored(data)
        # the field names computed once (``fields()`` per record: a fifth of loading a library)
        values = {k: v for k, v in data.items() if k in _KNOWN_FIELDS}
        for name in ("issued", "published_print", "published_online", "accessed"):
            if isinstance(values.get(name), str):
                values[name] = PartialDate.parse(values[name])
        values["contributors"] = [Contributor(**c) for c in values.get("contributors") or []]
        values["funders"] = [Funder(**f) for f in values.get("funders") or []]
        values["abstract_sections"] = [
            AbstractSection(**s) for s in values.get("abstract_sections") or []
        ]
        values["updates"] = [
            UpdateNotice(**{**u, "date": PartialDate.parse(u.get("date"))})
            for u in values.get("updates") or []
        ]
        return cls(**values)

    @classmethod
    def _from_stored(cls, data: dict[str, Any]) -> WorkRecord:
        """``from_dict`` for what ``to_dict`` writes, every field in order: the attributes set
        straight from a copy of ``data`` (keyword ``__init__``s of the record and each person
        were two thirds of loading a library), people whose keys are ``Contributor``'s too."""
        values = dict(data)
        for name in _DATES:
            if isinstance(date := values[name], str):
                values[name] = PartialDate.parse(date)
        values["contributors"] = [
            _stored_person(c) if tuple(c) == _PERSON_FIELDS else Contributor(**c)
            for c in values["contributors"] or []
        ]
        values["funders"] = [Funder(**f) for f in values["funders"] or []]
        values["abstract_sections"] = [
            AbstractSection(**s) for s in values["abstract_sections"] or []
        ]
        values["updates"] = [
            UpdateNotice(**{**u, "date": PartialDate.parse(u.get("date"))})
            for u in values["updates"] or []
        ]
        values["raw"] = None
        record = object.__new__(cls)
        vars(record).update(values)
        return record


def _stored_person(data: dict[str, Any]) -> Contributor:
    person = object.__new__(Contributor)
    vars(person).update(data)
    return person


_FIELD_NAMES = tuple(f.name for f in fields(WorkRecord))
_KNOWN_FIELDS = frozenset(_FIELD_NAMES)
_STORED_FIELDS = tuple(name for name in _FIELD_NAMES if name != "raw")  # to_dict's keys
_PERSON_FIELDS = tuple(f.name for f in fields(Contributor))
_DATES = ("issued", "published_print", "published_online", "accessed")


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _json_default(value: Any) -> Any:
    """How ``to_json`` writes what ``_plain`` turns into a dict: a dataclass, by its fields."""
    if hasattr(value, "__dataclass_fields__") and type(value) is not PartialDate:
        return vars(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_ENCODER = json.JSONEncoder(default=_json_default)  # json.dumps's settings, made once


def _plain(value: Any) -> Any:
    """A JSON-able copy of a field value: lists and dicts copied, dataclasses as dicts.

    Scalars are tested inline rather than through a call per item: storing an import calls
    this for every contributor field of every record."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        return [item if type(item) in _SCALARS else _plain(item) for item in value]
    if kind is dict:
        return {k: item if type(item) in _SCALARS else _plain(item) for k, item in value.items()}
    if hasattr(value, "__dataclass_fields__") and kind is not PartialDate:
        return {
            k: item if type(item) in _SCALARS else _plain(item) for k, item in vars(value).items()
        }
    return value
