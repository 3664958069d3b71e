"""The ``claim`` commands: add, list, show, edit and remove the review's claims."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from phbrefs.cli.base import PhbrefsTyper
from phbrefs.cli.context import confirm, counted, message, open_library, out, print_json, warn
from phbrefs.cli.evidence.common import (
    STANCE_STYLES,
    ClaimArgument,
    YesOption,
    claim_integrity_warnings,
    finding_block,
    render_cerqual,
)
from phbrefs.cli.options import JsonOption

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
    assessment.warnings += claim_integrity_warnings(slugs=[info.slug])
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
            out.print(finding_block(f))
    out.print()
    render_cerqual(assessment)
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
