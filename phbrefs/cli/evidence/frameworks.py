"""The ``framework`` commands: list and define the frameworks whose dimensions code findings."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from phbrefs.cli.base import PhbrefsTyper
from phbrefs.cli.context import counted, message, open_library, out, print_json
from phbrefs.cli.options import JsonOption

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
