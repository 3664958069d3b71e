"""Table and figure commands: ``phbrefs table NAME`` and ``phbrefs map``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from phbrefs.cli.context import counted, message, open_library, output_path, settings, warn

NAMES = "studies, matrix, soqf, profile or claim"
FORMATS = "md, csv, html, docx, tex, xlsx"


def _formats(requested: list[str], output: Path | None) -> list[str]:
    """The formats asked for (``all`` expands), else the output's extension, else Markdown."""
    from phbrefs.tables import TABLE_FORMATS
    from phbrefs.tables.writers import format_for

    if not requested:
        return [format_for(output)] if output and output.suffix else ["md"]
    chosen: list[str] = []
    for item in requested:
        for fmt in item.split(","):
            names = TABLE_FORMATS if fmt.strip().lower() == "all" else [format_for(Path(), fmt)]
            chosen += [n for n in names if n not in chosen]
    return chosen


def table(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help=f"Which table: {NAMES}.", show_default=False)
    ],
    claim_slug: Annotated[
        str | None,
        typer.Argument(metavar="CLAIM", help="For the claim table: the claim's slug."),
    ] = None,
    formats: Annotated[
        list[str],
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help=f"{FORMATS} or all (repeat) [default: from -o, else md].",
        ),
    ] = [],  # noqa: B006
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="File to write; with several formats its extension is replaced "
            "[default: exports/NAME.FORMAT].",
        ),
    ] = None,
    claim: Annotated[
        list[str],
        typer.Option("--claim", "-c", metavar="CLAIM", help="Only this claim (repeat)."),
    ] = [],  # noqa: B006
    tag: Annotated[
        list[str],
        typer.Option("--tag", "-t", metavar="TAG", help="Only works with this tag (repeat: all)."),
    ] = [],  # noqa: B006
    theme: Annotated[
        list[str],
        typer.Option("--theme", metavar="THEME", help="Only claims of this theme (repeat)."),
    ] = [],  # noqa: B006
) -> None:
    """Write a review table and its references; print the paths.

    studies: characteristics of included studies; matrix: claims x studies with stances;
    soqf: GRADE-CERQual summary of qualitative findings; profile: CERQual evidence profile;
    claim CLAIM: every quote for one claim, by stance.
    """
    from phbrefs.tables import TABLE_NAMES, build_table, write_table

    name = name.lower()
    if name not in TABLE_NAMES:
        raise typer.BadParameter(f"unknown table {name!r}; choose {NAMES}", param_hint="NAME")
    slug = None
    if name == "claim":
        slug = claim_slug or (claim[0] if len(claim) == 1 else None)
        if not slug:
            raise typer.BadParameter("give the claim's slug: phbrefs table claim SLUG")
    elif claim_slug:
        raise typer.BadParameter(
            f"unexpected argument {claim_slug!r} (use --claim to select claims)"
        )
    chosen = _formats(formats, output)
    stem = f"claim-{slug}" if slug else name
    with open_library() as library:
        built = build_table(library, name, claims=claim, tags=tag, themes=theme, claim=slug)
        if name in ("soqf", "profile", "claim"):  # claims resting on retracted works (issue 12)
            from phbrefs.integrity import claim_warnings

            found = claim_warnings(library, [slug] if slug else claim or None)
            for warning in [w for key in sorted(found) for w in found[key]]:
                built.footnotes.append(f"Warning: {warning}.")
                warn(warning)
    from phbrefs.tables.writers import written_files

    files = 0
    for fmt in chosen:
        if output is None:
            target = output_path(None, f"{stem}.{fmt}")
        else:
            target = output_path(output if len(chosen) == 1 else output.with_suffix(f".{fmt}"), "")
        # CSV's title, notes and references sit beside the data, in a second file
        for path in written_files(write_table(built, target, fmt), fmt):
            typer.echo(str(path))
            files += 1
    rows, refs = len(built.rows), len(built.references)
    message(
        f"{name} table: {counted(rows, 'row')}, {counted(refs, 'reference')}, "
        f"{counted(files, 'file')}"
    )


def evidence_map(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="A .html file (the interactive evidence gap map), or a .png or .svg figure "
            "[default: exports/evidence-map.png, or evidence-map-dimensions.png with "
            "--by dimensions].",
        ),
    ] = None,
    by: Annotated[
        str,
        typer.Option("--by", metavar="AXIS", help="Columns: studies, or framework dimensions."),
    ] = "studies",
) -> None:
    """Draw the evidence map of claims x studies (or dimensions).

    As .html: an interactive evidence gap map in one standalone file (switch columns, bubble
    size and colour; filter by tag, design, country, stance and confidence; click a bubble
    for its quotes). As .png/.svg: bubble size = number of findings, colour = stance.
    """
    from phbrefs.tables.evidence_map import draw_evidence_map

    default = "evidence-map.png" if by == "studies" else f"evidence-map-{by}.png"
    # no output_path(): its folder is made only once there is a map to write
    target = output or settings().exports_dir / default
    with open_library() as library:
        if target.suffix.lower() in (".html", ".htm"):
            from phbrefs.tables.gap_map import write_gap_map

            written = write_gap_map(library, target, by=by)
        else:
            written = draw_evidence_map(library, target, by=by)
    typer.echo(str(written))


def register(app: typer.Typer) -> None:
    app.command("table")(table)
    app.command("map")(evidence_map)
