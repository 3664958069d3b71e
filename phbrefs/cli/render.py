"""Rich renderings of core objects for the terminal (data on stdout)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from phbrefs.cli.context import out

if TYPE_CHECKING:
    from datetime import datetime

    from phbrefs.library import StoredWork
    from phbrefs.outcomes import ItemResult
    from phbrefs.records import WorkRecord


def authors_short(record: WorkRecord, limit: int = 2) -> str:
    people = record.authors or record.editors
    if not people:
        return ""
    from phbrefs.names import label_name

    names = [label_name(p) for p in people]
    if len(names) > limit:
        return f"{names[0]} et al."
    return " & ".join(names)


def works_table(works: list[StoredWork], *, title: str | None = None) -> Table:
    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("citekey", style="bold cyan", no_wrap=True)
    table.add_column("author")
    table.add_column("year", justify="right")
    table.add_column("title", ratio=1)
    table.add_column("tags", style="magenta")
    for work in works:
        record = work.record
        title_text = Text(record.full_title or "(untitled)")
        if record.has_notices:
            title_text.append(" [notice]" if not record.is_retracted else " [RETRACTED]", "red")
        table.add_row(
            work.citekey,
            authors_short(record),
            str(record.year or ""),
            title_text,
            ", ".join(work.tags),
        )
    return table


def print_works(works: list[StoredWork], *, pager: bool = True) -> None:
    """Works on stdout: a table on a terminal, paged when longer than the screen; else one
    tab-separated line per work (a rich table of 10,000 rows takes seconds to lay out, and a
    pipe wants lines, not boxes)."""
    if out.is_terminal:
        print_table(works_table(works), len(works), pager=pager)
    else:
        print_lines([[w.citekey, *_columns(w.record), ", ".join(w.tags)] for w in works])


def print_hits(hits: list[tuple[StoredWork, float, str]], *, pager: bool = True) -> None:
    """Search results as ``print_works`` prints works, the matched text after the title."""
    if not out.is_terminal:
        print_lines([[w.citekey, *_columns(w.record), snippet] for w, _, snippet in hits])
        return
    table = Table()
    table.add_column("citekey", style="bold cyan", no_wrap=True)
    table.add_column("author")
    table.add_column("year", justify="right")
    table.add_column("title / match", ratio=1)
    for work, _score, snippet in hits:
        match = Text(snippet, style="dim")
        match.highlight_regex(r"\[[^\]]+\]", "bold yellow")  # the matched words
        table.add_row(
            work.citekey,
            authors_short(work.record),
            str(work.record.year or ""),
            Text(work.record.full_title or "") + Text("\n") + match,
        )
    print_table(table, 2 * len(hits), pager=pager)


def _columns(record: WorkRecord) -> list[str]:
    return [authors_short(record), str(record.year or ""), record.full_title or ""]


def print_lines(rows: list[list[str]]) -> None:
    """Tab-separated lines, each field on one line (tabs and line breaks become spaces)."""
    if rows:
        text = "\n".join("\t".join(" ".join(f.split()) for f in row) for row in rows)
        sys.stdout.write(text + "\n")


def print_table(table: Table, lines: int, *, pager: bool) -> None:
    """A table on the terminal, through the pager when its ``lines`` exceed the screen."""
    if not pager or lines + 4 <= out.height:
        out.print(table)
        return
    os.environ.setdefault("LESS", "-FRX")  # quit if one screen, keep colours, leave it shown
    with out.pager(styles=True):
        out.print(table)


def results_table(results: list[ItemResult], *, title: str) -> Table:
    """The per-item summary of a batch (add, import...)."""
    styles = {
        "added": "green",
        "updated": "cyan",
        "unchanged": "dim",
        "not found": "yellow",
        "invalid": "red",
        "failed": "red",
    }
    table = Table(title=title)
    table.add_column("item", overflow="fold")
    table.add_column("outcome")
    table.add_column("citekey", style="bold cyan")
    table.add_column("detail", ratio=1)
    for result in results:
        outcome = str(result.outcome)
        table.add_row(
            result.item,
            Text(outcome, styles.get(outcome, "")),
            result.citekey or "",
            result.detail or result.title or "",
        )
    return table


def _tag_with_who(tag: str, by: str | None, at: datetime | None) -> str:
    """``screening (by ab, 2026-12-03)``; tags from before phbrefs kept who/when stay bare."""
    if not (by or at):
        return tag
    when = f"{at:%Y-%m-%d}" if at else "?"
    return f"{tag} (by {by or '?'}, {when})"


def show_work(work: StoredWork) -> None:
    """Every field of a work, its abstract with its sections, tags and notes."""
    record = work.record
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")

    def row(label: str, value: object) -> None:
        if value not in (None, "", [], {}):
            grid.add_row(label, value if isinstance(value, Text) else str(value))

    row("citekey", work.citekey)
    row("title", record.full_title)
    row("type", f"{record.type}" + (f" ({record.source_type})" if record.source_type else ""))
    for role in dict.fromkeys(c.role for c in record.contributors):
        people = []
        for c in record.contributors:
            if c.role != role:
                continue
            name = c.display_name()
            if c.orcid:
                name += f" [orcid {c.orcid}]"
            if c.affiliations:
                name += f" ({'; '.join(c.affiliations)})"
            people.append(name)
        row(role + "s", "\n".join(people))
    row("container", record.container_title)
    row("short title", record.container_short_title)
    row("series", record.collection_title)
    row("volume", record.volume)
    row("issue", record.issue)
    row("pages", record.pages)
    row("article no.", record.article_number)
    row("edition", record.edition)
    row("number", record.number)
    row("issued", record.issued)
    row("published print", record.published_print)
    row("published online", record.published_online)
    row("publisher", ", ".join(filter(None, [record.publisher, record.publisher_place])))
    row("DOI", record.doi)
    row("URL", record.url)
    row("ISSN", ", ".join(record.issn))
    row("ISBN", ", ".join(record.isbn))
    row("PMID", record.pmid)
    row("language", record.language)
    row("licence", "\n".join(record.licenses))
    row(
        "funders",
        "\n".join(
            f.name + (f" [{', '.join(f.awards)}]" if f.awards else "") for f in record.funders
        ),
    )
    row("subjects", ", ".join(record.subjects))
    row("keywords", ", ".join(record.keywords))
    for notice in record.updates:
        label = "updated by" if notice.direction == "updated-by" else "updates"
        text = Text(f"{notice.kind} {notice.doi or ''} {notice.date or ''}".strip())
        if notice.direction == "updated-by":
            text.stylize("bold red")
        row(label, text)
    row("note", record.note)
    for key, value in record.extra.items():
        row(key, value)
    row("source", record.source)
    row("tags", ", ".join(_tag_with_who(t, by, at) for t, by, at in work.tagged) or None)
    row("added", work.added_at.isoformat(sep=" "))
    row("updated", work.updated_at.isoformat(sep=" "))
    out.print(grid)
    if record.abstract_sections:
        out.print(Text("\nAbstract", style="bold underline"))
        for section in record.abstract_sections:
            if section.heading:
                out.print(Text(section.heading, style="bold"))
            out.print(section.text)
    elif record.abstract:
        out.print(Text("\nAbstract", style="bold underline"))
        out.print(record.abstract)
    if work.notes:
        out.print(Text("\nNotes", style="bold underline"))
        for note, created in work.notes:
            out.print(Text(f"[{created:%Y-%m-%d}] ", style="dim") + Text(note))
