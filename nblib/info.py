"""Entropy, mutual information and KL divergence: definitions, closed forms and estimators.

The information theory chapter defines, for a distribution p over a finite alphabet,

.. math::  H(X) = −Σ_x p(x) log p(x)                                        (I.1)
.. math::  H(X | Y) = H(X, Y) − H(Y)                                        (I.2)
.. math::  I(X; Y) = H(X) + H(Y) − H(X, Y)                                  (I.3)
.. math::  D_KL(p ‖ q) = Σ_x p(x) log (p(x) / q(x))                         (I.4)

and, for densities, the differential entropy h(X) = −∫ f log f. This module has

- the definitions for a known discrete distribution (``entropy``, ``kl_divergence``,
  ``cross_entropy``, ``js_divergence``);
- plug-in and Miller–Madow estimates of the discrete quantities from samples;
- k-nearest-neighbour estimators for continuous samples: Kozachenko–Leonenko entropy,
  Kraskov–Stögbauer–Grassberger (KSG) mutual information, the Wang–Kulkarni–Verdú KL
  divergence, and a histogram ("binned") MI estimate to show why binning misleads;
- closed forms (Gaussian, uniform, exponential) to test the estimators against.

Units: every function takes ``base``; the default ``base=2`` gives **bits**, ``base=np.e``
gives nats. Internally everything is computed in nats and divided by log(base) at the end.
One exception: ``infonce_bound`` defaults to nats (``base=np.e``), because it is a training
objective written with natural logarithms, like the cross-entropy loss.

Ties. The kNN estimators assume a continuous distribution: two identical samples put a
neighbour at distance 0 and a log 0 into the formula. As scikit-learn and Kraskov et al.
advise, they add noise of relative size ``noise`` (default 1e-10) drawn from ``rng``
(default seed 0, so results are reproducible), which breaks ties without changing the
estimate on continuous data. Pass ``noise=0`` to switch it off.
"""

from __future__ import annotations

import heapq
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.linalg import solve_triangular
from scipy.spatial import cKDTree
from scipy.special import digamma, entr, gammaln, rel_entr

from ._validate import (
    as_float_array,
    check_choice,
    check_same_length,
    check_scalar,
)

Rng = np.random.Generator | np.random.RandomState | int | None

# ---------------------------------------------------------------------------
# Small shared helpers
# ---------------------------------------------------------------------------


def _log_base(base: Any) -> float:
    """log(base), the divisor that turns nats into the requested unit."""
    base = check_scalar(base, "base", low=0.0, low_inclusive=False)
    if base == 1.0:
        raise ValueError("base must not be 1 (log 1 = 0), got 1")
    return float(np.log(base))


def _as_rng(rng: Rng) -> np.random.Generator | np.random.RandomState:
    """A Generator from a seed or None; a Generator or legacy RandomState is used as is."""
    if isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng must be a numpy Generator, RandomState, an int seed or None, got {type(rng).__name__}"
    )


def _check_k(k: Any, n: int, name: str = "k") -> int:
    k = check_scalar(k, name, low=1, integer=True)
    if n <= k:
        raise ValueError(
            f"{name} must be smaller than the number of samples n, got {name}={k}, n={n}"
        )
    return k


def _samples_2d(x: Any, name: str) -> np.ndarray:
    """Continuous samples as a float64 array of shape (n, d); a 1-d x is read as (n, 1)."""
    arr = as_float_array(x, name, ndim=(1, 2), dtype=np.float64)
    return arr.reshape(-1, 1) if arr.ndim == 1 else arr


def _jitter(a: np.ndarray, noise: float, rng, scale: np.ndarray | float) -> np.ndarray:
    """a + noise · max(scale, mean|a|) · N(0, 1), column by column (a new array).

    With ``scale=1`` on unit-variance data this is scikit-learn's tie-breaking noise,
    draw for draw: ``mutual_info_regression`` adds 1e-10 · max(1, mean|x|) · N(0, 1).
    The mean|a| term keeps the noise above the float spacing of large, uncentred values.
    """
    if noise == 0:
        return a
    amplitude = noise * np.maximum(scale, np.mean(np.abs(a), axis=0))
    return a + amplitude * rng.standard_normal(size=a.shape)


def _check_noise(noise: Any) -> float:
    return check_scalar(noise, "noise", low=0.0)


# ---------------------------------------------------------------------------
# Discrete distributions: the definitions (I.1) and (I.4)
# ---------------------------------------------------------------------------


def _distribution(p: Any, name: str) -> np.ndarray:
    """A probability vector (or table): finite, non-negative, summing to 1."""
    arr = as_float_array(p, name, dtype=np.float64)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative, got minimum {arr.min():.3g}")
    total = float(arr.sum())
    if abs(total - 1.0) > 1e-8 + 1e-12 * arr.size:
        raise ValueError(f"{name} must sum to 1 (a probability distribution), got sum {total:.10g}")
    return arr / total


def _pair(p: Any, q: Any) -> tuple[np.ndarray, np.ndarray]:
    p, q = _distribution(p, "p"), _distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    return p, q


def entropy(p: Any, base: float = 2) -> float:
    """Shannon entropy H(p) = −Σ p log p of a distribution, in bits by default (I.1).

    ``p`` is a probability vector, or a table of any shape (a joint distribution), with
    non-negative entries summing to 1. Terms with p = 0 count as 0 (0 log 0 = 0).
    """
    lb = _log_base(base)
    return float(entr(_distribution(p, "p")).sum() / lb)


def kl_divergence(p: Any, q: Any, base: float = 2) -> float:
    """Kullback–Leibler divergence D(p ‖ q) = Σ p log(p / q), in bits by default (I.4).

    Terms with p = 0 count as 0. If q = 0 where p > 0 the divergence is infinite and
    ``np.inf`` is returned (p is not absolutely continuous with respect to q).
    """
    lb = _log_base(base)
    p, q = _pair(p, q)
    return float(rel_entr(p, q).sum() / lb)


def cross_entropy(p: Any, q: Any, base: float = 2) -> float:
    """Cross-entropy H(p, q) = −Σ p log q = H(p) + D(p ‖ q), in bits by default.

    Infinite (``np.inf``) where q = 0 < p, like ``kl_divergence``.
    """
    lb = _log_base(base)
    p, q = _pair(p, q)
    return float((entr(p).sum() + rel_entr(p, q).sum()) / lb)


def js_divergence(p: Any, q: Any, base: float = 2) -> float:
    """Jensen–Shannon divergence ½ D(p ‖ m) + ½ D(q ‖ m) with m = (p + q)/2, in bits by default.

    Symmetric, always finite, and at most log 2 (1 bit).
    """
    lb = _log_base(base)
    p, q = _pair(p, q)
    m = 0.5 * (p + q)
    return float(0.5 * (rel_entr(p, m).sum() + rel_entr(q, m).sum()) / lb)


# ---------------------------------------------------------------------------
# Discrete quantities from samples: plug-in and Miller–Madow
# ---------------------------------------------------------------------------

DISCRETE_METHODS = ("plugin", "miller_madow")


def _codes(x: Any, name: str) -> np.ndarray:
    """Integer codes 0..m−1 for the symbols in x (shape (n,), or (n, d) with rows as symbols)."""
    arr = np.asarray(x)
    if arr.dtype == object:
        raise TypeError(f"{name} must be a numeric, boolean or string array, not Python objects")
    if arr.ndim not in (1, 2):
        raise ValueError(f"{name} must be 1-d (n,) or 2-d (n, d), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite value(s)")
    return np.unique(arr, axis=0, return_inverse=True)[1].reshape(-1)


def _entropy_of_codes(codes: np.ndarray, method: str) -> float:
    """Entropy in nats of the empirical distribution of integer codes.

    plug-in:       Ĥ = −Σ (n_i/n) log(n_i/n)
    Miller–Madow:  Ĥ_MM = Ĥ + (m − 1)/(2n),  m = number of symbols seen.
    """
    counts = np.bincount(codes)
    counts = counts[counts > 0]
    n = codes.size
    h = float(entr(counts / n).sum())
    if method == "miller_madow":
        h += (counts.size - 1) / (2 * n)
    return h


def _joint_codes(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cx, cy = _codes(x, "x"), _codes(y, "y")
    check_same_length(cx, cy, "x", "y")
    return cx, cy, cx * (cy.max() + 1) + cy


def entropy_from_samples(x: Any, method: str = "plugin", base: float = 2) -> float:
    """Entropy of a discrete variable from samples, in bits by default.

    ``x`` holds n symbols (ints, strings, ...), shape (n,), or shape (n, d) where each
    row is one symbol. ``method="plugin"`` puts the empirical frequencies into (I.1); it is
    biased low by about (m − 1)/(2n) nats for m symbols. ``"miller_madow"`` adds that term.
    """
    lb = _log_base(base)
    check_choice(method, "method", DISCRETE_METHODS)
    return _entropy_of_codes(_codes(x, "x"), method) / lb


def joint_entropy(x: Any, y: Any, method: str = "plugin", base: float = 2) -> float:
    """Joint entropy H(X, Y) from paired samples, in bits by default."""
    lb = _log_base(base)
    check_choice(method, "method", DISCRETE_METHODS)
    return _entropy_of_codes(_joint_codes(x, y)[2], method) / lb


def conditional_entropy(x: Any, y: Any, method: str = "plugin", base: float = 2) -> float:
    """Conditional entropy H(X | Y) = H(X, Y) − H(Y) from paired samples (I.2), in bits by default.

    Note the order: the first argument is the variable whose uncertainty remains.
    """
    lb = _log_base(base)
    check_choice(method, "method", DISCRETE_METHODS)
    _, cy, cxy = _joint_codes(x, y)
    return (_entropy_of_codes(cxy, method) - _entropy_of_codes(cy, method)) / lb


def mutual_information_discrete(x: Any, y: Any, method: str = "plugin", base: float = 2) -> float:
    """Mutual information I(X; Y) = H(X) + H(Y) − H(X, Y) from paired discrete samples (I.3).

    In bits by default. With ``method="miller_madow"`` each entropy gets its correction.
    The plug-in value equals ``sklearn.metrics.mutual_info_score`` (which is in nats).
    """
    lb = _log_base(base)
    check_choice(method, "method", DISCRETE_METHODS)
    cx, cy, cxy = _joint_codes(x, y)
    h = [_entropy_of_codes(c, method) for c in (cx, cy, cxy)]
    return (h[0] + h[1] - h[2]) / lb


# ---------------------------------------------------------------------------
# Closed forms, for teaching and for testing the estimators
# ---------------------------------------------------------------------------


def _covariance(cov: Any, name: str) -> np.ndarray:
    """A covariance as a (d, d) symmetric positive definite matrix; a scalar is a variance."""
    arr = as_float_array(cov, name, ndim=(0, 2), dtype=np.float64)
    arr = arr.reshape(1, 1) if arr.ndim == 0 else arr
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {arr.shape}")
    if not np.allclose(arr, arr.T, rtol=1e-10, atol=1e-12):
        raise ValueError(f"{name} must be symmetric")
    return arr


def _cholesky(cov: np.ndarray, name: str) -> np.ndarray:
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError(f"{name} must be positive definite") from None


def _logdet(chol: np.ndarray) -> float:
    return float(2 * np.log(np.diag(chol)).sum())


def gaussian_entropy(cov: Any, base: float = 2) -> float:
    """Differential entropy of N(μ, Σ): h = ½ log det(2πe Σ), in bits by default.

    ``cov`` is the (d, d) covariance Σ, or a scalar variance σ² for d = 1.
    """
    lb = _log_base(base)
    cov = _covariance(cov, "cov")
    d = cov.shape[0]
    return (0.5 * d * np.log(2 * np.pi * np.e) + 0.5 * _logdet(_cholesky(cov, "cov"))) / lb


def uniform_entropy(a: float, b: float, base: float = 2) -> float:
    """Differential entropy of the uniform distribution on [a, b]: h = log(b − a)."""
    lb = _log_base(base)
    a, b = check_scalar(a, "a"), check_scalar(b, "b")
    if not b > a:
        raise ValueError(f"b must be greater than a, got a={a}, b={b}")
    return float(np.log(b - a) / lb)


def exponential_entropy(rate: float, base: float = 2) -> float:
    """Differential entropy of the exponential distribution with rate λ: h = 1 − log λ."""
    lb = _log_base(base)
    rate = check_scalar(rate, "rate", low=0.0, low_inclusive=False)
    return float((1.0 - np.log(rate)) / lb)


def gaussian_kl(mu0: Any, cov0: Any, mu1: Any, cov1: Any, base: float = 2) -> float:
    """D(N(μ₀, Σ₀) ‖ N(μ₁, Σ₁)) in bits by default:

    .. math:: ½ [ tr(Σ₁⁻¹ Σ₀) + (μ₁ − μ₀)ᵀ Σ₁⁻¹ (μ₁ − μ₀) − d + log det Σ₁ − log det Σ₀ ]

    Means are vectors of length d (or scalars for d = 1), covariances (d, d) (or variances).
    """
    lb = _log_base(base)
    c0, c1 = _covariance(cov0, "cov0"), _covariance(cov1, "cov1")
    m0 = as_float_array(mu0, "mu0", ndim=(0, 1), dtype=np.float64).reshape(-1)
    m1 = as_float_array(mu1, "mu1", ndim=(0, 1), dtype=np.float64).reshape(-1)
    d = c0.shape[0]
    for name, shape in (("cov1", c1.shape), ("mu0", m0.shape), ("mu1", m1.shape)):
        if shape[0] != d:
            raise ValueError(f"{name} does not match cov0 of shape {c0.shape}: got shape {shape}")
    l0, l1 = _cholesky(c0, "cov0"), _cholesky(c1, "cov1")
    a = solve_triangular(l1, l0, lower=True)  # tr(Σ₁⁻¹Σ₀) = ‖L₁⁻¹L₀‖²_F
    z = solve_triangular(l1, m1 - m0, lower=True)  # Mahalanobis term ‖L₁⁻¹(μ₁ − μ₀)‖²
    kl = 0.5 * (np.sum(a**2) + np.sum(z**2) - d + _logdet(l1) - _logdet(l0))
    return float(max(kl, 0.0) / lb)


def gaussian_mutual_information(rho: float, base: float = 2) -> float:
    """I(X; Y) of a bivariate Gaussian with correlation ρ: −½ log(1 − ρ²), in bits by default."""
    lb = _log_base(base)
    rho = check_scalar(rho, "rho", low=-1.0, high=1.0, low_inclusive=False, high_inclusive=False)
    return float(-0.5 * np.log1p(-(rho**2)) / lb)


# ---------------------------------------------------------------------------
# k-nearest-neighbour searches. Trees are O(n log n); in one dimension sorting is faster.
# ---------------------------------------------------------------------------


def _kth_distance_1d(x: np.ndarray, k: int) -> np.ndarray:
    """Distance from each point of the 1-d sample x to its k-th nearest other point.

    On sorted values the k nearest neighbours of x_i form a window of k consecutive points
    around it: a on the left and k − a on the right, for some a in 0..k. The k-th distance
    is the smallest, over a, of the farther window end. O(n k) after an O(n log n) sort.
    """
    xs = np.sort(x)
    pad = np.full(k, np.inf)
    padded = np.concatenate([-pad, xs, pad])
    i = np.arange(xs.size) + k  # position of x_i in padded
    best = np.full(xs.size, np.inf)
    for a in range(k + 1):
        far = np.maximum(xs - padded[i - a], padded[i + k - a] - xs)
        np.minimum(best, far, out=best)
    return best


def _self_knn(points: np.ndarray, k: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Distances and indices of the k + 1 nearest rows of ``points`` to each row (itself first).

    The queries go in the tree's own order, so that consecutive queries visit the same
    leaves: at n = 10^6 this is over twice as fast as querying in the data's order.
    """
    tree = cKDTree(points)
    order = tree.indices
    dist, idx = np.empty((len(points), k + 1)), np.empty((len(points), k + 1), dtype=np.intp)
    dist[order], idx[order] = tree.query(points[order], k=k + 1, p=p)
    return dist, idx


def _kth_distance(x: np.ndarray, k: int, p: float) -> np.ndarray:
    """Distance (Minkowski p-norm) from each row of x to its k-th nearest other row."""
    if x.shape[1] == 1:
        return _kth_distance_1d(x[:, 0], k)
    return _self_knn(x, k, p)[0][:, -1]  # the nearest hit is the point itself


def _count_within_1d(v: np.ndarray, r: np.ndarray) -> np.ndarray:
    """#{j : |v_j − v_i| ≤ r_i} for each i (the point itself included), by binary search.

    ``searchsorted`` on v_i ± r_i may be off by a float rounding for points lying exactly at
    distance r_i (the k-th neighbour always does), so the ends are then moved until the test
    ``|v_j − v_i| ≤ r_i`` holds exactly as a tree computes it. fl(v_j − v_i) is monotone in
    v_j, so the points passing the test are one contiguous run of the sorted values.
    The queries go in sorted order too, which keeps the binary searches in cache.
    """
    order = np.argsort(v, kind="stable")
    vs, rs = v[order], r[order]
    n = vs.size
    lo = np.searchsorted(vs, vs - rs, side="left")
    hi = np.searchsorted(vs, vs + rs, side="right")

    def inside(idx: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return np.abs(vs[idx] - vs[rows]) <= rs[rows]

    def move(ends: np.ndarray, step: int, offset: int, want_inside: bool, limit: int) -> None:
        rows = np.flatnonzero(ends != limit)
        while rows.size:
            ok = inside(ends[rows] + offset, rows) == want_inside
            rows = rows[ok]
            ends[rows] += step
            rows = rows[ends[rows] != limit]

    move(lo, -1, -1, True, 0)  # the point left of lo is inside: widen
    move(lo, +1, 0, False, n)  # the point at lo is outside: shrink
    move(hi, +1, 0, True, n)  # the point at hi is inside: widen
    move(hi, -1, -1, False, 0)  # the point left of hi is outside: shrink
    counts = np.empty(n, dtype=np.intp)
    counts[order] = hi - lo
    return counts


def _count_within(v: np.ndarray, r: np.ndarray) -> np.ndarray:
    """#{j : ‖v_j − v_i‖_∞ ≤ r_i} for each row i of v (itself included)."""
    if v.shape[1] == 1:
        return _count_within_1d(v[:, 0], r)
    return cKDTree(v).query_ball_point(v, r, p=np.inf, return_length=True)


# ---------------------------------------------------------------------------
# Continuous estimators
# ---------------------------------------------------------------------------


def _warn_if_discretised(x: np.ndarray, k: int) -> None:
    rows = x[:, 0] if x.shape[1] == 1 else x  # 1-d unique is much faster than axis=0
    copies = np.unique(rows, axis=0, return_counts=True)[1]
    tied = int(copies[copies > k].sum())
    if tied:
        warnings.warn(
            f"{tied} of the {len(x)} samples in x have at least k={k} exact copies: the data "
            "look discretised, so the kNN distances of those points are set by the tie-breaking "
            "noise and the entropy estimate is meaningless (a discrete variable has no density). "
            "Dequantise the data or use entropy_from_samples.",
            UserWarning,
            stacklevel=3,
        )


def differential_entropy(
    x: Any,
    k: int = 3,
    base: float = 2,
    *,
    metric: str = "euclidean",
    noise: float = 1e-10,
    rng: Rng = 0,
) -> float:
    """Kozachenko–Leonenko k-nearest-neighbour estimate of the differential entropy h(X).

    .. math:: ĥ = ψ(n) − ψ(k) + log V_d + (d/n) Σ_i log r_i

    where r_i is the distance from x_i to its k-th nearest neighbour among the other
    samples and V_d the volume of the unit ball of the metric: π^{d/2}/Γ(d/2 + 1) for
    ``"euclidean"``, 2^d for ``"chebyshev"`` (the max norm, whose unit ball is the cube
    [−1, 1]^d). Kraskov et al. write the same formula with ε_i = 2 r_i and the volume of
    the ball of *diameter* 1; mixing the two conventions is the classic factor-of-two slip.

    ``x`` has shape (n, d), or (n,) for one variable. In bits by default.

    Ties are broken with noise of relative size ``noise`` (see the module docstring), which
    is harmless for a few duplicates. A point with k or more exact copies, though, has its
    r_i set by the noise alone: such data are discretised, have no density (h = −∞), and
    the estimate is a large negative number. A ``UserWarning`` says so; dequantise the data
    (add uniform noise as wide as the grid step) or use ``entropy_from_samples``.
    With ``noise=0`` such ties raise a ``ValueError`` instead.
    """
    lb = _log_base(base)
    check_choice(metric, "metric", ("euclidean", "chebyshev"))
    noise = _check_noise(noise)
    x = _samples_2d(x, "x")
    n, d = x.shape
    k = _check_k(k, n)
    std = x.std(axis=0)
    if np.any(std == 0):
        raise ValueError(
            f"x is constant in column(s) {np.flatnonzero(std == 0).tolist()}: no density"
        )
    if noise > 0:  # (with noise = 0, ties raise below)
        _warn_if_discretised(x, k)
    x = _jitter(x, noise, _as_rng(rng), std)
    if metric == "euclidean":
        p, log_volume = 2.0, 0.5 * d * np.log(np.pi) - gammaln(0.5 * d + 1)
    else:
        p, log_volume = np.inf, d * np.log(2.0)
    r = _kth_distance(x, k, p)
    if np.any(r == 0):
        raise ValueError(
            "x has points with k or more exact duplicates; pass noise > 0 to break ties"
        )
    h = digamma(n) - digamma(k) + log_volume + d * np.mean(np.log(r))
    return float(h / lb)


def _ksg_inputs(x: Any, y: Any, k: Any, noise: Any, rng: Rng) -> tuple[np.ndarray, np.ndarray, int]:
    """Validate, scale every column to unit variance (not centred) and add tie-breaking noise.

    This is scikit-learn's preprocessing in ``mutual_info_regression``, step for step, so a
    ``RandomState`` with the same seed reproduces its result.
    """
    noise = _check_noise(noise)
    x, y = _samples_2d(x, "x"), _samples_2d(y, "y")
    check_same_length(x, y, "x", "y")
    k = _check_k(k, len(x))
    gen = _as_rng(rng)
    scaled = []
    for a in (x, y):
        std = a.std(axis=0)
        std[std < 10 * np.finfo(np.float64).eps] = 1.0  # a constant column stays as it is
        scaled.append(_jitter(a / std, noise, gen, 1.0))
    return scaled[0], scaled[1], k


def mutual_information(
    x: Any,
    y: Any,
    k: int = 3,
    method: str = "ksg1",
    base: float = 2,
    *,
    noise: float = 1e-10,
    rng: Rng = 0,
) -> float:
    """Kraskov–Stögbauer–Grassberger k-nearest-neighbour estimate of I(X; Y), bits by default.

    In the joint space z = (x, y) with the max norm, let ε_i be the distance from z_i to its
    k-th nearest neighbour. Then (Kraskov et al. 2004, eqs. 8 and 9)

    .. math:: KSG-1:  Î = ψ(k) + ψ(n) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩,
              n_x(i) = #{j ≠ i : |x_j − x_i| < ε_i}   (strictly closer)
    .. math:: KSG-2:  Î = ψ(k) − 1/k + ψ(n) − ⟨ψ(n_x) + ψ(n_y)⟩,
              n_x(i) = #{j ≠ i : |x_j − x_i| ≤ ε_x(i)}, ε_x(i) = largest x-distance among the k

    The counts exclude the point itself. ``x`` and ``y`` have shape (n,) or (n, d_x), (n, d_y).
    As in ``sklearn.feature_selection.mutual_info_regression``, each column is first scaled to
    unit variance (without centring) and noise 1e-10 · max(1, mean|x|) · N(0, 1) is added
    (``noise``, ``rng``). Unlike scikit-learn, a negative estimate is returned as it is rather
    than replaced by 0, so the estimator's bias stays visible.
    """
    lb = _log_base(base)
    check_choice(method, "method", ("ksg1", "ksg2"))
    x, y, k = _ksg_inputs(x, y, k, noise, rng)
    n = len(x)
    xy = np.hstack([x, y])
    dist, idx = _self_knn(xy, k, np.inf)
    if method == "ksg1":
        # strictly closer than ε: |d| ≤ the float just below ε (ε = 0 for exact duplicates).
        radius = np.nextafter(dist[:, -1], 0)
        nx = _count_within(x, radius) - 1
        ny = _count_within(y, radius) - 1
        mi = digamma(k) + digamma(n) - np.mean(digamma(nx + 1)) - np.mean(digamma(ny + 1))
    else:
        neighbours = idx[:, 1:]
        eps_x = np.abs(x[neighbours] - x[:, None, :]).max(axis=(1, 2))
        eps_y = np.abs(y[neighbours] - y[:, None, :]).max(axis=(1, 2))
        nx = _count_within(x, eps_x) - 1
        ny = _count_within(y, eps_y) - 1
        mi = digamma(k) - 1 / k + digamma(n) - np.mean(digamma(nx)) - np.mean(digamma(ny))
    return float(mi / lb)


def mutual_information_binned(x: Any, y: Any, bins: int = 10, base: float = 2) -> float:
    """Plug-in MI of the 2-d histogram of (x, y) with ``bins`` equal-width bins per axis.

    The answer depends on the binning more than on the data: too few bins lose dependence
    (I of the discretised variables is at most I(X; Y)), too many leave most cells with
    0 or 1 samples and the plug-in bias takes over. That bias is about
    (B_x − 1)(B_y − 1)/(2n) nats (Miller–Madow, eq-it-mm-mi) only when every cell has
    positive probability and n is several times the number of cells; with equal-width bins
    on unbounded data the outer cells are nearly empty and the formula can be far off.
    To correct it, count the occupied cells instead: pass the bin indices to
    ``mutual_information_discrete(..., method="miller_madow")``, which is valid when n is
    several times the number of occupied cells, and unreliable below that.
    ``bins`` is an int or a pair (bins_x, bins_y). In bits by default.
    """
    lb = _log_base(base)
    x = as_float_array(x, "x", ndim=1, dtype=np.float64)
    y = as_float_array(y, "y", ndim=1, dtype=np.float64)
    check_same_length(x, y, "x", "y")
    pair = (bins, bins) if np.ndim(bins) == 0 else tuple(bins)
    if len(pair) != 2:
        raise ValueError(f"bins must be an int or a pair of ints, got {bins!r}")
    pair = tuple(check_scalar(b, "bins", low=1, integer=True) for b in pair)
    counts = np.histogram2d(x, y, bins=pair)[0]
    pxy = counts / len(x)
    h = entr(pxy.sum(axis=1)).sum() + entr(pxy.sum(axis=0)).sum() - entr(pxy).sum()
    return float(h / lb)


def kl_divergence_knn(
    x: Any,
    y: Any,
    k: int = 1,
    base: float = 2,
    *,
    noise: float = 1e-10,
    rng: Rng = 0,
) -> float:
    """kNN estimate of D(P ‖ Q) from x ~ P (n samples) and y ~ Q (m samples), bits by default.

    Wang, Kulkarni and Verdú (2009); Pérez-Cruz (2008):

    .. math:: D̂ = (d/n) Σ_i log(ν_k(i) / ρ_k(i)) + log(m / (n − 1))

    where ρ_k(i) is the Euclidean distance from x_i to its k-th nearest neighbour among the
    other x's and ν_k(i) to its k-th nearest neighbour among the y's. ``x`` has shape (n, d),
    ``y`` shape (m, d); 1-d arrays are one variable. Ties are broken as in the module docstring.
    """
    lb = _log_base(base)
    noise = _check_noise(noise)
    x, y = _samples_2d(x, "x"), _samples_2d(y, "y")
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            f"x and y must have the same dimension d, got shapes {x.shape} and {y.shape}"
        )
    (n, d), m = x.shape, len(y)
    k = _check_k(k, n)
    if m < k:
        raise ValueError(f"k must be at most the number of samples m in y, got k={k}, m={m}")
    gen = _as_rng(rng)
    x = _jitter(x, noise, gen, x.std(axis=0))
    y = _jitter(y, noise, gen, y.std(axis=0))
    rho = _kth_distance(x, k, 2.0)
    nu = cKDTree(y).query(x, k=[k])[0][:, 0]
    if np.any(rho == 0) or np.any(nu == 0):
        raise ValueError("x and y share exact duplicates; pass noise > 0 to break ties")
    return float((d * np.mean(np.log(nu / rho)) + np.log(m / (n - 1))) / lb)


# ---------------------------------------------------------------------------
# Codes and variational bounds (Sections 5.1 and 5.2): Huffman coding, InfoNCE
# ---------------------------------------------------------------------------


def huffman_code(p: Any) -> list[str]:
    """Binary Huffman code of a distribution: one codeword (a string of 0s and 1s) per symbol.

    Problem. Among binary prefix codes (no codeword is the beginning of another) find the
    codeword lengths l_i that minimise the expected length

    .. math:: L = Σ_i p_i l_i   subject to   Σ_i 2^{−l_i} ≤ 1      (Kraft, eq-it-kraft)

    Huffman's greedy algorithm, merge the two least probable nodes and repeat, solves it
    exactly. The optimum obeys the source-coding bounds H(p) ≤ L < H(p) + 1 in bits
    (eq-it-source-coding), and for m ≥ 2 symbols the code tree is full, so Kraft's
    inequality holds with equality.

    When to use it. For exact optimal lengths of a known, small alphabet. The Shannon code
    l_i = ⌈−log₂ p_i⌉ is simpler and also within one bit of H, but not optimal; for long
    sequences, coding blocks of symbols (or arithmetic coding) removes the last bit.

    ``p`` is a probability vector of length m ≥ 1. The codewords are returned in the order
    of ``p``; ``[len(c) for c in code]`` are the lengths. Ties are broken by the order in
    which nodes are created, so equal probabilities may give another, equally short, set
    of lengths than a different implementation. A symbol with p_i = 0 still gets a
    codeword; a single symbol gets the codeword ``"0"`` (length 1, Kraft sum 1/2).

    Example::

        >>> huffman_code([0.5, 0.25, 0.125, 0.125])
        ['0', '10', '110', '111']

    Reference: Huffman (1952); Cover and Thomas, *Elements of Information Theory* (2006), §5.6.
    """
    kind = np.asarray(p).dtype.kind
    if kind not in "biuf":
        raise TypeError(f"p must be a numeric probability vector, got dtype kind {kind!r}")
    probs = _distribution(p, "p")
    if probs.ndim != 1:
        raise ValueError(f"p must be a 1-d probability vector, got shape {probs.shape}")
    m = probs.size
    if m == 1:
        return ["0"]
    codes = [""] * m
    # heap of (probability, creation order, symbols under this node)
    heap = [(float(pi), i, [i]) for i, pi in enumerate(probs)]
    heapq.heapify(heap)
    order = m
    while len(heap) > 1:
        p0, _, left = heapq.heappop(heap)  # the least probable node gets bit 0
        p1, _, right = heapq.heappop(heap)
        for s in left:
            codes[s] = "0" + codes[s]
        for s in right:
            codes[s] = "1" + codes[s]
        heapq.heappush(heap, (p0 + p1, order, left + right))
        order += 1
    return codes


def infonce_bound(scores: Any, base: float = np.e) -> float:
    """InfoNCE lower bound on I(X; Y) from a K × K matrix of critic scores, in nats by default.

    Problem. A batch holds K pairs (x_i, y_i) drawn from p(x, y), and a critic f scores every
    combination, ``scores[i, j] = f(x_i, y_j)``: the positives sit on the diagonal and the
    other y_j serve as negatives for x_i. The bound is

    .. math:: Î = log K + (1/K) Σ_i [ f(x_i, y_i) − log Σ_j e^{f(x_i, y_j)} ]   (eq-it-infonce)

    For every critic, E[Î] ≤ I(X; Y) (van den Oord et al. 2018; Poole et al. 2019), with
    equality approached by f = log p(y | x) + c(x) as K → ∞. Every single value obeys
    Î ≤ log K, since each term is a log-softmax ≤ 0: a batch of K certifies at most log K
    nats, however large I(X; Y) is (McAllester and Stratos 2020).

    When to use it. As a training objective (contrastive learning) and as a low-variance
    estimate when I(X; Y) is well below log K. For large I it saturates; the KSG estimator
    (``mutual_information``) has a similar ceiling, about log(n/k).

    ``scores`` is a finite (K, K) array with K ≥ 2; rows index the x's, columns the y's.
    The row-wise log-sum-exp is computed stably (shifted by the row maximum).

    Example::

        >>> round(infonce_bound(np.zeros((4, 4))), 12)   # an uninformative critic
        0.0
        >>> round(infonce_bound(1e4 * np.eye(4)), 6)    # a perfect critic: the ceiling log 4
        1.386294

    Reference: van den Oord, Li and Vinyals (2018), eq. 4; Poole et al. (2019), eq. 12.
    """
    lb = _log_base(base)
    s = as_float_array(scores, "scores", ndim=2, dtype=np.float64)
    if s.shape[0] != s.shape[1]:
        raise ValueError(f"scores must be a square (K, K) matrix, got shape {s.shape}")
    k = s.shape[0]
    if k < 2:
        raise ValueError(
            f"scores must be at least 2 x 2 (a positive and a negative), got {s.shape}"
        )
    row_max = s.max(axis=1, keepdims=True)
    lse = (row_max + np.log(np.exp(s - row_max).sum(axis=1, keepdims=True)))[:, 0]
    return float((np.log(k) + np.mean(np.diag(s) - lse)) / lb)


# ---------------------------------------------------------------------------
# Identifiability of representations (Section 5.6): the Amari index
# ---------------------------------------------------------------------------


def amari_index(W: Any, A: Any) -> float:
    """Amari index of an unmixing ``W`` against the true mixing ``A``: 0 iff W A is Λ Π.

    Problem. Independent component analysis observes x = A s and estimates an unmixing W
    with W x ≈ s. Sources can only ever be recovered up to order and scale, so the error
    is measured on P = W A by how far it is from a scaled permutation Λ Π:

    .. math:: E(P) = \\frac{1}{2d(d-1)} \\Big[ Σ_i \\Big(\\frac{Σ_j |p_{ij}|}{\\max_k |p_{ik}|} - 1\\Big)
              + Σ_j \\Big(\\frac{Σ_i |p_{ij}|}{\\max_k |p_{kj}|} - 1\\Big) \\Big]      (eq-it-amari)

    for a d × d matrix P (d ≥ 2). E(P) lies in [0, 1]; it is 0 exactly when every row
    and every column of P has a single non-zero entry (the sources are recovered, each
    once, up to sign, scale and order), and 1 when all |p_ij| are equal (each estimate
    is an equal blend of all sources). It is unchanged when the estimates (rows of W) are
    reordered or change sign, and when W is multiplied by a non-zero number; rescaling
    single rows does change it, unless W A is already a scaled permutation.

    When to use it. To score an ICA (or any linear "disentangling") estimate against a
    known mixing in a simulation. It needs the ground-truth A, so it measures the method,
    never real data. ``W`` has shape (d, m) and ``A`` shape (m, d), so that W A is d × d
    (m ≥ d observed mixtures of d sources; scikit-learn's ``FastICA().components_`` is W
    and its ``mixing_`` an estimate of A). W and A are first divided by their largest
    absolute entries, which leaves E unchanged, so huge or tiny inputs neither overflow nor
    underflow; ValueError if m < d (W A is then singular) or W A has a zero row or column.

    Example::

        >>> amari_index([[0.0, 2.0], [-1.0, 0.0]], np.eye(2))  # a scaled permutation
        0.0
        >>> amari_index([[1.0, 0.5], [0.0, 1.0]], np.eye(2))
        0.25

    Reference: Amari, Cichocki and Yang, "A new learning algorithm for blind signal
    separation", NeurIPS 1996 (the unnormalised form); Hyvärinen, Karhunen and Oja,
    *Independent Component Analysis* (2001).
    """
    W = as_float_array(W, "W", ndim=2)
    A = as_float_array(A, "A", ndim=2)
    if W.shape[1] != A.shape[0] or W.shape[0] != A.shape[1]:
        raise ValueError(
            f"W must have shape (d, m) and A shape (m, d) so that W @ A is square, "
            f"got W of shape {W.shape} and A of shape {A.shape}"
        )
    d, m = W.shape
    if d < 2:
        raise ValueError(f"the Amari index needs at least d = 2 sources, got W of shape {W.shape}")
    if m < d:
        raise ValueError(
            f"W has shape {W.shape} and A shape {A.shape}: {d} sources from only {m} mixtures, so "
            f"W @ A has rank at most {m} < {d} and can never be a scaled permutation; "
            "A needs at least as many rows (mixtures) as columns (sources)"
        )
    # E(P) is unchanged when W or A is multiplied by a number: scale both to max |entry| = 1
    # first, so that W @ A neither overflows nor underflows for very large or small inputs.
    W_max, A_max = np.abs(W).max(), np.abs(A).max()
    if W_max == 0 or A_max == 0:
        raise ValueError(f"{'W' if W_max == 0 else 'A'} is all zeros: nothing is unmixed")
    P = np.abs((W.astype(np.float64) / W_max) @ (A.astype(np.float64) / A_max))
    row_max, col_max = P.max(axis=1), P.max(axis=0)
    if np.any(row_max == 0) or np.any(col_max == 0):
        raise ValueError(
            "W @ A has a row or a column of zeros: the unmixing is singular, so some source "
            "is lost or some estimate is identically zero"
        )
    rows = np.sum(P.sum(axis=1) / row_max - 1)
    cols = np.sum(P.sum(axis=0) / col_max - 1)
    value = float((rows + cols) / (2 * d * (d - 1)))
    if not np.isfinite(value):  # pragma: no cover - excluded by the scaling and checks above
        raise ValueError("the Amari index of W @ A is not finite; check W and A")
    return value


# ---------------------------------------------------------------------------
# Sections 5.3 and 5.4: information in noisy layers, and the information bottleneck
# ---------------------------------------------------------------------------


def noisy_layer_information(
    t: Any,
    sigma: float,
    *,
    n_samples: int | None = None,
    rng: Rng = 0,
    base: float = 2,
) -> tuple[float, float]:
    """Monte-Carlo I(X; T + σZ) of a deterministic layer plus Gaussian noise; (estimate, std. error).

    X is uniform over n inputs whose representations are the rows t_i = f(x_i) of ``t``
    (shape (n, d)), and Z ~ N(0, I_d). The noisy representation T_σ = f(X) + σZ has the
    density of a mixture of n Gaussians, so (Goldfeld et al. 2019)

    .. math:: I(X; T_σ) = log n − E_{i, z} log Σ_j exp(−(‖u − t_j‖² − ‖σz‖²)/(2σ²)),
              u = t_i + σz                                                  (eq-it-noisy-mi)

    The expectation over i is exact when every input is used once (``n_samples=None``:
    one draw of z per input); otherwise ``n_samples`` inputs are drawn uniformly with
    replacement. The standard error is the sample standard deviation / √(samples), which
    is conservative for the one-draw-per-input design. The exponent is computed as
    ‖t_i − t_j‖² + 2σ z·(t_i − t_j), which stays accurate for tiny σ. Unlike a binned estimate, this is
    finite, at most log n = H(X), and decreases as σ grows (a noisier channel is a degraded
    one). Inputs that share a representation count as one: I ≤ H(f(X)).

    When to use it: to measure the information a layer keeps when noise of a stated size is
    part of the model (a noisy network), or to ask "how much of X survives noise of size σ".
    For a deterministic layer with no noise, I(X; T) is H(f(X)) (discrete X) or infinite.

    >>> t = np.array([[-1.0], [1.0]])  # two inputs, one unit: a binary-input Gaussian channel
    >>> est, se = noisy_layer_information(t, 0.01)
    >>> round(est, 6), se < 1e-6  # far apart compared with σ: all of H(X) = 1 bit survives
    (1.0, True)

    Reference: Z. Goldfeld et al., "Estimating information flow in deep neural networks",
    ICML 2019.
    """
    lb = _log_base(base)
    t = as_float_array(t, "t", ndim=(1, 2), dtype=np.float64)
    t = t.reshape(-1, 1) if t.ndim == 1 else t
    sigma = check_scalar(sigma, "sigma", low=0.0, low_inclusive=False)
    n, d = t.shape
    gen = _as_rng(rng)
    if n_samples is None:
        rows = np.arange(n)
    else:
        n_samples = check_scalar(n_samples, "n_samples", low=2, integer=True)
        rows = gen.integers(0, n, size=n_samples)
    if rows.size < 2:
        raise ValueError(f"t must have at least 2 rows (inputs) for a standard error, got {n}")
    z = gen.standard_normal((rows.size, d))
    values = np.empty(rows.size)
    chunk = max(1, 2**21 // (n * d))
    for start in range(0, rows.size, chunk):
        stop = min(start + chunk, rows.size)
        # ‖u − t_j‖² − ‖σz‖² = ‖t_i − t_j‖² + 2σ z·(t_i − t_j) from direct differences: no
        # cancellation at small σ, and the j = i term is exactly 0, so the estimate is ≤ log n
        diff = t[rows[start:stop], None, :] - t[None, :, :]
        sq = np.einsum("ijk,ijk->ij", diff, diff)
        cross = np.einsum("ik,ijk->ij", z[start:stop], diff)
        expo = -sq / (2 * sigma**2) - cross / sigma
        top = expo.max(axis=1)
        values[start:stop] = np.log(n) - top - np.log(np.exp(expo - top[:, None]).sum(axis=1))
    estimate = float(values.mean() / lb)
    stderr = float(values.std(ddof=1) / np.sqrt(values.size) / lb)
    return estimate, stderr


@dataclass(frozen=True)
class BottleneckResult:
    """The solution of :func:`information_bottleneck`; unpacks as ``encoder, i_xt, i_ty``.

    encoder : (|X|, n_clusters) array, the encoder p(t | x); each row sums to 1.
    i_xt, i_ty : I(X; T) and I(T; Y) of that encoder, in the unit of ``base`` (bits).
    p_t : (n_clusters,) the marginal p(t) = Σ_x p(x) p(t | x).
    p_y_given_t : (n_clusters, |Y|) the decoder p(y | t) (a cluster with p(t) = 0 gets p(y)).
    lagrangian : the IB Lagrangian I(X; T) − β I(T; Y) of the initial encoder and after
        every iteration (non-increasing: each iteration is a block-coordinate descent step).
    n_iter : iterations run; converged : True if the encoder moved by less than ``tol``.
    """

    encoder: np.ndarray
    i_xt: float
    i_ty: float
    p_t: np.ndarray
    p_y_given_t: np.ndarray
    lagrangian: np.ndarray
    n_iter: int
    converged: bool

    def __iter__(self):
        return iter((self.encoder, self.i_xt, self.i_ty))


def _joint_table(p_xy: Any) -> np.ndarray:
    """p_xy as a (|X|, |Y|) joint distribution whose every row has positive mass."""
    arr = as_float_array(p_xy, "p_xy", ndim=2, dtype=np.float64)
    p_xy = _distribution(arr, "p_xy")
    empty = np.flatnonzero(p_xy.sum(axis=1) == 0)
    if empty.size:
        raise ValueError(
            f"p_xy has rows of zero probability (x = {empty.tolist()}): p(y | x) is undefined "
            "there; drop those rows"
        )
    return p_xy


def _mi_of_joint(joint: np.ndarray) -> float:
    """I of a joint table, in nats: H(rows) + H(columns) − H(joint), never below 0."""
    h = entr(joint.sum(axis=1)).sum() + entr(joint.sum(axis=0)).sum() - entr(joint).sum()
    return float(max(h, 0.0))


def _ib_decoder(p_xy: np.ndarray, encoder: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """p(t) = Σ_x p(x) p(t|x) and p(y|t) = Σ_x p(t|x) p(x, y) / p(t)   (eq-it-ib-marginals)."""
    p_t = p_xy.sum(axis=1) @ encoder
    joint_ty = encoder.T @ p_xy
    p_y = p_xy.sum(axis=0)
    safe = np.where(p_t > 0, p_t, 1.0)[:, None]
    return p_t, np.where(p_t[:, None] > 0, joint_ty / safe, p_y[None, :])


def _ib_encoder(p_xy: np.ndarray, p_t: np.ndarray, p_y_given_t: np.ndarray, beta: float):
    """p(t|x) ∝ p(t) exp(−β D(p(y|x) ‖ p(y|t)))   (eq-it-ib-encoder), in log space."""
    p_y_given_x = p_xy / p_xy.sum(axis=1, keepdims=True)
    kl = rel_entr(p_y_given_x[:, None, :], p_y_given_t[None, :, :]).sum(axis=2)
    with np.errstate(divide="ignore"):
        logits = np.log(p_t)[None, :] - (beta * kl if beta > 0 else np.zeros_like(kl))
    top = logits.max(axis=1, keepdims=True)
    w = np.exp(logits - top)
    return w / w.sum(axis=1, keepdims=True)


def information_bottleneck(
    p_xy: Any,
    beta: float,
    n_clusters: int,
    n_iter: int = 500,
    rng: Rng = 0,
    *,
    init: Any = None,
    tol: float = 1e-10,
    base: float = 2,
) -> BottleneckResult:
    """The information bottleneck by Tishby, Pereira and Bialek's self-consistent iteration.

    Problem: over encoders p(t | x) with t in {0, …, n_clusters − 1}, T − X − Y a Markov chain,

    .. math:: min  I(X; T) − β I(T; Y)                                       (eq-it-ib-lagrangian)

    Starting from ``init`` (or a random encoder drawn from ``rng``), each iteration computes
    p(t) and p(y | t) from the encoder (eq-it-ib-marginals) and then the new encoder

    .. math:: p(t | x) = p(t) exp(−β D_KL(p(y | x) ‖ p(y | t))) / Z(x, β)     (eq-it-ib-encoder)

    until the encoder changes by less than ``tol`` (max-norm) or ``n_iter`` iterations.
    Each iteration minimises Tishby et al.'s functional over one block of variables, so the
    Lagrangian never increases; the limit satisfies the self-consistent equations. It is a
    stationary point, not necessarily the global minimum: for the optimal information curve
    anneal in β (pass the previous solution as ``init``) or keep the best of several seeds.

    When to use it: discrete X and Y with a known joint table ``p_xy`` (shape (|X|, |Y|),
    entries ≥ 0 summing to 1, no empty row). For jointly Gaussian X, Y the optimum is known
    in closed form (Chechik et al. 2005); for samples or networks, variational bounds are used.

    Returns a :class:`BottleneckResult` (unpacks as ``encoder, i_xt, i_ty``), informations in
    bits by default (``base``).

    >>> p_xy = np.array([[0.25, 0.0], [0.0, 0.25], [0.25, 0.0], [0.0, 0.25]])  # Y = X mod 2
    >>> encoder, i_xt, i_ty = information_bottleneck(p_xy, beta=20.0, n_clusters=2)
    >>> round(i_xt, 6), round(i_ty, 6)  # T keeps Y's bit of X and forgets the other bit
    (1.0, 1.0)

    Reference: N. Tishby, F. C. Pereira and W. Bialek, "The information bottleneck method",
    Allerton Conference 1999 (arXiv:physics/0004057).
    """
    lb = _log_base(base)
    p_xy = _joint_table(p_xy)
    beta = check_scalar(beta, "beta", low=0.0)
    n_clusters = check_scalar(n_clusters, "n_clusters", low=1, integer=True)
    n_iter = check_scalar(n_iter, "n_iter", low=1, integer=True)
    tol = check_scalar(tol, "tol", low=0.0)
    n_x = p_xy.shape[0]
    if init is None:
        encoder = _as_rng(rng).dirichlet(np.ones(n_clusters), size=n_x)
    else:
        encoder = as_float_array(init, "init", ndim=2, dtype=np.float64)
        if encoder.shape != (n_x, n_clusters):
            raise ValueError(
                f"init must have shape (|X|, n_clusters) = ({n_x}, {n_clusters}), "
                f"got {encoder.shape}"
            )
        if np.any(encoder < 0) or not np.allclose(encoder.sum(axis=1), 1.0, atol=1e-8):
            raise ValueError("init must be an encoder: non-negative rows that sum to 1")
        encoder = encoder / encoder.sum(axis=1, keepdims=True)
    p_x = p_xy.sum(axis=1)

    def lagrangian(enc: np.ndarray) -> float:
        return _mi_of_joint(p_x[:, None] * enc) - beta * _mi_of_joint(enc.T @ p_xy)

    history = [lagrangian(encoder)]
    converged = False
    it = 0
    for it in range(1, n_iter + 1):  # noqa: B007 (it is reported)
        p_t, p_y_given_t = _ib_decoder(p_xy, encoder)
        new = _ib_encoder(p_xy, p_t, p_y_given_t, beta)
        change = float(np.max(np.abs(new - encoder)))
        encoder = new
        history.append(lagrangian(encoder))
        if change < tol:
            converged = True
            break
    p_t, p_y_given_t = _ib_decoder(p_xy, encoder)
    return BottleneckResult(
        encoder=encoder,
        i_xt=_mi_of_joint(p_x[:, None] * encoder) / lb,
        i_ty=_mi_of_joint(encoder.T @ p_xy) / lb,
        p_t=p_t,
        p_y_given_t=p_y_given_t,
        lagrangian=np.array(history) / lb,
        n_iter=it,
        converged=converged,
    )


def _merge_and_split(encoder: np.ndarray, p_xy: np.ndarray, gen, eps: float) -> np.ndarray:
    """Merge clusters with the same decoder p(y|t), then split each into two perturbed halves.

    Deterministic annealing: a cluster can only split at a critical β if it has a twin to split
    from, so every distinct cluster gets one (while free columns remain).
    """
    p_t, p_y_given_t = _ib_decoder(p_xy, encoder)
    merged, centres = np.zeros_like(encoder), []
    for t in np.argsort(-p_t):
        if p_t[t] <= 1e-12:
            continue
        same = [j for j, c in enumerate(centres) if np.max(np.abs(c - p_y_given_t[t])) < 1e-6]
        if same:
            merged[:, same[0]] += encoder[:, t]
        else:
            merged[:, len(centres)] = encoder[:, t]
            centres.append(p_y_given_t[t])
    m = len(centres)
    for j in range(min(m, encoder.shape[1] - m)):
        half = merged[:, j] * (0.5 + eps * gen.uniform(-1.0, 1.0, size=encoder.shape[0]))
        merged[:, m + j], merged[:, j] = half, merged[:, j] - half
    return merged


def information_curve(
    p_xy: Any,
    betas: Any,
    n_clusters: int,
    *,
    n_iter: int = 2000,
    rng: Rng = 0,
    tol: float = 1e-9,
    base: float = 2,
) -> list[BottleneckResult]:
    """IB solutions along increasing β by deterministic annealing; one result per β.

    Starts from the trivial encoder (everything in one cluster). Before each β, clusters with
    the same decoder are merged and each is split into two twins that differ by a relative
    perturbation of 1 % per x; :func:`information_bottleneck` then runs from there. A twin pair
    drifts apart once β passes the value where the cluster becomes linearly unstable (close to
    it the drift is slow, and the ``tol``-based stop may end the run before the twins separate),
    so the solutions follow the transitions that a symmetric split can reach. It cannot find a
    transition that starts with a cluster of vanishing mass: the optimal curve can leave the
    trivial encoder below the linear threshold (see Section 5.4). Annealing is a
    heuristic (it can still end in a local optimum), but on small problems it finds what
    random restarts do not: at large β with n_clusters ≥ |X| it reaches I(T; Y) = I(X; Y).

    ``betas`` must be positive and strictly increasing. Informations in bits by default.

    >>> p_xy = np.array([[0.3, 0.1], [0.1, 0.3], [0.1, 0.1]])
    >>> curve = information_curve(p_xy, np.geomspace(0.5, 500, 13), n_clusters=3)
    >>> round(curve[0].i_ty, 6), round(curve[-1].i_ty, 6), round(mutual_information_table(p_xy), 6)
    (0.0, 0.150978, 0.150978)

    Reference: N. Slonim, "The information bottleneck: theory and applications", PhD thesis,
    Hebrew University, 2002 (deterministic annealing, Section 3.2).
    """
    betas_arr = as_float_array(betas, "betas", ndim=1, dtype=np.float64)
    if np.any(betas_arr <= 0) or np.any(np.diff(betas_arr) <= 0):
        raise ValueError("betas must be positive and strictly increasing")
    p_xy = _joint_table(p_xy)
    n_clusters = check_scalar(n_clusters, "n_clusters", low=1, integer=True)
    gen = _as_rng(rng)
    encoder = np.zeros((p_xy.shape[0], n_clusters))
    encoder[:, 0] = 1.0
    curve = []
    for beta in betas_arr:
        init = _merge_and_split(encoder, p_xy, gen, 0.01)
        result = information_bottleneck(
            p_xy, float(beta), n_clusters, n_iter=n_iter, init=init, tol=tol, base=base
        )
        encoder = result.encoder
        curve.append(result)
    return curve


def mutual_information_table(p_xy: Any, base: float = 2) -> float:
    """I(X; Y) of a joint distribution given as a table p(x, y) (any shape (|X|, |Y|)), bits."""
    lb = _log_base(base)
    p_xy = _distribution(as_float_array(p_xy, "p_xy", ndim=2, dtype=np.float64), "p_xy")
    return _mi_of_joint(p_xy) / lb
