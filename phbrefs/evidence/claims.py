"""Claims: the review findings a synthesis states, each named by a short stable slug."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from phbrefs.errors import InvalidInputError, NotFoundError
from phbrefs.ids import ascii_fold

if TYPE_CHECKING:
    from phbrefs.library import Library

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 60
_SLUG_STOPWORDS = frozenset(
    "a an the of on in for and or to with from by at as is are be its their they can could "
    "would should may might will than rather that this these those it has have had been was "
    "were potentially".split()
)


@dataclass
class ClaimInfo:
    id: int
    slug: str
    statement: str
    theme: str | None
    description: str | None
    position: int
    findings: int  # how many findings are coded against it
    works: int  # from how many distinct works
    created_at: datetime
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "statement": self.statement,
            "theme": self.theme,
            "description": self.description,
            "position": self.position,
            "findings": self.findings,
            "works": self.works,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


class UnknownClaimError(NotFoundError):
    def __init__(self, slug: str, suggestion: str | None = None) -> None:
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        super().__init__(f"no claim {slug!r}{hint}")
        self.slug = slug
        self.suggestion = suggestion


def check_slug(slug: str) -> str:
    """``slug`` if it is a valid claim id (lower-case words joined by hyphens)."""
    if not SLUG_RE.fullmatch(slug) or len(slug) > SLUG_MAX:
        raise InvalidInputError(
            f"{slug!r} is not a valid claim id: use lower-case letters, digits and single "
            f"hyphens, at most {SLUG_MAX} characters (e.g. post-detox-timing)"
        )
    return slug


def slug_from_statement(statement: str, *, words: int = 5) -> str:
    """``post-detox-timing``-like id from a sentence: its first significant words."""
    tokens = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", ascii_fold(statement).lower())
    kept = [t for t in tokens if t not in _SLUG_STOPWORDS] or tokens
    slug = "-".join(kept[:words])[:SLUG_MAX].strip("-")
    if not slug:
        raise InvalidInputError(f"cannot derive a claim id from {statement!r}; give --slug")
    return slug


def clean_field(text: str | None, what: str, *, required: bool = False) -> str | None:
    value = " ".join(text.split()) if text else None
    if required and not value:
        raise InvalidInputError(f"a claim needs a {what}")
    return value or None


def add_claim(library: Library, statement: str, **fields: Any) -> ClaimInfo:
    """A new claim (slug derived from the statement unless given), at the end or ``position``."""
    from phbrefs.db import claim_store

    return claim_store.add_claim(library, statement, **fields)


def edit_claim(library: Library, slug: str, **changes: Any) -> ClaimInfo:
    """Change the given fields (``""`` clears theme/description)."""
    from phbrefs.db import claim_store

    return claim_store.edit_claim(library, slug, **changes)


def get_claim(library: Library, slug: str) -> ClaimInfo:
    from phbrefs.db import claim_store

    return claim_store.get_claim(library, slug)


def list_claims(library: Library, *, themes: tuple[str, ...] | list[str] = ()) -> list[ClaimInfo]:
    """Claims in table order (position, then slug), optionally only some themes."""
    from phbrefs.db import claim_store

    return claim_store.list_claims(library, themes=themes)


def claim_dependents(library: Library, slug: str) -> dict[str, int]:
    """What removing the claim takes with it."""
    from phbrefs.db import claim_store

    return claim_store.claim_dependents(library, slug)


def remove_claim(library: Library, slug: str) -> str:
    """Delete a claim with its findings and CERQual assessment; returns its slug."""
    from phbrefs.db import claim_store

    return claim_store.remove_claim(library, slug)
