"""``phbrefs add``: resolve DOIs through Crossref and store the works."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from phbrefs.cli.context import err, message, print_json, progress, settings
from phbrefs.controls import check_tag_names
from phbrefs.errors import ExitCode, InvalidInputError

if TYPE_CHECKING:
    from phbrefs.sources import AddReport, Wanted

STDIN = "-"


def _read(path: Path) -> str:
    if str(path) == STDIN:
        return sys.stdin.read()
    from phbrefs.textfiles import read_text

    return read_text(path)


def add(
    dois: Annotated[
        list[str] | None,
        typer.Argument(
            help="DOIs in any form (10.…, doi:…, https://doi.org/…), pmid:N or pmcid:PMCN; "
            "- reads DOIs from stdin.",
            metavar="DOI",
            show_default=False,
        ),
    ] = None,
    files: Annotated[
        list[Path],
        typer.Option(
            "--file",
            "-f",
            help="A file of DOIs, one per line (or any text around them).",
            metavar="FILE",
        ),
    ] = [],  # noqa: B006
    texts: Annotated[
        list[Path],
        typer.Option(
            "--from-text",
            help="Every DOI in messy text (a saved page, a reference list); - reads stdin.",
            metavar="FILE",
        ),
    ] = [],  # noqa: B006
    tags: Annotated[
        list[str], typer.Option("--tag", "-t", help="Tag the works (repeat).", metavar="TAG")
    ] = [],  # noqa: B006
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be resolved; change nothing.")
    ] = False,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh",
            help="Fetch stored works again and update them (keys, tags, notes kept).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Per-item results as JSON.")] = False,
    no_enrich: Annotated[
        bool,
        typer.Option(
            "--no-enrich", help="Store Crossref's record only: ask no other source (see enrich)."
        ),
    ] = False,
) -> None:
    """Add works by DOI (resolved through Crossref), PMID or PMCID; complete them from more sources.

    pmid:N and pmcid:PMCN go through Europe PMC (or PubMed) to the DOI; a work without one is
    stored from Europe PMC's or PubMed's record. Missing abstracts, PMID/PMCID and keywords are
    then filled from the enrich_chain sources (--no-enrich: Crossref only); a source that is
    down is reported as skipped and never fails the add.

    DOIs already in the library are not fetched again (use --refresh), so re-running a batch is
    safe and cheap. Exit code 0 when every item succeeded, 6 (PARTIAL) when some did not.
    """
    from phbrefs.sources import wanted_from

    check_tag_names(tags)
    from phbrefs.sources.pmids import split_pm_ids

    pm_ids, arguments = split_pm_ids([d for d in dois or [] if d != STDIN])
    lines: list[str] = []
    if dois and STDIN in dois:
        lines += _read(Path(STDIN)).splitlines()
    for path in files:
        lines += _read(path).splitlines()
    wanted = wanted_from(arguments, lines, [_read(path) for path in texts])
    if not len(wanted) and not pm_ids:
        raise InvalidInputError("no DOI given (arguments, --file, --from-text or '-' for stdin)")
    if dry_run:
        _dry_run(wanted, refresh=refresh, as_json=as_json, pm_labels=list(pm_ids))
        if wanted.invalid:
            raise typer.Exit(int(ExitCode.PARTIAL))
        return
    if pm_ids and not dry_run:
        report = _add_pm_ids(pm_ids, wanted, refresh=refresh, tags=tags, enrich=not no_enrich)
    else:
        report = _resolve_and_store(wanted, refresh=refresh, tags=tags, enrich=not no_enrich)
    _render(report, as_json=as_json)
    if not report.ok:
        raise typer.Exit(int(report.exit_code))


def _resolve_and_store(
    wanted: Wanted, *, refresh: bool, tags: list[str], enrich: bool = True
) -> AddReport:
    from phbrefs.cli.enrich import chain_setting, enrich_for_add
    from phbrefs.db.schema import write_modules
    from phbrefs.preload import preloading
    from phbrefs.sources import add_dois, known_dois
    from phbrefs.sources.crossref_client import CrossrefClient

    config = settings()
    enrich_step = enrich_for_add(config, chain_setting(None)) if enrich else None
    present = known_dois(config.db, wanted.dois)
    to_fetch = len(wanted.dois) if refresh else len([d for d in wanted.dois if d not in present])
    # what checking and storing the answers imports loads while they are on their way (the
    # checks first: the client's own thread would import them at the first answer)
    ahead = ["phbrefs.sources.crossref_schema", *write_modules(config.db)]
    with (
        preloading(ahead if to_fetch else []),
        CrossrefClient.from_settings(config, refresh=refresh) as client,
        progress(to_fetch, "Resolving DOIs") as advance,
    ):
        return add_dois(
            wanted,
            source=client,
            library_path=config.db,
            refresh=refresh,
            tags=tags,
            progress=advance,
            present=present,
            enrich=enrich_step,
            actor=config.who,
            lock_wait=config.lock_timeout,
        )


def _add_pm_ids(pm_ids: dict, wanted: Wanted, *, refresh: bool, tags: list[str], enrich: bool):
    """``pmid:…``/``pmcid:…``: through Europe PMC or PubMed to the DOI (sources/pmids.py)."""
    from phbrefs.cli.enrich import chain_setting, enrich_for_add
    from phbrefs.enrich import settings_client
    from phbrefs.sources.pmids import add_pm_ids

    config = settings()
    return add_pm_ids(
        pm_ids,
        wanted,
        open_client=settings_client(config),
        add=lambda w: _resolve_and_store(w, refresh=refresh, tags=tags, enrich=enrich),
        library_path=config.db,
        tags=tags,
        enrich=enrich_for_add(config, chain_setting(None)) if enrich else None,
    )


def _dry_run(
    wanted: Wanted, *, refresh: bool, as_json: bool, pm_labels: list[str] | None = None
) -> None:
    from phbrefs.sources import known_dois

    present = known_dois(settings().db, wanted.dois)
    rows = [
        {"item": r.item, "action": "invalid", "citekey": None, "detail": r.detail}
        for r in wanted.invalid
    ]
    for doi in wanted.dois:
        key = present.get(doi)
        action = ("refresh" if refresh else "skip (already present)") if key else "resolve"
        rows.append({"item": doi, "action": action, "citekey": key, "detail": None})
    for label in pm_labels or []:
        rows.append({"item": label, "action": "resolve", "citekey": None, "detail": "Europe PMC"})
    if as_json:
        print_json(rows)
    else:
        for row in rows:
            key = f"\t{row['citekey']}" if row["citekey"] else ""
            typer.echo(f"{row['item']}\t{row['action']}{key}")
    to_fetch = sum(1 for r in rows if r["action"] in ("resolve", "refresh"))
    message(
        f"dry run: {to_fetch} to resolve, {len(present)} already present, "
        f"{len(wanted.invalid)} invalid; nothing changed"
    )


def _render(report: AddReport, *, as_json: bool) -> None:
    from phbrefs.cli.render import results_table
    from phbrefs.library import first_author_name

    enriched = (
        {s.citekey: s.to_dict() for s in report.enrichment.states} if report.enrichment else {}
    )
    if as_json:
        rows = []
        for result in report.results:
            record = result.record
            rows.append(
                {
                    **result.to_dict(),
                    "doi": record.doi if record else None,
                    "first_author": first_author_name(record) if record else None,
                    "year": record.year if record else None,
                    "enrichment": enriched.get(result.citekey or ""),
                }
            )
        print_json(rows)
    else:
        for result in report.results:
            record = result.record
            if result.outcome.ok and record is not None:
                line = "\t".join(
                    [
                        result.citekey or "",
                        first_author_name(record) or "",
                        str(record.year or ""),
                        record.full_title or "(untitled)",
                    ]
                )
                typer.echo(line)
    problems = [r for r in report.results if not r.outcome.ok]
    if len(report.results) > 1:
        from rich.table import Table

        summary = Table(title="phbrefs add")
        summary.add_column("outcome")
        summary.add_column("works", justify="right")
        for outcome, n in report.counts().items():
            summary.add_row(str(outcome), str(n))
        err.print(summary)
        if problems:
            err.print(results_table(problems, title="Not added"))
    else:
        for result in problems:
            detail = f" ({result.detail})" if result.detail else ""
            message(f"{result.outcome}: {result.item}{detail}")
    if report.enrichment is not None:
        from phbrefs.cli.enrich import report_enrichment

        report_enrichment(report.enrichment)
    location = settings().db
    where = location.path.resolve() if location.path else location
    message(f"{report.summary()}; library: {where}")


def register(app: typer.Typer) -> None:
    app.command()(add)
