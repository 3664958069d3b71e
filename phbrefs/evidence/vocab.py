"""The controlled vocabularies of evidence coding, and the forgiving readers that map what a
reviewer types (``supp``, ``no concerns``, ``very-low``) onto the canonical values stored.
"""

from __future__ import annotations

import re

from phbrefs.errors import InvalidInputError

STANCES = ("supports", "contradicts", "mixed", "neutral")

# GRADE-CERQual: concerns about each component, and overall confidence in a review finding.
CONCERN_LEVELS = ("no or very minor", "minor", "moderate", "serious")
CONFIDENCE_LEVELS = ("high", "moderate", "low", "very low")

# component key -> (label used in tables, CLI/sheet short name)
CERQUAL_COMPONENTS: dict[str, tuple[str, str]] = {
    "methodological_limitations": ("Methodological limitations", "limitations"),
    "coherence": ("Coherence", "coherence"),
    "adequacy": ("Adequacy of data", "adequacy"),
    "relevance": ("Relevance", "relevance"),
}

DESIGNS = (
    "qualitative",
    "mixed methods",
    "quantitative",
    "RCT",
    "cluster RCT",
    "cohort",
    "case-control",
    "cross-sectional",
    "before-and-after",
    "case study",
    "economic evaluation",
    "process evaluation",
    "systematic review",
    "realist evaluation",
)

_STANCE_ALIASES = {
    "support": "supports",
    "supporting": "supports",
    "for": "supports",
    "+": "supports",
    "contradict": "contradicts",
    "contradicting": "contradicts",
    "against": "contradicts",
    "refutes": "contradicts",
    "-": "contradicts",
    "mix": "mixed",
    "both": "mixed",
    "+/-": "mixed",
    "neither": "neutral",
    "unclear": "neutral",
    "0": "neutral",
}

_CONCERN_ALIASES = {
    "no": "no or very minor",
    "none": "no or very minor",
    "very minor": "no or very minor",
    "no/very minor": "no or very minor",
    "no or very minor": "no or very minor",
    "nvm": "no or very minor",
    "minor": "minor",
    "min": "minor",
    "moderate": "moderate",
    "mod": "moderate",
    "serious": "serious",
    "major": "serious",
    "ser": "serious",
}

_CONFIDENCE_ALIASES = {
    "high": "high",
    "h": "high",
    "moderate": "moderate",
    "mod": "moderate",
    "medium": "moderate",
    "m": "moderate",
    "low": "low",
    "l": "low",
    "very low": "very low",
    "vl": "very low",
}

_DESIGN_ALIASES = {
    "qual": "qualitative",
    "mixed": "mixed methods",
    "mixed-methods": "mixed methods",
    "mixed method": "mixed methods",
    "quant": "quantitative",
    "randomised controlled trial": "RCT",
    "randomized controlled trial": "RCT",
    "rct": "RCT",
    "cluster rct": "cluster RCT",
}


def _squash(text: str) -> str:
    """Lower case, ``_``/``-`` as spaces (except in symbols), single spaces."""
    value = text.strip().lower()
    if re.search(r"[a-z]", value):
        value = re.sub(r"[_\-]+", " ", value)
    return re.sub(r"\s+", " ", value)


def _pick(text: str, what: str, allowed: tuple[str, ...], aliases: dict[str, str]) -> str:
    value = _squash(text)
    if value in allowed:
        return value
    if value in aliases:
        return aliases[value]
    if len(value) >= 3:  # an unambiguous prefix: "supp", "contra", "neut"
        matches = [a for a in allowed if a.startswith(value)]
        if len(matches) == 1:
            return matches[0]
    raise InvalidInputError(f"{text!r} is not a {what}; allowed: {', '.join(allowed)}")


def stance(text: str) -> str:
    """The canonical stance for ``text`` (``supp``, ``for``, ``against``...)."""
    return _pick(text, "stance", STANCES, _STANCE_ALIASES)


def concern_level(text: str) -> str:
    """A CERQual concern level; ``minor concerns`` and ``no concerns`` are accepted."""
    value = _squash(text)
    value = re.sub(r"\s*concerns?$", "", value).strip() or value
    return _pick(value, "CERQual concern level", CONCERN_LEVELS, _CONCERN_ALIASES)


def confidence_level(text: str) -> str:
    """A CERQual overall confidence level; ``moderate confidence`` is accepted."""
    value = re.sub(r"\s*confidence$", "", _squash(text)).strip() or _squash(text)
    return _pick(value, "CERQual confidence level", CONFIDENCE_LEVELS, _CONFIDENCE_ALIASES)


def design(text: str) -> str:
    """A known design in its usual spelling; any other design is kept as typed."""
    value = _squash(text)
    for known in DESIGNS:
        if value == known.lower():
            return known
    return _DESIGN_ALIASES.get(value, text.strip())
