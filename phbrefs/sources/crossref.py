"""Crossref: a fast, polite REST client and the Crossref JSON -> ``WorkRecord`` mapping.

Why not habanero for the transport: habanero calls module-level HTTP functions, so it exposes no
response headers (it cannot see Crossref's rate limits), keeps no session (no connection reuse),
has no cache and asks for one DOI per request. This client uses a ``requests`` session (cached
with ``requests-cache`` when a cache file is configured) and:

- resolves many DOIs per request with ``/works?filter=doi:A,doi:B,...`` (filters repeated on one
  key are ORed), then asks ``/works/{doi}`` only for DOIs a list did not return, to tell "not
  found" (404) from other failures;
- reads ``x-rate-limit-limit``, ``x-rate-limit-interval`` and ``x-concurrency-limit`` from every
  answer and stays inside them (requests spaced evenly, at most N in flight); a 429 pauses all
  workers for its ``Retry-After``;
- retries 5xx, timeouts and dropped connections with bounded exponential backoff; never a 404;
- bounds every request (``sources/http.py``): the whole answer within ``timeout`` seconds, at most
  ``max_body`` bytes; a trickling or oversized answer fails its items at once, without retries;
- checks every answer against a schema (``sources/crossref_schema.py``) before mapping it: a work
  of the wrong shape, without a DOI, or for another DOI than the one asked fails with the reason.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests
from urllib3.exceptions import NewConnectionError

from phbrefs import __version__
from phbrefs.cleaning import FALLBACK_DATES, clean_record
from phbrefs.errors import SourceError
from phbrefs.records import Contributor, Funder, PartialDate, UpdateNotice, WorkRecord
from phbrefs.sources.base import Lookup, Progress, Resolution
from phbrefs.sources.http import MAX_BODY, AnswerTooLarge, AnswerTooSlow, BoundedAdapter
from phbrefs.sources.jats import parse_abstract, strip_markup

if TYPE_CHECKING:
    from phbrefs.config import Settings

# -- mapping ------------------------------------------------------------------------------------

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
        raw=json.dumps(message, ensure_ascii=False, sort_keys=True),
    )
    return clean_record(record)


# -- politeness -----------------------------------------------------------------------------------


class RateLimiter:
    """Keeps requests inside a rate (``limit`` per ``interval`` seconds) and a concurrency.

    Requests are spaced evenly (a small margin under the limit), so no window ever holds more
    than ``limit``. The server's headers update the limits as answers arrive.
    """

    MARGIN = 1.1  # 10% under the limit: room for a late arrival at the server

    def __init__(self, limit: int, interval: float, concurrency: int) -> None:
        self._lock = threading.Condition()
        self.limit = limit
        self.interval = interval
        self.concurrency = concurrency
        self._active = 0
        self._next_start = 0.0
        self._last_start = 0.0
        self._paused_until = 0.0

    @property
    def spacing(self) -> float:
        return self.interval / max(self.limit, 1) * self.MARGIN

    def update(self, headers: Any) -> None:
        """Adopt ``x-rate-limit-*`` and ``x-concurrency-limit`` when a response carries them."""
        try:
            limit = int(headers.get("x-rate-limit-limit") or 0)
            interval_text = (headers.get("x-rate-limit-interval") or "").strip().rstrip("s")
            interval = float(interval_text) if interval_text else 0.0
            concurrency = int(headers.get("x-concurrency-limit") or 0)
        except ValueError:
            return
        with self._lock:
            if limit > 0:
                self.limit = limit
            if interval > 0:
                self.interval = interval
            if concurrency > 0:
                self.concurrency = concurrency
            # a tighter limit applies from the last request on, not from the next one
            self._next_start = max(self._next_start, self._last_start + self.spacing)
            self._lock.notify_all()

    def pause(self, seconds: float) -> None:
        """Hold every request back (a 429's ``Retry-After``)."""
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._lock:
            while self._active >= self.concurrency:
                self._lock.wait()
            self._active += 1
            while True:
                now = time.monotonic()
                start = max(self._next_start, self._paused_until)
                if start <= now:
                    break
                self._lock.wait(start - now)
            self._last_start = now
            self._next_start = now + self.spacing
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1
                self._lock.notify_all()


class _Failed(Exception):
    """One request that failed for good; the reason goes into the item's result."""


class _Unbounded(_Failed):
    """An answer too slow or too large: asking again, or DOI by DOI, would only repeat it."""


class _NotFound(Exception):
    pass


def _retry_after(value: str | None, default: float) -> float:
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return default


def _error_text(response: requests.Response) -> str:
    """Crossref's own words for an error: JSON ``message[].message`` or the plain text."""
    try:
        body = response.json()
        messages = body.get("message")
        if isinstance(messages, list):
            return "; ".join(str(m.get("message", m)) for m in messages if m)
        return str(messages or body)
    except ValueError:
        return response.text.strip()[:200] or response.reason


class CrossrefClient:
    """Resolves DOIs through the Crossref REST API (see the module docstring for how)."""

    name = "crossref"
    MAX_ROWS = 200  # works per list request (Crossref allows 1000; answers stay a few MB)
    MAX_QUERY = 4000  # bytes of filter per list request: URLs stay well under 8 KB

    def __init__(
        self,
        url: str,
        *,
        mailto: str | None = None,
        timeout: float = 20.0,
        cache: Path | None = None,
        refresh: bool = False,
        attempts: int = 4,
        backoff: float = 0.5,
        max_wait: float = 60.0,
        max_body: int = MAX_BODY,
    ) -> None:
        self.url = url.rstrip("/")
        self.mailto = mailto
        self.timeout = timeout
        self.refresh = refresh
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_wait = max_wait
        self.max_body = max_body
        polite = bool(mailto)
        self.limiter = RateLimiter(10 if polite else 5, 1.0, 3 if polite else 1)
        self.requests_made = 0
        self.rate_limited = 0  # 429 answers received
        self._count_lock = threading.Lock()
        if cache is not None:
            from datetime import timedelta

            import requests_cache

            cache.parent.mkdir(parents=True, exist_ok=True)
            self.session: requests.Session = requests_cache.CachedSession(
                str(cache),
                backend="sqlite",
                expire_after=timedelta(days=30),
                allowable_codes=(200,),
                cache_control=False,
            )
        else:
            self.session = requests.Session()
        self.session.mount("http://", _LimitedAdapter(self))
        self.session.mount("https://", _LimitedAdapter(self))
        agent = f"phbrefs/{__version__}"
        self.session.headers["User-Agent"] = f"{agent} (mailto:{mailto})" if mailto else agent

    @classmethod
    def from_settings(cls, settings: Settings, *, refresh: bool = False) -> CrossrefClient:
        return cls(
            settings.crossref_url,
            mailto=settings.mailto,
            timeout=settings.timeout,
            cache=settings.cache,
            refresh=refresh,
        )

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> CrossrefClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- resolving ----------------------------------------------------------------------------

    def resolve(
        self, identifiers: Sequence[str], progress: Progress | None = None
    ) -> list[Resolution]:
        """One ``Resolution`` per DOI (lower-case, normalised), in the order given."""
        dois = list(dict.fromkeys(identifiers))
        advance = progress or (lambda n: None)
        resolved: dict[str, Resolution] = {}

        # Records are mapped here, as each answer arrives, while the next request is in flight.
        def listed(chunk: list[str], items: Any) -> None:
            if isinstance(items, _Unbounded):
                resolved.update({doi: _resolution(doi, items) for doi in chunk})
                advance(len(chunk))
            elif isinstance(items, dict):
                resolved.update({doi: _resolution(doi, item) for doi, item in items.items()})
                advance(len(items))

        def fetched(doi: str, answer: Any) -> None:
            resolved[doi] = _resolution(doi, answer)
            advance(1)

        listable = [d for d in dois if "," not in d]  # a comma would split the filter
        pool = ThreadPoolExecutor(max_workers=max(1, self.limiter.concurrency))
        try:
            _run(pool, self._fetch_list, self._chunks(listable), listed)
            _run(pool, self._fetch_work, [d for d in dois if d not in resolved], fetched)
        finally:  # after an error or Ctrl-C, do not sit waiting for requests still in flight
            pool.shutdown(wait=False, cancel_futures=True)
        return [resolved[doi] for doi in dois]

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

    def _fetch_list(self, dois: list[str]) -> dict[str, dict[str, Any] | _Failed]:
        """The works of ``dois`` that one list request returns, by DOI; a listed work of the
        wrong shape is its DOI's failure (a work without a readable DOI is left out: its DOI is
        then asked alone)."""
        from phbrefs.sources import crossref_schema as schema

        terms = ",".join(_filter_term(d) for d in dois)
        response = self._get(f"{self.url}/works", f"filter={terms}&rows={len(dois)}")
        if response.status_code != 200:
            raise _Failed(f"HTTP {response.status_code}: {_error_text(response)}")
        body = self._json(response)
        try:
            items = schema.check_list(body)
        except schema.SchemaError as error:
            self._forget(response)
            raise _Failed(f"invalid Crossref answer ({schema.reason(error)})") from error
        wanted = set(dois)
        found: dict[str, dict[str, Any] | _Failed] = {}
        for item in items:
            doi = item.get("DOI") if isinstance(item, dict) else None
            doi = doi.strip().lower() if isinstance(doi, str) else None
            if doi not in wanted:
                continue
            try:
                schema.check_work(item)
                found[doi] = item
            except schema.SchemaError as error:
                self._forget(response)
                found[doi] = _Failed(f"invalid Crossref record ({schema.reason(error)})")
        return found

    def _fetch_work(self, doi: str) -> dict[str, Any]:
        from phbrefs.sources import crossref_schema as schema

        response = self._get(f"{self.url}/works/{quote(doi, safe='/')}", "")
        if response.status_code == 404:
            raise _NotFound(doi)
        if response.status_code != 200:
            raise _Failed(f"HTTP {response.status_code}: {_error_text(response)}")
        body = self._json(response)
        try:
            message = schema.check_work_answer(body)
            answered = schema.check_work(message)
        except schema.SchemaError as error:
            self._forget(response)
            raise _Failed(f"invalid Crossref record ({schema.reason(error)})") from error
        if answered != doi:
            self._forget(response)
            raise _Failed(f"Crossref answered for another DOI ({answered})")
        return message

    def _json(self, response: requests.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError as error:
            self._forget(response)
            raise _Failed(f"invalid JSON from Crossref ({error})") from error
        if not isinstance(body, dict):
            self._forget(response)
            raise _Failed("invalid JSON from Crossref (not an object)")
        return body

    def _forget(self, response: requests.Response) -> None:
        """Keep a broken answer out of the cache so the next run asks again."""
        cache = getattr(self.session, "cache", None)
        if cache is not None and getattr(response, "from_cache", None) is not None:
            cache.delete(requests=[response.request])

    # -- one request, politely ------------------------------------------------------------

    def _get(self, url: str, query: str) -> requests.Response:
        """GET ``url?query`` (already encoded) politely: limits, retries, backoff."""
        if self.mailto:
            query = "&".join(filter(None, [query, f"mailto={quote(self.mailto, safe='@')}"]))
        if query:
            url = f"{url}?{query}"
        extra = {"force_refresh": True} if self.refresh and hasattr(self.session, "cache") else {}
        failures = 0
        waits_429 = 0
        while True:
            try:
                response = self.session.get(url, timeout=self.timeout, **extra)
            except (AnswerTooLarge, AnswerTooSlow) as error:
                raise _Unbounded(str(error)) from error
            except requests.RequestException as error:
                unreachable = _is_unreachable(error)
                failures += 1
                # Nothing listening is rarely fixed by waiting: one retry, then say so.
                if failures >= (min(self.attempts, 2) if unreachable else self.attempts):
                    if unreachable:
                        raise SourceError(
                            f"cannot reach Crossref at {self.url} ({_reason(error)})"
                        ) from error
                    raise _Failed(_reason(error, self.timeout)) from error
                time.sleep(self._backoff(failures))
                continue
            if response.status_code == 429:
                waits_429 += 1
                wait = _retry_after(response.headers.get("Retry-After"), self._backoff(waits_429))
                if waits_429 > 5 or wait > self.max_wait:
                    raise _Failed(f"rate-limited by Crossref (Retry-After {wait:g}s)")
                self.limiter.pause(wait)
                continue
            if response.status_code >= 500:
                failures += 1
                if failures >= self.attempts:
                    raise _Failed(f"HTTP {response.status_code} after {failures} tries")
                time.sleep(self._backoff(failures))
                continue
            return response

    def _backoff(self, failures: int) -> float:
        return min(self.backoff * 2 ** (failures - 1), 30.0)

    def _count(self, response: requests.Response) -> None:
        with self._count_lock:
            self.requests_made += 1
            if response.status_code == 429:
                self.rate_limited += 1


def _filter_term(doi: str) -> str:
    """``doi:10.1111/hsc.12396`` with only what a query string cannot carry escaped."""
    return quote(f"doi:{doi}", safe=":/;()<>[]")


def _capture(function: Any, item: Any) -> Any:
    try:
        return function(item)
    except (_Failed, _NotFound) as problem:
        return problem


def _run(pool: ThreadPoolExecutor, function: Any, items: Sequence[Any], on_result: Any) -> None:
    """``function`` over ``items`` on the pool, ``on_result(item, result)`` as each settles in
    order; per-item failures arrive as values; ``SourceError`` (unreachable) or an interrupt
    cancels the rest."""
    futures = [(item, pool.submit(_capture, function, item)) for item in items]
    try:
        for item, future in futures:
            on_result(item, future.result())
    except BaseException:
        for _, future in futures:
            future.cancel()
        raise


def _resolution(doi: str, answer: Any) -> Resolution:
    if isinstance(answer, _NotFound):
        return Resolution(doi, Lookup.NOT_FOUND, detail="not found in Crossref")
    if isinstance(answer, _Failed):
        return Resolution(doi, Lookup.FAILED, detail=str(answer))
    try:
        return Resolution(doi, Lookup.FOUND, record_from_crossref(answer))
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        return Resolution(doi, Lookup.FAILED, detail=f"unreadable Crossref record ({error!r})")


def _is_unreachable(error: Exception) -> bool:
    """Refused, unresolvable or not answering a connect: nothing there, not a flaky answer."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, NewConnectionError)


def _reason(error: Exception, timeout: float | None = None) -> str:
    if isinstance(error, requests.Timeout) and timeout is not None:
        return f"no answer within {timeout:g}s"
    if _is_unreachable(error):
        reason = getattr(error.args[0], "reason", error)
        text = str(reason)
        if "Connection refused" in text or "Errno 111" in text:
            return "connection refused"
        return text.split(": ", 1)[-1][:120]
    return f"connection dropped ({type(error).__name__})"


class _LimitedAdapter(BoundedAdapter):
    """The transport: every real network request (cache hits never get here) waits for a slot,
    arrives whole within the timeout and under the size cap, and its limits update the limiter."""

    def __init__(self, client: CrossrefClient) -> None:
        super().__init__(client.timeout, client.max_body, pool_maxsize=8)
        self._client = client

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        with self._client.limiter.slot():
            response = super().send(request, *args, **kwargs)
        self._client.limiter.update(response.headers)
        self._client._count(response)
        return response
