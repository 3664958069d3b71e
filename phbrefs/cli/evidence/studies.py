"""The ``study`` commands: record and show a paper's study characteristics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from phbrefs.cli.base import PhbrefsTyper
from phbrefs.cli.context import counted, message, open_library, out, print_json
from phbrefs.cli.evidence.common import KeyArgument
from phbrefs.cli.options import JsonOption

if TYPE_CHECKING:
    from phbrefs.evidence.studies import StudyInfo

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
