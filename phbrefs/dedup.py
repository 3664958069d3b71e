"""Duplicate detection and merging.

Detection is the pure engine in phbrefs.matching (per-field normalisation, evidence weighed
across fields, blocking): pairs in its ``merge`` tier are merged on import without asking,
those in its ``review`` tier are listed by ``phbrefs dedup`` for a reviewer.

Merging keeps the richest value of each field, every tag, note, finding, study record and source
record, and records the retired citekeys and DOIs as aliases, in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from phbrefs.errors import InvalidInputError
from phbrefs.heap import collector_paused
from phbrefs.ids import ascii_fold
from phbrefs.matching import DuplicateIndex, Fingerprint, Match, assess
from phbrefs.matching import compare as compare  # one engine: import and dedup both use it
from phbrefs.outcomes import BatchReport
from phbrefs.records import WorkRecord

if TYPE_CHECKING:
    from phbrefs.library import Library

_WORD = re.compile(r"[a-z0-9]+")
# ASCII characters are starters that NFKD leaves alone: folding can be done run by run
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def normalise_text(text: str | None) -> str:
    """Lower-case ASCII words separated by single spaces (people's names when merging)."""
    if not text:
        return ""
    if not text.isascii():  # fold only the non-ASCII runs: the same text, a fraction the work
        text = _NON_ASCII.sub(lambda run: ascii_fold(run.group()), text)
    return " ".join(_WORD.findall(text.lower()))


# -- merging records ----------------------------------------------------------------------------


def _richer(a: Any, b: Any) -> Any:
    """The richer of two values of one field (``a`` wins ties)."""
    if a in (None, "", [], {}):
        return b
    if b in (None, "", [], {}):
        return a
    if isinstance(a, str) and isinstance(b, str):
        return b if len(b.strip()) > len(a.strip()) else a
    if hasattr(a, "to_parts") and hasattr(b, "to_parts"):
        return b if len(b.to_parts()) > len(a.to_parts()) and b.year == a.year else a
    return a


def merge_records(primary: WorkRecord, other: WorkRecord) -> WorkRecord:
    """One record with the richest value of each field; ``primary`` wins ties and keeps its
    title, type and identity. Lists (keywords, ISSNs...) are united."""
    merged = WorkRecord.from_dict(primary.to_dict())
    for f in fields(WorkRecord):
        name = f.name
        mine, theirs = getattr(primary, name), getattr(other, name)
        if name in ("raw", "source", "citekey", "source_type", "type"):
            continue
        if name == "title":
            setattr(merged, name, mine or theirs)
        elif name in ("issn", "isbn", "keywords", "subjects", "licenses"):
            setattr(merged, name, _unite(mine, theirs))
        elif name in ("doi", "url", "pmid", "language", "container_short_title"):
            setattr(merged, name, mine or theirs)  # identifiers: the first source's stand
        elif name == "contributors":
            setattr(merged, name, _merge_people(mine, theirs))
        elif name == "extra":
            setattr(merged, name, {**theirs, **mine})
        elif name in ("funders", "updates", "abstract_sections"):
            setattr(merged, name, mine if len(mine) >= len(theirs) else theirs)
        else:
            setattr(merged, name, _richer(mine, theirs))
    _keep_both_dates(merged, primary.issued, other.issued)
    if not primary.title and other.title:
        merged.subtitle = other.subtitle
    if primary.type == "article" and other.type != "article":
        merged.type, merged.source_type = other.type, other.source_type
    return merged


def _keep_both_dates(merged: WorkRecord, mine: Any, theirs: Any) -> None:
    """Two records of one work dated in different years were dated differently, not wrongly:
    Crossref dates a work by its first (online) publication, databases by the issue it was
    printed in. The work is dated by the earlier; the later is kept as the print date and the
    earlier as the online date, unless the records already said which was which."""
    if mine is None or theirs is None or mine.year == theirs.year:
        return
    earlier, later = sorted((mine, theirs), key=lambda date: (date.year, date.month or 0))
    merged.issued = earlier
    if merged.published_print is None:
        merged.published_print = later
    if merged.published_online is None:
        merged.published_online = earlier


def _merge_people(mine: list[Any], theirs: list[Any]) -> list[Any]:
    """The longer list; where both list the same number, fuller names and ORCIDs win."""
    if len(theirs) > len(mine):
        mine, theirs = theirs, mine
    if len(mine) != len(theirs):
        return mine
    people = []
    for a, b in zip(mine, theirs, strict=True):
        same = normalise_text(a.family or a.literal) == normalise_text(b.family or b.literal)
        if same and _letters(b.given) > _letters(a.given):
            a = type(a)(**{**a.__dict__, "given": b.given})
        if same and b.orcid and not a.orcid:
            a = type(a)(**{**a.__dict__, "orcid": b.orcid})
        people.append(a)
    return people


def _unite(mine: list[str], theirs: list[str]) -> list[str]:
    """Both lists in order, without repeats that differ only in case."""
    seen: set[str] = set()
    united = []
    for value in [*mine, *theirs]:
        if str(value).casefold() not in seen:
            seen.add(str(value).casefold())
            united.append(value)
    return united


def _letters(name: str | None) -> int:
    """How much of a given name is spelled out: ``Kate`` (4) beats ``K.-A.`` (2)."""
    return sum(ch.isalpha() for ch in name or "")


# -- the library: groups, judgements, merges ---------------------------------------------------


@dataclass
class DuplicateGroup:
    """Works judged to be one: the first is the one to keep (the oldest in the library)."""

    keys: list[str]
    titles: list[str]
    pairs: list[dict[str, Any]]

    @property
    def score(self) -> float:
        return max(p["score"] for p in self.pairs)

    @property
    def confident(self) -> bool:
        return any(p["confident"] for p in self.pairs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "keys": self.keys,
            "titles": self.titles,
            "score": self.score,
            "confident": self.confident,
            "pairs": self.pairs,
        }


def find_pairs(prints: Sequence[Fingerprint], judged: set[frozenset[Any]]) -> list[Match]:
    """Every pair worth at least a review, except pairs judged distinct."""
    index = DuplicateIndex()
    pairs = []
    for fingerprint in prints:
        for match in index.matches(fingerprint):
            if frozenset((match.a, match.b)) not in judged:
                pairs.append(match)
        index.add(fingerprint)
    return pairs


def group_pairs(pairs: Iterable[Match]) -> list[list[Any]]:
    """Connected groups of refs (union-find), each sorted, groups by their first member."""
    parent: dict[Any, Any] = {}

    def root(x: Any) -> Any:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for match in pairs:
        parent[root(match.a)] = root(match.b)
    groups: dict[Any, list[Any]] = {}
    for ref in list(parent):
        groups.setdefault(root(ref), []).append(ref)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def find_duplicates(library: Library) -> list[DuplicateGroup]:
    """Groups of works that look like one, for review (``phbrefs dedup``)."""
    from phbrefs.db import duplicate_store as store

    with collector_paused(), library.transaction(write=False):
        prints, keys = store.library_fingerprints(library)
        pairs = find_pairs(prints, store.not_duplicate_pairs(library))
        titles = store.work_titles(library, {p.a for p in pairs} | {p.b for p in pairs})
    by_group: dict[Any, list[Match]] = {}
    groups = group_pairs(pairs)
    first_of = {ref: group[0] for group in groups for ref in group}
    for match in pairs:
        by_group.setdefault(first_of[match.a], []).append(match)
    result = []
    for group in groups:
        result.append(
            DuplicateGroup(
                keys=[keys[ref] for ref in group],
                titles=[titles.get(ref) or "" for ref in group],
                pairs=[
                    {
                        "keys": [keys[r] for r in sorted((p.a, p.b), key=group.index)],
                        "score": p.score,
                        "confident": p.confident,
                        "why": [r for r in p.reasons if r != "confident"],
                    }
                    for p in sorted(by_group[group[0]], key=lambda p: -p.score)
                ],
            )
        )
    return sorted(result, key=lambda g: -g.score)


@dataclass
class Explanation:
    """Why two works are or are not one, field by field (``phbrefs dedup --explain``)."""

    keys: list[str]
    titles: list[str]
    match: Match

    def to_dict(self) -> dict[str, Any]:
        return {"keys": self.keys, "titles": self.titles, **self.match.to_dict()}


def explain_pair(library: Library, first: str, second: str) -> Explanation:
    """Every field's evidence for the two works named, and the tier it adds up to."""
    a, b = library.get(first), library.get(second)
    if a.id == b.id:
        raise InvalidInputError(f"{first} and {second} name the same work")
    match = assess(Fingerprint.of(a.citekey, a.record), Fingerprint.of(b.citekey, b.record))
    titles = [a.record.full_title or "", b.record.full_title or ""]
    return Explanation([a.citekey, b.citekey], titles, match)


def mark_not_duplicate(library: Library, keys: Sequence[str]) -> list[str]:
    """Record that the works named are distinct (every pair among them); returns their keys."""
    from phbrefs.db import duplicate_store as store

    if len(keys) < 2:
        raise InvalidInputError("name at least two works that are not duplicates")
    with library.transaction():
        ids = list(dict.fromkeys(library.work_id(key) for key in keys))
        if len(ids) < 2:
            raise InvalidInputError("these keys name the same work")
        return store.mark_not_duplicate(library, ids)


def merge_into(
    library: Library, keep: int, retire: Sequence[int], extra_record: WorkRecord | None = None
) -> BatchReport:
    """Merge works ``retire`` (and ``extra_record``, an incoming duplicate) into ``keep``, in
    the open transaction if any.

    Everything attached to a retired work moves to the kept one (tags, notes, findings, study
    records, source records, aliases, reviewers' judgements); its citekey and DOI become aliases.
    The merge is logged first (``phbrefs.db.merge_log``): who made it, when, what it changes.
    """
    from phbrefs.db import duplicate_store

    return duplicate_store.merge_into(library, keep, retire, extra_record)


def merge_works(library: Library, keys: Sequence[str]) -> BatchReport:
    """Merge the works named into the first, in one transaction (see ``merge_into``)."""
    if len(keys) < 2:
        raise InvalidInputError("name the work to keep and at least one duplicate")
    with library.transaction():
        ids = list(dict.fromkeys(library.work_id(key) for key in keys))
        if len(ids) < 2:
            raise InvalidInputError("these keys name the same work")
        return merge_into(library, ids[0], ids[1:])
