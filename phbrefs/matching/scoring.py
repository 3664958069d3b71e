"""Evidence for and against two records being one work, weighed field by field, and the tier
that follows: ``merge`` (done without asking), ``review`` (listed for a person), ``distinct``.

Each field adds or takes away points; no single field decides. A shared DOI is strong but not
proof (supplements, issues and books give one DOI to many works): with disagreeing titles it
cannot reach the merge tier. A translated title is no evidence against a record that sits at
the same place (journal volume and first page) by the same authors.

Thresholds, chosen on the two labelled development sets (bench/dedup.py) to keep the merge
tier's pairwise precision at 1.000 there with margin, then checked against each error
pattern in tests/test_matching.py:

- ``MERGE_POINTS`` 7 (6 at the same page range of one volume) with a title worth at least 3
  points (near-identical) or a full locator match (volume, first page, year, first author), and
  no contradiction (different DOIs, years more than one apart, different numbers in the titles,
  different pages);
- ``REVIEW_POINTS`` 3: everything else with some agreement, for a reviewer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Indel

from phbrefs.matching import normalize as nz
from phbrefs.matching.fingerprint import Fingerprint
from phbrefs.matching.journals import journals_agree

MERGE, REVIEW, DISTINCT = "merge", "review", "distinct"
MERGE_POINTS = 7.0
REVIEW_POINTS = 3.0
LONG_TITLE = 50  # a title this long, the same, is strong evidence on its own
TRUNCATED_TITLE = 150  # exports cut titles of this length or more short
SHORT_TITLE = 20  # "Editorial", "Empyema thoracis": never a merge on the title alone


@dataclass
class Evidence:
    """One field's verdict: what each side says, and the points it adds."""

    field: str
    verdict: str
    points: float
    left: str = ""
    right: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("field", "verdict", "points", "left", "right")}


@dataclass
class Match:
    """A scored pair: ``score`` in 0..1, ``tier``, and ``reasons`` (shown to reviewers)."""

    a: Any
    b: Any
    score: float
    reasons: list[str] = field(default_factory=list)
    tier: str = REVIEW
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def confident(self) -> bool:
        """Merged without asking (on import, and shown as such by ``dedup``)."""
        return self.tier == MERGE

    def to_dict(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "score": self.score,
            "reasons": self.reasons,
            "evidence": [e.to_dict() for e in self.evidence],
        }


def _by_length(a: str, b: str) -> tuple[str, str]:
    """(shorter, longer); ``a`` first when they are as long."""
    return (a, b) if len(a) <= len(b) else (b, a)


def _numbers_clash(
    x: Fingerprint, y: Fingerprint, at: tuple[int, int], short: str, long_: str
) -> bool:
    """Do the numbers of title variants ``at`` (the pair ``short``, ``long_``) contradict?"""
    left = x.numbers[at[0]] if x.numbers else ()
    right = y.numbers[at[1]] if y.numbers else ()
    if left == right:
        return False
    truncated = len(long_) >= TRUNCATED_TITLE and long_.startswith(short[: len(short) * 4 // 5])
    return nz.numbers_clash(left, right, truncated)


def _numbers_always_clash(x: Fingerprint, y: Fingerprint) -> bool:
    """Whichever pair of title variants ``_title`` finds the best, its numbers contradict
    ("part 1" and "part 2"): the pair is distinct, known without a similarity computed."""
    if x.numbers == y.numbers or not (x.titles and y.titles):  # the variants' first pair agree
        return False
    if len(x.numbers) != len(x.titles) or len(y.numbers) != len(y.titles):  # made by hand
        return False
    if len(x.titles) == 1 == len(y.titles):  # most records
        a, b = x.titles[0], y.titles[0]
        if len(a) < TRUNCATED_TITLE > len(b):  # neither cut short: other numbers, a clash
            return True
        return _numbers_clash(x, y, (0, 0), *_by_length(a, b))
    return all(
        _numbers_clash(x, y, (i, j), *_by_length(a, b))
        for i, a in enumerate(x.titles)
        for j, b in enumerate(y.titles)
    )


def _title(x: Fingerprint, y: Fingerprint) -> tuple[Evidence, bool]:
    """Best agreement between any title variants; second value: numbers contradict."""
    best, pair, at = 0.0, (x.title, y.title), (0, 0)
    for i, a in enumerate(x.titles):
        for j, b in enumerate(y.titles):
            similarity = Indel.normalized_similarity(a, b, score_cutoff=best)
            if similarity > best:
                best, pair, at = similarity, (a, b), (i, j)
    short, long_ = _by_length(*pair)
    extends = len(short) >= 25 and short in long_ and len(short.split()) >= 4
    clash = _numbers_clash(x, y, at, short, long_)
    if best >= 0.97 and len(short) >= LONG_TITLE:
        verdict, points = "same title", 5.0  # long titles rarely coincide
    elif best >= 0.97:
        verdict, points = "same title", 4.0
    elif best >= 0.92:
        verdict, points = f"near-identical titles ({best:.0%})", 3.0
    elif best >= 0.85:
        verdict, points = f"similar titles ({best:.0%})", 2.0
    elif extends:
        verdict, points = "one title extends the other", 2.0
    elif best >= 0.70:
        verdict, points = f"titles differ ({best:.0%})", 0.0
    else:
        verdict, points = f"different titles ({best:.0%})", -3.0
    if points > 2 and len(short) < SHORT_TITLE:
        verdict, points = f"{verdict}, but short", 2.0
    elif points > 2 and nz.is_generic_title(short):
        verdict, points = f"{verdict}, but a generic one", 2.0
    if clash:
        verdict, points = f"{verdict}; different numbers in titles", min(points, 0.0) - 2.0
    return Evidence("title", verdict, points, pair[0], pair[1]), clash


def _doi(x: Fingerprint, y: Fingerprint) -> Evidence:
    if not (x.doi and y.doi):
        return Evidence("doi", "missing", 0.0, x.doi or "", y.doi or "")
    if x.doi != y.doi:
        return Evidence("doi", "different DOIs", -4.0, x.doi, y.doi)
    if nz.doi_may_be_shared(x.doi):
        return Evidence("doi", "same DOI, of a kind shared by many works", 1.0, x.doi, y.doi)
    return Evidence("doi", "same DOI", 5.0, x.doi, y.doi)


def _url(x: Fingerprint, y: Fingerprint) -> Evidence:
    if x.url and x.url == y.url:
        return Evidence("url", "same URL", 3.0, x.url, y.url)
    return Evidence("url", "missing or different (no evidence)", 0.0, x.url or "", y.url or "")


def _authors(x: Fingerprint, y: Fingerprint) -> Evidence:
    left, right = "; ".join(x.authors[:5]), "; ".join(y.authors[:5])
    if not (x.authors and y.authors):
        if x.group_author and x.group_author == y.group_author:
            return Evidence("authors", "same group author", 1.0, x.group_author, y.group_author)
        return Evidence("authors", "missing on one side", 0.0, left or x.group_author,
                        right or y.group_author)  # fmt: skip
    names_x = list(dict.fromkeys(a.split(" ")[0] for a in x.authors))
    names_y = list(dict.fromkeys(a.split(" ")[0] for a in y.authors))
    exact = set(names_x) & set(names_y)
    rest_y = [b for b in names_y[:12] if b not in exact]  # a letter lost: fuzzy, a few only
    common = len(exact) + sum(
        any(nz.same_surname(a, b) for b in rest_y) for a in names_x[:12] if a not in exact
    )
    overlap = min(1.0, common / min(len(names_x), len(names_y)))
    same_first = nz.same_surname(names_x[0], names_y[0])
    if same_first and overlap >= 0.75 and min(len(names_x), len(names_y)) >= 2:
        return Evidence("authors", "same authors", 2.0, left, right)
    if same_first:
        return Evidence("authors", "same first author", 1.0, left, right)
    if overlap >= 0.5:
        return Evidence("authors", f"authors overlap ({overlap:.0%}), order differs", 1.0,
                        left, right)  # fmt: skip
    if overlap == 0:
        return Evidence("authors", "different authors", -3.0, left, right)
    return Evidence("authors", f"few authors in common ({overlap:.0%})", -1.0, left, right)


def _year(x: Fingerprint, y: Fingerprint) -> Evidence:
    left, right = str(x.year or ""), str(y.year or "")
    if x.year is None or y.year is None:
        return Evidence("year", "missing", 0.0, left, right)
    gap = abs(x.year - y.year)
    if gap == 0:
        return Evidence("year", "same year", 1.0, left, right)
    if gap == 1:
        return Evidence("year", f"years {left}/{right} (online first?)", 0.0, left, right)
    return Evidence("year", f"years {left}/{right}", -2.0, left, right)


def _volume(x: Fingerprint, y: Fingerprint) -> Evidence:
    left, right = x.volume or "", y.volume or ""
    if not (x.volume and y.volume):
        return Evidence("volume", "missing", 0.0, left, right)
    if x.volume == y.volume:
        return Evidence("volume", "same volume", 1.0, left, right)
    return Evidence("volume", "different volumes", -2.0, left, right)


def _pages(x: Fingerprint, y: Fingerprint) -> Evidence:
    def shown(p: tuple[str, str | None] | None) -> str:
        return "-".join(q for q in p if q) if p else ""

    left, right = shown(x.pages), shown(y.pages)
    if not (x.pages and y.pages):
        return Evidence("pages", "missing or unreadable", 0.0, left, right)
    if x.pages[0] != y.pages[0] and not x.page_starts & y.page_starts:
        if nz.ranges_overlap(x.pages, y.pages):
            return Evidence("pages", "page ranges overlap (a typo?)", 0.0, left, right)
        return Evidence("pages", "different pages", -2.0, left, right)
    if nz.is_supplement_page(x.pages[0]):
        return Evidence("pages", "same supplement page (shared by abstracts)", 1.0, left, right)
    return Evidence("pages", "same first page", 2.0, left, right)


def _journal(x: Fingerprint, y: Fingerprint) -> Evidence:
    left = " = ".join(" ".join(v) for v in x.journals[:2])
    right = " = ".join(" ".join(v) for v in y.journals[:2])
    if not (x.journals and y.journals):
        return Evidence("journal", "missing", 0.0, left, right)
    if journals_agree(x.journals, y.journals):
        return Evidence("journal", "same journal (abbreviations agree)", 1.0, left, right)
    return Evidence("journal", "journal names differ", -2.0, left, right)


def _clearly_distinct(x: Fingerprint, y: Fingerprint) -> bool:
    """Most candidate pairs from blocking share a surname and year or two title words and
    nothing else: different titles, no common DOI, not at the same place. Skipped cheaply."""
    if (x.doi and x.doi == y.doi) or (x.pages and x.pages == y.pages and x.volume == y.volume):
        return False
    return not any(
        Indel.normalized_similarity(a, b, score_cutoff=0.69) for a in x.titles for b in y.titles
    ) and not any(a in b or b in a for a in x.titles[:1] for b in y.titles[:1])


def _score(total: float) -> float:
    """Points shown as 0..1: the review threshold is 0.6, the merge threshold 0.9, fourteen
    points (every field agreeing) 1.0."""
    if total <= 0:
        return 0.0
    if total < REVIEW_POINTS:
        return 0.6 * total / REVIEW_POINTS
    if total < MERGE_POINTS:
        return 0.6 + 0.3 * (total - REVIEW_POINTS) / (MERGE_POINTS - REVIEW_POINTS)
    return min(1.0, 0.9 + 0.1 * (total - MERGE_POINTS) / 7)


def assess(
    x: Fingerprint, y: Fingerprint, title_found: tuple[Evidence, bool] | None = None
) -> Match:
    """Every field's evidence and the tier it adds up to (for ``dedup --explain``);
    ``title_found``: ``_title(x, y)`` when the caller has it already."""
    title, numbers_clash = title_found or _title(x, y)
    fields = [title, _doi(x, y), _url(x, y), _authors(x, y), _year(x, y), _volume(x, y),
              _pages(x, y), _journal(x, y)]  # fmt: skip
    by = {e.field: e for e in fields}
    if by["doi"].points >= 5 and title.points < 0:  # conference abstracts of one supplement...
        by["doi"].verdict, by["doi"].points = "same DOI, but titles disagree: shared?", 1.0
    # the same article range (not one abstract's page) in the same volume and year
    same_range = bool(x.pages and x.pages[1] and x.pages == y.pages and x.pages[0].isdigit())
    located = (
        by["volume"].points > 0
        and by["pages"].points >= 2
        and by["year"].points >= 0
        and by["authors"].points >= 1
        # a journal named in two languages (Zhonghua... = Chinese Journal of...) by one team
        and (by["journal"].points >= 0 or (same_range and by["authors"].points >= 2))
    )
    if located and same_range and title.points < 0 and not numbers_clash:
        title.verdict += " (a translation? same authors at the same place)"
        title.points = 0.0
    total = sum(e.points for e in fields)
    # a mistyped DOI: the same title by the same authors at the same place outweighs it
    doi_typo = by["doi"].points < 0 and located and title.points >= 4
    if doi_typo:
        by["doi"].verdict += " (one mistyped? all else agrees)"
    contradiction = (
        numbers_clash
        or (by["doi"].points < 0 and not doi_typo)
        or by["year"].points < 0
        # an abstract in the volume's supplement, the paper in it; not online-first pages
        or (by["pages"].points < 0 and by["doi"].points < 5)
    )
    strong = title.points >= 3 or located or (by["doi"].points >= 5 and title.points >= 2)
    # the same page range of one volume by the same first author: one point less is enough
    needed = MERGE_POINTS - 1 if located and same_range else MERGE_POINTS
    if total >= needed and strong and not contradiction:
        tier = MERGE
    elif total >= REVIEW_POINTS and (title.points >= 0 or by["doi"].points >= 5):
        tier = REVIEW
    else:
        tier = DISTINCT
    score = round(_score(total) if tier != DISTINCT else min(_score(total), 0.59), 4)
    reasons = [e.verdict for e in fields if e.points or e.field == "title"]
    return Match(x.ref, y.ref, score, reasons, tier, fields)


def compare(x: Fingerprint, y: Fingerprint) -> Match | None:
    """The pair's match, or None when the records are distinct works."""
    if _numbers_always_clash(x, y) or _clearly_distinct(x, y):
        return None
    title = _title(x, y)
    if title[1]:  # numbers in the titles clash: always DISTINCT (no merge, title and DOI < 0)
        return None
    match = assess(x, y, title)
    return match if match.tier != DISTINCT else None
