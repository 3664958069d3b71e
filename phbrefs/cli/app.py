"""The Typer application: global options, error handling, and the command groups."""

from __future__ import annotations

import errno
from typing import Annotated, NoReturn

import typer
from typer.core import TyperGroup

from phbrefs import __version__
from phbrefs.cli import context
from phbrefs.cli.base import PhbrefsTyper, use_plain_conversion
from phbrefs.errors import ExitCode, OutputError, PhbrefsError

try:  # Typer 0.29 carries its own copy of Click
    from typer._click import exceptions as click_exceptions
except ImportError:  # older Typer runs on Click itself
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

UsageError = click_exceptions.UsageError
# Raised to print a group's help when it is called bare: shown as is, not as an error.
NoArgsIsHelpError = getattr(click_exceptions, "NoArgsIsHelpError", ())


def _fail(error: UsageError) -> NoReturn:
    """A usage error as one line too, with where to read more; exit code 2 (USAGE)."""
    text = error.format_message().removeprefix("Invalid value: ")
    hint = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
    context.message(f"phbrefs: error: {text}{hint}")
    raise typer.Exit(int(ExitCode.USAGE))


def one_line(text: str) -> str:
    """An error message on one line; SQLAlchemy's "Background on this error" link dropped."""
    lines = [line.strip() for line in text.splitlines()]
    return " ".join(line for line in lines if line and not line.startswith("(Background on"))


def _known_failure(error: Exception) -> PhbrefsError | None:
    """What the machine did to us, said in one line: the library's database refusing a write
    (read-only, disk full) is STORAGE; a disk full or read-only elsewhere is OUTPUT; any other
    system error is ERROR, in one line all the same."""
    from phbrefs.db.failures import stray_storage_error

    if (stray := stray_storage_error(error)) is not None:
        return stray
    if isinstance(error, OSError) and not isinstance(error, BrokenPipeError):
        where = f"{error.filename}: " if error.filename else ""
        kind = OutputError if error.errno in _FULL_OR_READ_ONLY else PhbrefsError
        return kind(f"{where}{error.strerror or error}")
    return None


_FULL_OR_READ_ONLY = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG}


class PhbrefsGroup(TyperGroup):
    """Turns every ``PhbrefsError`` and usage error into one line on stderr and its documented
    exit code."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        use_plain_conversion(self.get_params(ctx))
        try:
            return super().parse_args(ctx, args)
        except NoArgsIsHelpError:
            raise
        except UsageError as error:
            _fail(error)

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except PhbrefsError as error:
            context.message(f"phbrefs: error: {one_line(str(error))}")
            ctx.exit(int(error.exit_code))
        except NoArgsIsHelpError:
            raise
        except UsageError as error:
            _fail(error)
        except KeyboardInterrupt:
            context.message("phbrefs: interrupted")
            ctx.exit(int(ExitCode.INTERRUPTED))
        except Exception as error:
            known = _known_failure(error)
            if known is None:
                raise
            context.message(f"phbrefs: error: {one_line(str(known))}")
            ctx.exit(int(known.exit_code))
        return None


app = PhbrefsTyper(
    cls=PhbrefsGroup,
    name="phbrefs",
    help="A literature and evidence manager for evidence reviews.",
    pretty_exceptions_enable=False,
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
