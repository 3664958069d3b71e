"""What matching needs of a record, normalised once (see normalize.py), and its blocking keys."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import Any

from phbrefs.matching import normalize as nz
from phbrefs.matching.journals import journal_variants
from phbrefs.records import Contributor, WorkRecord

MAX_AUTHORS = 20  # enough to tell works apart; consortium papers list hundreds
_STOP = frozenset("a an the of on in for and or to with from by at as is".split())


@lru_cache(maxsize=65536)
def _person(family: str | None, given: str | None, literal: str | None) -> tuple[str, str]:
    """(``surname initial``, "") for a person, ("", name) for an organisation: names repeat
    across a library, each worked out once."""
    if family and not nz.is_group_author(family):
        return nz.author_key(family, given), ""
    return "", nz.words(literal or family)


@dataclass(slots=True)
class Fingerprint:
    ref: Any  # a work id, or an index into an import batch
    doi: str | None = None
    titles: tuple[str, ...] = ()  # the whole normalised title first, then its variants
    numbers: tuple[tuple[str, ...], ...] = ()  # each variant's ``nz.title_numbers``
    year: int | None = None
    authors: tuple[str, ...] = ()  # persons as "surname initial", in order, once each
    group_author: str = ""  # the first organisation named as an author
    journals: tuple[tuple[str, ...], ...] = ()
    volume: str | None = None
    pages: tuple[str, str | None] | None = None  # the first range
    page_starts: frozenset[str] = frozenset()  # every range's: "230-5, 246-51, 233-8"
    url: str | None = None
    blocks: list[tuple[str, ...]] = field(default_factory=list, repr=False)

    def identity(self) -> tuple[Any, ...]:
        """Every field but the blocks (which follow from the others), hashable."""
        return (self.ref, self.doi, self.titles, self.year, self.authors, self.group_author,
                self.journals, self.volume, self.pages, self.page_starts, self.url)  # fmt: skip

    @property
    def title(self) -> str:
        return self.titles[0] if self.titles else ""

    @property
    def first_author(self) -> str:
        return self.authors[0].partition(" ")[0] if self.authors else self.group_author

    @property
    def first_page(self) -> str:
        return self.pages[0] if self.pages else ""

    @classmethod
    def of(cls, ref: Any, record: WorkRecord) -> Fingerprint:
        people = record.authors or record.editors or record.contributors
        return cls.build(
            ref,
            doi=record.doi,
            title=record.full_title,
            year=record.year,
            people=people,
            journal=" = ".join(
                t for t in (record.container_title, record.container_short_title) if t
            ),
            volume=record.volume,
            pages=record.pages or record.article_number,
            url=record.url,
        )

    @classmethod
    def build(
        cls,
        ref: Any,
        *,
        doi: str | None,
        title: str | None,
        year: int | None,
        people: Iterable[Contributor | dict[str, Any]],
        journal: str | None,
        volume: str | None,
        pages: str | None,
        url: str | None = None,
    ) -> Fingerprint:
        """From the fields themselves: a record's, or a stored work's columns."""
        authors: list[str] = []
        group = ""
        for person in islice(people, MAX_AUTHORS):
            get = person.get if isinstance(person, dict) else person.__dict__.get
            key, organisation = _person(get("family"), get("given"), get("literal"))
            if key:
                authors.append(key)
            elif organisation and not group:
                group = organisation
        ranges = nz.page_ranges(pages)
        titles = nz.title_variants(title)
        made = cls(
            ref=ref,
            doi=(doi or "").lower() or None,
            titles=titles,
            numbers=tuple(map(nz.title_numbers, titles)),
            year=year,
            authors=tuple(dict.fromkeys(authors)),
            group_author=group,
            journals=journal_variants(journal),
            volume=nz.volume_number(volume),
            pages=ranges[0] if ranges else None,
            page_starts=frozenset(r[0] for r in ranges),
            url=nz.url_key(url),
        )
        made.blocks = made._block_keys()
        return made

    def _block_keys(self) -> list[tuple[str, ...]]:
        """Records sharing no key are never compared: matching stays linear. Keys: each title
        variant's first and last three words, first author + year, volume + first page."""
        keys: list[tuple[str, ...]] = []
        for variant in self.titles[:4]:
            significant = [w for w in variant.split() if w not in _STOP]
            if len(significant) >= 2:
                keys.append(("tf", *significant[:3]))
                keys.append(("tl", *significant[-3:]))
            elif variant:
                keys.append(("tt", variant))
        if self.year and (first_author := self.first_author):
            keys.append(("ay", first_author, str(self.year)))
        if self.volume:
            keys += [("vp", self.volume, start) for start in sorted(self.page_starts)[:3]]
        return list(dict.fromkeys(keys))
