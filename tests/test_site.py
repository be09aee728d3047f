"""The built website in a real browser: every page in headless Chromium, offline.

A thread serves the built site (``_build/html``, or ``$BOOK_HTML``) on 127.0.0.1 and
Playwright drives the system's Chromium (``$CHROMIUM``, else ``chromium`` on the PATH; else
Playwright's own download; see ``tests/preflight.py``) through every page, one after the
other. Nothing leaves the machine: requests for the CDN copy of MathJax 3 are answered from
the npm tarball unpacked into ``tests/site/vendor`` (``python3 tests/site/fetch_vendor.py``,
pinned with its sha512 in ``tests/site/vendor.json``); any other request off the site is
aborted and recorded.

For every page: no JavaScript error, nothing needed from the network, every formula
typeset by MathJax without errors and no raw TeX left, every link into the site and
every ``#fragment`` resolves, every image has real alt text. Two full-page screenshots
go to ``_build/test-artifacts/``. Every interactive explorer (``nblib.widgets.explore``)
changes its figure when a control moves.

Run ``make book`` (or set ``BOOK_HTML``) first; these tests carry the ``book`` marker.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import posixpath
import re
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from preflight import find_browser

pytestmark = [pytest.mark.book, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("BOOK_HTML") or ROOT / "_build" / "html").resolve()
ARTIFACTS = HTML.parent / "test-artifacts"
VENDOR = ROOT / "tests" / "site" / "vendor"
FETCH_HINT = "python3 tests/site/fetch_vendor.py"

# CDN prefixes the pages load from, and the npm package (tests/site/vendor.json, pinned
# to the same version) that holds the very same files.
MIRRORS: dict[str, Path] = {
    # Sphinx's default mathjax_path; "mathjax@3" resolves to the newest 3.x, 3.2.2.
    "https://cdn.jsdelivr.net/npm/mathjax@3/": VENDOR / "mathjax",
}

# External requests a page may make without failing: URL prefix -> why it is fine that
# the page goes without it. Each is still aborted (the tests never touch the network).
# Thebe (unpkg.com/thebe) and Binder are only contacted when a reader clicks "Live code",
# which these tests never do, so nothing needs listing for them.
ALLOWED_EXTERNAL: dict[str, str] = {}

CHROMIUM_ARGS = [
    # The browser only ever sees this site's own pages (every other request is aborted),
    # and containers rarely allow Chromium's user-namespace sandbox, root never does.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000

# Text that is TeX left raw on the page, outside code: MathJax never saw it. (Also a
# JavaScript regular expression: the page runs it.)
RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{")
# Alt text that only repeats an image's file name (docutils' default alt is the URI).
FILE_NAME_ALT = re.compile(r"[\w./%-]*\.(png|jpe?g|gif|svg|webp)", re.IGNORECASE)


# --- the site ------------------------------------------------------------------------------


def site_pages() -> list[str]:
    """Every HTML page of the built site, relative to its root, leaving out Sphinx's asset folders."""
    if not HTML.is_dir():
        return []
    pages = []
    for path in HTML.rglob("*.html"):
        rel = path.relative_to(HTML)
        if not any(part.startswith("_") for part in rel.parts[:-1]):  # _static, _sources, ...
            pages.append(rel.as_posix())
    return sorted(pages)


def explorer_pages() -> list[str]:
    """Pages holding an interactive explorer: the kernel-free HTML with working controls."""
    return [
        page
        for page in site_pages()
        if re.search(r'class="nblib-explorer"[^>]*>.*?data-control=', _read(page), re.DOTALL)
    ]


def _read(page: str) -> str:
    return (HTML / page).read_text(encoding="utf-8", errors="replace")


def redirect_target(page: str) -> str | None:
    """Where a page sends the reader with ``<meta http-equiv="refresh">`` (relative), if it does."""
    if not (HTML / page).is_file():
        return None
    refresh = re.search(
        r'<meta[^>]*http-equiv="refresh"[^>]*content="\d+;\s*url=([^"#]+)', _read(page), re.I
    )
    return refresh.group(1) if refresh else None


PAGES = site_pages()
EXPLORER_PAGES = explorer_pages()
NO_SITE = "<no built site>"
NO_EXPLORER = "<no explorer>"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files only: no request log, and no directory listings (a folder without index.html is a 404)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(404, "no index.html in this folder")
        return None


class _QuietServer(http.server.ThreadingHTTPServer):
    """A server that does not print a traceback when the browser drops a connection."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on a free port of 127.0.0.1 from a thread; yields the root URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- the browser ---------------------------------------------------------------------------


def setup_problem() -> str | None:
    """Why these tests cannot run here, with what to do about it; ``None`` when they can."""
    if not PAGES:
        return (
            f"no built website in {HTML}: run `make book` first "
            "(or point BOOK_HTML at a built _build/html)"
        )
    entry = MIRRORS["https://cdn.jsdelivr.net/npm/mathjax@3/"] / "es5" / "tex-mml-chtml.js"
    if not entry.is_file():
        return f"no local copy of MathJax ({entry}): run `{FETCH_HINT}` first"
    chromium = find_browser()
    if chromium is None:
        return (
            "no Chromium found for the website tests: install it with `sudo apt-get install "
            "chromium` (Debian/Ubuntu), or set CHROMIUM=/path/to/chrome, or download "
            "Playwright's (`.venv/bin/python -m playwright install chromium`; `make test` does)"
        )
    if not Path(chromium).is_file():
        return f"CHROMIUM={chromium} is not a file; point it at a Chromium or Chrome binary"
    return None


@dataclass
class PageReport:
    """What one visit to a page found."""

    path: str
    # Uncaught exceptions, console errors, HTTP errors.
    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)  # requests off the site we could not serve
    math: dict[str, Any] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)  # every <a href>, resolved to an absolute URL
    nav_links: list[str] = field(default_factory=list)  # the sidebar's table of contents, in order
    ids: set[str] = field(default_factory=set)  # ids (and <a name>) a #fragment can point at
    images: list[dict[str, Any]] = field(default_factory=list)
    failure: str | None = None  # the page could not be visited at all


# Run in the page once it has loaded: waits for MathJax, then reports on math, links, images.
# Its argument is RAW_TEX's pattern.
INSPECT_JS = r"""
async (rawTex) => {
  const math = {sphinx: 0, containers: 0, mathjax: false, untypeset: [], errors: [], raw: []};
  const nodes = Array.from(document.querySelectorAll(".math"));
  math.sphinx = nodes.length;
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    math.mathjax = true;
    await MathJax.startup.promise;
    // Every typeset formula: a TeX error (merror) or an undefined macro (red, noundefined).
    for (const item of Array.from(MathJax.startup.document.math)) {
      const mml = MathJax.startup.toMML(item.root);
      const error = /<merror[^>]*data-mjx-error="([^"]*)"/.exec(mml);
      if (error || /<merror/.test(mml)) {
        math.errors.push(`${item.math.trim()} (${error ? error[1] : "TeX error"})`);
      } else if (/mathcolor="red"/.test(mml)) {
        math.errors.push(`${item.math.trim()} (undefined macro)`);
      }
    }
  }
  math.containers = document.querySelectorAll("mjx-container").length;
  for (const node of nodes) {
    if (!node.querySelector("mjx-container")) math.untypeset.push(node.textContent.trim());
  }
  if (!math.errors.length) {  // a safety net: error nodes MathJax's own list did not explain
    for (const el of document.querySelectorAll("mjx-merror, merror")) {
      math.errors.push(el.getAttribute("data-mjx-error") || el.textContent.trim());
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const skip = "pre, code, script, style, textarea, mjx-container, .highlight";
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent;
    const parent = walker.currentNode.parentElement;
    if (parent && !parent.closest(skip) && new RegExp(rawTex).test(text)) {
      math.raw.push(text.trim().slice(0, 160));
    }
  }
  return {
    math,
    links: Array.from(document.querySelectorAll("a[href]"), a => a.href),
    nav_links: Array.from(document.querySelectorAll(".bd-docs-nav a[href]"), a => a.href),
    ids: Array.from(document.querySelectorAll("[id]"), e => e.id).concat(
         Array.from(document.querySelectorAll("a[name]"), e => e.getAttribute("name"))),
    images: Array.from(document.images, img => ({
      src: img.getAttribute("src") || "",
      alt: img.getAttribute("alt"),
      output: !!img.closest(".cell_output, .output"),
      loaded: img.complete && img.naturalWidth > 0,
      lazy: img.loading === "lazy",
    })),
  };
}
"""


class Site:
    """Visits pages in one browser context, each at most once, and remembers what it found."""

    def __init__(self, context: Any, url: str, problem: str | None = None) -> None:
        self.context = context  # a Playwright BrowserContext
        self.url = url
        self.problem = problem  # why there is no browser, if there is none
        self.reports: dict[str, PageReport] = {}
        self.statuses: dict[str, int] = {}
        self.contexts: dict[tuple[int, int], Any] = {}

    def require(self) -> None:
        """Fail the test (not skip it) when the site, MathJax's copy or Chromium is missing."""
        if self.problem:
            pytest.fail(self.problem)

    def page_url(self, path: str) -> str:
        return urllib.parse.urljoin(self.url, path)

    def path_of(self, url: str) -> str | None:
        """The site-relative file a URL on this site points at (a folder means its index.html)."""
        if not url.startswith(self.url):
            return None
        path = urllib.parse.unquote(urllib.parse.urlsplit(url).path).lstrip("/")
        return path + "index.html" if path == "" or path.endswith("/") else path

    def status(self, path: str) -> int:
        """The HTTP status the local server answers for a site-relative path."""
        if path not in self.statuses:
            request = urllib.request.Request(self.page_url(urllib.parse.quote(path)), method="HEAD")
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    self.statuses[path] = response.status
            except urllib.error.HTTPError as error:
                self.statuses[path] = error.code
        return self.statuses[path]

    def context_at(self, width: int, height: int) -> Any:
        """A browser context (one per viewport size) beside the default 1280 x 900 one."""
        if (width, height) not in self.contexts:
            context = self.context.browser.new_context(viewport={"width": width, "height": height})
            context.set_default_timeout(TIMEOUT_MS)
            self.contexts[width, height] = context
        return self.contexts[width, height]

    def open(self, path: str, report: PageReport, context: Any = None) -> Any:
        """A new tab showing ``path`` with every event recorded into ``report``; MathJax done.

        ``context`` (from :meth:`context_at`) gives another viewport; the default is 1280 px."""
        page = (context or self.context).new_page()
        page.on("pageerror", lambda exc: report.errors.append(f"uncaught {exc}"))
        page.on("console", functools.partial(self._console, report))
        page.on(
            "response",
            lambda r: r.status >= 400 and report.errors.append(f"HTTP {r.status} for {r.url}"),
        )
        page.route("**/*", functools.partial(self._route, report))
        page.goto(self.page_url(path), wait_until="load")
        if target := redirect_target(path):  # index.html: <meta http-equiv="refresh">
            page.wait_for_url(self.page_url(posixpath.join(posixpath.dirname(path), target)))
        # Typeset, with its fonts, and nothing more in flight.
        page.evaluate(
            "async () => { await window.MathJax?.startup?.promise; await document.fonts.ready; }"
        )
        page.wait_for_load_state("networkidle")
        return page

    def report(self, path: str) -> PageReport:
        """Visit ``path`` (once) and return what it found."""
        if path not in self.reports:
            report = PageReport(path)
            try:
                page = self.open(path, report)
                try:
                    found = page.evaluate(INSPECT_JS, RAW_TEX.pattern)
                finally:
                    page.close()
            except Exception as exc:  # the test of this page reports it
                report.failure = f"{type(exc).__name__}: {exc}"
            else:
                report.math = found["math"]
                report.links = found["links"]
                report.nav_links = found["nav_links"]
                report.ids = set(found["ids"])
                report.images = found["images"]
            self.reports[path] = report
        return self.reports[path]

    @staticmethod
    def _console(report: PageReport, message: Any) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if any(where.startswith(prefix) for prefix in ALLOWED_EXTERNAL):
            return  # "Failed to load resource" for an allow-listed request we aborted
        line = message.location.get("lineNumber")
        report.errors.append(f"console: {message.text} ({where}:{line})")

    def _route(self, report: PageReport, route: Any) -> None:
        """Let requests to the site through, answer CDN ones from the local copies, abort the rest."""
        url = route.request.url
        if url.startswith(self.url):
            route.continue_()
            return
        for prefix, folder in MIRRORS.items():
            if url.startswith(prefix):
                rel = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
                rel = rel[len(urllib.parse.urlsplit(prefix).path) :]
                file = (folder / rel).resolve()
                if file.is_file() and folder.resolve() in file.parents:
                    # CORS: MathJax's fonts are fetched cross-origin.
                    route.fulfill(path=file, headers={"Access-Control-Allow-Origin": "*"})
                    return
                report.external.append(f"{url} (no such file in {folder})")
                route.abort()
                return
        if not any(url.startswith(prefix) for prefix in ALLOWED_EXTERNAL):
            report.external.append(url)
        route.abort("blockedbyclient")


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    """The built site served locally and one headless Chromium, for the whole session.

    Every page is visited once and its report shared by the tests. When something is
    missing, each test fails saying what (``Site.require``).
    """
    if problem := setup_problem():
        yield Site(None, "", problem)
        return
    from playwright.sync_api import sync_playwright

    with serve(HTML) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=find_browser(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            yield Site(context, url)
        finally:
            browser.close()


def visited(site: Site, page: str) -> PageReport:
    """The report of ``page``, failing the test if the page could not be opened."""
    site.require()
    report = site.report(page)
    if report.failure:
        pytest.fail(f"{page} could not be opened: {report.failure}")
    return report


def _listing(items: list[str]) -> str:
    return "\n  " + "\n  ".join(items)


# --- every page ----------------------------------------------------------------------------

pages = pytest.mark.parametrize("page", PAGES or [NO_SITE])


@pages
def test_no_javascript_errors(site: Site, page: str) -> None:
    """No uncaught exception, no console error and no failed request on the page."""
    report = visited(site, page)
    assert not report.errors, f"{page}: JavaScript errors{_listing(report.errors)}"


@pages
def test_needs_nothing_from_the_network(site: Site, page: str) -> None:
    """Everything the page loads comes from the site or a local copy of its CDN files."""
    report = visited(site, page)
    assert not report.external, (
        f"{page} requested files from the network that the tests cannot serve locally"
        f"{_listing(report.external)}\nServe them from the site (or a package in "
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
    assert not problems, f"{page}: math{_listing(problems)}"


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
    assert not broken, f"{page}: broken links{_listing(broken)}"


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
    assert not bad, f"{page}: images{_listing(bad)}"


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
    report = PageReport(page)
    tab = site.open(page, report)
    try:
        explorers = tab.locator("div.nblib-explorer:has([data-control])")
        assert explorers.count(), f"{page}: no explorer with controls in the browser's DOM"
        problems = []
        for e in range(explorers.count()):
            explorer = explorers.nth(e)
            frame = explorer.locator("img.nblib-explorer-frame")
            controls = explorer.locator("[data-control]")
            assert frame.count() == 1, f"{page}: explorer {e} has {frame.count()} frame images"
            assert controls.count(), f"{page}: explorer {e} has no controls"
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
        tab.close()
    problems += report.errors
    assert not problems, f"{page}: explorers{_listing(problems)}"


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
    assert not report.errors, f"{page} at phone width:{_listing(report.errors)}"


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
    assert not report.errors, f"{page} at desktop width:{_listing(report.errors)}"
