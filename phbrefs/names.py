"""People's names as citations use them: the one author-year label, and probable variants.

The label names the person the reference list sorts by: ``van der Berg et al. 2019`` (the
particle belongs to the name, as in CSL's non-dropping particle and the BibTeX exports'
``useprefix``), never ``Berg et al.`` above a list that has ``van der Berg, J.`` under V.

Variants: ``E. Welch`` and ``Elizabeth Welch`` in two works may be one person. They are listed
as probable when one given name could abbreviate the other and the two share an ORCID or a
co-author; ``merge`` then gives every work the fuller form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from phbrefs.records import Contributor, WorkRecord

if TYPE_CHECKING:
    from phbrefs.library import StoredWork


def label_name(person: Contributor) -> str:
    """``van der Berg``, ``Welch`` or an organisation's name: how a label names someone."""
    if person.is_organisation or not person.family:
        return person.literal or person.family or person.given or ""
    return " ".join(p for p in (person.particle, person.family) if p)


def cited_people(record: WorkRecord) -> list[Contributor]:
    """Who a citation names: the authors, else the editors, else whoever is listed."""
    if record.authors:
        return record.authors
    if record.editors:
        return record.editors
    return [c for c in record.contributors if c.role != "editor"]


def short_title(record: WorkRecord) -> str:
    words = (record.title or "Untitled").split()
    return " ".join(words[:4]) + ("…" if len(words) > 4 else "")


def label_base(record: WorkRecord) -> str:
    """``Welch``, ``Welch and Jones``, ``van der Berg et al.``; a title when no one is named."""
    names = [n for n in (label_name(p) for p in cited_people(record)) if n]
    if not names:
        return short_title(record)
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


def author_year(record: WorkRecord) -> str:
    """``Welch et al. 2016`` (``n.d.`` for no year), before any a/b disambiguation."""
    return f"{label_base(record)} {record.year or 'n.d.'}"


# -- variants ---------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case without accents: ``Østergaard`` and ``Ostergaard`` meet."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("Ø", "O"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _given_parts(given: str) -> list[str]:
    return [p for p in re.split(r"[\s.\-]+", _fold(given)) if p]


def could_abbreviate(one: str, other: str) -> bool:
    """True when the given names ``one`` and ``other`` may name one person: ``E.`` and
    ``Elizabeth``, ``E. A.`` and ``Elizabeth Anne``, ``Elizabeth`` and ``Elizabeth A.``."""
    a, b = _given_parts(one), _given_parts(other)
    if not a or not b or a == b:
        return False
    for x, y in zip(a, b, strict=False):
        if not (x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y))):
            return False
    return True


@dataclass
class NameForm:
    """One way a person is written, with the works that write it so."""

    person: Contributor
    works: list[str] = field(default_factory=list)
    orcids: set[str] = field(default_factory=set)
    coauthors: dict[str, str] = field(default_factory=dict)  # folded -> as written

    @property
    def name(self) -> str:
        return self.person.display_name()


@dataclass
class Variants:
    """Forms that probably name one person, the fullest first, and why."""

    forms: list[NameForm]
    reasons: list[str]

    @property
    def canonical(self) -> NameForm:
        return self.forms[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.canonical.name,
            "variants": [
                {"name": f.name, "works": f.works, "orcid": sorted(f.orcids)} for f in self.forms
            ],
            "reasons": self.reasons,
        }


def _forms(works: Iterable[StoredWork]) -> dict[tuple[str, str, str], NameForm]:
    forms: dict[tuple[str, str, str], NameForm] = {}
    for work in works:
        people = [c for c in work.record.contributors if c.family and c.given]
        families = {_fold(label_name(c)): label_name(c) for c in people}
        for person in people:
            key = (_fold(person.particle or ""), _fold(person.family or ""), person.given or "")
            form = forms.setdefault(key, NameForm(person))
            if work.citekey not in form.works:
                form.works.append(work.citekey)
            if person.orcid:
                form.orcids.add(person.orcid)
            own = _fold(label_name(person))
            form.coauthors.update((k, v) for k, v in families.items() if k != own)
    return forms


def _why(one: NameForm, other: NameForm) -> list[str]:
    reasons = []
    if one.orcids & other.orcids:
        reasons.append(f"same ORCID {sorted(one.orcids & other.orcids)[0]}")
    if shared := one.coauthors.keys() & other.coauthors.keys():
        names = sorted(one.coauthors[k] for k in shared)
        reasons.append(f"shared co-authors: {', '.join(names[:3])}")
    return reasons


def find_variants(works: Sequence[StoredWork]) -> list[Variants]:
    """Groups of name forms that probably write one person (see the module docstring).

    A form whose ORCID differs from another's is never joined to it."""
    by_family: dict[tuple[str, str], list[NameForm]] = {}
    for (particle, family, _), form in _forms(works).items():
        by_family.setdefault((particle, family), []).append(form)
    groups: list[list[NameForm]] = []
    for forms in by_family.values():
        family_groups: list[list[NameForm]] = []  # only forms of one family are compared
        for form in sorted(forms, key=lambda f: -len(f.person.given or "")):
            group = next((g for g in family_groups if _joins(g, form)), None)
            if group is not None:
                group.append(form)
            else:
                family_groups.append([form])
        groups += family_groups
    found = []
    for group in groups:
        if len(group) < 2:
            continue
        reasons = sorted({r for f in group[1:] for r in _why(group[0], f)})
        found.append(Variants(group, reasons))
    return sorted(found, key=lambda v: _fold(v.canonical.person.sort_name()))


def _joins(group: list[NameForm], form: NameForm) -> bool:
    head = group[0]
    works = set(form.works)
    if any(works.intersection(member.works) for member in group):
        return False  # two names on one author list are two people (S. L. Hsieh, S. Hsieh)
    given = form.person.given or ""
    if not could_abbreviate(head.person.given or "", given):
        return False
    if head.orcids and form.orcids and not head.orcids & form.orcids:
        return False
    return bool(_why(head, form))


def merge_variants(library: Any, groups: Sequence[Variants]) -> list[tuple[str, str, list[str]]]:
    """Give every work of each group its fullest form; ``(variant, canonical, keys changed)``."""
    merged = []
    for group in groups:
        for form in group.forms[1:]:
            keys = library.rename_contributor(form.person, group.canonical.person)
            merged.append((form.name, group.canonical.name, keys))
    return merged
