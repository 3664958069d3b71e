"""Crossref: the Crossref JSON -> ``WorkRecord`` mapping (the REST client that fetches the JSON
is ``crossref_client``; tests and benchmarks map recorded answers without it)."""

from __future__ import annotations

import json
from typing import Any

import orjson

from phbrefs.cleaning import FALLBACK_DATES, clean_record
from phbrefs.records import Contributor, Funder, PartialDate, UpdateNotice, WorkRecord
from phbrefs.sources.jats import parse_abstract, strip_markup

CSL_TYPES = {
    "journal-article": "article-journal",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "proceedings-article": "paper-conference",
    "posted-content": "article",  # preprints: CSL 1.0.2 has no "preprint"; "article" is its home
    "dataset": "dataset",
    "report": "report",
    "report-component": "report",
    "dissertation": "thesis",
    "reference-entry": "entry-encyclopedia",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-set": "book",
    "book-series": "book",
    "book-track": "book",
    "standard": "standard",
    "peer-review": "review",
    "journal-issue": "periodical",
    "journal-volume": "periodical",
    "journal": "periodical",
    "proceedings": "book",
    "proceedings-series": "book",
    "report-series": "report",
    "component": "document",
    "grant": "document",
    "database": "dataset",
    "other": "document",
}
# Crossref contributor lists, in the order a citation names them.
_ROLES = (
    ("author", "author"),
    ("editor", "editor"),
    ("chair", "chair"),
    ("translator", "translator"),
    ("contributor", "contributor"),
)
_ORCID_PREFIXES = ("https://orcid.org/", "http://orcid.org/", "orcid.org/")


def _first(values: Any) -> str | None:
    """The first non-empty string of a Crossref list field, markup stripped."""
    if isinstance(values, str):
        values = [values]
    for value in values or []:
        text = strip_markup(value) if isinstance(value, str) else None
        if text:
            return text
    return None


def _date(message: dict[str, Any], key: str) -> PartialDate | None:
    value = message.get(key) or {}
    rows = value.get("date-parts") or []
    return PartialDate.from_parts(rows[0]) if rows else None


def _orcid(value: str | None) -> str | None:
    if not value:
        return None
    for prefix in _ORCID_PREFIXES:
        if value.lower().startswith(prefix):
            return value[len(prefix) :]
    return value


def _contributor(person: dict[str, Any], role: str) -> Contributor:
    family = strip_markup(person.get("family"))
    given = strip_markup(person.get("given"))
    literal = strip_markup(person.get("name")) if not family else None
    if not family and not literal and given:  # a single name given as "given" only
        literal = given
        given = None
    return Contributor(
        role=role,
        given=given,
        family=family,
        literal=literal,
        suffix=person.get("suffix") or None,
        orcid=_orcid(person.get("ORCID")),
        affiliations=[
            text for a in person.get("affiliation") or [] if (text := strip_markup(a.get("name")))
        ],
    )


def _funders(message: dict[str, Any]) -> list[Funder]:
    funders: list[Funder] = []
    for entry in message.get("funder") or []:
        name = entry.get("name")
        if not name:
            continue
        funder = Funder(
            name=strip_markup(name) or name,
            doi=(entry.get("DOI") or "").lower() or None,
            awards=list(dict.fromkeys(a for a in entry.get("award") or [] if a)),
        )
        if funder not in funders:
            funders.append(funder)
    return funders


def _updates(message: dict[str, Any]) -> list[UpdateNotice]:
    notices = []
    for direction in ("update-to", "updated-by"):
        for entry in message.get(direction) or []:
            rows = (entry.get("updated") or {}).get("date-parts") or []
            notices.append(
                UpdateNotice(
                    direction=direction,
                    kind=entry.get("type") or "update",
                    doi=(entry.get("DOI") or "").lower() or None,
                    date=PartialDate.from_parts(rows[0]) if rows else None,
                    label=entry.get("label"),
                )
            )
    return notices


def _containers(message: dict[str, Any]) -> tuple[str | None, str | None]:
    """(container, series). A chapter lists ``[series, book]``: the book is the container."""
    titles = [t for t in (strip_markup(v) for v in message.get("container-title") or []) if t]
    if len(titles) > 1:
        return titles[-1], titles[0]
    return (titles[0] if titles else None), None


def _extra(message: dict[str, Any]) -> dict[str, str]:
    """Crossref fields with no ``WorkRecord`` home that a citation may still want."""
    names = {
        "short_title": _first(message.get("short-title")),
        "original_title": _first(message.get("original-title")),
        "group_title": _first(message.get("group-title")),
        "degree": _first(message.get("degree")),
        "institution": "; ".join(
            i["name"]
            for i in message.get("institution") or []
            if isinstance(i, dict) and i.get("name")
        ),
        "event": strip_markup((message.get("event") or {}).get("name")),
        "subtype": message.get("subtype"),
        **{name: str(date) for name in FALLBACK_DATES if (date := _date(message, name))},
    }
    return {key: value for key, value in names.items() if value}


def message_text(message: dict[str, Any]) -> str:
    """The Crossref message as the compact, key-sorted JSON kept in ``raw``: orjson writes it in
    a tenth of the stdlib's time (a 456-DOI ``add --file`` spent 0.15 s here); what orjson
    refuses (integers over 64 bits) the stdlib writes."""
    try:
        return orjson.dumps(message, option=orjson.OPT_SORT_KEYS).decode()
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(message, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_from_crossref(message: dict[str, Any]) -> WorkRecord:
    """Map one Crossref work (the ``message`` of ``/works/{doi}``) to a ``WorkRecord``.

    Lossless in the sense that matters: the message itself is kept in ``raw``.
    """
    source_type = message.get("type")
    contributors = [
        _contributor(person, role)
        for key, role in _ROLES
        for person in message.get(key) or []
        if isinstance(person, dict)
        and (person.get("family") or person.get("name") or person.get("given"))
    ]
    abstract = parse_abstract(message.get("abstract"))
    container, series = _containers(message)
    resource = ((message.get("resource") or {}).get("primary") or {}).get("URL")
    publisher = strip_markup(message.get("publisher"))
    if not publisher and message.get("institution"):
        publisher = _first([i.get("name") for i in message["institution"] if isinstance(i, dict)])
    record = WorkRecord(
        type=CSL_TYPES.get(source_type or "", "document"),
        source_type=source_type,
        doi=(message.get("DOI") or "").strip().lower() or None,
        title=_first(message.get("title")),
        subtitle=_first(message.get("subtitle")),
        container_title=container,
        container_short_title=_first(message.get("short-container-title")),
        collection_title=series,
        volume=message.get("volume") or None,
        issue=message.get("issue") or None,
        pages=message.get("page") or None,
        article_number=message.get("article-number") or None,
        edition=message.get("edition-number") or None,
        publisher=publisher,
        publisher_place=message.get("publisher-location") or None,
        issued=_date(message, "issued"),
        published_print=_date(message, "published-print"),
        published_online=_date(message, "published-online"),
        issn=list(dict.fromkeys(message.get("ISSN") or [])),
        isbn=list(dict.fromkeys(message.get("ISBN") or [])),
        url=resource or message.get("URL"),
        language=message.get("language") or None,
        licenses=list(dict.fromkeys(lic["URL"] for lic in message.get("license") or [])),
        funders=_funders(message),
        subjects=list(dict.fromkeys(message.get("subject") or [])),
        contributors=contributors,
        abstract=abstract.text if abstract else None,
        abstract_sections=abstract.sections if abstract else [],
        updates=_updates(message),
        extra=_extra(message),
        source="crossref",
        raw=message_text(message),
    )
    return clean_record(record)
