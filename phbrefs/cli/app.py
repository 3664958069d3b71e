"""The Typer application: global options, error handling, and the command groups."""

from __future__ import annotations

from typing import Annotated

import typer
from typer.core import TyperGroup

from phbrefs import __version__
from phbrefs.cli import context
from phbrefs.errors import ExitCode, PhbrefsError


class PhbrefsGroup(TyperGroup):
    """Turns every ``PhbrefsError`` into one line on stderr and its documented exit code."""

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except PhbrefsError as error:
            context.err.print(
                f"phbrefs: error: {error}", markup=False, highlight=False, soft_wrap=True
            )
            ctx.exit(int(error.exit_code))
        except KeyboardInterrupt:
            context.err.print("phbrefs: interrupted")
            ctx.exit(int(ExitCode.INTERRUPTED))
        return None


app = typer.Typer(
    cls=PhbrefsGroup,
    name="phbrefs",
    help="A literature and evidence manager for evidence reviews.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"phbrefs {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="Library database file [env PHBREFS_DB; default ./library.db].",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """phbrefs: resolve, store, code and cite the literature of an evidence review."""
    context.state.db = db
    context.state._settings = None


def _register() -> None:
    from phbrefs.cli import commands

    for module in commands.MODULES:
        module.register(app)


_register()
