"""Invisible control characters that must never reach LaTeX output or an identifier.

Bidirectional controls (U+202E reverses the text after it) and zero-width characters are
invisible: in a title they make pdflatex fail; in a DOI they make two equal-looking DOIs differ.
"""

from __future__ import annotations

import re

CONTROLS = "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_CONTROLS_RE = re.compile(f"[{CONTROLS}]")


def strip_controls(text: str) -> str:
    """``text`` without bidirectional and zero-width control characters."""
    return _CONTROLS_RE.sub("", text) if _CONTROLS_RE.search(text) else text
