"""The five review tables, built from loaded evidence into neutral ``Table``s: ``build_table``
and the studies, matrix and one-claim tables (the two CERQual tables are in ``cerqual``).

Every table cites its studies by author-year label, ends with their references, and marks papers
carrying a Crossref retraction or correction notice (``†``, ``RETRACTED``) with a footnote naming
the notice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from phbrefs.errors import InvalidInputError
from phbrefs.tables.cerqual import cerqual_table
from phbrefs.tables.data import NothingToTabulateError, StudyData, load_evidence
from phbrefs.tables.evidence import NO_CLAIMS_HINT, Evidence, theme_groups, theme_ordered
from phbrefs.tables.model import NOTICE_MARKER, STANCE_SYMBOLS, STANCES, Cell, Column, Row, Table

if TYPE_CHECKING:
    from phbrefs.library import Library

TABLE_NAMES = ("studies", "matrix", "soqf", "profile", "claim")
NOT_REPORTED = "—"


def _filters(tags: Sequence[str], themes: Sequence[str], claims: Sequence[str]) -> str:
    parts = []
    if tags:
        parts.append(f"works tagged {', '.join(tags)}")
    if themes:
        parts.append(f"themes {', '.join(themes)}")
    if claims:
        parts.append(f"claims {', '.join(claims)}")
    return f" Selection: {'; '.join(parts)}." if parts else ""


def _text(value: str | None) -> str:
    return value.strip() if value and value.strip() else NOT_REPORTED


def _joined(*values: str | None, sep: str = "; ") -> str:
    return sep.join(v.strip() for v in values if v and v.strip()) or NOT_REPORTED


# -- studies ------------------------------------------------------------------------------------


def _unbracketed(detail: str | None) -> str | None:
    """A detail without the parentheses it was given in ("5 managers (two sites)"): the
    table puts its own round it, and "((two sites))" is a typo in a journal's table."""
    if detail and detail[0] == "(" and detail[-1] == ")":
        depth = 0
        for index, char in enumerate(detail):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and index < len(detail) - 1:
                return detail  # "(a) and (b)": the first bracket closes before the end
        return detail[1:-1].strip() or None
    return detail


def participants_text(study: StudyData | None) -> str:
    """``20 organisational representatives (interviews, two time points); … Total n = 38``.

    Counts of different units (interviews, support plans...) are totalled per unit, never added
    together; a group without a unit counts in its own label (``2,235 budget holders``), and
    every count keeps its thousands separator.
    """
    if study is None or not study.groups:
        return NOT_REPORTED
    parts = []
    totals: dict[str | None, int] = {}
    unitless_labels: set[str] = set()
    for group in study.groups:
        text = f"{group.count:,} {group.label}" if group.count is not None else group.label
        unit = (
            group.unit if group.unit and group.unit.casefold() != group.label.casefold() else None
        )
        extra = ", ".join(p for p in (unit, _unbracketed(group.detail)) if p)
        parts.append(f"{text} ({extra})" if extra else text)
        if group.count is not None:
            key = (group.unit or "").strip() or None
            totals[key] = totals.get(key, 0) + group.count
            if key is None:
                unitless_labels.add(group.label.strip())
    counted = sum(1 for g in study.groups if g.count is not None)
    if counted > 1 and len(totals) == 1:
        parts.append(f"Total n = {sum(totals.values()):,}")
    elif counted > 1:
        unitless = unitless_labels.pop() if len(unitless_labels) == 1 else "participants"
        units = ", ".join(f"{n:,} {unit or unitless}" for unit, n in totals.items())
        parts.append(f"Total: {units}")
    return "; ".join(parts)


def _studies(ev: Evidence, selection: str) -> Table:
    work_ids = ev.ordered(ev.data.works)
    if not work_ids:
        raise NothingToTabulateError(
            "no included studies: no work has a study record or findings"
            f"{selection or ' (record them with phbrefs study set or phbrefs finding add)'}"
        )
    table = Table(
        name="studies",
        title="Characteristics of included studies",
        caption=f"Characteristics of the {len(work_ids)} included "
        f"stud{'y' if len(work_ids) == 1 else 'ies'}.{selection}",
        columns=[
            Column("Study", weight=1.3),
            Column("Aim", weight=1.6),
            Column("Design"),
            Column("Data collection", weight=1.2),
            Column("Setting / country"),
            Column("Participants (n)", weight=1.6),
            Column("Framework", weight=0.8),
            Column("Key findings", weight=2.2),
        ],
    )
    for work_id in work_ids:
        study = ev.data.studies.get(work_id)
        work = ev.data.works[work_id]
        s = study or StudyData(work_id)
        design = _joined(s.design, f"analysis: {s.analysis}" if s.analysis else None)
        collection = _text(s.data_collection)
        if s.period:
            collection = f"{collection} ({s.period})" if s.data_collection else s.period
        table.rows.append(
            Row(
                [
                    Cell(f"{ev.label(work_id)} ({work.citekey})", marker=ev.marker(work_id)),
                    Cell(_text(s.aim)),
                    Cell(design),
                    Cell(collection),
                    Cell(_joined(s.setting, s.country)),
                    Cell(participants_text(study)),
                    Cell(_text(s.framework)),
                    Cell(_text(s.key_findings)),
                ]
            )
        )
    return ev.finish(table, work_ids)


# -- matrix -------------------------------------------------------------------------------------


def stance_cell(stances: Sequence[str]) -> Cell:
    """One symbol per finding, same stances together in ✓ ✗ ± ○ order: ``✓✓ ±``.

    The cell's stance is the shared one, or ``mixed`` when the findings disagree.
    """
    if not stances:
        return Cell("")
    groups = [STANCE_SYMBOLS[s] * stances.count(s) for s in STANCES if s in stances]
    unknown = [s for s in stances if s not in STANCE_SYMBOLS]
    text = " ".join(groups + unknown)
    distinct = set(stances)
    return Cell(text, stance=distinct.pop() if len(distinct) == 1 else "mixed")


MATRIX_LEGEND = (
    "✓ supports the claim; ✗ contradicts it; ± mixed; ○ neutral; blank: no finding. "
    "One symbol per coded finding, so several findings from one study show together "
    "(✓✓ ±). The ✓ ✗ ± ○ columns count findings; Studies counts contributing studies."
)


def _matrix(ev: Evidence, selection: str) -> Table:
    claims = theme_ordered(ev.data.claims)
    if not claims:
        raise NothingToTabulateError(f"no claims to tabulate{selection or NO_CLAIMS_HINT}")
    if not ev.data.findings:
        raise NothingToTabulateError("no findings coded for the selected claims" + selection)
    work_ids = ev.ordered(f.work_id for f in ev.data.findings)
    columns = [Column("Claim", weight=3)]
    for work_id in work_ids:
        marker = ev.marker(work_id)
        name = ev.label(work_id) + (f" {NOTICE_MARKER}" if marker else "")
        columns.append(Column(name, kind="symbol"))
    columns += [Column(STANCE_SYMBOLS[s], kind="number") for s in STANCES]
    columns.append(Column("Studies", kind="number"))
    table = Table(
        name="matrix",
        title="Evidence matrix: claims by study",
        caption=f"Findings of {len(work_ids)} stud{'y' if len(work_ids) == 1 else 'ies'} on "
        f"{len(claims)} claim{'' if len(claims) == 1 else 's'}.{selection}",
        columns=columns,
        group_label="Theme",
        footnotes=[MATRIX_LEGEND],
    )
    groups = theme_groups(claims)
    for claim in claims:
        stances: dict[int, list[str]] = {}
        for finding in ev.by_claim.get(claim.id, []):
            stances.setdefault(finding.work_id, []).append(finding.stance)
        every = [s for group in stances.values() for s in group]
        cells = [Cell(claim.statement)]
        cells += [stance_cell(stances.get(work_id, [])) for work_id in work_ids]
        cells += [Cell(str(every.count(s))) for s in STANCES]
        cells.append(Cell(str(len(stances))))
        table.rows.append(Row(cells, group=groups[claim.id]))
    return ev.finish(table, work_ids)


# -- one claim ----------------------------------------------------------------------------------


def _claim(ev: Evidence, slug: str) -> Table:
    claim = ev.data.claim(slug)
    findings = ev.by_claim.get(claim.id, [])
    if not findings:
        raise NothingToTabulateError(f"claim {slug!r} has no findings yet")
    has_dimensions = any(f.dimensions for f in findings)
    has_notes = any(f.note for f in findings)
    columns = [
        Column("Study", weight=1.2),
        Column("Quote", weight=4),
        Column("Location", weight=0.7),
        Column("Participants", weight=1.2),
    ]
    if has_dimensions:
        columns.append(Column("Framework dimensions"))
    if has_notes:
        columns.append(Column("Note", weight=1.5))
    studies = {f.work_id for f in findings}
    caption = f"{len(findings)} finding{'s' if len(findings) != 1 else ''} from {len(studies)} "
    caption += f"stud{'y' if len(studies) == 1 else 'ies'}, by stance. Claim: {slug}"
    if claim.theme:
        caption += f"; theme: {claim.theme}"
    caption += "."
    if claim.description:
        caption += f" {claim.description.strip()}"
    table = Table(
        name="claim",
        title=f"Evidence for claim: {claim.statement}",
        caption=caption,
        columns=columns,
        group_label="Stance",
    )
    order = {work_id: i for i, work_id in enumerate(ev.ordered(studies))}
    known = [s for s in STANCES if any(f.stance == s for f in findings)]
    other = sorted({f.stance for f in findings} - set(STANCES))
    for stance in known + other:
        chosen = sorted(
            (f for f in findings if f.stance == stance), key=lambda f: (order[f.work_id], f.id)
        )
        heading = f"{stance[:1].upper()}{stance[1:]} ({len(chosen)})"
        for finding in chosen:
            cells = [
                Cell(ev.label(finding.work_id), marker=ev.marker(finding.work_id)),
                Cell(f"“{finding.quote.strip()}”", stance=stance),
                Cell(_text(finding.location)),
                Cell(_text(finding.participants)),
            ]
            if has_dimensions:
                cells.append(Cell("; ".join(finding.dimensions) or NOT_REPORTED))
            if has_notes:
                cells.append(Cell(finding.note.strip() if finding.note else ""))
            table.rows.append(Row(cells, group=heading))
    return ev.finish(table, studies)


# -- entry point --------------------------------------------------------------------------------

_BUILDERS: dict[str, Callable[[Evidence, str], Table]] = {
    "studies": _studies,
    "matrix": _matrix,
    "soqf": lambda ev, selection: cerqual_table(ev, selection, profile=False),
    "profile": lambda ev, selection: cerqual_table(ev, selection, profile=True),
}


def build_table(
    library: Library,
    name: str,
    *,
    claims: Sequence[str] = (),
    tags: Sequence[str] = (),
    themes: Sequence[str] = (),
    claim: str | None = None,
) -> Table:
    """Build review table ``name`` (one of ``TABLE_NAMES``) from the library's evidence.

    ``claims`` (slugs), ``tags`` (a work must carry all) and ``themes`` narrow the selection;
    ``claim`` is the slug the ``claim`` table shows. Raises ``NotFoundError`` for unknown
    claims/themes/tags and ``NothingToTabulateError`` when nothing is there to show.
    """
    if name not in TABLE_NAMES:
        raise InvalidInputError(f"unknown table {name!r}; known: {', '.join(TABLE_NAMES)}")
    if name == "claim":
        if not claim:
            raise InvalidInputError("the claim table needs a claim slug")
        data = load_evidence(library, claims=[claim], tags=tags, dimensions=True)
        return _claim(Evidence(data), claim)
    data = load_evidence(library, claims=claims, tags=tags, themes=themes)
    return _BUILDERS[name](Evidence(data), _filters(tags, themes, claims))
