"""The ``finding`` commands: code, list, show, edit and remove what a paper says about a claim."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from phbrefs.cli.base import PhbrefsTyper
from phbrefs.cli.context import confirm, counted, message, open_library, out, print_json, warn
from phbrefs.cli.evidence.common import (
    STANCE_STYLES,
    ClaimArgument,
    CoderOption,
    FindingArgument,
    KeyArgument,
    YesOption,
    coder_or_setting,
    finding_block,
)
from phbrefs.cli.options import JsonOption

if TYPE_CHECKING:
    from phbrefs.evidence.findings import FindingInfo

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
            coder=coder_or_setting(coder),
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
    out.print(finding_block(info))
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
