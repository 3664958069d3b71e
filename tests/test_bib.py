"""Formatted bibliographies: every bundled CSL style on a varied library, every output format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from phbrefs.errors import ExitCode, InvalidInputError
from phbrefs.formats import citeproc, get_importer
from phbrefs.library import Library
from phbrefs.records import Contributor, PartialDate, WorkRecord

FIXTURES = Path(__file__).parent / "fixtures" / "csl"

WELCH_2016 = (
    "Welch, E., Jones, K., Caiels, J., Windle, K., & Bass, R. (2016). Implementing personal "
    "health budgets in England: a user-led approach to substance misuse. Health & Social Care "
    "in the Community, 24(5), e33–e42. https://doi.org/10.1111/hsc.12396"
)


def _records() -> list[WorkRecord]:
    text = (FIXTURES / "zotero.json").read_text(encoding="utf-8")
    records = get_importer("csljson").parse(text, "zotero.json").records
    records.append(
        WorkRecord(
            type="report",
            title="Personal health budgets: first steps",
            contributors=[Contributor(literal="Department of Health")],
            publisher="Department of Health",
            publisher_place="London",
            issued=PartialDate(2009, 1),
            citekey="doh2009first",
        )
    )
    records.append(
        WorkRecord(
            type="article-journal",
            title="<i>Candida</i> & <script>alert(1)</script> budgets",
            contributors=[Contributor(given="Seán", family="O'Brien")],
            container_title="Journal of Tests",
            issued=PartialDate(2021),
            citekey="obrien2021candida",
        )
    )
    return records


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "library.db"
    with Library(path) as library:
        library.add_many(_records())
        library.tag(["welch2016implementing", "welch2022personal"], add=["seed"])
    return path


@pytest.fixture
def works(db: Path):
    with Library(db) as library:
        return library.works()


def _texts(works, style: str) -> list[str]:
    bibliography = citeproc.format_bibliography(works, style)
    assert bibliography.problems == []
    return [entry.text for entry in bibliography.entries]


def test_apa(works):
    entries = _texts(works, "apa")
    assert WELCH_2016 in entries
    assert (
        "Welch, E., Jones, K., Fox, D., & Caiels, J. (2022). Personal health budgets: a mechanism "
        "to encourage service integration? Journal of Integrated Care. "
        "https://doi.org/10.1108/jica-07-2021-0038"
    ) in entries
    assert (
        "van den Berg, A., & de Gaulle, C., Jr. (2019). Budgets, choice and control. In J. Glasby "
        "(Ed.), & J. Müller (Trans.), Handbook of Personalised Care (2nd ed., pp. 101–124). "
        "Policy Press."
    ) in entries
    assert (
        "Department of Health. (2009). Personal health budgets: first steps. Department of Health."
    ) in entries
    # no author: the title moves to the front, once
    no_author = next(e for e in entries if "guidance" in e)
    assert no_author.startswith("Personal health budgets guidance. (2017). NHS England.")
    assert no_author.count("guidance") == 1
    # sorted by author, then year; a title standing for an author sorts as that title
    assert [e.split(" ")[0] for e in entries] == [
        "Department",
        "Forder,",
        "O'Brien,",
        "Personal",
        "van",
        "Welch,",
        "Welch,",
    ]
    assert entries.index(WELCH_2016) == 5


def test_vancouver_numbers_in_the_order_given(works):
    entries = _texts(works, "vancouver")
    assert entries[0].startswith("1. van den Berg A, de Gaulle C Jr. Budgets, choice and control.")
    assert (
        "Welch E, Jones K, Caiels J, Windle K, Bass R. Implementing personal health budgets in "
        "England: a user-led approach to substance misuse. Health Soc Care Community [Internet]. "
        "2016 Oct 10 [cited 2017 Sep 24];24(5):e33–e42. Available from: "
        "https://onlinelibrary.wiley.com/doi/10.1111/hsc.12396. doi:10.1111/hsc.12396"
    ) in entries[5]
    assert entries[1] == (
        "2. Department of Health. Personal health budgets: first steps. London: Department of "
        "Health; 2009 Jan."
    )
    assert [e.split(".")[0] for e in entries] == [str(n) for n in range(1, 8)]


def test_harvard_is_british(works):
    entries = _texts(works, "harvard")
    assert (
        "Welch, E. et al. (2016) ‘Implementing personal health budgets in England: a user-led "
        "approach to substance misuse’, Health & Social Care in the Community, 24(5), "
        "pp. e33–e42. Available at: https://doi.org/10.1111/hsc.12396."
    ) in entries
    assert (
        "van den Berg, A. and de Gaulle, C., Jr. (2019) ‘Budgets, choice and control’, in "
        "J. Glasby (ed.), J. Müller (trans.) Handbook of Personalised Care. 2nd edn. Bristol: "
        "Policy Press, pp. 101–124."
    ) in entries
    assert (
        "Personal health budgets guidance (2017) NHS England. Available at: "
        "https://www.england.nhs.uk/personal-health-budgets/ (Accessed: 5 January 2024)."
    ) in entries
    assert entries[0].startswith("Department of Health (2009) Personal health budgets: first")


def test_chicago_author_date(works):
    entries = _texts(works, "chicago")
    welch = [e for e in entries if e.startswith("Welch")]
    assert welch == [
        "Welch, Elizabeth, Karen Jones, James Caiels, Karen Windle, and Rosemary Bass. 2016. "
        "“Implementing Personal Health Budgets in England: A User-Led Approach to Substance "
        "Misuse.” Health & Social Care in the Community 24 (5): e33–42. "
        "https://doi.org/10.1111/hsc.12396.",
        "Welch, Elizabeth, Karen Jones, Diane Fox, and James Caiels. 2022. “Personal Health "
        "Budgets: A Mechanism to Encourage Service Integration?” Journal of Integrated Care, "
        "March. https://doi.org/10.1108/jica-07-2021-0038.",
    ]
    assert entries[0].startswith("Berg, Anna van den, and Charles de Gaulle Jr. 2019.")
    assert "edited by Jon Glasby, translated by Jörg Müller" in entries[0]


def test_custom_style_file_and_locale(works, tmp_path):
    style = tmp_path / "my-style.csl"
    shutil.copy(citeproc.STYLES_DIR / "apa.csl", style)
    german = citeproc.format_bibliography(works, str(style), locale="de-DE")
    chapter = next(e.text for e in german.entries if e.citekey == "berg2019budgets")
    assert "In J. Glasby (Hrsg.), & J. Müller (Übers.)" in chapter
    with pytest.raises(InvalidInputError, match="unknown style 'mla'"):
        citeproc.format_bibliography(works, "mla")
    broken = tmp_path / "broken.csl"
    broken.write_text("<style>not closed")
    with pytest.raises(InvalidInputError, match="not a usable CSL style"):
        citeproc.format_bibliography(works, str(broken))
    notes_only = tmp_path / "notes.csl"
    notes_only.write_text(
        (FIXTURES / "doi-only.csl").read_text().split("<bibliography>")[0] + "</style>\n"
    )
    with pytest.raises(InvalidInputError, match="defines no bibliography"):
        citeproc.format_bibliography(works, str(notes_only))
    with pytest.raises(InvalidInputError, match="no CSL style file"):
        citeproc.format_bibliography(works, str(tmp_path / "missing.csl"))


def test_entries_a_style_cannot_render_are_reported(works):
    style = str(FIXTURES / "doi-only.csl")  # renders the DOI and nothing else
    bibliography = citeproc.format_bibliography(works, style)
    assert [e.text for e in bibliography.entries] == [
        "doi:10.1111/hsc.12396",
        "doi:10.1108/jica-07-2021-0038",
    ]
    assert sorted(key for key, _ in bibliography.problems) == [
        "berg2019budgets",
        "doh2009first",
        "forder2012evaluation",
        "nhs2017guidance",
        "obrien2021candida",
    ]


def test_markdown_html_and_rich_titles(works):
    bibliography = citeproc.format_bibliography(works, "apa")
    markdown = citeproc.to_markdown(bibliography)
    assert "*Health & Social Care in the Community*, *24*(5), e33–e42." in markdown
    assert "*Candida* & \\<script\\>alert(1)\\</script\\> budgets. *Journal of Tests*." in markdown
    page = citeproc.to_html(bibliography)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<i>Candida</i> &amp; &lt;script&gt;alert(1)&lt;/script&gt; budgets" in page
    assert "<script>" not in page
    assert "<i>Health &amp; Social Care in the Community</i>, <i>24</i>(5)" in page
    assert '<a href="https://doi.org/10.1111/hsc.12396">https://doi.org/10.1111/hsc.12396</a>' in (
        page
    )
    assert 'id="ref-welch2016implementing"' in page


def test_italics_inside_an_italic_title_flip_to_roman():
    book = WorkRecord(
        type="book",
        title="The biology of <i>Candida</i>",
        contributors=[Contributor(given="Ann", family="Smith")],
        publisher="Policy Press",
        issued=PartialDate(2020),
    )
    with Library(":memory:") as library:
        library.add(book)
        (entry,) = citeproc.format_bibliography(library.works(), "apa").entries
    assert [(r.text, r.italic) for r in entry.runs] == [
        ("Smith, A. (2020). ", False),
        ("The biology of ", True),
        ("Candida", False),
        (". Policy Press.", False),
    ]


def test_docx_has_real_italic_runs(works, tmp_path):
    from docx import Document

    bibliography = citeproc.format_bibliography(works, "apa")
    path = tmp_path / "refs.docx"
    citeproc.write_docx(bibliography, path)
    paragraphs = Document(str(path)).paragraphs
    assert paragraphs[0].text == "References"
    welch = next(p for p in paragraphs if p.text == WELCH_2016)
    italic = [r.text for r in welch.runs if r.italic]
    assert italic == ["Health & Social Care in the Community", "24"]
    assert not any(r.italic for r in welch.runs if r.text.startswith("Welch"))


# -- the command ------------------------------------------------------------------------------


def test_cli_bib_by_key_to_stdout(cli, db):
    result = cli("--db", db, "bib", "welch2016implementing", "--style", "apa")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == WELCH_2016 + "\n"


def test_cli_bib_json(cli, db):
    result = cli("--db", db, "bib", "welch2016implementing", "obrien2021candida", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["style"] == "American Psychological Association 7th edition"
    assert [e["citekey"] for e in data["entries"]] == [
        "obrien2021candida",
        "welch2016implementing",
    ]
    assert data["entries"][1]["text"] == WELCH_2016
    assert data["entries"][0]["html"].startswith("O'Brien, S. (2021). <i>Candida</i> &amp; &lt;")
    assert cli("--db", db, "bib", "--all", "--json", "-o", "x.html").exit_code == ExitCode.USAGE


def test_cli_bib_by_tag_and_all(cli, db):
    result = cli("--db", db, "bib", "--tag", "seed", "-s", "vancouver")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("1. Welch E, Jones K, Caiels J")
    result = cli("--db", db, "bib", "doh2009first", "--tag", "seed", "-s", "vancouver")
    lines = result.stdout.splitlines()
    assert [line[:18] for line in lines] == [
        "1. Department of H",
        "2. Welch E, Jones ",
        "3. Welch E, Jones ",
    ]
    result = cli("--db", db, "bib", "--all", "--style", "harvard", "--format", "md")
    assert result.exit_code == 0
    assert result.stdout.count("\n\n") == 6  # seven paragraphs
    assert "*Handbook of Personalised Care*. 2nd edn." in result.stdout


def test_cli_bib_files(cli, db, tmp_path):
    html_file = tmp_path / "out" / "refs.html"
    result = cli("--db", db, "bib", "--all", "-o", html_file)
    assert result.exit_code == 0 and result.stdout == ""
    assert "wrote 7 references" in result.stderr
    assert "<!DOCTYPE html>" in html_file.read_text(encoding="utf-8")
    docx_file = tmp_path / "refs.docx"
    result = cli("--db", db, "bib", "--all", "--style", "chicago", "-o", docx_file)
    assert result.exit_code == 0
    from docx import Document

    texts = [p.text for p in Document(str(docx_file)).paragraphs]
    assert texts[1].startswith("Berg, Anna van den, and Charles de Gaulle Jr. 2019.")
    result = cli("--db", db, "bib", "--tag", "seed", "--format", "docx")  # no -o: exports/
    assert result.exit_code == 0
    default = tmp_path / "exports" / "bibliography.docx"
    assert [p.text for p in Document(str(default)).paragraphs][1].startswith("Welch, E., Jones")


def test_cli_bib_errors(cli, db, tmp_path):
    result = cli("--db", db, "bib")
    assert result.exit_code == ExitCode.USAGE
    result = cli("--db", db, "bib", "welch2016implemnting")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "did you mean 'welch2016implementing'?" in result.stderr
    result = cli("--db", db, "bib", "--all", "--style", "nature")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "unknown style 'nature'" in result.stderr
    result = cli("--db", db, "bib", "--all", "--format", "pdf")
    assert result.exit_code == ExitCode.INVALID_INPUT
    result = cli("--db", db, "bib", "--all", "--style", FIXTURES / "doi-only.csl")
    assert result.exit_code == ExitCode.PARTIAL
    assert result.stdout.splitlines() == [
        "doi:10.1111/hsc.12396",
        "doi:10.1108/jica-07-2021-0038",
    ]
    assert "phbrefs: warning: nhs2017guidance: the style rendered nothing for it" in result.stderr
    result = cli("--db", db, "bib", "--tag", "nosuchtag")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "no works tagged nosuchtag" in result.stderr


def test_editors_labels_and_editions_are_exact():
    from datetime import datetime

    from phbrefs.library import StoredWork

    book = WorkRecord(
        type="book",
        title="Debates in personalisation",
        contributors=[Contributor(role="editor", given="Catherine", family="Needham")],
        publisher="Policy Press",
        publisher_place="London",
        edition="2",
        issued=PartialDate(2014),
    )
    now = datetime(2026, 1, 1)
    works = [StoredWork(id=1, citekey="needham2014", record=book, added_at=now, updated_at=now)]
    (apa,) = _texts(works, "apa")
    assert apa == "Needham, C. (Ed.). (2014). Debates in personalisation (2nd ed.). Policy Press."
    (chicago,) = _texts(works, "chicago")
    assert chicago == (
        "Needham, Catherine, ed. 2014. Debates in Personalisation. 2nd ed. London: Policy Press."
    )
    (vancouver,) = _texts(works, "vancouver")
    assert vancouver == (
        "1. Needham C, editor. Debates in personalisation. 2nd ed. London: Policy Press; 2014."
    )


@pytest.mark.parametrize(
    ("first", "last", "expanded", "minimal", "minimal_two", "chicago"),
    [
        ("1", "11", "11", "11", "11", "11"),
        ("1", "12", "12", "12", "12", "12"),
        ("1201", "14", "1214", "14", "14", "14"),
        ("S12", "S15", "S15", "5", "15", "15"),
        ("iii", "xv", "xv", "xv", "xv", "xv"),
        ("321", "328", "328", "8", "28", "28"),
        ("1496", "1504", "1504", "504", "504", "1504"),
    ],
)
def test_page_range_formats(first, last, expanded, minimal, minimal_two, chicago):
    from phbrefs.formats.citeproc_patches import last_page

    assert [
        last_page(first, last, f) for f in ("expanded", "minimal", "minimal-two", "chicago")
    ] == [expanded, minimal, minimal_two, chicago]
