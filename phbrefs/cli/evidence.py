"""Evidence commands: claim, finding, study, cerqual, framework and coding (import/export)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from phbrefs.cli import context
from phbrefs.cli.base import PhbrefsTyper
from phbrefs.cli.context import confirm, counted, message, open_library, out, print_json, warn
from phbrefs.cli.options import JsonOption

if TYPE_CHECKING:
    from phbrefs.evidence.cerqual import CerqualInfo
    from phbrefs.evidence.findings import FindingInfo
    from phbrefs.evidence.studies import StudyInfo

ClaimArgument = Annotated[
    str, typer.Argument(metavar="CLAIM", help="The claim's id (slug), e.g. post-detox-timing.")
]
KeyArgument = Annotated[str, typer.Argument(metavar="KEY", help="A citekey or DOI.")]
FindingArgument = Annotated[int, typer.Argument(metavar="ID", help="The finding's id.")]
CoderOption = Annotated[
    str | None,
    typer.Option("--coder", metavar="NAME", help="Who coded it [default: setting coder]."),
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")]

STANCE_STYLES = {"supports": "green", "contradicts": "red", "mixed": "yellow", "neutral": "dim"}


def _coder(value: str | None) -> str | None:
    return value or context.settings().who


# -- claim -------------------------------------------------------------------------------------

claim_app = PhbrefsTyper(help="Review claims (the synthesis's findings) to code papers to.")


@claim_app.command("add")
def claim_add(
    statement: Annotated[
        str, typer.Argument(metavar="STATEMENT", help="The claim in one sentence.")
    ],
    slug: Annotated[
        str | None,
        typer.Option(
            "--slug", "--id", metavar="SLUG", help="Short stable id [default: from the statement]."
        ),
    ] = None,
    theme: Annotated[
        str | None, typer.Option(metavar="THEME", help="The theme it belongs to.")
    ] = None,
    description: Annotated[
        str | None, typer.Option(metavar="TEXT", help="A longer description.")
    ] = None,
    position: Annotated[
        int | None,
        typer.Option(metavar="N", min=1, help="Its place in tables [default: after the last]."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a claim; prints its id."""
    from phbrefs.evidence.claims import add_claim

    with open_library(create=True) as library:
        info = add_claim(
            library,
            statement,
            slug=slug,
            theme=theme,
            description=description,
            position=position,
        )
    if as_json:
        print_json(info.to_dict())
        return
    out.print(info.slug)
    message(f"added claim {info.slug}")


@claim_app.command("list")
def claim_list(
    theme: Annotated[
        list[str],
        typer.Option("--theme", metavar="THEME", help="Only claims of this theme (repeat)."),
    ] = [],  # noqa: B006
    as_json: JsonOption = False,
) -> None:
    """List claims in table order with their evidence counts."""
    from phbrefs.evidence.claims import list_claims

    with open_library() as library:
        claims = list_claims(library, themes=theme)
    if as_json:
        print_json([c.to_dict() for c in claims])
        return
    table = Table()
    table.add_column("#", justify="right")
    table.add_column("claim", style="bold cyan", no_wrap=True)
    table.add_column("theme", style="magenta")
    table.add_column("statement", ratio=1)
    table.add_column("findings", justify="right")
    table.add_column("papers", justify="right")
    for c in claims:
        table.add_row(
            str(c.position), c.slug, c.theme or "", c.statement, str(c.findings), str(c.works)
        )
    out.print(table)
    message(counted(len(claims), "claim"))


def _finding_block(f: FindingInfo) -> Text:
    head = Text(f"#{f.id} ", style="dim")
    head.append(f.citekey, style="bold cyan")
    where = ", ".join(filter(None, [f.location, f.participants]))
    if where:
        head.append(f" ({where})")
    if f.dimensions:
        head.append(f" [{', '.join(f.dimensions)}]", style="magenta")
    head.append(f"\n  “{f.quote}”")
    if f.note:
        head.append(f"\n  note: {f.note}", style="italic")
    return head


def _render_cerqual(info: CerqualInfo) -> None:
    from phbrefs.evidence.vocab import CERQUAL_COMPONENTS

    table = Table(title="GRADE-CERQual", title_justify="left", show_lines=True)
    table.add_column("component", style="bold")
    table.add_column("judgement")
    table.add_column("explanation", ratio=1)
    for key, judgement in info.components.items():
        level = f"{judgement.level} concerns" if judgement.level else "not assessed"
        table.add_row(CERQUAL_COMPONENTS[key][0], level, judgement.explanation or "")
    overall = f"{info.overall.level} confidence" if info.overall.level else "not assessed"
    table.add_row(
        Text("Overall", style="bold"), Text(overall, style="bold"), info.overall.explanation or ""
    )
    out.print(table)
    if info.assessed_by or info.assessed_at:
        by = f" by {info.assessed_by}" if info.assessed_by else ""
        when = f" on {info.assessed_at:%Y-%m-%d}" if info.assessed_at else ""
        out.print(Text(f"assessed{by}{when}", style="dim"))


@claim_app.command("show")
def claim_show(claim: ClaimArgument, as_json: JsonOption = False) -> None:
    """Show a claim, its findings by stance and its CERQual judgement."""
    from phbrefs.evidence.cerqual import get_assessment
    from phbrefs.evidence.claims import get_claim
    from phbrefs.evidence.findings import list_findings
    from phbrefs.evidence.vocab import STANCES

    with open_library() as library:
        info = get_claim(library, claim)
        findings = list_findings(library, claims=[info.slug])
        assessment = get_assessment(library, info.slug)
    assessment.warnings += _integrity(slugs=[info.slug])
    if as_json:
        print_json(
            {
                **info.to_dict(),
                "findings": [f.to_dict() for f in findings],
                "cerqual": assessment.to_dict(),
            }
        )
        return
    title = Text(info.slug, style="bold cyan")
    if info.theme:
        title.append(f"  [{info.theme}]", style="magenta")
    out.print(title)
    out.print(Text(info.statement, style="bold"))
    if info.description:
        out.print(info.description)
    papers = len({f.citekey for f in findings})
    out.print(Text(f"\n{counted(len(findings), 'finding')} from {counted(papers, 'paper')}"))
    for stance in STANCES:
        group = [f for f in findings if f.stance == stance]
        if not group:
            continue
        out.print(
            Text(
                f"\n{stance.capitalize()} ({len(group)})",
                style=f"bold underline {STANCE_STYLES[stance]}",
            )
        )
        for f in group:
            out.print(_finding_block(f))
    out.print()
    _render_cerqual(assessment)
    for warning in assessment.warnings:
        warn(warning)


@claim_app.command("edit")
def claim_edit(
    claim: ClaimArgument,
    statement: Annotated[str | None, typer.Option(metavar="TEXT", help="New statement.")] = None,
    slug: Annotated[
        str | None, typer.Option("--slug", metavar="SLUG", help="New id (renames the claim).")
    ] = None,
    theme: Annotated[
        str | None, typer.Option(metavar="THEME", help="New theme ('' clears it).")
    ] = None,
    description: Annotated[
        str | None, typer.Option(metavar="TEXT", help="New description ('' clears it).")
    ] = None,
    position: Annotated[
        int | None, typer.Option(metavar="N", min=1, help="New place in tables.")
    ] = None,
) -> None:
    """Change a claim's statement, id, theme, description or position."""
    from phbrefs.evidence.claims import edit_claim

    if all(v is None for v in (statement, slug, theme, description, position)):
        raise typer.BadParameter("give at least one of --statement, --slug, --theme, ...")
    with open_library() as library:
        info = edit_claim(
            library,
            claim,
            statement=statement,
            new_slug=slug,
            theme=theme,
            description=description,
            position=position,
        )
    message(f"updated claim {info.slug}")


@claim_app.command("remove")
def claim_remove(claim: ClaimArgument, yes: YesOption = False) -> None:
    """Delete a claim with its findings and CERQual judgement.

    Says what goes with it and asks first (--yes for scripts).
    """
    from phbrefs.evidence.claims import claim_dependents, remove_claim

    with open_library() as library:
        dependents = claim_dependents(library, claim)
        if dependents:
            extra = ", ".join(counted(n, what) for what, n in dependents.items())
            confirm(f"Delete claim {claim!r} with {extra}?", yes=yes)
        removed = remove_claim(library, claim)
    message(f"removed claim {removed}")


# -- finding -----------------------------------------------------------------------------------

finding_app = PhbrefsTyper(help="Findings: what one paper says about one claim, with a quote.")

StanceOption = Annotated[
    str | None,
    typer.Option(
        "--stance", "-s", metavar="STANCE", help="supports, contradicts, mixed or neutral."
    ),
]
QuoteOption = Annotated[
    str | None, typer.Option("--quote", "-q", metavar="TEXT", help="The verbatim quote.")
]
PageOption = Annotated[
    str | None, typer.Option("--page", "-p", metavar="PAGE", help="Page(s): 5 or 5-6.")
]
LocationOption = Annotated[
    str | None,
    typer.Option("--location", metavar="TEXT", help="Section or paragraph, e.g. Findings."),
]
ParticipantsOption = Annotated[
    str | None,
    typer.Option(
        "--participants",
        metavar="TEXT",
        help="Whose evidence, e.g. 'organisational representatives'.",
    ),
]
DimensionOption = Annotated[
    list[str],
    typer.Option(
        "--dimension",
        "-d",
        metavar="DIMENSION",
        help="Framework dimension, e.g. RE-AIM:Implementation (repeat).",
    ),
]
NoteOption = Annotated[str | None, typer.Option("--note", metavar="TEXT", help="A coder's note.")]


def _findings_table(findings: list[FindingInfo]) -> Table:
    table = Table(show_lines=True)
    table.add_column("id", justify="right")
    table.add_column("claim", style="bold cyan")
    table.add_column("citekey", style="cyan")
    table.add_column("stance")
    table.add_column("quote", ratio=1)
    table.add_column("where")
    table.add_column("dimensions", style="magenta")
    for f in findings:
        table.add_row(
            str(f.id),
            f.claim,
            f.citekey,
            Text(f.stance, STANCE_STYLES.get(f.stance, "")),
            f"“{f.quote}”",
            "\n".join(filter(None, [f.location, f.participants])),
            "\n".join(f.dimensions),
        )
    return table


@finding_app.command("add")
def finding_add(
    key: KeyArgument,
    claim: ClaimArgument,
    stance: StanceOption = None,
    quote: QuoteOption = None,
    page: PageOption = None,
    location: LocationOption = None,
    participants: ParticipantsOption = None,
    dimension: DimensionOption = [],  # noqa: B006
    note: NoteOption = None,
    coder: CoderOption = None,
    as_json: JsonOption = False,
) -> None:
    """Code what paper KEY says about CLAIM; prints the finding's id.

    --stance and --quote are required. Adding the same quote again for the same paper and claim
    updates that finding instead of duplicating it.
    """
    from phbrefs.errors import InvalidInputError
    from phbrefs.evidence.findings import add_finding
    from phbrefs.evidence.vocab import STANCES

    if not stance:
        raise InvalidInputError(f"give --stance: one of {', '.join(STANCES)}")
    with open_library() as library:
        info, outcome = add_finding(
            library,
            key,
            claim,
            stance=stance,
            quote=quote or "",
            page=page,
            location=location,
            participants=participants,
            dimensions=dimension,
            note=note,
            coder=_coder(coder),
        )
    if as_json:
        print_json({**info.to_dict(), "outcome": outcome})
        return
    out.print(str(info.id))
    message(f"{outcome} finding {info.id}: {info.citekey} {info.stance} {info.claim}")


@finding_app.command("list")
def finding_list(
    claim: Annotated[
        list[str],
        typer.Option("--claim", "-c", metavar="CLAIM", help="Only this claim (repeat)."),
    ] = [],  # noqa: B006
    key: Annotated[
        list[str], typer.Option("--key", "-k", metavar="KEY", help="Only this paper (repeat).")
    ] = [],  # noqa: B006
    as_json: JsonOption = False,
) -> None:
    """List findings (by claim, then paper)."""
    from phbrefs.evidence.findings import list_findings
    from phbrefs.integrity import describe, flagged_keys

    with open_library() as library:
        findings = list_findings(library, claims=claim, keys=key)
        flagged = flagged_keys(library, [f.citekey for f in findings])  # retractions (issue 12)
    if as_json:
        print_json([{**f.to_dict(), "work_notices": flagged.get(f.citekey, [])} for f in findings])
        return
    out.print(_findings_table(findings))
    for f in findings:
        if f.citekey in flagged:
            warn(f"finding #{f.id} comes from {f.citekey}: {describe(flagged[f.citekey])}")
    message(counted(len(findings), "finding"))


@finding_app.command("show")
def finding_show(
    finding_id: FindingArgument,
    as_json: JsonOption = False,
) -> None:
    """Show one finding."""
    from phbrefs.evidence.findings import get_finding

    with open_library() as library:
        info = get_finding(library, finding_id)
    if as_json:
        print_json(info.to_dict())
        return
    out.print(Text(f"{info.claim}: {info.stance}", style=f"bold {STANCE_STYLES[info.stance]}"))
    out.print(_finding_block(info))
    if info.coder or info.coded_at:
        out.print(Text(f"coded by {info.coder or '?'} on {info.coded_at:%Y-%m-%d}", style="dim"))


@finding_app.command("edit")
def finding_edit(
    finding_id: FindingArgument,
    key: Annotated[
        str | None, typer.Option("--key", metavar="KEY", help="Move it to another paper.")
    ] = None,
    claim: Annotated[
        str | None, typer.Option("--claim", metavar="CLAIM", help="Move it to another claim.")
    ] = None,
    stance: StanceOption = None,
    quote: QuoteOption = None,
    page: PageOption = None,
    location: LocationOption = None,
    participants: ParticipantsOption = None,
    dimension: DimensionOption = [],  # noqa: B006
    no_dimensions: Annotated[
        bool, typer.Option("--no-dimensions", help="Remove every dimension.")
    ] = False,
    note: NoteOption = None,
    coder: Annotated[
        str | None, typer.Option("--coder", metavar="NAME", help="Change the coder.")
    ] = None,
) -> None:
    """Change the fields given of a finding.

    '' clears a text field; --dimension replaces the set of dimensions.
    """
    from phbrefs.evidence.findings import edit_finding

    dimensions = [] if no_dimensions else (dimension or None)
    texts = (key, claim, stance, quote, page, location, participants, note, coder)
    if dimensions is None and all(v is None for v in texts):
        raise typer.BadParameter("give at least one of --stance, --quote, --page, --key, ...")
    with open_library() as library:
        info = edit_finding(
            library,
            finding_id,
            key=key,
            claim=claim,
            stance=stance,
            quote=quote,
            page=page,
            location=location,
            participants=participants,
            dimensions=dimensions,
            note=note,
            coder=coder,
        )
    message(f"updated finding {info.id}: {info.citekey} {info.stance} {info.claim}")


@finding_app.command("remove")
def finding_remove(
    finding_id: FindingArgument,
    yes: YesOption = False,
) -> None:
    """Delete a finding (asks first)."""
    from phbrefs.evidence.findings import get_finding, remove_finding

    with open_library() as library:
        info = get_finding(library, finding_id)
        confirm(f"Delete finding {info.id} ({info.citekey} on {info.claim})?", yes=yes)
        remove_finding(library, finding_id)
    message(f"removed finding {finding_id}")


# -- study -------------------------------------------------------------------------------------

study_app = PhbrefsTyper(help="Study characteristics: design, setting, participants.")


def _study_grid(info: StudyInfo) -> None:
    from phbrefs.evidence.studies import STUDY_FIELDS

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    grid.add_row("citekey", info.citekey)
    if info.title:
        grid.add_row("title", info.title)
    for name, label in STUDY_FIELDS.items():
        value = info.fields.get(name)
        if value:
            grid.add_row(label.lower(), value)
        if name == "period" and info.groups:
            lines = [g.describe() for g in info.groups]
            grid.add_row("participants", "\n".join(lines))
    out.print(grid)


@study_app.command("set")
def study_set(
    key: KeyArgument,
    aim: Annotated[str | None, typer.Option(metavar="TEXT", help="The study's aim.")] = None,
    design: Annotated[
        str | None,
        typer.Option(metavar="DESIGN", help="qualitative, mixed methods, RCT, case study..."),
    ] = None,
    data_collection: Annotated[
        str | None,
        typer.Option(metavar="TEXT", help="e.g. semi-structured interviews, online survey."),
    ] = None,
    setting: Annotated[
        str | None, typer.Option(metavar="TEXT", help="e.g. two pilot sites, substance misuse.")
    ] = None,
    country: Annotated[str | None, typer.Option(metavar="TEXT", help="e.g. England.")] = None,
    period: Annotated[str | None, typer.Option(metavar="TEXT", help="e.g. 2011–2012.")] = None,
    participants: Annotated[
        str | None,
        typer.Option(
            metavar="TEXT",
            help="Groups with counts: '20 interviews with organisational representatives; "
            "23 budget holders, 42 support plans' (replaces the groups).",
        ),
    ] = None,
    group: Annotated[
        list[str],
        typer.Option(
            "--group",
            "-g",
            metavar="TEXT",
            help="One group, not split at commas (repeat; replaces the groups).",
        ),
    ] = [],  # noqa: B006
    analysis: Annotated[
        str | None, typer.Option(metavar="TEXT", help="e.g. thematic analysis.")
    ] = None,
    framework: Annotated[str | None, typer.Option(metavar="NAME", help="e.g. RE-AIM.")] = None,
    funding: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Who funded the study.")
    ] = None,
    key_findings: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Key findings in brief.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Record study characteristics of paper KEY.

    Only the options given change; '' clears one.
    """
    from phbrefs.evidence.studies import parse_group, parse_participants, set_study

    values = {
        "aim": aim,
        "design": design,
        "data_collection": data_collection,
        "setting": setting,
        "country": country,
        "period": period,
        "analysis": analysis,
        "framework": framework,
        "funding": funding,
        "key_findings": key_findings,
    }
    groups = None
    if participants is not None or group:
        groups = parse_participants(participants or "") + [parse_group(g) for g in group]
    with open_library() as library:
        info, outcome = set_study(
            library, key, {k: v for k, v in values.items() if v is not None}, groups=groups
        )
    if as_json:
        print_json({**info.to_dict(), "outcome": outcome})
        return
    _study_grid(info)
    message(f"study {info.citekey}: {outcome}")


@study_app.command("show")
def study_show(key: KeyArgument, as_json: JsonOption = False) -> None:
    """Show the study characteristics of one paper."""
    from phbrefs.errors import NotFoundError
    from phbrefs.evidence.studies import get_study

    with open_library() as library:
        info = get_study(library, key)
    if info is None:
        raise NotFoundError(f"no study characteristics for {key!r} yet (phbrefs study set {key})")
    if as_json:
        print_json(info.to_dict())
        return
    _study_grid(info)


@study_app.command("list")
def study_list(as_json: JsonOption = False) -> None:
    """List the papers with study characteristics."""
    from phbrefs.evidence.studies import list_studies

    with open_library() as library:
        studies = list_studies(library)
    if as_json:
        print_json([s.to_dict() for s in studies])
        return
    table = Table(show_lines=True)
    table.add_column("citekey", style="bold cyan", no_wrap=True)
    table.add_column("design")
    table.add_column("setting / country")
    table.add_column("period")
    table.add_column("participants", ratio=1)
    for s in studies:
        table.add_row(
            s.citekey,
            s.fields.get("design") or "",
            ", ".join(filter(None, [s.fields.get("setting"), s.fields.get("country")])),
            s.fields.get("period") or "",
            "\n".join(g.describe() for g in s.groups),
        )
    out.print(table)
    message(counted(len(studies), "study"))


# -- cerqual -----------------------------------------------------------------------------------

cerqual_app = PhbrefsTyper(help="GRADE-CERQual assessments of confidence in each claim.")

ConcernOption = Annotated[
    str | None,
    typer.Option(metavar="LEVEL", help="Concerns: no (or very minor), minor, moderate, serious."),
]
WhyOption = Annotated[str | None, typer.Option(metavar="TEXT", help="Why (the explanation).")]


@cerqual_app.command("set")
def cerqual_set(
    claim: ClaimArgument,
    limitations: ConcernOption = None,
    limitations_why: WhyOption = None,
    coherence: ConcernOption = None,
    coherence_why: WhyOption = None,
    adequacy: ConcernOption = None,
    adequacy_why: WhyOption = None,
    relevance: ConcernOption = None,
    relevance_why: WhyOption = None,
    overall: Annotated[
        str | None,
        typer.Option(metavar="LEVEL", help="Confidence: high, moderate, low, very low."),
    ] = None,
    overall_why: WhyOption = None,
    assessor: Annotated[
        str | None,
        typer.Option("--coder", metavar="NAME", help="Who assessed [default: setting coder]."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Record (parts of) the CERQual assessment of CLAIM.

    Only the options given change; '' clears one. Warns when the overall judgement is made
    while components are unassessed.
    """
    from phbrefs.evidence.cerqual import set_assessment

    with open_library() as library:
        info = set_assessment(
            library,
            claim,
            components={
                "methodological_limitations": (limitations, limitations_why),
                "coherence": (coherence, coherence_why),
                "adequacy": (adequacy, adequacy_why),
                "relevance": (relevance, relevance_why),
            },
            overall=(overall, overall_why),
            assessed_by=_coder(assessor),
        )
    for warning in info.warnings:
        warn(warning)
    if as_json:
        print_json(info.to_dict())
        return
    _render_cerqual(info)


@cerqual_app.command("show")
def cerqual_show(claim: ClaimArgument, as_json: JsonOption = False) -> None:
    """Show the CERQual assessment of CLAIM."""
    from phbrefs.evidence.cerqual import get_assessment

    with open_library() as library:
        info = get_assessment(library, claim)
    info.warnings += _integrity(slugs=[info.claim])
    if as_json:
        print_json(info.to_dict())
        return
    out.print(Text(f"{info.claim}: {info.statement}", style="bold"))
    _render_cerqual(info)
    for warning in info.warnings:
        warn(warning)


@cerqual_app.command("list")
def cerqual_list(as_json: JsonOption = False) -> None:
    """List every claim's CERQual judgements at a glance."""
    from phbrefs.evidence.cerqual import list_assessments
    from phbrefs.evidence.vocab import CERQUAL_COMPONENTS

    with open_library() as library:
        infos = list_assessments(library)
    integrity = _integrity(slugs=None)
    for i in infos:
        i.warnings += [w for w in integrity if w.startswith(f"claim {i.claim} ")]
    if as_json:
        print_json([i.to_dict() for i in infos])
        return
    table = Table()
    table.add_column("claim", style="bold cyan")
    for label, _ in CERQUAL_COMPONENTS.values():
        table.add_column(label)
    table.add_column("overall", style="bold")
    for i in infos:
        table.add_row(
            i.claim,
            *(j.level or "–" for j in i.components.values()),
            i.overall.level or "–",
        )
    out.print(table)
    for warning in integrity:
        warn(warning)


def _integrity(slugs: list[str] | None) -> list[str]:
    """Warnings on claims resting on retracted works (issue 12: phbrefs/integrity.py)."""
    from phbrefs.integrity import claim_warnings

    with open_library() as library:
        found = claim_warnings(library, slugs)
    return [w for slug in sorted(found) for w in found[slug]]


# -- framework ---------------------------------------------------------------------------------

framework_app = PhbrefsTyper(help="Frameworks (RE-AIM built in) whose dimensions code findings.")


@framework_app.command("list")
def framework_list(as_json: JsonOption = False) -> None:
    """List frameworks, their dimensions and finding counts."""
    from phbrefs.evidence.frameworks import list_frameworks

    with open_library() as library:
        frameworks = list_frameworks(library)
    if as_json:
        print_json([f.to_dict() for f in frameworks])
        return
    for framework in frameworks:
        out.print(Text(framework.name, style="bold") + Text(f"  {framework.description or ''}"))
        for d in framework.dimensions:
            count = f" ({counted(d.findings, 'finding')})" if d.findings else ""
            line = Text(f"  {framework.name}:{d.code}{count}  ")
            out.print(line + Text(d.description or "", style="dim"))


@framework_app.command("add")
def framework_add(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Framework name, e.g. CFIR.")],
    dimension: Annotated[
        list[str],
        typer.Option(
            "--dimension", "-d", metavar="DIMENSION", help="CODE or CODE=description (repeat)."
        ),
    ] = [],  # noqa: B006
    description: Annotated[
        str | None, typer.Option(metavar="TEXT", help="What the framework is.")
    ] = None,
) -> None:
    """Define a framework, or add dimensions to one."""
    from phbrefs.evidence.frameworks import add_framework

    with open_library(create=True) as library:
        info, added = add_framework(library, name, dimension, description=description)
    message(
        f"framework {info.name}: {counted(len(info.dimensions), 'dimension')}"
        + (f" (added {', '.join(added)})" if added else "")
    )


# -- coding ------------------------------------------------------------------------------------

coding_app = PhbrefsTyper(help="Coding forms to fill in with Excel, LibreOffice or scripts.")


@coding_app.command("export")
def coding_export(
    path: Annotated[
        Path, typer.Argument(metavar="FILE", help="coding.xlsx, .csv, .yaml or .json.")
    ],
    tag: Annotated[
        list[str],
        typer.Option("--tag", "-t", metavar="TAG", help="Only papers with this tag (repeat)."),
    ] = [],  # noqa: B006
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a coding form: papers, claims, findings and CERQual rows."""
    from phbrefs.evidence.coding import export_coding

    with open_library() as library:
        counts = export_coding(library, path, tags=tag, overwrite=force)
    out.print(str(path))
    message(f"wrote {path}: " + ", ".join(f"{n} {sheet}" for sheet, n in counts.items()))


@coding_app.command("import")
def coding_import(
    path: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="A filled-in coding form (.xlsx, .csv, .yaml, .json)."),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and count, change nothing.")
    ] = False,
    coder: CoderOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a filled-in coding form.

    Every row is validated first: on any problem (listed by sheet, row and column) nothing is
    imported. Importing the same file again changes nothing.
    """
    from phbrefs.errors import ValidationError
    from phbrefs.evidence.coding import import_coding

    with open_library() as library:
        try:
            report = import_coding(library, path, dry_run=dry_run, coder=_coder(coder))
        except ValidationError as error:
            for problem in error.problems:
                context.err.print(problem, markup=False, highlight=False, soft_wrap=True)
            raise
    for warning in report.warnings:
        warn(warning)
    if as_json:
        print_json(report.to_dict())
        return
    table = Table(title=f"{'would import' if dry_run else 'imported'} {path.name}")
    table.add_column("sheet")
    for outcome in ("added", "updated", "unchanged"):
        table.add_column(outcome, justify="right")
    for sheet, counts in report.by_kind().items():
        table.add_row(sheet, *(str(counts.get(o, 0)) for o in ("added", "updated", "unchanged")))
    context.err.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(claim_app, name="claim")
    app.add_typer(finding_app, name="finding")
    app.add_typer(study_app, name="study")
    app.add_typer(cerqual_app, name="cerqual")
    app.add_typer(framework_app, name="framework")
    app.add_typer(coding_app, name="coding")
