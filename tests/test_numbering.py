"""Numbering as in a textbook: the k-th exercise of Section 3.3 is "Exercise 3.3.k" and its
k-th numbered equation "(3.3.k)", in captions, in references and in the chapter exercise
indexes; each title carries its section number once.

Reads the built HTML (``make book``, or ``$BOOK_HTML``) as text, without a browser: the markup
is Sphinx's own (``caption-number``, ``eqno``, ``section-number``), and each test first checks
that it found what it looks for, so a change of markup fails loudly instead of passing empty.
The expected section numbers come from ``_toc.yml``, not from the build.
"""

from __future__ import annotations

import html
import posixpath
import re
from functools import cache

import pytest
import yaml
from sitekit import HTML, NO_SITE, PAGES, ROOT

pytestmark = pytest.mark.book

EXERCISE = re.compile(
    r'<div class="exercise admonition[^"]*" id="(?P<id>[^"]+)">\s*<p class="admonition-title">'
    r'<span class="caption-number">(?P<caption>[^<]*)</span>(?P<title>.*?)</p>',
    re.S,
)
EQUATION = re.compile(r'id="equation-(?P<id>[^"]+)">\s*<span class="eqno">(?P<number>[^<]*)<')
LINK = re.compile(
    r'<a class="reference internal" href="(?P<href>[^"]*)"[^>]*>(?P<text>.*?)</a>', re.S
)
H1 = re.compile(r"<h1>(?P<inner>.*?)<a class=\"headerlink\"", re.S)
NUMBERED_LINE = re.compile(r"\d+(\.\d+)*\s")


def toc_numbers() -> dict[str, str | None]:
    """Every page of the table of contents -> the number it gives the page: chapters of
    numbered parts count on across parts (1, 2, ...), their sections from 1 (2.1, 2.2, ...);
    None for the pages of unnumbered parts and the root."""
    built_from = HTML.parents[1] / "_toc.yml"  # the book whose _build/html this is
    toc = yaml.safe_load((built_from if built_from.is_file() else ROOT / "_toc.yml").read_text())
    numbers: dict[str, str | None] = {toc["root"] + ".html": None}
    chapter = 0
    for part in toc.get("parts", []):
        for entry in part["chapters"]:
            chapter += bool(part.get("numbered"))
            number = str(chapter) if part.get("numbered") else None
            numbers[entry["file"] + ".html"] = number
            for k, section in enumerate(entry.get("sections", []), start=1):
                numbers[section["file"] + ".html"] = f"{number}.{k}" if number else None
    return numbers


NUMBERS = toc_numbers() if PAGES else {}
NO_NUMBERS = "<no numbered page in _toc.yml>"
MISSING = NO_NUMBERS if PAGES else NO_SITE
SECTIONS = sorted(p for p, n in NUMBERS.items() if n and "." in n) or [MISSING]
CHAPTERS = sorted(p for p, n in NUMBERS.items() if n and "." not in n) or [MISSING]
TOC_PAGES = sorted(NUMBERS) or [NO_SITE]


def text(fragment: str) -> str:
    """The visible text of an HTML fragment."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


@cache
def read(page: str) -> str:
    if page == NO_SITE:
        pytest.fail(f"no built website in {HTML}: run `make book` or set BOOK_HTML")
    if page == NO_NUMBERS:
        pytest.fail("_toc.yml numbers no page: its chapter parts need `numbered: 2`")
    path = HTML / page
    assert path.is_file(), f"{page} is in _toc.yml but was not built"
    return path.read_text(encoding="utf-8")


def article(page: str) -> str:
    """The page's content, without the sidebars (whose links repeat on every page)."""
    source = read(page)
    start, end = source.find("<article"), source.rfind("</article>")
    assert 0 <= start < end, f"{page}: no <article> element"
    return source[start:end]


@cache
def exercises(page: str) -> dict[str, tuple[str, str]]:
    """Exercise id -> (its number as the caption shows it, its title), in page order."""
    found = {}
    for m in EXERCISE.finditer(article(page)):
        caption = text(m["caption"])
        number = re.fullmatch(r"Exercise (\S+)", caption)
        assert number, f"{page}#{m['id']}: caption {caption!r} is not 'Exercise <number>'"
        found[m["id"]] = (number[1], text(m["title"]).strip("()"))
    return found


@cache
def equations(page: str) -> dict[str, str]:
    """Equation anchor -> its number as printed, "(N.M.K)", in page order."""
    source = article(page)
    found = {"equation-" + m["id"]: m["number"] for m in EQUATION.finditer(source)}
    assert len(found) == source.count('<span class="eqno">'), (
        f"{page}: an equation number sits in markup this test does not recognise"
    )
    return found


@pytest.mark.parametrize("page", SECTIONS)
def test_exercises_are_numbered_within_their_section(page: str) -> None:
    found = exercises(page)
    assert found, f"{page}: no numbered exercise found (every section has at least three)"
    section = NUMBERS[page]
    expected = [f"{section}.{k}" for k in range(1, len(found) + 1)]
    got = [number for number, _ in found.values()]
    assert got == expected, f"{page} (Section {section}): exercises numbered {got}"


@pytest.mark.parametrize("page", SECTIONS)
def test_equations_are_numbered_within_their_section(page: str) -> None:
    found = list(equations(page).values())
    assert found, f"{page}: no numbered equation found (every section defines its ideas in math)"
    section = NUMBERS[page]
    expected = [f"({section}.{k})" for k in range(1, len(found) + 1)]
    assert found == expected, f"{page} (Section {section}): equations numbered {found}"


@pytest.mark.parametrize("page", TOC_PAGES)
def test_references_show_the_number_of_what_they_point_at(page: str) -> None:
    """{eq} and {ref}/{numref} to an exercise, in prose and in solution titles: the number in
    the link is the one printed at its target; a {doc} link that shows a section's title shows
    its number too."""
    wrong = []
    for m in LINK.finditer(article(page)):
        target, _, anchor = m["href"].partition("#")
        shown = text(m["text"])
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), target or page))
        if not NUMBERS.get(target):
            continue
        if re.match(r'<span class="doc[ "]', m["text"]):  # {doc}: the title, with no typed number
            heading = text(H1.search(article(target))["inner"])
            if shown == heading.removeprefix(NUMBERS[target] + " "):
                wrong.append(f"{shown!r} -> {target} (titled {heading!r} there)")
        if not anchor:
            continue
        if anchor.startswith("equation-"):
            number = equations(target).get(anchor)
            if number is None or shown != number:
                wrong.append(f"{shown!r} -> {target}#{anchor} (printed there: {number})")
        elif anchor in exercises(target) and "Exercise" in shown:
            number = exercises(target)[anchor][0]
            if not re.search(rf"\bExercise {re.escape(number)}(?![.\d])", shown):
                wrong.append(f"{shown!r} -> {target}#{anchor} (Exercise {number} there)")
    assert not wrong, f"{page}: links whose number is wrong or missing:\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", CHAPTERS)
def test_exercise_index_lists_number_then_title(page: str) -> None:
    """Each row reads "Exercise N.M.K (Title)", as the exercise's caption on its page."""
    source = article(page)
    table = source[source.find('class="exercise-index') :]
    rows = re.findall(r"<tr[^>]*>\s*<td>(.*?)</td>", table[: table.find("</table>")], re.S)
    chapter_pages = [p for p in NUMBERS if p.startswith(posixpath.dirname(page) + "/")]
    expected = sum(len(exercises(p)) for p in chapter_pages if p != page)
    assert rows and len(rows) == expected, (
        f"{page}: {len(rows)} rows in the exercise index, {expected} exercises in the chapter"
    )
    for row in rows:
        link = LINK.search(row)
        assert link, f"{page}: an exercise index row has no link: {text(row)!r}"
        target, _, anchor = link["href"].partition("#")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), target))
        number, title = exercises(target)[anchor]
        assert text(link["text"]) == f"Exercise {number} ({title})", (
            f"{page}: index row {text(link['text'])!r} for {target}#{anchor}, "
            f"whose caption is 'Exercise {number} ({title})'"
        )


@pytest.mark.parametrize("page", TOC_PAGES)
def test_titles_carry_their_number_once(page: str) -> None:
    """Heading, browser tab and sidebar: "3.3 Adaptive methods", never "3.3 3.3 Adaptive
    methods", and unnumbered pages (preface) or headings (on chapter openings) show none."""
    source = read(page)
    h1 = H1.search(article(page))
    assert h1, f"{page}: no <h1> heading"
    heading = text(h1["inner"])
    number = NUMBERS.get(page)
    if number is None:
        assert not NUMBERED_LINE.match(heading), f"{page}: unnumbered page titled {heading!r}"
    else:
        assert heading.startswith(number + " "), f"{page}: {heading!r} should read '{number} ...'"
        rest = heading[len(number) + 1 :]
        assert not NUMBERED_LINE.match(rest), f"{page}: the number is doubled in {heading!r}"
    tab = text(re.search(r"<title>(.*?)</title>", source, re.S)[1])
    assert tab.startswith(heading), f"{page}: browser tab {tab!r}, heading {heading!r}"
    own = article(page)[: article(page).find('class="exercise-index')]
    numbered_h2 = re.findall(r'<h2><span class="section-number">', own)
    assert not numbered_h2, f"{page}: headings below the title carry section numbers"
    nav = source[source.find("bd-docs-nav") :]
    nav = nav[: nav.find("</nav>")]
    for link in LINK.finditer(nav):
        entry = posixpath.normpath(posixpath.join(posixpath.dirname(page), link["href"]))
        expected = f"{NUMBERS[entry]} " if NUMBERS.get(entry) else ""
        shown = text(link["text"])
        assert shown.startswith(expected) and not NUMBERED_LINE.match(shown[len(expected) :]), (
            f"{page}: sidebar entry {shown!r} for {entry} should carry the number {expected!r} once"
        )
