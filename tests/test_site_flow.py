"""Reading flow on the website: figure code tagged ``hide-input`` sits behind a closed
"Show code" toggle, its figure stays in the page, and one click shows the code.

Run ``make book`` (or set ``BOOK_HTML``) first; these tests carry the ``book`` marker.
"""

from __future__ import annotations

import json
import re

import pytest
from sitekit import HTML, PageReport, Site, listing

from nblib import _notebooks

ROOT = _notebooks.ROOT
NOTEBOOKS = _notebooks.chapter_notebooks()
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]

pytestmark = [pytest.mark.book]

# myst-nb's container of one code cell; its tags become classes "tag_<tag>".
CELL = re.compile(r'<div class="cell (?P<classes>[^"]*)docutils container">')
# The page whose explorer once opened on a diverged run (issue #14).
EXPLORER_PAGE = "chapters/03-optimization/03-adaptive-methods.html"


def hidden_input_cells(html: str) -> list[str]:
    """The HTML of every code cell tagged hide-input, up to the next cell."""
    starts = [m for m in CELL.finditer(html) if "tag_hide-input" in m.group("classes")]
    ends = [m.start() for m in CELL.finditer(html)] + [len(html)]
    return [html[m.start() : min(e for e in ends if e > m.start())] for m in starts]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=IDS)
def test_hidden_figure_code_is_a_closed_toggle_above_its_figure(notebook):
    page = HTML / notebook.relative_to(ROOT).with_suffix(".html")
    if not page.is_file():
        pytest.fail(f"no {page}: run `make book` first (or point BOOK_HTML at a built site)")
    tagged = sum(
        "hide-input" in cell.get("metadata", {}).get("tags", [])
        for cell in json.loads(notebook.read_text())["cells"]
        if cell["cell_type"] == "code"
    )
    cells = hidden_input_cells(page.read_text(encoding="utf-8"))
    assert len(cells) == tagged, (
        f"{page.name}: {tagged} cells tagged hide-input, {len(cells)} shown"
    )
    problems = []
    for k, cell in enumerate(cells):
        toggle = re.search(r'<details class="[^"]*\bhide above-input\b[^"]*"([^>]*)>', cell)
        if not toggle or "open" in toggle.group(1):
            problems.append(f"hidden cell {k}: no closed 'Show code' toggle")
        elif "cell_input" not in cell[toggle.end() :]:
            problems.append(f"hidden cell {k}: the code is not inside the toggle")
        if "cell_output" not in cell:
            problems.append(f"hidden cell {k}: its output (the figure) is missing")
    assert not problems, f"{page.name}:{listing(problems)}"


@pytest.mark.browser
def test_one_click_shows_the_code_of_an_explorer(site: Site) -> None:
    site.require()
    report = PageReport(EXPLORER_PAGE)
    tab = site.open(EXPLORER_PAGE, report)
    try:
        cell = tab.locator("div.cell.tag_hide-input", has=tab.locator("div.nblib-explorer"))
        assert cell.count() == 1, f"{EXPLORER_PAGE}: no explorer in a hide-input cell"
        code = cell.locator(".cell_input")
        assert cell.locator("img.nblib-explorer-frame").is_visible(), "the explorer is hidden"
        assert not code.is_visible(), "the explorer's code shows before any click"
        cell.locator("details.above-input > summary").click()
        assert code.is_visible() and "explore(" in code.inner_text(), "a click shows no code"
    finally:
        tab.close()
    assert not report.errors, f"{EXPLORER_PAGE}:{listing(report.errors)}"
