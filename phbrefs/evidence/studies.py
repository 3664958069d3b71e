"""Study characteristics per paper, and participant groups read from the way papers state them
("20 interviews with organisational representatives at two time points; 23 budget holders").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select

from phbrefs.db import models as m
from phbrefs.errors import InvalidInputError
from phbrefs.evidence import vocab

if TYPE_CHECKING:
    from sqlmodel import Session

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


def _infos(session: Session, work_ids: Sequence[int] | None = None) -> list[StudyInfo]:
    query = (
        select(m.Study, m.Work.citekey, m.Work.title, m.Work.year, m.Work.first_author)
        .join(m.Work, m.Work.id == m.Study.work_id)
        .order_by(m.Work.year, m.Work.citekey)
    )
    group_query = select(m.StudyGroup).order_by(m.StudyGroup.work_id, m.StudyGroup.position)
    if work_ids is not None:
        query = query.where(m.Study.work_id.in_(work_ids))
        group_query = group_query.where(m.StudyGroup.work_id.in_(work_ids))
    groups: dict[int, list[Group]] = {}
    for row in session.execute(group_query).scalars():
        groups.setdefault(row.work_id, []).append(
            Group(label=row.label, count=row.count, unit=row.unit, detail=row.detail)
        )
    infos = []
    for study, citekey, title, year, first_author in session.execute(query).all():
        infos.append(
            StudyInfo(
                citekey=citekey,
                work_id=study.work_id,
                title=title,
                year=year,
                first_author=first_author,
                fields={name: getattr(study, name) for name in STUDY_FIELDS},
                groups=groups.get(study.work_id, []),
                updated_at=study.updated_at,
            )
        )
    return infos


def store_study(
    session: Session,
    work_id: int,
    values: dict[str, str | None],
    groups: Sequence[Group] | None,
) -> str:
    """Set the given study fields (``""`` clears one) and, when given, replace the groups.

    Returns ``added``, ``updated`` or ``unchanged``.
    """
    unknown = set(values) - set(STUDY_FIELDS)
    if unknown:
        raise InvalidInputError(f"unknown study field(s): {', '.join(sorted(unknown))}")
    cleaned = {k: " ".join(v.split()) or None for k, v in values.items() if v is not None}
    if cleaned.get("design"):
        cleaned["design"] = vocab.design(cleaned["design"] or "")
    study = session.get(m.Study, work_id)
    outcome = "unchanged"
    if study is None:
        study = m.Study(work_id=work_id)
        session.add(study)
        outcome = "added"
    changed = {k: v for k, v in cleaned.items() if getattr(study, k) != v}
    for key, value in changed.items():
        setattr(study, key, value)
    if groups is not None:
        current = [
            Group(r.label, r.count, r.unit, r.detail)
            for r in session.execute(
                select(m.StudyGroup)
                .where(m.StudyGroup.work_id == work_id)
                .order_by(m.StudyGroup.position)
            ).scalars()
        ]
        if current != list(groups):
            session.execute(delete(m.StudyGroup).where(m.StudyGroup.work_id == work_id))
            if groups:
                session.execute(
                    insert(m.StudyGroup),
                    [
                        {"work_id": work_id, "position": i, **g.to_dict()}
                        for i, g in enumerate(groups)
                    ],
                )
            changed["groups"] = "changed"
    if changed and outcome == "unchanged":
        outcome = "updated"
    if changed:
        study.updated_at = m.utcnow()
    session.flush()
    return outcome


def set_study(
    library: Library,
    key: str,
    values: dict[str, str | None],
    *,
    groups: Sequence[Group] | None = None,
) -> tuple[StudyInfo, str]:
    with library.session() as session:
        work_id = library.resolve(session, key)
        outcome = store_study(session, work_id, values, groups)
        return _infos(session, [work_id])[0], outcome


def get_study(library: Library, key: str) -> StudyInfo | None:
    """The study record of a work, or None when none has been extracted yet."""
    with library.session() as session:
        found = _infos(session, [library.resolve(session, key)])
        return found[0] if found else None


def list_studies(library: Library, keys: Sequence[str] = ()) -> list[StudyInfo]:
    with library.session() as session:
        ids = [library.resolve(session, k) for k in keys] if keys else None
        return _infos(session, ids)
