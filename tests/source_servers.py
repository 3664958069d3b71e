"""Local Europe PMC, PubMed, OpenAlex and Unpaywall on 127.0.0.1 replaying real recorded bodies.

Built on ``replay_server.ReplayServer`` (limits, faults). What each answers:

- Europe PMC ``/search?query=DOI:"a" OR (EXT_ID:1 AND SRC:MED) OR PMCID:PMC2&resultType=core``:
  the recorded core hits that match, in the recorded response's envelope (``hitCount``,
  ``resultList``); no match: the recorded zero-hit response.
- PubMed ``/efetch.fcgi?db=pubmed&id=1,2``: one recorded file verbatim when it holds exactly
  the PMIDs asked, else the recorded ``PubmedArticle`` elements in a ``PubmedArticleSet``;
  ``/esearch.fcgi?term="a"[doi] OR …``: an ``eSearchResult`` of the recorded articles with those
  DOIs, in the recorded shape (zero hits as the recorded zero-hit answer).
- OpenAlex ``/works?filter=doi:a|b``: the recorded works with those DOIs in a list envelope.
- Unpaywall ``/v2/{doi}``: the recorded body; unknown DOI: 404 with Unpaywall's JSON error.

Envelopes around recorded items are built here, like Crossref's work lists; every item is real.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from replay_server import XML_TYPE, Answer, ReplayServer

FIXTURES = Path(__file__).parent / "fixtures"


class EuropePMCServer(ReplayServer):
    def __init__(self, **limits: float) -> None:
        super().__init__(**limits)
        core = json.loads((FIXTURES / "europepmc" / "search_cancer_core.json").read_text())
        self.envelope = {k: v for k, v in core.items() if k != "resultList"}
        self.results: list[dict] = core["resultList"]["result"]
        self.empty = (FIXTURES / "europepmc" / "search_no_results.json").read_bytes()

    def answer(self, path: str, query: dict[str, list[str]]) -> Answer:
        if path.rstrip("/") != "/search":
            return Answer(404, b'{"errCode":404,"errMsg":"Not found"}')
        text = query.get("query", [""])[0]
        dois = {d.lower() for d in re.findall(r'DOI:"([^"]+)"', text)}
        pmids = set(re.findall(r"EXT_ID:(\d+)", text))
        pmcids = {p.upper() for p in re.findall(r"PMCID:(PMC\d+)", text, re.I)}
        hits = [
            r
            for r in self.results
            if (r.get("doi") or "").lower() in dois
            or r.get("pmid") in pmids
            or (r.get("pmcid") or "").upper() in pmcids
        ]
        ids = [*dois, *pmids, *pmcids]
        if not hits:
            return Answer(200, self.empty, ids=ids)
        body = {**self.envelope, "hitCount": len(hits), "resultList": {"result": hits}}
        return Answer(200, json.dumps(body).encode(), ids=ids)


class PubMedServer(ReplayServer):
    bad_body = b'<?xml version="1.0" ?>\n<PubmedArticleSet>\n<PubmedArticle><MedlineCitation'

    def __init__(self, **limits: float) -> None:
        super().__init__(**limits)
        self.files: dict[tuple[str, ...], bytes] = {}
        self.articles: dict[str, bytes] = {}
        self.dois: dict[str, str] = {}
        for path in sorted((FIXTURES / "pubmed").glob("*.xml")):
            body = path.read_bytes()
            if b"<PubmedArticleSet" not in body:
                continue
            pmids = []
            for match in re.finditer(rb"<PubmedArticle>.*?</PubmedArticle>", body, re.S):
                node = ET.fromstring(match.group())
                pmid = node.findtext("MedlineCitation/PMID") or ""
                pmids.append(pmid)
                self.articles[pmid] = match.group()
                for item in node.findall("PubmedData/ArticleIdList/ArticleId"):
                    if item.get("IdType") == "doi" and item.text:
                        self.dois[item.text.strip().lower()] = pmid
            self.files[tuple(sorted(pmids))] = body
        search = FIXTURES / "pubmed"
        self.search_shape = (search / "biopython_esearch1.xml").read_text()
        self.no_hits = (search / "biopython_esearch8.xml").read_bytes()

    def answer(self, path: str, query: dict[str, list[str]]) -> Answer:
        if path.endswith("/efetch.fcgi"):
            pmids = [p for p in ",".join(query.get("id", [""])).split(",") if p]
            exact = self.files.get(tuple(sorted(pmids)))
            if exact is not None:
                return Answer(200, exact, XML_TYPE, pmids)
            found = b"\n".join(self.articles[p] for p in pmids if p in self.articles)
            body = b'<?xml version="1.0" ?>\n<PubmedArticleSet>\n' + found + b"</PubmedArticleSet>"
            return Answer(200, body, XML_TYPE, pmids)
        if path.endswith("/esearch.fcgi"):
            term = query.get("term", [""])[0]
            dois = [d.lower() for d in re.findall(r'"([^"]+)"\[doi\]', term)]
            pmids = [self.dois[d] for d in dois if d in self.dois]
            if not pmids:
                return Answer(200, self.no_hits, XML_TYPE, dois)
            id_list = "".join(f"<Id>{p}</Id>\n" for p in pmids)
            body = re.sub(
                r"<IdList>.*</IdList>",
                f"<IdList>\n{id_list}</IdList>",
                self.search_shape,
                flags=re.S,
            )
            body = re.sub(
                r"<Count>\d+</Count><RetMax>\d+</RetMax>",
                f"<Count>{len(pmids)}</Count><RetMax>{len(pmids)}</RetMax>",
                body,
            )
            return Answer(200, body.encode(), XML_TYPE, dois)
        return Answer(404, b"Not found", "text/plain")


class OpenAlexServer(ReplayServer):
    def __init__(self, **limits: float) -> None:
        super().__init__(**limits)
        work = json.loads((FIXTURES / "openalex" / "work_W2741809807.json").read_text())
        self.works: dict[str, dict] = {work["doi"].removeprefix("https://doi.org/").lower(): work}

    def answer(self, path: str, query: dict[str, list[str]]) -> Answer:
        if path.rstrip("/") != "/works":
            return Answer(404, b'{"error":"Not found"}')
        text = query.get("filter", [""])[0]
        if not text.startswith("doi:"):
            return Answer(403, b'{"error":"Invalid query parameters error."}')
        dois = [unquote(d).lower().removeprefix("https://doi.org/") for d in text[4:].split("|")]
        results = [self.works[d] for d in dois if d in self.works]
        per_page = int(query.get("per-page", ["25"])[0])
        meta = {"count": len(results), "db_response_time_ms": 12, "page": 1, "per_page": per_page}
        body = {"meta": {**meta, "groups_count": None}, "results": results, "group_by": []}
        return Answer(200, json.dumps(body).encode(), ids=dois)


class UnpaywallServer(ReplayServer):
    def __init__(self, **limits: float) -> None:
        super().__init__(**limits)
        self.works: dict[str, bytes] = {}
        for path in sorted((FIXTURES / "unpaywall").glob("v2_*.json")):
            if re.search(r"_[0-9a-f]{7}\.json$", path.name):  # an older capture of the same DOI
                continue
            body = path.read_bytes()
            self.works[json.loads(body)["doi"].lower()] = body

    def answer(self, path: str, query: dict[str, list[str]]) -> Answer:
        if not path.startswith("/v2/"):
            return Answer(404, b'{"error":true,"message":"Not found"}')
        doi = unquote(path[len("/v2/") :]).lower()
        if not query.get("email"):
            body = b'{"HTTP_status_code":422,"error":true,"message":"You must provide an email"}'
            return Answer(422, body, ids=[doi])
        if doi in self.works:
            return Answer(200, self.works[doi], ids=[doi])
        message = f"'{doi}' is an invalid doi. See https://doi.org/{doi}"
        body = json.dumps({"HTTP_status_code": 404, "error": True, "message": message})
        return Answer(404, body.encode(), ids=[doi])


SERVERS = {
    "europepmc": EuropePMCServer,
    "pubmed": PubMedServer,
    "openalex": OpenAlexServer,
    "unpaywall": UnpaywallServer,
}


def _serve(name: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    with SERVERS[name]() as server:
        monkeypatch.setenv(f"PHBREFS_{name.upper()}_URL", server.url)
        yield server


@pytest.fixture
def europepmc_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    yield from _serve("europepmc", monkeypatch)


@pytest.fixture
def pubmed_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    yield from _serve("pubmed", monkeypatch)


@pytest.fixture
def openalex_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    yield from _serve("openalex", monkeypatch)


@pytest.fixture
def unpaywall_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    yield from _serve("unpaywall", monkeypatch)


@pytest.fixture
def enrichment_servers(
    crossref_server,
    europepmc_server,
    pubmed_server,
    openalex_server,
    unpaywall_server,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, ReplayServer]:
    """Every source served locally, the default enrichment chain, and an e-mail set."""
    monkeypatch.delenv("PHBREFS_ENRICH_CHAIN")
    monkeypatch.setenv("PHBREFS_MAILTO", "reviewer@example.org")
    return {
        "crossref": crossref_server,
        "europepmc": europepmc_server,
        "pubmed": pubmed_server,
        "openalex": openalex_server,
        "unpaywall": unpaywall_server,
    }
