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
from phbrefs.formats.limits import not_text, storable_int

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
        """The group as a phrase (``groups_cell`` makes one that always reads back the same)."""
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
    if split and split.start() > 0:  # "staff; at two sites": the ';' is not the label's
        label, detail = text[: split.start()].rstrip(" ;,:"), text[split.end() :].strip() or None
    if unit and text == unit:
        label = unit
    if not label:
        raise InvalidInputError(f"participant group {phrase!r} has no label")
    return Group(label=label, count=count, unit=unit, detail=detail)


GROUP_FIELDS = ("label", "count", "unit", "detail")


def group_problems(item: Any) -> list[tuple[str, str]]:
    """What is wrong with a group given as a mapping (YAML, JSON, ``{...}`` in a participants
    phrase): ``(field, message)`` pairs, the field ``.count``, ``.unit``... or '' for the whole."""
    if not isinstance(item, dict):
        return [("", "a group is a mapping with label, count, unit and detail")]
    problems = [(f".{name}", "unknown field") for name in item if name not in GROUP_FIELDS]
    if why := not_text(item.get("label")):
        problems.append((".label", why))
    elif not " ".join((item.get("label") or "").split()):
        problems.append(("", "a group needs a label"))
    count = item.get("count")
    if count not in (None, "") and (
        isinstance(count, bool)
        or not isinstance(count, int)
        or count < 0
        or not storable_int(count)
    ):
        problems.append((".count", f"bad count {count!r}"))
    problems += [(f".{n}", why) for n in ("unit", "detail") if (why := not_text(item.get(n)))]
    return problems


def group_from_mapping(item: dict[str, Any]) -> Group:
    """The group of a mapping in which ``group_problems`` found nothing wrong."""

    def tidy(value: Any) -> str | None:
        return " ".join(value.split()) or None if isinstance(value, str) else None

    count = item.get("count")
    return Group(
        label=tidy(item["label"]) or "",
        count=None if count in (None, "") else int(count),
        unit=tidy(item.get("unit")),
        detail=tidy(item.get("detail")),
    )


# a group in double quotes, or a JSON mapping: never split at ';', ',' or 'and'
_WHOLE = re.compile(r'"[^"]*"|\{(?:[^{}"]|"(?:[^"\\]|\\.)*")*\}')
_SEPARATOR = re.compile(r"\s*[;\n]\s*|,\s+(?:and\s+)?|\s+and\s+(?=" + _COUNT + r"\s)")


def _mapped_group(text: str) -> Group:
    import json

    from phbrefs.formats.limits import bounded_int, unstorable

    try:
        item = json.loads(text, parse_int=bounded_int)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, an integer too long
        raise InvalidInputError(f"participant group {text!r} is not a JSON mapping") from error
    problems = group_problems(item)
    if problems or (where := unstorable(item)):
        field_name, why = problems[0] if problems else ("", str(where))
        raise InvalidInputError(f"participant group {text!r}: {field_name[1:] or 'group'}: {why}")
    return group_from_mapping(item)


def parse_participants(text: str) -> list[Group]:
    """Groups from a sentence: parts split at ``;``, at commas, and at ``and`` before a count.

    "eight organisational representatives, 23 budget holders and three providers" gives three.
    A group in double quotes is one group, read as ``parse_group`` reads it; a JSON mapping
    ``{"label": ..., "count": ..., "unit": ..., "detail": ...}`` is that group exactly.
    """
    text = text.strip()
    masked = _WHOLE.sub(lambda match: "x" * len(match.group(0)), text)
    starts = [0, *(m.end() for m in _SEPARATOR.finditer(masked))]
    ends = [*(m.start() for m in _SEPARATOR.finditer(masked)), len(text)]
    groups = []
    for part in (text[start:end].strip() for start, end in zip(starts, ends, strict=True)):
        if not part.strip(" ."):
            continue
        if len(part) > 1 and part[0] == part[-1] == '"':
            groups.append(parse_group(part[1:-1]))
        elif part.startswith("{") and part.endswith("}"):
            groups.append(_mapped_group(part))
        else:
            groups.append(parse_group(part))
    return groups


def describe_groups(groups: Sequence[Group]) -> str:
    return "; ".join(group.describe() for group in groups)


def groups_cell(groups: Sequence[Group]) -> str:
    """The groups as a participants phrase that ``parse_participants`` reads back exactly (a
    coding form's cell): each as ``describe`` says it, in double quotes when it would be split,
    as a JSON mapping when even that does not read back as the same group."""
    import json

    def exact(phrase: str, group: Group) -> bool:
        try:
            return parse_participants(phrase) == [group]
        except InvalidInputError:
            return False

    parts = []
    for group in groups:
        phrase = group.describe()
        if not exact(phrase, group) and exact(f'"{phrase}"', group) and '"' not in phrase:
            phrase = f'"{phrase}"'
        elif not exact(phrase, group):
            phrase = json.dumps(group.to_dict(), ensure_ascii=False)
        parts.append(phrase)
    return "; ".join(parts)


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
