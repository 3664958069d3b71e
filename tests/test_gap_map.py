"""The interactive evidence gap map (``phbrefs map -o map.html``) opened in headless Chromium:
bubbles against the findings, switches, filters, the detail panel, keys and print layout."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import CHROMEDRIVER, CHROMIUM, chromium
from tables_helpers import build_review

from phbrefs.library import Library
from phbrefs.tables.gap_map import map_data, render_gap_map, write_gap_map

needs_chromium = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="chromium and chromium-driver not installed (.ci/run installs them)",
)


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Library, Path]]:
    folder = tmp_path_factory.mktemp("map")
    with Library(folder / "library.db") as library:
        build_review(library)
        yield library, write_gap_map(library, folder / "map.html")


@pytest.fixture(scope="module")
def page(review) -> Iterator:
    _, path = review
    with chromium() as driver:
        driver.get(path.as_uri())
        yield driver


def bubbles(driver) -> list:
    return driver.find_elements("css selector", "#map .bubble")


def choose(driver, select_id: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", select_id)).select_by_value(value)


def test_the_page_is_standalone_and_its_data_cannot_close_the_script(review):
    _, path = review
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)=["']?https?:""", text)
    data = json.loads(re.search(r'id="map-data">(.*?)</script>', text, re.S).group(1))
    assert len(data["findings"]) == 9
    library, _ = review
    hostile = map_data(library)
    hostile["claims"][0]["statement"] = "</script><script>alert(1)</script>"
    page = render_gap_map(hostile)
    assert "<script>alert(1)" not in page and page.count("</script>") == 2


@needs_chromium
def test_one_bubble_per_claim_and_study_holding_every_finding(review, page):
    library, _ = review
    data = map_data(library)
    cells = {(f["claim"], f["study"]) for f in data["findings"]}
    shown = bubbles(page)
    assert len(shown) == len(cells)
    assert sum(int(b.get_attribute("data-findings")) for b in shown) == len(data["findings"])
    assert all(b.get_attribute("aria-label") for b in shown)
    themes = [th.text for th in page.find_elements("css selector", "#map tr.theme th")]
    assert themes == ["Implementation", "Outcomes", "Other claims"]
    assert "9 findings from 5 studies on 4 claims shown" in page.find_element("id", "summary").text


@needs_chromium
def test_a_stance_filter_keeps_only_its_findings_and_the_detail_panel_quotes_them(page):
    choose(page, "filter-stance", "contradicts")
    shown = bubbles(page)
    assert len(shown) == 1 and shown[0].get_attribute("data-findings") == "1"
    shown[0].click()
    detail = page.find_element("id", "detail").text
    assert "timing made no difference" in detail
    assert "Jones and Smith 2019" in detail
    assert "Budget-holders benefit more when the budget starts post-detox" in detail
    page.find_element("id", "reset").click()
    assert len(bubbles(page)) == 8


@needs_chromium
def test_a_mixed_cell_shows_its_parts_and_the_detail_lists_each_finding(page):
    cell = next(b for b in bubbles(page) if b.get_attribute("data-findings") == "2")
    assert "conic-gradient" in cell.get_attribute("style")
    cell.click()
    items = page.find_elements("css selector", "#detail li")
    assert len(items) == 2
    assert "p. 1640" in page.find_element("id", "detail").text or "Abstract" in items[0].text
    links = page.find_elements("css selector", "#detail .reference a")
    assert links and links[0].get_attribute("href").startswith("https://doi.org/")


@needs_chromium
def test_dimensions_columns_draw_every_finding_including_uncoded_ones(review, page):
    page.find_element("css selector", "input[name=by][value=dimensions]").click()
    shown = bubbles(page)
    headers = [
        th.get_attribute("title") for th in page.find_elements("css selector", "tr.columns th")
    ]
    assert headers == [
        "Reach",
        "Effectiveness",
        "Adoption",
        "Implementation",
        "Maintenance",
        "No dimension",
    ]
    library, _ = review
    assert sum(int(b.get_attribute("data-findings")) for b in shown) == sum(
        len(f["dimensions"]) for f in map_data(library)["findings"]
    )
    page.find_element("css selector", "input[name=by][value=studies]").click()


@needs_chromium
def test_size_and_colour_switch(page):
    page.find_element("css selector", "input[name=colour][value=confidence]").click()
    legend = page.find_element("id", "legend").text
    assert "CERQual confidence" in legend and "Very low" in legend
    page.find_element("css selector", "input[name=size][value=findings]").click()
    assert "finding" in page.find_element("id", "legend").text
    page.find_element("css selector", "input[name=colour][value=stance]").click()
    page.find_element("css selector", "input[name=size][value=studies]").click()


@needs_chromium
def test_arrow_keys_move_between_bubbles(page):
    from selenium.webdriver.common.keys import Keys

    first = bubbles(page)[0]
    assert first.get_attribute("tabindex") == "0"
    first.send_keys(Keys.ARROW_RIGHT)
    moved = page.switch_to.active_element
    assert moved != first and "bubble" in moved.get_attribute("class")
    moved.send_keys(Keys.ENTER)
    assert page.find_elements("css selector", "#detail li")


@needs_chromium
def test_print_layout_hides_the_controls(page):
    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not page.find_element("css selector", ".controls").is_displayed()
        assert all(b.is_displayed() for b in bubbles(page))
    finally:
        page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_cli_writes_the_html_map(cli, library, tmp_path: Path):
    build_review(library)
    result = cli("map", "-o", "out/map.html", "--by", "dimensions")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert (tmp_path / "out" / "map.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
