"""The Typer classes every command uses: help that shows metavars, never Python types.

Typer prints arguments as ``key <str>`` and usage as ``{key}``; phbrefs shows ``KEY`` (required)
and ``[KEY]`` (optional) the way command-line tools have always done.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand


def _argument_name(param: Any) -> str:
    name = param.metavar or (param.name or "").upper()
    return f"{name}..." if param.nargs != 1 else name


class PhbrefsCommand(TyperCommand):
    """A command whose usage line and help list arguments by their metavar alone."""

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: typer.Context, formatter: Any) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((_argument_name(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class PhbrefsTyper(typer.Typer):
    """A Typer app whose commands are ``PhbrefsCommand``s and whose groups show help when bare."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("no_args_is_help", True)
        options.setdefault("rich_markup_mode", None)
        options.setdefault("context_settings", {"help_option_names": ["-h", "--help"]})
        super().__init__(**options)

    def command(self, *args: Any, **options: Any) -> Any:
        options.setdefault("cls", PhbrefsCommand)
        return super().command(*args, **options)
