"""Citations in and out: import, export, dedup, merge."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from phbrefs import fileio
from phbrefs.cli.context import (
    counted,
    err,
    message,
    open_library,
    open_reader,
    out,
    print_json,
    progress,
    select_works,
)
from phbrefs.cli.options import AllOption, JsonOption, SelectTagOption

FORMAT_NAMES = "bibtex, biblatex, ris or csljson"


def import_(
    files: Annotated[
        list[str], typer.Argument(help="Files to import; - reads standard input.", metavar="FILE")
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help=f"{FORMAT_NAMES} [default: from the extension, else the content].",
        ),
    ] = None,
    tag: Annotated[
        list[str],
        typer.Option(
            "--tag", "-t", metavar="TAG", help="Tag every work imported or matched (repeat)."
        ),
    ] = [],  # noqa: B006
    strict: Annotated[
        bool, typer.Option("--strict", help="Any unreadable entry aborts: nothing is written.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import BibTeX, BibLaTeX, RIS or CSL-JSON files.

    Confident duplicates are merged into the stored work, possible ones added and reported.
    """
    from phbrefs.aliases import keep_unusable_keys
    from phbrefs.importing import import_batches, read_input
    from phbrefs.outcomes import Outcome
    from phbrefs.textfiles import decode_text, read_bounded, read_text

    batches = []
    for name in files:
        if name == "-":
            stdin = getattr(sys.stdin, "buffer", None)
            label = "standard input"
            text = decode_text(read_bounded(stdin, label), label) if stdin else sys.stdin.read()
            path, origin = None, "<stdin>"
        else:
            path = Path(name)
            text = read_text(path)
            origin = name
        batches.append(read_input(text, origin, fmt, path))
    del text  # each batch holds its own, parsed a chunk at a time during the import
    total = sum(b.size for b in batches)
    # the exit is raised inside the block: a library this import created and stored nothing in
    # (every entry failed) is removed again, as after any failed command
    with open_library(create=True) as library:
        with progress(total, "importing") as advance:
            report = import_batches(
                library,
                batches,
                tags=tag,
                strict=strict,
                advance=advance,
                on_chunk=lambda entries: keep_unusable_keys(library, entries),
            )
        if as_json:
            print_json(report.to_dict())
        else:
            for item in report.results:
                if (
                    not item.outcome.ok
                    or item.outcome in (Outcome.POSSIBLE, Outcome.MERGED)
                    or item.detail
                ):
                    target = f" -> {item.matched}" if item.matched else ""
                    why = f" ({item.detail or ', '.join(item.why)})"
                    text = f"{item.outcome}: {item.item}{target}{why}"
                    err.print(text, markup=False, soft_wrap=True)
            for warning in report.warnings:
                err.print(f"warning: {warning}", markup=False, soft_wrap=True)
        err.print(report.summary(), soft_wrap=True)
        if not report.ok:
            raise typer.Exit(int(report.exit_code))


def export(
    keys: Annotated[
        list[str] | None,
        typer.Argument(metavar="KEY", help="Citekeys or DOIs to export.", show_default=False),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help=f"{FORMAT_NAMES} [default: from -o's extension].",
        ),
    ] = None,
    tag: SelectTagOption = [],  # noqa: B006
    all_: AllOption = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write here instead of stdout."),
    ] = None,
    no_abstract: Annotated[
        bool, typer.Option("--no-abstract", help="Leave abstracts out.")
    ] = False,
) -> None:
    """Export works as BibTeX, BibLaTeX, RIS or CSL-JSON.

    Written to stdout unless -o is given; the format then comes from its extension.
    """
    from phbrefs.formats import format_for_path, get_exporter

    output = fileio.file_or_stdout(output)
    name = fmt or (format_for_path(output) if output else None)
    if name is None:
        raise typer.BadParameter("give --format (bibtex, biblatex, ris, csljson)")
    exporter = get_exporter(name)
    with open_reader() as library:  # the fast SQLite reader: no SQLAlchemy to import
        works = select_works(library, keys, tag, all_)
    text = exporter.export(works, abstracts=not no_abstract)
    if output:
        fileio.write_text(output, text)
        message(f"exported {counted(len(works), 'work')} to {output}")
    else:
        sys.stdout.write(text)
        message(f"exported {counted(len(works), 'work')}")


def dedup(
    not_duplicate: Annotated[
        list[str] | None,
        typer.Option(
            "--not-duplicate",
            help="Record that this work and the KEYs after it are distinct works.",
            metavar="KEY",
        ),
    ] = None,
    keys: Annotated[
        list[str] | None,
        typer.Argument(
            help="With --not-duplicate: the works judged distinct from it; with --explain: two.",
            show_default=False,
            metavar="KEY",
        ),
    ] = None,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="With two KEYs: why they are or are not duplicates."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """List likely duplicates with scores and reasons.

    With --not-duplicate KEY KEY..., records that the works are distinct: they are never
    proposed again. With --explain KEY KEY, shows field by field the evidence for and against
    the two works being one, and the verdict: merge, review or distinct.
    """
    from phbrefs.dedup import find_duplicates, mark_not_duplicate

    if explain:
        if not_duplicate or len(keys or []) != 2:
            raise typer.BadParameter("--explain takes exactly two KEYs")
        _explain(keys or [], as_json)
        return
    with open_library() as library:
        if not_duplicate:
            marked = mark_not_duplicate(library, [*not_duplicate, *(keys or [])])
            if as_json:
                print_json({"not_duplicates": marked})
            message(f"recorded: {', '.join(marked)} are distinct works")
            return
        if keys:
            raise typer.BadParameter("keys are only taken with --not-duplicate")
        groups = find_duplicates(library)
    if as_json:
        print_json([g.to_dict() for g in groups])
        return
    from rich.table import Table
    from rich.text import Text

    table = Table()
    table.add_column("score", justify="right")
    table.add_column("keep", style="bold cyan", no_wrap=True)
    table.add_column("duplicates", style="cyan")
    table.add_column("title / why", ratio=1)
    for group in groups:
        why = "; ".join(", ".join(p["why"]) for p in group.pairs[:3])
        score = Text(f"{group.score:.2f}")
        if group.confident:
            score.append(" confident", style="green")
        table.add_row(
            score,
            group.keys[0],
            "\n".join(group.keys[1:]),
            Text(f"{group.titles[0]}\n") + Text(why, style="dim"),
        )
    if groups:
        out.print(table)
    message(
        f"{counted(len(groups), 'group')} of possible duplicates"
        + ("; merge with: phbrefs merge KEEP DUPLICATE…" if groups else "")
    )


def _explain(keys: list[str], as_json: bool) -> None:
    from phbrefs.dedup import explain_pair

    with open_library() as library:
        explanation = explain_pair(library, keys[0], keys[1])
    if as_json:
        print_json(explanation.to_dict())
        return
    from rich.table import Table
    from rich.text import Text

    match = explanation.match
    table = Table(title=" / ".join(explanation.keys), title_justify="left")
    table.add_column("field", style="bold")
    table.add_column(explanation.keys[0], ratio=1)
    table.add_column(explanation.keys[1], ratio=1)
    table.add_column("evidence", ratio=1)
    table.add_column("points", justify="right")
    for evidence in match.evidence:
        style = "green" if evidence.points > 0 else "red" if evidence.points < 0 else "dim"
        table.add_row(
            evidence.field,
            evidence.left,
            evidence.right,
            Text(evidence.verdict, style=style),
            Text(f"{evidence.points:+g}", style=style),
        )
    out.print(table)
    verdicts = {
        "merge": "duplicates: merged without asking on import",
        "review": "possible duplicates: listed for review",
        "distinct": "distinct works",
    }
    message(f"{verdicts[match.tier]} (score {match.score:.2f})")


def merge(
    keys: Annotated[
        list[str], typer.Argument(help="The work to keep, then its duplicates.", metavar="KEY")
    ],
    as_json: JsonOption = False,
) -> None:
    """Merge duplicates into the first work.

    Field by field the richest value is kept; every tag, note, finding and source record moves
    to the kept work, and the old keys and DOIs become aliases that keep resolving.
    """
    from phbrefs.dedup import merge_works

    with open_library() as library:
        report = merge_works(library, keys)
    if as_json:
        print_json(report.to_dict())
        return
    for result in report.results:
        moved = f" ({result.detail})" if result.detail else ""
        message(f"merged {result.item} into {result.citekey}{moved}; {result.item} is now an alias")


def unmerge(
    key: Annotated[str, typer.Argument(help="A work that a merge produced.", metavar="KEY")],
    as_json: JsonOption = False,
) -> None:
    """Split a merged work back into the works its latest merge joined.

    Each gets back its own fields, citekey, DOI, tags, notes, findings, study record and source
    texts; a record merged on import becomes a work of its own again.
    """
    from phbrefs.db.merge_log import unmerge_work

    with open_library() as library:
        report = unmerge_work(library, key)
    if as_json:
        print_json(report.to_dict())
        return
    kept = report.results[0].matched if report.results else key
    restored = [r.citekey or r.item for r in report.results]
    message(f"split {kept} back into {', '.join([str(kept), *restored])}")


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command()(export)
    app.command()(dedup)
    app.command()(merge)
    app.command()(unmerge)
