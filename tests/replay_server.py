"""A local HTTP server on 127.0.0.1 that replays recorded bodies, enforces limits, injects faults.

Each service's server (``crossref_server.py``, ``source_servers.py``) subclasses
``ReplayServer`` and says only how to answer a path: ``answer(path, query)`` returns an
``Answer`` with the identifiers the request names (so a fault can target one of them).

- The server ENFORCES ``rate_limit`` per ``interval`` and ``concurrency``: past either, 429 with
  ``Retry-After``; ``limit_headers()`` says which headers announce the limits (Crossref's do).
- ``inject(kind, ...)`` queues faults: ``429`` (with Retry-After), ``503``, ``slow`` (answer
  after ``delay`` seconds), ``drop`` (close the connection without an answer), ``badbody`` (a
  truncated body of the service's own format), ``drip`` (the real answer one byte every
  ``delay`` seconds: headers too with ``headers=True``), ``bomb`` (``size`` zero bytes,
  gzip-compressed, as ``Content-Encoding: gzip``), ``huge`` (``size`` bytes, chunked, or with
  its Content-Length if ``declared``).
- ``latency`` delays every answer (a distant server).
"""

from __future__ import annotations

import gzip
import math
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

JSON_TYPE = "application/json;charset=utf-8"
XML_TYPE = "text/xml;charset=utf-8"


@dataclass
class Fault:
    kind: str  # "429", "503", "slow", "drop", "badbody", "drip", "bomb", "huge"
    times: int = 1  # how many matching requests it hits (-1: all)
    doi: str | None = None  # only requests naming this identifier (path or query)
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
class Answer:
    status: int
    body: bytes
    content_type: str = JSON_TYPE
    ids: list[str] = field(default_factory=list)  # identifiers the request names
    headers: dict[str, str] = field(default_factory=dict)
    trouble: Fault | None = None  # send it badly: "drip", "bomb" or "huge"


def too_many(retry_after: int) -> Answer:
    return Answer(
        429, b"Too many requests", "text/plain", headers={"Retry-After": str(retry_after)}
    )


class ReplayServer:
    """Subclasses set ``bad_body`` and implement ``answer``."""

    bad_body = b'{"status":"ok","message":{"DOI"'

    def __init__(
        self,
        *,
        rate_limit: int = 50,
        interval: float = 1.0,
        concurrency: int = 4,
        latency: float = 0.0,
    ) -> None:
        self.rate_limit = rate_limit
        self.interval = interval
        self.concurrency = concurrency
        self.latency = latency
        self.seen: list[Seen] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self._arrivals: deque[float] = deque()
        self._in_flight = 0
        self.most_in_flight = 0  # the most requests it served at once
        self._httpd: ThreadingHTTPServer | None = None

    # -- what a subclass provides ---------------------------------------------------------

    def answer(self, path: str, query: dict[str, list[str]]) -> Answer:
        raise NotImplementedError

    def limit_headers(self) -> dict[str, str]:
        return {}

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
            self.most_in_flight = 0

    def start(self) -> Any:
        handler = type("Handler", (_Handler,), {"replay": self})
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

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- behaviour -------------------------------------------------------------------------

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
            self.most_in_flight = max(self.most_in_flight, self._in_flight)
            return None

    def release(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def take_fault(self, ids: list[str]) -> Fault | None:
        wanted = {i.lower() for i in ids}
        with self._lock:
            for fault in self.faults:
                if fault.times == 0 or (fault.doi and fault.doi.lower() not in wanted):
                    continue
                if fault.times > 0:
                    fault.times -= 1
                return fault
        return None

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def respond(self, path: str, query: dict[str, list[str]]) -> Answer:
        """The answer, faults applied; runs while the request counts as in flight."""
        if self.latency:
            time.sleep(self.latency)
        answer = self.answer(path, query)
        fault = self.take_fault(answer.ids)
        if fault is None:
            return answer
        if fault.kind == "429":
            return too_many(fault.retry_after)
        if fault.kind == "503":
            return Answer(503, b"Service unavailable", "text/plain")
        if fault.kind == "drop":
            return Answer(0, b"")
        if fault.kind == "slow":
            time.sleep(fault.delay)
        if fault.kind == "badbody":
            return Answer(200, self.bad_body, answer.content_type)
        if fault.kind in ("drip", "bomb", "huge"):
            answer.trouble = fault
        return answer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    replay: ReplayServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:
        server = self.replay
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        seen = Seen(parts.path, query, -1, self.headers.get("User-Agent", ""))
        server.record(seen)  # on arrival: a request the client gave up on still counts
        wait = server.admit()
        if wait is not None:
            seen.status = 429
            self._send(too_many(wait))
            return
        try:
            answer = server.respond(parts.path, query)
        finally:
            server.release()
        seen.status = answer.status
        if answer.status == 0:  # a dropped connection
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if answer.trouble is not None:
            self._send_faulty(answer.trouble, answer)
            return
        self._send(answer)

    def _send_faulty(self, fault: Fault, answer: Answer) -> None:
        """A trickled answer, a gzip bomb or an endless-looking chunked one."""
        self.close_connection = True
        body, content_type = answer.body, answer.content_type
        try:
            if fault.kind == "drip":
                head = (
                    f"HTTP/1.1 {answer.status} OK\r\nContent-Type: {content_type}\r\n"
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

    def _send(self, answer: Answer) -> None:
        try:
            self.send_response(answer.status)
            for name, value in {**self.replay.limit_headers(), **answer.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            self.close_connection = True


_BOMBS: dict[int, bytes] = {}


def _gzip_zeros(size: int) -> bytes:
    """``size`` zero bytes gzip-compressed (about a thousandth of it), made once per size."""
    if size not in _BOMBS:
        _BOMBS[size] = gzip.compress(bytes(size), compresslevel=9)
    return _BOMBS[size]
