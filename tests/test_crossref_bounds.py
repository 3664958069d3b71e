"""Every request ends within PHBREFS_TIMEOUT and under a size cap: a trickling server, a gzip
bomb and an endless chunked answer each fail their items, quickly, over real HTTP."""

from __future__ import annotations

import json
import time

import pytest

from phbrefs.errors import ExitCode
from phbrefs.sources import Lookup
from phbrefs.sources.crossref_client import CrossrefClient

ANNWEH = "10.1093/annweh/wxz051"
PEERJ = "10.7717/peerj.10734"


def client_for(server, **options) -> CrossrefClient:
    return CrossrefClient(server.url, **{"timeout": 1.0, "backoff": 0.01, **options})


def test_a_server_trickling_its_body_is_cut_off_at_the_deadline(crossref_server):
    crossref_server.inject("drip", delay=0.05, times=-1)  # 20 bytes a second, never idle
    started = time.monotonic()
    with client_for(crossref_server) as client:
        results = client.resolve([ANNWEH, PEERJ])
    elapsed = time.monotonic() - started
    assert [r.status for r in results] == [Lookup.FAILED, Lookup.FAILED]
    assert all("answer not complete within 1s" in r.detail for r in results)
    # the list is not retried, nor asked again DOI by DOI: that would only trickle again
    assert len(crossref_server.requests_to()) == 1
    assert elapsed < 10  # the body would trickle for minutes; the margin is for a loaded machine


def test_a_server_trickling_its_headers_is_cut_off_at_the_deadline(crossref_server):
    crossref_server.inject("drip", delay=0.05, headers=True, times=-1)
    started = time.monotonic()
    with client_for(crossref_server) as client:
        [result] = client.resolve([ANNWEH])
    assert result.status is Lookup.FAILED
    assert "answer not complete within 1s" in result.detail
    assert len(crossref_server.requests_to()) == 1
    assert time.monotonic() - started < 10


def test_a_gzip_bomb_is_refused_without_being_inflated(crossref_server):
    crossref_server.inject("bomb", size=256 * 1024 * 1024, times=-1)
    with client_for(crossref_server, timeout=10.0) as client:
        results = client.resolve([ANNWEH, PEERJ])
    assert all(r.status is Lookup.FAILED for r in results)
    assert all("over the 33,554,432-byte cap" in r.detail for r in results)
    assert len(crossref_server.requests_to()) == 1


def test_an_endless_chunked_answer_is_cut_at_the_cap(crossref_server):
    crossref_server.inject("huge", size=8 * 1024 * 1024, times=-1)
    with client_for(crossref_server, max_body=1024 * 1024) as client:
        [result] = client.resolve([ANNWEH])
    assert result.status is Lookup.FAILED
    assert "over the 1,048,576-byte cap" in result.detail


def test_a_declared_length_over_the_cap_is_refused_before_reading(crossref_server):
    crossref_server.inject("huge", size=64 * 1024 * 1024, declared=True, times=-1)
    with client_for(crossref_server) as client:
        [result] = client.resolve([ANNWEH])
    assert result.status is Lookup.FAILED
    assert "answer of 67,108,864 bytes is over the 33,554,432-byte cap" in result.detail


def test_answers_under_the_cap_and_in_time_still_resolve(crossref_server):
    crossref_server.inject("drip", delay=0.0005, times=1, doi=ANNWEH)  # slow but in time
    with client_for(crossref_server, timeout=5.0) as client:
        results = client.resolve([ANNWEH, PEERJ])
    assert [r.status for r in results] == [Lookup.FOUND, Lookup.FOUND]


@pytest.mark.parametrize("headers", [False, True], ids=["body", "headers too"])
def test_add_against_a_trickling_server_ends_within_the_timeout(
    cli, crossref_server, monkeypatch, tmp_path, headers
):
    monkeypatch.setenv("PHBREFS_TIMEOUT", "2")
    crossref_server.inject("drip", delay=1.0, headers=headers, times=-1)  # one byte a second
    started = time.monotonic()
    result = cli("add", ANNWEH, PEERJ, "--json")
    elapsed = time.monotonic() - started
    assert result.exit_code == ExitCode.PARTIAL
    items = json.loads(result.stdout)
    assert [i["outcome"] for i in items] == ["failed", "failed"]
    assert "answer not complete within 2s" in items[0]["detail"]
    assert elapsed < 15  # one byte a second would take thousands; margin for a loaded machine
    assert not (tmp_path / "library.db").exists()
    assert "Traceback" not in result.stderr


def test_add_against_a_gzip_bomb_fails_the_items_and_stores_nothing(cli, crossref_server, tmp_path):
    crossref_server.inject("bomb", size=256 * 1024 * 1024, times=-1)
    result = cli("add", ANNWEH)
    assert result.exit_code == ExitCode.PARTIAL
    assert "over the 33,554,432-byte cap" in result.stderr
    assert not (tmp_path / "library.db").exists()


def test_the_deadline_holds_through_a_proxy(crossref_server, monkeypatch):
    # The replay server answers absolute-URL requests too, so it can stand in as the proxy.
    monkeypatch.setenv("HTTP_PROXY", crossref_server.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    crossref_server.inject("drip", delay=0.05, times=-1)
    started = time.monotonic()
    with client_for(crossref_server) as client:
        client.url = "http://crossref.invalid"  # only the proxy can answer for this host
        [result] = client.resolve([ANNWEH])
    assert result.status is Lookup.FAILED
    assert "answer not complete within 1s" in result.detail
    assert time.monotonic() - started < 10  # cut off, not left to trickle to its end
