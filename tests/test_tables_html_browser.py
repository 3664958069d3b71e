"""The HTML tables in headless Chromium: sorting by confidence follows the CERQual order."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import CHROMEDRIVER, CHROMIUM, chromium
from tables_helpers import add_cerqual, add_claim, add_finding, add_works, record

from phbrefs.library import Library
from phbrefs.tables import build_table, write_table

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="chromium and chromium-driver not installed (.ci/run installs them)",
)


def test_confidence_sorts_by_rank_and_dois_are_links(tmp_path: Path):
    with Library(tmp_path / "library.db") as library:
        (work,) = add_works(
            library, record("A study", [("Ann", "Lee")], 2020, doi="10.1/x", container_title="J")
        )
        for index, level in enumerate(["very low", "high", "low", "moderate", None]):
            claim = add_claim(library, f"c{index}", f"Claim {index}.", None, index)
            add_finding(library, work, claim, "supports", "a quote")
            if level:
                add_cerqual(library, claim, overall=level)
        path = write_table(build_table(library, "soqf"), tmp_path / "soqf.html")
    with chromium() as driver:
        driver.get(path.as_uri())
        header = driver.find_element("xpath", "//th[text()='CERQual assessment of confidence']")
        header.click()

        def column() -> list[str]:
            cells = driver.find_elements("css selector", "tbody tr td:nth-child(4)")
            return [c.text for c in cells]

        assert column() == [
            "Not assessed",
            "Very low confidence",
            "Low confidence",
            "Moderate confidence",
            "High confidence",
        ]
        header.click()
        assert column()[0] == "High confidence"
        link = driver.find_element("css selector", ".references a")
        assert link.get_attribute("href") == "https://doi.org/10.1/x"
        assert driver.find_element("css selector", ".references i").text == "J"
