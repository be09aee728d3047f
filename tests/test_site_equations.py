"""Display equations fit the page, on a desktop and on a phone, light and dark (issue #14).

Every page with display math is measured in its one visit (``sitekit.Probe``: the tab the
other site tests measure too, last, as this opens collapsed blocks) at 1280 x 900 and,
after resizing that tab, at 390 x 844 (the layout is CSS media queries only, so a resized
tab lays out as a fresh one), each in the light and the dark theme:

- 1280 px: every display formula fits its text column without scrolling, and its number
  (Sphinx's ``span.eqno``) sits beside it without touching it. A formula too wide for that
  is split in the notebook (``aligned``, ``gathered``), never left to scroll.
- 390 px: a formula may be wider than the screen, but then it scrolls inside its own box
  (``_static/equations.css``) that takes the column's whole width (its number moves below
  it), the box stays in the column and on the screen, and the number never covers it.
- both: the formula's colour contrasts with what is behind it, in either theme.

Solutions and other collapsed blocks are expanded first, so their formulas are measured too.
Screenshots of one section at both widths and in both themes go to ``sitekit.ARTIFACTS``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sitekit import ARTIFACTS, HTML, NO_SITE, PAGES, PageReport, Probe, Site, listing, register

pytestmark = [pytest.mark.book, pytest.mark.browser]

DESKTOP = (1280, 900)
PHONE = (390, 844)  # a current mid-size phone, in CSS pixels
THEMES = ("light", "dark")
# Metrics are fractional CSS pixels and scrollWidth/clientWidth are rounded to whole ones,
# so "fits" allows one pixel of rounding; anything wider is a formula that really sticks out.
SLACK_PX = 1
# WCAG 2 level AA contrast for normal text; a formula is read like text.
MIN_CONTRAST = 4.5
# What Sphinx (or a notebook output) emits for display math in a page's HTML.
DISPLAY_SOURCE = re.compile(r'<div class="math[ "]|\\\[|\$\$|\\begin\{')
# The section the screenshots show (the issue's example, 1.1's eq. (5), is on it).
SHOWCASE = "chapters/01-linear-algebra/01-forward-pass.html"


def _equation_pages() -> list[str]:
    """The built pages whose HTML holds display math (the others have nothing to measure)."""
    return [p for p in PAGES if DISPLAY_SOURCE.search((HTML / p).read_text(encoding="utf-8"))]


EQUATION_PAGES = _equation_pages()

# Run in the page: expand collapsed content, set the theme, then measure every display.
MEASURE_JS = r"""
async (theme) => {
  document.querySelectorAll(".toggle-hidden").forEach(e => e.classList.remove("toggle-hidden"));
  document.querySelectorAll("details:not([open])").forEach(d => { d.open = true; });
  document.documentElement.dataset.theme = theme;
  await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)));

  const rgba = text => {
    const v = (text.match(/[\d.]+/g) || []).map(Number);
    return v.length < 3 ? [0, 0, 0, 0] : [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
  };
  const over = (top, bottom) => {  // top colour composited over an opaque bottom one
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const backdrop = el => {  // the opaque colour painted behind el
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let colour = [255, 255, 255, 1];  // the canvas, when nothing is opaque
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const luminance = c => {
    const lin = [0, 1, 2].map(i => {
      const s = c[i] / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  };
  const contrast = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const contentBox = el => {  // an element's content box: where its text may go
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    const left = r.left + el.clientLeft + parseFloat(s.paddingLeft);
    const width = el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    return {left, right: left + width};
  };
  const plain = r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});

  const displays = [];
  for (const m of document.querySelectorAll('mjx-container[display="true"]')) {
    const box = m.closest("div.math") || m;
    const math = m.querySelector(":scope > mjx-math") || m;
    const eqno = box === m ? null : box.querySelector(":scope > .eqno");
    const before = m.scrollLeft;
    m.scrollLeft = 1e6;  // can the reader scroll this box sideways?
    const scrolls = m.scrollLeft > 0;
    m.scrollLeft = before;
    const labelled = box.id || (box.closest("[id]") || {}).id || "";
    displays.push({
      name: (eqno ? eqno.textContent.replace("#", "").trim() + " " : "") + "#" + labelled,
      tex: (m.querySelector("mjx-assistive-mml") || m).textContent.slice(0, 60),
      formula: plain(math.getBoundingClientRect()),
      box: plain(m.getBoundingClientRect()),
      column: contentBox(box.parentElement),
      number: eqno ? plain(eqno.getBoundingClientRect()) : null,
      scrollWidth: m.scrollWidth,
      clientWidth: m.clientWidth,
      scrolls,
      contrast: contrast(rgba(getComputedStyle(m).color), backdrop(m)),
    });
  }
  return {
    displays,
    wrappers: document.querySelectorAll("div.math").length,
    wrapped: document.querySelectorAll('div.math mjx-container[display="true"]').length,
    viewport: document.documentElement.clientWidth,
    background: luminance(backdrop(document.body)),
  };
}
"""


def _meet(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether two rectangles overlap by more than rounding."""
    return (
        a["left"] < b["right"] - SLACK_PX
        and b["left"] < a["right"] - SLACK_PX
        and a["top"] < b["bottom"] - SLACK_PX
        and b["top"] < a["bottom"] - SLACK_PX
    )


def _outside(inner: dict[str, float], left: float, right: float) -> bool:
    return inner["left"] < left - SLACK_PX or inner["right"] > right + SLACK_PX


def _problems(found: dict[str, Any], width: int, theme: str) -> list[str]:
    """What is wrong with the displays of one page at one width in one theme."""
    where = f"{width} px, {theme}"
    problems = []
    if not found["displays"]:
        problems.append(f"{where}: the HTML holds display math but MathJax typeset none")
    if found["wrapped"] != found["wrappers"]:
        problems.append(
            f"{where}: {found['wrappers']} display blocks (div.math) but "
            f"{found['wrapped']} typeset display formulas in them"
        )
    for d in found["displays"]:
        say = f"{where}: {d['name']} ({d['tex']}...)"
        formula, box, number, column = d["formula"], d["box"], d["number"], d["column"]
        formula_px = round(formula["right"] - formula["left"])
        column_px = round(column["right"] - column["left"])
        if _outside(box, column["left"], column["right"]) or _outside(box, 0, found["viewport"]):
            problems.append(f"{say}: its box sticks out of the {column_px} px column")
        if d["contrast"] < MIN_CONTRAST:
            problems.append(f"{say}: contrast {d['contrast']:.1f}:1 with its background")
        if width >= DESKTOP[0]:
            if d["scrollWidth"] > d["clientWidth"] + SLACK_PX or _outside(
                formula, column["left"], column["right"]
            ):
                problems.append(
                    f"{say}: {formula_px} px wide, its box {d['clientWidth']} px "
                    f"(column {column_px} px); split it"
                )
            if number and _meet(number, formula):
                problems.append(f"{say}: the number overlaps the formula")
            middle = number and (number["top"] + number["bottom"]) / 2
            if number and not formula["top"] <= middle <= formula["bottom"]:
                problems.append(f"{say}: the number is not beside the formula; split it")
        else:
            too_wide = d["scrollWidth"] > d["clientWidth"] + SLACK_PX
            if too_wide and not d["scrolls"]:
                problems.append(f"{say}: {formula_px} px wide in a box that does not scroll")
            # A formula that must scroll anyway gets the whole column: its number goes below.
            if too_wide and box["right"] - box["left"] < column_px - SLACK_PX:
                problems.append(
                    f"{say}: {formula_px} px wide, scrolls in a box of {d['clientWidth']} px "
                    f"beside its number instead of the column's {column_px} px"
                )
            if number and _meet(number, box):
                problems.append(f"{say}: the number overlaps the formula's box")
    return problems


def measure(tab: Any, _: None) -> list[tuple[int, str, dict[str, Any]]]:
    """MEASURE_JS's findings at each width in each theme, as ``(width, theme, found)``."""
    # As in a fresh tab of the 1280 x 900 context: the audit before may have left dark emulated.
    tab.emulate_media(color_scheme="light")
    found = []
    for width, height in (DESKTOP, PHONE):
        tab.set_viewport_size({"width": width, "height": height})
        found += [(width, theme, tab.evaluate(MEASURE_JS, theme)) for theme in THEMES]
    return found


PAGE_TEST = "test_display_equations_fit_on_desktop_and_phone"
# Last in a visit: it opens collapsed blocks, sets the theme and resizes the tab.
EQUATIONS_PROBE = register(Probe("equations", order=90, tests=(PAGE_TEST,), finish=measure))


@pytest.mark.parametrize("page", EQUATION_PAGES or [NO_SITE])
def test_display_equations_fit_on_desktop_and_phone(site: Site, page: str) -> None:
    """At 1280 px every display fits its column beside its number; at 390 px a too-wide one
    scrolls in its own box; the number never overlaps the formula; light and dark."""
    site.require()
    if page == NO_SITE:
        pytest.fail(f"no page of {HTML} holds display math: is it the book?")
    problems = []
    for width, theme, found in site.result(page, EQUATIONS_PROBE.name):
        problems += _problems(found, width, theme)
    assert not problems, f"{page}: display equations{listing(problems)}"


@pytest.mark.parametrize(("width", "height"), [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_equation_screenshots(site: Site, width: int, height: int) -> None:
    """The showcase section around its widest display, light and dark, into ARTIFACTS for a
    person to look at; the dark one must really be dark."""
    site.require()
    if SHOWCASE not in PAGES:
        pytest.fail(f"{SHOWCASE} is not in the built site; point SHOWCASE at a section")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab = site.open(SHOWCASE, PageReport(SHOWCASE), site.context_at(width, height))
    try:
        for theme in THEMES:
            found = tab.evaluate(MEASURE_JS, theme)
            dark = found["background"] < 0.2  # a dark page's background: luminance near 0
            assert dark == (theme == "dark"), (
                f"{SHOWCASE} in the {theme} theme has a background of luminance "
                f"{found['background']:.2f}: the theme did not switch"
            )
            widest = max(
                found["displays"], key=lambda d: d["formula"]["right"] - d["formula"]["left"]
            )
            tab.evaluate(
                """i => document.querySelectorAll('mjx-container[display="true"]')[i]
                   .scrollIntoView({block: "center"})""",
                found["displays"].index(widest),
            )
            out = ARTIFACTS / f"equations-{width}px-{theme}.png"
            out.unlink(missing_ok=True)
            tab.screenshot(path=str(out))
            assert out.stat().st_size > 10_000, f"{out} is suspiciously small: a blank page?"
    finally:
        tab.close()
