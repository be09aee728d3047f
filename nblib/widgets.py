"""Interactive figures that stay interactive on the static website.

``explore(plot_fn, lr=(0.01, 1.0, 20), beta=[0.0, 0.5, 0.9])`` returns an object
with two faces, offered in a Jupyter MIME bundle:

- ``application/vnd.jupyter.widget-view+json``: a live ipywidgets interface. Every
  change of a control calls ``plot_fn`` again (each frame is cached), so a reader in
  JupyterLab, Binder or Colab can play with it.
- ``text/html``: the same controls as native ``<input>``/``<select>`` elements and
  every frame of the control grid precomputed as a PNG, swapped by a few lines of
  inline JavaScript. The published website has no kernel, so this is what it shows.
  A frame has two pixels per CSS pixel (sharp on high-density screens), its text is
  enlarged where the website would show it too small (``nblib.plots.raise_small_text``),
  and its ``<img>`` records the smallest text size the frames draw
  (``data-smallest-font-pt``, with ``data-dpi``), so a browser test can check the text
  a reader sees.
- ``image/png``: the frame the controls start at, alone, for renderers that take no
  HTML: the book's PDF (LaTeX) shows the explorer as this frame. Jupyter and the website prefer
  ``text/html``.

Precomputing every frame costs ``plot_fn`` time, so it is done only where it is
needed: when the notebook is executed headless (the book build, nbconvert, papermill,
nbval; they cannot answer ``input()``), or outside a kernel. Then the bundle holds only
the HTML, which needs no kernel. For a person at Jupyter the bundle holds the live
widget and, for frontends without widgets, an HTML snapshot of the current frame
(Jupyter shows the widget; the book's Sphinx config prefers ``text/html`` in any case).
``precompute=`` overrides the choice.

A control is one of::

    (lo, hi, n)          n evenly spaced values, a slider
    (lo, hi, n, "log")   n log-spaced values, a slider
    [v1, v2, ...]        these values: a slider for numbers, a drop-down if any is a string
    True / False         a checkbox, starting checked or not

Ranges with whole-number ends give ints when every grid value is whole (a sample size).
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path

from nblib._validate import check_scalar
from nblib.plots import palette_png, raise_small_text, smallest_font

__all__ = ["Control", "Explorer", "empty_panels", "explore", "png_bytes", "static_html"]

#: Frames allowed in one explorer unless ``max_frames=`` says otherwise.
MAX_FRAMES = 120
#: CSS pixels per inch of a shown frame: a 6 x 4 inch figure shows as about 490 x 330 CSS
#: px. (The SVG figures have 96; fewer keep the many frames of a page lighter.)
DPI = 80
#: Device pixels per CSS pixel of a frame: 2, as on a high-density (retina) screen.
DENSITY = 2
#: The data in every panel of an explorer's first frame must span at least this fraction of the
#: panel's width. Less reads as an empty panel: 3.3's explorer once opened on a run that diverged
#: after 2 of 400 steps, whose loss curve spans 0.5 % of its panel. (The narrowest first-frame
#: panel in the book, 2.2's gradient norms of 5 of 17 layers, spans 24 %.)
MIN_DATA_SPAN = 0.05

CONTROL_FORMS = "(lo, hi, n), (lo, hi, n, 'log'), a list of values, or True/False"


# --- controls ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Control:
    """One control: the grid of values it offers, how each is shown, which one it starts at."""

    name: str
    values: tuple[Any, ...]
    labels: tuple[str, ...]
    kind: Literal["slider", "dropdown", "checkbox"]
    start: int


def _is_real(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _labels(values: Sequence[Any]) -> tuple[str, ...]:
    """Short distinct labels: floats with as few significant digits as keep them apart."""
    for digits in range(3, 18):
        labels = tuple(f"{v:.{digits}g}" if isinstance(v, float) else str(v) for v in values)
        if len(set(labels)) == len(labels):
            return labels
    return tuple(repr(v) for v in values)  # pragma: no cover - distinct floats differ at 17 digits


def _parse_control(name: str, spec: Any) -> Control:
    """Turn one ``name=spec`` keyword of :func:`explore` into a :class:`Control`."""
    where = f"control {name!r}"
    if isinstance(spec, bool):
        return Control(name, (False, True), ("False", "True"), "checkbox", int(spec))

    if isinstance(spec, list):
        if len(spec) < 2:
            raise ValueError(f"{where} needs at least 2 values to choose from, got {spec!r}")
        if not all(_is_real(v) or isinstance(v, str) for v in spec):
            raise ValueError(
                f"{where}: a list of values must hold numbers or strings, got {spec!r}"
            )
        for v in spec:
            if _is_real(v):
                check_scalar(v, f"{where}: value")  # finite
        values = tuple(v.item() if isinstance(v, np.generic) else v for v in spec)
        labels = _labels(values)
        if len(set(labels)) < len(values):
            raise ValueError(f"{where}: the values must be distinct, got {spec!r}")
        if any(isinstance(v, str) for v in values):
            return Control(name, values, labels, "dropdown", 0)
        return Control(name, values, labels, "slider", (len(values) - 1) // 2)

    if not (
        isinstance(spec, tuple)
        and len(spec) in (3, 4)
        and _is_real(spec[0])
        and _is_real(spec[1])
        and isinstance(spec[2], (int, np.integer))
        and not isinstance(spec[2], bool)
    ):
        raise ValueError(f"{where} must be {CONTROL_FORMS}; got {spec!r}")
    lo = check_scalar(spec[0], f"{where}: lo")
    hi = check_scalar(spec[1], f"{where}: hi")
    n = check_scalar(spec[2], f"{where}: n (the number of values)", low=2, integer=True)
    if lo >= hi:
        raise ValueError(f"{where}: lo must be < hi, got lo={lo!r} and hi={hi!r}")
    if len(spec) == 4:
        if spec[3] != "log":
            raise ValueError(f"{where}: the 4th item must be 'log', got {spec[3]!r}")
        check_scalar(lo, f"{where}: lo of a log range", low=0, low_inclusive=False)
        grid = np.geomspace(lo, hi, n)
    else:
        grid = np.linspace(lo, hi, n)
    whole_ends = all(isinstance(v, (int, np.integer)) for v in spec[:2])
    if whole_ends and np.allclose(grid, np.round(grid), rtol=1e-12, atol=0):
        values = tuple(int(v) for v in np.round(grid))
    else:
        values = tuple(float(v) for v in grid)
    return Control(name, values, _labels(values), "slider", (n - 1) // 2)


# --- frames --------------------------------------------------------------------------------


def png_bytes(fig: Figure, *, dpi: float = DPI) -> bytes:
    """A small PNG of ``fig``: Agg's rendering reduced to a palette of at most 256 colours.

    Plots have few distinct colours (a line plot about a thousand, mostly antialiasing
    shades), so the palette is visually lossless and the file 2-3x smaller than the
    full-colour PNG. The output depends only on the pixels (no timestamps or version
    strings), so the same figure gives the same bytes.
    """
    buffer = io.BytesIO()
    # uncompressed: palette_png decodes it at once, and compressing full colour costs more
    # than rendering the figure
    fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 0})
    return palette_png(buffer.getvalue())


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG header (IHDR)."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _with_dpi(png: bytes, dpi: float) -> bytes:
    """``png`` with its resolution recorded (a pHYs chunk after the header), so that print
    (the book's PDF) shows it at the size of the figure drawn, as the SVG figures are."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError(f"expected PNG bytes starting with its IHDR header, got {png[:16]!r}")
    data = round(dpi / 0.0254).to_bytes(4, "big") * 2 + b"\x01"  # pixels per metre, x and y
    chunk = b"pHYs" + data
    return (
        png[:33]
        + len(data).to_bytes(4, "big")
        + chunk
        + zlib.crc32(chunk).to_bytes(4, "big")
        + png[33:]
    )


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# --- the explorer --------------------------------------------------------------------------


class Explorer:
    """A figure over a grid of control values; see :func:`explore`.

    A grid point is an ``index``: one position per control, in keyword order.
    """

    def __init__(
        self,
        plot_fn: Callable[..., Figure],
        controls: dict[str, Any],
        *,
        title: str | None = None,
        alt: str | None = None,
        max_frames: int = MAX_FRAMES,
        dpi: float = DPI,
        precompute: bool | None = None,
    ) -> None:
        if not callable(plot_fn):
            raise TypeError(f"plot_fn must be callable, got {type(plot_fn).__name__}")
        if not controls:
            raise ValueError("explore needs at least one control, e.g. lr=(0.01, 1.0, 20)")
        max_frames = check_scalar(max_frames, "max_frames", low=1, integer=True)
        self.plot_fn = plot_fn
        self.controls = tuple(_parse_control(name, spec) for name, spec in controls.items())
        self.shape = tuple(len(c.values) for c in self.controls)
        if math.prod(self.shape) > max_frames:
            sizes = " x ".join(f"{c.name} ({len(c.values)})" for c in self.controls)
            raise ValueError(
                f"the grid {sizes} has {math.prod(self.shape)} points, more than "
                f"max_frames={max_frames}; give the controls fewer values or raise max_frames"
            )
        self.title = title
        self.alt = (
            alt or title or _first_line(plot_fn.__doc__) or f"Figure drawn by {_name(plot_fn)}"
        )
        self.dpi = check_scalar(dpi, "dpi", low=0, low_inclusive=False)
        self.precompute = precompute
        self.start = tuple(c.start for c in self.controls)
        self._cache: dict[tuple[int, ...], bytes] = {}
        self._fonts: dict[tuple[int, ...], float | None] = {}  # smallest text of each frame
        # The live interface, built by `widget` on first use.
        self.inputs: dict[str, widgets.ValueWidget] = {}
        self.image: widgets.HTML | None = None
        self.log: widgets.Output | None = None

    def __repr__(self) -> str:
        controls = ", ".join(f"{c.name}: {len(c.values)} values" for c in self.controls)
        return f"<Explorer of {_name(self.plot_fn)} ({controls}; {self.size} frames)>"

    @property
    def size(self) -> int:
        """The number of grid points, i.e. of frames."""
        return math.prod(self.shape)

    def values(self, index: Sequence[int]) -> dict[str, Any]:
        """The keyword arguments ``plot_fn`` gets at grid point ``index``."""
        return {c.name: c.values[i] for c, i in zip(self.controls, index, strict=True)}

    def describe(self, index: Sequence[int]) -> str:
        """Alt text of the frame at ``index``: the figure's description and the control values."""
        settings = ", ".join(
            f"{c.name} = {c.labels[i]}" for c, i in zip(self.controls, index, strict=True)
        )
        return f"{self.alt} ({settings})"

    def frame(self, index: Sequence[int]) -> bytes:
        """The PNG at grid point ``index``, drawn by ``plot_fn`` the first time it is asked for.

        The first frame (the one every reader sees) must not have an empty panel; see
        :func:`empty_panels`. It is drawn at ``dpi * DENSITY`` pixels per inch.
        """
        index = tuple(int(i) for i in index)
        if index not in self._cache:
            self._cache[index], self._fonts[index] = self._draw(
                self.values(index), first=index == self.start
            )
        return self._cache[index]

    def smallest_font(self, indices: Sequence[Sequence[int]] | None = None) -> float | None:
        """The size in points of the smallest text in the frames at ``indices`` (default all)."""
        if indices is None:
            indices = list(np.ndindex(*self.shape))
        sizes = []
        for index in indices:
            self.frame(index)
            if (size := self._fonts[tuple(int(i) for i in index)]) is not None:
                sizes.append(size)
        return min(sizes, default=None)

    def frames(self) -> list[bytes]:
        """Every frame, in row-major grid order (the last control varies fastest)."""
        return [self.frame(index) for index in np.ndindex(*self.shape)]

    def _draw(self, values: dict[str, Any], *, first: bool = False) -> tuple[bytes, float | None]:
        """Call ``plot_fn``, render its figure and measure its smallest text (points); close
        every figure it opened, even on error."""
        before = set(plt.get_fignums())
        fig = None
        try:
            fig = self.plot_fn(**values)
            if not isinstance(fig, Figure):
                raise TypeError(
                    f"plot_fn must return a matplotlib Figure, got {type(fig).__name__} "
                    f"(end plot_fn with `return fig`)"
                )
            tight = plt.rcParams["savefig.bbox"] == "tight"  # as png_bytes will save it
            raise_small_text(fig, px_per_inch=self.dpi, tight=tight)
            png = png_bytes(fig, dpi=self.dpi * DENSITY)
            if first and (empty := empty_panels(fig)):
                settings = ", ".join(f"{name} = {value!r}" for name, value in values.items())
                raise ValueError(
                    f"the first frame of the explorer of {_name(self.plot_fn)} ({settings}) has "
                    f"panels with (almost) no data: {empty}. Readers see this frame first: start "
                    "the controls where it shows something (a drop-down starts at its first "
                    "value, a slider at the middle one)"
                )
            return png, smallest_font(fig)
        finally:
            for number in set(plt.get_fignums()) - before:
                plt.close(number)
            if isinstance(fig, Figure):
                plt.close(fig)

    # --- the static face: HTML with precomputed frames ------------------------------------

    def _img(self, index: tuple[int, ...], *, every_frame: bool = False) -> str:
        """The ``<img>`` of the frame at ``index``, shown at ``1 / DENSITY`` of its pixels.

        ``data-smallest-font-pt`` is the smallest text of this frame, or of every frame
        when the HTML holds them all (``every_frame``)."""
        png = self.frame(index)
        width, height = (round(n / DENSITY) for n in _png_size(png))
        font = self.smallest_font(None if every_frame else [index])
        font_attr = "" if font is None else f' data-smallest-font-pt="{font:g}"'
        return (
            f'<img class="nblib-explorer-frame" src="{_data_url(png)}" '
            f'alt="{html.escape(self.describe(index))}" width="{width}" height="{height}" '
            f'data-dpi="{self.dpi * DENSITY:g}"{font_attr} '
            f'decoding="async" style="max-width:100%;height:auto">'
        )

    def _input(self, control: Control) -> str:
        name = html.escape(control.name)
        attrs = f'name="{name}" data-control="{name}"'
        if control.kind == "checkbox":
            checked = " checked" if control.start else ""
            return f'<label><input type="checkbox" {attrs}{checked}> {name}</label>'
        if control.kind == "dropdown":
            options = "".join(
                f'<option value="{i}"{" selected" if i == control.start else ""}>'
                f"{html.escape(label)}</option>"
                for i, label in enumerate(control.labels)
            )
            return f"<label>{name} <select {attrs}>{options}</select></label>"
        shown = html.escape(control.labels[control.start])
        return (
            f'<label>{name} <input type="range" {attrs} min="0" max="{len(control.values) - 1}" '
            f'step="1" value="{control.start}" aria-valuetext="{shown}"> '
            f'<output aria-hidden="true">{shown}</output></label>'
        )

    def to_html(self, *, full: bool = True) -> str:
        """The kernel-free HTML: every frame and working controls, or (``full=False``) a snapshot.

        The output is a function of the frames, labels and texts only, so executing a
        notebook twice gives the same HTML.
        """
        title = (
            f'<p class="nblib-explorer-title"><strong>{html.escape(self.title)}</strong></p>'
            if self.title
            else ""
        )
        if not full:
            note = "A snapshot; run this notebook in Jupyter to explore."
            return (
                f'<div class="nblib-explorer nblib-explorer-snapshot">{title}{self._img(self.start)}'
                f"<p><small>{html.escape(note)}</small></p></div>"
            )
        data = {
            "frames": [base64.b64encode(png).decode("ascii") for png in self.frames()],
            "labels": [c.labels for c in self.controls],
            "alt": self.alt,
        }
        # "<" never appears raw inside the <script> element, so no label can close it early.
        payload = json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")
        inputs = "".join(self._input(c) for c in self.controls)
        # The id is a digest of the content: unique per explorer, the same on every run.
        digest = hashlib.sha256(f"{title}{inputs}{payload}".encode()).hexdigest()
        uid = f"nblib-explorer-{digest[:12]}"
        return (
            f'<div class="nblib-explorer" id="{uid}">{title}'
            f'<div class="nblib-explorer-controls" style="display:flex;flex-wrap:wrap;gap:0.4em 1.5em">'
            f"{inputs}</div>{self._img(self.start, every_frame=True)}"
            f'<script type="application/json" class="nblib-explorer-data">{payload}</script>'
            f"<script>{_SCRIPT.replace('__ID__', uid)}</script></div>"
        )

    # --- the live face: ipywidgets ---------------------------------------------------------

    @cached_property
    def widget(self) -> widgets.VBox:
        """The live interface (built on first use): the controls above the figure."""
        for c in self.controls:
            self.inputs[c.name] = _input_widget(c)
            self.inputs[c.name].observe(self._on_change, names="value")
        self.image = widgets.HTML(self._img(self.start))
        self.log = widgets.Output()  # shows the traceback if plot_fn fails
        header = [widgets.HTML(f"<strong>{html.escape(self.title)}</strong>")] if self.title else []
        row = widgets.HBox(list(self.inputs.values()), layout=widgets.Layout(flex_flow="row wrap"))
        return widgets.VBox([*header, row, self.image, self.log])

    def _on_change(self, _change: dict) -> None:
        index = tuple(
            int(w.value) if isinstance(w, widgets.Checkbox) else w.index
            for w in self.inputs.values()
        )
        self.log.outputs = ()  # clear an earlier error
        with self.log:
            self.image.value = self._img(index)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        """The HTML with every frame, or a snapshot plus the live widget (see the module docstring).

        A fully precomputed explorer needs no kernel, so it carries no widget view (whose
        state would otherwise be saved, unused, in every executed notebook and web page).
        """
        full = self.precompute if self.precompute is not None else not _person_at_frontend()
        bundle = {"text/html": self.to_html(full=full)}
        if not full:
            bundle.update(self.widget._repr_mimebundle_())
        png = _with_dpi(self.frame(self.start), self.dpi * DENSITY)
        bundle["image/png"] = base64.b64encode(png).decode("ascii")
        bundle["text/plain"] = repr(self)
        return bundle


def _input_widget(control: Control) -> widgets.ValueWidget:
    """The ipywidgets input for one control, starting at the same value as the HTML one."""
    if control.kind == "checkbox":
        return widgets.Checkbox(value=bool(control.start), description=control.name, indent=False)
    common = {
        "options": list(zip(control.labels, control.values, strict=True)),
        "index": control.start,
        "description": control.name,
        "style": {"description_width": "initial"},  # the whole name, however long
    }
    if control.kind == "dropdown":
        return widgets.Dropdown(**common)
    return widgets.SelectionSlider(**common, continuous_update=False)


def _data_points(ax: Any) -> np.ndarray:
    """Where ``ax`` draws data, in axes coordinates (the panel is the unit square).

    Data are what plotting calls place in data coordinates: lines and markers, scatter and
    contour collections, bars, images. Reference lines and spans (axhline, axvspan), text,
    spines and the background are not data.
    """
    chunks = []
    for artist in ax.get_children():
        if not artist.get_visible():
            continue
        transform = artist.get_transform()
        if isinstance(artist, Collection) and artist.get_offset_transform().contains_branch(
            ax.transData
        ):
            xy, transform = np.asarray(artist.get_offsets()), artist.get_offset_transform()
        elif isinstance(artist, Line2D):
            xy = np.asarray(artist.get_xydata())
        elif isinstance(artist, Collection):
            paths = artist.get_paths()
            xy = np.concatenate([_vertices(p) for p in paths]) if paths else np.empty((0, 2))
        elif isinstance(artist, Patch):
            xy = _vertices(artist.get_path())
        elif isinstance(artist, AxesImage):
            x0, x1, y0, y1 = artist.get_extent()
            xy = np.array([[x0, y0], [x1, y1]])
        else:
            continue
        if transform.contains_branch(ax.transData) and len(xy):
            chunks.append(ax.transAxes.inverted().transform(transform.transform(xy)))
    points = np.concatenate(chunks) if chunks else np.empty((0, 2))
    inside = np.all(np.isfinite(points) & (points >= -1e-9) & (points <= 1 + 1e-9), axis=1)
    return points[inside]


def _vertices(path: Path) -> np.ndarray:
    """The drawn vertices of a path (a CLOSEPOLY code's vertex is ignored by the renderer)."""
    if path.codes is None:
        return path.vertices
    return path.vertices[path.codes != Path.CLOSEPOLY]


def empty_panels(fig: Figure) -> list[str]:
    """The panels of ``fig`` whose data span less than ``MIN_DATA_SPAN`` of their width.

    Each is named by its title, else by its position (``"panel 2"``). Panels with the axes
    turned off (diagrams, text) and non-rectilinear ones (3-D, polar) are not checked.

    >>> fig = Figure()
    >>> loss = fig.add_subplot(121, title="loss", xlim=(0, 400))
    >>> _ = loss.plot([0, 1, 2], [12.5, 625, 794])  # a run that blew up at step 3 of 400
    >>> _ = fig.add_subplot(122).plot([0, 1], [0, 1])
    >>> empty_panels(fig)
    ['loss']
    """
    fig.draw_without_rendering()  # the final limits and layout
    empty = []
    for k, ax in enumerate(fig.axes, start=1):
        if not (ax.get_visible() and ax.axison and ax.name == "rectilinear"):
            continue
        x = _data_points(ax)[:, 0]
        if len(x) == 0 or x.max() - x.min() < MIN_DATA_SPAN:
            empty.append(ax.get_title() or f"panel {k}")
    return empty


def _name(fn: Callable) -> str:
    return getattr(fn, "__name__", type(fn).__name__)  # a partial or callable object has none


def _first_line(doc: str | None) -> str:
    return doc.strip().splitlines()[0].strip() if doc and doc.strip() else ""


def _person_at_frontend() -> bool:
    """Whether the running cell was sent by a frontend that can answer ``input()``.

    JupyterLab and Notebook 7 send ``allow_stdin=True`` with each cell, as does any
    frontend where ``input()`` works; headless executors (nbclient: the book build,
    nbconvert, papermill; nbval) send False. Outside a kernel there is nobody either.
    """
    try:
        from IPython import get_ipython

        request = get_ipython().kernel.get_parent("shell")
        return bool(request["content"].get("allow_stdin", False))
    except (ImportError, AttributeError, KeyError, TypeError):
        return False


# The script of the static HTML. It runs once, finds its own container (the script's
# parent; by id where currentScript is unavailable) and defines no globals. The frame
# of a grid point is at the row-major position of the controls' indices.
_SCRIPT = """(function () {
  "use strict";
  var root = document.currentScript ? document.currentScript.parentNode
                                    : document.getElementById("__ID__");
  var data = JSON.parse(root.querySelector(".nblib-explorer-data").textContent);
  var inputs = root.querySelectorAll("[data-control]");
  var img = root.querySelector(".nblib-explorer-frame");
  function show() {
    var frame = 0, settings = [];
    inputs.forEach(function (el, k) {
      var i = el.type === "checkbox" ? (el.checked ? 1 : 0) : Number(el.value);
      var label = data.labels[k][i];
      frame = frame * data.labels[k].length + i;
      settings.push(el.dataset.control + " = " + label);
      if (el.type === "range") {
        el.setAttribute("aria-valuetext", label);
        el.parentNode.querySelector("output").textContent = label;
      }
    });
    img.src = "data:image/png;base64," + data.frames[frame];
    img.alt = data.alt + " (" + settings.join(", ") + ")";
  }
  root.addEventListener("input", show);
  root.addEventListener("change", show);
})();"""


# --- the public calls ----------------------------------------------------------------------


def explore(
    plot_fn: Callable[..., Figure],
    *,
    title: str | None = None,
    alt: str | None = None,
    max_frames: int = MAX_FRAMES,
    dpi: float = DPI,
    precompute: bool | None = None,
    **controls: Any,
) -> Explorer:
    """An interactive figure: ``plot_fn(**values)`` over a grid of control values.

    ``plot_fn`` creates and returns a matplotlib Figure; the explorer renders and closes
    it. ``alt`` describes the figure for screen readers (default: ``title``, else the
    first line of ``plot_fn``'s docstring); the control values are appended to it.
    The grid (the product of the controls' sizes) may have at most ``max_frames`` points.
    ``precompute`` embeds every frame in the HTML (True), only the current one (False),
    or decides by who runs the notebook (None; see the module docstring).
    Display the result (last line of a cell) to show it.

    >>> explore(plot_fn, lr=(0.01, 1.0, 20), beta=[0.0, 0.5, 0.9])  # doctest: +SKIP
    """
    return Explorer(
        plot_fn,
        controls,
        title=title,
        alt=alt,
        max_frames=max_frames,
        dpi=dpi,
        precompute=precompute,
    )


def static_html(
    plot_fn: Callable[..., Figure],
    *,
    title: str | None = None,
    alt: str | None = None,
    max_frames: int = MAX_FRAMES,
    dpi: float = DPI,
    **controls: Any,
) -> str:
    """The kernel-free HTML of ``explore(plot_fn, ...)``, with every frame precomputed."""
    return explore(
        plot_fn, title=title, alt=alt, max_frames=max_frames, dpi=dpi, **controls
    ).to_html()
