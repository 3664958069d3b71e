"""The Typer classes every command uses: help that shows metavars, never Python types.

Typer prints arguments as ``key <str>`` and usage as ``{key}``; phbrefs shows ``KEY`` (required)
and ``[KEY]`` (optional) the way command-line tools have always done.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

import typer
from typer.core import TyperCommand

from phbrefs.formats.limits import MAX_STORED_INT, MIN_STORED_INT, storable_int

try:  # Typer 0.28+ converts every value with a pydantic TypeAdapter
    from typer._coercion import RuntimeParam
    from typer._param_types import coerce_cli_path
except ImportError:  # older Typer converts with Click's own types: nothing to replace
    RuntimeParam = None  # type: ignore[assignment,misc]


def _argument_name(param: Any) -> str:
    name = param.metavar or (param.name or "").upper()
    return f"{name}..." if param.nargs != 1 else name


_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "y": True}
_BOOLEANS |= {"0": False, "false": False, "no": False, "off": False, "n": False}


def _boolean(value: Any) -> bool:
    return _BOOLEANS[str(value).strip().lower()]


# a type, how a text becomes it, and its name in Typer's messages
_PLAIN: dict[type, tuple[Any, str]] = {
    str: (str, "string"),
    int: (int, "integer"),
    float: (float, "number"),
    bool: (_boolean, "boolean"),
    Path: (Path, "path"),  # with Typer's own checks, in PlainParam._one
}


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class PlainParam(RuntimeParam):  # type: ignore[misc,valid-type]
        """A ``str``, ``int``, ``float`` or ``Path`` value (or a list of them) converted in plain
        Python.

        Typer builds a pydantic ``TypeAdapter`` for every parameter it converts: importing
        pydantic and building the adapters cost a read command more than the whole ``--help``
        takes (``add --file`` 0.26 s). These types need no validation library; the messages are
        the ones Typer gives, and a path gets Typer's own checks (exists, file or folder).
        """

        kind: type = str  # one of _PLAIN

        def _coerce_value(self, value: Any, param: Any, ctx: typer.Context) -> Any:
            if isinstance(value, (list, tuple)):
                return [self._one(item, param, ctx) for item in value]
            return self._one(value, param, ctx)

        def _one(self, value: Any, param: Any, ctx: typer.Context) -> Any:
            if self.kind is Path:  # a Path given, Typer's checks need no pydantic
                path = value if isinstance(value, Path) else Path(value)
                info = self.parameter_info
                return coerce_cli_path(path, info, path_type=Path, param=param, ctx=ctx)
            if self.kind is str or isinstance(value, self.kind):
                converted = value
            else:
                convert, name = _PLAIN[self.kind]
                try:
                    converted = convert(value)
                except (KeyError, TypeError, ValueError):
                    article = "an" if name[0] in "aeiou" else "a"
                    raise typer.BadParameter(
                        f"Input should be a valid {name}, unable to parse string as {article} "
                        f"{name}",
                        ctx=ctx,
                        param=param,
                    ) from None
            if self.kind is float and not math.isfinite(converted):
                raise typer.BadParameter("Input should be a finite number", ctx=ctx, param=param)
            if self.kind is int and not storable_int(converted):  # SQLite would overflow
                big = converted > 0
                bound = f"at most {MAX_STORED_INT}" if big else f"at least {MIN_STORED_INT}"
                raise typer.BadParameter(
                    f"{converted} is too {'large' if big else 'small'} ({bound})",
                    ctx=ctx,
                    param=param,
                )
            info = self.parameter_info
            if info.min is not None and converted < info.min:
                raise typer.BadParameter(
                    f"Input should be greater than or equal to {info.min}", ctx=ctx, param=param
                )
            if info.max is not None and converted > info.max:
                raise typer.BadParameter(
                    f"Input should be less than or equal to {info.max}", ctx=ctx, param=param
                )
            return converted


def use_plain_conversion(params: list[Any]) -> None:
    """Convert plain ``str``/``int``/``float``/``Path`` parameters without pydantic (see
    PlainParam); ``-`` paths, choices, files and anything with a parser keep Typer's own."""
    if RuntimeParam is None:
        return
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", True) is not None:
            continue
        annotation = descriptor.annotation
        if get_origin(annotation) is list and len(get_args(annotation)) == 1:
            annotation = get_args(annotation)[0]
        info = descriptor.parameter_info
        if annotation is Path and (info.allow_dash or info.path_type not in (None, Path)):
            continue
        if annotation not in _PLAIN or descriptor.is_choice or getattr(info, "parser", None):
            continue
        if info.min is not None and getattr(info, "clamp", False):
            continue  # clamping is Typer's to do
        param._runtime_param = PlainParam(
            parameter_info=info, annotation=descriptor.annotation, kind=annotation
        )


class PhbrefsCommand(TyperCommand):
    """A command whose usage line and help list arguments by their metavar alone."""

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        use_plain_conversion(self.get_params(ctx))
        return super().parse_args(ctx, args)

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
