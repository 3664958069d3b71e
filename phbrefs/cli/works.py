"""Library commands: list, show, search, tag, note, remove, tags, config."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from phbrefs.cli import context
from phbrefs.cli.base import PhbrefsTyper
from phbrefs.cli.context import (
    confirm,
    counted,
    message,
    open_library,
    open_reader,
    out,
    print_json,
)
from phbrefs.cli.options import JsonOption

KeyArgument = Annotated[str, typer.Argument(metavar="KEY", help="A citekey or DOI.")]
KeysArgument = Annotated[
    list[str], typer.Argument(metavar="KEY", help="Citekeys or DOIs.", show_default=False)
]
SORT_ORDERS = ("citekey", "year", "author", "added", "title")


def list_works(
    tag: Annotated[
        list[str],
        typer.Option("--tag", "-t", metavar="TAG", help="Only works with this tag (repeat: all)."),
    ] = [],  # noqa: B006
    year_from: Annotated[
        int | None, typer.Option("--from", metavar="YEAR", help="Published in or after YEAR.")
    ] = None,
    year_to: Annotated[
        int | None, typer.Option("--to", metavar="YEAR", help="Published in or before YEAR.")
    ] = None,
    type_: Annotated[
        list[str],
        typer.Option(
            "--type", metavar="TYPE", help="CSL or source type, e.g. article-journal (repeat)."
        ),
    ] = [],  # noqa: B006
    text: Annotated[
        str | None,
        typer.Option(
            "--text", metavar="TEXT", help="Substring of title, author, journal, key or DOI."
        ),
    ] = None,
    sort: Annotated[
        str, typer.Option(metavar="ORDER", help=f"Sort by {', '.join(SORT_ORDERS)}.")
    ] = "citekey",
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", metavar="N", min=1, help="Only the first N works."),
    ] = None,
    pager: Annotated[
        bool,
        typer.Option(
            "--pager/--no-pager",
            help="On a terminal, page a list longer than the screen ($PAGER, else less).",
        ),
    ] = True,
    notice: Annotated[
        str | None,
        typer.Option(
            "--notice",
            metavar="KIND",
            help="Only works with a notice: retraction, correction, concern or any.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the works in the library.

    On a terminal, a table (paged when longer than the screen); into a pipe or file, one
    tab-separated line per work: citekey, authors, year, title, tags.
    """
    if sort not in SORT_ORDERS:
        raise typer.BadParameter(f"{sort!r}; choose {', '.join(SORT_ORDERS)}", param_hint="--sort")
    notice_kinds = ("retraction", "correction", "concern", "any")
    if notice is not None and notice not in notice_kinds:
        raise typer.BadParameter(
            f"{notice!r}; choose {', '.join(notice_kinds)}", param_hint="--notice"
        )
    from phbrefs.db.reader import listing

    filters = {
        "tags": tag,
        "year_from": year_from,
        "year_to": year_to,
        "types": type_,
        "text_filter": text,
        "order": sort,
    }
    if notice is not None:  # retractions and corrections (issue 12: phbrefs/integrity.py)
        works, total = _with_notice(notice, limit=limit, as_dicts=as_json, **filters)
    else:
        with open_reader() as library:
            works, total = listing(library, limit=limit, as_dicts=as_json, **filters)
    if as_json:
        print_json(works)
    else:
        from phbrefs.cli.render import print_works

        print_works(works, pager=pager)
    shown = f"{len(works)} of {total:,} works (--limit)" if len(works) < total else ""
    message(shown or counted(total, "work"))


def _with_notice(
    notice: str, *, limit: int | None, as_dicts: bool, **filters: Any
) -> tuple[list[Any], int]:
    """``listing`` of the works carrying a notice of this kind (read from the full library:
    notices live in its enrichment tables)."""
    from phbrefs.integrity import matches, work_notices

    with open_library() as library:
        works = library.works(**filters)
        found = work_notices(library, [w.id for w in works])
    works = [w for w in works if matches(found.get(w.id, []), notice)]
    shown = works[:limit]
    return ([w.to_dict() for w in shown] if as_dicts else shown), len(works)


def show(
    key: KeyArgument,
    as_json: JsonOption = False,
    raw: Annotated[
        bool, typer.Option("--raw", help="JSON with the stored source records (Crossref JSON).")
    ] = False,
) -> None:
    """Show every field of one work: abstract, tags and notes."""
    with open_reader() as library:
        work = library.get(key)
        sources = library.source_records(key) if raw else None
        enrichment = library.enrichment_of(key)  # provenance, identifiers, notices, OA copies
    if as_json or raw:
        data = {**work.to_dict(), **enrichment}
        if sources is not None:
            data["source_records"] = sources
        print_json(data)
        return
    from phbrefs.cli.enrich import notice_banner, show_enrichment
    from phbrefs.cli.render import show_work

    notice_banner(enrichment)
    show_work(work)
    show_enrichment(enrichment)


def search(
    query: Annotated[
        str,
        typer.Argument(metavar="QUERY", help='Words, or FTS5 syntax: "exact phrase", OR, NOT.'),
    ],
    limit: Annotated[int, typer.Option(metavar="N", min=1, help="At most N results.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Ranked full-text search (titles, abstracts, authors, notes).

    Searches title, abstract, authors, journal, keywords and notes; title and author matches rank
    highest. Into a pipe, one tab-separated line per hit: citekey, authors, year, title, match.
    """
    with open_reader() as library:
        hits = library.search(query, limit=limit)
    if as_json:
        print_json([{**w.to_dict(), "score": score, "match": snip} for w, score, snip in hits])
        return
    from phbrefs.cli.render import print_hits

    print_hits(hits)
    message(f"{len(hits)} match{'es' if len(hits) != 1 else ''}")


def tag(
    keys: KeysArgument,
    add: Annotated[
        list[str], typer.Option("--add", "-a", metavar="TAG", help="Tag to add (repeat).")
    ] = [],  # noqa: B006
    remove: Annotated[
        list[str], typer.Option("--remove", "-r", metavar="TAG", help="Tag to remove (repeat).")
    ] = [],  # noqa: B006
) -> None:
    """Add or remove tags on works."""
    if not add and not remove:
        raise typer.BadParameter("give --add TAG or --remove TAG")
    with open_library() as library:
        added, removed = library.tag(keys, add=add, remove=remove)
    # what changed: "removed 0 tags" says a tag to remove was not there
    changes = [f"added {counted(added, 'tag')}"] if add else []
    changes += [f"removed {counted(removed, 'tag')}"] if remove else []
    message(f"{' and '.join(changes)} on {counted(len(keys), 'work')}")


def tags(as_json: JsonOption = False) -> None:
    """List tags with how many works carry each."""
    with open_reader() as library:
        rows = library.tags()
    if as_json:
        print_json([{"tag": name, "works": n} for name, n in rows])
        return
    for name, n in rows:
        out.print(f"{name}\t{n}", markup=False, highlight=False)


def note(
    key: KeyArgument,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The note (searchable).")],
) -> None:
    """Attach a note to a work."""
    with open_library() as library:
        work = library.add_note(key, text)
    message(f"noted {work.citekey} ({counted(len(work.notes), 'note')})")


def remove(
    keys: KeysArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete works with their tags, notes, findings and studies."""
    with open_library() as library:
        dependents = library.dependents(keys)
        lines = []
        for key, counts in dependents.items():
            extra = ", ".join(counted(n, what) for what, n in counts.items())
            lines.append(f"{key}" + (f" (with {extra})" if extra else ""))
        confirm(f"Delete {counted(len(lines), 'work')}: {'; '.join(lines)}?", yes=yes)
        removed = library.remove(keys)
    message(f"removed {', '.join(removed)}")


config_app = PhbrefsTyper(help="Show and change settings (config file, environment, defaults).")


@config_app.command("list")
def config_list(as_json: JsonOption = False) -> None:
    """Every setting, its value and where it comes from."""
    import os

    from rich.text import Text

    from phbrefs.config import SETTINGS, config_path, read_config_file

    current = context.settings()
    in_file = read_config_file()
    rows = []
    for key, (env, _default, help_text) in SETTINGS.items():
        origin = "env" if os.environ.get(env) else "file" if key in in_file else "default"
        if key == "db" and context.state.db:
            origin = "option"
        value = _shown(key, getattr(current, key))
        rows.append(
            {
                "key": key,
                "value": None if value is None else str(value),
                "origin": origin,
                "env": env,
                "help": help_text,
            }
        )
    if as_json:
        print_json({"config_file": str(config_path()), "settings": rows})
        return
    for r in rows:
        value = r["value"] if r["value"] is not None else ""
        out.print(
            Text(f"{r['key']} = {value}  ") + Text(f"({r['origin']}; {r['env']})", style="dim")
        )


SettingArgument = Annotated[
    str,
    typer.Argument(
        metavar="NAME", help="db, crossref_url, mailto, exports_dir, cache, timeout or coder."
    ),
]


def _shown(key: str, value: object) -> str | None:
    """A setting's value as text; the cache turned off reads ``off``."""
    if key == "cache" and value is None:
        return "off"
    if isinstance(value, tuple):  # the enrichment chain
        return ",".join(value)
    return None if value is None else str(value)


@config_app.command("get")
def config_get(key: SettingArgument) -> None:
    """Print one setting's value."""
    from phbrefs.config import SETTINGS
    from phbrefs.errors import InvalidInputError

    if key not in SETTINGS:
        raise InvalidInputError(f"unknown setting {key!r}; known: {', '.join(SETTINGS)}")
    value = _shown(key, getattr(context.settings(), key))
    out.print(value or "", markup=False, highlight=False)


@config_app.command("set")
def config_set(
    key: SettingArgument,
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The new value.")],
) -> None:
    """Store a setting in the config file.

    For example: phbrefs config set mailto me@uni.ac.uk
    """
    from phbrefs.config import SETTINGS, Settings, write_config_value

    if key in SETTINGS:  # an unusable value would break every later command: refuse it now
        Settings.load(**{key: value})  # the same checks as a value from the environment or file
    path = write_config_value(key, value)
    message(f"{key} = {value} (in {path})")


@config_app.command("unset")
def config_unset(key: SettingArgument) -> None:
    """Remove a setting from the config file."""
    from phbrefs.config import write_config_value

    path = write_config_value(key, None)
    message(f"{key} unset (in {path})")


@config_app.command("path")
def config_file_path() -> None:
    """Print where the config file is."""
    from phbrefs.config import config_path

    out.print(str(config_path()))


def register(app: typer.Typer) -> None:
    app.command("list")(list_works)
    app.command()(show)
    app.command()(search)
    app.command()(tag)
    app.command()(tags)
    app.command()(note)
    app.command()(remove)
    app.add_typer(config_app, name="config")
