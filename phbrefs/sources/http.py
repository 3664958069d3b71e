"""The polite HTTP transport every source shares: rate limits, retries, the cache, the pool.

Each service (Crossref, Europe PMC, PubMed, OpenAlex, Unpaywall) publishes limits and
etiquette; a ``PoliteClient`` is configured with them and:

- keeps requests inside its ``RateLimiter``'s window (at most N in flight), adopting the
  ``x-rate-limit-*`` / ``x-concurrency-limit`` headers a server sends; a 429 pauses all workers
  for its ``Retry-After``;
- retries 5xx, timeouts and dropped connections with bounded exponential backoff;
- bounds every answer in time and size (``bounded``): a trickling or oversized answer is
  ``Unbounded``, failed at once without retries;
- raises ``SourceError`` when nothing answers at all (refused, unresolvable), ``Failed`` for one
  request that failed for good, so a batch can report that item and go on;
- caches answers (``requests-cache``, 30 days, 200s only) and evicts a body that does not parse.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import orjson
import requests
from urllib3.exceptions import NewConnectionError

from phbrefs import __version__
from phbrefs.errors import SourceError
from phbrefs.sources.bounded import MAX_BODY, AnswerTooLarge, AnswerTooSlow, BoundedAdapter


def _decoded(response: requests.Response) -> Any:
    """The body as JSON: orjson reads a batch of 100 works about 3x faster than the stdlib; what
    it refuses (another charset, a lone surrogate escape, NaN) goes to ``requests``' own reading,
    so an answer parses exactly as it always did."""
    if (response.encoding or "utf-8").lower().replace("_", "-") in ("utf-8", "utf8"):
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            pass
    return response.json()


class RateLimiter:
    """At most ``limit`` request starts in any window of ``interval`` seconds, and at most
    ``concurrency`` requests in flight.

    The limit is a window, as the services announce it (Crossref: ``x-rate-limit-limit``
    requests per ``x-rate-limit-interval``, "the measurement window"): a batch of fewer
    requests than the limit goes out back to back, not spaced at 1/limit (on the public pool,
    5 per second, every request had waited 0.22 s after the one before, room or not). The
    window is held a margin longer than announced, room for a late arrival at the server. The
    server's headers update the limits as answers arrive.
    """

    MARGIN = 1.1  # the window 10% longer than announced: room for a late arrival at the server

    def __init__(self, limit: int, interval: float, concurrency: int) -> None:
        self._lock = threading.Condition()
        self.limit = limit
        self.interval = interval
        self.concurrency = concurrency
        self._active = 0
        self._starts: deque[float] = deque()  # the request starts inside the current window
        self._paused_until = 0.0

    @property
    def window(self) -> float:
        return self.interval * self.MARGIN

    def update(self, headers: Any) -> None:
        """Adopt ``x-rate-limit-*`` and ``x-concurrency-limit`` when a response carries them
        (a tighter limit counts the starts already made in the window)."""
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
            self._lock.notify_all()

    def pause(self, seconds: float) -> None:
        """Hold every request back (a 429's ``Retry-After``)."""
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def _next_start(self, now: float) -> float:
        """The earliest time the next request may start (under the lock)."""
        starts, window = self._starts, self.window
        while starts and starts[0] <= now - window:
            starts.popleft()
        limit = max(self.limit, 1)
        free = starts[-limit] + window if len(starts) >= limit else now
        return max(free, self._paused_until)

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._lock:
            while self._active >= self.concurrency:
                self._lock.wait()
            self._active += 1
            while True:
                now = time.monotonic()
                start = self._next_start(now)
                if start <= now:
                    break
                self._lock.wait(start - now)
            self._starts.append(now)
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1
                self._lock.notify_all()


class Failed(Exception):
    """One request that failed for good; the reason goes into the item's result."""


class Unbounded(Failed):
    """An answer too slow or too large: asking again, or item by item, would only repeat it."""


class NotFound(Exception):
    """The service answered that it does not know the item (404, zero hits)."""


def retry_after(value: str | None, default: float) -> float:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date)."""
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


def cached_session(cache: Path | None) -> requests.Session:
    """A ``requests`` session, cached in ``cache`` (one SQLite file shared by every source)."""
    if cache is None:
        return requests.Session()
    from datetime import timedelta

    import requests_cache

    cache.parent.mkdir(parents=True, exist_ok=True)
    return requests_cache.CachedSession(
        str(cache),
        backend="sqlite",
        expire_after=timedelta(days=30),
        allowable_codes=(200,),
        cache_control=False,
    )


class PoliteClient:
    """Base of every source client: one session, one limiter, ``get`` with retries."""

    name = "source"  # short name: crossref, europepmc...
    label = "the source"  # how messages name it: Crossref, Europe PMC...

    def __init__(
        self,
        url: str,
        *,
        limiter: RateLimiter,
        contact: str | None = None,
        timeout: float = 20.0,
        cache: Path | None = None,
        refresh: bool = False,
        attempts: int = 4,
        backoff: float = 0.5,
        max_wait: float = 60.0,
        max_body: int = MAX_BODY,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.max_body = max_body
        self.refresh = refresh
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_wait = max_wait
        self.limiter = limiter
        self.requests_made = 0
        self.rate_limited = 0  # 429 answers received
        self._count_lock = threading.Lock()
        self._users = 0  # requests using the session right now
        self._closing = False
        self.session = cached_session(cache)
        self.session.mount("http://", _LimitedAdapter(self))
        self.session.mount("https://", _LimitedAdapter(self))
        agent = f"phbrefs/{__version__}"
        self.session.headers["User-Agent"] = f"{agent} (mailto:{contact})" if contact else agent

    def close(self) -> None:
        """Close the session, or leave it to its last user: after an unreachable source or a
        Ctrl-C workers run on, and closing the cache's SQLite connection under one reading it
        was a segfault."""
        with self._count_lock:
            closing, self._closing = self._closing, True
            if closing or self._users:
                return
        self.session.close()

    @contextmanager
    def _using(self) -> Iterator[requests.Session]:
        """The session, kept open until this use ends; none once the client is closed."""
        with self._count_lock:
            if self._closing:
                raise Failed(f"the {self.label} client was closed")
            self._users += 1
        try:
            yield self.session
        finally:
            with self._count_lock:
                self._users -= 1
                last = self._closing and not self._users
            if last:
                self.session.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- hooks -------------------------------------------------------------------------------

    def polite_query(self) -> str:
        """Query parameters every request carries (an e-mail, an API key), already encoded."""
        return ""

    def error_text(self, response: requests.Response) -> str:
        """The service's own words for an error answer."""
        return response.text.strip()[:200] or response.reason

    # -- answers -----------------------------------------------------------------------------

    def json(self, response: requests.Response) -> dict[str, Any]:
        """The JSON object of a 200 answer; anything else is ``Failed`` (and not cached)."""
        if response.status_code != 200:
            raise Failed(f"HTTP {response.status_code}: {self.error_text(response)}")
        try:
            body = _decoded(response)
        except ValueError as error:
            self.forget(response)
            raise Failed(f"invalid JSON from {self.label} ({error})") from error
        if not isinstance(body, dict):
            self.forget(response)
            raise Failed(f"invalid JSON from {self.label} (not an object)")
        return body

    def forget(self, response: requests.Response) -> None:
        """Keep a broken answer out of the cache so the next run asks again."""
        cache = getattr(self.session, "cache", None)
        if cache is not None and getattr(response, "from_cache", None) is not None:
            with self._using():
                cache.delete(requests=[response.request])

    # -- one request, politely ------------------------------------------------------------

    def get(self, url: str, query: str = "") -> requests.Response:
        """GET ``url?query`` (already encoded) politely: limits, retries, backoff."""
        query = "&".join(filter(None, [query, self.polite_query()]))
        if query:
            url = f"{url}?{query}"
        extra = {"force_refresh": True} if self.refresh and hasattr(self.session, "cache") else {}
        failures = 0
        waits_429 = 0
        while True:
            try:
                with self._using() as session:
                    response = session.get(url, timeout=self.timeout, **extra)
            except (AnswerTooLarge, AnswerTooSlow) as error:
                raise Unbounded(str(error)) from error
            except requests.RequestException as error:
                unreachable = is_unreachable(error)
                failures += 1
                # Nothing listening is rarely fixed by waiting: one retry, then say so.
                if failures >= (min(self.attempts, 2) if unreachable else self.attempts):
                    if unreachable:
                        raise SourceError(
                            f"cannot reach {self.label} at {self.url} ({reason(error)})"
                        ) from error
                    raise Failed(reason(error, self.timeout)) from error
                time.sleep(self._backoff(failures))
                continue
            if response.status_code == 429:
                waits_429 += 1
                wait = retry_after(response.headers.get("Retry-After"), self._backoff(waits_429))
                if waits_429 > 5 or wait > self.max_wait:
                    raise Failed(f"rate-limited by {self.label} (Retry-After {wait:g}s)")
                self.limiter.pause(wait)
                continue
            if response.status_code >= 500:
                failures += 1
                if failures >= self.attempts:
                    raise Failed(f"HTTP {response.status_code} after {failures} tries")
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

    def pool(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=max(1, self.limiter.concurrency))


def capture(function: Callable[[Any], Any], item: Any) -> Any:
    try:
        return function(item)
    except (Failed, NotFound) as problem:
        return problem


def run(
    pool: ThreadPoolExecutor,
    function: Callable[[Any], Any],
    items: Sequence[Any],
    on_result: Callable[[Any, Any], None],
) -> None:
    """``function`` over ``items`` on the pool, ``on_result(item, result)`` as each settles in
    order; per-item failures arrive as values; ``SourceError`` (unreachable) or an interrupt
    cancels the rest."""
    futures = [(item, pool.submit(capture, function, item)) for item in items]
    try:
        for item, future in futures:
            on_result(item, future.result())
    except BaseException:
        for _, future in futures:
            future.cancel()
        raise


def run_all(client: PoliteClient, function: Callable[[Any], Any], items: Sequence[Any]) -> list:
    """``function`` over ``items`` on the client's pool; results (or ``Failed``/``NotFound``
    values) in order."""
    results: list[Any] = []
    pool = client.pool()
    try:
        run(pool, function, items, lambda _item, result: results.append(result))
    finally:  # after an error or Ctrl-C, do not sit waiting for requests still in flight
        pool.shutdown(wait=False, cancel_futures=True)
    return results


def is_unreachable(error: Exception) -> bool:
    """Refused, unresolvable or not answering a connect: nothing there, not a flaky answer."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    cause = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(cause, NewConnectionError)


def reason(error: Exception, timeout: float | None = None) -> str:
    if isinstance(error, requests.Timeout) and timeout is not None:
        return f"no answer within {timeout:g}s"
    if is_unreachable(error):
        cause = getattr(error.args[0], "reason", error)
        text = str(cause)
        if "Connection refused" in text or "Errno 111" in text:
            return "connection refused"
        return text.split(": ", 1)[-1][:120]
    return f"connection dropped ({type(error).__name__})"


class _LimitedAdapter(BoundedAdapter):
    """The transport: every real network request (cache hits never get here) waits for a slot,
    arrives whole within the client's timeout and under its size cap (``bounded``), and every
    answer's limits update the limiter."""

    def __init__(self, client: PoliteClient) -> None:
        super().__init__(client.timeout, client.max_body, pool_maxsize=8)
        self._client = client

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        with self._client.limiter.slot():
            response = super().send(request, *args, **kwargs)
        self._client.limiter.update(response.headers)
        self._client._count(response)
        return response
