"""Interactive figures that stay interactive on the static website.

``explore(plot_fn, lr=(0.01, 1.0, 20), beta=[0.0, 0.5, 0.9])`` returns an object
with two faces, offered in a Jupyter MIME bundle:

- ``application/vnd.jupyter.widget-view+json``: a live ipywidgets interface. Every
  change of a control calls ``plot_fn`` again (each frame is cached), so a reader in
  JupyterLab, Binder or Colab can play with it.
- ``text/html``: the same controls as native ``<input>``/``<select>`` elements and
  every frame of the control grid precomputed as a PNG, swapped by a few lines of
  inline JavaScript. The published website has no kernel, so this is what it shows.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from nblib._validate import check_scalar

__all__ = ["Control", "Explorer", "explore", "png_bytes", "static_html"]

#: Frames allowed in one explorer unless ``max_frames=`` says otherwise.
MAX_FRAMES = 120
#: Resolution of the frames; a 6 x 4 inch figure becomes about 490 x 330 pixels.
DPI = 80

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
    fig.savefig(buffer, format="png", dpi=dpi)
    image = Image.open(buffer)
    if image.mode == "RGBA" and image.getextrema()[3][0] == 255:  # opaque: drop the alpha
        image = image.convert("RGB")
    # Maximum coverage keeps the colours, and white, within a few levels of 255; it needs
    # RGB. A figure with a transparent background keeps its alpha with the octree method.
    method = Image.Quantize.MAXCOVERAGE if image.mode == "RGB" else Image.Quantize.FASTOCTREE
    palette = image.quantize(colors=256, method=method, dither=Image.Dither.NONE)
    palette = palette.remap_palette(sorted(i for _, i in palette.getcolors()))  # used colours only
    out = io.BytesIO()
    palette.save(out, format="png", optimize=True)
    return out.getvalue()


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG header (IHDR)."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


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
        """The PNG at grid point ``index``, drawn by ``plot_fn`` the first time it is asked for."""
        index = tuple(int(i) for i in index)
        if index not in self._cache:
            self._cache[index] = self._draw(self.values(index))
        return self._cache[index]

    def frames(self) -> list[bytes]:
        """Every frame, in row-major grid order (the last control varies fastest)."""
        return [self.frame(index) for index in np.ndindex(*self.shape)]

    def _draw(self, values: dict[str, Any]) -> bytes:
        """Call ``plot_fn`` and render its figure; close every figure it opened, even on error."""
        before = set(plt.get_fignums())
        fig = None
        try:
            fig = self.plot_fn(**values)
            if not isinstance(fig, Figure):
                raise TypeError(
                    f"plot_fn must return a matplotlib Figure, got {type(fig).__name__} "
                    f"(end plot_fn with `return fig`)"
                )
            return png_bytes(fig, dpi=self.dpi)
        finally:
            for number in set(plt.get_fignums()) - before:
                plt.close(number)
            if isinstance(fig, Figure):
                plt.close(fig)

    # --- the static face: HTML with precomputed frames ------------------------------------

    def _img(self, index: tuple[int, ...]) -> str:
        png = self.frame(index)
        width, height = _png_size(png)
        return (
            f'<img class="nblib-explorer-frame" src="{_data_url(png)}" '
            f'alt="{html.escape(self.describe(index))}" width="{width}" height="{height}" '
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
            f"{inputs}</div>{self._img(self.start)}"
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
