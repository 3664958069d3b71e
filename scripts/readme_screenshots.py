"""Regenerate the README's screenshots from the real renderers: the demo review's interactive
evidence gap map in headless Chromium, every table typeset by pdflatex (A4, the README's
preamble), the SoQF table as LibreOffice lays out the Word file and as Chromium shows the HTML,
and the PNG evidence maps.

    python scripts/readme_screenshots.py            # writes docs/screenshots/*.png

Needs what CI installs: pdflatex, LibreOffice, poppler-utils (pdftoppm), chromium and
chromium-driver, and selenium (the test extra).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT / "tests"))  # the headless Chromium the tests use

from browser import chromium  # noqa: E402

from phbrefs.evidence.claims import list_claims  # noqa: E402
from phbrefs.evidence.example import load_example  # noqa: E402
from phbrefs.library import Library  # noqa: E402
from phbrefs.tables import build_table, write_table  # noqa: E402
from phbrefs.tables.evidence_map import draw_evidence_map  # noqa: E402
from phbrefs.tables.gap_map import write_gap_map  # noqa: E402
from phbrefs.tables.writers.latex import PREAMBLE  # noqa: E402


def run(*command: str, cwd: Path) -> None:
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, timeout=300)


def first_page_png(pdf: Path, target: Path, dpi: int = 100) -> None:
    """The PDF's first page, cropped to its content by pdftoppm's own rendering."""
    run(
        "pdftoppm",
        "-png",
        "-r",
        str(dpi),
        "-f",
        "1",
        "-l",
        "1",
        "-singlefile",
        str(pdf),
        str(target.with_suffix("")),
        cwd=pdf.parent,
    )


def latex_shots(tables: dict, work: Path) -> None:
    for stem, table in tables.items():
        write_table(table, work / f"{stem}.tex")
        document = PREAMBLE + f"\\begin{{document}}\n\\input{{{stem}.tex}}\n\\end{{document}}\n"
        (work / f"{stem}-doc.tex").write_text(document, encoding="utf-8")
        for _ in range(2):
            run("pdflatex", "-interaction=nonstopmode", f"{stem}-doc.tex", cwd=work)
        first_page_png(work / f"{stem}-doc.pdf", OUT / f"table-{stem}-latex.png")


def word_shot(table, work: Path) -> None:
    write_table(table, work / "soqf.docx")
    run(
        "soffice",
        f"-env:UserInstallation=file://{work / 'lo-profile'}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(work),
        str(work / "soqf.docx"),
        cwd=work,
    )
    first_page_png(work / "soqf.pdf", OUT / "table-soqf-word.png")


def browser_shots(library: Library, soqf, work: Path) -> None:
    gap_map = write_gap_map(library, work / "evidence-map.html")
    html_table = write_table(soqf, work / "soqf.html")
    with chromium(1500, 1000) as driver:
        driver.get(gap_map.as_uri())
        bubbles = driver.find_elements("css selector", "#map .bubble")
        bubbles[len(bubbles) // 2].click()
        driver.save_screenshot(str(OUT / "evidence-gap-map.png"))
        driver.find_element("css selector", "input[name=by][value=dimensions]").click()
        driver.find_element("css selector", "input[name=colour][value=confidence]").click()
        driver.find_elements("css selector", "#map .bubble")[-1].click()
        driver.save_screenshot(str(OUT / "evidence-gap-map-dimensions.png"))
        driver.get(html_table.as_uri())
        driver.save_screenshot(str(OUT / "table-soqf-html.png"))


def main() -> None:
    missing = [t for t in ("pdflatex", "soffice", "pdftoppm", "chromium") if not shutil.which(t)]
    if missing:
        sys.exit(f"missing: {', '.join(missing)} (see .ci/run for the Debian packages)")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, Library(Path(folder) / "library.db") as library:
        work = Path(folder)
        load_example(library)
        tables = {
            name: build_table(library, name) for name in ("studies", "matrix", "soqf", "profile")
        }
        claim = list_claims(library)[0].slug
        tables["claim"] = build_table(library, "claim", claim=claim)
        latex_shots(tables, work)
        word_shot(tables["soqf"], work)
        browser_shots(library, tables["soqf"], work)
        draw_evidence_map(library, OUT / "evidence-map.png")
        draw_evidence_map(library, OUT / "evidence-map-dimensions.png", by="dimensions")
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
