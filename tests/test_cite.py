"""Citations in manuscripts: scanning pandoc Markdown and LaTeX, resolving, exporting, watching."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert

from phbrefs.cite import resolve, scan_file, scan_files, scan_text, watch
from phbrefs.db import models as m
from phbrefs.errors import ExitCode, InvalidInputError
from phbrefs.formats import get_importer
from phbrefs.library import Library

FIXTURES = Path(__file__).parent / "fixtures" / "csl"
KNOWN = [
    "berg2019budgets",
    "forder2012evaluation",
    "nhs2017guidance",
    "welch2016implementing",
    "welch2022personal",
]


@pytest.fixture
def db(storage: str) -> str:
    path = storage  # ./library.db, or a PostgreSQL database
    text = (FIXTURES / "zotero.json").read_text(encoding="utf-8")
    with Library(path) as library:
        library.add_many(get_importer("csljson").parse(text, "zotero.json").records)
    return path


@pytest.fixture
def manuscript(tmp_path: Path) -> Path:
    path = tmp_path / "paper.md"
    path.write_text((FIXTURES / "manuscript.md").read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture
def tex(tmp_path: Path) -> Path:
    path = tmp_path / "paper.tex"
    path.write_text((FIXTURES / "paper.tex").read_text(encoding="utf-8"), encoding="utf-8")
    return path


# -- scanning ---------------------------------------------------------------------------------


def test_markdown_manuscript_keys_exactly():
    scan = scan_file(FIXTURES / "manuscript.md")
    assert scan.keys == [
        "forder2012evaluation",  # nocite in the front matter
        "welch2016implementing",
        "welch2022personal",
        "berg2019budgets",
        "nhs2017guidance",
        "welch2016implemnting",
        "Smith:2020.a-b+c",
        "doe2019",
        "10.1111/hsc.12396",
        "latexinmarkdown",
    ]
    assert not scan.cite_all
    where = {(c.key, c.line) for c in scan.citations}
    assert ("welch2022personal", 15) in where  # "As @welch2022personal argue"
    assert ("welch2016implemnting", 19) in where and ("latexinmarkdown", 38) in where


def test_latex_manuscript_keys_exactly():
    scan = scan_file(FIXTURES / "paper.tex")
    assert scan.keys == [
        "forder2012evaluation",
        "welch2016implementing",
        "welch2022personal",
        "berg2019budgets",
        "nhs2017guidance",
        "welch2016implemnting",
        "doe2019",
    ]
    first = scan.citations[0]
    assert (first.key, first.line, first.column) == ("forder2012evaluation", 5, 67)
    assert [c.line for c in scan.citations if c.key == "nhs2017guidance"] == [8, 16]


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("[@a; @b, p. 3]", ["a", "b"]),
        ("[see @a, pp. 33-35 and passim; also @b]", ["a", "b"]),
        ("[-@smith2020]", ["smith2020"]),
        ("@smith2020 says", ["smith2020"]),
        ("as shown by @smith2020.", ["smith2020"]),
        ("(@smith2020)", ["smith2020"]),
        ("@Smith:2020.a-b+c?x~y/z<w>q#r$s%t&u", ["Smith:2020.a-b+c?x~y/z<w>q#r$s%t&u"]),
        ("trailing punctuation @a-b-.", ["a-b"]),
        (
            "@{https://example.com/bib?name=foo&date=2000}",
            ["https://example.com/bib?name=foo&date=2000"],
        ),
        ("@_under_score", ["_under_score"]),
        ("see @fig-budgets, @tbl:sites, @sec-methods and @eq-1 [@figueroa2020]", ["figueroa2020"]),
        ("@Müller2020 and @ñandú", ["Müller2020", "ñandú"]),
        ("mail me: someone@example.org, me@x.co.uk", []),
        ("escaped \\@notakey", []),
        ("a `@code` span and ``@double `tick` span``", []),
        ("<mailto:a@b.org> and <https://x.org/@me>", []),
        ("[link](https://x.org/@someone) ok", []),
        ("<!--\n@hidden\n-->", []),
        ("```\n@fenced\n```\nthen @after", ["after"]),
        ("~~~~\n@f\n~~~\n@still_code\n~~~~\n@h", ["h"]),
        ("a lone ` backtick [@a].\n\nNext paragraph [@b] and `@code`.", ["a", "b"]),
        ("---\nnocite: |\n  @*\n---\nText.", []),
    ],
)
def test_pandoc_syntax(text, keys):
    assert scan_text(text, "markdown").keys == keys


def test_nocite_everything():
    assert scan_text("---\nnocite: |\n  @*\n---\nText [@a].", "markdown").cite_all
    assert scan_text("\\nocite{*}", "latex").cite_all
    assert not scan_text("@* not in front matter", "markdown").cite_all


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("\\cite{a}", ["a"]),
        ("\\citep[see][p.~3]{a,b}", ["a", "b"]),
        ("\\citep[see][p.~3]{ a , b }", ["a", "b"]),
        ("\\citet*{a}", ["a"]),
        ("\\parencite[12]{a} \\Textcite{b} \\autocite*[cf.][]{c}", ["a", "b", "c"]),
        ("\\footcite{a} \\footcitetext{b} \\citeauthor{c} \\citeyear{d}", ["a", "b", "c", "d"]),
        ("\\smartcite{a} \\supercite{b} \\fullcite{c} \\citetitle{d}", ["a", "b", "c", "d"]),
        ("\\cites(pre)(post)[a][b]{k1}[c]{k2,k3} after {notakey}", ["k1", "k2", "k3"]),
        ("\\cite{a} {notakey}", ["a"]),
        ("\\cite\n  [p. 3]\n  {spaced}", ["spaced"]),
        ("\\nocite{a,b}", ["a", "b"]),
        ("% \\cite{comment}\n\\cite{real} 50\\% \\cite{also}", ["real", "also"]),
        ("\\verb|\\cite{v}| \\begin{verbatim}\\cite{w}\\end{verbatim}", []),
        ("\\citestyle{authoryear} \\bibliographystyle{plain}", []),
        ("e-mail a@b.org @notlatex", []),
    ],
)
def test_latex_syntax(text, keys):
    assert scan_text(text, "latex").keys == keys


# what pandoc-crossref (@fig:plot, @eq:0) and Quarto (@tbl-results) write for figures, tables,
# sections and equations: cross-references, never citations
_CROSS_REFERENCE = re.compile(r"(?:fig|tbl|sec|eq|lst|thm|lem|cor|prp|cnj|def|exm|exr)[-:]\w")
_keys = st.from_regex(r"\A[A-Za-z0-9_]([A-Za-z0-9_]|[:.#$%&\-+?<>~/][A-Za-z0-9_])*\Z").filter(
    lambda key: not _CROSS_REFERENCE.match(key)
)


def test_cross_references_are_not_citations():
    text = "See @fig:plot, @eq:0, [@tbl-results], @sec:aims; as @welch2016 found [@figueroa2019]."
    assert scan_text(text, "markdown").keys == ["welch2016", "figueroa2019"]


@given(st.lists(_keys, min_size=1, max_size=5, unique=True), st.sampled_from([".", ",", ";", ")"]))
def test_any_pandoc_key_is_found_whole(keys, after):
    text = "As argued [" + "; ".join(f"@{k}, p. 3" for k in keys) + "] and @" + keys[0] + after
    assert scan_text(text, "markdown").keys == keys


@given(st.lists(st.from_regex(r"\A[A-Za-z0-9_:.\-/]+\Z"), min_size=1, max_size=5, unique=True))
def test_any_latex_key_list_is_found(keys):
    text = "\\citep[see][p.~3]{" + ", ".join(keys) + "}."
    assert scan_text(text, "latex").keys == keys


def test_unreadable_manuscripts(tmp_path):
    with pytest.raises(InvalidInputError, match="no such manuscript"):
        scan_file(tmp_path / "missing.md")
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InvalidInputError, match="cannot read"):
        scan_file(binary)


# -- resolving --------------------------------------------------------------------------------


def test_resolve_through_keys_aliases_and_dois(db):
    with Library(db) as library:
        work = library.get("welch2022personal")
        with library.session() as session:
            session.connection().execute(
                insert(m.Alias).values(key="welch2022old", work_id=work.id)
            )
        scan = scan_text("[@welch2022old; @10.1111/hsc.12396; @welch2016implementing; @nope]")
        resolved = resolve(library, scan)
    assert resolved.keys == {
        "welch2022old": "welch2022personal",
        "10.1111/hsc.12396": "welch2016implementing",
        "welch2016implementing": "welch2016implementing",
    }
    assert [w.citekey for w in resolved.works] == ["welch2022personal", "welch2016implementing"]
    assert [(u.key, u.suggestion) for u in resolved.unknown] == [("nope", None)]


def test_watch_reruns_on_change(tmp_path):
    path = tmp_path / "paper.md"
    path.write_text("[@a]")
    seen: list[list[str]] = []
    edits = iter(["[@a; @b]", None, "[@a; @b; @c]"])

    def fake_sleep(_seconds: float) -> None:  # the user edits between two polls
        text = next(edits, None)
        if text is not None:
            _edit(path, text)

    def on_change() -> None:
        seen.append(scan_file(path).keys)

    runs = watch([path], on_change, interval=0, max_iterations=4, sleep=fake_sleep)
    assert runs == 3
    assert seen == [["a"], ["a", "b"], ["a", "b", "c"]]


def _edit(path: Path, text: str) -> None:
    """Write ``text`` and move the modification time on, as a save a second later would."""
    path.write_text(text)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_watch_follows_files_the_manuscript_comes_to_include(tmp_path):
    main = tmp_path / "thesis.tex"
    chapter = tmp_path / "ch1.tex"
    main.write_text("\\cite{a}")
    chapter.write_text("\\cite{b}")
    seen: list[list[str]] = []
    steps = iter(
        [
            lambda: _edit(main, "\\cite{a}\\input{ch1}"),
            lambda: _edit(chapter, "\\cite{b,c}"),  # watched only since the \\input
            lambda: None,
        ]
    )

    def on_change() -> list[Path]:
        scan = scan_file(main)
        seen.append(scan.keys)
        return scan.files

    runs = watch([main], on_change, interval=0, max_iterations=3, sleep=lambda _: next(steps)())
    assert runs == 3
    assert seen == [["a"], ["a", "b"], ["a", "b", "c"]]


def test_latex_input_and_include_are_followed(tmp_path):
    (tmp_path / "chapters").mkdir()
    main = tmp_path / "thesis.tex"
    main.write_text(
        "\\cite{intro}\n"
        "\\include{chapters/one}\n"
        "% \\input{chapters/commented}\n"
        "\\input{chapters/two.tex} \\cite{outro}\n"
        "\\input{missing}\n"
    )
    (tmp_path / "chapters" / "one.tex").write_text(
        "\\citep{one_a}\n\\input{chapters/nested}\n\\input{../thesis}"
    )
    (tmp_path / "chapters" / "nested.tex").write_text("\\citet{nested}")
    (tmp_path / "chapters" / "two.tex").write_text("\\cite{two}")
    (tmp_path / "chapters" / "commented.tex").write_text("\\cite{never}")
    scan = scan_file(main)
    assert scan.keys == ["intro", "one_a", "nested", "two", "outro"]
    assert [c.where for c in scan.citations if c.key == "nested"] == [
        f"{tmp_path / 'chapters' / 'nested.tex'}:1"
    ]
    assert [f.name for f in scan.files] == ["thesis.tex", "one.tex", "nested.tex", "two.tex"]
    assert scan.missing == [
        f"{main}:5: \\input{{missing}}: no such file ({tmp_path / 'missing.tex'}); "
        "its citations are not read"
    ]


def test_several_files_read_as_one_manuscript(tmp_path):
    first, second = tmp_path / "01-intro.md", tmp_path / "02-methods.md"
    first.write_text("Intro [@b; @a].\n")
    second.write_text("Methods\n\n[@c; @a].\n")
    scan = scan_files([first, second, first])
    assert scan.keys == ["b", "a", "c"]
    assert [c.where for c in scan.citations if c.key == "a"] == [f"{first}:1", f"{second}:3"]


# -- the command ------------------------------------------------------------------------------


def test_cli_lists_cited_keys_and_reports_unknown(cli, db, manuscript):
    result = cli("--db", db, "cite", manuscript)
    assert result.exit_code == ExitCode.NOT_FOUND
    assert result.stdout.splitlines() == [
        "forder2012evaluation",
        "welch2016implementing",
        "welch2022personal",
        "berg2019budgets",
        "nhs2017guidance",
    ]
    errors = result.stderr.splitlines()
    assert (
        f"{manuscript}:19: unknown key 'welch2016implemnting' "
        "(did you mean 'welch2016implementing'?)"
    ) in errors
    assert f"{manuscript}:21: unknown key 'doe2019'" in errors
    assert f"{manuscript}:38: unknown key 'latexinmarkdown'" in errors
    assert errors[-1] == "5 cited works found, 4 unknown keys"


def test_cli_json(cli, db, manuscript):
    result = cli("--db", db, "cite", manuscript, "--json")
    assert result.exit_code == ExitCode.NOT_FOUND
    data = json.loads(result.stdout)
    by_key = {c["key"]: c for c in data["citations"]}
    assert by_key["10.1111/hsc.12396"]["citekey"] == "welch2016implementing"
    assert by_key["welch2016implemnting"] == {
        "key": "welch2016implemnting",
        "citekey": None,
        "found": False,
        "where": [f"{manuscript}:19"],
        "suggestion": "welch2016implementing",
        "notices": [],
    }
    assert by_key["welch2022personal"]["where"] == [f"{manuscript}:15"] * 2
    assert data["files"] == [str(manuscript)]


def test_cli_exports_exactly_the_cited_works_as_csl_json(cli, db, tex, tmp_path):
    output = tmp_path / "build" / "refs.json"
    result = cli("--db", db, "cite", tex, "-o", output)
    assert result.exit_code == ExitCode.NOT_FOUND  # two unknown keys, the rest still written
    assert result.stdout == ""
    items = json.loads(output.read_text(encoding="utf-8"))
    assert [i["id"] for i in items] == [
        "forder2012evaluation",
        "welch2016implementing",
        "welch2022personal",
        "berg2019budgets",
        "nhs2017guidance",
    ]
    assert all("abstract" not in i for i in items)
    assert f"{tex}:9: unknown key 'welch2016implemnting'" in result.stderr
    assert f"wrote 5 works as csljson to {output}" in result.stderr


def test_cli_several_files(cli, db, tmp_path):
    first, second = tmp_path / "01-intro.md", tmp_path / "02-methods.md"
    first.write_text("Intro [@welch2016implementing].\n")
    second.write_text("Methods\n\n[@welch2022personal; @welch2016implemnting].\n")
    result = cli("--db", db, "cite", first, second)
    assert result.exit_code == ExitCode.NOT_FOUND
    assert result.stdout.splitlines() == ["welch2016implementing", "welch2022personal"]
    assert f"{second}:3: unknown key 'welch2016implemnting'" in result.stderr


def test_cli_declared_bibliography(cli, db, tmp_path):
    paper = tmp_path / "paper.md"
    paper.write_text("---\nbibliography: build/refs.json\n---\nSee [@welch2022personal].\n")
    result = cli("--db", db, "cite", paper, "--declared")
    assert result.exit_code == 0, result.stderr
    items = json.loads((tmp_path / "build" / "refs.json").read_text(encoding="utf-8"))
    assert [i["id"] for i in items] == ["welch2022personal"]
    thesis = tmp_path / "thesis.tex"
    thesis.write_text(
        "% \\bibliography{old}\n\\addbibresource[location=local]{lit.bib}\n"
        "\\autocite{welch2016implementing}\n"
    )
    assert cli("--db", db, "cite", thesis, "-d").exit_code == 0
    biblatex = (tmp_path / "lit.bib").read_text(encoding="utf-8")
    assert "journaltitle" in biblatex and "{welch2016implementing," in biblatex
    natbib = tmp_path / "natbib.tex"
    natbib.write_text("\\citep{welch2016implementing}\n\\bibliography{natrefs,other}\n")
    assert cli("--db", db, "cite", natbib, "--declared").exit_code == 0
    bibtex = (tmp_path / "natrefs.bib").read_text(encoding="utf-8")
    assert "journal " in bibtex and "journaltitle" not in bibtex
    bare = tmp_path / "bare.md"
    bare.write_text("[@welch2016implementing]")
    result = cli("--db", db, "cite", bare, "--declared")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "names no bibliography file" in result.stderr
    assert cli("--db", db, "cite", paper, "-d", "-o", "x.json").exit_code == ExitCode.USAGE
    broken = tmp_path / "broken.md"
    broken.write_text("---\nbibliography: [unclosed\n---\n[@welch2016implementing]")
    result = cli("--db", db, "cite", broken, "--declared")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "unreadable YAML front matter" in result.stderr


def test_cli_all_known_exits_zero(cli, db, tmp_path):
    paper = tmp_path / "clean.md"
    paper.write_text("Only [@welch2016implementing; @welch2022personal].\n")
    output = tmp_path / "refs.json"
    result = cli("--db", db, "cite", paper, "-o", output, "--abstracts")
    assert result.exit_code == 0, result.stderr
    items = json.loads(output.read_text(encoding="utf-8"))
    assert [i["id"] for i in items] == ["welch2016implementing", "welch2022personal"]
    assert items[0]["abstract"].startswith("Personal health budgets (PHBs)")


def test_cli_nocite_star_exports_the_whole_library(cli, db, tmp_path):
    paper = tmp_path / "all.tex"
    paper.write_text("\\cite{welch2022personal}\\nocite{*}")
    output = tmp_path / "refs.json"
    result = cli("--db", db, "cite", paper, "-o", output)
    assert result.exit_code == 0
    ids = [i["id"] for i in json.loads(output.read_text(encoding="utf-8"))]
    assert ids[0] == "welch2022personal" and sorted(ids) == KNOWN


def test_cli_bibtex_for_latex(cli, db, tex, tmp_path):
    output = tmp_path / "refs.bib"
    result = cli("--db", db, "cite", tex, "-o", output, "--format", "biblatex")
    assert result.exit_code == ExitCode.NOT_FOUND
    bib = output.read_text(encoding="utf-8")
    for key in KNOWN:
        assert "{" + key + "," in bib
    assert bib.count("@") >= 5
    result = cli("--db", db, "cite", tex, "-o", tmp_path / "plain.bib")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "{welch2016implementing," in (tmp_path / "plain.bib").read_text(encoding="utf-8")


def test_cli_export_to_stdout(cli, db, manuscript):
    result = cli("--db", db, "cite", manuscript, "--format", "csljson")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert [i["id"] for i in json.loads(result.stdout)] == [
        "forder2012evaluation",
        "welch2016implementing",
        "welch2022personal",
        "berg2019budgets",
        "nhs2017guidance",
    ]
    assert "wrote 5 works as csljson to stdout" in result.stderr


def test_cli_ris(cli, db, manuscript, tmp_path):
    output = tmp_path / "refs.ris"
    cli("--db", db, "cite", manuscript, "-o", output)
    ris = output.read_text(encoding="utf-8")
    assert ris.count("ER  -") == 5
    assert "10.1111/hsc.12396" in ris


def test_cli_errors(cli, db, manuscript, tmp_path):
    result = cli("--db", db, "cite", manuscript, "-o", tmp_path / "refs.txt")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "give --format" in result.stderr
    result = cli("--db", db, "cite", tmp_path / "missing.md")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "no such manuscript" in result.stderr
    result = cli("--db", db, "cite", manuscript, "-o", tmp_path / "x.json", "--format", "docx")
    assert result.exit_code == ExitCode.INVALID_INPUT


def test_cli_watch_rewrites_the_export_until_ctrl_c(db, tmp_path):
    paper = tmp_path / "paper.md"
    paper.write_text("First [@welch2016implementing].\n")
    output = tmp_path / "refs.json"
    command = [sys.executable, "-m", "phbrefs", "--db", str(db), "cite", str(paper)]
    command += ["-o", str(output), "--watch", "--interval", "0.1"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)

    def exported() -> list[str]:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                return [i["id"] for i in json.loads(output.read_text(encoding="utf-8"))]
            except (FileNotFoundError, ValueError):
                time.sleep(0.05)
        raise AssertionError("no export written")

    try:
        assert exported() == ["welch2016implementing"]
        output.unlink()
        paper.write_text("First [@welch2016implementing]. Then [@welch2022personal; @nope].\n")
        assert exported() == ["welch2016implementing", "welch2022personal"]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0
    assert f"{paper}:1: unknown key 'nope'" in stderr
    assert stderr.rstrip().endswith("stopped watching")


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed")
def test_pandoc_builds_the_manuscript_from_the_cite_export(cli, db, tmp_path):
    paper = tmp_path / "paper.md"
    paper.write_text(
        "---\nnocite: |\n  @nhs2017guidance\n---\n\n"
        "PHBs were piloted [@forder2012evaluation; see @welch2016implementing, p. 35].\n"
        "As @welch2022personal argue, leadership matters [-@berg2019budgets].\n"
        "Write to jane.doe@kent.ac.uk. Code: `@notakey`.\n\n# References\n",
        encoding="utf-8",
    )
    refs = tmp_path / "refs.json"
    assert cli("--db", db, "cite", paper, "-o", refs).exit_code == 0
    result = subprocess.run(
        ["pandoc", str(paper), "--citeproc", "--bibliography", str(refs), "-t", "plain"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stderr == ""
    text = " ".join(result.stdout.split())
    assert (
        "(Forder and Personal Social Services Research Unit 2012; see Welch et al. 2016, 35)"
        in (text)
    )
    assert "Personal Health Budgets Guidance" in text  # the nocite entry is listed
