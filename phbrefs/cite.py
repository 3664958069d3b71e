"""Citations in manuscripts: find them, resolve them against the library, export exactly those.

Pandoc Markdown (``[@key]``, ``[@a, p. 3; -@b]``, ``@key`` in text, ``nocite`` in the front
matter) and LaTeX (the natbib and biblatex ``\\cite`` families, ``\\nocite{*}``) are read.
Code, comments, URLs and e-mail addresses are never taken for citations.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from phbrefs.errors import InvalidInputError, UnknownKeyError

if TYPE_CHECKING:
    from phbrefs.library import Library, StoredWork

LATEX_SUFFIXES = frozenset({".tex", ".ltx", ".latex"})

# pandoc: a key starts with a letter, digit or _, and may hold internal punctuation :.#$%&-+?<>~/
_PANDOC_KEY = r"\w(?:\w|[:.#$%&\-+?<>~/]+(?=\w))*"
_PANDOC_CITE = re.compile(rf"(?<![\w@\\])-?@(?:\{{([^{{}}\n]+)\}}|({_PANDOC_KEY}))", re.UNICODE)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[`~]*[ \t]*$|\Z)", re.M | re.S)
# a code span ends at its paragraph: an unmatched backtick hides nothing beyond a blank line
_CODE_SPAN = re.compile(r"(`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)\1(?!`)", re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_AUTOLINK = re.compile(r"(?<![\w@])<[A-Za-z][A-Za-z0-9+.\-]+:[^\s<>]*>")
_LINK_TARGET = re.compile(r"\]\([^)\s]*")
_BARE_URL = re.compile(r"(?<!\{)\b(?:https?|ftp|mailto):[^\s<>\])]+", re.I)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
# Quarto (@fig-plot) and pandoc-crossref (@fig:plot) cross-references to figures, tables...
_CROSS_REFERENCE = re.compile(r"^(?:fig|tbl|sec|eq|lst|thm|lem|cor|prp|cnj|def|exm|exr)[-:]\w")
_NOCITE_ALL = re.compile(r"(?<![\w@\\])@\*")

_LATEX_COMMAND = re.compile(r"\\([A-Za-z]*[Cc]ite[A-Za-z]*|nocite)\b\*?")
_NOT_CITATIONS = frozenset({"citestyle", "citesetup", "citereset", "citeform"})
_MULTICITE = re.compile(r"^(?:[Pp]aren|[Tt]ext|[Aa]uto|[Ff]oot|[Ss]mart|[Ss]uper)?cites$")
_LATEX_INCLUDE = re.compile(r"\\(?:input|include|subfile)\s*\{([^{}]+)\}")
_ADDBIBRESOURCE = re.compile(r"\\addbibresource\s*(?:\[[^\]]*\])?\s*\{([^{}]+)\}")
_BIBLIOGRAPHY = re.compile(r"\\bibliography\s*\{([^{}]+)\}")
_LATEX_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_VERBATIM = re.compile(
    r"\\begin\{(verbatim\*?|lstlisting|minted|comment)\}.*?\\end\{\1\}|\\verb\*?(\S).*?\2", re.S
)


@dataclass(frozen=True)
class Citation:
    """One key where it is cited (1-based line and column; ``path`` when read from a file)."""

    key: str
    line: int
    column: int
    path: Path | None = None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.path else f"line {self.line}"


@dataclass
class ScanResult:
    citations: list[Citation] = field(default_factory=list)
    cite_all: bool = False  # ``\nocite{*}`` or ``nocite: '@*'``: every work in the library
    files: list[Path] = field(default_factory=list)  # every file read (\input ones included)
    # \input or \include targets not found, as "main.tex:3: \include{ch2}: no such file ..."
    missing: list[str] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        """Each cited key once, in order of first citation."""
        return list(dict.fromkeys(c.key for c in self.citations))


def _blank(match: re.Match[str]) -> str:
    """Mask a region but keep its newlines, so lines and columns stay true."""
    return re.sub(r"[^\n]", " ", match.group(0))


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _scan_pandoc(text: str) -> ScanResult:
    result = ScanResult()
    front = _FRONT_MATTER.match(text)
    if front and _NOCITE_ALL.search(front.group(1)):
        result.cite_all = True
    masked = text
    for pattern in (_FENCE, _HTML_COMMENT, _CODE_SPAN, _AUTOLINK, _LINK_TARGET, _BARE_URL):
        masked = pattern.sub(_blank, masked)
    for match in _PANDOC_CITE.finditer(masked):
        key = match.group(1) or match.group(2)
        if not match.group(1) and _CROSS_REFERENCE.match(key):
            continue
        start = match.start(1) if match.group(1) else match.start(2)
        result.citations.append(Citation(key, *_position(text, start)))
    latex = _scan_latex_masked(masked, text)
    result.citations = sorted(result.citations + latex.citations, key=lambda c: (c.line, c.column))
    result.cite_all = result.cite_all or latex.cite_all
    return result


def _scan_latex(text: str) -> ScanResult:
    masked = _VERBATIM.sub(_blank, text)
    masked = _LATEX_COMMENT.sub(_blank, masked)
    return _scan_latex_masked(masked, text)


def _skip_group(text: str, start: int, opening: str, closing: str) -> int | None:
    """The index just after the balanced group opening at ``start`` (None if unclosed)."""
    depth = 0
    for index in range(start, len(text)):
        ch = text[index]
        if ch == "\\":
            continue
        if ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return index + 1
    return None


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\n":
        index += 1
    return index


def _scan_latex_masked(masked: str, text: str) -> ScanResult:
    result = ScanResult()
    for command in _LATEX_COMMAND.finditer(masked):
        name = command.group(1)
        if name in _NOT_CITATIONS:
            continue
        multi = bool(_MULTICITE.match(name))
        index = command.end()
        while True:
            index = _skip_space(masked, index)
            if index >= len(masked):
                break
            ch = masked[index]
            if ch in "[(":
                end = _skip_group(masked, index, ch, "]" if ch == "[" else ")")
                if end is None:
                    break
                index = end
                continue
            if ch != "{":
                break
            end = _skip_group(masked, index, "{", "}")
            if end is None:
                break
            offset = index + 1
            for part in masked[index + 1 : end - 1].split(","):
                key = part.strip()
                if key == "*":
                    result.cite_all = True
                elif key:
                    start = offset + part.index(key)
                    result.citations.append(Citation(key, *_position(text, start)))
                offset += len(part) + 1
            index = end
            if not multi:
                break
    return result


def manuscript_kind(path: Path) -> str:
    """``latex`` for .tex files; anything else is read as pandoc Markdown."""
    return "latex" if path.suffix.lower() in LATEX_SUFFIXES else "markdown"


def scan_text(text: str, kind: str = "markdown") -> ScanResult:
    """Every citation in a manuscript's text, in reading order."""
    if kind == "latex":
        return _scan_latex(text)
    if kind == "markdown":
        return _scan_pandoc(text)
    raise InvalidInputError(f"unknown manuscript kind {kind!r}")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInputError(f"no such manuscript: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInputError(f"cannot read {path}: {error}") from None


def _included(path: Path, text: str, root: Path, missing: list[str]) -> list[tuple[int, int, Path]]:
    """Files a LaTeX file pulls in with \\input, \\include or \\subfile: (line, column, path).

    LaTeX looks for them relative to the main file's folder (``root``); the including file's
    own folder is tried next, as the ``import`` package does. One that is in neither is
    described in ``missing`` (its citations cannot be read).
    """
    masked = _LATEX_COMMENT.sub(_blank, _VERBATIM.sub(_blank, text))
    found = []
    for match in _LATEX_INCLUDE.finditer(masked):
        name = match.group(1).strip()
        tried = []
        for folder in dict.fromkeys([root, path.parent]):
            target = folder / name
            if not target.suffix:
                target = target.with_suffix(".tex")
            if target.is_file():
                found.append((*_position(text, match.start()), target))
                break
            tried.append(str(target))
        else:
            line, command = _position(text, match.start())[0], match.group(0)
            missing.append(
                f"{path}:{line}: {command}: no such file ({' or '.join(tried)}); "
                "its citations are not read"
            )
    return found


def scan_file(path: Path, _seen: set[Path] | None = None, _root: Path | None = None) -> ScanResult:
    """The citations of a manuscript file, following a LaTeX file's \\input and \\include."""
    seen = _seen if _seen is not None else set()
    root = _root if _root is not None else path.parent
    seen.add(path.resolve())
    text = _read(path)
    kind = manuscript_kind(path)
    own = scan_text(text, kind)
    events: list[tuple[int, int, list[Citation]]] = [
        (c.line, c.column, [replace(c, path=path)]) for c in own.citations
    ]
    result = ScanResult(cite_all=own.cite_all, files=[path])
    if kind == "latex":
        for line, column, target in _included(path, text, root, result.missing):
            if target.resolve() in seen:
                continue
            child = scan_file(target, seen, root)
            events.append((line, column, child.citations))
            result.cite_all = result.cite_all or child.cite_all
            result.files += child.files
            result.missing += child.missing
    result.citations = [c for *_, group in sorted(events, key=lambda e: e[:2]) for c in group]
    return result


def scan_files(paths: Sequence[Path]) -> ScanResult:
    """The citations of several manuscript files (a thesis in chapters), in the order given."""
    result = ScanResult()
    seen: set[Path] = set()
    for path in paths:
        if path.resolve() in seen:
            continue
        scan = scan_file(path, seen)
        result.citations += scan.citations
        result.cite_all = result.cite_all or scan.cite_all
        result.files += scan.files
        result.missing += scan.missing
    return result


@dataclass
class UnknownCitation:
    key: str
    citations: list[Citation]
    suggestion: str | None


@dataclass
class Resolved:
    """The works a manuscript cites, and the keys the library does not know."""

    works: list[StoredWork] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # key as cited -> citekey in library
    unknown: list[UnknownCitation] = field(default_factory=list)


def resolve(library: Library, scan: ScanResult) -> Resolved:
    """Resolve cited keys through citekeys, aliases and DOIs; never raises for unknown keys."""
    resolved = Resolved()
    ids: dict[str, int] = {}
    for key, found in library.resolve_keys(scan.keys).items():
        if isinstance(found, UnknownKeyError):
            where = [c for c in scan.citations if c.key == key]
            resolved.unknown.append(UnknownCitation(key, where, found.suggestion))
        else:
            ids[key] = found
    works = library.works(keys=list(ids)) if ids else []
    if scan.cite_all:
        cited = {w.id for w in works}
        works += [w for w in library.works() if w.id not in cited]
    citekeys = {w.id: w.citekey for w in works}
    resolved.works = works
    resolved.keys = {key: citekeys[work_id] for key, work_id in ids.items()}
    return resolved


@dataclass(frozen=True)
class DeclaredBibliography:
    """The bibliography file a manuscript names, and the format its toolchain expects."""

    path: Path
    format: str | None  # biblatex for \\addbibresource; otherwise from the extension


def declared_bibliography(path: Path) -> DeclaredBibliography | None:
    """The first bibliography ``path`` names: ``bibliography:`` in pandoc's YAML front matter,
    ``\\addbibresource{…}`` (biblatex) or ``\\bibliography{…}`` (BibTeX) in LaTeX."""
    text = _read(path)
    if manuscript_kind(path) == "markdown":
        front = _FRONT_MATTER.match(text)
        if not front:
            return None
        import yaml

        try:
            meta = yaml.safe_load(front.group(1))
        except yaml.YAMLError as error:
            raise InvalidInputError(f"{path}: unreadable YAML front matter: {error}") from None
        names = meta.get("bibliography") if isinstance(meta, dict) else None
        name = names[0] if isinstance(names, list) and names else names
        return DeclaredBibliography(path.parent / name, None) if isinstance(name, str) else None
    masked = _LATEX_COMMENT.sub(_blank, _VERBATIM.sub(_blank, text))
    if match := _ADDBIBRESOURCE.search(masked):
        return DeclaredBibliography(path.parent / match.group(1).strip(), "biblatex")
    if match := _BIBLIOGRAPHY.search(masked):
        name = match.group(1).split(",")[0].strip()
        target = path.parent / name
        return DeclaredBibliography(target if target.suffix else target.with_suffix(".bib"), None)
    return None


def output_format(output: Path | None, fmt: str | None) -> str | None:
    """The export format: ``fmt`` if given, else from ``output``'s extension (None: no export)."""
    from phbrefs.formats import FORMATS, format_for_path

    if fmt:
        if fmt not in FORMATS:
            raise InvalidInputError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
        return fmt
    if output is None:
        return None
    name = format_for_path(output)
    if name is None:
        raise InvalidInputError(
            f"cannot tell the format of {output.name!r} from its extension; give --format"
        )
    return name


def export_text(works: Sequence[StoredWork], fmt: str, *, abstracts: bool = False) -> str:
    from phbrefs.formats import get_exporter

    return get_exporter(fmt).export(works, abstracts=abstracts)


def watch(
    paths: Sequence[Path],
    on_change: Callable[[], Sequence[Path] | None],
    *,
    interval: float = 1.0,
    max_iterations: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Call ``on_change`` now and whenever one of ``paths`` changes (size or modification time).

    ``on_change`` may return the files to watch from then on (a manuscript that gained an
    ``\\input``). Polls every ``interval`` seconds until interrupted (Ctrl-C) or, for tests and
    scripts, ``max_iterations`` polls. Returns how many times ``on_change`` ran.
    """

    def stamp(path: Path) -> tuple[int, int] | None:
        try:
            info = path.stat()
        except FileNotFoundError:
            return None
        return info.st_mtime_ns, info.st_size

    def run() -> dict[Path, tuple[int, int] | None]:
        watched = on_change() or paths
        return {path: stamp(path) for path in watched}

    last = run()
    runs = 1
    polls = 0
    while max_iterations is None or polls < max_iterations:
        sleep(interval)
        polls += 1
        current = {path: stamp(path) for path in last}
        changed = [p for p, now in current.items() if now != last[p] and now is not None]
        if changed:
            last = run()
            runs += 1
        else:
            last = {p: now if now is not None else last[p] for p, now in current.items()}
    return runs
