"""The LTWA lookup normalises only the groups of words journals ask for: held here to the
answers of the whole list normalised at once, as it was read before."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

from phbrefs.matching import journals
from phbrefs.matching.normalize import words


def _whole_list() -> tuple[dict[str, str], dict[str, str]]:
    """Every LTWA word normalised, the first line of a word winning: the eager reading."""
    text = (files("pyiso4") / "LTWA_20210702.csv").read_text(encoding="utf-8")
    exact: dict[str, str] = {}
    stems: dict[str, str] = {}
    for line in text.splitlines()[1:]:
        pattern, _, rest = line.partition("\t")
        abbreviation = rest.partition("\t")[0]
        if not pattern or pattern.startswith("-") or " " in pattern.strip():
            continue
        if abbreviation.strip().lower() in ("n.a.", "n. a.", "n.a"):
            continue
        if short := words(abbreviation):
            into = stems if pattern.rstrip().endswith("-") else exact
            into.setdefault(words(re.sub(r"\(.*?\)", "", pattern)), short.replace(" ", ""))
    return exact, stems


def _abbreviated(word: str, exact: dict[str, str], stems: dict[str, str]) -> str:
    if word in exact:
        return exact[word]
    return next((stems[word[:end]] for end in range(len(word), 2, -1) if word[:end] in stems),
                word)  # fmt: skip


def test_lazy_groups_abbreviate_as_the_whole_list():
    pytest.importorskip("pyiso4")
    exact, stems = _whole_list()
    asked = {w + tail for w in [*exact, *stems] if " " not in w for tail in ("", "x", "ology")}
    asked |= {w[:end] for w in list(asked) for end in range(1, len(w))}
    assert len(asked) > 100_000
    wrong = [w for w in asked if journals.abbreviate_word(w) != _abbreviated(w, exact, stems)]
    assert wrong == []
