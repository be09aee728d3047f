"""The built website in a real browser: every page in headless Chromium, offline.

For every page: no JavaScript error, nothing needed from the network, every formula
typeset by MathJax without errors and no raw TeX left, every link into the site and
every ``#fragment`` resolves, every image has real alt text. Two full-page screenshots
go to ``_build/test-artifacts/``. Every interactive explorer (``nblib.widgets.explore``)
changes its figure when a control moves. The table of contents opens on a phone.
How the site is served and visited: ``tests/sitekit.py``.

Run ``make book`` (or set ``BOOK_HTML``) first; these tests carry the ``book`` marker.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from sitekit import (
    ARTIFACTS,
    EXPLORER_PAGES,
    FILE_NAME_ALT,
    HTML,
    NO_EXPLORER,
    NO_SITE,
    PAGES,
    PageReport,
    Probe,
    Site,
    listing,
    record_errors,
    redirect_target,
    register,
    visited,
)

pytestmark = [pytest.mark.book, pytest.mark.browser]


# --- every page ----------------------------------------------------------------------------

pages = pytest.mark.parametrize("page", PAGES or [NO_SITE])


@pages
def test_no_javascript_errors(site: Site, page: str) -> None:
    """No uncaught exception, no console error and no failed request on the page."""
    report = visited(site, page)
    assert not report.errors, f"{page}: JavaScript errors{listing(report.errors)}"


@pages
def test_needs_nothing_from_the_network(site: Site, page: str) -> None:
    """Everything the page loads comes from the site or a local copy of its CDN files."""
    report = visited(site, page)
    assert not report.external, (
        f"{page} requested files from the network that the tests cannot serve locally"
        f"{listing(report.external)}\nServe them from the site (or a package in "
        "tests/site/vendor.json), or allow-list them in ALLOWED_EXTERNAL with the reason."
    )


@pages
def test_math_is_typeset(site: Site, page: str) -> None:
    """MathJax typeset every formula Sphinx emitted, without errors; no raw TeX is left."""
    math = visited(site, page).math
    problems = []
    if math["sphinx"] and not math["mathjax"]:
        problems.append(f"{math['sphinx']} formulas but MathJax did not start")
    problems += [f"not typeset: {tex}" for tex in math["untypeset"]]
    if math["containers"] < math["sphinx"]:
        problems.append(f"{math['sphinx']} formulas but only {math['containers']} typeset")
    problems += [f"bad TeX: {tex}" for tex in math["errors"]]
    problems += [f"raw TeX outside code: {text}" for text in math["raw"]]
    assert not problems, f"{page}: math{listing(problems)}"


@pages
def test_internal_links_resolve(site: Site, page: str) -> None:
    """Every link into the site reaches a file, and its #fragment an element of the target page."""
    report = visited(site, page)
    broken = []
    for url in dict.fromkeys(report.links):  # each distinct link once, in page order
        target = site.path_of(url)
        if target is None:
            continue  # off the site (GitHub, Binder, ...): not followed, the tests are offline
        shown = url.removeprefix(site.url)
        status = site.status(target)
        if status != 200:
            broken.append(f"{shown}: HTTP {status}")
            continue
        fragment = urllib.parse.unquote(urllib.parse.urlsplit(url).fragment)
        # "#" and "#top" scroll to the top of any page (HTML standard).
        if fragment and fragment.lower() != "top" and target.endswith(".html"):
            target_report = visited(site, target)
            if fragment not in target_report.ids:
                broken.append(f"{shown}: no element with id (or <a name>) {fragment!r} on {target}")
    assert not broken, f"{page}: broken links{listing(broken)}"


@pages
def test_images_have_alt_text(site: Site, page: str) -> None:
    """Every image has alt text; a notebook figure's alt says more than its file name."""
    report = visited(site, page)
    bad = []
    for image in report.images:
        alt = (image["alt"] or "").strip()
        name = Path(urllib.parse.urlsplit(image["src"]).path).name
        if not alt:
            bad.append(f"{image['src'][:80]}: no alt text")
        elif image["output"] and (alt in {image["src"], name} or FILE_NAME_ALT.fullmatch(alt)):
            bad.append(f"{image['src'][:80]}: alt text is only the file name ({alt!r})")
        if not image["loaded"] and not image["lazy"]:  # a lazy one loads when scrolled to
            bad.append(f"{image['src'][:80]}: the image did not load")
    assert not bad, f"{page}: images{listing(bad)}"


# --- screenshots ---------------------------------------------------------------------------


def landing_page() -> str:
    """The page a reader lands on: where index.html redirects to, else index.html itself."""
    return redirect_target("index.html") or "index.html"


def first_chapter1_section(site: Site) -> str:
    """The first section of Chapter 1 in the landing page's table of contents."""
    report = visited(site, landing_page())
    for url in report.nav_links:
        path = site.path_of(url) or ""
        if re.fullmatch(r"chapters/01-[^/]+/(?!index\.html)[^/]+\.html", path):
            return path
    pytest.fail(f"no Chapter 1 section in the table of contents of {landing_page()}")


@pytest.mark.parametrize("which", ["landing", "chapter-1-first-section"])
def test_screenshot(site: Site, which: str) -> None:
    """A full-page screenshot, typeset, into _build/test-artifacts/ for a person to look at."""
    site.require()
    path = landing_page() if which == "landing" else first_chapter1_section(site)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / f"{which}.png"
    out.unlink(missing_ok=True)
    page = site.open(path, PageReport(path))  # errors are test_no_javascript_errors' business
    try:
        page.screenshot(path=str(out), full_page=True)
    finally:
        page.close()
    assert out.stat().st_size > 10_000, f"{out} is suspiciously small: a blank page?"


# --- interactive explorers -----------------------------------------------------------------

CONTROL_JS = """el => ({tag: el.tagName.toLowerCase(), type: el.type || "",
  value: el.value, max: el.max, name: el.dataset.control})"""


def _move(control: Any) -> str:
    """Move one control of an explorer the way a reader would; say what was done."""
    info = control.evaluate(CONTROL_JS)
    if info["tag"] == "select":
        count = control.evaluate("el => el.options.length")
        index = (control.evaluate("el => el.selectedIndex") + 1) % count
        control.select_option(index=index)
        return f"chose option {index} of {info['name']}"
    if info["type"] == "checkbox":
        control.click()
        return f"toggled {info['name']}"
    key = "ArrowLeft" if info["value"] == info["max"] else "ArrowRight"
    control.focus()
    control.press(key)
    return f"pressed {key} on {info['name']}"


def move_every_control(tab: Any, _: None) -> list[str]:
    """Move each control of each explorer in the page's visit: what went wrong, and the
    errors the moves caused (those of the load are test_no_javascript_errors' business)."""
    report = PageReport("explorers")
    stop = record_errors(tab, report)
    problems = []
    try:
        explorers = tab.locator("div.nblib-explorer:has([data-control])")
        if not explorers.count():
            return ["no explorer with controls in the browser's DOM"]
        for e in range(explorers.count()):
            explorer = explorers.nth(e)
            frame = explorer.locator("img.nblib-explorer-frame")
            controls = explorer.locator("[data-control]")
            if frame.count() != 1 or not controls.count():
                problems.append(
                    f"explorer {e} has {frame.count()} frame images, {controls.count()} controls"
                )
                continue
            for c in range(controls.count()):
                before = frame.get_attribute("src"), frame.get_attribute("alt")
                action = _move(controls.nth(c))
                after = frame.get_attribute("src"), frame.get_attribute("alt")
                loaded = frame.evaluate(
                    "img => img.decode().then(() => img.naturalWidth > 0, () => false)"
                )
                if after[0] == before[0]:
                    problems.append(f"explorer {e}: {action}: the figure did not change")
                elif after[1] == before[1]:
                    problems.append(f"explorer {e}: {action}: the alt text did not change")
                elif not loaded:
                    problems.append(f"explorer {e}: {action}: the new frame is not an image")
    finally:
        stop()
    return problems + report.errors


EXPLORER_TEST = "test_explorer_controls_change_the_figure"
# After the audit (which sees the page as loaded), before the equations (which resize the tab).
EXPLORER_PROBE = register(
    Probe("explorers", order=50, tests=(EXPLORER_TEST,), finish=move_every_control)
)


@pytest.mark.parametrize("page", EXPLORER_PAGES or [NO_EXPLORER])
def test_explorer_controls_change_the_figure(site: Site, page: str) -> None:
    """Moving any control of an explorer shows another frame, with no JavaScript error."""
    site.require()
    if page == NO_EXPLORER:
        pytest.fail(
            f"no page of the built site in {HTML} has an interactive explorer (a "
            "div.nblib-explorer with data-control inputs, from nblib.widgets.explore); the "
            "book's sections each have one: are explorers rendered as their text/html form?"
        )
    problems = site.result(page, EXPLORER_PROBE.name)
    assert not problems, f"{page}: explorers{listing(problems)}"


# --- navigation on a phone and on a desktop ------------------------------------------------

PHONE = (390, 844)  # an iPhone 12-14 in CSS pixels
DESKTOP = (1280, 900)


def _visible(tab: Any, selector: str) -> Any:
    """The one visible element matching ``selector`` (the theme keeps hidden copies)."""
    found = tab.locator(f"{selector}:visible")
    assert found.count() == 1, f"{found.count()} visible elements match {selector!r}"
    return found.first


def test_table_of_contents_opens_on_a_phone_and_its_links_navigate(site: Site) -> None:
    """At 390 px the menu button opens the table of contents as a dialog, a link in it goes to
    its page, and the page's own contents (the right sidebar) open and close too. Guards
    against pydata-sphinx-theme#2451: the buttons used to show only a tooltip."""
    site.require()
    page = first_chapter1_section(site)
    report = PageReport(page)
    tab = site.open(page, report, site.context_at(*PHONE))
    try:
        primary = tab.locator("#pst-primary-sidebar-modal")
        assert not primary.evaluate("d => d.open"), "the table of contents is open before a tap"
        _visible(tab, ".primary-toggle").click()
        assert primary.evaluate("d => d.open"), "tapping the menu button did not open the contents"
        link = primary.locator("nav a.reference.internal:visible").last
        href = link.get_attribute("href") or ""
        assert href and not href.startswith("#"), "no page link is visible in the contents dialog"
        target = urllib.parse.urljoin(tab.url, href).split("#")[0]
        link.click()
        tab.wait_for_url(target)

        secondary = tab.locator("#pst-secondary-sidebar-modal")
        _visible(tab, ".secondary-toggle").click()
        assert secondary.evaluate("d => d.open"), "tapping the contents icon did not open it"
        assert secondary.locator("a:visible").count(), "the page's contents dialog shows no links"
        tab.keyboard.press("Escape")
        assert not secondary.evaluate("d => d.open"), "Escape did not close the page's contents"
    finally:
        tab.close()
    assert not report.errors, f"{page} at phone width:{listing(report.errors)}"


def test_menu_button_hides_and_shows_the_sidebar_on_a_desktop(site: Site) -> None:
    """At 1280 px the menu button collapses the table of contents to widen the page, and
    brings it back."""
    site.require()
    page = first_chapter1_section(site)
    report = PageReport(page)
    tab = site.open(page, report, site.context_at(*DESKTOP))
    try:
        sidebar = tab.locator("#pst-primary-sidebar")
        assert sidebar.is_visible(), "the table of contents is not shown on a desktop"
        _visible(tab, ".primary-toggle").click()
        sidebar.wait_for(state="hidden")
        _visible(tab, ".primary-toggle").click()
        sidebar.wait_for(state="visible")
    finally:
        tab.close()
    assert not report.errors, f"{page} at desktop width:{listing(report.errors)}"
