"""Citing: formatted bibliographies (``bib``) and manuscript citations (``cite``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from phbrefs import fileio
from phbrefs.cli.context import (
    counted,
    err,
    open_library,
    out,
    output_path,
    print_json,
    select_works,
)
from phbrefs.cli.options import AllOption, JsonOption, SelectTagOption
from phbrefs.errors import ExitCode, InvalidInputError, PhbrefsError

if TYPE_CHECKING:
    from phbrefs.cite import Resolved, ScanResult

BIB_FORMATS = ("text", "md", "html", "docx")
_FORMAT_BY_SUFFIX = {".txt": "text", ".md": "md", ".markdown": "md", ".html": "html"}
_FORMAT_BY_SUFFIX |= {".htm": "html", ".docx": "docx"}


def message(text: str) -> None:
    """A line on stderr, never wrapped (editors jump to FILE:LINE) nor read as markup."""
    err.print(text, markup=False, highlight=False, soft_wrap=True)


def bib(
    keys: Annotated[
        list[str] | None,
        typer.Argument(metavar="KEY", help="Citekeys or DOIs, in this order.", show_default=False),
    ] = None,
    style: Annotated[
        str,
        typer.Option(
            "--style",
            "-s",
            metavar="STYLE",
            help="apa, vancouver, harvard, chicago, or a .csl file.",
        ),
    ] = "apa",
    locale: Annotated[
        str | None,
        typer.Option(
            metavar="LOCALE",
            help="Language of terms and dates, e.g. en-GB [default: the style's].",
        ),
    ] = None,
    tag: SelectTagOption = [],  # noqa: B006
    all_works: AllOption = False,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="text, md, html or docx [default: from -o's extension, else text].",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write here instead of stdout."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Write the entries as JSON (citekey, text, html).")
    ] = False,
) -> None:
    """Print a formatted bibliography in a CSL style.

    Entries are sorted as the style says; a work the style cannot render is named in a warning
    and the exit code is then 6.
    """
    output = fileio.file_or_stdout(output)
    if as_json and (output or fmt):
        raise typer.BadParameter("--json writes to stdout; leave out -o and --format")
    if fmt is None:
        fmt = _FORMAT_BY_SUFFIX.get(output.suffix.lower(), "text") if output else "text"
    if fmt not in BIB_FORMATS:
        raise InvalidInputError(f"unknown format {fmt!r}; give one of {', '.join(BIB_FORMATS)}")
    if locale is not None:
        _check_locale(locale)
    from phbrefs.formats import citeproc

    with open_library() as library:
        works = select_works(library, keys, tag, all_works)
    bibliography = citeproc.format_bibliography(works, style, locale=locale)
    for key, reason in bibliography.problems:
        message(f"phbrefs: warning: {key}: {reason}")
    if as_json:
        print_json(
            {
                "style": bibliography.style,
                "entries": [
                    {"citekey": e.citekey, "text": e.text, "html": citeproc.entry_html(e)}
                    for e in bibliography.entries
                ],
                "problems": [{"citekey": k, "reason": r} for k, r in bibliography.problems],
            }
        )
    elif fmt == "docx":
        path = output_path(output, "bibliography.docx")
        citeproc.write_docx(bibliography, path)
        message(f"wrote {len(bibliography.entries)} references to {path}")
    else:
        writer = {"text": citeproc.to_text, "md": citeproc.to_markdown, "html": citeproc.to_html}
        content = writer[fmt](bibliography)
        if output:
            fileio.write_text(output, content)
            message(f"wrote {len(bibliography.entries)} references to {output}")
        else:
            sys.stdout.write(content)
    if bibliography.problems:
        raise typer.Exit(int(ExitCode.PARTIAL))


def _check_locale(locale: str) -> None:
    """An unknown locale is an error, not a silent fall-back to American English."""
    from citeproc import LOCALES_PATH

    known = {path.stem.removeprefix("locales-") for path in Path(LOCALES_PATH).glob("*.xml")}
    if locale not in known and locale not in {name.split("-")[0] for name in known}:
        raise InvalidInputError(f"unknown locale {locale!r}; e.g. en-GB, en-US, de-DE, fr-FR")


def cite(
    manuscripts: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE",
            help="Pandoc Markdown (.md, .qmd, .Rmd) or LaTeX (.tex) files, read as one "
            "manuscript; a .tex file's \\input and \\include files are followed.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Export the cited works here (.bib, .json or .ris).",
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="bibtex, biblatex, csljson or ris [default: from -o's extension]; "
            "without -o the export goes to stdout.",
            show_default=False,
        ),
    ] = None,
    declared: Annotated[
        bool,
        typer.Option(
            "--declared",
            "-d",
            help="Export to the bibliography file the manuscript names (YAML bibliography:, "
            "\\addbibresource or \\bibliography).",
        ),
    ] = False,
    abstracts: Annotated[
        bool, typer.Option("--abstracts", help="Include abstracts in the export.")
    ] = False,
    watch: Annotated[
        bool, typer.Option("--watch", "-w", help="Re-run whenever the manuscript changes.")
    ] = False,
    interval: Annotated[
        float,
        typer.Option(
            "--interval",
            metavar="SECONDS",
            help="With --watch: seconds between checks.",
            min=0.1,
            max=86400,
        ),
    ] = 1.0,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Exit 9 when the manuscript cites a retracted or corrected work."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """List the works a manuscript cites, or export exactly those.

    Unknown keys are reported on stderr as FILE:LINE with the closest known key; the exit code
    is then 4 (the known works are still exported); an \\input or \\include file that does not
    exist is a warning and exit 6 (PARTIAL). Each citation of a retracted or corrected
    work (or one under an expression of concern) is reported as FILE:LINE too; with --strict
    the exit code is then 10 (NOTICES).
    """
    from phbrefs import cite as core

    output = fileio.file_or_stdout(output)
    if declared:
        if output:
            raise typer.BadParameter("give -o FILE or --declared, not both")
        found = next(filter(None, map(core.declared_bibliography, manuscripts)), None)
        if found is None:
            raise InvalidInputError(
                "the manuscript names no bibliography file (YAML bibliography:, "
                "\\addbibresource or \\bibliography); give -o FILE"
            )
        output, fmt = found.path, fmt or found.format
    fmt = core.output_format(output, fmt)
    if fmt and not output and as_json:
        raise typer.BadParameter("--json lists keys; with --format and no -o the export is stdout")

    def run() -> tuple[bool, list[Path], bool, bool]:
        scan = core.scan_files(manuscripts)
        with open_library() as library:
            resolved = core.resolve(library, scan)
            flagged = _flag_notices(library, scan, resolved)
        if fmt:
            content = core.export_text(resolved.works, fmt, abstracts=abstracts)
            if output:
                fileio.write_text(output, content)  # whole: a build never reads half
            else:
                sys.stdout.write(content)
        _report(scan, resolved, output if fmt else None, fmt, as_json, flagged)
        return not resolved.unknown, scan.files, bool(flagged), bool(scan.missing)

    if not watch:
        known, _files, has_notices, partial = run()
        if not known:
            raise typer.Exit(int(ExitCode.NOT_FOUND))
        if partial:  # an \input or \include file is missing: its citations were not read
            raise typer.Exit(int(ExitCode.PARTIAL))
        if strict and has_notices:
            raise typer.Exit(int(ExitCode.NOTICES))
        return

    def on_change() -> list[Path] | None:
        try:
            return run()[1]
        except PhbrefsError as error:  # a half-saved file, a busy library: say so, keep watching
            message(f"phbrefs: error: {error}")
            return None

    message(f"watching {', '.join(map(str, manuscripts))} (Ctrl-C to stop)")
    try:
        core.watch(manuscripts, on_change, interval=interval)
    except KeyboardInterrupt:
        message("stopped watching")


def _flag_notices(library: Any, scan: ScanResult, resolved: Resolved) -> dict[str, list[dict]]:
    """Cited key -> notices of its work (retractions, concerns, corrections), each citation
    reported as FILE:LINE on stderr (issue 12: phbrefs/integrity.py)."""
    from phbrefs.integrity import describe, severity, work_notices

    ids = {w.citekey: w.id for w in resolved.works}
    notices = work_notices(library, list(ids.values()))
    flagged: dict[str, list[dict]] = {}
    for key, citekey in resolved.keys.items():
        serious = [n for n in notices.get(ids[citekey], []) if severity(n["kind"]) != "other"]
        if serious:
            flagged[key] = serious
    for citation in scan.citations:
        if citation.key in flagged:
            found = flagged[citation.key]
            worst = min((severity(n["kind"]) for n in found), key=_RANK.index)
            message(
                f"{citation.where}: {citation.key} cites a {_WORDS[worst]} work ({describe(found)})"
            )
    return flagged


_RANK = ["retraction", "concern", "correction"]
_WORDS = {"retraction": "retracted", "concern": "questioned", "correction": "corrected"}


def _report(
    scan: ScanResult,
    resolved: Resolved,
    output: Path | None,
    fmt: str | None,
    as_json: bool,
    flagged: dict[str, list[dict]] | None = None,
) -> None:
    for missing in scan.missing:
        message(f"warning: {missing}")
    for unknown in resolved.unknown:
        hint = f" (did you mean {unknown.suggestion!r}?)" if unknown.suggestion else ""
        for citation in unknown.citations:
            message(f"{citation.where}: unknown key {unknown.key!r}{hint}")
    if as_json:
        unknown = {u.key: u for u in resolved.unknown}
        print_json(
            {
                "files": [str(path) for path in scan.files],
                "missing": scan.missing,
                "cite_all": scan.cite_all,
                "output": str(output) if output else None,
                "exported": [w.citekey for w in resolved.works] if fmt else None,
                "citations": [
                    {
                        "key": key,
                        "citekey": resolved.keys.get(key),
                        "found": key in resolved.keys,
                        "where": [c.where for c in scan.citations if c.key == key],
                        "suggestion": unknown[key].suggestion if key in unknown else None,
                        "notices": (flagged or {}).get(key, []),
                    }
                    for key in scan.keys
                ],
            }
        )
    elif fmt is None:
        for key in dict.fromkeys(resolved.keys.values()):
            out.print(key, markup=False)
        if scan.cite_all:
            message("the manuscript cites every work (nocite *)")
    summary = f"{counted(len(set(resolved.keys.values())), 'cited work')} found"
    if resolved.unknown:
        summary += f", {counted(len(resolved.unknown), 'unknown key')}"
    if fmt:
        summary += (
            f"; wrote {counted(len(resolved.works), 'work')} as {fmt} to {output or 'stdout'}"
        )
    message(summary)


def register(app: typer.Typer) -> None:
    app.command()(bib)
    app.command()(cite)
