"""A small, fixed review library for the table tests: works, claims, findings, studies, CERQual.

Welch et al. 2016 is the real seed paper; the other records are made up to exercise the
tables (a 2016a/2016b clash, a retracted paper, an organisation author, special characters).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from phbrefs.db import models as m
from phbrefs.library import Library
from phbrefs.records import Contributor, PartialDate, UpdateNotice, WorkRecord


def record(
    title: str,
    authors: Sequence[tuple[str, str]],
    year: int,
    **fields: Any,
) -> WorkRecord:
    """A journal article by ``(given, family)`` authors."""
    people = [Contributor(given=given, family=family) for given, family in authors]
    return WorkRecord(
        type=fields.pop("type", "article-journal"),
        title=title,
        contributors=fields.pop("contributors", people),
        issued=PartialDate(year),
        **fields,
    )


def add_works(library: Library, *records: WorkRecord, tags: Sequence[str] = ()) -> list[int]:
    return [r.work_id for r in library.add_many(records, tags=tags)]  # type: ignore[misc]


def add_claim(
    library: Library, slug: str, statement: str, theme: str | None = None, position: int = 0
) -> int:
    with library.session() as session:
        claim = m.Claim(slug=slug, statement=statement, theme=theme, position=position)
        session.add(claim)
        session.flush()
        return claim.id  # type: ignore[return-value]


def add_finding(
    library: Library,
    work_id: int,
    claim_id: int,
    stance: str,
    quote: str,
    *,
    location: str | None = None,
    participants: str | None = None,
    note: str | None = None,
    dimensions: Sequence[int] = (),
) -> int:
    with library.session() as session:
        finding = m.Finding(
            work_id=work_id,
            claim_id=claim_id,
            stance=stance,
            quote=quote,
            location=location,
            participants=participants,
            note=note,
        )
        session.add(finding)
        session.flush()
        for dimension_id in dimensions:
            session.add(m.FindingDimension(finding_id=finding.id, dimension_id=dimension_id))
        return finding.id  # type: ignore[return-value]


def add_study(
    library: Library,
    work_id: int,
    groups: Sequence[tuple[str, int | None, str | None, str | None]] = (),
    **fields: Any,
) -> None:
    """A study record with ``(label, count, unit, detail)`` participant groups."""
    with library.session() as session:
        session.add(m.Study(work_id=work_id, **fields))
        for position, (label, count, unit, detail) in enumerate(groups):
            session.add(
                m.StudyGroup(
                    work_id=work_id,
                    label=label,
                    count=count,
                    unit=unit,
                    detail=detail,
                    position=position,
                )
            )


def dimension_ids(library: Library, name: str, codes: Sequence[str]) -> list[int]:
    """Ids of framework ``name``'s dimensions ``codes``, creating what is missing (RE-AIM is
    built in)."""
    from sqlalchemy import select

    with library.session() as session:
        framework_id = session.execute(
            select(m.Framework.id).where(m.Framework.name == name)
        ).scalar()
        if framework_id is None:
            framework = m.Framework(name=name)
            session.add(framework)
            session.flush()
            framework_id = framework.id
        ids = []
        for position, code in enumerate(codes):
            found = session.execute(
                select(m.FrameworkDimension.id).where(
                    m.FrameworkDimension.framework_id == framework_id,
                    m.FrameworkDimension.code == code,
                )
            ).scalar()
            if found is None:
                dimension = m.FrameworkDimension(
                    framework_id=framework_id, code=code, position=position
                )
                session.add(dimension)
                session.flush()
                found = dimension.id
            ids.append(found)
        return ids


def add_cerqual(library: Library, claim_id: int, **fields: Any) -> None:
    with library.session() as session:
        session.add(m.CerqualAssessment(claim_id=claim_id, **fields))


WELCH_2016 = record(
    "Implementing personal health budgets in England: a user-led approach to substance misuse",
    [
        ("Elizabeth", "Welch"),
        ("Kate", "Jones"),
        ("Julien", "Caiels"),
        ("Karen", "Windle"),
        ("Rosie", "Bass"),
    ],
    2016,
    doi="10.1111/hsc.12396",
    container_title="Health and Social Care in the Community",
    volume="25",
    issue="5",
    pages="1634-1643",
)


def build_review(library: Library) -> dict[str, int]:
    """The sample review; returns work and claim ids by name."""
    welch2016, welch2022, jones, second, nhs = add_works(
        library,
        WELCH_2016,
        record(
            "Personal health budgets: a mechanism to encourage service integration?",
            [("Elizabeth", "Welch"), ("Kate", "Jones")],
            2022,
            doi="10.1108/jica-07-2021-0038",
            container_title="Journal of Integrated Care",
        ),
        record(
            "Budget-holders' views | choice & control at 100% (a $5_000 question)",
            [("Kate", "Jones"), ("Anna", "Smith")],
            2019,
            doi="10.1234/retracted.1",
            container_title="Journal of Made-up Results",
            volume="3",
            pages="12",
            updates=[
                UpdateNotice(
                    "updated-by", "retraction", "10.1234/retraction.1", PartialDate(2020, 5, 1)
                )
            ],
        ),
        record(
            "Another look at budgets in substance misuse services",
            [("Elizabeth", "Welch"), ("Kate", "Jones"), ("Julien", "Caiels")],
            2016,
            container_title="Drugs: Education, Prevention and Policy",
            volume="23",
            issue="2",
            pages="100–108",
        ),
        record(
            "Personal health budgets guide: implementing effective care planning",
            [],
            2014,
            type="report",
            contributors=[Contributor(literal="NHS England")],
            publisher="NHS England",
            publisher_place="London",
            url="https://www.england.nhs.uk/phb-guide",
        ),
        tags=["included"],
    )
    library.tag([library.get("10.1111/hsc.12396").citekey], add=["seed"])
    reach, adoption = dimension_ids(library, "RE-AIM", ["Reach", "Adoption"])
    post_detox = add_claim(
        library,
        "post-detox",
        "Budget-holders benefit more when the budget starts post-detox rather than at a crisis.",
        "Implementation",
        1,
    )
    choice = add_claim(
        library,
        "choice-control",
        "Direct payments give budget-holders greater choice and control.",
        "Outcomes",
        2,
    )
    integration = add_claim(
        library, "integration", "Budgets encourage service integration.", "Outcomes", 3
    )
    protocols = add_claim(
        library, "protocols", "Sufficient protocols are required for direct payments.", None, 4
    )
    add_finding(
        library,
        welch2016,
        post_detox,
        "supports",
        "individuals potentially would benefit from receiving their PHB post-detox",
        location="p. 1640",
        participants="organisational representatives",
        dimensions=[reach],
    )
    add_finding(library, second, post_detox, "supports", "timing matters", location="p. 104")
    add_finding(library, jones, post_detox, "contradicts", "timing made no difference")
    add_finding(
        library,
        welch2016,
        choice,
        "supports",
        "direct payments can provide greater choice and control",
        location="Abstract",
        participants="organisational representatives",
        note="Interviewees' view, not budget-holders'",
    )
    add_finding(library, welch2016, choice, "mixed", "but sufficient protocols are required")
    add_finding(library, welch2022, choice, "supports", "more control over services")
    add_finding(library, jones, choice, "supports", "budget-holders chose freely")
    add_finding(library, nhs, choice, "neutral", "guidance describes choice options")
    add_finding(
        library,
        welch2022,
        integration,
        "supports",
        "budgets pushed services to work together",
        location="Findings",
        participants="commissioners",
        dimensions=[adoption],
    )
    add_study(
        library,
        welch2016,
        [("organisational representatives", 20, "interviews", "two time points")],
        aim="To explore how PHBs were implemented in substance misuse services",
        design="Qualitative",
        data_collection="Semi-structured interviews",
        setting="Two pilot sites",
        country="England",
        period="2011–2012",
        analysis="thematic",
        framework="RE-AIM",
        key_findings="PHBs had a positive impact; timing and protocols matter.",
    )
    add_study(
        library,
        welch2022,
        [("commissioners", 12, "interviews", None), ("providers", 8, "interviews", None)],
        aim="To ask whether PHBs encourage integration",
        design="Qualitative",
        country="England",
    )
    add_cerqual(
        library,
        choice,
        methodological_limitations="minor",
        methodological_limitations_explanation="Interview studies of providers only.",
        coherence="no or very minor",
        coherence_explanation="Consistent across studies.",
        adequacy="moderate",
        adequacy_explanation="Four small studies.",
        relevance="minor",
        relevance_explanation="England only.",
        overall="moderate",
        overall_explanation="Moderate concerns about adequacy.",
    )
    add_cerqual(library, integration, coherence="minor", adequacy="serious")
    return {
        "welch2016": welch2016,
        "welch2022": welch2022,
        "jones": jones,
        "second": second,
        "nhs": nhs,
        "post-detox": post_detox,
        "choice-control": choice,
        "integration": integration,
        "protocols": protocols,
    }
