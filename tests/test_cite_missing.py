"""`phbrefs cite` on a LaTeX manuscript whose \\include or \\input names a file that is not there:
a warning naming it and exit 6 (PARTIAL), never a silently shorter reference list."""

from __future__ import annotations

import json
from pathlib import Path

from phbrefs.errors import ExitCode
from phbrefs.library import Library
from phbrefs.records import WorkRecord


def test_a_missing_included_chapter_is_a_warning_and_a_partial_exit(cli, tmp_path: Path):
    with Library(tmp_path / "library.db") as library:
        library.add_many([WorkRecord(type="book", title="Budgets", citekey="berg2019budgets")])
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "ch1.tex").write_text("\\cite{berg2019budgets}\n", encoding="utf-8")
    main = tmp_path / "main.tex"
    main.write_text("\\include{chapters/ch1}\n\\include{chapters/ch2}\n", encoding="utf-8")
    result = cli("cite", main)
    assert result.exit_code == ExitCode.PARTIAL
    assert result.stdout.splitlines() == ["berg2019budgets"]
    missing = tmp_path / "chapters" / "ch2.tex"
    assert result.stderr.splitlines() == [
        f"warning: {main}:2: \\include{{chapters/ch2}}: no such file ({missing}); "
        "its citations are not read",
        "1 cited work found",
    ]
    as_json = cli("cite", main, "--json")
    assert as_json.exit_code == ExitCode.PARTIAL
    assert json.loads(as_json.stdout)["missing"] == [result.stderr.splitlines()[0][9:]]
    (tmp_path / "chapters" / "ch2.tex").write_text("No citations.\n", encoding="utf-8")
    assert cli("cite", main).exit_code == 0
