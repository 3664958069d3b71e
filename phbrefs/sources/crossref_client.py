"""Crossref: a fast, polite REST client (the JSON -> ``WorkRecord`` mapping is ``crossref``).

Why not habanero for the transport: habanero calls module-level HTTP functions, so it exposes no
response headers (it cannot see Crossref's rate limits), keeps no session (no connection reuse),
has no cache and asks for one DOI per request. This client is a ``PoliteClient``
(``sources/http.py``: a cached ``requests`` session, limits, retries) and:

- resolves many DOIs per request with ``/works?filter=doi:A,doi:B,...`` (filters repeated on one
  key are ORed), then asks ``/works/{doi}`` only for DOIs a list did not return, to tell "not
  found" (404) from other failures;
- reads ``x-rate-limit-limit``, ``x-rate-limit-interval`` and ``x-concurrency-limit`` from every
  answer and stays inside them (requests spaced evenly, at most N in flight); a 429 pauses all
  workers for its ``Retry-After``;
- retries 5xx, timeouts and dropped connections with bounded exponential backoff; never a 404;
- bounds every request (``sources/bounded.py``): the whole answer within ``timeout`` seconds, at
  most ``max_body`` bytes; a trickling or oversized answer fails its items at once, no retries;
- checks every answer against a schema (``sources/crossref_schema.py``) before mapping it: a work
  of the wrong shape, without a DOI, or for another DOI than the one asked fails with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests

from phbrefs.sources.base import Enriched, Found, Lookup, Progress, Resolution, WorkIds
from phbrefs.sources.crossref import record_from_crossref
from phbrefs.sources.http import Failed, NotFound, PoliteClient, RateLimiter, Unbounded, run

if TYPE_CHECKING:
    from phbrefs.config import Settings


class CrossrefClient(PoliteClient):
    """Resolves DOIs through the Crossref REST API (see the module docstring for how)."""

    name = "crossref"
    label = "Crossref"
    MAX_ROWS = 200  # works per list request (Crossref allows 1000; answers stay a few MB)
    MAX_QUERY = 4000  # bytes of filter per list request: URLs stay well under 8 KB

    def __init__(self, url: str, *, mailto: str | None = None, **options: Any) -> None:
        polite = bool(mailto)
        limiter = RateLimiter(10 if polite else 5, 1.0, 3 if polite else 1)
        super().__init__(url, limiter=limiter, contact=mailto, **options)
        self.mailto = mailto

    @classmethod
    def from_settings(cls, settings: Settings, *, refresh: bool = False) -> CrossrefClient:
        return cls(
            settings.crossref_url,
            mailto=settings.mailto,
            timeout=settings.timeout,
            cache=settings.cache,
            refresh=refresh,
        )

    def polite_query(self) -> str:
        return f"mailto={quote(self.mailto, safe='@')}" if self.mailto else ""

    def error_text(self, response: requests.Response) -> str:
        """Crossref's own words for an error: JSON ``message[].message`` or the plain text."""
        try:
            body = response.json()
            messages = body.get("message")
            if isinstance(messages, list):
                return "; ".join(str(m.get("message", m)) for m in messages if m)
            return str(messages or body)
        except (ValueError, AttributeError):
            return super().error_text(response)

    # -- resolving ----------------------------------------------------------------------------

    def resolve(
        self,
        identifiers: Sequence[str],
        progress: Progress | None = None,
        on_answer: Callable[[list[Resolution]], None] | None = None,
    ) -> list[Resolution]:
        """One ``Resolution`` per DOI (lower-case, normalised), in the order given; each
        answer is mapped as it arrives, while the next request is in flight, and handed to
        ``on_answer`` (its resolutions) there too."""
        return list(self._settled(identifiers, progress, _resolution, on_answer).values())

    def messages(
        self, identifiers: Sequence[str], progress: Progress | None = None
    ) -> dict[str, Any]:
        """DOI -> Crossref message (or a ``Failed``/``NotFound`` value), in the order given."""
        return self._settled(identifiers, progress, lambda _doi, answer: answer)

    def _settled(
        self,
        identifiers: Sequence[str],
        progress: Progress | None,
        settle: Callable[[str, Any], Any],
        on_answer: Callable[[list[Any]], None] | None = None,
    ) -> dict[str, Any]:
        """DOI -> ``settle(doi, answer)``, called on this thread as each answer arrives, then
        ``on_answer`` with that answer's settled values."""
        dois = list(dict.fromkeys(identifiers))
        answers: dict[str, Any] = {}

        def advance(settled: dict[str, Any]) -> None:
            answers.update(settled)
            if progress is not None:
                progress(len(settled))
            if on_answer is not None:
                on_answer(list(settled.values()))

        def listed(chunk: list[str], answer: Any) -> None:
            # checked here, not on the pool: its one worker is then free for the next request
            items = self._listed(chunk, answer) if isinstance(answer, requests.Response) else answer
            if isinstance(items, Unbounded):  # asking DOI by DOI would only repeat it
                advance({doi: settle(doi, items) for doi in chunk})
            elif isinstance(items, dict):
                advance({doi: settle(doi, work) for doi, work in items.items()})

        def fetched(doi: str, answer: Any) -> None:
            advance({doi: settle(doi, answer)})

        listable = [d for d in dois if "," not in d]  # a comma would split the filter
        pool = self.pool()
        try:
            run(pool, self._fetch_list, self._chunks(listable), listed)
            run(pool, self._fetch_work, [d for d in dois if d not in answers], fetched)
        finally:  # after an error or Ctrl-C, do not sit waiting for requests still in flight
            pool.shutdown(wait=False, cancel_futures=True)
        return {doi: answers[doi] for doi in dois}

    def lookup(self, works: Sequence[WorkIds]) -> list[Enriched]:
        """The enrichment view: each work's Crossref record (abstract, notices), by DOI."""
        answers = self.messages([w.doi for w in works if w.doi])
        results = []
        for ids in works:
            resolution = _resolution(ids.doi, answers[ids.doi]) if ids.doi else None
            if resolution is None or resolution.record is None:
                detail = resolution.detail if resolution else "Crossref is asked by DOI"
                status = resolution.status if resolution else Lookup.FAILED
                results.append(Enriched(ids, status, detail=detail))
                continue
            record = resolution.record
            found = Found(
                "crossref",
                record.doi or ids.doi or "?",
                doi=record.doi,
                abstract=record.abstract,
                abstract_sections=record.abstract_sections,
                keywords=record.keywords,
                record=record,
            )
            results.append(Enriched(ids, Lookup.FOUND, found))
        return results

    def _chunks(self, dois: Sequence[str]) -> list[list[str]]:
        chunks: list[list[str]] = []
        size = 0
        for doi in dois:
            cost = len(_filter_term(doi)) + 1
            if not chunks or len(chunks[-1]) >= self.MAX_ROWS or size + cost > self.MAX_QUERY:
                chunks.append([])
                size = 0
            chunks[-1].append(doi)
            size += cost
        return chunks

    def _fetch_list(self, dois: list[str]) -> requests.Response:
        """The answer to one list request for ``dois`` (``_listed`` reads it)."""
        terms = ",".join(_filter_term(d) for d in dois)
        return self.get(f"{self.url}/works", f"filter={terms}&rows={len(dois)}")

    def _listed(
        self, dois: list[str], response: requests.Response
    ) -> dict[str, dict[str, Any] | Failed] | Failed:
        """The works of ``dois`` a list answer holds, by DOI, or the answer's failure; a listed
        work of the wrong shape is its DOI's failure (a work without a readable DOI is left
        out: its DOI is then asked alone)."""
        from phbrefs.sources import crossref_schema as schema

        try:
            items = schema.check_list(self.json(response))
        except Failed as failure:
            return failure
        except schema.SchemaError as error:
            self.forget(response)
            return Failed(f"invalid Crossref answer ({schema.reason(error)})")
        wanted = set(dois)
        found: dict[str, dict[str, Any] | Failed] = {}
        for item in items:
            doi = item.get("DOI") if isinstance(item, dict) else None
            doi = doi.strip().lower() if isinstance(doi, str) else None
            if doi not in wanted:
                continue
            try:
                schema.check_work(item)
                found[doi] = item
            except schema.SchemaError as error:
                self.forget(response)
                found[doi] = Failed(f"invalid Crossref record ({schema.reason(error)})")
        return found

    def _fetch_work(self, doi: str) -> dict[str, Any]:
        response = self.get(f"{self.url}/works/{quote(doi, safe='/')}")
        if response.status_code == 404:
            raise NotFound(doi)
        from phbrefs.sources import crossref_schema as schema  # after the request, as ``_listed``

        body = self.json(response)
        try:
            message = schema.check_work_answer(body)
            answered = schema.check_work(message)
        except schema.SchemaError as error:
            self.forget(response)
            raise Failed(f"invalid Crossref record ({schema.reason(error)})") from error
        if answered != doi:
            self.forget(response)
            raise Failed(f"Crossref answered for another DOI ({answered})")
        return message


def _filter_term(doi: str) -> str:
    """``doi:10.1111/hsc.12396`` with only what a query string cannot carry escaped."""
    return quote(f"doi:{doi}", safe=":/;()<>[]")


def _resolution(doi: str, answer: Any) -> Resolution:
    if isinstance(answer, NotFound):
        return Resolution(doi, Lookup.NOT_FOUND, detail="not found in Crossref")
    if isinstance(answer, Failed):
        return Resolution(doi, Lookup.FAILED, detail=str(answer))
    try:
        return Resolution(doi, Lookup.FOUND, record_from_crossref(answer))
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        return Resolution(doi, Lookup.FAILED, detail=f"unreadable Crossref record ({error!r})")
