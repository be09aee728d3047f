"""Datasets for the book: seeded synthetic ones, and the 8×8 digits that ship with scikit-learn.

Every generator takes ``rng`` (a ``numpy.random.Generator``, an integer seed, or ``None``
for a fresh one) and returns ``(X, y)``: ``X`` of shape ``(n, n_features)`` in float64 and,
for classification, integer labels ``y`` of shape ``(n,)`` in ``0, ..., n_classes − 1``
with the classes as equal in size as ``n`` allows, in shuffled order. The same seed gives
the same data. Nothing is ever downloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._validate import as_float_array, as_int_array, check_same_length, check_scalar

Rng = np.random.Generator | int | None


def _class_sizes(n: int, n_classes: int) -> list[int]:
    """Split n samples into n_classes sizes that differ by at most one."""
    return [n // n_classes + (k < n % n_classes) for k in range(n_classes)]


def _shuffled(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(X))
    return X[order], y[order]


def _labels(sizes: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(sizes)), sizes)


def _check_n(n: Any, at_least: int) -> int:
    return check_scalar(n, "n", low=at_least, integer=True)


def _check_noise(noise: Any, name: str = "noise") -> float:
    return check_scalar(noise, name, low=0.0)


def two_moons(n: int = 200, noise: float = 0.1, rng: Rng = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles in the plane, with Gaussian noise of std ``noise``.

    Class 0 lies on (cos t, sin t), class 1 on (1 − cos t, 1/2 − sin t), t ∈ [0, π] evenly
    spaced (as scikit-learn's ``make_moons``). Not linearly separable: a network needs a hidden layer.
    """
    n = _check_n(n, 2)
    noise = _check_noise(noise)
    rng = np.random.default_rng(rng)
    n1, n0 = _class_sizes(n, 2)  # an odd sample goes to the inner moon, as in scikit-learn
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    X = np.concatenate(
        [
            np.column_stack([np.cos(t0), np.sin(t0)]),
            np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)]),
        ]
    )
    X += noise * rng.standard_normal(X.shape)
    return _shuffled(X, _labels([n0, n1]), rng)


def spirals(
    n: int = 300, n_classes: int = 3, noise: float = 0.2, rng: Rng = None
) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` interleaved spiral arms in the plane (the CS231n spiral data).

    Arm k has points r (sin θ, cos θ) with radius r from 0 to 1 and angle
    θ = 4r + 2πk / n_classes + noise · ε, ε ~ N(0, 1): the noise jitters the angle.
    """
    n_classes = check_scalar(n_classes, "n_classes", low=2, integer=True)
    n = _check_n(n, n_classes)
    noise = _check_noise(noise)
    rng = np.random.default_rng(rng)
    sizes = _class_sizes(n, n_classes)
    r = np.concatenate([np.linspace(0.0, 1.0, m) for m in sizes])
    y = _labels(sizes)
    theta = 4 * r + 2 * np.pi * y / n_classes + noise * rng.standard_normal(n)
    X = r[:, None] * np.column_stack([np.sin(theta), np.cos(theta)])
    return _shuffled(X, y, rng)


def xor(n: int = 200, noise: float = 0.25, rng: Rng = None) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: four Gaussian clusters (std ``noise``) at (±1, ±1).

    The label is 1 where the two coordinates of the centre have opposite signs,
    i.e. XOR of (x₁ > 0, x₂ > 0): no single line separates the classes.
    """
    n = _check_n(n, 4)
    noise = _check_noise(noise)
    rng = np.random.default_rng(rng)
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])  # labels 0, 0, 1, 1
    sizes = _class_sizes(n, 4)
    X = np.repeat(corners, sizes, axis=0) + noise * rng.standard_normal((n, 2))
    y = np.repeat([0, 0, 1, 1], sizes)
    return _shuffled(X, y, rng)


def blobs(
    n: int = 300,
    centers: int | np.ndarray = 3,
    std: float = 1.0,
    rng: Rng = None,
    *,
    n_features: int = 2,
    box: tuple[float, float] = (-10.0, 10.0),
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian clusters with standard deviation ``std``, one class per cluster.

    ``centers`` is a number of clusters, whose centres are drawn uniformly in ``box`` along
    each of ``n_features`` axes, or an array of centres of shape ``(n_classes, n_features)``.
    """
    if isinstance(centers, (int, np.integer)):
        k = check_scalar(centers, "centers", low=1, integer=True)
        d = check_scalar(n_features, "n_features", low=1, integer=True)
        low, high = (check_scalar(v, "box") for v in box)
        if not low < high:
            raise ValueError(f"box must be (low, high) with low < high, got {box}")
        centers = None
    else:
        centers = as_float_array(centers, "centers", ndim=2)
        k, d = centers.shape
    n = _check_n(n, k)
    std = _check_noise(std, "std")
    rng = np.random.default_rng(rng)
    if centers is None:
        centers = rng.uniform(low, high, size=(k, d))
    sizes = _class_sizes(n, k)
    X = np.repeat(centers, sizes, axis=0) + std * rng.standard_normal((n, d))
    return _shuffled(X, _labels(sizes), rng)


def noisy_regression(
    n: int = 100,
    fn: Callable[[np.ndarray], np.ndarray] | int = np.sin,
    noise: float = 0.1,
    rng: Rng = None,
    *,
    x_range: tuple[float, float] = (-3.0, 3.0),
    return_fn: bool = False,
) -> tuple[Any, ...]:
    """Samples y = f(x) + noise · ε, ε ~ N(0, 1), at x drawn uniformly in ``x_range``.

    ``fn`` is the true function f (vectorised), or an integer degree d for a random
    polynomial f(x) = Σ_{k≤d} c_k x^k with c_k ~ N(0, 1) drawn from ``rng``.
    Returns ``X`` of shape ``(n, 1)`` and ``y`` of shape ``(n,)``, plus f itself if
    ``return_fn`` (to draw the curve a model should recover).
    """
    n = _check_n(n, 1)
    noise = _check_noise(noise)
    low, high = (check_scalar(v, "x_range") for v in x_range)
    if not low < high:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range}")
    rng = np.random.default_rng(rng)
    if not callable(fn):
        degree = check_scalar(fn, "fn (a polynomial degree)", low=0, integer=True)
        fn = np.polynomial.Polynomial(rng.standard_normal(degree + 1))
    x = rng.uniform(low, high, size=n)
    f = as_float_array(fn(x), "fn(x)")
    if f.shape != x.shape:
        raise ValueError(f"fn must map x of shape {x.shape} to the same shape, got {f.shape}")
    y = f + noise * rng.standard_normal(n)
    return (x[:, None], y, fn) if return_fn else (x[:, None], y)


# ---------------------------------------------------------------------------
# Splitting and scaling
# ---------------------------------------------------------------------------


def train_test_split(
    X: np.ndarray,
    y: np.ndarray,
    test_fraction: float = 0.25,
    rng: Rng = None,
    *,
    stratify: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Randomly split the samples into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    A fraction ``test_fraction`` of the samples (rounded) goes to the test set. With
    ``stratify=True`` (for integer labels) each class is split in that proportion, so both
    parts keep the class balance.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"X and y must be arrays of samples, got shapes {X.shape} and {y.shape}")
    check_same_length(X, y, "X", "y")
    test_fraction = check_scalar(
        test_fraction, "test_fraction", low=0, high=1, low_inclusive=False, high_inclusive=False
    )
    rng = np.random.default_rng(rng)
    groups = [np.arange(len(X))]
    if stratify:
        labels = as_int_array(y, "y", ndim=1)
        groups = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    test = []
    for group in groups:
        n_test = round(test_fraction * len(group))
        test.append(rng.permutation(group)[:n_test])
    test = np.concatenate(test)
    n_test = len(test)
    if n_test == 0 or n_test == len(X):
        raise ValueError(
            f"test_fraction={test_fraction} of {len(X)} samples leaves "
            f"{'no test' if n_test == 0 else 'no training'} samples"
        )
    is_test = np.zeros(len(X), dtype=bool)
    is_test[test] = True
    train, test = rng.permutation(np.flatnonzero(~is_test)), rng.permutation(test)
    return X[train], X[test], y[train], y[test]


def standardize(
    X: np.ndarray, mean: np.ndarray | None = None, std: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scale each feature to zero mean and unit variance: Z = (X − μ) / s.

    μ and s are computed from ``X`` unless given, so fit on the training set and apply the
    same μ, s to the test set::

        Z_train, mu, s = standardize(X_train)
        Z_test, _, _ = standardize(X_test, mu, s)

    A constant feature (s = 0) is only centred. Returns ``(Z, mean, std)``.
    """
    X = as_float_array(X, "X", ndim=(1, 2))
    if (mean is None) != (std is None):
        raise ValueError("give both mean and std (from the training set), or neither")
    if mean is None:
        mean, std = X.mean(axis=0), X.std(axis=0)
        std = np.where(std > 0, std, 1.0)
    else:
        mean = as_float_array(mean, "mean")
        std = as_float_array(std, "std")
        if np.any(std <= 0):
            raise ValueError("std must be positive")
        for name, v in (("mean", mean), ("std", std)):
            if v.shape != X.shape[1:]:
                raise ValueError(
                    f"{name} must have shape {X.shape[1:]} for X of shape {X.shape}, got {v.shape}"
                )
    return (X - mean) / std, mean, std


# ---------------------------------------------------------------------------
# A small real dataset
# ---------------------------------------------------------------------------


def digits(
    test_fraction: float | None = 0.25,
    rng: Rng = 0,
    *,
    scale: bool = True,
    dtype: type = np.float64,
) -> tuple[np.ndarray, ...]:
    """The 8×8 handwritten digits (1797 images, classes 0–9) from the file inside scikit-learn.

    Each image is a row of 64 pixel intensities, scaled from 0–16 to [0, 1] if ``scale``.
    Returns ``X_train, X_test, y_train, y_test`` from a stratified split with ``rng``
    (seeded by default, so every reader gets the same split), or all of ``X, y`` if
    ``test_fraction`` is ``None``.
    """
    from sklearn.datasets import load_digits  # imported here: scikit-learn is slow to import

    data = load_digits()
    X = data.data / 16.0 if scale else data.data
    X, y = X.astype(dtype), data.target.astype(np.int64)
    if test_fraction is None:
        return X, y
    return train_test_split(X, y, test_fraction, rng, stratify=True)
