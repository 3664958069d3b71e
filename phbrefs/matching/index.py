"""Candidate pairs by blocking: each record is compared only with those sharing a key (a DOI,
title words, first author + year, volume + first page), so matching stays linear."""

from __future__ import annotations

from typing import Any

from phbrefs.matching.fingerprint import Fingerprint
from phbrefs.matching.scoring import Match, compare

MAX_BLOCK = 400  # a block this large (a very common surname-year) is not searched


class DuplicateIndex:
    """Fingerprints by DOI and by block, for finding the candidates of a new record fast."""

    def __init__(self) -> None:
        self.by_doi: dict[str, list[Fingerprint]] = {}
        self.by_block: dict[tuple[str, ...], list[Fingerprint]] = {}
        self._held: set[tuple[Any, ...]] = set()

    def add(self, fingerprint: Fingerprint) -> None:
        """Index ``fingerprint``; one equal to a fingerprint held already under the same ref
        (an import's exact copies, folded into their first) would only be compared again to
        the same effect: without it, a file repeating its entries costs quadratic time."""
        held = fingerprint.identity()
        if held in self._held:
            return
        self._held.add(held)
        if fingerprint.doi:
            self.by_doi.setdefault(fingerprint.doi, []).append(fingerprint)
        for key in fingerprint.blocks:
            self.by_block.setdefault(key, []).append(fingerprint)

    def candidates(self, fingerprint: Fingerprint) -> list[Fingerprint]:
        """Indexed records sharing a key with ``fingerprint``, each once."""
        blocks = [self.by_doi.get(fingerprint.doi, ()) if fingerprint.doi else ()]
        blocks += [self.by_block.get(key, ()) for key in fingerprint.blocks]
        searched = (block for block in blocks if len(block) <= MAX_BLOCK)
        unique = {id(other): other for block in searched for other in block}
        ref = fingerprint.ref
        return [other for other in unique.values() if other.ref != ref]

    def matches(self, fingerprint: Fingerprint, exclude: set[Any] | None = None) -> list[Match]:
        """Every indexed record at least worth a review against ``fingerprint``, best first."""
        found = []
        for other in self.candidates(fingerprint):
            if exclude and other.ref in exclude:
                continue
            if match := compare(fingerprint, other):
                found.append(match)
        return sorted(found, key=lambda m: (not m.confident, -m.score))
