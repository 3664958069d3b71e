"""A generated 40-study, 12-claim review in 4 themes: long claims, quotes, aims and citekeys,
DOIs and URLs, several findings per cell, CERQual judgements. Deterministic (seeded), so the
layout tests see the same tables every run.
"""

from __future__ import annotations

import random

from tables_helpers import add_cerqual, add_claim, add_finding, add_study, add_works, record

from phbrefs.library import Library
from phbrefs.records import Contributor, PartialDate, WorkRecord

FAMILIES = [
    "Welch", "Davidson", "Abdul-Rahman", "Christodoulopoulos", "Nguyen", "O'Sullivan",
    "Jones", "van der Berg", "Müller", "Kowalczyk", "Fernández-García", "Smith", "Okonkwo",
    "Lindqvist", "Baker", "Papadopoulou", "Chen", "Hernández", "Ó Briain", "Forder",
]  # fmt: skip
GIVEN = ["Elizabeth", "Kate", "Julien", "Ahmed", "Maria", "Thanh", "Siobhán", "Pieter", "Ola"]
JOURNALS = [
    "Health and Social Care in the Community",
    "Journal of Integrated Care",
    "International Journal of Integrated Care",
    "Drugs: Education, Prevention and Policy",
    "BMC Health Services Research",
    "Social Policy and Administration",
]
WORDS = (
    "personal health budgets budget-holders commissioners implementation organisational "
    "representatives communication arrangements care planning brokerage flexibility "
    "accountability integration after-care choice control wellbeing carers providers "
    "direct payments support plans outcomes leadership resources training"
).split()
THEMES = ["Offering budgets", "Planning and support", "Outcomes for budget-holders", "Systems"]
DESIGNS = ["qualitative", "mixed methods", "realist evaluation", "cross-sectional survey"]
COUNTRIES = ["England", "Scotland", "the Netherlands", "Australia", "United States"]
CONFIDENCE = ["high", "moderate", "low", "very low"]
CONCERNS = ["no or very minor", "minor", "moderate", "serious"]


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[:1].upper() + text[1:] + "."


def _work(rng: random.Random, index: int) -> WorkRecord:
    authors = [(rng.choice(GIVEN), rng.choice(FAMILIES)) for _ in range(rng.choice([1, 2, 3, 5]))]
    year = 2008 + index % 16
    title = _sentence(rng, rng.randint(8, 18)).rstrip(".")
    if index % 9 == 4:  # a grey-literature report with a long URL
        return WorkRecord(
            type="report",
            title=title,
            contributors=[Contributor(literal="Department of Health and Social Care")],
            issued=PartialDate(year),
            publisher="Department of Health and Social Care",
            url=f"https://www.gov.uk/government/publications/personal-health-budgets-{index}-"
            "evaluation-final-report-and-technical-appendices",
        )
    return record(
        title,
        authors,
        year,
        doi=f"10.1111/hsc.{12000 + index * 37}.long-suffix-{index}",
        container_title=rng.choice(JOURNALS),
        volume=str(10 + index % 20),
        issue=str(1 + index % 6),
        pages=f"{100 + index}-{112 + index}",
    )


def build_large_review(library: Library, *, studies: int = 40, claims: int = 12) -> None:
    rng = random.Random(11)
    work_ids = add_works(library, *(_work(rng, i) for i in range(studies)))
    claim_ids = []
    for index in range(claims):
        statement = _sentence(rng, rng.randint(12, 28))
        claim_ids.append(
            add_claim(library, f"claim-{index + 1}", statement, THEMES[index % 4], index + 1)
        )
    stances = ["supports"] * 5 + ["contradicts", "mixed", "neutral"]
    for work_id in work_ids:
        for claim_id in rng.sample(claim_ids, rng.randint(1, 4)):
            for _ in range(rng.choice([1, 1, 1, 2])):
                add_finding(
                    library,
                    work_id,
                    claim_id,
                    rng.choice(stances),
                    _sentence(rng, rng.randint(10, 45)),
                    location=f"p. {rng.randint(1, 30)}",
                    participants=rng.choice(["budget-holders", "commissioners", "carers"]),
                    note=_sentence(rng, 8) if rng.random() < 0.2 else None,
                )
        add_study(
            library,
            work_id,
            [
                ("budget-holders", rng.randint(5, 2500), None, None),
                ("commissioners", rng.randint(3, 40), "interviews", "two time points"),
            ],
            aim=_sentence(rng, rng.randint(12, 30)),
            design=rng.choice(DESIGNS),
            data_collection=_sentence(rng, 5),
            setting=_sentence(rng, 4),
            country=rng.choice(COUNTRIES),
            period=f"{2005 + work_id % 10}–{2007 + work_id % 10}",
            framework=rng.choice(["RE-AIM", "CFIR", None]),
            key_findings=_sentence(rng, rng.randint(20, 60)),
        )
    for claim_id in claim_ids:
        add_cerqual(
            library,
            claim_id,
            methodological_limitations=rng.choice(CONCERNS),
            methodological_limitations_explanation=_sentence(rng, 12),
            coherence=rng.choice(CONCERNS),
            adequacy=rng.choice(CONCERNS),
            adequacy_explanation=_sentence(rng, 10),
            relevance=rng.choice(CONCERNS),
            overall=rng.choice(CONFIDENCE),
            overall_explanation=_sentence(rng, 25),
        )
