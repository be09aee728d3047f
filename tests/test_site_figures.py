"""Figures on the website as a reader sees them at 1280 px: sharp on high-density screens,
and no text smaller than ``nblib.plots.MIN_TEXT_PX`` CSS px (that constant says why 11).

What is measured, for every figure of every page (the ``site`` fixture's 1280 x 900 visit):

- SVG figures (``nblib.plots.use_style``): text is text, so each text element's size is read
  from the file and scaled by how wide the browser shows the figure; raster layers inside
  must hold two pixels per CSS pixel they cover.
- Raster images (explorer frames): pixels in the file over CSS px shown must be at least 2,
  as a 2x screen needs. Their text sizes cannot be read from pixels, so ``nblib.widgets``
  records the smallest font (points) when it draws the frames and the pixels per inch it
  draws them at; the size on screen follows from the width the browser gives the image.
- Text colour in SVG figures: WCAG 2's contrast with the white figure background (4.5:1,
  3:1 for large text), as ``nblib.plots.text_colour`` gives.

Run ``make book`` (or set ``BOOK_HTML``) first; these tests carry the ``book`` marker.
"""

from __future__ import annotations

import base64
import re
import urllib.parse
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from sitekit import HTML, NO_SITE, PAGES, Site, listing, visited

from nblib.plots import MIN_TEXT_PX, TEXT_CONTRAST, contrast_with_white, svg_texts

#: No tolerance here: ``plots.raise_small_text`` sizes text 1 % above MIN_TEXT_PX, which
#: covers the browser's fractional layout (a figure 688 px wide within 1 px).
SMALLEST_PX = MIN_TEXT_PX

pytestmark = [pytest.mark.book, pytest.mark.browser]

# Screen pixels a high-density (2x) display has per CSS px: a raster image needs as many.
DENSITY = 2
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# Image data shown as blocks on purpose (matplotlib's interpolation="none"): sharp at any density.
PIXELATED = re.compile(r"image-rendering:\s*pixelated")
# WCAG 2 (SC 1.4.3): large text, 24 CSS px or 18.66 px bold, needs 3:1 instead of 4.5:1.
LARGE_TEXT_PX, LARGE_BOLD_PX, LARGE_CONTRAST = 24.0, 18.66, 3.0
# White text (contrast below this with white) can only be read on a dark fill, where it
# sits (a box, a heatmap cell): the background is not known, so it is not checked.
ON_DARK_FILL = 1.1

pages = pytest.mark.parametrize("page", PAGES or [NO_SITE])


def figures(site: Site, page: str) -> list[dict[str, Any]]:
    """The images in the page's cell outputs, as the 1280 px visit found them."""
    return [image for image in visited(site, page).images if image["output"]]


def name(image: dict[str, Any]) -> str:
    """A figure named so a person can find it: its file (or "explorer frame") and alt text."""
    src = image["src"]
    where = "explorer frame" if src.startswith("data:") else src.rsplit("/", 1)[-1]
    alt = (image["alt"] or "").strip()
    return f"{where} ({alt[:70]}{'...' if len(alt) > 70 else ''})"


def svg_text(site: Site, page: str, image: dict[str, Any]) -> str | None:
    """The SVG source of an image, or None if it is not an SVG."""
    src = image["src"]
    if src.startswith("data:image/svg+xml"):
        header, _, body = src.partition(",")
        return base64.b64decode(body).decode() if header.endswith(";base64") else body
    path = site.path_of(urllib.parse.urljoin(site.page_url(page), src))
    if path is None or not path.endswith(".svg"):
        return None
    if not (HTML / path).is_file():
        pytest.fail(f"{name(image)} on {page}: its file {path} is not in the built site")
    return (HTML / path).read_text(encoding="utf-8")


def png_width(data: bytes) -> int:
    """The width in pixels from a PNG header (matplotlib embeds raster layers as PNG)."""
    assert data.startswith(b"\x89PNG"), "a raster layer inside an SVG is not a PNG"
    return int.from_bytes(data[16:20], "big")


def shown(image: dict[str, Any]) -> float:
    """CSS px the browser gives the image; a figure hidden at load (width 0) fails the test."""
    if not image["shown_width"]:
        pytest.fail(
            f"{name(image)} is not shown at 1280 px (width 0): the tests cannot measure it. "
            "Is it in a closed drop-down? Measure it opened, or leave it out explicitly."
        )
    return image["shown_width"]


@pages
def test_figures_are_sharp_on_high_density_screens(site: Site, page: str) -> None:
    """Every raster image, and every raster layer inside an SVG figure, has at least two
    pixels per CSS px it is shown at (one pixel less allowed: sizes are rounded to whole px)."""
    blurry = []
    for image in figures(site, page):
        width = shown(image)
        svg = svg_text(site, page, image)
        if svg is None:
            if image["natural_width"] < DENSITY * width - 1:
                blurry.append(
                    f"{name(image)}: {image['natural_width']} px shown at {width:.0f} CSS px "
                    f"({image['natural_width'] / width:.2f} per CSS px)"
                )
            continue
        root = ET.fromstring(svg)
        scale = width / float(root.get("viewBox").split()[2])  # CSS px per SVG unit
        for layer in root.iter(f"{SVG_NS}image"):
            if PIXELATED.search(layer.get("style", "")):
                continue
            href = layer.get(XLINK_HREF) or layer.get("href") or ""
            pixels = png_width(base64.b64decode(href.partition(",")[2]))
            css = float(layer.get("width")) * scale
            if pixels < DENSITY * css - 1:
                blurry.append(
                    f"{name(image)}: a raster layer of {pixels} px shown at {css:.0f} CSS px; "
                    "draw it with nblib.plots.svg (RASTER_DPI)"
                )
    assert not blurry, f"{page}: figures blurry on a 2x screen{listing(blurry)}"


@pages
def test_figure_text_contrasts_with_the_white_background(site: Site, page: str) -> None:
    """Coloured text in a figure has WCAG's contrast with white: 4.5:1, 3:1 if large."""
    pale = []
    for image in figures(site, page):
        svg = svg_text(site, page, image)
        if svg is None:
            continue
        svg_width, texts = svg_texts(svg)
        scale = shown(image) / svg_width
        for text in texts:
            px = text.size * scale
            large = px >= LARGE_TEXT_PX or (text.bold and px >= LARGE_BOLD_PX)
            needed = LARGE_CONTRAST if large else TEXT_CONTRAST
            for fill in sorted(text.fills):
                if ON_DARK_FILL <= (contrast := contrast_with_white(fill)) < needed:
                    pale.append(f"{name(image)}: {text.text[:40]!r} in {fill} ({contrast:.2f}:1)")
    assert not pale, (
        f"{page}: figure text too pale on white (use color=nblib.plots.text_colour(c))"
        f"{listing(pale)}"
    )


@pages
def test_figure_text_is_large_enough_at_1280px(site: Site, page: str) -> None:
    """No text of any figure is smaller than MIN_TEXT_PX CSS px as the browser shows it."""
    small = []
    for image in figures(site, page):
        width = shown(image)
        svg = svg_text(site, page, image)
        if svg is not None:
            svg_width, texts = svg_texts(svg)
            scale = width / svg_width
            tiny = sorted((t.size * scale, t.text) for t in texts if t.size * scale < SMALLEST_PX)
            if tiny:
                words = ", ".join(f"{px:.1f} px {text[:40]!r}" for px, text in tiny[:6])
                small.append(f"{name(image)} at {scale:.2f} CSS px per pt: {words}")
            continue
        data = image["data"]
        if "smallestFontPt" not in data or "dpi" not in data:
            small.append(
                f"{name(image)}: a raster image whose text size is unknown; show figures with "
                "nblib.plots.use_style (SVG) or nblib.widgets.explore (records it)"
            )
            continue
        px = (
            float(data["smallestFontPt"]) / 72 * float(data["dpi"]) * width / image["natural_width"]
        )
        if px < SMALLEST_PX:
            small.append(
                f"{name(image)}: smallest text {data['smallestFontPt']} pt, shown at {px:.1f} px"
            )
    assert not small, (
        f"{page}: figure text below {MIN_TEXT_PX:g} px at 1280 px (nblib.plots.use_style "
        "enlarges small text for the 688 px output column: is this figure drawn another way, "
        f"or shown in a narrower box?){listing(small)}"
    )


def test_the_site_has_svg_figures_and_measured_explorer_frames(site: Site) -> None:
    """The checks above have something to measure: SVG figures and explorer frames exist."""
    site.require()
    kinds = {"svg": 0, "frame": 0}
    for page in PAGES:
        for image in figures(site, page):
            if svg_text(site, page, image) is not None:
                kinds["svg"] += 1
            elif "smallestFontPt" in image["data"]:
                kinds["frame"] += 1
    assert all(kinds.values()), f"no figure of some kind on the whole site: {kinds}"
