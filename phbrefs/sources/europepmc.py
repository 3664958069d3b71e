"""Europe PMC: abstracts, PMID/PMCID, MeSH and keywords, open-access links, by DOI/PMID/PMCID.

One REST ``search`` request (``resultType=core``) answers many works: the identifiers are ORed
(``DOI:"a" OR EXT_ID:123 AND SRC:MED OR PMCID:PMC1``) and the hits matched back by identifier.
Europe PMC publishes no numeric rate limit; this client stays at 10 requests/s, two at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from phbrefs.records import Contributor, PartialDate, WorkRecord
from phbrefs.sources.base import (
    Enriched,
    Found,
    OALocation,
    WorkIds,
    answers_by_key,
    failed,
)
from phbrefs.sources.http import Failed, PoliteClient, RateLimiter, run_all
from phbrefs.sources.jats import parse_abstract, strip_markup

if TYPE_CHECKING:
    from phbrefs.config import Settings

SOURCE = "europepmc"


def _term(ids: WorkIds) -> str:
    if ids.doi:
        return f'DOI:"{ids.doi}"'
    if ids.pmid:
        return f"(EXT_ID:{ids.pmid} AND SRC:MED)"
    return f"PMCID:{ids.pmcid}"


def _locations(result: dict[str, Any]) -> list[OALocation]:
    """Free full-text links (``availabilityCode`` OA or F); the PMC article first."""
    links = (result.get("fullTextUrlList") or {}).get("fullTextUrl") or []
    free = [
        link for link in links if link.get("availabilityCode") in ("OA", "F") and link.get("url")
    ]
    pages = [link for link in free if link.get("documentStyle") != "pdf"]
    pdfs = [link["url"] for link in free if link.get("documentStyle") == "pdf"]
    licence = result.get("license")
    locations = [
        OALocation(
            SOURCE,
            link["url"],
            pdf_url=pdfs[0] if pdfs else None,
            license=licence,
            host_type="repository" if link.get("site") in ("Europe_PMC", "PubMedCentral") else None,
        )
        for link in pages
    ]
    if not locations and pdfs:
        locations.append(OALocation(SOURCE, pdfs[0], pdf_url=pdfs[0], license=licence))
    return locations


def found_from_europepmc(result: dict[str, Any]) -> Found:
    """One ``resultType=core`` hit as what Europe PMC knows about the work."""
    abstract = parse_abstract(result.get("abstractText"))
    pmid = result.get("pmid") or None
    pmcid = result.get("pmcid") or None
    mesh = [
        heading["descriptorName"]
        for heading in (result.get("meshHeadingList") or {}).get("meshHeading") or []
        if heading.get("descriptorName")
    ]
    name = f"PMID {pmid}" if pmid else pmcid or f"{result.get('source')} {result.get('id')}"
    return Found(
        source=SOURCE,
        identifier=name,
        doi=(result.get("doi") or "").lower() or None,
        pmid=pmid,
        pmcid=pmcid,
        abstract=abstract.text if abstract else None,
        abstract_sections=abstract.sections if abstract else [],
        keywords=list(dict.fromkeys((result.get("keywordList") or {}).get("keyword") or [])),
        mesh=mesh,
        is_oa=result.get("isOpenAccess") == "Y" if result.get("isOpenAccess") else None,
        oa_locations=_locations(result),
        record=record_from_europepmc(result),
    )


def record_from_europepmc(result: dict[str, Any]) -> WorkRecord:
    """A whole record from a core hit: for works added by PMID that Crossref does not know."""
    journal = result.get("journalInfo") or {}
    people = (result.get("authorList") or {}).get("author") or []
    contributors = [
        Contributor(
            given=p.get("firstName"),
            family=p.get("lastName"),
            literal=None if p.get("lastName") else p.get("collectiveName") or p.get("fullName"),
            orcid=(p.get("authorId") or {}).get("value")
            if (p.get("authorId") or {}).get("type") == "ORCID"
            else None,
        )
        for p in people
    ]
    abstract = parse_abstract(result.get("abstractText"))
    issued = PartialDate.parse(journal.get("printPublicationDate")) or PartialDate.parse(
        result.get("pubYear")
    )
    return WorkRecord(
        type="article-journal",
        title=strip_markup(result.get("title") or "") or None,
        doi=(result.get("doi") or "").lower() or None,
        source_type=", ".join((result.get("pubTypeList") or {}).get("pubType") or []) or None,
        container_title=(journal.get("journal") or {}).get("title"),
        container_short_title=(journal.get("journal") or {}).get("isoabbreviation"),
        volume=journal.get("volume"),
        issue=journal.get("issue"),
        pages=result.get("pageInfo"),
        issued=issued,
        issn=[i for i in [(journal.get("journal") or {}).get("issn")] if i],
        language=result.get("language"),
        keywords=list(dict.fromkeys((result.get("keywordList") or {}).get("keyword") or [])),
        contributors=contributors,
        abstract=abstract.text if abstract else None,
        abstract_sections=abstract.sections if abstract else [],
        pmid=result.get("pmid"),
        extra={"pmcid": result["pmcid"]} if result.get("pmcid") else {},
        source=SOURCE,
    )


class EuropePMCClient(PoliteClient):
    name = SOURCE
    label = "Europe PMC"
    BATCH = 50  # identifiers ORed in one query (URLs stay a few KB)

    def __init__(self, url: str, *, mailto: str | None = None, **options: Any) -> None:
        super().__init__(url, limiter=RateLimiter(10, 1.0, 2), contact=mailto, **options)
        self.mailto = mailto

    @classmethod
    def from_settings(cls, settings: Settings, *, refresh: bool = False) -> EuropePMCClient:
        return cls(
            settings.europepmc_url,
            mailto=settings.mailto,
            timeout=settings.timeout,
            cache=settings.cache,
            refresh=refresh,
        )

    def polite_query(self) -> str:
        return f"email={quote(self.mailto, safe='@')}" if self.mailto else ""

    def lookup(self, works: Sequence[WorkIds]) -> list[Enriched]:
        askable = [w for w in works if w.doi or w.pmid or w.pmcid]
        chunks = [askable[i : i + self.BATCH] for i in range(0, len(askable), self.BATCH)]
        answers: dict[WorkIds, Enriched] = {}
        for chunk, hits in zip(chunks, run_all(self, self._search, chunks), strict=True):
            if isinstance(hits, Exception):
                answers.update({e.ids: e for e in failed(chunk, str(hits))})
            else:
                missing = "not in Europe PMC"
                answers.update({e.ids: e for e in answers_by_key(chunk, hits, SOURCE, missing)})
        return [answers.get(w) or failed([w], "no identifier to ask with")[0] for w in works]

    def _search(self, chunk: list[WorkIds]) -> list[Found]:
        query = " OR ".join(_term(ids) for ids in chunk)
        response = self.get(
            f"{self.url}/search",
            f"query={quote(query, safe='')}&resultType=core&format=json"
            f"&pageSize={min(1000, 2 * len(chunk))}",
        )
        body = self.json(response)
        results = (body.get("resultList") or {}).get("result")
        if results is None and "hitCount" not in body:
            raise Failed("Europe PMC answered without a result list")
        try:
            return [found_from_europepmc(r) for r in results or [] if isinstance(r, dict)]
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise Failed(f"unreadable Europe PMC result ({error!r})") from error
