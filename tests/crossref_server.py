"""A local Crossref REST API on 127.0.0.1 replaying real recorded bodies (see replay_server.py).

- ``GET /works/{doi}``: the recorded body from ``works/<slug>.json``; an unknown DOI gets 404 and
  the plain text ``Resource not found.``, as Crossref answers.
- ``GET /works?filter=doi:A,doi:B&rows=N``: a real-shaped ``work-list`` with the known ones.
- Every answer carries ``x-rate-limit-limit``, ``x-rate-limit-interval`` and
  ``x-concurrency-limit``, and the server enforces them; faults as in replay_server.py.
- A test may replace a work's recorded body in ``works`` by any bytes (a wrong shape, another
  DOI): both the single answer and the lists then carry it.

Use the ``crossref_server`` pytest fixture (registered from tests/conftest.py), or
``CrossrefServer(...)`` as a context manager (bench/batch_add.py does).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from replay_server import JSON_TYPE, Answer, ReplayServer

FIXTURE_WORKS = Path(__file__).parent / "fixtures" / "crossref" / "works"
NOT_FOUND_BODY = b"Resource not found."


class CrossrefServer(ReplayServer):
    bad_body = b'{"status":"ok","message-type":"work","message":{"DOI"'

    def __init__(self, works_dir: Path = FIXTURE_WORKS, *, pool: str = "public", **limits: Any):
        super().__init__(**limits)
        self.pool = pool
        self.works: dict[str, bytes] = {}
        for path in sorted(works_dir.glob("*.json")):
            body = path.read_bytes()
            self.works[json.loads(body)["message"]["DOI"].lower()] = body
        self._messages: dict[str, Any] = {}

    def limit_headers(self) -> dict[str, str]:
        return {
            "x-api-pool": self.pool,
            "x-rate-limit-limit": str(self.rate_limit),
            "x-rate-limit-interval": f"{self.interval:g}s",
            "x-concurrency-limit": str(self.concurrency),
            "access-control-allow-origin": "*",
        }

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

    def answer(self, path: str, query: dict[str, list[str]]) -> Answer:
        if path.rstrip("/") == "/works":
            filters = ",".join(query.get("filter", [""])).split(",")
            dois = [unquote(f[4:]).lower() for f in filters if f.startswith("doi:")]
            if not dois:
                body = b'{"status":"failed","message-type":"validation-failure","message":[]}'
                return Answer(400, body)
            rows = int(query.get("rows", ["20"])[0])
            return Answer(200, self.work_list(dois, rows), ids=dois)
        if path.startswith("/works/"):
            doi = unquote(path[len("/works/") :]).lower()
            if doi in self.works:
                return Answer(200, self.works[doi], JSON_TYPE, [doi])
            return Answer(404, NOT_FOUND_BODY, "text/plain", [doi])
        return Answer(404, NOT_FOUND_BODY, "text/plain")


@pytest.fixture
def crossref_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[CrossrefServer]:
    """A replaying Crossref on 127.0.0.1; PHBREFS_CROSSREF_URL points at it for the test."""
    with CrossrefServer() as server:
        monkeypatch.setenv("PHBREFS_CROSSREF_URL", server.url)
        yield server
