"""A small library with the two seed papers, shared by the evidence and coding tests.

Loaded as a pytest plugin (tests/conftest.py): the fixtures ``db`` (its path) and ``lib`` (open).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from phbrefs.evidence import cerqual, claims, findings, studies
from phbrefs.library import Library
from phbrefs.records import Contributor, PartialDate, WorkRecord

KEY_2016 = "welch2016implementing"
KEY_2022 = "welch2022personal"


def seed_library(path: Path | str) -> Path | str:
    with Library(path) as library:
        library.add_many(
            [
                WorkRecord(
                    type="article-journal",
                    title="Implementing personal health budgets in England",
                    subtitle="a user-led approach to substance misuse",
                    doi="10.1111/hsc.12396",
                    issued=PartialDate(2016, 10, 10),
                    contributors=[Contributor(given="E.", family="Welch")],
                ),
                WorkRecord(
                    type="article-journal",
                    title="Personal health budgets: a mechanism to encourage service integration?",
                    doi="10.1108/jica-07-2021-0038",
                    issued=PartialDate(2022, 3, 30),
                    contributors=[Contributor(given="Elizabeth", family="Welch")],
                ),
            ]
        )
    return path


@pytest.fixture
def db(storage: str) -> Path | str:
    """The seed library: ``./library.db``, or a PostgreSQL URL on that backend."""
    return seed_library(storage if storage.startswith("postgresql://") else Path(storage))


@pytest.fixture
def lib(db: Path | str):
    with Library(db) as library:
        yield library


def coding_snapshot(lib: Library) -> dict:
    """What coding import may change: claims, findings, studies and CERQual, minus times."""
    return {
        "claims": [c.to_dict() for c in claims.list_claims(lib)],
        "findings": [
            {k: v for k, v in f.to_dict().items() if k != "coded_at"}
            for f in findings.list_findings(lib)
        ],
        "studies": [
            {k: v for k, v in s.to_dict().items() if k != "updated_at"}
            for s in studies.list_studies(lib)
        ],
        "cerqual": [
            {k: v for k, v in a.to_dict().items() if k != "assessed_at"}
            for a in cerqual.list_assessments(lib)
        ],
    }
