"""JATS (and stray HTML) markup from Crossref turned into clean text.

Crossref abstracts are JATS fragments (``<jats:p>``, ``<jats:sec>``, ``<jats:title>``,
``<jats:italic>``...), titles carry inline HTML or MathML (``<i>``, ``<sub>``, ``<scp>``,
``<mml:math>``), and both may hold HTML entities. Publishers are not consistent about namespaces
or well-formedness, so this reads them with the forgiving stdlib HTML parser, not an XML one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from phbrefs.records import AbstractSection

# Elements that end a block of text (a paragraph); everything else is inline and left as text.
_BLOCKS = frozenset(
    "p sec title label list list-item def-item disp-quote fig table-wrap caption "
    "abstract trans-abstract br div li ul ol h1 h2 h3 h4 h5 h6 tr".split()
)
# Elements whose content is not prose: MathML annotations (a TeX copy of the formula), objects.
_SKIPPED = frozenset("annotation annotation-xml object-id graphic inline-graphic".split())
# Leading headings that only announce the abstract itself.
_ABSTRACT_LABELS = frozenset(
    {"abstract", "summary", "graphical abstract", "résumé", "background and abstract"}
)
# Elements that head a section: JATS titles, and the HTML headings of Europe PMC abstracts.
_HEADINGS = frozenset("title h1 h2 h3 h4 h5 h6".split())
_SPACE_BEFORE_PUNCT = re.compile(r" ([,.;:!?)\]])")  # after _tidy's split: single spaces only


def _local(tag: str) -> str:
    """``jats:p`` -> ``p``; ``mml:annotation`` -> ``annotation``."""
    return tag.rsplit(":", 1)[-1].lower()


def _tidy(text: str) -> str:
    """Runs of whitespace as one space, none at the ends or before closing punctuation.

    ``str.split`` splits on exactly what ``\\s`` matches (``str.isspace``) at a third of the
    cost of a regular expression: every title, name and abstract paragraph passes here.
    """
    text = " ".join(text.split())
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text)


@dataclass
class _Block:
    kind: str  # "title" or "text"
    text: str
    depth: int  # how many <sec> elements enclose it


class _BlockParser(HTMLParser):
    """Splits markup into title and text blocks, with the section depth of each."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self._buffer: list[str] = []
        self._depth = 0
        self._skip = 0
        self._in_title = 0

    def _flush(self) -> None:
        text = _tidy("".join(self._buffer))
        self._buffer.clear()
        if text:
            kind = "title" if self._in_title else "text"
            self.blocks.append(_Block(kind, text, self._depth))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = _local(tag)
        if name in _SKIPPED:
            self._skip += 1
        elif name in _BLOCKS:
            self._flush()
            if name == "sec":
                self._depth += 1
            elif name in _HEADINGS:
                self._in_title += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if _local(tag) in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        name = _local(tag)
        if name in _SKIPPED:
            self._skip = max(0, self._skip - 1)
        elif name in _BLOCKS:
            self._flush()
            if name == "sec":
                self._depth = max(0, self._depth - 1)
            elif name in _HEADINGS:
                self._in_title = max(0, self._in_title - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _blocks(markup: str) -> list[_Block]:
    parser = _BlockParser()
    parser.feed(markup)
    parser.close()
    return parser.blocks


def strip_markup(text: str | None) -> str | None:
    """Inline markup removed and entities decoded: ``<i>E. coli</i> &amp; X`` -> ``E. coli & X``."""
    if text is None:
        return None
    if "<" not in text and "&" not in text:  # most titles: no markup, the parser would
        return _tidy(text) or None  # hand the whole text back as one block
    cleaned = _tidy(" ".join(block.text for block in _blocks(text)))
    return cleaned or None


@dataclass
class Abstract:
    text: str
    sections: list[AbstractSection]


def parse_abstract(markup: str | None) -> Abstract | None:
    """Clean text of a JATS abstract, and its (heading, text) sections when it is structured.

    A leading "Abstract" title is dropped. In a structured abstract each section's heading
    starts its paragraph in the text (``Purpose: ...``) so the text reads well on its own.
    """
    if not markup or not markup.strip():
        return None
    blocks = _blocks(markup)
    if blocks and blocks[0].kind == "title" and blocks[0].text.lower() in _ABSTRACT_LABELS:
        blocks = blocks[1:]
    sections: list[AbstractSection] = []
    heading: str | None = None
    paragraphs: list[str] = []

    def close_section() -> None:
        if heading is not None or paragraphs:
            sections.append(AbstractSection(heading, "\n\n".join(paragraphs)))

    for block in blocks:
        if block.kind == "title":
            close_section()
            heading, paragraphs = block.text.rstrip(":"), []
        else:
            paragraphs.append(block.text)
    close_section()
    sections = [s for s in sections if s.text or s.heading]
    if not sections:
        return None
    structured = any(s.heading for s in sections)
    if not structured:
        return Abstract("\n\n".join(s.text for s in sections), [])
    sections = [s for s in sections if s.text]
    text = "\n\n".join(f"{s.heading}: {s.text}" if s.heading else s.text for s in sections)
    return Abstract(text, sections)
