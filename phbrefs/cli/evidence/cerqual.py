"""The ``cerqual`` commands: GRADE-CERQual judgements of confidence in each claim."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from phbrefs.cli.base import PhbrefsTyper
from phbrefs.cli.context import open_library, out, print_json, warn
from phbrefs.cli.evidence.common import (
    ClaimArgument,
    claim_integrity_warnings,
    coder_or_setting,
    render_cerqual,
)
from phbrefs.cli.options import JsonOption

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
            assessed_by=coder_or_setting(assessor),
        )
    for warning in info.warnings:
        warn(warning)
    if as_json:
        print_json(info.to_dict())
        return
    render_cerqual(info)


@cerqual_app.command("show")
def cerqual_show(claim: ClaimArgument, as_json: JsonOption = False) -> None:
    """Show the CERQual assessment of CLAIM."""
    from phbrefs.evidence.cerqual import get_assessment

    with open_library() as library:
        info = get_assessment(library, claim)
    info.warnings += claim_integrity_warnings(slugs=[info.claim])
    if as_json:
        print_json(info.to_dict())
        return
    out.print(Text(f"{info.claim}: {info.statement}", style="bold"))
    render_cerqual(info)
    for warning in info.warnings:
        warn(warning)


@cerqual_app.command("list")
def cerqual_list(as_json: JsonOption = False) -> None:
    """List every claim's CERQual judgements at a glance."""
    from phbrefs.evidence.cerqual import list_assessments
    from phbrefs.evidence.vocab import CERQUAL_COMPONENTS

    with open_library() as library:
        infos = list_assessments(library)
    integrity = claim_integrity_warnings(slugs=None)
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
