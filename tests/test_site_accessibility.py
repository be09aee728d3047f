"""Accessibility of the built website: axe-core on every page, in light and in dark mode.

axe-core (pinned in ``tests/site/vendor.json``, fetched with MathJax by
``tests/site/fetch_vendor.py``) is injected into each page once MathJax has typeset it,
and runs every rule it enables by default (WCAG 2.0-2.2 A/AA and best practices). A
critical or serious violation fails the page's test. Moderate and minor ones do not:
they are listed in one warning at the end (pytest's warnings summary), and every finding
is written to ``_build/test-artifacts/axe.json``.

Dark mode changes colours only, so the dark pass runs just the rules that look at
colours, in the same tab: the page's one visit at 1280 px, shared with the other site tests
(``sitekit.Probe``, ``AXE_PROBE``). What the book does about the findings: ``_static/accessibility.css``,
``_ext/accessibility.py`` and ``_templates/{search-button-field,theme-switcher}.html``.
Run ``make book`` (or set ``BOOK_HTML``) first; these tests carry the ``book`` marker.
"""

from __future__ import annotations

import json
import re
import warnings
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from sitekit import (
    ARTIFACTS,
    FETCH_HINT,
    NO_SITE,
    PAGES,
    VENDOR,
    PageReport,
    Probe,
    Site,
    listing,
    redirect_target,
    register,
)

pytestmark = [pytest.mark.book, pytest.mark.browser]

AXE = VENDOR / "axe-core" / "axe.min.js"
FAILING = ("critical", "serious")  # axe's two top impacts: each blocks some readers outright
MODES = ("light", "dark")
# The rules whose outcome depends on colours. The page is the same document in both modes
# (the theme switches CSS custom properties), so these are all that can differ in dark mode.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
# A page that only redirects (index.html -> intro.html) is audited where it lands.
AUDITED = [page for page in PAGES if redirect_target(page) is None] or [NO_SITE]

# Defined in each tab beside axe: switch the theme the way it does itself (data-theme on
# <html>; the system colour scheme is emulated too, for CSS that asks it directly), let the
# colour transitions finish, and run axe (all its rules, or ``rules``).
RUN_AXE = """
window.runAxe = async (mode, rules) => {
  const root = document.documentElement;
  root.dataset.theme = mode;
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  await Promise.all(document.getAnimations()
    .filter(animation => animation instanceof CSSTransition)
    .map(animation => animation.finished.catch(() => null)));
  const options = {resultTypes: ["violations"]};
  // What axe preloads (style sheets, media) only css-orientation-lock and no-autoplay-audio read.
  if (rules) Object.assign(options, {runOnly: {type: "rule", values: rules}, preload: false});
  const result = await axe.run(document, options);
  return {
    theme: root.dataset.theme,
    background: getComputedStyle(document.body).backgroundColor,
    checked: [...result.passes, ...result.violations, ...result.incomplete].map(r => r.id),
    violations: result.violations.map(v => ({
      rule: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
    })),
  };
};
"""


def prepare(page: Any) -> None:
    """Put axe-core and ``runAxe`` into an open tab."""
    page.add_script_tag(path=AXE)
    page.add_script_tag(content=RUN_AXE)


def run_axe(page: Any, mode: str, rules: list[str] | None = None) -> dict[str, Any]:
    """axe-core's result on a prepared tab in ``mode``: all its rules, or ``rules``."""
    page.emulate_media(color_scheme=mode)
    return page.evaluate("([mode, rules]) => runAxe(mode, rules)", [mode, rules])


def start_light_pass(page: Any) -> None:
    """Put axe into the visit's tab and set its light pass going without waiting for it
    (the next page loads meanwhile, in its own renderer process)."""
    prepare(page)
    page.emulate_media(color_scheme="light")
    page.evaluate("() => { window.lightPass = runAxe('light', null); }")


def finish_audit(page: Any, _: None) -> dict[str, dict[str, Any]]:
    """``{mode: result}``: the light pass's, and the dark pass (colour rules) run after it."""
    light = page.evaluate("() => window.lightPass")
    return {"light": light, "dark": run_axe(page, "dark", COLOUR_RULES)}


PAGE_TEST = "test_no_critical_or_serious_accessibility_violations"
# After the report, before the equations (which open collapsed blocks): axe sees the page as
# it loads. One axe.run per mode per page: each run rebuilds axe's tree of the whole page.
AXE_PROBE = register(
    Probe("axe", order=10, tests=(PAGE_TEST,), start=start_light_pass, finish=finish_audit)
)


def describe(violation: dict[str, Any], mode: str) -> str:
    """One violation on one line: impact, rule, mode, the first elements, axe's advice."""
    nodes = violation["nodes"]
    first = nodes[0]["summary"].replace("\n", " ") if nodes else ""
    return (
        f"{violation['impact']} {violation['rule']} ({mode}, {len(nodes)} elements: "
        f"{', '.join(n['target'] for n in nodes[:3])}{' ...' if len(nodes) > 3 else ''}): "
        f"{violation['help']}. {first}"
    )


def summary(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    """One line per (impact, rule) below the failing impacts: on how many pages, which modes."""
    pages: dict[tuple[str, str], set[str]] = defaultdict(set)
    modes: dict[tuple[str, str], set[str]] = defaultdict(set)
    elements: dict[tuple[str, str], int] = defaultdict(int)
    helps: dict[str, str] = {}
    for path, by_mode in results.items():
        for mode, result in by_mode.items():
            for v in result["violations"]:
                if v["impact"] not in FAILING:
                    key = (v["impact"], v["rule"])
                    pages[key].add(path)
                    modes[key].add(mode)
                    elements[key] += len(v["nodes"])
                    helps[v["rule"]] = v["help"]
    return "\n".join(
        f"  {impact} {rule}: {len(pages[impact, rule])} pages, {elements[impact, rule]} elements "
        f"({'/'.join(sorted(modes[impact, rule]))}): {helps[rule]}"
        for impact, rule in sorted(pages)
    )


@pytest.fixture(scope="module")
def audit(site: Site) -> Iterator[Site]:
    """The site, whose visits audit each page; afterwards, axe.json and a warning."""
    yield site
    results = {path: found for (path, probe), found in site.results.items() if probe == "axe"}
    if not results:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe.json").write_text(json.dumps(results, indent=1) + "\n")
    if lines := summary(results):
        warnings.warn(
            f"axe-core: moderate and minor findings on the {len(results)} pages audited "
            f"(not failures; details in {ARTIFACTS / 'axe.json'}):\n{lines}",
            stacklevel=1,
        )


@pytest.mark.parametrize("page", AUDITED)
def test_no_critical_or_serious_accessibility_violations(audit: Site, page: str) -> None:
    """axe-core finds nothing critical or serious on the page, in light or in dark mode."""
    audit.require()
    if not AXE.is_file():
        pytest.fail(f"no local copy of axe-core ({AXE}): run `{FETCH_HINT}`")
    results = audit.result(page, AXE_PROBE.name)
    problems = []
    for mode, result in results.items():
        if result["theme"] != mode or "color-contrast" not in result["checked"]:
            problems.append(f"{mode} mode was not checked (theme {result['theme']!r})")
        problems += [describe(v, mode) for v in result["violations"] if v["impact"] in FAILING]
    if results["light"]["background"] == results["dark"]["background"]:
        problems.append(f"dark mode has the light background {results['dark']['background']}")
    assert not problems, f"{page}: accessibility{listing(problems)}"


# --- the checks themselves, and the names the fixes give -----------------------------------


def test_axe_reports_a_planted_contrast_failure(site: Site) -> None:
    """A grey-on-grey paragraph put into a page is a serious violation in both modes."""
    site.require()
    path = AUDITED[0]
    page = site.open(path, PageReport(path))
    try:
        prepare(page)
        page.evaluate(
            """() => { const p = document.createElement("p"); p.id = "axe-canary";
            p.textContent = "grey on grey"; p.style.cssText = "color:#777;background:#888";
            (document.querySelector("main") ?? document.body).prepend(p); }"""
        )
        for mode in MODES:
            found = [
                v
                for v in run_axe(page, mode, COLOUR_RULES)["violations"]
                if any(n["target"] == "#axe-canary" for n in v["nodes"])
            ]
            assert [(v["rule"], v["impact"]) for v in found] == [("color-contrast", "serious")], (
                f"{path} ({mode}): axe did not report the planted low-contrast text: {found}"
            )
    finally:
        page.close()


def page_with_expanders() -> str:
    """A chapter section: its sidebar has collapsible chapters."""
    return next((p for p in AUDITED if p.startswith("chapters/") and "/index" not in p), NO_SITE)


def test_controls_have_names_that_say_what_they_do(site: Site) -> None:
    """The theme's buttons and the sidebar's expanders read out as what they are."""
    from playwright.sync_api import expect

    site.require()
    path = page_with_expanders()
    page = site.open(path, PageReport(path))
    try:
        expect(page.locator(".bd-header .search-button-field").first).to_have_accessible_name(
            re.compile(r"^Search\b")
        )
        expect(page.locator(".theme-switch-button").first).to_have_accessible_name(
            re.compile(r"^Color mode: (Light|Dark|System Settings)$")
        )
        expanders = page.locator(".bd-docs-nav li.has-children > details > summary")
        assert expanders.count(), f"{path}: no collapsible entry in the sidebar"
        for i in range(expanders.count()):
            summary_ = expanders.nth(i)
            title = summary_.locator("xpath=../../a").first.inner_text().strip()
            expect(summary_).to_have_accessible_name(f"Sections of {title}")
    finally:
        page.close()
