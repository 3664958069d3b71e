"""What the evidence command groups share: arguments, stance colours, the finding and
CERQual renderings shown by more than one group, and the integrity warnings on claims."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from phbrefs.cli import context
from phbrefs.cli.context import open_library, out

if TYPE_CHECKING:
    from phbrefs.evidence.cerqual import CerqualInfo
    from phbrefs.evidence.findings import FindingInfo

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


def coder_or_setting(value: str | None) -> str | None:
    """The ``--coder`` given, else the ``coder`` setting."""
    return value or context.settings().who


def finding_block(f: FindingInfo) -> Text:
    """One finding as ``claim show`` and ``finding show`` print it: who, where, the quote."""
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


def render_cerqual(info: CerqualInfo) -> None:
    """The CERQual judgement of one claim, as ``claim show`` and the ``cerqual`` group print it."""
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


def claim_integrity_warnings(slugs: list[str] | None) -> list[str]:
    """Warnings on claims resting on retracted works (issue 12: phbrefs/integrity.py)."""
    from phbrefs.integrity import claim_warnings

    with open_library() as library:
        found = claim_warnings(library, slugs)
    return [w for slug in sorted(found) for w in found[slug]]
