"""Study characteristics per paper, and participant groups read from the way papers state them
("20 interviews with organisational representatives at two time points; 23 budget holders").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from phbrefs.errors import InvalidInputError
from phbrefs.evidence import vocab
from phbrefs.formats.limits import storable_int

if TYPE_CHECKING:
    from phbrefs.library import Library

# The study fields a reviewer extracts, in the order forms and tables show them.
STUDY_FIELDS: dict[str, str] = {
    "aim": "Aim",
    "design": "Design",
    "data_collection": "Data collection",
    "setting": "Setting",
    "country": "Country",
    "period": "Period",
    "analysis": "Analysis",
    "framework": "Framework",
    "funding": "Funding",
    "key_findings": "Key findings",
}

# Units of data (not people) and the word that joins them to whom they came from.
UNITS: dict[str, str] = {
    "interviews": "with",
    "interview": "with",
    "semi-structured interviews": "with",
    "focus groups": "with",
    "focus group": "with",
    "group interviews": "with",
    "workshops": "with",
    "observations": "of",
    "support plans": "from",
    "support plan": "from",
    "care plans": "from",
    "survey responses": "from",
    "survey response": "from",
    "online survey responses": "from",
    "questionnaires": "from",
    "questionnaire": "from",
    "responses": "from",
    "documents": "from",
    "case notes": "from",
    "case files": "from",
    "records": "from",
}

_NUMBER_WORDS = {
    word: n
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100})
_COUNT = r"(?:\d[\d,]*(?:\.\d+)?|-\d+|" + "|".join(_NUMBER_WORDS) + r")"
_CONNECTORS = r"(?:with|among|amongst|from|of|by)"
_DETAIL_START = re.compile(
    r"\s+(?=(?:at|over|across|during|between|per|each|were|was|who|completed|took)\s)|\s*(?=\()",
    re.IGNORECASE,
)


@dataclass
class Group:
    """A participant group or a body of data: label, count, unit and detail."""

    label: str
    count: int | None = None
    unit: str | None = None  # interviews, support plans... (None: people)
    detail: str | None = None

    def describe(self) -> str:
        """The group as a phrase that ``parse_participants`` reads back to the same group."""
        words: list[str] = []
        if self.count is not None:
            words.append(str(self.count))
        if self.unit and self.unit != self.label:
            words += [self.unit, UNITS.get(self.unit.lower(), "with"), self.label]
        else:
            words.append(self.label)
        if self.detail:
            words.append(self.detail)
        return " ".join(words)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _parse_count(token: str, phrase: str) -> int:
    word = token.lower()
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    digits = word.replace(",", "")
    if not re.fullmatch(r"\d+", digits):
        raise InvalidInputError(f"bad count {token!r} in {phrase!r}: use a whole number")
    if len(digits) > 19 or not storable_int(int(digits)):  # (int() refuses 4,300 digits)
        raise InvalidInputError(f"bad count {token!r} in {phrase!r}: too large")
    return int(digits)


def parse_group(phrase: str) -> Group:
    """One group: ``23 budget holders``, ``20 interviews with organisational representatives at
    two time points``, ``budget holders (n=23)``."""
    text = " ".join(phrase.strip().strip(".").split())
    if not text:
        raise InvalidInputError("an empty participant group")
    count: int | None = None
    match = re.match(rf"^({_COUNT})\s+(.+)$", text, re.IGNORECASE)
    if match:
        count = _parse_count(match.group(1), text)
        text = match.group(2)
    else:
        n_match = re.search(r"\s*\(?\bn\s*=\s*([^\s)]+)\)?", text, re.IGNORECASE)
        if n_match:
            count = _parse_count(n_match.group(1), phrase)
            text = (text[: n_match.start()] + text[n_match.end() :]).strip()
    unit = None
    for candidate in sorted(UNITS, key=len, reverse=True):
        head = re.match(rf"^({re.escape(candidate)})(?:\s+{_CONNECTORS}\s+(.+))?$", text, re.I)
        if head:
            unit = head.group(1).lower()
            text = head.group(2) or head.group(1)
            break
    label, detail = text, None
    split = _DETAIL_START.search(text)
    if split and split.start() > 0:
        label, detail = text[: split.start()].strip(), text[split.end() :].strip() or None
    if unit and text == unit:
        label = unit
    return Group(label=label, count=count, unit=unit, detail=detail)


def parse_participants(text: str) -> list[Group]:
    """Groups from a sentence: parts split at ``;``, at commas, and at ``and`` before a count.

    "eight organisational representatives, 23 budget holders and three providers" gives three.
    """
    parts = re.split(r"\s*[;\n]\s*|,\s+(?:and\s+)?|\s+and\s+(?=" + _COUNT + r"\s)", text.strip())
    return [parse_group(part) for part in parts if part and part.strip(" .")]


def describe_groups(groups: Sequence[Group]) -> str:
    return "; ".join(group.describe() for group in groups)


@dataclass
class StudyInfo:
    citekey: str
    work_id: int
    title: str | None = None
    year: int | None = None
    first_author: str | None = None
    fields: dict[str, str | None] = field(default_factory=dict)
    groups: list[Group] = field(default_factory=list)
    updated_at: datetime | None = None

    @property
    def participants(self) -> str:
        return describe_groups(self.groups)

    def to_dict(self) -> dict[str, Any]:
        return {
            "citekey": self.citekey,
            "title": self.title,
            "year": self.year,
            **{name: self.fields.get(name) for name in STUDY_FIELDS},
            "participants": self.participants or None,
            "groups": [g.to_dict() for g in self.groups],
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


def study_values(values: dict[str, str | None]) -> dict[str, str | None]:
    """The given study fields tidied, the design checked (``""`` clears a field, None leaves
    it); an unknown field is refused."""
    unknown = set(values) - set(STUDY_FIELDS)
    if unknown:
        raise InvalidInputError(f"unknown study field(s): {', '.join(sorted(unknown))}")
    cleaned = {k: " ".join(v.split()) or None for k, v in values.items() if v is not None}
    if cleaned.get("design"):
        cleaned["design"] = vocab.design(cleaned["design"] or "")
    return cleaned


def set_study(
    library: Library,
    key: str,
    values: dict[str, str | None],
    *,
    groups: Sequence[Group] | None = None,
) -> tuple[StudyInfo, str]:
    """Set work ``key``'s study fields and, when given, its groups; the outcome with it."""
    from phbrefs.db import study_store

    return study_store.set_study(library, key, values, groups=groups)


def get_study(library: Library, key: str) -> StudyInfo | None:
    """The study record of a work, or None when none has been extracted yet."""
    from phbrefs.db import study_store

    return study_store.get_study(library, key)


def list_studies(library: Library, keys: Sequence[str] = ()) -> list[StudyInfo]:
    from phbrefs.db import study_store

    return study_store.list_studies(library, keys)
