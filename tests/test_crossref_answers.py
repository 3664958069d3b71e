"""Crossref answers of the wrong shape never reach the library: each item fails with the reason,
with and without ``--refresh``, and a refresh never blanks what is stored.

Each shape is served over real HTTP by the local server (its recorded body replaced), for both
the list request and the single-work request that follows it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from crossref_server import CrossrefServer
from hypothesis import given, settings
from hypothesis import strategies as st
from replay_server import Answer

from phbrefs.errors import ExitCode
from phbrefs.library import Library
from phbrefs.sources import Lookup
from phbrefs.sources.crossref_client import CrossrefClient

ANNWEH = "10.1093/annweh/wxz051"
PEERJ = "10.7717/peerj.10734"


def _envelope(message: Any) -> bytes:
    return json.dumps({"status": "ok", "message-type": "work", "message": message}).encode()


def _with(**changes: Any) -> Callable[[dict[str, Any]], bytes]:
    def spoil(message: dict[str, Any]) -> bytes:
        return _envelope({**message, **changes})

    return spoil


def _without_doi(message: dict[str, Any]) -> bytes:
    return _envelope({k: v for k, v in message.items() if k != "DOI"})


# shape -> (how to spoil the recorded body, words the item's reason must carry)
BAD_SHAPES: dict[str, tuple[Callable[[dict[str, Any]], bytes], str]] = {
    "message a list": (lambda m: _envelope([m]), "message: input should be a valid dictionary"),
    "author a string": (_with(author="Schaal, Nathan"), "author: input should be a valid list"),
    "title an object": (_with(title={"a": "b"}), "title"),
    "date parts as strings": (
        _with(issued={"date-parts": [["2019", "9"]]}),
        "issued.date-parts.0.0: input should be a valid integer",
    ),
    "DOI missing": (_without_doi, "DOI: field required"),
    "DOI empty": (_with(DOI=""), "DOI: string should have at least 1 character"),
    "another DOI": (_with(DOI="10.9999/someone-else"), "another DOI (10.9999/someone-else)"),
    "type missing": (lambda m: _envelope({k: v for k, v in m.items() if k != "type"}), "type"),
    "an abstract of 300,000 characters": (
        _with(abstract="<jats:p>" + "x" * 300_000 + "</jats:p>"),
        "abstract: string should have at most 200000 characters",
    ),
    "not JSON": (lambda m: b"<html>Bad gateway</html>", "invalid JSON"),
    "a JSON string": (lambda m: b'"ok"', "invalid JSON from Crossref (not an object)"),
}


def spoil(server, doi: str, how: Callable[[dict[str, Any]], bytes]) -> None:
    server.works[doi] = how(copy.deepcopy(json.loads(server.works[doi])["message"]))


def snapshot(tmp_path) -> list[dict[str, Any]]:
    """Everything stored about every work (records, keys, tags, notes)."""
    with Library(tmp_path / "library.db", create=False) as library:
        return [w.to_dict() for w in library.works()]


@pytest.mark.parametrize("shape", BAD_SHAPES)
def test_the_client_fails_an_answer_of_the_wrong_shape_with_the_reason(crossref_server, shape):
    how, words = BAD_SHAPES[shape]
    spoil(crossref_server, ANNWEH, how)
    with CrossrefClient(crossref_server.url, timeout=2.0, backoff=0.01) as client:
        bad, good = client.resolve([ANNWEH, PEERJ])
    assert bad.status is Lookup.FAILED and bad.record is None
    assert words in bad.detail
    assert good.status is Lookup.FOUND and good.record.doi == PEERJ


@pytest.mark.parametrize("shape", BAD_SHAPES)
def test_a_new_doi_answered_badly_is_failed_and_nothing_is_stored(
    cli, crossref_server, tmp_path, shape
):
    assert cli("add", PEERJ).exit_code == 0
    before = snapshot(tmp_path)
    how, words = BAD_SHAPES[shape]
    spoil(crossref_server, ANNWEH, how)
    result = cli("add", ANNWEH, "--json")
    assert result.exit_code == ExitCode.PARTIAL, result.stderr
    [item] = json.loads(result.stdout)
    assert item["outcome"] == "failed" and words in item["detail"]
    assert "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("shape", BAD_SHAPES)
def test_a_refresh_answered_badly_changes_nothing(cli, crossref_server, tmp_path, shape):
    assert cli("add", ANNWEH, PEERJ, "--tag", "included").exit_code == 0
    assert cli("note", "schaal2019sound", "berthing areas only").exit_code == 0
    before = snapshot(tmp_path)
    how, words = BAD_SHAPES[shape]
    spoil(crossref_server, ANNWEH, how)
    spoil(crossref_server, PEERJ, how)
    result = cli("add", ANNWEH, PEERJ, "--refresh", "--json")
    assert result.exit_code == ExitCode.PARTIAL, result.stderr
    items = json.loads(result.stdout)
    assert [i["outcome"] for i in items] == ["failed", "failed"]
    assert all(words in i["detail"] for i in items)
    assert "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before


def _emptied(message: dict[str, Any]) -> bytes:
    """HTTP 200, the right DOI and type, every other field empty or absent."""
    empty = {"DOI": message["DOI"], "type": message["type"], "title": [], "author": []}
    return _envelope({**empty, "container-title": [], "abstract": "", "issued": {}})


def test_a_refresh_with_empty_fields_never_erases_titles_or_authors(cli, crossref_server, tmp_path):
    assert cli("add", ANNWEH, PEERJ).exit_code == 0
    before = snapshot(tmp_path)
    assert all(w["title"] and w["contributors"] for w in before)
    spoil(crossref_server, ANNWEH, _emptied)
    spoil(crossref_server, PEERJ, _emptied)
    result = cli("add", ANNWEH, PEERJ, "--refresh", "--json")
    assert result.exit_code == 0, result.stderr
    assert [i["outcome"] for i in json.loads(result.stdout)] == ["unchanged", "unchanged"]
    assert snapshot(tmp_path) == before


def test_a_refresh_takes_new_values_and_keeps_what_the_answer_leaves_empty(
    cli, crossref_server, tmp_path
):
    assert cli("add", ANNWEH).exit_code == 0
    [before] = snapshot(tmp_path)
    message = json.loads(crossref_server.works[ANNWEH])["message"]
    message["title"] = ["Sound levels in berthing areas (corrected)"]
    message["author"] = []
    crossref_server.works[ANNWEH] = _envelope(message)
    result = cli("add", ANNWEH, "--refresh", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["outcome"] == "updated"
    [after] = snapshot(tmp_path)
    assert after["title"] == "Sound levels in berthing areas (corrected)"
    assert after["contributors"] == before["contributors"]
    assert after["citekey"] == before["citekey"]


# -- any shape at all: refused with a reason, or mapped; never a crash ----------------------------

_READ_FIELDS = [
    "DOI", "type", "title", "subtitle", "container-title", "short-container-title", "author",
    "editor", "abstract", "publisher", "institution", "event", "volume", "issue", "page",
    "issued", "published-print", "ISSN", "ISBN", "subject", "URL", "language", "license",
    "funder", "update-to", "updated-by", "resource", "group-title", "degree", "edition-number",
]  # fmt: skip
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_BASE = json.loads(
    (Path(__file__).parent / "fixtures/crossref/works/10.1002_eng2.12059.json").read_text()
)["message"]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(_READ_FIELDS), _JSON | st.sampled_from([[], {}, ""])))
def test_any_answer_is_refused_with_a_reason_or_mapped(changes):
    from phbrefs.sources import crossref_schema as schema
    from phbrefs.sources.crossref import record_from_crossref

    message = {**copy.deepcopy(_BASE), **changes}
    try:
        schema.check_work(message)
    except schema.SchemaError as error:
        assert schema.reason(error)
        return
    record = record_from_crossref(message)
    assert record.doi == message["DOI"].strip().lower()


def test_a_new_title_comes_with_its_own_subtitle_and_an_abstract_with_its_sections():
    from phbrefs.records import AbstractSection, WorkRecord
    from phbrefs.sources.refresh import keep_stored_values

    stored = WorkRecord(
        title="Old",
        subtitle="old subtitle",
        abstract="Old abstract",
        abstract_sections=[AbstractSection("Background", "Old abstract")],
        volume="3",
        raw="{}",
    )
    fresh = WorkRecord(title="New: and whole", abstract="New plain abstract", raw='{"new": 1}')
    merged = keep_stored_values(fresh, stored)
    assert (merged.title, merged.subtitle) == ("New: and whole", None)
    assert (merged.abstract, merged.abstract_sections) == ("New plain abstract", [])
    assert merged.volume == "3" and merged.raw == '{"new": 1}'
    blank = keep_stored_values(WorkRecord(raw="{}"), stored)
    assert (blank.title, blank.subtitle, blank.abstract_sections) == (
        "Old",
        "old subtitle",
        stored.abstract_sections,
    )


class Latin1CrossrefServer(CrossrefServer):
    """Crossref answering in ISO-8859-1, as its Content-Type says."""

    def answer(self, path: str, query: dict[str, list[str]]) -> Answer:
        answer = super().answer(path, query)
        if answer.status != 200:
            return answer
        text = json.dumps(json.loads(answer.body), ensure_ascii=False)
        return replace(
            answer,
            body=text.encode("latin-1", "backslashreplace"),
            content_type="application/json;charset=iso-8859-1",
        )


def test_an_answer_in_another_declared_charset_is_read_in_that_charset():
    with Latin1CrossrefServer() as server:
        spoil(server, PEERJ, _with(title=["Café à la carte: naïve budgets"]))
        with CrossrefClient(server.url, timeout=2.0, backoff=0.01) as client:
            [found] = client.resolve([PEERJ])
    assert found.status is Lookup.FOUND, found.detail
    assert found.record.title == "Café à la carte: naïve budgets"


def test_an_answer_only_a_lenient_json_reader_accepts_is_read_as_before(crossref_server):
    """NaN in a field phbrefs does not map, and an escaped character pair in the title: the
    stdlib reads both; the fast reader refuses NaN, so the answer falls back to the stdlib."""
    spoil(crossref_server, PEERJ, _with(score=float("nan"), title=["Smiles \U0001f600 only"]))
    with CrossrefClient(crossref_server.url, timeout=2.0, backoff=0.01) as client:
        [found] = client.resolve([PEERJ])
    assert found.status is Lookup.FOUND, found.detail
    assert found.record.title == "Smiles \U0001f600 only"
