"""RIS: import the dialects of PubMed, Scopus, Web of Science, Ovid, EBSCO and Zotero, export
RIS that Zotero, EndNote and Mendeley read.

An import reads the entries and their tags (``ris_entries``, rispy's reading of RIS) and maps
the tags to fields (``ris_mapping``, where each database's use of a tag is told apart).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from phbrefs.formats import EntryError, ParseResult
from phbrefs.formats.limits import problem as beyond_limits
from phbrefs.formats.ris_entries import read_entries
from phbrefs.formats.ris_mapping import RIS_TO_CSL, tags_to_record
from phbrefs.records import Contributor

if TYPE_CHECKING:
    from phbrefs.library import StoredWork

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
_TY_LINE = re.compile(r"^TY\s{1,2}-(?: |$)")  # where an entry always starts


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
        result = ParseResult()
        for entry in read_entries(part.lines, part.first_line):
            line = entry.line
            if entry.tags is None:
                result.errors.append(EntryError(origin, line, entry.problem or "unreadable entry"))
                continue
            record = tags_to_record(entry.tags, entry.text)
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
            if tag and not person.is_others:  # RIS has no "and others"
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
