"""Europe PMC, PubMed, OpenAlex and Unpaywall clients over real HTTP against local replay servers
of their real recorded answers: what each maps, batching, etiquette, and every fault."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from source_servers import SERVERS

from phbrefs.errors import ExitCode, SourceError
from phbrefs.sources.base import Lookup, WorkIds
from phbrefs.sources.europepmc import EuropePMCClient
from phbrefs.sources.openalex import OpenAlexClient, rebuild_abstract
from phbrefs.sources.pubmed import PubMedClient
from phbrefs.sources.unpaywall import UnpaywallClient

MAILTO = "reviewer@example.org"
CLIENTS = {
    "europepmc": EuropePMCClient,
    "pubmed": PubMedClient,
    "openalex": OpenAlexClient,
    "unpaywall": UnpaywallClient,
}
# a recorded work each source knows, and one it does not
KNOWN = {
    "europepmc": WorkIds(doi="10.1111/bjhp.12807"),
    "pubmed": WorkIds(pmid="35830032"),
    "openalex": WorkIds(doi="10.7717/peerj.4375"),
    "unpaywall": WorkIds(doi="10.1038/nature12373"),
}
UNKNOWN = WorkIds(doi="10.5555/no-such-work", pmid="1")


def client(name: str, server, **options):
    options = {"timeout": 2.0, "backoff": 0.01, "mailto": MAILTO, **options}
    return CLIENTS[name](server.url, **options)


@pytest.fixture(params=sorted(SERVERS))
def source(request):
    with SERVERS[request.param]() as server:
        yield request.param, server


# -- what each source gives ------------------------------------------------------------------


def test_europepmc_batches_doi_pmid_and_pmcid_in_one_core_search(europepmc_server):
    asked = [
        WorkIds(doi="10.1111/bjhp.12807"),
        WorkIds(pmid="40437959"),
        WorkIds(pmcid="PMC12069736"),
        UNKNOWN,
    ]
    with client("europepmc", europepmc_server) as epmc:
        results = epmc.lookup(asked)
    [seen] = europepmc_server.requests_to()
    assert seen.query["resultType"] == ["core"] and seen.query["email"] == [MAILTO]
    assert [r.status for r in results] == [Lookup.FOUND] * 3 + [Lookup.NOT_FOUND]
    first = results[0].found
    assert first.identifier == "PMID 40468710" and first.pmid == "40468710"
    assert [s.heading for s in first.abstract_sections][:2] == ["Objective", "Design"]
    assert first.abstract.startswith("Objective: This study investigated")
    assert "Psychological Flexibility" in first.keywords and "Neoplasms" in first.mesh
    assert first.is_oa is False and first.oa_locations == []
    second = results[1].found
    assert (second.doi, second.pmcid, second.is_oa) == ("10.1002/hpja.70059", "PMC12120539", True)
    [pmc] = second.oa_locations
    assert pmc.url == "https://europepmc.org/articles/PMC12120539"
    assert pmc.pdf_url.endswith("?pdf=render") and pmc.license == "cc by-nc-nd"
    assert results[2].found.record.title  # a whole record, to add a work Crossref lacks


def test_pubmed_keeps_structured_sections_and_finds_dois_through_esearch(pubmed_server):
    asked = [WorkIds(doi="10.1590/S0004-2803.202202000-40"), WorkIds(pmid="27797938"), UNKNOWN]
    with client("pubmed", pubmed_server) as pubmed:
        results = pubmed.lookup(asked)
    paths = [s.path for s in pubmed_server.requests_to()]
    assert paths == ["/esearch.fcgi", "/efetch.fcgi"]  # one search, then one batched fetch
    fetch = pubmed_server.requests_to()[1]
    assert fetch.query["id"] == ["27797938,1,35830032"]
    assert fetch.query["tool"] == ["phbrefs"] and fetch.query["email"] == [MAILTO]
    assert [r.status for r in results] == [Lookup.FOUND, Lookup.FOUND, Lookup.NOT_FOUND]
    ppi = results[0].found
    assert ppi.pmid == "35830032" and ppi.identifier == "PMID 35830032"
    assert [s.heading for s in ppi.abstract_sections] == [
        "BACKGROUND",
        "OBJECTIVE",
        "METHODS",
        "RESULTS",
        "CONCLUSION",
    ]
    assert ppi.abstract.startswith("BACKGROUND: Proton pump inhibitors")
    assert "Dementia" in ppi.mesh
    assert results[1].found.abstract_sections  # inline HTML inside the sections read as text


def test_pubmed_without_an_abstract_gives_none(pubmed_server):
    with client("pubmed", pubmed_server) as pubmed:
        [result] = pubmed.lookup([WorkIds(pmid="11618220")])
    assert result.status is Lookup.FOUND and result.found.abstract is None


def test_ncbi_limits_three_per_second_or_ten_with_a_key(pubmed_server):
    assert client("pubmed", pubmed_server).limiter.limit == 3
    keyed = client("pubmed", pubmed_server, api_key="k3y")
    assert (keyed.limiter.limit, keyed.limiter.concurrency) == (10, 3)
    keyed.lookup([WorkIds(pmid="35830032")])
    assert pubmed_server.requests_to()[0].query["api_key"] == ["k3y"]


def test_ncbi_rate_is_never_exceeded(pubmed_server):
    pubmed_server.rate_limit, pubmed_server.concurrency = 3, 1
    with client("pubmed", pubmed_server) as pubmed:
        pubmed.BATCH = 1
        started = time.monotonic()
        pubmed.lookup([WorkIds(pmid=p) for p in ("35830032", "27797938", "11618220", "9997")])
        elapsed = time.monotonic() - started
    assert pubmed_server.count_429 == 0
    assert elapsed >= 3 / 3 * 0.95  # four requests at three per second


def test_openalex_batches_dois_and_rebuilds_the_abstract(openalex_server):
    with client("openalex", openalex_server, api_key="oa-key") as openalex:
        results = openalex.lookup([WorkIds(doi="10.7717/peerj.4375"), UNKNOWN])
    [seen] = openalex_server.requests_to()
    assert seen.query["filter"] == ["doi:10.7717/peerj.4375|10.5555/no-such-work"]
    assert seen.query["api_key"] == ["oa-key"]
    assert [r.status for r in results] == [Lookup.FOUND, Lookup.NOT_FOUND]
    work = results[0].found
    assert work.identifier == "W2741809807"
    assert (work.pmid, work.pmcid, work.is_retracted, work.oa_status) == (
        "29456894",
        "PMC5815332",
        False,
        "gold",
    )
    assert work.abstract.startswith("Despite growing interest in Open Access (OA)")
    best = work.oa_locations[0]
    assert best.is_best and best.pdf_url == "https://peerj.com/articles/4375.pdf"


def test_rebuild_abstract_orders_words_by_position():
    assert rebuild_abstract({"b": [1, 3], "a": [0], "c": [2]}) == "a b c b"
    assert rebuild_abstract(None) is None


def test_unpaywall_lists_every_location_with_the_best_marked(unpaywall_server):
    with client("unpaywall", unpaywall_server) as unpaywall:
        results = unpaywall.lookup([WorkIds(doi="10.1038/nature12373"), UNKNOWN])
    assert [r.status for r in results] == [Lookup.FOUND, Lookup.NOT_FOUND]
    found = results[0].found
    assert found.oa_status == "green" and len(found.oa_locations) == 4
    best = [loc for loc in found.oa_locations if loc.is_best]
    assert [(b.host_type, b.version) for b in best] == [("repository", "publishedVersion")]
    assert unpaywall_server.requests_to()[0].query["email"] == [MAILTO]


def test_unpaywall_without_an_email_is_a_source_error(unpaywall_server):
    with pytest.raises(SourceError, match="needs an e-mail"):
        client("unpaywall", unpaywall_server, mailto=None).lookup([KNOWN["unpaywall"]])
    assert unpaywall_server.requests_to() == []


# -- faults, the same for every source ------------------------------------------------------


def test_each_source_answers_found_and_not_found(source):
    name, server = source
    with client(name, server) as c:
        results = c.lookup([KNOWN[name], UNKNOWN])
    assert [r.status for r in results] == [Lookup.FOUND, Lookup.NOT_FOUND]


def test_429_retry_after_is_honoured(source):
    name, server = source
    server.inject("429", retry_after=1)
    started = time.monotonic()
    with client(name, server) as c:
        [result] = c.lookup([KNOWN[name]])
    assert time.monotonic() - started >= 0.95
    assert result.status is Lookup.FOUND
    assert [s.status for s in server.requests_to()][:2] == [429, 200]
    assert c.rate_limited == 1


def test_5xx_is_retried_then_succeeds(source):
    name, server = source
    server.inject("503", times=2)
    with client(name, server) as c:
        [result] = c.lookup([KNOWN[name]])
    assert result.status is Lookup.FOUND
    assert [s.status for s in server.requests_to()][:3] == [503, 503, 200]


def test_a_persistent_5xx_fails_the_item_with_the_status(source):
    name, server = source
    server.inject("503", times=-1)
    with client(name, server, attempts=2) as c:
        [result] = c.lookup([KNOWN[name]])
    assert result.status is Lookup.FAILED and "503" in result.detail


def test_a_timeout_is_retried_then_reported(source):
    name, server = source
    server.inject("slow", delay=1.0, times=-1)
    with client(name, server, timeout=0.3, attempts=2) as c:
        [result] = c.lookup([KNOWN[name]])
    assert result.status is Lookup.FAILED and "no answer within 0.3s" in result.detail


def test_a_dropped_connection_is_retried(source):
    name, server = source
    server.inject("drop")
    with client(name, server) as c:
        [result] = c.lookup([KNOWN[name]])
    assert result.status is Lookup.FOUND
    assert [s.status for s in server.requests_to()][:2] == [0, 200]


def test_a_bad_body_fails_the_item_and_is_not_cached(source, tmp_path: Path):
    name, server = source
    server.inject("badbody", times=-1)
    cache = tmp_path / "http.sqlite"
    with client(name, server, cache=cache) as c:
        [result] = c.lookup([KNOWN[name]])
    assert result.status is Lookup.FAILED and "invalid" in result.detail
    server.reset()
    with client(name, server, cache=cache) as c:
        [result] = c.lookup([KNOWN[name]])
    assert result.status is Lookup.FOUND
    made = len(server.requests_to())
    with client(name, server, cache=cache) as c:  # now answered from the cache
        [again] = c.lookup([KNOWN[name]])
    assert again.found == result.found and len(server.requests_to()) == made


def test_an_unreachable_source_raises_a_network_error_naming_it(source):
    name, _server = source
    unreachable = CLIENTS[name]("http://127.0.0.1:9", timeout=1.0, backoff=0.01, mailto=MAILTO)
    with pytest.raises(SourceError) as raised:
        unreachable.lookup([KNOWN[name]])
    assert "http://127.0.0.1:9" in str(raised.value) and unreachable.label in str(raised.value)
    assert raised.value.exit_code is ExitCode.NETWORK
