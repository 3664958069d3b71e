"""Unpaywall ``/v2/{doi}``: where a work can be read free, with PDF, licence and version.

One request per DOI (Unpaywall has no batch lookup); an e-mail is required on every request,
so without ``mailto`` the source is skipped. Unpaywall asks for at most 100,000 requests a day;
this client keeps to 10 requests/s, two at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from phbrefs.errors import SourceError
from phbrefs.sources.base import Enriched, Found, Lookup, OALocation, WorkIds, failed
from phbrefs.sources.http import Failed, NotFound, PoliteClient, RateLimiter, run_all

if TYPE_CHECKING:
    from phbrefs.config import Settings

SOURCE = "unpaywall"


def found_from_unpaywall(body: dict[str, Any]) -> Found:
    best = (body.get("best_oa_location") or {}).get("url")
    locations = [
        OALocation(
            SOURCE,
            entry.get("url_for_landing_page") or entry["url"],
            pdf_url=entry.get("url_for_pdf"),
            license=entry.get("license"),
            version=entry.get("version"),
            host_type=entry.get("host_type"),
            is_best=bool(entry.get("is_best")) or entry.get("url") == best,
        )
        for entry in body.get("oa_locations") or []
        if entry.get("url") or entry.get("url_for_landing_page")
    ]
    doi = (body.get("doi") or "").lower() or None
    return Found(
        source=SOURCE,
        identifier=doi or "?",
        doi=doi,
        is_oa=body.get("is_oa"),
        oa_status=body.get("oa_status"),
        oa_locations=locations,
    )


class UnpaywallClient(PoliteClient):
    name = SOURCE
    label = "Unpaywall"

    def __init__(self, url: str, *, mailto: str | None = None, **options: Any) -> None:
        super().__init__(url, limiter=RateLimiter(10, 1.0, 2), contact=mailto, **options)
        self.mailto = mailto

    @classmethod
    def from_settings(cls, settings: Settings, *, refresh: bool = False) -> UnpaywallClient:
        return cls(
            settings.unpaywall_url,
            mailto=settings.mailto,
            timeout=settings.timeout,
            cache=settings.cache,
            refresh=refresh,
        )

    def polite_query(self) -> str:
        return f"email={quote(self.mailto or '', safe='@')}"

    def lookup(self, works: Sequence[WorkIds]) -> list[Enriched]:
        if not self.mailto:
            raise SourceError("Unpaywall needs an e-mail: set mailto (phbrefs config set mailto …)")
        with_doi = [w for w in works if w.doi]
        answers = dict(zip(with_doi, run_all(self, self._work, with_doi), strict=True))
        results = []
        for ids in works:
            answer = answers.get(ids)
            if answer is None:
                results.append(failed([ids], "Unpaywall is asked by DOI")[0])
            elif isinstance(answer, NotFound):
                results.append(Enriched(ids, Lookup.NOT_FOUND, detail="not in Unpaywall"))
            elif isinstance(answer, Exception):
                results.append(failed([ids], str(answer))[0])
            else:
                results.append(Enriched(ids, Lookup.FOUND, answer))
        return results

    def _work(self, ids: WorkIds) -> Found:
        response = self.get(f"{self.url}/v2/{quote(ids.doi or '', safe='/')}")
        if response.status_code == 404:
            raise NotFound(ids.doi)
        try:
            return found_from_unpaywall(self.json(response))
        except (KeyError, TypeError, AttributeError) as error:
            raise Failed(f"unreadable Unpaywall answer ({error!r})") from error
