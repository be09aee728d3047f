"""The machinery of the website's browser tests (``tests/test_site*.py``).

A thread serves the built site (``_build/html``, or ``$BOOK_HTML``) on 127.0.0.1 and
Playwright drives the system's Chromium (``$CHROMIUM``, else ``chromium`` on the PATH; else
Playwright's own download; see ``tests/preflight.py``). Nothing leaves the machine: requests
for the CDN copy of MathJax 3 are answered from the npm tarball unpacked into
``tests/site/vendor`` (``python3 tests/site/fetch_vendor.py``, pinned with its sha512 in
``tests/site/vendor.json``); any other request off the site is aborted and recorded.
The ``site`` fixture (``tests/conftest.py``) is one :class:`Site` for the whole session.
Each page is loaded once at 1280 x 900 and every per-page check reads that visit: the
report (:meth:`Site.report`) and the probes the test modules register (:class:`Probe`).
"""

from __future__ import annotations

import contextlib
import dataclasses
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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from preflight import find_browser

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
# A page loads in about 2 s alone; `make test` runs two processes of these tests at once on two
# cores (under a heavier load a page once took over 15 s to go quiet): a limit for hangs only.
TIMEOUT_MS = 30_000
# The shared page visits (Site.result) keep two tabs at work, one loading while the other is
# measured: on a busy machine a page may take longer than TIMEOUT_MS, so they wait twice as long.
VISIT_TIMEOUT_MS = 2 * TIMEOUT_MS

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


def _shard_spec(spec: str | None = None) -> tuple[int, int]:
    """``(k, n)`` of ``SITE_SHARD=k/n`` (default: the environment's), ``(1, 1)`` when unset."""
    spec = os.environ.get("SITE_SHARD") if spec is None else spec
    if not spec:
        return 1, 1
    match = re.fullmatch(r"(\d+)/(\d+)", spec.strip())
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ValueError(f"SITE_SHARD must be k/n with 1 <= k <= n, got {spec!r}")
    return int(match[1]), int(match[2])


def shard(pages: list[str], spec: str | None = None) -> list[str]:
    """This process's share of ``pages``: with ``SITE_SHARD=k/n`` the k-th of n contiguous
    blocks, else all of them. ``make test`` runs the browser tests in n processes at once,
    each on its block; contiguous blocks keep most #fragment links inside one process."""
    k, n = _shard_spec(spec)
    return pages[(k - 1) * len(pages) // n : k * len(pages) // n]


def first_shard() -> bool:
    """Whether this process runs the tests of the whole site (screenshots, the phone menu):
    the first of the shards, or the only process."""
    return _shard_spec()[0] == 1


def explorer_pages() -> list[str]:
    """Pages holding an interactive explorer: the kernel-free HTML with working controls."""
    return [
        page
        for page in PAGES
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


PAGES = shard(site_pages())
PAGE_SET = frozenset(PAGES)
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
      // Pixels in the file and CSS px on screen (0 if hidden), for tests/test_site_figures.py.
      natural_width: img.naturalWidth,
      shown_width: img.getBoundingClientRect().width,
      data: Object.assign({}, img.dataset),
    })),
  };
}
"""


@dataclass(frozen=True)
class Probe:
    """A measurement of a page made in the tab of its one visit (:meth:`Site.result`).

    Loading a page and letting MathJax typeset it is most of a visit's cost, so every
    measurement of a page at 1280 x 900 shares one tab: the report (``INSPECT_JS``, always
    first), then each probe in ``order``. ``start`` runs right after the report, and may set
    work going in the page without waiting for it; ``finish`` runs once the next page's tab is
    open (two tabs, two renderer processes, two cores) and returns what is kept. A probe may
    change the page (theme, viewport): those that change most come last.
    """

    name: str
    order: int
    tests: tuple[str, ...]  # the tests (function names, parametrized by ``page``) that read it
    finish: Callable[[Any, Any], Any]  # (tab, what start returned) -> the result
    start: Callable[[Any], Any] | None = None  # (tab) -> what finish gets


PROBES: dict[str, Probe] = {}  # registered by the test modules when they are imported


def register(probe: Probe) -> Probe:
    """Make ``probe`` part of the visits of the pages its tests read."""
    PROBES[probe.name] = probe
    return probe


@dataclass
class _Visit:
    """One page's tab between :meth:`Site._start` and :meth:`Site._finish`."""

    path: str
    tab: Any
    report: PageReport
    probes: list[Probe]
    started: dict[str, Any] = field(default_factory=dict)


class Site:
    """Visits pages in one browser context, each at most once, and remembers what it found."""

    def __init__(self, context: Any, url: str, problem: str | None = None) -> None:
        self.context = context  # a Playwright BrowserContext
        self.url = url
        self.problem = problem  # why there is no browser, if there is none
        self.reports: dict[str, PageReport] = {}
        self.statuses: dict[str, int] = {}
        self.contexts: dict[tuple[int, int], Any] = {}
        self.planned: dict[str, set[str]] = {}  # page -> probes this session's tests will read
        self.results: dict[tuple[str, str], Any] = {}  # (page, probe) -> what it measured
        self.failures: dict[tuple[str, str], str] = {}  # (page, probe) -> why it could not
        self.visit_context: Any = None

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

    def open(self, path: str, report: PageReport, context: Any = None, *, idle: bool = True) -> Any:
        """A new tab showing ``path`` with every event recorded into ``report``; MathJax done.

        ``context`` (from :meth:`context_at`) gives another viewport; the default is 1280 px.
        ``idle=False`` skips Playwright's "networkidle" (500 ms without a request), for a
        caller that waits for it later, before it reads ``report`` (:meth:`_finish` does)."""
        page = (context or self.context).new_page()
        record_errors(page, report)
        page.route("**/*", functools.partial(self._route, report))
        page.goto(self.page_url(path), wait_until="load")
        if target := redirect_target(path):  # index.html: <meta http-equiv="refresh">
            page.wait_for_url(self.page_url(posixpath.join(posixpath.dirname(path), target)))
        # Typeset, with its fonts, and nothing more in flight.
        page.evaluate(
            "async () => { await window.MathJax?.startup?.promise; await document.fonts.ready; }"
        )
        if idle:
            page.wait_for_load_state("networkidle")
        return page

    # --- one visit per page, shared by every measurement of it ---------------------------

    def plan(self, items: Iterable[Any]) -> None:
        """Note the pages this session's tests read and the probes they need, so that the
        first test to ask visits them all, two tabs at a time (pytest's collected ``items``)."""
        for item in items:
            params = getattr(getattr(item, "callspec", None), "params", {})
            if params.get("page") in PAGE_SET:
                name = getattr(item, "originalname", None)
                needs = {p.name for p in PROBES.values() if name in p.tests}
                self.planned.setdefault(params["page"], set()).update(needs)

    def report(self, path: str) -> PageReport:
        """What the visit of ``path`` found (visiting it, and the planned pages, first)."""
        if path not in self.reports:
            self._visit(path, set())
        return self.reports[path]

    def result(self, path: str, probe: str) -> Any:
        """What ``probe`` measured in the visit of ``path``; fails the test if it could not."""
        self.require()
        if probe not in PROBES:
            pytest.fail(f"no probe {probe!r} is registered (is its test module imported?)")
        if (path, probe) not in self.results and (path, probe) not in self.failures:
            self._visit(path, {probe})
        if (path, probe) in self.failures:
            pytest.fail(f"{path} could not be measured ({probe}): {self.failures[path, probe]}")
        return self.results[path, probe]

    def _visit(self, path: str, probes: set[str]) -> None:
        """Visit ``path`` for ``probes`` and every planned page not yet visited for its own."""
        jobs = {path: probes | self.planned.pop(path, set())}
        for page, needs in self.planned.items():
            jobs.setdefault(page, set()).update(needs)
        self.planned = {}
        todo = []
        for page, needs in jobs.items():
            missing = {n for n in needs if (page, n) not in self.results}
            if page not in self.reports or missing:
                todo.append((page, sorted((PROBES[n] for n in missing), key=lambda p: p.order)))
        first = self._run(todo)
        # A page that failed to load on a busy machine gets one more visit, alone.
        for page, needs in first:
            self._run([(page, needs)], retry=False)

    def _run(
        self, jobs: list[tuple[str, list[Probe]]], retry: bool = True
    ) -> list[tuple[str, list[Probe]]]:
        """Visit the pages two tabs at a time: the next one loads while the last is measured.
        Returns the jobs whose page could not be loaded (left unrecorded if ``retry``)."""
        failed: list[tuple[str, list[Probe]]] = []
        current: _Visit | None = None
        for job in [*jobs, None]:
            started = None
            if job is not None:
                started = self._start(*job)
                if isinstance(started, str):
                    if retry:
                        failed.append(job)
                    else:
                        self._record_failure(job[0], job[1], started)
                    started = None
            if current is not None:
                self._finish(current)
            current = started
        return failed

    def _start(self, path: str, probes: list[Probe]) -> _Visit | str:
        """Open the page, inspect it and start each probe; why not, if it did not load."""
        if self.visit_context is None:
            self.visit_context = self.context.browser.new_context(
                viewport={"width": 1280, "height": 900}
            )
            self.visit_context.set_default_timeout(VISIT_TIMEOUT_MS)
        report = PageReport(path)
        tab = None
        try:
            tab = self.open(path, report, self.visit_context, idle=False)
            found = tab.evaluate(INSPECT_JS, RAW_TEX.pattern)
        except Exception as exc:
            if tab is not None:
                tab.close()
            return f"{type(exc).__name__}: {exc}"
        report.math = found["math"]
        report.links = found["links"]
        report.nav_links = found["nav_links"]
        report.ids = set(found["ids"])
        report.images = found["images"]
        visit = _Visit(path, tab, report, probes)
        for probe in probes:
            try:
                visit.started[probe.name] = probe.start(tab) if probe.start else None
            except Exception as exc:  # this probe's test reports it
                self.failures[path, probe.name] = f"{type(exc).__name__}: {exc}"
        return visit

    def _finish(self, visit: _Visit) -> None:
        """Keep the report, finish each probe in order, close the tab.

        The report holds what happened until the network went quiet (Playwright's
        "networkidle", as :meth:`open` waits for), as if the tab had been closed then: what
        the probes cause (a theme switch, a moved control) is their tests' business."""
        path = visit.path
        try:
            try:
                visit.tab.wait_for_load_state("networkidle")
            except Exception as exc:  # the report's tests report it
                visit.report.failure = f"{type(exc).__name__}: {exc}"
            report = dataclasses.replace(
                visit.report, errors=list(visit.report.errors), external=list(visit.report.external)
            )
            self.reports.setdefault(path, report)
            for probe in visit.probes:
                if (path, probe.name) in self.failures:
                    continue
                try:
                    self.results[path, probe.name] = probe.finish(
                        visit.tab, visit.started[probe.name]
                    )
                except Exception as exc:  # this probe's test reports it
                    self.failures[path, probe.name] = f"{type(exc).__name__}: {exc}"
        finally:
            visit.tab.close()

    def _record_failure(self, path: str, probes: list[Probe], why: str) -> None:
        """A page that could not be loaded: every test of it says so."""
        self.reports.setdefault(path, PageReport(path, failure=why))
        for probe in probes:
            self.failures[path, probe.name] = why

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


def record_errors(tab: Any, report: PageReport) -> Callable[[], None]:
    """Record the tab's uncaught exceptions, console errors and failed requests into
    ``report`` from now on; returns what stops it (a probe records what its actions cause)."""

    def uncaught(exc: Any) -> None:
        report.errors.append(f"uncaught {exc}")

    def console(message: Any) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if any(where.startswith(prefix) for prefix in ALLOWED_EXTERNAL):
            return  # "Failed to load resource" for an allow-listed request we aborted
        line = message.location.get("lineNumber")
        report.errors.append(f"console: {message.text} ({where}:{line})")

    def response(r: Any) -> None:
        if r.status >= 400:
            report.errors.append(f"HTTP {r.status} for {r.url}")

    handlers = {"pageerror": uncaught, "console": console, "response": response}
    for event, handler in handlers.items():
        tab.on(event, handler)

    def stop() -> None:
        for event, handler in handlers.items():
            tab.remove_listener(event, handler)

    return stop


def visited(site: Site, page: str) -> PageReport:
    """The report of ``page``, failing the test if the page could not be opened."""
    site.require()
    report = site.report(page)
    if report.failure:
        pytest.fail(f"{page} could not be opened: {report.failure}")
    return report


def listing(items: list[str]) -> str:
    return "\n  " + "\n  ".join(items)
