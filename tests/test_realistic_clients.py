"""Proof on a realistic library (Crossref works, Scopus and PubMed RIS, a Zotero-style BibTeX
file): each work's reference fields come out the same from pandoc --citeproc reading the
CSL-JSON, the BibTeX and the BibLaTeX exports, from biblatex+biber (babel, autolang=hyphen)
and from natbib+BibTeX; a warning from any client fails the test."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from phbrefs.formats import get_exporter
from phbrefs.formats.latex import to_text
from phbrefs.importing import import_batches, parse_input
from phbrefs.library import Library
from phbrefs.sources.crossref import record_from_crossref

FIXTURES = Path(__file__).parent / "fixtures"
CROSSREF = [
    "10.1002_ajmg.b.31237",
    "10.1002_ece3.2314",
    "10.1002_jor.1100150407",
    "10.1007_978-1-137-40325-4_12",
    "10.1016_j.eng.2018.05.004",
    "10.1039_c9mh01115c",
    "10.1093_annweh_wxz051",
    "10.1101_014852",
    "10.1109_afrcon.2009.5308146",
    "10.1111_ele.13085",
    "10.1371_journal.pone.0033693",
    "10.15554_pci.cta-17",
    "10.2172_10115553",
    "10.31390_gradschool_theses.6125",
]
needs = {
    tool: pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} not installed")
    for tool in ("pandoc", "biber", "bibtex", "pdflatex")
}


def run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=300, errors="replace"
    )
    return result


@pytest.fixture(scope="module")
def realistic(tmp_path_factory) -> tuple[Path, list]:
    folder = tmp_path_factory.mktemp("realistic")
    with Library(folder / "library.db") as library:
        records = [
            record_from_crossref(
                json.loads((FIXTURES / "crossref" / "works" / f"{name}.json").read_text())[
                    "message"
                ]
            )
            for name in CROSSREF
        ]
        library.add_many(records)
        batches = [
            parse_input(path.read_text(encoding="utf-8"), path.name, path=path)
            for path in sorted((FIXTURES / "realistic").glob("*.[br]i[bs]"))
        ]
        report = import_batches(library, batches)
        assert report.failed == 0
        works = library.works()
    for name, extension in (("csljson", "json"), ("bibtex", "bib"), ("biblatex", "bib")):
        text = get_exporter(name).export(works, abstracts=False)
        (folder / f"{name}.{extension}").write_text(text, encoding="utf-8")
    return folder, works


def pandoc_text(folder: Path, bibliography: str, style: str = "apa") -> str:
    from phbrefs.formats.citeproc import style_path

    document = folder / "nocite.md"
    document.write_text('---\nnocite: "@*"\n---\n')
    result = run(
        "pandoc", str(document), "--citeproc", "--bibliography", bibliography,
        "--csl", str(style_path(style)), "-t", "plain", "--wrap=none", cwd=folder,
    )  # fmt: skip
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout


# warnings about the bibliography and its languages (overfull lines of long URLs are layout)
LATEX_WARNING = re.compile(
    r"^.*(?:(?:LaTeX|Package|Class) \w* ?Warning|No hyphenation patterns|undefined).*$", re.M
)


def latex(folder: Path, name: str, preamble: str, bib_tool: str) -> str:
    """Compile a document citing every entry; the .bbl text. Every log must be clean."""
    (folder / f"{name}.tex").write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n"
        f"{preamble}\n\\begin{{document}}\n\\nocite{{*}}\n"
        + ("\\printbibliography\n" if bib_tool == "biber" else "\\bibliography{bibtex}\n")
        + "\\end{document}\n"
    )
    logs = []
    for command in (("pdflatex", "-interaction=nonstopmode", name), (bib_tool, name),
                    ("pdflatex", "-interaction=nonstopmode", name),
                    ("pdflatex", "-interaction=nonstopmode", name)):  # fmt: skip
        result = run(*command, cwd=folder)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr
        logs.append(result.stdout + result.stderr)
    log = (folder / f"{name}.log").read_text(errors="replace")
    blg = (folder / f"{name}.blg").read_text(errors="replace")
    problems = LATEX_WARNING.findall(log) + re.findall(r"^.*(?:WARN|Warning--|ERROR).*$", blg, re.M)
    assert not problems, "\n".join(problems)
    return (folder / f"{name}.bbl").read_text(encoding="utf-8", errors="replace")


BIBLATEX = (
    "\\usepackage[english]{babel}\n\\usepackage{csquotes}\n"
    "\\usepackage[style=authoryear,backend=biber,autolang=hyphen]{biblatex}\n"
    "\\addbibresource{biblatex.bib}"
)
NATBIB = "\\usepackage{url}\n\\usepackage{natbib}\n\\bibliographystyle{plainnat}"


def normal(text: str) -> str:
    """Text as the clients' outputs are compared: case, dashes, quotes, braces, spaces."""
    text = re.sub(r"</?\w+>", "", text)
    text = re.sub(r"[‐‑–—]", "-", text).replace("’", "'").replace("‘", "'")
    return " ".join(re.sub(r"[{}*_“”\"]", "", text).split()).casefold()


def _bbl_entries(bbl: str, start: str) -> dict[str, str]:
    """A .bbl's entries as plain text by key (natbib ``\\bibitem``, biblatex ``\\entry``)."""
    bbl = bbl.replace("\\bibrangedash", "-").replace("\\bibinitperiod", ".")
    bbl = re.sub(r"\\bibnamedelim\w\s*", " ", bbl)
    bbl = re.sub(r"\\verb\{\w+\}\s*\\verb (\S+)\s*\\endverb", r" \1 ", bbl)
    bbl = re.sub(r"\\(?:url|doi|href)\s*\{([^}]*)\}", r" \1 ", bbl)
    entries = {}
    for block in bbl.split(start)[1:]:
        key = re.match(r"(?:\[.*?\]\s*)?\{([^}]+)\}", block, re.S)
        if key:
            entries[key.group(1)] = to_text(block[key.end() :])
    return entries


def _pandoc_entries(text: str, works: list) -> dict[str, str]:
    entries = [e for e in text.split("\n\n") if e.strip()]
    found = {}
    for work in works:
        title = normal(work.record.full_title or "")[:40]
        doi = normal(work.record.doi or "")
        found[work.citekey] = next(
            (e for e in entries if title in normal(e) and doi in normal(e)), ""
        )
    return found


PROPER = {"NHS", "Delphi", "England", "Denmark", "Spain"}


def expected_fields(record) -> dict[str, str]:
    people = [p for p in record.contributors if p.role == "author"] or record.contributors
    fields = {
        "title": normal(record.full_title or "")[:40],
        "first author": normal(people[0].family or people[0].literal or "") if people else "",
        "year": str(record.year or ""),
        "volume": record.volume or "",
        "doi": normal(record.doi or ""),
        "first page": normal((record.pages or "").split("-")[0]),
    }
    if record.type == "thesis":
        fields["genre"] = "thesis"
    return {name: value for name, value in fields.items() if value}


@pytest.fixture(scope="module")
def outputs(realistic) -> dict[str, dict[str, str]]:
    for tool in ("pandoc", "biber", "bibtex", "pdflatex"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed")
    folder, works = realistic
    clients = {
        f"pandoc ({name})": _pandoc_entries(pandoc_text(folder, name), works)
        for name in ("csljson.json", "bibtex.bib", "biblatex.bib")
    }
    clients["biblatex+biber"] = _bbl_entries(latex(folder, "bl", BIBLATEX, "biber"), "\\entry")
    clients["natbib+bibtex"] = _bbl_entries(latex(folder, "nb", NATBIB, "bibtex"), "\\bibitem")
    return clients


# What a client's style leaves out by design: plainnat prints no DOI for reports and theses.
OMITTED = {("natbib+bibtex", "report", "doi"), ("natbib+bibtex", "thesis", "doi")}


def test_every_client_gives_every_field_of_every_work(realistic, outputs):
    _, works = realistic
    assert len(works) == 24
    missing = []
    for work in works:
        for client, entries in outputs.items():
            text = normal(entries.get(work.citekey, ""))
            for field, value in expected_fields(work.record).items():
                if value not in text and (client, work.record.type, field) not in OMITTED:
                    missing.append(f"{client}: {work.citekey}: {field} {value!r}")
    assert not missing, "\n".join(missing)


def test_proper_nouns_keep_their_capitals_in_every_client(realistic, outputs):
    _, works = realistic
    checked = 0
    for work in works:
        words = set(re.findall(r"\w+", work.record.full_title or "")) & PROPER
        for client, entries in outputs.items():
            for word in words:
                checked += 1
                assert re.search(rf"\b{word}\b", entries[work.citekey]), (client, work.citekey)
    assert checked >= 5 * 5


def test_no_export_note_or_second_pmid_reaches_a_reference(outputs):
    for client, entries in outputs.items():
        for key, text in entries.items():
            lowered = text.casefold()
            assert "cited by" not in lowered and "export date" not in lowered, (client, key)
            assert "ncbi.nlm.nih.gov/pubmed" not in lowered, (client, key)
            assert lowered.count("31234567") <= 1, (client, key)  # garciamarquez2020's PMID
