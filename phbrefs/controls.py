"""Invisible control characters that must never reach LaTeX output or an identifier.

Bidirectional controls (U+202E reverses the text after it) and zero-width characters are
invisible: in a title they make pdflatex fail; in a DOI they make two equal-looking DOIs differ.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from phbrefs.errors import InvalidInputError

CONTROLS = "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_CONTROLS_RE = re.compile(f"[{CONTROLS}]")


def strip_controls(text: str) -> str:
    """``text`` without bidirectional and zero-width control characters."""
    return _CONTROLS_RE.sub("", text) if _CONTROLS_RE.search(text) else text


_TAG_BREAKERS = re.compile(f"[\x00-\x1f\x7f{CONTROLS}]")


def check_tag_names(names: Iterable[str]) -> None:
    """Refuse an empty tag name, or one holding a newline, a tab or an invisible control: it
    would split the tab-separated ``tags`` listing and look like another tag."""
    for name in names:
        if not name.strip():
            raise InvalidInputError("a tag name cannot be empty")
        if _TAG_BREAKERS.search(name):
            raise InvalidInputError(f"tag name {name!r} holds a control character")
