"""Analytic frameworks (RE-AIM ships built in) whose dimensions findings can be coded against."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from phbrefs.errors import InvalidInputError

if TYPE_CHECKING:
    from phbrefs.library import Library


@dataclass
class DimensionInfo:
    code: str
    description: str | None
    findings: int = 0


@dataclass
class FrameworkInfo:
    name: str
    description: str | None
    dimensions: list[DimensionInfo] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "dimensions": [
                {"code": d.code, "description": d.description, "findings": d.findings}
                for d in self.dimensions
            ],
        }


# What separates frameworks from codes (``RE-AIM:Reach``) and dimensions in lists (``--dimension``
# values, a coding form's ``dimensions`` cell): never part of a name or code.
SEPARATORS = (":", ";", ",")


def _check_name(kind: str, name: str, given: str) -> None:
    if not name:
        raise InvalidInputError(f"no {kind} in {given!r}")
    if found := [c for c in SEPARATORS if c in name]:
        raise InvalidInputError(
            f"{kind} {name!r} contains {found[0]!r}, which separates dimensions in lists "
            "and coding forms; use a name without ':', ';' or ','"
        )


def _split_dimension(spec: str) -> tuple[str, str | None]:
    """``Reach`` or ``Reach=who takes part`` -> (code, description)."""
    code, _, description = spec.partition("=")
    code = " ".join(code.split())
    _check_name("dimension code", code, spec)
    return code, description.strip() or None


def add_framework(
    library: Library,
    name: str,
    dimensions: Sequence[str],
    *,
    description: str | None = None,
) -> tuple[FrameworkInfo, list[str]]:
    """Create a framework, or add dimensions to an existing one; returns it and the new codes.

    Dimensions are ``CODE`` or ``CODE=description``; codes already present are left alone.
    """
    given, name = name, " ".join(name.split())
    _check_name("framework name", name, given)
    specs = [_split_dimension(spec) for spec in dimensions]
    from phbrefs.db import framework_store

    return framework_store.add_framework(library, name, specs, description)


def resolve_dimension(index: list[tuple[int, str, str]], spec: str) -> int:
    """The id of ``FRAMEWORK:CODE``, or of a bare ``CODE`` that only one framework has."""
    text = " ".join(spec.split())
    framework, sep, code = text.rpartition(":")
    if sep:
        matches = [
            i
            for i, name, c in index
            if name.lower() == framework.strip().lower() and c.lower() == code.strip().lower()
        ]
    else:
        matches = [i for i, _name, c in index if c.lower() == text.lower()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        owners = [f"{name}:{c}" for i, name, c in index if i in matches]
        raise InvalidInputError(f"dimension {spec!r} is ambiguous: say {' or '.join(owners)}")
    known = ", ".join(f"{name}:{c}" for _, name, c in index) or "none defined"
    raise InvalidInputError(f"unknown framework dimension {spec!r}; known: {known}")


def split_dimensions(text: str | None) -> list[str]:
    """``RE-AIM:Reach; Adoption`` (``;``, ``,`` or new lines between) -> a list of specs."""
    if not text:
        return []
    return [part.strip() for part in re.split(r"[;,\n]", text) if part.strip()]


def list_frameworks(library: Library) -> list[FrameworkInfo]:
    from phbrefs.db import framework_store

    return framework_store.list_frameworks(library)
