"""A local Crossref REST API on 127.0.0.1 that replays real recorded bodies and injects faults.

- ``GET /works/{doi}``: the recorded body from ``works/<slug>.json``; an unknown DOI gets 404 and
  the plain text ``Resource not found.``, as Crossref answers.
- ``GET /works?filter=doi:A,doi:B&rows=N``: a real-shaped ``work-list`` with the known ones.
- Every answer carries ``x-rate-limit-limit``, ``x-rate-limit-interval`` and
  ``x-concurrency-limit``, and the server ENFORCES them: past either, 429 with ``Retry-After``.
- ``inject(kind, ...)`` queues faults: ``429`` (with Retry-After), ``503``, ``slow`` (answer
  after ``delay`` seconds), ``drop`` (close the connection without an answer), ``badjson``,
  ``drip`` (the real answer one byte every ``delay`` seconds: headers too with
  ``headers=True``), ``bomb`` (``size`` zero bytes, gzip-compressed, as ``Content-Encoding:
  gzip``), ``huge`` (``size`` bytes, chunked, or with its Content-Length if ``declared``).
- A test may replace a work's recorded body in ``works`` by any bytes (a wrong shape, another
  DOI): both the single answer and the lists then carry it.
- ``latency`` delays every answer (a distant server).

Use the ``crossref_server`` pytest fixture (registered from tests/conftest.py), or
``CrossrefServer(...)`` as a context manager (bench/batch_add.py does).
"""

from __future__ import annotations

import gzip
import json
import math
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

FIXTURE_WORKS = Path(__file__).parent / "fixtures" / "crossref" / "works"
NOT_FOUND_BODY = b"Resource not found."


@dataclass
class Fault:
    kind: str  # "429", "503", "slow", "drop", "badjson", "drip", "bomb", "huge"
    times: int = 1  # how many matching requests it hits (-1: all)
    doi: str | None = None  # only requests naming this DOI (path or filter)
    retry_after: int = 1
    delay: float = 0.0
    headers: bool = False  # "drip": trickle the status line and headers too
    size: int = 64 * 1024 * 1024  # "bomb", "huge": bytes of the (decoded) body
    declared: bool = False  # "huge": with a Content-Length instead of chunks


@dataclass
class Seen:
    """One request the server received."""

    path: str
    query: dict[str, list[str]]
    status: int  # -1 while unanswered, 0 for a dropped connection
    user_agent: str = ""

    @property
    def is_list(self) -> bool:
        return self.path.rstrip("/") == "/works"


@dataclass
class CrossrefServer:
    works_dir: Path = FIXTURE_WORKS
    rate_limit: int = 50
    interval: float = 1.0
    concurrency: int = 4
    latency: float = 0.0
    pool: str = "public"
    seen: list[Seen] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.works: dict[str, bytes] = {}
        for path in sorted(self.works_dir.glob("*.json")):
            body = path.read_bytes()
            doi = json.loads(body)["message"]["DOI"].lower()
            self.works[doi] = body
        self._messages: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._arrivals: deque[float] = deque()
        self._in_flight = 0
        self._httpd: ThreadingHTTPServer | None = None

    # -- control ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def inject(self, kind: str, **options: Any) -> Fault:
        fault = Fault(kind, **options)
        with self._lock:
            self.faults.append(fault)
        return fault

    def requests_to(self, *, lists: bool | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if lists is None or s.is_list == lists]

    @property
    def count_429(self) -> int:
        with self._lock:
            return sum(1 for s in self.seen if s.status == 429)

    def reset(self) -> None:
        with self._lock:
            self.seen.clear()
            self.faults.clear()
            self._arrivals.clear()

    def start(self) -> CrossrefServer:
        handler = type("Handler", (_Handler,), {"crossref": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def __enter__(self) -> CrossrefServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- behaviour -------------------------------------------------------------------------

    def headers(self) -> dict[str, str]:
        return {
            "x-api-pool": self.pool,
            "x-rate-limit-limit": str(self.rate_limit),
            "x-rate-limit-interval": f"{self.interval:g}s",
            "x-concurrency-limit": str(self.concurrency),
            "access-control-allow-origin": "*",
        }

    def admit(self) -> int | None:
        """Count a request in; None if it is within limits, else the Retry-After seconds."""
        now = time.monotonic()
        with self._lock:
            while self._arrivals and self._arrivals[0] <= now - self.interval:
                self._arrivals.popleft()
            if self._in_flight >= self.concurrency:
                return 1
            if len(self._arrivals) >= self.rate_limit:
                wait = self._arrivals[0] + self.interval - now
                return max(1, math.ceil(wait))
            self._arrivals.append(now)
            self._in_flight += 1
            return None

    def release(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def take_fault(self, dois: list[str]) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times == 0 or (fault.doi and fault.doi.lower() not in dois):
                    continue
                if fault.times > 0:
                    fault.times -= 1
                return fault
        return None

    def message(self, doi: str) -> Any:
        """The parsed work, re-read when a test has replaced its body in ``works`` (None when
        that body has no ``message``)."""
        body = self.works[doi]
        cached = self._messages.get(doi)
        if cached is None or cached[0] is not body:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            message = parsed.get("message") if isinstance(parsed, dict) else None
            cached = self._messages[doi] = (body, message)
        return cached[1]

    def work_list(self, dois: list[str], rows: int) -> bytes:
        known = [d for d in dict.fromkeys(dois) if d in self.works]
        items = [m for d in known if (m := self.message(d)) is not None][:rows]
        body = {
            "status": "ok",
            "message-type": "work-list",
            "message-version": "1.0.0",
            "message": {
                "facets": {},
                "total-results": len(items),
                "items": items,
                "items-per-page": rows,
                "query": {"start-index": 0, "search-terms": None},
            },
        }
        return json.dumps(body).encode()

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    crossref: CrossrefServer
    trouble: Fault | None = None  # how to spoil the answer being sent

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:
        server = self.crossref
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        seen = Seen(parts.path, query, -1, self.headers.get("User-Agent", ""))
        server.record(seen)  # on arrival: a request the client gave up on still counts
        retry_after = server.admit()
        if retry_after is not None:
            seen.status = 429
            self._send(429, b"Too many requests", "text/plain", {"Retry-After": str(retry_after)})
            return
        try:
            status, body, content_type, extra = self._answer(parts.path, query, seen)
        finally:
            server.release()
        seen.status = status
        if status == 0:  # a dropped connection
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if self.trouble is not None:
            self._send_faulty(self.trouble, status, body, content_type)
            return
        self._send(status, body, content_type, extra)

    def _answer(
        self, path: str, query: dict[str, list[str]], seen: Seen
    ) -> tuple[int, bytes, str, dict[str, str]]:
        """Everything done while the request counts as in flight (latency included)."""
        server = self.crossref
        if server.latency:
            time.sleep(server.latency)
        json_type = "application/json;charset=utf-8"
        if path.rstrip("/") == "/works":
            filters = ",".join(query.get("filter", [""])).split(",")
            dois = [unquote(f[4:]).lower() for f in filters if f.startswith("doi:")]
            rows = int(query.get("rows", ["20"])[0])
        elif path.startswith("/works/"):
            dois = [unquote(path[len("/works/") :]).lower()]
            rows = 0
        else:
            return 404, NOT_FOUND_BODY, "text/plain", {}
        fault = server.take_fault(dois)
        if fault is not None:
            if fault.kind == "429":
                return (
                    429,
                    b"Too many requests",
                    "text/plain",
                    {"Retry-After": str(fault.retry_after)},
                )
            if fault.kind == "503":
                return 503, b"Service unavailable", "text/plain", {}
            if fault.kind == "drop":
                return 0, b"", "", {}
            if fault.kind == "slow":
                time.sleep(fault.delay)
            if fault.kind == "badjson":
                return 200, b'{"status":"ok","message-type":"work","message":{"DOI"', json_type, {}
            if fault.kind in ("drip", "bomb", "huge"):
                self.trouble = fault  # the answer below, sent badly
        return self._answer_plainly(dois, rows)

    def _answer_plainly(
        self, dois: list[str], rows: int
    ) -> tuple[int, bytes, str, dict[str, str]]:
        server = self.crossref
        json_type = "application/json;charset=utf-8"
        if rows:
            if not dois:
                body = b'{"status":"failed","message-type":"validation-failure","message":[]}'
                return 400, body, json_type, {}
            return 200, server.work_list(dois, rows), json_type, {}
        if dois[0] in server.works:
            return 200, server.works[dois[0]], json_type, {}
        return 404, NOT_FOUND_BODY, "text/plain", {}

    def _send_faulty(self, fault: Fault, status: int, body: bytes, content_type: str) -> None:
        """A trickled answer, a gzip bomb or an endless-looking chunked one."""
        self.close_connection = True
        try:
            if fault.kind == "drip":
                head = (
                    f"HTTP/1.1 {status} OK\r\nContent-Type: {content_type}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode()
                if not fault.headers:
                    self.wfile.write(head)
                    head = b""
                for byte in (head + body)[:600]:  # bounded: the client gives up long before
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(fault.delay)
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            if fault.kind == "bomb":
                bomb = _gzip_zeros(fault.size)
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(bomb)))
                self.end_headers()
                self.wfile.write(bomb)
                return
            piece = b" " * 65536
            if fault.declared:  # says its size up front, then sends it
                self.send_header("Content-Length", str(fault.size))
                self.end_headers()
                for _ in range(fault.size // len(piece)):
                    self.wfile.write(piece)
                return
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(fault.size // len(piece)):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
            return

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str]) -> None:
        try:
            self.send_response(status)
            for name, value in {**self.crossref.headers(), **extra}.items():
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            self.close_connection = True


_BOMBS: dict[int, bytes] = {}


def _gzip_zeros(size: int) -> bytes:
    """``size`` zero bytes gzip-compressed (about a thousandth of it), made once per size."""
    if size not in _BOMBS:
        _BOMBS[size] = gzip.compress(bytes(size), compresslevel=9)
    return _BOMBS[size]


@pytest.fixture
def crossref_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[CrossrefServer]:
    """A replaying Crossref on 127.0.0.1; PHBREFS_CROSSREF_URL points at it for the test."""
    with CrossrefServer() as server:
        monkeypatch.setenv("PHBREFS_CROSSREF_URL", server.url)
        yield server
