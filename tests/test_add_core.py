"""``add_dois``, the core of ``phbrefs add``, over real HTTP without the CLI: each answer's works
are stored as it arrives, so a batch cut off part way keeps them and a re-run asks for the rest."""

from __future__ import annotations

import pytest

from phbrefs.library import Library
from phbrefs.sources import add_dois, wanted_from
from phbrefs.sources.crossref_client import CrossrefClient

DOIS = [
    "10.1093/annweh/wxz051",
    "10.7717/peerj.10734",
    "10.1371/journal.pgen.1011490",
    "10.1038/srep16696",
    "10.7717/peerj.10825",
]


@pytest.fixture
def small_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two DOIs per list request: the five DOIs take three answers."""
    monkeypatch.setattr(CrossrefClient, "MAX_ROWS", 2)


def stored_dois(where: str) -> set[str]:
    with Library(where, create=False) as library:
        return {w.record.doi for w in library.works()}


def asked(server) -> list[str]:
    """The DOIs the server's list requests named, in order."""
    return [
        term.removeprefix("doi:")
        for seen in server.requests_to(lists=True)
        for term in seen.query["filter"][0].split(",")
    ]


def test_a_batch_interrupted_after_its_first_answer_keeps_it_and_a_rerun_asks_the_rest(
    storage, crossref_server, small_lists
):
    answers = []

    def interrupt_at_the_second_answer(count: int) -> None:
        answers.append(count)
        if len(answers) == 2:
            raise KeyboardInterrupt  # Ctrl-C while the batch is on its way

    with (
        CrossrefClient(crossref_server.url, backoff=0.01) as client,
        pytest.raises(KeyboardInterrupt),
    ):
        add_dois(
            wanted_from(DOIS),
            source=client,
            library_path=storage,
            progress=interrupt_at_the_second_answer,
        )
    assert stored_dois(storage) == set(DOIS[:2])  # the first answer's two works, whole

    crossref_server.reset()
    with CrossrefClient(crossref_server.url, backoff=0.01) as client:
        report = add_dois(wanted_from(DOIS), source=client, library_path=storage)
    assert asked(crossref_server) == DOIS[2:]  # what was stored is not asked for again
    assert [r.outcome.value for r in report.results] == ["unchanged"] * 2 + ["added"] * 3
    assert stored_dois(storage) == set(DOIS)


def test_an_answer_is_stored_while_the_next_request_is_on_its_way(
    storage, crossref_server, small_lists, monkeypatch
):
    crossref_server.latency = 0.3  # each answer takes long enough to store the one before
    Library(storage, create=True).close()
    held_at_each_list: list[int] = []
    answer = crossref_server.work_list

    def counting(dois: list[str], rows: int) -> bytes:
        with Library(storage, create=False) as library:
            held_at_each_list.append(library.count())
        return answer(dois, rows)

    monkeypatch.setattr(crossref_server, "work_list", counting)
    with CrossrefClient(crossref_server.url, backoff=0.01) as client:
        report = add_dois(wanted_from(DOIS), source=client, library_path=storage)
    assert report.ok
    assert held_at_each_list[0] == 0
    assert held_at_each_list[-1] >= 2  # the first answer was in the library before the last
    assert stored_dois(storage) == set(DOIS)
