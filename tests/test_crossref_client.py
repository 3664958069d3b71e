"""The Crossref client over real HTTP against the local replay server: batching, limits,
retries, faults, cache."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from phbrefs.errors import ExitCode, SourceError
from phbrefs.sources import Lookup
from phbrefs.sources.crossref_client import CrossrefClient
from phbrefs.sources.http import RateLimiter

SEED_LIKE = ["10.1093/annweh/wxz051", "10.7717/peerj.10734", "10.1371/journal.pgen.1011490"]


def client_for(server, **options) -> CrossrefClient:
    options = {"timeout": 2.0, "backoff": 0.01, **options}
    return CrossrefClient(server.url, **options)


def test_many_dois_resolve_in_few_list_requests(crossref_server):
    dois = sorted(crossref_server.works)
    with client_for(crossref_server) as client:
        results = client.resolve(dois)
    assert [r.identifier for r in results] == dois
    assert all(r.status is Lookup.FOUND for r in results)
    assert results[0].record.doi == dois[0]
    seen = crossref_server.requests_to()
    assert len(seen) == len(client._chunks(dois)) == 1
    assert seen[0].query["rows"] == [str(len(dois))]
    assert all(len(",".join(s.query["filter"])) < 8000 for s in seen)


def test_large_batches_are_chunked_under_the_url_limit(crossref_server):
    dois = sorted(crossref_server.works) + [f"10.5555/missing-{i:04d}" for i in range(5)]
    with client_for(crossref_server) as client:
        client.MAX_QUERY = 800  # a few DOIs per list, to see the chunking at test scale
        results = client.resolve(dois)
    lists = crossref_server.requests_to(lists=True)
    singles = crossref_server.requests_to(lists=False)
    assert len(lists) == len(client._chunks(dois)) >= 3
    assert all(len(",".join(s.query["filter"])) <= 800 for s in lists)
    # only the DOIs no list returned are asked one by one: the missing ones
    assert sorted(s.path for s in singles) == [f"/works/10.5555/missing-{i:04d}" for i in range(5)]
    assert [r.status for r in results] == [Lookup.FOUND] * len(crossref_server.works) + [
        Lookup.NOT_FOUND
    ] * 5


def test_a_thousand_dois_need_a_handful_of_list_requests():
    client = CrossrefClient("http://127.0.0.1:9")
    dois = [f"10.1111/hsc.{i:05d}" for i in range(1000)]
    chunks = client._chunks(dois)
    assert [d for chunk in chunks for d in chunk] == dois
    assert len(chunks) == 6
    assert all(len(",".join(f"doi:{d}" for d in chunk)) <= 4000 for chunk in chunks)


def test_unknown_doi_is_not_found_and_not_retried(crossref_server):
    with client_for(crossref_server) as client:
        [result] = client.resolve(["10.5555/no-such-work"])
    assert result.status is Lookup.NOT_FOUND
    assert [s.status for s in crossref_server.requests_to(lists=False)] == [404]


def test_a_doi_with_a_comma_is_fetched_alone(crossref_server):
    with client_for(crossref_server) as client:
        [result] = client.resolve(["10.5555/a,b"])
    assert result.status is Lookup.NOT_FOUND
    assert crossref_server.requests_to(lists=True) == []


def test_429_retry_after_is_honoured(crossref_server):
    crossref_server.inject("429", retry_after=1)
    started = time.monotonic()
    with client_for(crossref_server) as client:
        results = client.resolve(SEED_LIKE)
    assert time.monotonic() - started >= 0.95
    assert all(r.status is Lookup.FOUND for r in results)
    assert [s.status for s in crossref_server.requests_to()] == [429, 200]
    assert client.rate_limited == 1


def test_503_is_retried_then_succeeds(crossref_server):
    crossref_server.inject("503", times=2)
    with client_for(crossref_server) as client:
        results = client.resolve(SEED_LIKE)
    assert all(r.status is Lookup.FOUND for r in results)
    assert [s.status for s in crossref_server.requests_to()] == [503, 503, 200]


def test_a_persistent_5xx_fails_the_item_with_the_status(crossref_server):
    crossref_server.inject("503", times=-1, doi=SEED_LIKE[1])
    with client_for(crossref_server, attempts=2) as client:
        results = client.resolve(SEED_LIKE)
    assert [r.status for r in results] == [Lookup.FOUND, Lookup.FAILED, Lookup.FOUND]
    assert "503" in results[1].detail


def test_a_timeout_is_retried_then_reported_as_failed(crossref_server):
    crossref_server.inject("slow", delay=1.0, times=-1, doi=SEED_LIKE[0])
    with client_for(crossref_server, timeout=0.3, attempts=2) as client:
        results = client.resolve(SEED_LIKE)
    assert results[0].status is Lookup.FAILED
    assert "no answer within 0.3s" in results[0].detail
    assert [r.status for r in results[1:]] == [Lookup.FOUND, Lookup.FOUND]
    # the list timed out twice, then the slow DOI alone twice
    assert len([s for s in crossref_server.requests_to() if SEED_LIKE[0] in str(s)]) == 4


def test_a_timeout_once_is_retried_and_succeeds(crossref_server):
    crossref_server.inject("slow", delay=1.0)
    with client_for(crossref_server, timeout=0.3) as client:
        results = client.resolve(SEED_LIKE)
    assert all(r.status is Lookup.FOUND for r in results)


def test_a_dropped_connection_is_retried(crossref_server):
    crossref_server.inject("drop")
    with client_for(crossref_server) as client:
        results = client.resolve(SEED_LIKE)
    assert all(r.status is Lookup.FOUND for r in results)
    assert [s.status for s in crossref_server.requests_to()] == [0, 200]


def test_a_connection_that_always_drops_fails_the_item(crossref_server):
    crossref_server.inject("drop", times=-1, doi=SEED_LIKE[2])
    with client_for(crossref_server, attempts=2) as client:
        results = client.resolve(SEED_LIKE)
    assert results[2].status is Lookup.FAILED
    assert "connection dropped" in results[2].detail
    assert [r.status for r in results[:2]] == [Lookup.FOUND, Lookup.FOUND]


def test_invalid_json_fails_only_that_item_with_the_reason(crossref_server):
    crossref_server.inject("badbody", times=-1, doi=SEED_LIKE[1])
    with client_for(crossref_server) as client:
        results = client.resolve(SEED_LIKE)
    assert [r.status for r in results] == [Lookup.FOUND, Lookup.FAILED, Lookup.FOUND]
    assert results[1].detail.startswith("invalid JSON from Crossref")


def test_an_unreachable_server_raises_a_network_error_naming_the_url():
    client = CrossrefClient("http://127.0.0.1:9", timeout=1.0, backoff=0.01)
    with pytest.raises(SourceError) as raised:
        client.resolve(SEED_LIKE)
    assert "http://127.0.0.1:9" in str(raised.value)
    assert raised.value.exit_code is ExitCode.NETWORK


def test_public_pool_limits_are_read_and_never_exceeded(crossref_server):
    crossref_server.rate_limit, crossref_server.concurrency = 5, 1
    crossref_server.latency = 0.02
    dois = [f"10.5555/missing-{i}" for i in range(12)]  # 1 list + 12 single requests
    with client_for(crossref_server, mailto="me@example.org") as client:
        started = time.monotonic()
        client.resolve(dois)
        elapsed = time.monotonic() - started
    assert crossref_server.count_429 == 0
    assert (client.limiter.limit, client.limiter.concurrency) == (5, 1)
    assert elapsed >= 12 / 5 * 0.9  # 13 requests at 5 per second


def test_polite_pool_concurrency_is_used(crossref_server):
    crossref_server.rate_limit, crossref_server.concurrency = 50, 3
    crossref_server.latency = 0.2
    dois = [f"10.5555/missing-{i}" for i in range(9)]
    with client_for(crossref_server, mailto="me@example.org") as client:
        client.resolve(dois)
    assert crossref_server.count_429 == 0
    assert crossref_server.most_in_flight > 1  # several at a time (up to 3), not one by one
    seen = crossref_server.requests_to()
    assert all("mailto:me@example.org" in s.user_agent for s in seen)
    assert all(s.query.get("mailto") == ["me@example.org"] for s in seen)


def _starts(limiter: RateLimiter, count: int) -> list[float]:
    starts = []
    for _ in range(count):
        with limiter.slot():
            starts.append(time.monotonic())
    return starts


def test_the_limiter_lets_a_burst_under_the_limit_go_at_once_and_keeps_every_window_within_it():
    limiter = RateLimiter(limit=3, interval=0.4, concurrency=2)
    starts = _starts(limiter, 7)
    assert starts[2] - starts[0] < 0.1  # three in the window: none waits for the others
    # any three starts on, a whole window has passed (its margin included; 10 ms: the test
    # reads the clock just after the limiter does)
    window = 0.4 * RateLimiter.MARGIN - 0.01
    assert all(b - a >= window for a, b in zip(starts, starts[3:], strict=False))
    assert starts[3] - starts[2] >= 0.3  # the fourth waits for the first to leave the window


def test_a_tighter_limit_from_the_headers_counts_the_starts_already_made():
    limiter = RateLimiter(limit=10, interval=0.4, concurrency=2)
    before = _starts(limiter, 2)
    limiter.update(
        {"x-rate-limit-limit": "2", "x-rate-limit-interval": "0.4s", "x-concurrency-limit": "1"}
    )
    assert (limiter.limit, limiter.interval, limiter.concurrency) == (2, 0.4, 1)
    after = _starts(limiter, 1)
    assert after[0] - before[0] >= 0.4 * RateLimiter.MARGIN - 0.01


def test_a_second_run_is_answered_from_the_cache(crossref_server, tmp_path: Path):
    cache = tmp_path / "cache" / "http.sqlite"
    with client_for(crossref_server, cache=cache) as client:
        first = client.resolve(SEED_LIKE)
    made = len(crossref_server.requests_to())
    with client_for(crossref_server, cache=cache) as client:
        second = client.resolve(SEED_LIKE)
    assert len(crossref_server.requests_to()) == made  # nothing new reached the server
    assert client.requests_made == 0
    assert [r.record for r in second] == [r.record for r in first]
    with client_for(crossref_server, cache=cache, refresh=True) as client:
        client.resolve(SEED_LIKE)
    assert len(crossref_server.requests_to()) == made + 1  # --refresh goes back to Crossref


def test_404s_and_broken_answers_are_not_cached(crossref_server, tmp_path: Path):
    cache = tmp_path / "http.sqlite"
    crossref_server.inject("badbody", times=2, doi=SEED_LIKE[0])
    with client_for(crossref_server, cache=cache) as client:
        assert client.resolve(["10.5555/missing", SEED_LIKE[0]])[1].status is Lookup.FAILED
    before = len(crossref_server.requests_to())
    with client_for(crossref_server, cache=cache) as client:
        results = client.resolve(["10.5555/missing", SEED_LIKE[0]])
    assert [r.status for r in results] == [Lookup.NOT_FOUND, Lookup.FOUND]
    assert len(crossref_server.requests_to()) > before


def test_a_list_answer_of_the_wrong_shape_has_each_doi_asked_alone(crossref_server, monkeypatch):
    # the list's ``items`` an object: the whole answer is refused, then every DOI is asked alone
    body = b'{"status":"ok","message-type":"work-list","message":{"items":{"DOI":"x"}}}'
    monkeypatch.setattr(crossref_server, "work_list", lambda dois, rows: body)
    with client_for(crossref_server) as client:
        results = client.resolve(SEED_LIKE)
    assert [r.status for r in results] == [Lookup.FOUND] * 3
    assert [r.record.doi for r in results] == SEED_LIKE
    assert len(crossref_server.requests_to(lists=True)) == 1
    assert sorted(s.path for s in crossref_server.requests_to(lists=False)) == sorted(
        f"/works/{doi}" for doi in SEED_LIKE
    )
