"""``phbrefs names``: probable variants of one person's name, and merging them."""

from __future__ import annotations

from typing import Annotated

import typer

from phbrefs.cli import context
from phbrefs.cli.base import PhbrefsTyper
from phbrefs.cli.options import JsonOption

names_app = PhbrefsTyper(
    no_args_is_help=False,  # bare, it lists
    help="List probable variants of a person's name (E. Welch / Elizabeth Welch); merge them.",
)


@names_app.callback(invoke_without_command=True)
def names_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List name forms that probably write one person: one given name could abbreviate the
    other and the works share an ORCID or a co-author."""
    if ctx.invoked_subcommand is not None:
        return
    from phbrefs.names import find_variants

    with context.open_library() as library:
        groups = find_variants(library.works())
    if as_json:
        context.print_json([g.to_dict() for g in groups])
        return
    for group in groups:
        forms = "; ".join(f"{f.name} ({', '.join(f.works)})" for f in group.forms)
        typer.echo(f"{forms} — {'; '.join(group.reasons)}")
    context.message(f"{context.counted(len(groups), 'probable person')} with variant names")


@names_app.command("merge")
def names_merge(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="NAME", help="A name as listed (any of its forms).", show_default=False
        ),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Merge every listed group.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Write each listed person's fullest name form in every work that has a variant."""
    from phbrefs.errors import InvalidInputError, NotFoundError
    from phbrefs.names import find_variants, merge_variants

    if not names and not every:
        raise InvalidInputError("give a NAME as 'phbrefs names' lists it, or --all")
    wanted = {n.casefold() for n in names or []}
    with context.open_library() as library:
        groups = [
            g
            for g in find_variants(library.works())
            if every or any(f.name.casefold() in wanted for f in g.forms)
        ]
        if not groups:
            raise NotFoundError(f"no listed variants for {', '.join(names or [])}")
        merged = merge_variants(library, groups)
    if as_json:
        context.print_json([{"variant": v, "name": c, "works": k} for v, c, k in merged])
        return
    for variant, canonical, keys in merged:
        context.message(f"{variant} -> {canonical} in {context.counted(len(keys), 'work')}")


def register(app: typer.Typer) -> None:
    app.add_typer(names_app, name="names")
