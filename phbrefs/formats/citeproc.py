"""Formatted bibliographies: CSL styles rendered by citeproc-py, written as text, Markdown,
HTML or Word.

citeproc-py renders each entry into a string carrying private-use marker characters for
italics, bold and the like (see ``_MARKERS``); ``Entry.runs`` turns that into styled runs that each
writer renders in its own way, so escaping happens once, in the writer, for data and style
terms alike.
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from phbrefs import fileio
from phbrefs.errors import InvalidInputError
from phbrefs.formats.citeproc_patches import patch_citeproc
from phbrefs.formats.csljson import work_to_csl

if TYPE_CHECKING:
    from phbrefs.library import StoredWork

STYLES_DIR = Path(__file__).parent / "styles"
# Short names for the bundled styles (see styles/PROVENANCE.md).
STYLES: dict[str, str] = {
    "apa": "apa.csl",
    "vancouver": "vancouver.csl",
    "harvard": "harvard-cite-them-right.csl",
    "chicago": "chicago-author-date.csl",
}

# marker pairs (open, close) for each kind of emphasis a CSL style can ask for
_MARKERS = {
    "italic": ("\ue000", "\ue001"),
    "bold": ("\ue002", "\ue003"),
    "superscript": ("\ue004", "\ue005"),
    "subscript": ("\ue006", "\ue007"),
    "small_caps": ("\ue008", "\ue009"),
    "underline": ("\ue00a", "\ue00b"),
}
_MARKER_ROLE = {ch: (name, i == 0) for name, pair in _MARKERS.items() for i, ch in enumerate(pair)}
# CSL-JSON rich text inside titles (<i>Candida</i>...) becomes markers too
_RICH_TAGS = {
    "<i>": _MARKERS["italic"][0],
    "</i>": _MARKERS["italic"][1],
    "<b>": _MARKERS["bold"][0],
    "</b>": _MARKERS["bold"][1],
    "<sup>": _MARKERS["superscript"][0],
    "</sup>": _MARKERS["superscript"][1],
    "<sub>": _MARKERS["subscript"][0],
    "</sub>": _MARKERS["subscript"][1],
}
_RICH_RE = re.compile("|".join(re.escape(t) for t in _RICH_TAGS), re.IGNORECASE)
_LEFT_MARGIN_NUMBER = re.compile(r"^(\d+\.?)(?=\S)")


def _wrapper(kind: str) -> Callable[[object], str]:
    start, end = _MARKERS[kind]
    return lambda text: f"{start}{text}{end}"


# A citeproc-py output format (a module-like namespace) that emits the markers.
_MARKER_FORMATTER = SimpleNamespace(
    preformat=lambda text: text,
    Italic=_wrapper("italic"),
    Oblique=_wrapper("italic"),
    Bold=_wrapper("bold"),
    Light=str,
    Underline=_wrapper("underline"),
    Superscript=_wrapper("superscript"),
    Subscript=_wrapper("subscript"),
    SmallCaps=_wrapper("small_caps"),
)


@dataclass
class Run:
    """A stretch of text with one set of emphases."""

    text: str
    italic: bool = False
    bold: bool = False
    superscript: bool = False
    subscript: bool = False
    small_caps: bool = False
    underline: bool = False


@dataclass
class Entry:
    citekey: str
    marked: str  # citeproc's output with marker characters

    @property
    def runs(self) -> list[Run]:
        runs: list[Run] = []
        state = dict.fromkeys(_MARKERS, 0)
        buffer: list[str] = []

        def flush() -> None:
            if buffer:
                # CSL's flip-flop: italics inside italics (a species name in a book title) are
                # set roman again; the other emphases simply nest
                flags = {k: v % 2 == 1 if k == "italic" else v > 0 for k, v in state.items()}
                runs.append(Run("".join(buffer), **flags))
                buffer.clear()

        for ch in self.marked:
            if ch in _MARKER_ROLE:
                flush()
                kind, opening = _MARKER_ROLE[ch]
                state[kind] = state[kind] + 1 if opening else max(state[kind] - 1, 0)
            else:
                buffer.append(ch)
        flush()
        return runs

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass
class Bibliography:
    style: str  # the style's title
    entries: list[Entry] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (citekey, why not rendered)


def style_path(style: str) -> Path:
    """The CSL file for a bundled style name or a path to a ``.csl`` file."""
    if style.lower() in STYLES:
        return STYLES_DIR / STYLES[style.lower()]
    path = Path(style).expanduser()
    if path.suffix.lower() == ".csl" or path.exists():
        if not path.is_file():
            raise InvalidInputError(f"no CSL style file {style!r}")
        return path
    raise InvalidInputError(
        f"unknown style {style!r}; give one of {', '.join(STYLES)} or a path to a .csl file"
    )


def _load_style(path: Path, locale: str | None) -> Any:
    from citeproc import CitationStylesStyle

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return CitationStylesStyle(str(path), locale=locale, validate=False)
    except Exception as error:  # lxml syntax errors, unknown locale, not a CSL style...
        raise InvalidInputError(f"{path}: not a usable CSL style ({error})") from error


def _citeproc_item(work: StoredWork, ref_id: str) -> dict[str, Any]:
    item = work_to_csl(work, abstracts=False)
    item["id"] = ref_id
    item.pop("citation-key", None)
    for variable in ("title", "container-title", "collection-title"):
        if isinstance(item.get(variable), str):
            item[variable] = _RICH_RE.sub(lambda m: _RICH_TAGS[m.group(0).lower()], item[variable])
    return item


def format_bibliography(
    works: Sequence[StoredWork], style: str, *, locale: str | None = None
) -> Bibliography:
    """Render ``works`` in ``style``, sorted as the style says.

    ``locale`` (``en-GB``, ``de-DE``...) defaults to the style's own. A work the style cannot
    render is left out and named in ``problems``, never fatal.
    """
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    patch_citeproc()
    path = style_path(style)
    csl_style = _load_style(path, locale)
    if getattr(csl_style.root, "bibliography", None) is None:
        raise InvalidInputError(f"{path}: the style defines no bibliography")
    # citeproc-py lower-cases ids; neutral ids keep "Smith2020" and "smith2020" apart
    ids = {f"ref{i}": work for i, work in enumerate(works)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = CiteProcJSON([_citeproc_item(w, ref_id) for ref_id, w in ids.items()])
    bibliography = CitationStylesBibliography(csl_style, source, _MARKER_FORMATTER)
    for ref_id in ids:
        bibliography.register(Citation([CitationItem(ref_id)]))
    result = Bibliography(style=_style_title(csl_style, path))
    try:
        bibliography.sort()
    except Exception as error:  # a sort key the data cannot give: keep the order given
        result.problems.append(("(all)", f"not sorted as the style says: {error}"))
    left_margin = csl_style.root.bibliography.get("second-field-align") is not None
    quote_punctuation = (
        str(csl_style.root.bibliography.get_locale_option("punctuation-in-quote")).lower() == "true"
    )
    for item in bibliography.items:
        key = ids[item.key].citekey
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rendered = csl_style.render_bibliography([item])
        except Exception as error:  # citeproc-py raises bare errors on data it cannot handle
            result.problems.append((key, f"the style cannot render it: {error!r}"))
            continue
        text = str(rendered[0]).strip() if rendered else ""
        if not text:
            result.problems.append((key, "the style rendered nothing for it"))
            continue
        if left_margin:  # citeproc-py drops the gap after a left-margin number ("1.Welch")
            text = _LEFT_MARGIN_NUMBER.sub(r"\1 ", text)
        text = _tidy_punctuation(text, quote_punctuation)
        result.entries.append(Entry(key, text))
    return result


_DOUBLE_STOP = re.compile(r"([?!.;])([\ue000-\ue00b”’]*)\.")
_STOP_AFTER_QUOTE = re.compile(r"”([\ue000-\ue00b]*)([.,])")


def _tidy_punctuation(text: str, punctuation_in_quote: bool) -> str:
    """What citeproc-py leaves undone: "integration?." becomes "integration?", and in
    American styles a full stop or comma after a closing quote moves inside it."""
    text = _DOUBLE_STOP.sub(r"\1\2", text)
    if punctuation_in_quote:
        text = _STOP_AFTER_QUOTE.sub(r"\2”\1", text)
        text = _DOUBLE_STOP.sub(r"\1\2", text)
    return text


def _style_title(csl_style: Any, path: Path) -> str:
    try:
        return str(csl_style.root.info.title.text)
    except AttributeError:
        return path.stem


# -- writers ----------------------------------------------------------------------------------


def to_text(bibliography: Bibliography) -> str:
    return "".join(entry.text + "\n" for entry in bibliography.entries)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def to_markdown(bibliography: Bibliography) -> str:
    """One paragraph per entry; italics as ``*...*``, bold as ``**...**``."""
    lines = []
    for entry in bibliography.entries:
        parts = []
        for run in entry.runs:
            text = _md_escape(run.text)
            stripped = text.strip()
            if not stripped:
                parts.append(text)
                continue
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            if run.superscript:
                stripped = f"^{stripped}^"
            elif run.subscript:
                stripped = f"~{stripped}~"
            if run.bold:
                stripped = f"**{stripped}**"
            if run.italic:
                stripped = f"*{stripped}*"
            parts.append(lead + stripped + trail)
        lines.append("".join(parts))
    return "\n\n".join(lines) + ("\n" if lines else "")


_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"]+[^\s<>\".,;:)\]]")


def _html_text(text: str) -> str:
    """Escaped text with its URLs (DOIs included) made into links."""
    out, last = [], 0
    for match in _URL.finditer(text):
        url = html.escape(match.group(0))
        out += [html.escape(text[last : match.start()], quote=False), f'<a href="{url}">{url}</a>']
        last = match.end()
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


def entry_html(entry: Entry) -> str:
    """One entry as an HTML fragment (escaped, italics as ``<i>``, URLs as links)."""
    out = []
    for run in entry.runs:
        text = _html_text(run.text)
        for flag, tag in (
            ("italic", "i"),
            ("bold", "b"),
            ("superscript", "sup"),
            ("subscript", "sub"),
            ("underline", "u"),
        ):
            if getattr(run, flag):
                text = f"<{tag}>{text}</{tag}>"
        if run.small_caps:
            text = f'<span style="font-variant:small-caps">{text}</span>'
        out.append(text)
    return "".join(out)


def to_html(bibliography: Bibliography, *, title: str = "References") -> str:
    """A standalone HTML page; every piece of data is escaped."""
    entries = "\n".join(
        f'<div class="csl-entry" id="ref-{html.escape(e.citekey)}">{entry_html(e)}</div>'
        for e in bibliography.entries
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        "<style>.csl-entry{margin:0 0 .8em 2em;text-indent:-2em;line-height:1.4}</style>\n"
        "</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        f'<div class="csl-bib-body" data-style="{html.escape(bibliography.style)}">\n'
        f"{entries}\n</div>\n</body>\n</html>\n"
    )


def write_docx(bibliography: Bibliography, path: Path, *, title: str = "References") -> None:
    """A Word document: a heading, then one hanging-indent paragraph per entry with real runs."""
    from docx import Document
    from docx.shared import Cm

    document = Document()
    document.add_heading(title, level=1)
    for entry in bibliography.entries:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(1.27)
        paragraph.paragraph_format.first_line_indent = Cm(-1.27)
        for run in entry.runs:
            word_run = paragraph.add_run(run.text)
            word_run.italic = run.italic or None
            word_run.bold = run.bold or None
            word_run.underline = run.underline or None
            word_run.font.superscript = run.superscript or None
            word_run.font.subscript = run.subscript or None
            word_run.font.small_caps = run.small_caps or None
    fileio.write_with(path, document.save)
