"""Every "Chapter N", "Section N.M" or "§N.M" in the prose is a link to that page.

A number typed in the prose goes stale the moment a section moves; a link does not, and the build
checks that its target exists. The rules (README, "Contributing a chapter", item 8):

- A chapter or section in ``_toc.yml`` is named by a link to its page: the number sits in the text
  of a markdown link ``[Section 3.1](../03-optimization/01-gradient-descent-sgd.ipynb)``, a
  ``{doc}`Chapter 4 <../04-probability/index>` `` or a ``{ref}``/``{numref}`` whose label is on that
  page, or the mention is followed at once by such a link ("Section 3.5 ([second-order
  methods](05-second-order-methods.ipynb))"). Each number of "Sections 1.4 and 2.5" needs its own.
  The link must reach the page with that number: "Chapter 4" linking to Chapter 3 fails.
- A chapter not in ``_toc.yml`` yet (7 to 11, DESIGN.md) is named with the words ``not yet written``
  in the same sentence, or not by number at all ("a later chapter on ..."). When the chapter lands in
  ``_toc.yml`` the mention fails until it becomes a link.
- "Section K" (one number) names the heading "K. ..." of the same page, which must exist; a link is
  not required there (the reader sees the numbered headings of the page they are on).
- A page does not name itself: a chapter's opening page says "this chapter", a section page "this
  section". Phrases without a number ("this chapter", "the next section") are not checked.
- Not mentions: anything in math, code or a link target, "Exercise 3.3.2", equation numbers, and
  a section of a cited work written next to its citation ("{cite}`key`, Section 21.1.1").

Static: reads ``_toc.yml`` and the markdown of every page (notebook markdown cells, ``.md``
files), builds nothing, so it runs in ``make test-unit``.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
MARKER = "not yet written"  # the phrase that excuses a mention of a chapter not in _toc.yml

# ---------------------------------------------------------------------------------------------
# The book: page numbers from _toc.yml, labels from the pages.


@dataclass
class Book:
    """What the scanner needs to know: each page's number and source file, each label's page."""

    numbers: dict[str, str]  # page (path without suffix) -> "4" or "4.2"; numbered pages only
    files: dict[str, str]  # page -> its source file, relative to the root ("....ipynb"/"....md")
    labels: dict[str, str] = field(default_factory=dict)  # label -> page

    def page_of(self, number: str) -> str | None:
        return next((p for p, n in self.numbers.items() if n == number), None)

    def sections_of(self, chapter: str) -> list[str]:
        return [n for n in self.numbers.values() if n.startswith(chapter + ".")]


def toc_numbers(toc: dict) -> tuple[dict[str, str], list[str]]:
    """(page -> number for numbered pages, every page in order), numbered as the book numbers
    them (tests/test_numbering.py, _ext/numbering.py): chapters of numbered parts count on across
    parts, their sections from 1 in file order."""
    numbers: dict[str, str] = {}
    pages = [toc["root"]]
    chapter = 0
    for part in toc.get("parts", []):
        for entry in part["chapters"]:
            pages.append(entry["file"])
            if part.get("numbered"):
                chapter += 1
                numbers[entry["file"]] = str(chapter)
            for k, section in enumerate(entry.get("sections", []), start=1):
                pages.append(section["file"])
                if part.get("numbered"):
                    numbers[section["file"]] = f"{chapter}.{k}"
    return numbers, pages


def markdown_cells(path: Path) -> list[tuple[int | None, str]]:
    """(cell index, source) of each markdown cell of a notebook, or (None, text) of a .md file."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return [
            (i, "".join(c["source"])) for i, c in enumerate(cells) if c["cell_type"] == "markdown"
        ]
    return [(None, path.read_text(encoding="utf-8"))]


LABEL_LINE = re.compile(
    r"^\s*(?:\((?P<target>[^()\s]+)\)=|:(?:label|name):\s*(?P<opt>\S+))\s*$", re.M
)


@cache
def the_book() -> tuple[Book, dict[str, list[tuple[int | None, str]]]]:
    """The book in this tree and the markdown of each page of its table of contents."""
    numbers, pages = toc_numbers(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    files, cells = {}, {}
    for page in pages:
        found = [p for p in (ROOT / (page + ".ipynb"), ROOT / (page + ".md")) if p.is_file()]
        assert found, f"_toc.yml lists {page}, which has no .ipynb or .md file"
        files[page] = found[0].relative_to(ROOT).as_posix()
        cells[page] = markdown_cells(found[0])
    book = Book(numbers, files)
    for page, sources in cells.items():
        for _, source in sources:
            for m in LABEL_LINE.finditer(source):
                book.labels[m["target"] or m["opt"]] = page
    return book, cells


# ---------------------------------------------------------------------------------------------
# From markdown to the text a reader sees, with the links it carries.

SKIPPED_DIRECTIVES = {
    "math", "code", "code-block", "code-cell", "sourcecode", "bibliography", "raw",
    "exercise-index", "tableofcontents", "literalinclude",
}  # fmt: skip
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>\{[^}]*\}|[^\s{]*)")


def mask_blocks(source: str) -> str:
    """Blank out (keeping every newline and offset) what holds no prose: code and math blocks,
    directive markers and options, MyST comments and label lines."""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # open fences: (marker, skip their content)
    options = False  # right after a directive opener, its ":key: value" lines
    for line in source.splitlines(keepends=True):
        blank = re.sub(r"[^\n]", " ", line)
        m = FENCE.match(line)
        if m and stack and line.strip() and set(line.strip()) == {m["fence"][0]}:
            if m["fence"][0] == stack[-1][0][0] and len(m["fence"]) >= len(stack[-1][0]):
                stack.pop()  # a closing fence
                out.append(blank)
                options = False
                continue
        if stack and stack[-1][1]:
            out.append(blank)
            continue
        if m and (m["info"] or m["fence"][0] != ":"):
            name = m["info"].strip("{}")
            plain = not m["info"].startswith("{")  # ```python, or ``` with nothing: code
            stack.append((m["fence"], plain or name in SKIPPED_DIRECTIVES))
            # keep a directive's argument (an exercise title is prose), drop the marker
            out.append(" " * m.end() + line[m.end() :])
            options = True
            continue
        if options and re.match(r"^\s*:[\w-]+:", line):
            out.append(blank)
            continue
        options = False
        if re.match(r"^\s*(%|\([^()\s]+\)=\s*$)", line):  # a MyST comment, a label
            out.append(blank)
            continue
        out.append(line)
    return "".join(out)


INLINE = re.compile(
    r"(?P<comment><!--.*?-->)"
    r"|(?P<display>\$\$.+?\$\$(?:[ \t]*\([\w:.-]+\))?)"
    r"|(?P<env>\\begin\{(?P<envname>[\w*]+)\}.*?\\end\{(?P=envname)\})"
    r"|\{(?P<role>[\w:.-]+)\}(?P<ticks>`+)(?P<body>.+?)(?P=ticks)"
    r"|(?P<code>(?P<cticks>`+).+?(?P=cticks))"
    r"|(?<![\\$])(?P<math>\$(?!\$)(?:[^$\\\n]|\\.|\n(?!\s*\n))+?\$)"
    r"|(?P<image>!\[[^\]]*\]\([^)]*\))"
    r"|\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]\((?P<target>[^()\s]*)(?:\s+\"[^\"]*\")?\)",
    re.S,
)
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
LINK_ROLES = {"doc", "ref", "numref", "prf:ref"}


@dataclass
class Text:
    """What a reader sees of a piece of markdown: ``text``; ``links``, (start, end, page) for each
    link in it (page None when it leads out of the book or nowhere known); ``where``, for each
    run of ``text``, (start in text, start in the source) to find the source line again."""

    text: str = ""
    links: list[tuple[int, int, str | None]] = field(default_factory=list)
    where: list[tuple[int, int]] = field(default_factory=list)

    def add(self, piece: str, source_at: int, page: str | None = None, link: bool = False) -> None:
        self.where.append((len(self.text), source_at))
        if link:
            self.links.append((len(self.text), len(self.text) + len(piece), page))
        self.text += piece

    def source_offset(self, at: int) -> int:
        start, source = max((w for w in self.where if w[0] <= at), default=(0, 0))
        return source + (at - start)


def resolve(target: str, page: str, book: Book, kind: str) -> str | None:
    """The page a link leads to: a path relative to ``page`` (markdown link, {doc}; "/" from the
    root), or a label ({ref}, {numref}, "#label")."""
    if kind in {"ref", "numref", "prf:ref"}:
        return book.labels.get(target.strip())
    if re.match(r"^[a-z]+:", target):  # https:, mailto:
        return None
    path, _, anchor = target.partition("#")
    if not path:
        return book.labels.get(anchor, page if anchor else None)
    base = "" if path.startswith("/") else posixpath.dirname(page)
    path = posixpath.normpath(posixpath.join(base, path.lstrip("/")))
    return re.sub(r"\.(ipynb|md)$", "", path)


def visible(source: str, page: str, book: Book) -> Text:
    """The reader's text of a markdown source, blocks masked, roles and links rendered."""
    source = mask_blocks(source)
    out, at = Text(), 0
    for m in INLINE.finditer(source):
        out.add(source[at : m.start()], at)
        at = m.end()
        if m["role"]:
            role, body = m["role"], m["body"]
            explicit = EXPLICIT.match(body)
            shown, target = (explicit["text"], explicit["target"]) if explicit else (body, body)
            if role in LINK_ROLES:
                label = shown if explicit else f"⟨{role}⟩"  # implicit: the target's title
                out.add(
                    inline(label, page, book), m.start(), resolve(target, page, book, role), True
                )
            elif role.startswith("cite"):
                out.add("⟨cite⟩", m.start())
            elif role in {"eq", "math"}:
                out.add("⟨math⟩", m.start())
            else:
                out.add(inline(shown, page, book), m.start())
        elif m["text"] is not None:
            link_to = resolve(m["target"], page, book, "link")
            out.add(inline(m["text"], page, book), m.start(), link_to, True)
        elif m["display"] or m["env"]:
            out.add(re.sub(r"[^\n]", " ", m.group()), m.start())  # keeps paragraph breaks
        elif m["math"] or m["code"]:
            out.add("⟨math⟩" if m["math"] else "⟨code⟩", m.start())
    out.add(source[at:], at)
    return out


def inline(text: str, page: str, book: Book) -> str:
    """The visible text of a link's own text (roles and math inside it)."""
    return visible(text, page, book).text if re.search(r"[`$\[]", text) else text


# ---------------------------------------------------------------------------------------------
# Mentions and what each must be.

NUMBER = r"\d+(?:\.\d+)*"
MENTION = re.compile(
    rf"(?P<key>\b(?:chapter|section)s?\b|§§?)[ \t\u00a0]*(?P<numbers>{NUMBER}"
    rf"(?:(?:[ \t]*,[ \t]*(?:and[ \t]+|or[ \t]+)?|\s+and\s+|\s+or\s+|\s+to\s+|[ \t]*[–—-][ \t]*){NUMBER})*)",
    re.I,
)
LIST_SEPARATOR = re.compile(r",|\band\b|\bor\b")
SENTENCE_END = re.compile(
    r"[.!?](?=[\s)*_]+[A-Z⟨\[(*])|\n[ \t]*\n|\n(?=[ \t]*(?:[-*+]|\d+\.)[ \t])"
)
CITED_BEFORE = re.compile(r"⟨cite⟩[\s,;(]*(?:see\s+|also\s+)*$")
CITED_AFTER = re.compile(r"^[\s,]*(?:there\b|(?:of|in)\s+⟨cite⟩)")


@dataclass(frozen=True)
class Problem:
    """A mention that must change: where it is, what it says, what to write instead."""

    file: str
    cell: int | None
    line: int
    mention: str
    sentence: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.file}, cell {self.cell}" if self.cell is not None else self.file
        return f'{where}, line {self.line}: "{self.mention}" in «{self.sentence}»: {self.fix}'


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence of ``text`` that holds ``[start, end)``."""
    before = [m.end() for m in SENTENCE_END.finditer(text, 0, start)]
    after = SENTENCE_END.search(text, end)
    return (before[-1] if before else 0), (after.end() if after else len(text))


def numbers_in(match: re.Match) -> list[tuple[str, int]]:
    """The numbers of a mention with their offsets; a singular keyword takes a range ("Section
    3.1–3.3") but not a list ("Section 3.1, 200 points ..." is one number)."""
    found = [
        (n.group(), match.start("numbers") + n.start())
        for n in re.finditer(NUMBER, match["numbers"])
    ]
    if not match["key"].lower().endswith("s") and match["key"] != "§§":
        keep = 1
        while keep < len(found):
            gap = match.string[found[keep - 1][1] + len(found[keep - 1][0]) : found[keep][1]]
            if LIST_SEPARATOR.search(gap):
                break
            keep += 1
        found = found[:keep]
    return found


def local_headings(sources: list[tuple[int | None, str]]) -> set[str]:
    """The numbers of the page's numbered headings, "## 3. Quadratics ..." -> "3"."""
    return {
        m[1]
        for _, s in sources
        for m in re.finditer(r"^#{1,6}[ \t]+(\d+)\.[ \t]", mask_blocks(s), re.M)
    }


def relative(book: Book, page: str, target: str) -> str:
    """The link path from ``page`` to ``target``'s file."""
    return posixpath.relpath(book.files.get(target, target + ".ipynb"), posixpath.dirname(page))


def check_number(
    number: str, at: int, word: str, text: Text, end: int, single: bool, page: str, book: Book,
    headings: set[str], sentence: str,
) -> str | None:  # fmt: skip
    """What is wrong with one number of a mention (None: nothing)."""
    own = book.numbers.get(page)
    if word == "section" and "." not in number:  # a heading of this page
        if number in headings:
            return None
        have = ", ".join(sorted(headings, key=int)) or "none"
        return (
            f'this page has no heading "{number}. ..." (its numbered headings: {have}); '
            f"for a section of another chapter write its full number and link it"
        )
    if word == "chapter" and "." in number:
        return f'a chapter has a single number: write "Section {number}" and link it'
    target = book.page_of(number)
    chapter = number.split(".")[0]
    if target is None:
        if len(number.split(".")) > 2:
            return (
                f"the book numbers sections N.M, so {number} is not one of its sections; "
                f"a section of a cited work goes right next to its {{cite}}"
            )
        if "." in number and book.page_of(chapter):
            have = book.sections_of(chapter)
            span = f"{have[0]}–{have[-1]}" if have else "none"
            return (
                f"there is no Section {number}: Chapter {chapter} has Sections {span} in _toc.yml"
            )
        if MARKER in sentence.lower():
            return None
        return (
            f"{word.capitalize()} {number} is not in _toc.yml: if it is still to come, say so with "
            f'"{MARKER}" in the same sentence (or write "a later chapter on ...")'
        )
    kind = "Chapter" if "." not in number else "Section"
    if target == page:
        return f'this page is {kind} {number}: write "this {kind.lower()}" instead'
    link = f"[{kind} {number}]({relative(book, page, target)})"
    for start, stop, to in text.links:
        if start <= at < stop:
            if to == target:
                return None
            shown = (
                f"{to} ({book.numbers[to]})" if to in book.numbers else (to or "outside the book")
            )
            return f"the link leads to {shown}, but {kind} {number} is {target}: write {link}"
    follow = re.match(r"[ \t]*\(?[ \t]*", text.text[end:])
    if single:
        nxt = end + follow.end()
        for start, _, to in text.links:
            if start == nxt:
                if to == target:
                    return None
                return f"the link after it leads to {to}, but {kind} {number} is {target}"
    landed = (
        " (it is in _toc.yml now: drop 'not yet written')" if MARKER in sentence.lower() else ""
    )
    if own and own.split(".")[0] == chapter and kind == "Chapter":
        return f'not a link{landed}: write {link} (or "this chapter")'
    return f"not a link{landed}: write {link}"


def check_text(
    source: str, page: str, book: Book, headings: set[str] = frozenset(), file: str = "",
    cell: int | None = None,
) -> list[Problem]:  # fmt: skip
    """Every problem with the chapter and section mentions of one markdown source."""
    text = visible(source, page, book)
    problems = []
    for m in MENTION.finditer(text.text):
        start, end = sentence_around(text.text, m.start(), m.end())
        sentence = " ".join(text.text[start:end].split()).lstrip("*_-+ ")
        if CITED_BEFORE.search(text.text[start : m.start()]) or CITED_AFTER.match(
            text.text[m.end() :]
        ):
            continue  # a section of a cited work
        word = "chapter" if m["key"].lower().startswith("chapter") else "section"
        numbers = numbers_in(m)
        end = numbers[-1][1] + len(numbers[-1][0])
        mention = text.text[m.start() : end]
        for number, at in numbers:
            fix = check_number(
                number, at, word, text, end, len(numbers) == 1, page, book, headings, sentence
            )
            if fix:
                line = source[: text.source_offset(m.start())].count("\n") + 1
                problems.append(
                    Problem(file or page, cell, line, " ".join(mention.split()), sentence, fix)
                )
    return problems


def check_page(page: str) -> list[Problem]:
    book, cells = the_book()
    headings = local_headings(cells[page])
    return [
        problem
        for cell, source in cells[page]
        for problem in check_text(source, page, book, headings, book.files[page], cell)
    ]


# ---------------------------------------------------------------------------------------------
# The book's pages.

BOOK, CELLS = the_book()


@pytest.mark.parametrize("page", list(CELLS))
def test_chapter_and_section_mentions_are_links(page: str) -> None:
    problems = check_page(page)
    if problems:  # the message alone: the fix is in it, a traceback would bury it
        pytest.fail(
            f"{len(problems)} chapter/section mention(s) to fix"
            " (rules: the docstring of tests/test_cross_references.py):\n"
            + "\n".join(f"- {p}" for p in problems),
            pytrace=False,
        )


def test_the_scanner_sees_the_books_links() -> None:
    """The page tests pass only if they look at something. Each section opens with linked
    prerequisites and closes with a link to the next section, so the scanner must find at least
    one linked mention per numbered page; fewer means the markup moved under its regexes."""
    linked = 0
    for page, sources in CELLS.items():
        for _, source in sources:
            text = visible(source, page, BOOK)
            linked += sum(
                any(s <= m.start("numbers") < e and to in BOOK.numbers for s, e, to in text.links)
                for m in MENTION.finditer(text.text)
            )
    assert BOOK.numbers, "_toc.yml numbers no page: its chapter parts need `numbered: 2`"
    assert linked >= len(BOOK.numbers), (
        f"only {linked} linked chapter/section mentions found in {len(CELLS)} pages: "
        "has the markup changed under the scanner?"
    )


# ---------------------------------------------------------------------------------------------
# The scanner itself, on small made-up pages.

TOY = Book(
    numbers={"ch/03/index": "3", "ch/03/01-a": "3.1", "ch/03/02-b": "3.2", "ch/04/index": "4",
             "ch/04/01-c": "4.1", "ch/04/02-d": "4.2"},
    files={"ch/03/index": "ch/03/index.md", "ch/03/01-a": "ch/03/01-a.ipynb",
           "ch/03/02-b": "ch/03/02-b.ipynb", "ch/04/index": "ch/04/index.md",
           "ch/04/01-c": "ch/04/01-c.ipynb", "ch/04/02-d": "ch/04/02-d.ipynb"},
    labels={"b-exercise": "ch/03/02-b", "c-heading": "ch/04/01-c"},
)  # fmt: skip
HERE = "ch/04/02-d"  # the toy page every source below sits on (Section 4.2)


def fixes(source: str, page: str = HERE, headings: set[str] = frozenset({"1", "2"})) -> list[str]:
    return [p.fix for p in check_text(source, page, TOY, headings)]


@pytest.mark.parametrize(
    "source",
    [
        "As [Section 3.1](../03/01-a.ipynb) showed.",
        "As {doc}`Section 3.1 <../03/01-a>` showed.",
        "As {doc}`Chapter 3 </ch/03/index>` showed.",
        "As [Chapter 3](../03/index.md) showed.",
        "See {ref}`Section 3.2 <b-exercise>` and {numref}`Section 4.1 <c-heading>`.",
        "See {numref}`Section %s <c-heading>`.",
        "Section 3.1 ([gradient descent](../03/01-a.ipynb)) showed it.",
        "Sections [3.1](../03/01-a.ipynb) and [3.2](../03/02-b.ipynb) show it.",
        "[Sections 3.1](../03/01-a.ipynb)–[3.2](../03/02-b.ipynb) show it.",
        "Chapter 7 (not yet written) treats kernels.",
        "Chapters 8 and 9, not yet written, go further.",
        "As Section 2 below shows, and Sections 1 and 2 agree.",
        "The step $\\eta$ of equation $3.1$ and $$\\text{Section } 3.1$$ are math.",
        "Exercise 3.3.2 and equation (3.3.5) and {eq}`eq-x` are not chapters.",
        "Code `Section 3.1` is not prose.\n\n```python\n# nor Chapter 3 here\n```\nDone.",
        "```{math}\n\\text{Section } 3.1\n```\n\\begin{aligned} \\text{Chapter } 3 \\end{aligned}",
        "Bishop {cite}`bishop2006` (Section 4.3.6 there) and {cite:t}`ss2014`, Section 21.1.1.",
        "{cite}`bishop2006` (sections 3.3 and 3.5) derives it.",
        "A link target [text](../03/01-a.ipynb#section-3-1) is not prose.",
        "This chapter, this section and the next chapter carry no number.",
        "% Section 9.9 in a MyST comment\n(sec-3-1)=\n## 1. A heading",
        "::::{exercise}\n:label: section-9-9\n\nWork with [Chapter 4](../04/index.md).\n::::",
    ],
)
def test_good_mentions_pass(source: str) -> None:
    assert fixes(source) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("As Section 3.1 showed.", "not a link: write [Section 3.1](../03/01-a.ipynb)"),
        ("As §3.1 showed.", "not a link: write [Section 3.1](../03/01-a.ipynb)"),
        ("As Chapter 3 showed.", "not a link: write [Chapter 3](../03/index.md)"),
        ("[Chapter 4](../03/index.md) builds on this.", "leads to ch/03/index (3), but Chapter 4"),
        ("{doc}`Section 3.2 <../03/01-a>` is wrong.", "leads to ch/03/01-a (3.1), but Section 3.2"),
        ("See {ref}`Section 3.1 <b-exercise>`.", "leads to ch/03/02-b (3.2), but Section 3.1"),
        (
            "Section 3.1 ([this](../03/02-b.ipynb)) is wrong.",
            "the link after it leads to ch/03/02-b",
        ),
        ("As Section 3.9 shows.", "there is no Section 3.9: Chapter 3 has Sections 3.1–3.2"),
        (
            "Chapter 7 treats kernels.",
            'Chapter 7 is not in _toc.yml: if it is still to come, say so with "not yet written"',
        ),
        ("As Section 7.2 shows.", "Section 7.2 is not in _toc.yml"),
        (
            "Chapter 4 (not yet written) says.",
            "not a link (it is in _toc.yml now: drop 'not yet written')",
        ),
        (
            "In Chapter 4 we saw.",
            'not a link: write [Chapter 4](index.md) (or "this chapter")',
        ),
        ("In Section 4.2 we saw.", 'this page is Section 4.2: write "this section" instead'),
        (
            "As Section 5 below shows.",
            'this page has no heading "5. ..." (its numbered headings: 1, 2)',
        ),
        ("As Chapter 3.1 shows.", 'a chapter has a single number: write "Section 3.1"'),
        ("As Section 4.3.6 shows.", "the book numbers sections N.M"),
    ],
)
def test_bad_mentions_fail_with_the_fix(source: str, expected: str) -> None:
    found = fixes(source)
    assert len(found) == 1 and expected in found[0], f"{source!r} -> {found}"


def test_each_number_of_a_list_or_range_is_checked() -> None:
    assert len(fixes("Sections 3.1 and 3.2 showed it.")) == 2
    assert len(fixes("Sections 3.1–3.2 showed it.")) == 2
    assert len(fixes("Chapters [3](../03/index.md) and 4 showed it.")) == 1
    # a whole list under one link: the second number leads to the wrong page
    assert len(fixes("[Sections 3.1 and 3.2](../03/01-a.ipynb) showed it.")) == 1
    # a singular keyword takes no list: "200" is not a section
    assert fixes("Section 3.1, 200 points later, [Section 3.2](../03/02-b.ipynb).") == [
        "not a link: write [Section 3.1](../03/01-a.ipynb)"
    ]


def test_the_marker_must_sit_in_the_same_sentence() -> None:
    assert len(fixes("Chapter 7 treats kernels. It is not yet written.")) == 1
    assert fixes("Chapter 7 treats kernels; it is not yet written.") == []


def test_a_chapter_opening_does_not_name_itself() -> None:
    assert fixes("Chapter 4 is about probability.", page="ch/04/index") == [
        'this page is Chapter 4: write "this chapter" instead'
    ]


def test_a_problem_names_file_cell_line_and_sentence() -> None:
    source = "First sentence.\n\nSee a claim. As Section 3.1\nshowed, it holds. Then more."
    (problem,) = check_text(source, HERE, TOY, set(), "ch/04/02-d.ipynb", cell=7)
    assert str(problem) == (
        'ch/04/02-d.ipynb, cell 7, line 3: "Section 3.1" in «As Section 3.1 showed, it holds.»: '
        "not a link: write [Section 3.1](../03/01-a.ipynb)"
    )


def test_toc_numbers_count_chapters_across_numbered_parts() -> None:
    toc = {
        "root": "intro",
        "parts": [
            {"caption": "Front", "chapters": [{"file": "pre/a"}]},
            {"numbered": 2, "chapters": [{"file": "c1/index", "sections": [{"file": "c1/s"}]}]},
            {"numbered": 2, "chapters": [{"file": "c2/index", "sections": [{"file": "c2/s"}]}]},
            {"caption": "Reference", "chapters": [{"file": "glossary"}]},
        ],
    }
    numbers, pages = toc_numbers(toc)
    assert numbers == {"c1/index": "1", "c1/s": "1.1", "c2/index": "2", "c2/s": "2.1"}
    assert pages == ["intro", "pre/a", "c1/index", "c1/s", "c2/index", "c2/s", "glossary"]


def test_line_numbers_survive_masked_blocks_and_links() -> None:
    source = (
        "```python\nx = 1\n```\n$$\na = b\n$$ (eq-a)\n"
        "See [Section 3.2](../03/02-b.ipynb) and $x$.\nThen Section 3.1 here."
    )
    (problem,) = check_text(source, HERE, TOY, set())
    assert (problem.line, problem.mention) == (8, "Section 3.1")
