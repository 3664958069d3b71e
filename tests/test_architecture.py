"""The storage layer (phbrefs/library.py and phbrefs/db/) is the only code that knows SQL."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "phbrefs"
STORAGE = ("library.py", "db/")

# What storage knowledge looks like outside the storage layer: the ORM or its models, a
# transaction held by the caller, or a private Library method called from outside.
FORBIDDEN = re.compile(
    r"\bsqlalchemy\b|\bsqlmodel\b|phbrefs\.db\.models|from phbrefs\.db import models"
    r"|\.session\(|\blibrary\._[a-z]"
)


def test_only_the_storage_layer_knows_sql():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name.startswith(STORAGE):
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        offenders += [
            f"{name}:{number}: {line.strip()}"
            for number, line in enumerate(lines, 1)
            if FORBIDDEN.search(line)
        ]
    assert not offenders, "SQL or sessions outside phbrefs/library.py and phbrefs/db/:\n" + (
        "\n".join(offenders)
    )
