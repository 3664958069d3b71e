"""``enrich``, ``check`` and ``open``: abstracts and identifiers from more sources, retraction
checks, open-access copies; and what ``show`` adds about them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from phbrefs.cli.context import message, open_library, out, print_json, settings
from phbrefs.cli.options import AllOption, JsonOption
from phbrefs.errors import ExitCode, InvalidInputError

if TYPE_CHECKING:
    from phbrefs.enrich import EnrichReport

KeysArgument = Annotated[
    list[str] | None,
    typer.Argument(metavar="KEY", help="Citekeys or DOIs (or --all).", show_default=False),
]


def chain_setting(text: str | None) -> tuple[str, ...]:
    from phbrefs.config import parse_chain
    from phbrefs.sources.base import REGISTRY

    chain = parse_chain(text) if text else settings().enrich_chain
    unknown = [name for name in chain if name not in REGISTRY]
    if unknown or not chain:
        raise InvalidInputError(
            f"unknown source {unknown[0]!r} in the chain; known: {', '.join(REGISTRY)}"
            if unknown
            else "the enrichment chain is empty"
        )
    return chain


def _keys(keys: list[str] | None, all_works: bool) -> list[str] | None:
    if not keys and not all_works:
        raise typer.BadParameter("name works: KEY… or --all")
    return keys or None


def enrich_for_add(config: Any, chain: tuple[str, ...]) -> Any:
    """The enrichment step ``add`` runs on the works it stored."""
    from phbrefs.enrich import enrich_stored, settings_client

    def run(work_ids: list[int]) -> EnrichReport:
        return enrich_stored(
            config.db, work_ids=work_ids, chain=chain, open_client=settings_client(config)
        )

    return run


def report_enrichment(report: EnrichReport) -> None:
    """One line per work filled and per source skipped (stderr)."""
    from phbrefs.sources.base import LABELS

    for state in report.enriched:
        filled = ", ".join(f"{f} from {LABELS.get(s, s)}" for f, s in state.filled.items())
        message(f"enriched {state.citekey}: {filled}")
    for source, reason in report.skipped.items():
        message(f"skipped {LABELS.get(source, source)}: {reason}")


def enrich(
    keys: KeysArgument = None,
    all_works: AllOption = False,
    sources: Annotated[
        str | None,
        typer.Option(
            "--sources",
            metavar="A,B",
            help="Sources in order (default: the enrich_chain setting).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Ask again sources that already answered.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Fill missing abstracts, PMID/PMCID, keywords, MeSH and open-access copies.

    Sources are asked in chain order (default crossref, europepmc, pubmed, openalex, unpaywall)
    about the works still missing something they can give, in batches. Resumable: a source that
    already answered about a work is not asked again (--force asks). A source that is down is
    reported as skipped. Exit code 0, or 6 (PARTIAL) when a source failed or was skipped.
    """
    from phbrefs.enrich import enrich_stored, settings_client

    chain = chain_setting(sources)
    selected = _keys(keys, all_works)
    config = settings()
    with open_library() as library:  # an unknown key fails here, before any request
        total = len(library.enrichment_work_ids(keys=selected))
    from phbrefs.cli.context import progress

    with progress(total * len(chain), "Enriching") as advance:
        report = enrich_stored(
            config.db,
            keys=selected,
            chain=chain,
            open_client=settings_client(config),
            force=force,
            progress=advance,
        )
    if as_json:
        print_json(report.to_dict())
    else:
        for state in report.states:
            row = state.to_dict()
            filled = ", ".join(f"{k} ({v['source']})" for k, v in row["filled"].items())
            typer.echo(f"{state.citekey}\t{row['outcome']}\t{filled}")
        report_enrichment(report)
    made = ", ".join(f"{n} {s}" for s, n in report.requests.items() if n)
    message(f"{len(report.enriched)} of {len(report.states)} works enriched; requests: {made or 0}")
    failed = any(
        outcome in ("failed", "skipped")
        for state in report.states
        for outcome, _ in state.attempts.values()
    )
    if failed:
        raise typer.Exit(int(ExitCode.PARTIAL))


def check(
    keys: KeysArgument = None,
    all_works: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """Check works for retractions, corrections, expressions of concern and new versions.

    Asks Crossref (``updated-by``, including Retraction Watch notices) and OpenAlex
    (``is_retracted``) in batches, stores what it sees, and reports the notices not seen by an
    earlier check. Exit code 10 (NOTICES) when there are some, 0 when none, 5 (NETWORK) when
    no source could be asked.
    """
    from phbrefs.check import CHECK_SOURCES, check_works
    from phbrefs.enrich import settings_client
    from phbrefs.errors import SourceError

    selected = _keys(keys, all_works)
    with open_library() as library:
        library.enrichment_work_ids(keys=selected)  # unknown keys fail before any request
    report = check_works(
        settings().db, keys=selected, open_client=settings_client(settings(), refresh=True)
    )
    if as_json:
        print_json(report.to_dict())
    else:
        for work in report.works:
            for notice in work.new:
                doi = f" {notice['doi']}" if notice.get("doi") else ""
                typer.echo(f"{work.citekey}\tNEW {notice['kind']}{doi}\t{notice['source']}")
    for source, reason in report.skipped.items():
        message(f"skipped {source}: {reason}")
    new = sum(len(w.new) for w in report.new)
    message(f"checked {len(report.works)} works: {new} new notice(s) on {len(report.new)} works")
    if len(report.skipped) == len(CHECK_SOURCES) and report.works:
        raise SourceError("no source could be asked: " + "; ".join(report.skipped.values()))
    if new:
        raise typer.Exit(int(ExitCode.NOTICES))


def open_work(
    key: Annotated[str, typer.Argument(metavar="KEY", help="A citekey or DOI.")],
    pdf: Annotated[bool, typer.Option("--pdf", help="The PDF, where there is one.")] = False,
) -> None:
    """Open the best open-access copy of a work (or its DOI) in the browser.

    Prints the URL on stdout; when no browser can be started, says so and the URL is there to
    copy. Exit code 4 (NOT_FOUND) when the work has neither a copy nor a DOI.
    """
    import webbrowser

    from phbrefs.errors import NotFoundError

    with open_library() as library:
        work = library.get(key)
        locations = library.enrichment_of(key)["oa_locations"]
    best = sorted(locations, key=lambda loc: not loc["is_best"])
    url = None
    if best:
        url = (best[0]["pdf_url"] or best[0]["url"]) if pdf else best[0]["url"]
    elif work.record.doi:
        url = f"https://doi.org/{work.record.doi}"
    if url is None:
        raise NotFoundError(f"{work.citekey} has no open-access copy and no DOI")
    typer.echo(url)
    try:
        opened = webbrowser.open(url)
    except webbrowser.Error:
        opened = False
    message("opened in the browser" if opened else "no browser could be started: open the URL")


def notice_banner(extra: dict[str, Any]) -> None:
    """A retraction or expression of concern, said before anything else (``show``)."""
    from rich.text import Text

    kinds = {n["kind"] for n in extra["notices"]}
    for kind, words in (
        ("retraction", "RETRACTED"),
        ("expression_of_concern", "EXPRESSION OF CONCERN"),
    ):
        if kind in kinds:
            out.print(Text(f"{words}: see the notices below", style="bold red"))


def show_enrichment(extra: dict[str, Any]) -> None:
    """Where fields came from, identifiers, MeSH, notices and open-access copies (``show``)."""
    from rich.table import Table
    from rich.text import Text

    from phbrefs.enrich import provenance_text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for name, value in extra["identifiers"].items():
        grid.add_row(name.upper() if name != "openalex" else "OpenAlex", value)
    if extra["terms"].get("mesh"):
        grid.add_row("MeSH", "; ".join(extra["terms"]["mesh"]))
    for notice in extra["notices"]:
        text = Text(f"{notice['kind']} ({notice['source']}) {notice['doi'] or ''}".strip())
        text.stylize("bold red" if notice["kind"] == "retraction" else "yellow")
        grid.add_row("notice", text)
    if extra["last_check"]:
        grid.add_row("last checked", extra["last_check"]["checked_at"].replace("T", " "))
    if grid.rows:
        out.print(grid)
    if extra["provenance"]:
        out.print(Text("\nProvenance", style="bold underline"))
        for name, origin in extra["provenance"].items():
            out.print(f"{name}: {provenance_text(origin['source'], origin['identifier'])}")
    if extra["oa_locations"]:  # lines, not a table: URLs stay whole, to copy
        out.print(Text("\nOpen access (* best)", style="bold underline"))
        for loc in extra["oa_locations"]:
            about = ", ".join(filter(None, [loc["host_type"], loc["version"], loc["license"]]))
            out.print(f"{'*' if loc['is_best'] else '-'} {loc['url']} ({loc['source']}: {about})")
            if loc["pdf_url"] and loc["pdf_url"] != loc["url"]:
                out.print(f"  PDF {loc['pdf_url']}")


def register(app: typer.Typer) -> None:
    app.command()(enrich)
    app.command()(check)
    app.command("open")(open_work)
