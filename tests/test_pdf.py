"""The book's PDF (``make pdf``, _build/latex/book.pdf): whole, resolved, with every figure.

Read with poppler's ``pdftotext``, ``pdfinfo`` and ``pdfimages`` (Debian's poppler-utils,
installed by ``.ci/run``) and compared with the sources and the built website
(``$BOOK_HTML``): every chapter and section title is in the text, no reference or
citation is left unresolved, no figure fell back to its text form, each figure of the
website is in the PDF, and the page count is what the content can fill.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from sitekit import HTML

from nblib._notebooks import ROOT, toc_files

pytestmark = pytest.mark.book

LATEX = Path(os.environ.get("BOOK_LATEX") or ROOT / "_build" / "latex").resolve()
PDF = LATEX / "book.pdf"
#: What a figure shows when no image reached LaTeX: the text form of its output.
TEXT_FORMS = ("<Figure size", "<Explorer of", "matplotlib.figure")


@cache
def poppler(tool: str, *args: str) -> str:
    if not PDF.is_file():
        pytest.fail(f"no PDF at {PDF}: run `make pdf` first")
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} not found: sudo apt-get install poppler-utils")
    out = ["-"] if tool == "pdftotext" else []  # pdftotext to stdout
    done = subprocess.run([tool, *args, str(PDF), *out], capture_output=True, text=True)
    assert done.returncode == 0, f"{tool} {' '.join(args)} failed: {done.stderr}"
    return done.stdout


def words(text: str) -> str:
    """Text with line breaks and runs of spaces as one space, typographic quotes plain."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\ufb01", "fi")
    return " ".join(text.split())


def sources() -> list[tuple[str, str]]:
    """(toc file, its markdown and code text) in reading order."""
    out = []
    for name in toc_files():
        path = ROOT / f"{name}.ipynb"
        if path.exists():
            cells = json.loads(path.read_text())["cells"]
            text = "\n".join("".join(c["source"]) for c in cells)
        else:
            text = (ROOT / f"{name}.md").read_text()
        out.append((name, text))
    return out


def title(text: str) -> str:
    return next(line[2:].strip() for line in text.splitlines() if line.startswith("# "))


@cache
def site_figures() -> tuple[int, int]:
    """(SVG figures, explorers) of the website's pages."""
    if not HTML.is_dir():
        pytest.fail(f"no website at {HTML}: run `make book` first (the PDF is compared with it)")
    svg = explorers = 0
    for name, _ in sources():
        page = (HTML / f"{name}.html").read_text()
        svg += len(re.findall(r'<img [^>]*src="[^"]*_images/[0-9a-f]{64}\.svg"', page))
        explorers += page.count('class="nblib-explorer-frame"')
    return svg, explorers


def log() -> str:
    return (LATEX / "book.log").read_text(errors="replace")


def test_every_chapter_and_section_title_is_in_the_text():
    text = words(poppler("pdftotext", "-enc", "UTF-8"))
    missing = [f"{name}: {title(src)!r}" for name, src in sources() if title(src) not in text]
    assert not missing, f"titles not in the PDF's text: {missing}"


def test_unicode_of_the_prose_survives():
    """★ (exercise difficulty), · (their meta line) and Greek need xelatex and a font with them;
    a character no font of the PDF has is left out with a "Missing character" in the log."""
    text = poppler("pdftotext", "-enc", "UTF-8")
    for char in ("★", "☆", "·"):
        assert char in text, f"{char!r} is not in the PDF's text (font without it, or pdflatex?)"
    for upright, italic in (
        ("θ", "\N{MATHEMATICAL ITALIC SMALL THETA}"),
        ("η", "\N{MATHEMATICAL ITALIC SMALL ETA}"),
    ):
        # in prose θ, in math (unicode-math, Latin Modern Math) the italic 𝜃
        assert upright in text or italic in text, f"no {upright!r} in the PDF's text"
    missing = sorted(
        set(re.findall(r"Missing character: There is no (.) \(U\+\w+\) in font ([^/!]+)", log()))
    )
    assert not missing, (
        f"characters left out of the PDF (char, font): {missing}; map them to a font that "
        "has them in _config.yml (latex_elements.preamble, \\newunicodechar)"
    )


def test_no_unresolved_reference_or_citation():
    text = poppler("pdftotext", "-enc", "UTF-8")
    assert "??" not in text, (
        f"unresolved references ('??'): {text[text.index('??') - 80 :][:160]!r}"
    )
    undefined = re.findall(r"LaTeX Warning: (?:Reference|Citation) .*? undefined", log())
    assert not undefined, f"book.log: {undefined[:5]}"


def test_every_figure_of_the_website_is_in_the_pdf():
    """Each SVG figure is included (as vector PDF, _ext/pdf.py) and each explorer as the PNG
    of its starting frame; none fell back to its text form, none is missing."""
    text = poppler("pdftotext", "-enc", "UTF-8")
    fallbacks = [form for form in TEXT_FORMS if form in text]
    assert not fallbacks, f"figures shown as text in the PDF: {fallbacks}"
    tex = (LATEX / "book.tex").read_text()
    graphics = re.findall(r"\\sphinxincludegraphics(?:\[[^]]*\])?\{\{([^}]+)\}(\.\w+)\}", tex)
    kinds = [ext for _, ext in graphics]
    svg, explorers = site_figures()
    assert (kinds.count(".pdf"), kinds.count(".png")) == (svg, explorers), (
        f"book.tex includes {kinds.count('.pdf')} PDF and {kinds.count('.png')} PNG figures; "
        f"the website shows {svg} SVG figures and {explorers} explorers"
    )
    for stem, ext in graphics:
        assert (LATEX / f"{stem}{ext}").is_file(), f"{stem}{ext} is missing from {LATEX}"
    errors = re.findall(
        r"^! .*", log(), re.M
    )  # a TeX error, e.g. "! LaTeX Error: File ... not found"
    assert not errors, f"book.log: {errors[:5]}"
    # Each explorer's frame is a raster image of the PDF, as are the raster layers of dense
    # SVG figures (nblib.plots.rasterize_dense_layers): at least one per explorer.
    rasters = len(poppler("pdfimages", "-list").splitlines()) - 2  # two header lines
    assert rasters >= explorers, f"{rasters} raster images in the PDF, {explorers} explorers"


def test_page_count_fits_the_content():
    """Bounds from the sources' characters and the figures, on the PDF's page (US letter,
    10 pt): a full page holds at most ~6000 characters (100 a line, 60 lines, code in
    smaller type) and a figure takes at least a quarter page (2 of the 9 inches of the text
    block); a page holds at least ~1000 characters (sparse code and displays), a figure at
    most one page, and each document may add a part page and a blank page before it."""
    pages = int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo"), re.M).group(1))
    chars = sum(len(text) for _, text in sources())
    figures = sum(site_figures())
    low = chars / 6000 + figures / 4
    high = chars / 1000 + figures + 2 * len(sources())
    assert low <= pages <= high, (
        f"{pages} pages for {chars} characters of source and {figures} figures: "
        f"expected {low:.0f} to {high:.0f}"
    )
