"""The book's figure style: one look, labelled axes, a colour-blind-safe palette.

Call :func:`use_style` once at the top of a notebook. The palette is Okabe & Ito's
eight colours, distinguishable under the common forms of colour blindness.

In Jupyter, :func:`use_style` also shows every figure as SVG (:func:`svg`), its text
kept as text and its mathtext as outlines: sharp on any screen, the same size on the
website as in the notebook (1 pt = 4/3 CSS px), and its words selectable and searchable.
On the website at 1280 px no figure text is smaller than :data:`MIN_TEXT_PX` CSS px: a
figure wider than the column (about 7.2 inches) is shrunk to fit, so :func:`svg`
enlarges the text that would fall below (:func:`raise_small_text`); a browser test
measures every figure. For text in a palette colour use :func:`text_colour`, which
keeps it readable on white.
"""

from __future__ import annotations

import base64
import io
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NamedTuple

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.collections import Collection, QuadMesh
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.textpath import TextToPath
from PIL import Image

#: Okabe–Ito palette (black moved last so lines start in colour).
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

#: A perceptually uniform, colour-blind-safe map for surfaces and contours.
CMAP = "viridis"

STYLE: dict[str, object] = {
    "figure.figsize": (6.0, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "savefig.bbox": "tight",
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.frameon": False,
    "image.cmap": CMAP,
    "lines.linewidth": 2.0,
    # SVG output keeps text as <text> (the reader's fonts draw it) and its ids do not
    # change from run to run.
    "svg.fonttype": "none",
    "svg.hashsalt": "nblib.plots",
}

#: CSS pixels per inch of a figure shown at its natural size: SVG sizes are in points
#: and a browser draws 1 pt as 4/3 CSS px.
CSS_PX_PER_INCH = 96
#: Pixels per inch of raster layers inside an SVG figure (images, dense layers, see
#: :func:`rasterize_dense_layers`): two device pixels per CSS pixel, as a 2x (retina)
#: screen shows them, so they stay sharp there.
RASTER_DPI = 2 * CSS_PX_PER_INCH
#: The smallest figure text, in CSS px, a reader should see on the website at 1280 px.
#: Apple's interface guidelines put the smallest legible text at 11 pt (an iOS point is
#: a CSS px); matplotlib's default 10 pt tick labels are 13.3 px at natural size.
MIN_TEXT_PX = 11.0
#: CSS px a cell's output gets on the website at 1280 px (sphinx-book-theme 1.3): a wider
#: figure is shrunk to fit, and its text with it. The browser test measures the real width.
OUTPUT_PX = 688
#: WCAG 2's minimum contrast of text with its background (success criterion 1.4.3).
TEXT_CONTRAST = 4.5
#: An axes drawing more points than this (markers, line and contour vertices) has its data
#: layers rasterized in SVG: beyond a few thousand, vector data cost more bytes than pixels.
DENSE_POINTS = 3000


def use_style() -> None:
    """Apply the book's matplotlib style to every figure that follows.

    In IPython (Jupyter, the book build) figures are then shown as SVG (:func:`svg`),
    not as 100 dpi PNGs that blur on high-density screens.
    """
    mpl.rcParams.update(STYLE)
    _show_figures_as_svg()


def _show_figures_as_svg() -> None:
    """Make IPython display a Figure as :func:`svg` only; outside IPython do nothing.

    The inline backend registers its own PNG formatter when it is first imported, so it is
    imported first (that happens only once per kernel) and then replaced.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return
    shell = get_ipython()
    if shell is None:
        return
    try:  # a no-op unless the inline backend is the one chosen
        import matplotlib_inline.backend_inline  # noqa: F401
    except ImportError:  # pragma: no cover - ipykernel depends on it
        pass
    formatters = shell.display_formatter.formatters
    for formatter in formatters.values():
        formatter.pop(Figure, None)
    formatters["image/svg+xml"].for_type(Figure, svg)


def svg(fig: Figure) -> str | None:
    r"""``fig`` as SVG text, cropped to its contents; ``None`` for an empty figure (as IPython).

    Text stays text (``svg.fonttype: none``), so it is sharp at any zoom and its size can
    be read from the file (:func:`svg_texts`); a font the reader lacks falls back to
    another sans-serif. Mathtext is drawn as glyph outlines (:func:`_math_as_paths`).
    Before saving, text too small for the website is enlarged
    (:func:`raise_small_text`) and dense data layers are rasterized at :data:`RASTER_DPI`
    (:func:`rasterize_dense_layers`); raster layers are stored with a palette
    (:func:`palette_png`). The file carries no date, so the same figure gives the same bytes.
    """
    if not fig.axes and not fig.lines:
        return None
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": STYLE["svg.hashsalt"]}):
        raise_small_text(fig)
        rasterize_dense_layers(fig)
        # The box raise_small_text sized the text for, padded as savefig's "tight" would be:
        # "tight" itself renders the whole SVG once more (raster layers too) to find it.
        box = _laid_out(fig).get_tightbbox().padded(mpl.rcParams["savefig.pad_inches"])
        buffer = io.BytesIO()
        with _math_as_paths():
            fig.savefig(
                buffer, format="svg", bbox_inches=box, dpi=RASTER_DPI, metadata={"Date": None}
            )
    return _EMBEDDED_PNG.sub(_with_palette, buffer.getvalue().decode("utf-8"))


_EMBEDDED_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)")


def _with_palette(match: re.Match) -> str:
    png = palette_png(base64.b64decode(match.group(1)))
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def palette_png(png: bytes) -> bytes:
    """A PNG reduced to a palette of at most 256 colours: for plots, visually lossless.

    Plots have few distinct colours (a line plot about a thousand, mostly antialiasing
    shades), so the file gets 2-3x smaller. The output depends only on the pixels (no
    timestamps or version strings), so the same image gives the same bytes.
    """
    image = Image.open(io.BytesIO(png))
    if image.mode == "RGBA" and image.getextrema()[3][0] == 255:  # opaque: drop the alpha
        image = image.convert("RGB")
    # Maximum coverage keeps the colours, and white, within a few levels of 255; it needs
    # RGB. An image with transparency keeps its alpha with the octree method.
    method = Image.Quantize.MAXCOVERAGE if image.mode == "RGB" else Image.Quantize.FASTOCTREE
    palette = image.quantize(colors=256, method=method, dither=Image.Dither.NONE)
    palette = palette.remap_palette(sorted(i for _, i in palette.getcolors()))  # used colours only
    out = io.BytesIO()
    palette.save(out, format="png", optimize=True)
    return out.getvalue()


@contextmanager
def _math_as_paths() -> Iterator[None]:
    """While saving SVG, draw mathtext as glyph outlines and other text as text.

    Mathtext takes glyphs from fonts readers lack or that map them to other characters
    (``\\prime`` is "0" of cmsy10, ``\\mathbb`` and ``\\mathcal`` letters are private-use
    code points of STIX), and places each glyph by the metrics of DejaVu Sans: as text it
    shows wrong glyphs on most machines. Outlines show what matplotlib drew.
    """
    draw_text = RendererSVG.draw_text

    def draw(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        with mpl.rc_context({"svg.fonttype": "path" if ismath else "none"}):
            return draw_text(self, gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    RendererSVG.draw_text = draw
    try:
        yield
    finally:
        RendererSVG.draw_text = draw_text


def raise_small_text(
    fig: Figure, *, px_per_inch: float = CSS_PX_PER_INCH, tight: bool = True
) -> float:
    r"""Enlarge every text of ``fig`` that the website would show below :data:`MIN_TEXT_PX`.

    A figure ``w`` inches wide is shown ``w * px_per_inch`` CSS px wide, or shrunk to
    :data:`OUTPUT_PX` if wider, so text of ``s`` points shows as

    .. math:: s \, \frac{\text{px\_per\_inch}}{72} \, \min\Bigl(1, \frac{\text{OUTPUT\_PX}}{w \cdot \text{px\_per\_inch}}\Bigr) \text{ CSS px};

    texts, tick labels and legends below the size that makes this ``MIN_TEXT_PX`` are set
    to it. ``w`` is the width saved: the tight bounding box plus padding (``tight``, as
    :func:`svg` and the book's ``savefig.bbox`` crop), else the figure's width. Larger text
    can widen a tight box, so this repeats until nothing changes. Returns the floor (pt).

    >>> fig = Figure(figsize=(12, 3))  # 1152 CSS px, shown at 688: scale 0.6
    >>> _ = fig.add_subplot().set_title("small", fontsize=8)
    >>> round(raise_small_text(fig, tight=False), 2), fig.axes[0].title.get_fontsize()
    (13.96, 13.96)
    """
    floor = 0.0
    for _ in range(5):
        if tight:
            width = _laid_out(fig).get_tightbbox().width + 2 * mpl.rcParams["savefig.pad_inches"]
        else:
            width = fig.get_figwidth()
        scale = min(1.0, OUTPUT_PX / (width * px_per_inch))
        # 1 % above, rounded up to 0.01 pt: the SVG writer measures text a little unlike
        # Agg, which measures here, so the saved box can be a few tenths of a percent
        # wider; a browser lays images out in 1/64 px and frames round to whole pixels.
        needed = math.ceil(1.01 * MIN_TEXT_PX * 72 / px_per_inch / scale * 100) / 100
        floor = max(floor, needed)
        if not _raise_text_to(fig, floor):
            break
    return floor


def _laid_out(fig: Figure) -> Figure:
    """``fig`` with its layout as it will be saved. Only a layout engine (constrained, tight)
    moves artists at draw time; without one, the tight box needs no draw, which for a dense
    figure costs as much as rendering it (``get_tightbbox`` updates ticks and titles itself)."""
    if fig.get_layout_engine() is not None:
        fig.draw_without_rendering()
    return fig


def _raise_text_to(fig: Figure, floor: float) -> bool:
    """Set every text (and tick label, drawn or to be drawn) below ``floor`` pt to it."""
    changed = False
    for text in fig.findobj(Text):
        if text.get_fontsize() < floor:
            text.set_fontsize(floor)
            changed = True
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis, getattr(ax, "zaxis", None)):
            if axis is None:
                continue
            for which, ticks in (
                ("major", axis.get_major_ticks()),
                ("minor", axis.get_minor_ticks()),
            ):
                if ticks and ticks[0].label1.get_fontsize() < floor:
                    axis.set_tick_params(which=which, labelsize=floor)
                    changed = True
    return changed


def _points(artist) -> int:
    """How many points an artist draws: markers, or vertices of its lines and areas."""
    if isinstance(artist, Line2D):
        return len(artist.get_xydata())
    if isinstance(artist, QuadMesh):
        return artist.get_coordinates().size // 2
    offsets = artist.get_offsets()
    if len(offsets) > 1:  # scatter: one marker per offset
        return len(offsets)
    return sum(len(path.vertices) for path in artist.get_paths())


def rasterize_dense_layers(fig: Figure) -> list[plt.Axes]:
    """Rasterize the lines and collections of each axes drawing over :data:`DENSE_POINTS` points.

    They are then drawn as an image at the saved resolution (:data:`RASTER_DPI` in
    :func:`svg`) inside the vector figure; text, axes and legends stay vector. Returns the
    axes so treated.
    """
    dense = []
    for ax in fig.axes:
        layers = [
            a for a in ax.get_children() if isinstance(a, (Line2D, Collection)) and a.get_visible()
        ]
        if sum(_points(a) for a in layers) > DENSE_POINTS:
            for layer in layers:
                layer.set_rasterized(True)
            dense.append(ax)
    return dense


def contrast_with_white(colour) -> float:
    """WCAG 2's contrast ratio of ``colour`` with white: from 1 (white) to 21 (black)."""
    rgb = np.asarray(mpl.colors.to_rgb(colour))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = float(linear @ [0.2126, 0.7152, 0.0722])
    return 1.05 / (luminance + 0.05)


def text_colour(colour, contrast: float = TEXT_CONTRAST) -> str:
    """``colour`` darkened, hue kept, just enough that text in it on white has ``contrast``.

    The palette's orange, sky blue, green, purple and vermillion are fine for lines but too
    pale for text (2.3 to 3.9 : 1 against WCAG's 4.5 : 1); label text in the colour of a
    line with ``color=text_colour(PALETTE[1])``.

    >>> text_colour("#E69F00"), text_colour("#0072B2")
    ('#9e6d00', '#0072b2')
    """
    rgb = np.asarray(mpl.colors.to_rgb(colour))
    low, high = 0.0, 1.0  # the factor rgb is scaled by: black ... the colour itself
    if contrast_with_white(rgb) >= contrast:
        return mpl.colors.to_hex(rgb)
    for _ in range(30):
        mid = (low + high) / 2
        low, high = (mid, high) if contrast_with_white(rgb * mid) >= contrast else (low, mid)
    return mpl.colors.to_hex(np.floor(rgb * low * 255) / 255)


class SvgText(NamedTuple):
    """One text of an SVG figure: its size (user units), content, fills and weight."""

    size: float
    text: str
    fills: frozenset[str]
    bold: bool


_SVG = "{http://www.w3.org/2000/svg}"


def _style(node: ET.Element, key: str) -> str | None:
    """A presentation property of an SVG node, from its style attribute or its own attribute."""
    match = re.search(rf"(?:^|;)\s*{key}:\s*([^;]+)", node.get("style", ""))
    return match.group(1).strip() if match else node.get(key)


def svg_texts(svg_text: str) -> tuple[float, list[SvgText]]:
    """The width of an SVG's viewBox and every text in it, as :func:`svg` writes them.

    Sizes are in the SVG's user units (points for matplotlib); shown ``w`` CSS px wide,
    a size ``s`` is ``s * w / width`` CSS px. Text kept as text is a ``<text>`` element
    with its ``font-size``; mathtext drawn as glyph outlines is a ``<g>`` scaled by its size
    over matplotlib's ``TextToPath.FONT_SCALE``, after a comment holding its source. The
    size of a text is the size it was set at: its sub- and superscripts are drawn at 0.7
    of it, as the page's MathJax does. Fills are inherited from enclosing groups as a
    browser does (black if none is set).
    """
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    root = ET.fromstring(svg_text, parser=parser)
    width = float(root.get("viewBox", "0 0 0 0").split()[2])
    found: list[SvgText] = []

    def walk(node: ET.Element, fill: str) -> None:
        fill = _style(node, "fill") or fill
        if node.tag == f"{_SVG}text":
            sizes, fills, bold = [], set(), False
            for part in node.iter():  # mathtext as text: a tspan per glyph, each styled
                if (size := _style(part, "font-size")) and (part.text or "").strip():
                    sizes.append(float(size.removesuffix("px")))
                    fills.add(_style(part, "fill") or fill)
                    bold |= _style(part, "font-weight") in ("bold", "700", "800", "900")
            content = " ".join("".join(node.itertext()).split())
            if sizes and content:
                found.append(SvgText(max(sizes), content, frozenset(fills), bold))
            return
        if node.get("id", "").startswith("text_") and node.find(f".//{_SVG}text") is None:
            comment = next((c for c in node if c.tag is ET.Comment), None)
            for glyphs in node.iter(f"{_SVG}g"):
                scale = re.search(r"scale\(([\d.e-]+)[ ,]+-", glyphs.get("transform", ""))
                if scale and comment is not None:
                    uses = [u.get("{http://www.w3.org/1999/xlink}href", "") for u in glyphs.iter()]
                    found.append(
                        SvgText(
                            float(scale.group(1)) * TextToPath.FONT_SCALE,
                            " ".join((comment.text or "").split()),
                            frozenset({_style(glyphs, "fill") or fill}),
                            any("Bold" in u for u in uses),
                        )
                    )
                    return
        for child in node:
            if child.tag is not ET.Comment:
                walk(child, fill)

    walk(root, "#000000")
    return width, found


def smallest_font(fig: Figure) -> float | None:
    """The size in points of the smallest text ``fig`` draws, ``None`` if it draws none.

    It draws the figure and records what it draws (not what it holds: tick labels outside
    the view and hidden axes do not count). Mathtext counts at the size it was set at.
    """
    renderer = RendererAgg(*fig.canvas.get_width_height(), fig.dpi)
    sizes = []

    def draw_text(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if str(s).strip():
            sizes.append(prop.get_size_in_points())

    for name in dir(RendererBase):  # paint nothing: lines and images cost, and are not text
        if name.startswith("draw_"):
            setattr(renderer, name, lambda *args, **kwargs: None)
    renderer.draw_text = draw_text  # record instead of painting
    renderer.draw_tex = draw_text
    fig.draw(renderer)
    return min(sizes, default=None)


def new_figure(
    ncols: int = 1, nrows: int = 1, *, width: float = 6.0, height: float = 4.0, **kwargs
) -> tuple[plt.Figure, np.ndarray | plt.Axes]:
    """A figure in the book's style with ``nrows × ncols`` axes of ``width × height`` inches each."""
    with mpl.rc_context(STYLE):
        fig, axes = plt.subplots(
            nrows, ncols, figsize=(width * ncols, height * nrows), layout="constrained", **kwargs
        )
    return fig, axes


def label(ax: plt.Axes, xlabel: str, ylabel: str, title: str | None = None) -> plt.Axes:
    """Label both axes (every figure in the book has labelled axes) and optionally title it."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def contour(
    ax: plt.Axes,
    f,
    bounds: Sequence[float],
    *,
    levels: int | Sequence[float] = 30,
    resolution: int = 200,
    log: bool = False,
    **kwargs,
):
    """Contour lines of ``f`` over the box ``bounds = (xmin, xmax, ymin, ymax)``.

    ``f`` maps an array of points of shape ``(..., 2)`` to values of shape ``(...)``.
    With ``log=True`` the levels are spaced logarithmically, which suits valleys such
    as Rosenbrock's.
    """
    xmin, xmax, ymin, ymax = bounds
    xs, ys = np.meshgrid(np.linspace(xmin, xmax, resolution), np.linspace(ymin, ymax, resolution))
    zs = f(np.stack([xs, ys], axis=-1))
    if log:
        zs = np.log10(zs - zs.min() + 1e-3)
    kwargs.setdefault("cmap", CMAP)
    return ax.contour(xs, ys, zs, levels=levels, **kwargs)


def scatter_classes(ax: plt.Axes, X: np.ndarray, y: np.ndarray, **kwargs) -> plt.Axes:
    """Scatter 2-d points coloured by integer class label, one legend entry per class."""
    size = kwargs.pop("s", 12)
    for k in np.unique(y):
        mask = y == k
        ax.scatter(
            X[mask, 0],
            X[mask, 1],
            s=size,
            color=PALETTE[int(k) % len(PALETTE)],
            label=f"class {int(k)}",
            **kwargs,
        )
    return ax
