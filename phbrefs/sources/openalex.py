"""OpenAlex: abstracts (rebuilt from ``abstract_inverted_index``), retraction flags, open access.

Many works per request: ``/works?filter=doi:A|B|…`` (up to 50 DOIs ORed, ``per-page`` 50).
OpenAlex allows 10 requests/s and 100,000 a day; an ``api_key`` and ``mailto`` go on every
request when set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from phbrefs.sources.base import Enriched, Found, OALocation, WorkIds, answers_by_key, failed
from phbrefs.sources.http import Failed, PoliteClient, RateLimiter, run_all

if TYPE_CHECKING:
    from phbrefs.config import Settings

SOURCE = "openalex"


def rebuild_abstract(index: dict[str, list[int]] | None) -> str | None:
    """The text an inverted index (word -> positions) was made from."""
    if not index:
        return None
    words: dict[int, str] = {}
    for word, positions in index.items():
        for position in positions or []:
            words[int(position)] = word
    return " ".join(words[p] for p in sorted(words)) or None


def _strip(url: str | None, *prefixes: str) -> str | None:
    if not url:
        return None
    for prefix in prefixes:
        if url.lower().startswith(prefix):
            return url[len(prefix) :]
    return url


def _location(entry: dict[str, Any], best: bool) -> OALocation | None:
    url = entry.get("landing_page_url") or entry.get("pdf_url")
    if not url or not entry.get("is_oa"):
        return None
    return OALocation(
        SOURCE,
        url,
        pdf_url=entry.get("pdf_url"),
        license=entry.get("license"),
        version=entry.get("version"),
        host_type="repository"
        if (entry.get("source") or {}).get("type") == "repository"
        else "publisher",
        is_best=best,
    )


def found_from_openalex(work: dict[str, Any]) -> Found:
    ids = work.get("ids") or {}
    pmcid = _strip(ids.get("pmcid"), "https://www.ncbi.nlm.nih.gov/pmc/articles/")
    if pmcid and not pmcid.upper().startswith("PMC"):
        pmcid = f"PMC{pmcid}"
    best = work.get("best_oa_location") or {}
    locations = [loc for loc in [_location(best, True)] if loc]
    for entry in work.get("locations") or []:
        location = _location(entry, False)
        if location and location.url not in {loc.url for loc in locations}:
            locations.append(location)
    access = work.get("open_access") or {}
    return Found(
        source=SOURCE,
        identifier=_strip(work.get("id"), "https://openalex.org/") or "?",
        doi=(_strip(work.get("doi"), "https://doi.org/") or "").lower() or None,
        pmid=_strip(ids.get("pmid"), "https://pubmed.ncbi.nlm.nih.gov/"),
        pmcid=pmcid,
        abstract=rebuild_abstract(work.get("abstract_inverted_index")),
        keywords=[k["display_name"] for k in work.get("keywords") or [] if k.get("display_name")],
        mesh=[m["descriptor_name"] for m in work.get("mesh") or [] if m.get("descriptor_name")],
        is_oa=access.get("is_oa"),
        oa_status=access.get("oa_status"),
        oa_locations=locations,
        is_retracted=work.get("is_retracted"),
    )


class OpenAlexClient(PoliteClient):
    name = SOURCE
    label = "OpenAlex"
    BATCH = 50  # OpenAlex ORs up to 100 values in one filter; 50 fit a page

    def __init__(
        self, url: str, *, mailto: str | None = None, api_key: str | None = None, **options: Any
    ) -> None:
        super().__init__(url, limiter=RateLimiter(10, 1.0, 2), contact=mailto, **options)
        self.mailto = mailto
        self.api_key = api_key

    @classmethod
    def from_settings(cls, settings: Settings, *, refresh: bool = False) -> OpenAlexClient:
        return cls(
            settings.openalex_url,
            mailto=settings.mailto,
            api_key=settings.openalex_api_key,
            timeout=settings.timeout,
            cache=settings.cache,
            refresh=refresh,
        )

    def polite_query(self) -> str:
        parts = []
        if self.api_key:
            parts.append(f"api_key={quote(self.api_key, safe='')}")
        if self.mailto:
            parts.append(f"mailto={quote(self.mailto, safe='@')}")
        return "&".join(parts)

    def lookup(self, works: Sequence[WorkIds]) -> list[Enriched]:
        with_doi = [w for w in works if w.doi and "|" not in w.doi]
        chunks = [with_doi[i : i + self.BATCH] for i in range(0, len(with_doi), self.BATCH)]
        answers: dict[WorkIds, Enriched] = {}
        for chunk, hits in zip(chunks, run_all(self, self._list, chunks), strict=True):
            if isinstance(hits, Exception):
                answers.update({e.ids: e for e in failed(chunk, str(hits))})
            else:
                found = answers_by_key(chunk, hits, SOURCE, "not in OpenAlex")
                answers.update({e.ids: e for e in found})
        return [answers.get(w) or failed([w], "OpenAlex is asked by DOI")[0] for w in works]

    def _list(self, chunk: list[WorkIds]) -> list[Found]:
        terms = "|".join(quote(w.doi or "", safe="/:;()<>[]") for w in chunk)
        response = self.get(f"{self.url}/works", f"filter=doi:{terms}&per-page={len(chunk)}")
        results = self.json(response).get("results")
        if not isinstance(results, list):
            raise Failed("OpenAlex answered without results")
        try:
            return [found_from_openalex(w) for w in results if isinstance(w, dict)]
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise Failed(f"unreadable OpenAlex work ({error!r})") from error
