"""Citation-data cleaning applied to every record on import and add, before it is stored.

Databases put things in citation fields that no reference list should print: Scopus writes
``Cited By :12; Export Date: 20 November 2026`` into the note, PubMed its PMID, and each
source spells languages its own way (``English``, ``eng``). Each concern is one small step
below; ``clean_record`` runs them all. The importers and the Crossref mapping call it, so
every format and source stores the same clean record.
"""

from __future__ import annotations

import re
from functools import lru_cache

from phbrefs.ids import bare_numbers
from phbrefs.records import PartialDate, WorkRecord

# A note segment that only says how or when a database exported the record.
_EXPORT_NOTE = re.compile(
    r"^(?:cited\s+by\b|export\s+date\b|correspondence\s+address\b|coden\b|"
    r"language\s+of\s+original\s+document\b|source\s*:\s*(?:scopus|web\s+of\s+science|"
    r"medline|pubmed|embase|cinahl)\b|(?:scopus\s+)?eid\s*:|accession\s+number\b|"
    r"wos\s*:|isi\s*:|times\s+cited\b|\d+\s+cited\s+references?\b)",
    re.IGNORECASE,
)
_PMID_NOTE = re.compile(r"^(?:pmid|pubmed\s+id)\s*:?\s*(\d{1,9})$", re.IGNORECASE)
_PMCID_NOTE = re.compile(r"^pmcid\s*:?\s*(PMC\d+)$", re.IGNORECASE)
_PUBMED_URL = re.compile(
    r"^https?://(?:www\.)?(?:ncbi\.nlm\.nih\.gov/pubmed|pubmed\.ncbi\.nlm\.nih\.gov)/(\d{1,9})/?$",
    re.IGNORECASE,
)
_DATABASE_URL = re.compile(
    r"^https?://(?:[\w-]+\.)*(?:scopus\.com/(?:inward/)?record|webofscience\.com|"
    r"webofknowledge\.com|ovidsp\.[\w.]+|search\.ebscohost\.com|"
    r"ebscohost\.com/login\.aspx)",
    re.IGNORECASE,
)
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\S+)$", re.IGNORECASE)
_NUMERIC_RANGE = re.compile(r"^(\d+)\s*(?:-+|–|—)\s*(\d+)$")
# Crossref dates that say when a work existed when no publication date does, best first
# (a dissertation's approval, a preprint's posting, an acceptance).
FALLBACK_DATES = ("approved", "posted", "accepted")
ARTICLE_TYPES = frozenset({"article-journal", "article-magazine", "article-newspaper"})


def clean_note(record: WorkRecord) -> None:
    """Drop database export segments from the note; move PMIDs and PMCIDs to their fields.

    Segments are the ``;``-separated parts (Scopus) or the lines (PubMed) of the note; the
    rest of the note is kept as written."""
    if not record.note:
        return
    kept = []
    for segment in re.split(r";|\n", record.note):
        text = segment.strip()
        if not text or _EXPORT_NOTE.match(text):
            continue
        if pmid := _PMID_NOTE.match(text):
            record.pmid = record.pmid or pmid.group(1)
            continue
        if pmcid := _PMCID_NOTE.match(text):
            record.extra.setdefault("PMCID", pmcid.group(1).upper())
            continue
        kept.append(text)
    record.note = "; ".join(kept) or None


def clean_url(record: WorkRecord) -> None:
    """Keep as the URL only a page of the work itself. A PubMed page is the PMID (biblatex
    links the PMID already, so no format prints both); a database's record page (Scopus, Web
    of Science, Ovid, EBSCO) moves to ``extra["database URL"]``; a DOI link of the work's own
    DOI is the DOI."""
    url = (record.url or "").strip()
    if not url:
        return
    if (match := _PUBMED_URL.match(url)) and record.pmid in (None, match.group(1)):
        record.pmid, record.url = match.group(1), None
    elif _DATABASE_URL.match(url):
        record.extra.setdefault("database URL", url)  # a key no exporter writes
        record.url = None
    elif record.doi and (doi := _DOI_URL.match(url)) and doi.group(1).lower() == record.doi:
        record.url = None


def normalise_language(record: WorkRecord) -> None:
    """``English``, ``eng`` and ``EN`` become the BCP 47 tag ``en`` (what CSL processors,
    biblatex's ``langid`` mapping and babel understand); an unknown value is kept as given."""
    if record.language:
        record.language = language_tag(record.language)


# The languages research records carry most, each as its BCP 47 tag, English name and ISO
# 639-2 codes (bibliographic and terminology): these need no ``langcodes``, whose import alone
# costs 0.3 s; tests/test_cleaning.py checks each against it.
_COMMON_LANGUAGES = """
en english eng | de german ger deu | fr french fre fra | es spanish spa | it italian ita |
pt portuguese por | nl dutch dut nld | sv swedish swe | da danish dan | no norwegian nor |
fi finnish fin | pl polish pol | cs czech cze ces | ru russian rus | zh chinese chi zho |
ja japanese jpn | ko korean kor | ar arabic ara | tr turkish tur | el greek gre ell |
he hebrew heb | hu hungarian hun | ro romanian rum ron | hr croatian hrv | sk slovak slo slk |
uk ukrainian ukr | fa persian per fas | hi hindi hin | id indonesian ind | ca catalan cat |
is icelandic ice isl | ga irish gle | cy welsh wel cym | sr serbian srp | bg bulgarian bul |
et estonian est | lv latvian lav | lt lithuanian lit | sl slovenian slv
"""
_COMMON_TAGS = {
    spelling: names.split()[0]
    for names in _COMMON_LANGUAGES.split("|")
    for spelling in names.split()
}


def language_tag(value: str) -> str:
    """The BCP 47 tag for a language name or code, or ``value`` unchanged."""
    return _COMMON_TAGS.get(value.strip().lower()) or language_tag_by_langcodes(value)


@lru_cache(maxsize=512)
def language_tag_by_langcodes(value: str) -> str:
    """``language_tag`` for the values the common table lacks (``en_GB``, ``Yoruba``)."""
    import langcodes

    text = value.strip()
    try:
        tag = langcodes.standardize_tag(text)
        if langcodes.Language.get(tag).is_valid():
            return tag
    except (ValueError, langcodes.LanguageTagError):
        pass
    try:
        return langcodes.find(text).to_tag()
    except LookupError:
        return text


def fallback_date(record: WorkRecord) -> None:
    """When no publication date exists, the best of the dates Crossref gives instead
    (``approved``, ``posted``, ``accepted``, kept in ``extra`` by the Crossref mapping)."""
    if record.year is not None:
        return
    for name in FALLBACK_DATES:
        if date := PartialDate.parse(record.extra.get(name)):
            record.issued = date
            return


def expand_pages(record: WorkRecord) -> None:
    """``1201-14`` becomes ``1201-1214`` and dashes become ``-``: every client then gets the
    whole range and abbreviates it as its style says. ``e1234``, ``S12-S15`` and ``iii-xv``
    are kept as written."""
    if not record.pages:
        return
    match = _NUMERIC_RANGE.match(record.pages.strip())
    if not match:
        return
    first, last = match.groups()
    if len(last) < len(first):
        expanded = first[: len(first) - len(last)] + last
        last = expanded if int(expanded) >= int(first) else last
    record.pages = first if first == last else f"{first}-{last}"


def bare_standard_numbers(record: WorkRecord) -> None:
    """ISSNs and ISBNs as the bare identifiers, once each: ``2321-3868 (Print)`` and
    ``2321-3868 (Linking)`` are one ISSN ``2321-3868``, whatever the format wrote around it."""
    record.issn = bare_numbers(record.issn, "issn")
    record.isbn = bare_numbers(record.isbn, "isbn")


def type_without_container(record: WorkRecord) -> None:
    """An article with no journal is not a journal article: styles print a dangling ``In:``
    and BibTeX warns. It becomes a report when an institution or number says so, a web page
    when it has only a URL, else a generic article (BibTeX ``@misc``)."""
    if record.type not in ARTICLE_TYPES or record.container_title:
        return
    if record.number or record.extra.get("institution"):
        record.type = "report"
    elif record.url and not (record.doi or record.publisher):
        record.type = "webpage"
    else:
        record.type = "article"


def genre(record: WorkRecord) -> None:
    """The kind of thesis or report as CSL's ``genre`` (kept in ``extra``), the same text
    pandoc gives a BibTeX ``@phdthesis`` ("PhD thesis") or a ``type`` field: so CSL-JSON says
    what BibTeX says. From BibTeX's entry type or ``type``, Crossref's ``degree``, RIS ``M3``."""
    if record.extra.get("genre") or record.type not in ("thesis", "report"):
        return
    given = record.extra.get("type") or record.extra.get("degree") or record.extra.get("M3")
    if record.type == "report":
        if given and given.lower() not in ("techreport", "report"):
            record.extra["genre"] = given
        return
    kind = (given or "").lower()
    if "master" in kind or kind.startswith(("msc", "ma ", "mphil")):
        record.extra["genre"] = "Master's thesis"
    elif not kind or "phd" in kind or "doctor" in kind or kind == "thesis":
        record.extra["genre"] = "PhD thesis"
    else:
        record.extra["genre"] = given or "PhD thesis"


STEPS = (
    clean_note,
    clean_url,
    normalise_language,
    fallback_date,
    expand_pages,
    bare_standard_numbers,
    type_without_container,
    genre,
)


def clean_record(record: WorkRecord) -> WorkRecord:
    """``record`` with every cleaning step applied (in place; returned for chaining)."""
    for step in STEPS:
        step(record)
    return record
