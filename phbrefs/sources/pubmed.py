"""PubMed through NCBI E-utilities: ``efetch`` XML with structured abstracts kept as sections.

Works with a PMID are fetched in batches (``efetch?db=pubmed&id=1,2,…``); works known only by DOI
are first found with one ``esearch`` (``"a"[doi] OR "b"[doi]``). NCBI's etiquette is followed:
at most 3 requests/s (10 with an API key), ``tool`` and ``email`` on every request.

The XML is read with the standard library's ElementTree: the answers come from NCBI over TLS,
and expat (2.4+) refuses entity-expansion attacks, so no extra parser is needed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from phbrefs.records import AbstractSection, Contributor, PartialDate, WorkRecord
from phbrefs.sources.base import Enriched, Found, WorkIds, answers_by_key, failed
from phbrefs.sources.http import Failed, PoliteClient, RateLimiter, run_all

if TYPE_CHECKING:
    from phbrefs.config import Settings

SOURCE = "pubmed"
_SPACE = re.compile(r"\s+")
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def _text(element: ET.Element | None) -> str | None:
    """All text inside (inline HTML and MathML included), spaces tidied."""
    if element is None:
        return None
    text = _SPACE.sub(" ", "".join(element.itertext())).strip()
    return text or None


def _date(element: ET.Element | None) -> PartialDate | None:
    if element is None:
        return None
    year = element.findtext("Year") or (element.findtext("MedlineDate") or "")[:4]
    month = (element.findtext("Month") or "").strip()
    number = int(month) if month.isdigit() else _MONTHS.get(month[:3].lower())
    day = element.findtext("Day")
    parts = [p for p in (year, number, day) if p]
    return PartialDate.from_parts(parts) if year and year.isdigit() else None


def _abstract(article: ET.Element) -> tuple[str | None, list[AbstractSection]]:
    """(text, sections): a ``Label`` (or ``NlmCategory``) makes a section, as JATS ones do."""
    parts = [
        (node.get("Label") or node.get("NlmCategory") or None, _text(node))
        for node in article.findall("Abstract/AbstractText")
    ]
    parts = [(label, text) for label, text in parts if text]
    if not parts:
        return None, []
    if not any(label for label, _ in parts):
        return "\n\n".join(text for _, text in parts), []
    sections = [AbstractSection(label, text) for label, text in parts]
    return "\n\n".join(
        f"{s.heading}: {s.text}" if s.heading else s.text for s in sections
    ), sections


def _ids(node: ET.Element) -> dict[str, str]:
    found = {
        a.get("IdType", ""): (a.text or "").strip()
        for a in node.findall("PubmedData/ArticleIdList/ArticleId")
    }
    return {kind: value for kind, value in found.items() if value}


def record_from_pubmed(node: ET.Element) -> WorkRecord:
    """One ``PubmedArticle`` as a whole record (for works added by PMID)."""
    citation = node.find("MedlineCitation")
    article = citation.find("Article") if citation is not None else None
    if citation is None or article is None:
        raise Failed("PubMed article without MedlineCitation/Article")
    ids = _ids(node)
    journal = article.find("Journal")
    people = []
    for author in article.findall("AuthorList/Author"):
        orcid = next(
            (i.text for i in author.findall("Identifier") if i.get("Source") == "ORCID"), None
        )
        people.append(
            Contributor(
                given=author.findtext("ForeName"),
                family=author.findtext("LastName"),
                literal=author.findtext("CollectiveName"),
                suffix=author.findtext("Suffix"),
                orcid=(orcid or "").rsplit("/", 1)[-1] or None,
                affiliations=[
                    t for a in author.findall("AffiliationInfo/Affiliation") if (t := _text(a))
                ],
            )
        )
    abstract, sections = _abstract(article)
    pmid = citation.findtext("PMID") or ids.get("pubmed")
    return WorkRecord(
        type="article-journal",
        title=_text(article.find("ArticleTitle")),
        doi=(ids.get("doi") or "").lower() or None,
        source_type=", ".join(
            t.text or "" for t in article.findall("PublicationTypeList/PublicationType")
        )
        or None,
        container_title=journal.findtext("Title") if journal is not None else None,
        container_short_title=journal.findtext("ISOAbbreviation") if journal is not None else None,
        volume=article.findtext("Journal/JournalIssue/Volume"),
        issue=article.findtext("Journal/JournalIssue/Issue"),
        pages=article.findtext("Pagination/MedlinePgn"),
        issued=_date(article.find("Journal/JournalIssue/PubDate")),
        issn=[i.text for i in article.findall("Journal/ISSN") if i.text],
        language=article.findtext("Language"),
        keywords=[t for k in citation.findall("KeywordList/Keyword") if (t := _text(k))],
        contributors=people,
        abstract=abstract,
        abstract_sections=sections,
        pmid=pmid,
        extra={"pmcid": ids["pmc"]} if ids.get("pmc") else {},
        source=SOURCE,
    )


def found_from_pubmed(node: ET.Element) -> Found:
    record = record_from_pubmed(node)
    citation = node.find("MedlineCitation")
    mesh = [
        d.text
        for d in (
            citation.findall("MeshHeadingList/MeshHeading/DescriptorName")
            if citation is not None
            else []
        )
        if d.text
    ]
    return Found(
        source=SOURCE,
        identifier=f"PMID {record.pmid}",
        doi=record.doi,
        pmid=record.pmid,
        pmcid=record.extra.get("pmcid"),
        abstract=record.abstract,
        abstract_sections=record.abstract_sections,
        keywords=record.keywords,
        mesh=mesh,
        record=record,
    )


def _parse(response: Any, client: PoliteClient, root_tag: str) -> ET.Element:
    if response.status_code != 200:
        raise Failed(f"HTTP {response.status_code}: {client.error_text(response)}")
    try:
        root = ET.fromstring(response.content)
    except ET.ParseError as error:
        client.forget(response)
        raise Failed(f"invalid XML from PubMed ({error})") from error
    if root.tag != root_tag:
        client.forget(response)
        raise Failed(f"PubMed answered {root.tag}, not {root_tag}")
    return root


class PubMedClient(PoliteClient):
    name = SOURCE
    label = "PubMed"
    BATCH = 200  # PMIDs per efetch (NCBI suggests POST beyond 200)

    def __init__(
        self, url: str, *, mailto: str | None = None, api_key: str | None = None, **options: Any
    ) -> None:
        limiter = RateLimiter(10, 1.0, 3) if api_key else RateLimiter(3, 1.0, 1)
        super().__init__(url, limiter=limiter, contact=mailto, **options)
        self.mailto = mailto
        self.api_key = api_key

    @classmethod
    def from_settings(cls, settings: Settings, *, refresh: bool = False) -> PubMedClient:
        return cls(
            settings.pubmed_url,
            mailto=settings.mailto,
            api_key=settings.ncbi_api_key,
            timeout=settings.timeout,
            cache=settings.cache,
            refresh=refresh,
        )

    def polite_query(self) -> str:
        parts = ["tool=phbrefs"]
        if self.mailto:
            parts.append(f"email={quote(self.mailto, safe='@')}")
        if self.api_key:
            parts.append(f"api_key={quote(self.api_key, safe='')}")
        return "&".join(parts)

    def lookup(self, works: Sequence[WorkIds]) -> list[Enriched]:
        by_doi = [w for w in works if w.doi and not w.pmid]
        pmids = list(dict.fromkeys(w.pmid for w in works if w.pmid))
        problems: dict[WorkIds, str] = {}
        doi_chunks = [by_doi[i : i + self.BATCH] for i in range(0, len(by_doi), self.BATCH)]
        for chunk, found in zip(doi_chunks, run_all(self, self._search, doi_chunks), strict=True):
            if isinstance(found, Exception):
                problems.update({w: str(found) for w in chunk})
            else:
                pmids += [p for p in found if p not in pmids]
        chunks = [pmids[i : i + self.BATCH] for i in range(0, len(pmids), self.BATCH)]
        hits: list[Found] = []
        fetch_problem: dict[str, str] = {}
        for chunk, result in zip(chunks, run_all(self, self._fetch, chunks), strict=True):
            if isinstance(result, Exception):
                fetch_problem.update({p: str(result) for p in chunk})
            else:
                hits += result
        answers = answers_by_key(works, hits, SOURCE, "not in PubMed")
        for index, answer in enumerate(answers):
            ids = answer.ids
            reason = problems.get(ids) or fetch_problem.get(ids.pmid or "")
            if reason is None and ids in by_doi and fetch_problem:
                reason = next(iter(fetch_problem.values()))
            if answer.found is None and reason:
                answers[index] = failed([ids], reason)[0]
            elif answer.found is None and not (ids.doi or ids.pmid):
                answers[index] = failed([ids], "PubMed is asked by PMID or DOI")[0]
        return answers

    def _search(self, chunk: list[WorkIds]) -> list[str]:
        """The PMIDs of works known only by DOI (matched back by DOI once fetched)."""
        term = " OR ".join(f'"{w.doi}"[doi]' for w in chunk)
        response = self.get(
            f"{self.url}/esearch.fcgi",
            f"db=pubmed&term={quote(term, safe='')}&retmax={len(chunk)}",
        )
        root = _parse(response, self, "eSearchResult")
        return [i.text for i in root.findall("IdList/Id") if i.text]

    def _fetch(self, pmids: list[str]) -> list[Found]:
        response = self.get(
            f"{self.url}/efetch.fcgi", f"db=pubmed&id={','.join(pmids)}&retmode=xml"
        )
        root = _parse(response, self, "PubmedArticleSet")
        try:
            return [found_from_pubmed(node) for node in root.findall("PubmedArticle")]
        except (TypeError, ValueError, AttributeError) as error:
            raise Failed(f"unreadable PubMed article ({error!r})") from error
