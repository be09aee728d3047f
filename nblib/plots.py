"""The book's figure style: one look, labelled axes, a colour-blind-safe palette.

Call :func:`use_style` once at the top of a notebook. The palette is Okabe & Ito's
eight colours, distinguishable under the common forms of colour blindness.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

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
}


def use_style() -> None:
    """Apply the book's matplotlib style to every figure that follows."""
    mpl.rcParams.update(STYLE)


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
