"""The duplicate-matching engine, pure (no storage): per-field normalisation (normalize, journals),
fingerprints and blocking keys (fingerprint), evidence and tiers (scoring), candidate search
(index). Import and ``phbrefs dedup`` both go through it, via phbrefs.dedup."""

from phbrefs.matching.fingerprint import Fingerprint
from phbrefs.matching.index import MAX_BLOCK, DuplicateIndex
from phbrefs.matching.scoring import DISTINCT, MERGE, REVIEW, Evidence, Match, assess, compare

__all__ = [
    "DISTINCT",
    "MAX_BLOCK",
    "MERGE",
    "REVIEW",
    "DuplicateIndex",
    "Evidence",
    "Fingerprint",
    "Match",
    "assess",
    "compare",
]
