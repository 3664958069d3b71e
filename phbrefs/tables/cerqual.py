"""The GRADE-CERQual tables: the summary of qualitative findings (``soqf``) and the evidence
profile (``profile``), with the wording of concerns and confidence the maps share."""

from __future__ import annotations

from phbrefs.tables.data import CerqualData, NothingToTabulateError
from phbrefs.tables.evidence import NO_CLAIMS_HINT, Evidence, theme_groups, theme_ordered
from phbrefs.tables.model import Cell, Column, Row, Table

CONCERNS = {
    "none": "No or very minor concerns",
    "no": "No or very minor concerns",
    "very minor": "No or very minor concerns",
    "no or very minor": "No or very minor concerns",
    "minor": "Minor concerns",
    "moderate": "Moderate concerns",
    "serious": "Serious concerns",
}
CONFIDENCE = {
    "high": "High confidence",
    "moderate": "Moderate confidence",
    "low": "Low confidence",
    "very low": "Very low confidence",
}
COMPONENTS = (
    ("methodological_limitations", "Methodological limitations"),
    ("coherence", "Coherence"),
    ("adequacy", "Adequacy"),
    ("relevance", "Relevance"),
)
NOT_ASSESSED = "Not assessed"


def concern_text(level: str | None) -> str:
    if not level or not level.strip():
        return NOT_ASSESSED
    key = level.strip().lower().removesuffix(" concerns").removesuffix(" concern")
    return CONCERNS.get(key, level.strip()[:1].upper() + level.strip()[1:])


def confidence_text(assessment: CerqualData | None) -> str:
    if assessment is None or not assessment.overall:
        return NOT_ASSESSED
    key = assessment.overall.strip().lower().removesuffix(" confidence")
    return CONFIDENCE.get(key, assessment.overall.strip())


def explanation_text(assessment: CerqualData | None) -> str:
    """The reviewers' explanation, or one composed from the component judgements."""
    if assessment is None:
        return ""
    if assessment.overall_explanation:
        return assessment.overall_explanation.strip()
    judged = [
        f"{concern_text(getattr(assessment, field))} regarding {name.lower()}"
        for field, name in COMPONENTS
        if getattr(assessment, field)
    ]
    return (_sentence_case("; ".join(judged)) + ".") if judged else ""


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cerqual_frame(selection: str, *, profile: bool) -> Table:
    """The empty profile (a column per CERQual component) or SoQF, titled and captioned."""
    if profile:
        name, title = "profile", "GRADE-CERQual evidence profile"
        caption = (
            "Concerns about each CERQual component and the overall confidence in each review "
            "finding."
        )
        columns = [
            Column("#", kind="number"),
            Column("Review finding", weight=2.5),
            Column("Studies contributing", weight=1.5),
            *(Column(label, weight=1.5) for _, label in COMPONENTS),
            Column("CERQual assessment of confidence"),
            Column("Explanation of CERQual assessment", weight=2),
        ]
    else:
        name, title = "soqf", "Summary of qualitative findings (GRADE-CERQual)"
        caption = "Review findings and confidence in each."
        columns = [
            Column("#", kind="number"),
            Column("Summary of review finding", weight=3),
            Column("Studies contributing to the review finding", weight=2),
            Column("CERQual assessment of confidence"),
            Column("Explanation of CERQual assessment", weight=3),
        ]
    return Table(
        name=name,
        title=title,
        caption=caption + selection,
        columns=columns,
        group_label="Theme",
    )


def cerqual_table(ev: Evidence, selection: str, *, profile: bool) -> Table:
    claims = theme_ordered(ev.data.claims)
    if not claims:
        raise NothingToTabulateError(f"no claims to assess{selection or NO_CLAIMS_HINT}")
    table = _cerqual_frame(selection, profile=profile)
    groups = theme_groups(claims)
    cited: set[int] = set()
    for number, claim in enumerate(claims, start=1):
        studies = ev.studies_for(claim)
        cited.update(studies)
        assessment = ev.data.cerqual.get(claim.id)
        cells = [
            Cell(str(number)),
            Cell(claim.statement),
            Cell("; ".join(ev.cite(w) for w in studies) or "No contributing studies"),
        ]
        if profile:
            for field, _ in COMPONENTS:
                level = getattr(assessment, field) if assessment else None
                explanation = getattr(assessment, f"{field}_explanation") if assessment else None
                text = concern_text(level)
                if level and explanation:
                    text = f"{text}: {explanation.strip()}"
                cells.append(Cell(text))
        cells += [Cell(confidence_text(assessment)), Cell(explanation_text(assessment))]
        table.rows.append(Row(cells, group=groups[claim.id]))
    return ev.finish(table, cited)
