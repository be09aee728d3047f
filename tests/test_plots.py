"""nblib.plots: figures reach Jupyter and the website as SVG with text kept as text, raster
layers at two pixels per CSS pixel, text large enough for the website and measurable."""

import base64
import colorsys
import io
import re
import xml.etree.ElementTree as ET

import IPython
import matplotlib as mpl
import numpy as np
import pytest
from IPython.core.formatters import DisplayFormatter
from matplotlib.figure import Figure
from PIL import Image

from nblib import plots

SVG_NS = "{http://www.w3.org/2000/svg}"


def labelled_figure(width: float = 4.0, note: float = 9.0) -> Figure:
    """A line plot with texts of known sizes: ticks 10 pt, title 12, a note, math 12."""
    with mpl.rc_context(plots.STYLE):
        fig = Figure(figsize=(width, 3))
        ax = fig.add_subplot()
        ax.plot([0, 1, 2], [0, 1, 4])
        ax.set_title("title")  # axes.titlesize 12
        ax.text(0.5, 2, "a note", fontsize=note)
        ax.text(1.5, 1, r"$\delta_2 = p - e_y$", fontsize=12)  # its subscript is drawn at 0.7 x 12
    return fig


def shown_px(svg_text: str) -> list[float]:
    """The size in CSS px of each text of an SVG as the website shows it at 1280 px: at
    4/3 px per pt, or shrunk to the output width if wider."""
    width, texts = plots.svg_texts(svg_text)
    scale = min(plots.CSS_PX_PER_INCH / 72, plots.OUTPUT_PX / width)
    return [t.size * scale for t in texts]


# --- measuring text ------------------------------------------------------------------------


def test_smallest_font_counts_what_is_drawn_only():
    fig = labelled_figure(note=7.5)
    assert plots.smallest_font(fig) == 7.5
    ax = fig.axes[0]
    ax.texts[0].set_visible(False)  # hidden text is not seen
    assert plots.smallest_font(fig) == 10  # the tick labels
    ax.text(0, 0, "   ", fontsize=3)  # nor is blank text
    hidden = fig.add_axes((0.1, 0.1, 0.2, 0.2))
    hidden.tick_params(labelsize=4)
    hidden.axis("off")  # nor the tick labels of an axes turned off
    assert plots.smallest_font(fig) == 10
    ax.set_xticks([0, 1, 2], ["a", "b", "c"], fontsize=8)
    ax.set_xlim(-0.5, 0.5)  # only the label "a" stays in view, and it is drawn
    assert plots.smallest_font(fig) == 8
    assert plots.smallest_font(Figure()) is None


def test_svg_keeps_text_as_text_at_the_sizes_set_and_draws_math_as_outlines():
    fig = labelled_figure()  # 4 inches: shown at natural size, nothing needs enlarging
    text = plots.svg(fig)
    width, texts = plots.svg_texts(text)
    assert width == pytest.approx(float(re.search(r'width="([\d.]+)pt"', text).group(1)))
    sizes = {t.text: t.size for t in texts}
    assert sizes["a note"] == 9 and sizes["title"] == 12 and sizes["0.0"] == 10
    assert re.search(r"<text[^>]*>a note</text>", text)  # plain text is text
    # Math is outlines, found by its source and measured at its base size, not 0.7 of it.
    assert sizes[r"$\delta_2 = p - e_y$"] == pytest.approx(12)
    assert "<tspan" not in text and "δ" not in text
    assert min(sizes.values()) == plots.smallest_font(fig)  # the two measures agree


def test_math_glyphs_readers_lack_are_drawn_not_named():
    """As text, \\prime would show as "0" (cmsy10's code for it) and \\mathbb letters as
    private-use characters; drawn as outlines they look as matplotlib drew them."""
    fig = Figure(figsize=(3, 1))
    ax = fig.add_subplot()
    ax.set_title(r"$\mathbb{E}\,\sigma'(z) \in \mathcal{H}$", color=plots.PALETTE[0])
    text = plots.svg(fig)
    assert "cmsy10" not in text and "STIX" not in re.sub(r'id="[^"]*"|href="[^"]*"', "", text)
    assert not re.search("[\ue000-\uf8ff]", text)  # no private-use code points
    [title] = [t for t in plots.svg_texts(text)[1] if "mathbb" in t.text]
    assert title.size == 12 and title.fills == {plots.PALETTE[0].lower()}


def test_svg_is_deterministic_and_empty_figures_give_nothing():
    assert plots.svg(labelled_figure()) == plots.svg(labelled_figure())  # no date, fixed ids
    assert "<dc:date>" not in plots.svg(labelled_figure())
    assert plots.svg(Figure()) is None


# --- text large enough for the website -----------------------------------------------------


@pytest.mark.parametrize("width", [4.0, 9.2, 14.0])  # shown 1:1, shrunk to 0.77, to 0.5
def test_svg_text_is_at_least_min_text_px_as_the_website_shows_it(width):
    fig = labelled_figure(width, note=6)
    fig.axes[0].legend(["a line"], fontsize=7)
    fig.axes[0].tick_params(labelsize=7)
    px = shown_px(plots.svg(fig))
    assert min(px) >= plots.MIN_TEXT_PX
    assert min(px) < plots.MIN_TEXT_PX * 1.02  # only raised to the floor (+1 %), not beyond


def _crowded_figure(layout=None) -> Figure:
    """Everything that sits outside the axes: legend, colorbar, annotation, suptitle, a
    figure text, an offset text; small text, so raise_small_text moves things."""
    with mpl.rc_context(plots.STYLE):
        fig = Figure(figsize=(12, 5), layout=layout)
        axes = fig.subplots(1, 3)
        for k in range(3):
            axes[0].plot(np.arange(50) * 1e6, np.arange(50) ** k, label=f"run {k}")
        axes[0].legend(loc="upper left", bbox_to_anchor=(1, 1), fontsize=6)
        fig.colorbar(axes[1].imshow(np.eye(5)), ax=axes[1])
        axes[2].annotate("a note", (0.2, 0.2), xytext=(0.6, 0.9), arrowprops={}, fontsize=7)
        fig.suptitle("a suptitle")
        fig.text(0.5, -0.05, "a figure text", fontsize=7)
    return fig


@pytest.mark.parametrize("layout", [None, "constrained", "tight"])
def test_svg_is_cropped_to_the_box_savefig_tight_finds(layout):
    """svg() saves the box raise_small_text measured (without a second rendering): it must
    be the box savefig's "tight" finds, to the rounding of the SVG's size (0.01 pt)."""
    fig = _crowded_figure(layout)
    width, _ = plots.svg_texts(plots.svg(fig))
    buffer = io.BytesIO()
    with mpl.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    tight_width, _ = plots.svg_texts(buffer.getvalue().decode())
    # Agg and the SVG writer measure text a little differently (the 1 % text margin)
    assert width == pytest.approx(tight_width, rel=0.005)


def test_raise_small_text_leaves_large_enough_text_alone():
    fig = labelled_figure(note=9)  # 9 pt is 12 px at natural size
    floor = plots.raise_small_text(fig)  # MIN_TEXT_PX at 4/3 px per pt, with a 1 % margin
    assert floor == pytest.approx(1.01 * plots.MIN_TEXT_PX * 0.75, abs=0.01)
    assert fig.axes[0].texts[0].get_fontsize() == 9
    assert fig.axes[0].title.get_fontsize() == 12


def test_explorer_frames_are_floored_at_their_own_scale():
    """A frame shown at 80 CSS px per inch needs 9.9 pt for 11 px: px_per_inch counts."""
    fig = labelled_figure(note=9)
    floor = plots.raise_small_text(fig, px_per_inch=80, tight=False)
    assert floor == pytest.approx(1.01 * plots.MIN_TEXT_PX * 72 / 80, abs=0.01)
    assert fig.axes[0].texts[0].get_fontsize() == floor


# --- raster layers -------------------------------------------------------------------------


def test_raster_layers_in_an_svg_have_two_pixels_per_css_pixel_and_a_palette():
    fig = Figure(figsize=(3, 3))
    ax = fig.add_subplot()
    ax.imshow(np.random.default_rng(0).normal(size=(40, 40)))  # resampled: drawn at RASTER_DPI
    ax.scatter(*np.random.default_rng(1).normal(size=(2, 500)), rasterized=True)
    root = ET.fromstring(plots.svg(fig))
    images = list(root.iter(f"{SVG_NS}image"))
    assert len(images) == 2
    for image in images:
        href = image.get("{http://www.w3.org/1999/xlink}href") or image.get("href")
        png = base64.b64decode(href.split(",", 1)[1])
        pixels = int.from_bytes(png[16:20], "big")
        css_px = float(image.get("width")) * plots.CSS_PX_PER_INCH / 72  # shown at natural size
        assert pixels / css_px == pytest.approx(2, abs=0.02), (pixels, css_px)
        assert Image.open(io.BytesIO(png)).mode == "P"


def test_palette_png_is_visually_lossless_also_with_transparency():
    """Quantized as raster layers are: a translucent scatter on a transparent background."""
    fig = Figure(figsize=(2, 2))
    fig.patch.set_alpha(0)
    ax = fig.add_subplot()
    ax.patch.set_alpha(0)
    ax.scatter(*np.random.default_rng(3).normal(size=(2, 400)), s=20, alpha=0.3)
    full = io.BytesIO()
    fig.savefig(full, format="png", dpi=96)
    small = plots.palette_png(full.getvalue())
    assert len(small) < 0.6 * len(full.getvalue())
    a = np.asarray(Image.open(io.BytesIO(small)).convert("RGBA"), dtype=float)
    b = np.asarray(Image.open(io.BytesIO(full.getvalue())).convert("RGBA"), dtype=float)
    assert a.shape == b.shape and np.abs(a - b).mean() < 2.0  # of 255 levels


def test_dense_layers_are_rasterized_and_sparse_ones_stay_vector():
    def scatter(n):
        fig = Figure(figsize=(4, 3))
        ax = fig.add_subplot()
        ax.scatter(*np.random.default_rng(2).normal(size=(2, n)), s=4)
        ax.plot([-2, 2], [0, 0])
        return fig

    sparse, dense = scatter(300), scatter(20_000)
    assert plots.rasterize_dense_layers(sparse) == []
    assert plots.rasterize_dense_layers(dense) == dense.axes
    sparse_svg, dense_svg = plots.svg(scatter(300)), plots.svg(scatter(20_000))
    assert "<image" not in sparse_svg and "<image" in dense_svg
    with mpl.rc_context({"svg.fonttype": "none"}):  # the same figure all vector, for scale
        vector = io.BytesIO()
        scatter(20_000).savefig(vector, format="svg")
    assert len(dense_svg) < len(vector.getvalue()) / 5
    assert re.search(r"<text[^>]*>0</text>", dense_svg)  # tick labels stay text


# --- colours for text ----------------------------------------------------------------------


def test_contrast_with_white_follows_wcag():
    assert plots.contrast_with_white("black") == pytest.approx(21)
    assert plots.contrast_with_white("white") == pytest.approx(1)
    assert plots.contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)  # WCAG's grey


@pytest.mark.parametrize("colour", plots.PALETTE)
def test_text_colour_darkens_pale_colours_just_enough_and_keeps_their_hue(colour):
    dark = plots.text_colour(colour)
    contrast = plots.contrast_with_white(dark)
    if plots.contrast_with_white(colour) >= plots.TEXT_CONTRAST:
        assert dark == colour.lower()
        return
    assert plots.TEXT_CONTRAST <= contrast < plots.TEXT_CONTRAST + 0.1
    hue = colorsys.rgb_to_hsv(*mpl.colors.to_rgb(colour))[0]
    assert colorsys.rgb_to_hsv(*mpl.colors.to_rgb(dark))[0] == pytest.approx(hue, abs=0.01)


# --- Jupyter shows figures as SVG ----------------------------------------------------------


class FakeShell:
    """Just what use_style touches of an IPython shell: its display formatters."""

    def __init__(self):
        self.display_formatter = DisplayFormatter()


def test_use_style_makes_ipython_show_figures_as_svg_only(monkeypatch):
    shell = FakeShell()
    png = shell.display_formatter.formatters["image/png"]
    png.for_type(Figure, lambda fig: "a PNG")  # as the inline backend registers it
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    with mpl.rc_context():
        plots.use_style()
        assert mpl.rcParams["svg.fonttype"] == "none"
        fig = labelled_figure()
        data, _ = shell.display_formatter.format(fig)
    assert set(data) == {"text/plain", "image/svg+xml"}
    assert data["image/svg+xml"] == plots.svg(fig)


def test_use_style_outside_ipython_only_sets_the_style(monkeypatch):
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    with mpl.rc_context():
        plots.use_style()
        assert mpl.rcParams["axes.titlesize"] == 12
