"""The example PHB review (``phbrefs demo``): the two seed papers, their coding, every table and
the evidence map, built offline from the files shipped in ``phbrefs.examples.phb``.

Building is idempotent: papers are matched on DOI and the coding import on work + claim + quote,
so a second run adds nothing and rewrites the same files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phbrefs.errors import ParseError
from phbrefs.ids import normalize_doi
from phbrefs.records import AbstractSection, Contributor, Funder, PartialDate, WorkRecord

if TYPE_CHECKING:
    from phbrefs.library import Library
    from phbrefs.outcomes import BatchReport, ItemResult

EXAMPLE_PACKAGE = "phbrefs.examples.phb"
EXAMPLE_TAG = "included"


def _date(value: Any) -> PartialDate | None:
    if isinstance(value, dict) and value.get("date-parts"):
        return PartialDate.from_parts(value["date-parts"][0])
    return None


def csl_to_record(item: dict[str, Any]) -> WorkRecord:
    """One CSL-JSON item of the example file as a ``WorkRecord``.

    Beyond standard CSL-JSON the example carries ``affiliation`` lists on authors and, under
    ``custom``, ``funders`` and ``abstract-sections``.
    """
    custom = item.get("custom") or {}
    people = [
        Contributor(
            role=role,
            given=person.get("given"),
            family=person.get("family"),
            literal=person.get("literal"),
            affiliations=list(person.get("affiliation") or []),
        )
        for role in ("author", "editor")
        for person in item.get(role) or []
    ]
    sections = [
        AbstractSection(s.get("heading"), s["text"]) for s in custom.get("abstract-sections") or []
    ]
    abstract = item.get("abstract") or "\n\n".join(
        f"{s.heading}: {s.text}" if s.heading else s.text for s in sections
    )
    issn = item.get("ISSN") or []
    return WorkRecord(
        type=item.get("type") or "article-journal",
        title=item.get("title"),
        doi=normalize_doi(item["DOI"]) if item.get("DOI") else None,
        container_title=item.get("container-title"),
        volume=item.get("volume"),
        issue=item.get("issue"),
        pages=item.get("page"),
        publisher=item.get("publisher"),
        issued=_date(item.get("issued")),
        published_online=_date(item.get("published-online")),
        published_print=_date(item.get("published-print")),
        issn=[issn] if isinstance(issn, str) else list(issn),
        url=item.get("URL"),
        note=item.get("note"),
        funders=[
            Funder(f["name"], f.get("doi"), list(f.get("awards") or []))
            for f in custom.get("funders") or []
        ],
        contributors=people,
        abstract=abstract or None,
        abstract_sections=sections,
        citekey=item.get("id"),
        source="example",
        raw=json.dumps(item, ensure_ascii=False),
    )


def example_records() -> list[WorkRecord]:
    """The seed papers shipped with phbrefs."""
    resource = resources.files(EXAMPLE_PACKAGE).joinpath("papers.json")
    try:
        items = json.loads(resource.read_text(encoding="utf-8"))
        return [csl_to_record(item) for item in items]
    except (ValueError, KeyError, TypeError) as error:
        raise ParseError(str(resource), f"broken example papers file ({error})") from error


@dataclass
class DemoResult:
    papers: list[ItemResult]
    coding: BatchReport
    written: list[Path] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "papers": [r.to_dict() for r in self.papers],
            "coding": self.coding.to_dict(),
            "written": [str(p) for p in self.written],
        }


def load_example(
    library: Library, *, coder: str | None = None
) -> tuple[list[ItemResult], BatchReport]:
    """Add the seed papers and import their coding (through the coding import)."""
    from phbrefs.evidence.coding import import_coding

    papers = library.add_many(example_records(), tags=[EXAMPLE_TAG], origin="phbrefs demo")
    with resources.as_file(resources.files(EXAMPLE_PACKAGE).joinpath("coding.yaml")) as path:
        report = import_coding(library, path, coder=coder)
    return papers, report


def write_outputs(library: Library, exports: Path) -> list[Path]:
    """Every table in every format (claim tables one per claim) and the evidence maps."""
    from phbrefs.evidence.claims import list_claims
    from phbrefs.tables import TABLE_FORMATS, TABLE_NAMES, build_table, write_table
    from phbrefs.tables.evidence_map import draw_evidence_map
    from phbrefs.tables.gap_map import write_gap_map
    from phbrefs.tables.writers import written_files

    written: list[Path] = []  # files and folders are made by phbrefs.fileio
    for name in TABLE_NAMES:
        if name == "claim":
            tables = [
                (f"claim-{c.slug}", build_table(library, "claim", claim=c.slug))
                for c in list_claims(library)
            ]
        else:
            tables = [(name, build_table(library, name))]
        for stem, table in tables:
            for fmt in TABLE_FORMATS:
                written += written_files(write_table(table, exports / f"{stem}.{fmt}", fmt), fmt)
    for by, stem in (("studies", "evidence-map"), ("dimensions", "evidence-map-dimensions")):
        for suffix in ("png", "svg"):
            written.append(draw_evidence_map(library, exports / f"{stem}.{suffix}", by=by))
    written.append(write_gap_map(library, exports / "evidence-map.html"))
    return written


def build_demo(library: Library, exports: Path, *, coder: str | None = None) -> DemoResult:
    papers, report = load_example(library, coder=coder)
    return DemoResult(papers, report, write_outputs(library, exports))
