"""Bounded HTTP for remote sources: a wall-clock deadline on every request and a cap on its body.

``requests`` only offers a per-read timeout, which a server sending one byte per second never
trips, and reads a body of any size (a gzip bomb decompresses in memory). Neither it nor urllib3
has a total deadline, hence this small transport of our own:

- ``BoundedAdapter.send`` arms a timer for ``deadline`` seconds; the connections it opens register
  their socket with it, and when it fires the socket is shut down, which ends any read at once.
- The body is read here, in the adapter, in small decoded pieces (urllib3 2.6 and later bound
  each decompression step to the bytes asked for), counting both the bytes on the wire and
  the decoded bytes; past ``max_body`` the answer is refused. The body is then handed to
  ``requests`` as already read, so the cache and ``response.json()`` see exactly these bytes.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from http.client import RemoteDisconnected
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import DecodeError, HTTPError, ReadTimeoutError

MAX_BODY = 32 * 1024 * 1024  # bytes, on the wire and decoded: a 200-work list is a few MB
CHUNK = 64 * 1024

_current = threading.local()  # the deadline of the request this thread is sending


class _QuietOnceCut(logging.Filter):
    """urllib3 logs a warning with a traceback when headers end early: after our own deadline
    cut them that is expected, and the user gets the one-line reason instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        deadline = getattr(_current, "deadline", None)
        return not (deadline is not None and deadline.expired)


logging.getLogger("urllib3.connection").addFilter(_QuietOnceCut())


class AnswerTooLarge(requests.RequestException):
    """The body is over the cap (said by Content-Length, or found while reading)."""


class AnswerTooSlow(requests.Timeout):
    """The deadline passed while the body was still arriving (a trickling server)."""


class Deadline:
    """A timer that shuts down every socket registered with it when it fires."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


class _Watched:
    """Connections that register their socket with the deadline of the request using them."""

    sock: socket.socket | None

    def request(self, *args: Any, **kwargs: Any) -> None:
        super().request(*args, **kwargs)  # type: ignore[misc]  # connects if needed
        deadline = getattr(_current, "deadline", None)
        if deadline is not None:
            deadline.watch(self.sock)


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class BoundedAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose every answer arrives whole within ``deadline`` seconds and
    weighs at most ``max_body`` bytes, or raises ``AnswerTooSlow`` / ``AnswerTooLarge``
    (a deadline passing before any byte of the answer arrived is a plain
    ``requests.ReadTimeout``, retried like any timeout of a silent server)."""

    def __init__(self, deadline: float, max_body: int = MAX_BODY, **options: Any) -> None:
        self.deadline = deadline
        self.max_body = max_body
        super().__init__(**options)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
        """Through a proxy (``HTTPS_PROXY``) too, connections report to the deadline."""
        manager = super().proxy_manager_for(*args, **kwargs)
        manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager

    def send(self, request: Any, *args: Any, **kwargs: Any) -> requests.Response:
        with Deadline(self.deadline) as deadline:
            _current.deadline = deadline
            try:
                try:
                    response = super().send(request, *args, **kwargs)
                except requests.ConnectionError as error:
                    if not deadline.expired:
                        raise
                    if _nothing_arrived(error):  # a silent server: a timeout, worth a retry
                        raise requests.ReadTimeout(
                            f"no answer within {deadline.seconds:g}s", request=request
                        ) from error
                    raise _too_slow(deadline) from error
                if deadline.expired:  # cut short inside the headers, which then look complete
                    response.close()
                    raise _too_slow(deadline)
                self._read_body(response, deadline)
            finally:
                _current.deadline = None
        return response

    def _read_body(self, response: requests.Response, deadline: Deadline) -> None:
        limit = self.max_body
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            response.close()
            size = int(declared)
            raise AnswerTooLarge(f"answer of {size:,} bytes is over the {limit:,}-byte cap")
        pieces: list[bytes] = []
        size = 0
        try:
            for piece in response.raw.stream(CHUNK, decode_content=True):
                size += len(piece)
                if size > limit or response.raw.tell() > limit:
                    raise AnswerTooLarge(f"answer is over the {limit:,}-byte cap")
                pieces.append(piece)
        except AnswerTooLarge:
            response.close()
            raise
        except (HTTPError, OSError) as error:  # what a read gives once the socket is shut down
            response.close()
            if deadline.expired:
                raise _too_slow(deadline) from error
            if isinstance(error, ReadTimeoutError):
                raise requests.ReadTimeout(error, request=response.request) from error
            if isinstance(error, DecodeError):
                raise requests.ContentDecodingError(error, request=response.request) from error
            raise requests.ConnectionError(error, request=response.request) from error
        if deadline.expired:  # an answer without a length looks complete when cut short
            response.close()
            raise _too_slow(deadline)
        response._content = b"".join(pieces)  # requests' own slot for a body already read
        response._content_consumed = True
        response.raw.release_conn()


def _too_slow(deadline: Deadline) -> AnswerTooSlow:
    return AnswerTooSlow(f"answer not complete within {deadline.seconds:g}s")


def _nothing_arrived(error: BaseException) -> bool:
    """Whether the connection ended before the first byte of the status line (http.client's
    ``RemoteDisconnected``), somewhere in the chain of wrapped errors."""
    waiting: list[object] = [error]
    seen: set[int] = set()
    while waiting:
        item = waiting.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, RemoteDisconnected):
            return True
        if isinstance(item, BaseException):
            waiting.extend([*item.args, item.__cause__, item.__context__])
    return False
