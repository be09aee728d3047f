"""Statistical learning theory, computed (Chapter 6).

Sample complexity, growth functions, shattering, Rademacher complexity, stability,
model selection, double descent and PAC-Bayes bounds, each a small exact function that
the chapter checks against simulation.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
from scipy.optimize import linprog
from scipy.stats import binom

from . import _validate as _v
from ._validate import as_float_array, as_int_array, check_scalar

# Each section of Chapter 6 keeps its functions under its own heading below.

# ---------------------------------------------------------------------------
# Sections 6.1-6.3: PAC learning, concentration, VC dimension
# ---------------------------------------------------------------------------


def _positive_int(value: Any, name: str, *, low: int = 0) -> int:
    """``value`` as a Python int >= ``low``; integral floats are accepted, 2.5 and True are not."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if not np.isfinite(value) or not float(value).is_integer():
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value!r}")
    return int(value)


def hoeffding_sample_size(epsilon: float, delta: float, n_hypotheses: int = 1) -> int:
    r"""The smallest sample size that makes Hoeffding + the union bound certify ``epsilon``.

    Problem: the smallest integer :math:`m` with

    .. math:: 2\,|\mathcal H|\, e^{-2 m \varepsilon^2} \le \delta ,

    that is :math:`m = \lceil \ln(2|\mathcal H|/\delta) / (2\varepsilon^2) \rceil` (eq.
    ``eq-lt-finite-class-sample-size``). With that many i.i.d. samples of a loss in
    :math:`[0, 1]`, every one of the ``n_hypotheses`` empirical risks is within ``epsilon`` of
    its risk, simultaneously, with probability at least :math:`1 - \delta`.

    When to use it: the agnostic PAC sample size of a finite class; ``n_hypotheses=1`` is a
    single Hoeffding confidence interval. For the realizable case the smaller
    :math:`\lceil \ln(|\mathcal H|/\delta)/\varepsilon \rceil` suffices.

    >>> hoeffding_sample_size(0.1, 0.05)
    185
    >>> hoeffding_sample_size(0.1, 0.05, n_hypotheses=21)
    337

    Reference: Hoeffding (1963); Shalev-Shwartz & Ben-David (2014), Corollary 4.6.
    """
    eps = check_scalar(epsilon, "epsilon", low=0.0, low_inclusive=False)
    dlt = check_scalar(delta, "delta", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    n_h = _positive_int(n_hypotheses, "n_hypotheses", low=1)
    log_ratio = math.log(2 * n_h) - math.log(dlt)  # > 0 since delta < 1 <= 2 n_h

    def fails(m: int) -> bool:  # 2 n_h e^{-2 m eps^2} > delta, compared in logs
        return log_ratio - 2 * m * eps * eps > 0

    m = max(1, math.ceil(log_ratio / (2 * eps * eps)))
    while m > 1 and not fails(m - 1):  # guard against rounding in the closed form
        m -= 1
    while fails(m):
        m += 1
    return m


def sauer_shelah(m: int, d: int) -> int:
    r"""The Sauer–Shelah bound :math:`\Phi_d(m) = \sum_{i=0}^{d} \binom{m}{i}`, as an exact integer.

    A class of VC dimension :math:`d` realises at most :math:`\Phi_d(m)` labelings of any
    :math:`m` points (eq. ``eq-lt-sauer``); for :math:`m \ge d \ge 1` this is at most
    :math:`(em/d)^d`, and for :math:`m \le d` it equals :math:`2^m`.

    When to use it: to turn a VC dimension into a growth function in a generalization bound
    (:func:`vc_generalization_bound`). Exact for every size: Python integers do not overflow.

    >>> sauer_shelah(10, 2), sauer_shelah(3, 5)
    (56, 8)

    Reference: Sauer (1972); Shelah (1972); Vapnik & Chervonenkis (1971).
    """
    m_ = _positive_int(m, "m")
    d_ = _positive_int(d, "d")
    return sum(math.comb(m_, i) for i in range(min(d_, m_) + 1))


def _points_2d(points: Any) -> np.ndarray:
    pts = as_float_array(points, "points", ndim=(1, 2))
    return pts[:, None] if pts.ndim == 1 else pts


def _labels_pm1(labels: Any, n: int) -> np.ndarray:
    lab = as_float_array(labels, "labels", ndim=1, nonempty=False)
    if lab.shape != (n,):
        raise ValueError(
            f"labels must have one entry per point, got shape {lab.shape} for {n} points"
        )
    if not np.all(np.isin(lab, (-1.0, 1.0))):
        raise ValueError("labels must hold only -1 and +1")
    return lab


def halfspace_separable(points: Any, labels: Any) -> bool:
    r"""Whether some affine halfspace :math:`x \mapsto \operatorname{sign}(w^\top x + b)` realises ``labels``.

    Problem: is the linear program

    .. math:: \text{find } (w, b) \text{ with } y_i (w^\top x_i + b) \ge 1,\ i = 1, \dots, n

    feasible? (A strict separation :math:`y_i(w^\top x_i + b) > 0` of finitely many points can
    always be rescaled to margin 1, so this decides realisability exactly in exact arithmetic,
    eq. ``eq-lt-separability-lp``.) Solved with ``scipy.optimize.linprog`` (HiGHS), so the
    answer is exact only up to the solver's feasibility tolerance (about 1e-7): a labeling whose
    margin-1 separator needs a huge :math:`\lVert w\rVert` (near-degenerate points, e.g.
    ``[[0, 0], [1, 0], [2, 1e-10]]``) can be reported non-separable.

    ``points`` has shape ``(n, d)`` (or ``(n,)`` for points on a line), ``labels`` holds
    :math:`\pm 1`.

    >>> halfspace_separable([[0, 0], [1, 1]], [1, -1])
    True
    >>> halfspace_separable([[0, 0], [1, 1], [1, 0], [0, 1]], [1, 1, -1, -1])  # XOR
    False

    Reference: Cover (1965); any linear-programming text for feasibility problems.
    """
    pts = _points_2d(points)
    y = _labels_pm1(labels, len(pts))
    return _separable(pts, y)


def _separable(pts: np.ndarray, y: np.ndarray) -> bool:
    if np.all(y == y[0]):
        return True  # w = 0, b = y_0
    n, d = pts.shape
    # variables (w, b) free; constraints -y_i (x_i, 1) . (w, b) <= -1
    a_ub = -y[:, None] * np.hstack([pts, np.ones((n, 1))])
    res = linprog(
        np.zeros(d + 1),
        A_ub=a_ub,
        b_ub=-np.ones(n),
        bounds=[(None, None)] * (d + 1),
        method="highs",
    )
    if res.status not in (0, 2):  # 0 feasible (optimal), 2 infeasible
        raise RuntimeError(f"linprog failed on a separability problem: {res.message}")
    return res.status == 0


_MAX_ENUMERATED_POINTS = 22  # 2^21 linear programs: beyond this enumeration is hopeless anyway


def _all_labelings(n: int) -> Iterator[np.ndarray]:
    """Every labeling in {-1, +1}^n whose first entry is +1 (the others are their negations), lazily."""
    for tail in itertools.product((1.0, -1.0), repeat=n - 1):
        yield np.array((1.0, *tail))


def _enumerable_points(points: Any) -> np.ndarray:
    pts = _points_2d(points)
    if len(pts) > _MAX_ENUMERATED_POINTS:
        raise ValueError(
            f"points has {len(pts)} rows; enumerating all labelings needs 2^{len(pts) - 1} linear "
            f"programs, so at most {_MAX_ENUMERATED_POINTS} points are accepted"
        )
    return pts


def halfspace_dichotomies(points: Any) -> int:
    r"""The number of labelings of ``points`` that affine halfspaces realise, by enumeration.

    Each of the :math:`2^n` labelings is decided exactly by :func:`halfspace_separable`; a
    labeling and its negation are realisable together (:math:`(w, b) \to (-w, -b)`), so
    :math:`2^{n-1}` linear programs suffice. For :math:`n` points in general position in
    :math:`\mathbb R^d` the count is Cover's :math:`2\sum_{k=0}^{d}\binom{n-1}{k}`
    (eq. ``eq-lt-cover``); the growth function of halfspaces is its maximum over configurations.

    >>> halfspace_dichotomies([[0, 0], [1, 0], [0, 1], [1, 1]])  # a square: all but the 2 XORs
    14

    Labelings are generated one at a time; at most 22 points are accepted (``ValueError``
    above). Each linear program is exact only up to the solver's feasibility tolerance (see
    :func:`halfspace_separable`): near-degenerate sets can be undercounted.

    Reference: Cover (1965), Theorem 1.
    """
    pts = _enumerable_points(points)
    return 2 * sum(_separable(pts, y) for y in _all_labelings(len(pts)))


def halfspace_shatters(points: Any) -> bool:
    r"""Whether affine halfspaces in :math:`\mathbb R^d` shatter ``points`` (realise all :math:`2^n` labelings).

    Every labeling is a linear-programming feasibility problem (:func:`halfspace_separable`,
    exact up to the solver's feasibility tolerance); labelings are generated one at a time and it
    stops at the first one that is not realisable. At most 22 points are accepted (``ValueError``).
    Halfspaces in :math:`\mathbb R^d` shatter some :math:`d + 1` points (any affinely
    independent ones) and no :math:`d + 2` points (Radon's theorem): VC dimension :math:`d + 1`.

    >>> halfspace_shatters([[0, 0], [1, 0], [0, 1]]), halfspace_shatters([[0, 0], [1, 0], [2, 0]])
    (True, False)

    Reference: Vapnik & Chervonenkis (1971); Radon (1921).
    """
    pts = _enumerable_points(points)
    return all(_separable(pts, y) for y in _all_labelings(len(pts)))


def interval_dichotomies(points: Any) -> int:
    r"""The number of labelings of points on a line realised by intervals :math:`\mathbb 1[a \le x \le b]`.

    Brute force: every interval with endpoints between consecutive distinct points (or
    outside all of them), plus the empty interval, is applied and the distinct labelings are
    counted. For :math:`m` distinct points the answer is :math:`m(m+1)/2 + 1`, the
    Sauer–Shelah bound :math:`\Phi_2(m)` with equality (eq. ``eq-lt-interval-growth``).

    >>> interval_dichotomies([0.1, 0.5, 0.9])
    7

    Reference: Shalev-Shwartz & Ben-David (2014), Section 6.3.
    """
    x = as_float_array(points, "points", ndim=1)
    u = np.unique(x)
    cuts = np.concatenate([[u[0] - 1.0], (u[:-1] + u[1:]) / 2, [u[-1] + 1.0]])
    seen = {tuple(np.zeros(len(x), dtype=bool))}  # the empty interval
    for i, a in enumerate(cuts):
        for b in cuts[i + 1 :]:
            seen.add(tuple((x >= a) & (x <= b)))
    return len(seen)


def vc_generalization_bound(m: int, vc_dim: int, delta: float) -> float:
    r"""The VC bound on :math:`\sup_h (L(h) - \hat L(h))` for 0-1 loss, with probability :math:`\ge 1 - \delta`.

    .. math:: 2\sqrt{\frac{2\big(\ln \Phi_d(2m) + \ln(2/\delta)\big)}{m}}

    with the growth function :math:`S(2m)` replaced by the Sauer–Shelah bound
    :math:`\Phi_d(2m)` (eq. ``eq-lt-vc-bound``). Valid for every distribution and every
    hypothesis of a class of VC dimension ``vc_dim``, in particular the one a learner picks.

    >>> round(vc_generalization_bound(1000, 3, 0.05), 4)
    0.4445

    Reference: Vapnik & Chervonenkis (1971); Bousquet, Boucheron & Lugosi (2004), Theorem 2.
    """
    m_ = _positive_int(m, "m", low=1)
    d_ = _positive_int(vc_dim, "vc_dim")
    dlt = check_scalar(delta, "delta", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    log_growth = math.log(sauer_shelah(2 * m_, d_))
    return 2.0 * math.sqrt(2.0 * (log_growth + math.log(2.0 / dlt)) / m_)


def perceptron(X: Any, y: Any, max_epochs: int = 1000) -> tuple[np.ndarray, int]:
    r"""Rosenblatt's perceptron through the origin: returns the weights and the number of mistakes.

    Cycles through the rows of ``X`` in order; on a mistake, :math:`y_i\, w^\top x_i \le 0`,
    it updates :math:`w \leftarrow w + y_i x_i` (from :math:`w = 0`). It stops after a full pass
    without a mistake. On data with :math:`\lVert x_i\rVert \le R` separated by a unit vector
    with margin :math:`\gamma` it makes at most :math:`(R/\gamma)^2` mistakes in total
    (Novikoff, eq. ``eq-lt-novikoff``). Add a constant column to ``X`` for a bias.

    Raises ``RuntimeError`` if ``max_epochs`` passes were not enough (non-separable data).

    >>> perceptron([[1.0, 0.2], [-1.0, 0.1], [0.8, -0.3]], [1, -1, 1])
    (array([1. , 0.2]), 1)

    Reference: Rosenblatt (1958); Novikoff (1962).
    """
    A = as_float_array(X, "X", ndim=2)
    lab = _labels_pm1(y, len(A))
    epochs = _positive_int(max_epochs, "max_epochs", low=1)
    w = np.zeros(A.shape[1])
    mistakes = 0
    for _ in range(epochs):
        clean = True
        for xi, yi in zip(A, lab, strict=True):
            if yi * (w @ xi) <= 0:
                w = w + yi * xi
                mistakes += 1
                clean = False
        if clean:
            return w, mistakes
    raise RuntimeError(
        f"the perceptron still made mistakes after max_epochs={epochs} passes; "
        "the data may not be linearly separable through the origin"
    )


def halving_mistakes(predictions: Any, labels: Any) -> int:
    r"""Mistakes of the halving algorithm on a labelled sequence, for a finite class.

    ``predictions[j, t]`` in {0, 1} is what hypothesis :math:`j` says at round :math:`t`;
    ``labels[t]`` is the true label. At each round the learner predicts the majority vote of
    the hypotheses still consistent with every label so far (ties predict 1), then discards
    those that were wrong. If some hypothesis is right at every round, every mistake at least
    halves the surviving set, so there are at most :math:`\lfloor\log_2 |\mathcal H|\rfloor`
    mistakes (eq. ``eq-lt-halving``).

    >>> halving_mistakes([[0, 0, 0], [0, 0, 1], [0, 1, 1], [1, 1, 1]], [0, 1, 1])
    1

    Reference: Littlestone (1988); Shalev-Shwartz & Ben-David (2014), Section 21.1.
    """
    P = as_int_array(predictions, "predictions", ndim=2)
    if P.shape[0] == 0:
        raise ValueError("predictions needs at least one row (one hypothesis); got 0 rows")
    lab = as_int_array(labels, "labels", ndim=1)
    if P.shape[1] != lab.shape[0]:
        raise ValueError(
            f"predictions has {P.shape[1]} rounds (columns) but labels has {lab.shape[0]} entries"
        )
    if not (np.all(np.isin(P, (0, 1))) and np.all(np.isin(lab, (0, 1)))):
        raise ValueError("predictions and labels must hold only 0 and 1")
    alive = np.ones(P.shape[0], dtype=bool)
    mistakes = 0
    for t in range(lab.shape[0]):
        votes = P[alive, t]
        guess = int(2 * votes.sum() >= votes.size)
        mistakes += int(guess != lab[t])
        alive &= P[:, t] == lab[t]
        if not alive.any():
            raise ValueError(
                f"no hypothesis is consistent with the labels up to round {t}: "
                "the halving algorithm needs a realizable sequence"
            )
    return mistakes


def binomial_band(trials: int, probability: float, level: float = 0.9999) -> tuple[int, int]:
    r"""The central ``level`` interval of a Binomial(``trials``, ``probability``) count.

    A frequency claim "event E has probability at most p" is checked on ``trials``
    independent repetitions by asserting that the count of E is at most the upper end:
    if the claim holds, that assert fails with probability at most :math:`(1-\text{level})/2`.
    It is ``scipy.stats.binom.interval``, with validated inputs.

    >>> binomial_band(2000, 0.05)
    (64, 140)

    Reference: any statistics text; Clopper & Pearson (1934) for the inverted form.
    """
    n = _positive_int(trials, "trials", low=1)
    p = check_scalar(probability, "probability", low=0.0, high=1.0)
    lv = check_scalar(level, "level", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    lo, hi = binom.interval(lv, n, p)
    return int(lo), int(hi)


# ---------------------------------------------------------------------------
# Sections 6.4-6.6: Rademacher complexity and stability, model selection, double descent and PAC-Bayes
# ---------------------------------------------------------------------------


def _design(X: Any, name: str = "X") -> np.ndarray:
    return _v.as_float_array(X, name, ndim=2, dtype=np.float64)


def rademacher_linear(
    X: np.ndarray,
    bound: float,
    n_draws: int = 1000,
    rng: np.random.Generator | int | None = None,
) -> float:
    r"""Monte-Carlo empirical Rademacher complexity of the ball ``{x ↦ w·x : ‖w‖₂ ≤ bound}``.

    Problem, eq. (eq-lt-rad-linear): on the sample ``x_1..x_m`` (rows of ``X``),

    .. math:: \hat{\mathfrak R}_S = \mathbb E_\sigma \sup_{\|w\|\le B} \frac1m \sum_i \sigma_i w\cdot x_i
              = \frac{B}{m}\, \mathbb E_\sigma \Big\| \sum_i \sigma_i x_i \Big\|_2 ,

    the supremum being attained at ``w = B s/‖s‖`` with ``s = Σ σ_i x_i``. The expectation
    over the ``2^m`` sign vectors is estimated with ``n_draws`` random ones; use
    :func:`rademacher_linear_exact` for small ``m`` and the Jensen bound
    ``B √(Σ‖x_i‖²)/m`` when you need a guarantee rather than a number.

    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> round(rademacher_linear(X, 1.0, n_draws=100, rng=0), 6)  # ‖σ_1 e_1 + σ_2 e_2‖ = √2 always
    0.707107

    Reference: Bartlett & Mendelson (2002), Lemma 22.
    """
    X = _design(X)
    bound = _v.check_scalar(bound, "bound", low=0)
    n_draws = _v.check_scalar(n_draws, "n_draws", low=1, integer=True)
    rng = np.random.default_rng(rng)
    m = X.shape[0]
    total = 0.0
    for start in range(0, n_draws, 4096):  # batches keep memory at 4096 × m signs
        size = min(4096, n_draws - start)
        signs = rng.choice(np.array([-1.0, 1.0]), size=(size, m))
        total += float(np.linalg.norm(signs @ X, axis=1).sum())
    return bound * total / (n_draws * m)


def rademacher_linear_exact(X: np.ndarray, bound: float) -> float:
    r"""The empirical Rademacher complexity of the linear ball, averaging over all ``2^m`` signs.

    Exact value of eq. (eq-lt-rad-linear) for ``m ≤ 20`` rows (``2^20`` sign vectors); the
    truth that :func:`rademacher_linear` estimates.

    >>> round(rademacher_linear_exact(np.array([[3.0], [4.0]]), 1.0), 6)  # (|3+4| + |3-4|)/2 / 2
    2.0
    """
    X = _design(X)
    bound = _v.check_scalar(bound, "bound", low=0)
    m = X.shape[0]
    if m > 20:
        raise ValueError(f"X has {m} rows; exact enumeration of 2^m sign vectors needs m <= 20")
    codes = np.arange(2**m)[:, None] >> np.arange(m)[None, :]
    signs = np.where(codes & 1, 1.0, -1.0)
    return bound * float(np.linalg.norm(signs @ X, axis=1).mean()) / m


def kl_bernoulli(q: float, p: float) -> float:
    """The Bernoulli relative entropy ``kl(q‖p) = q ln(q/p) + (1−q) ln((1−q)/(1−p))`` in nats.

    ``0 ln 0 = 0``; the value is ``inf`` when ``p`` is 0 or 1 and ``q`` is not.

    >>> round(kl_bernoulli(0.5, 0.25), 6)
    0.143841
    """
    q = _v.check_scalar(q, "q", low=0, high=1)
    p = _v.check_scalar(p, "p", low=0, high=1)
    out = 0.0
    for a, b in ((q, p), (1 - q, 1 - p)):
        if a > 0:
            if b == 0:
                return float("inf")
            out += a * np.log(a / b)
    return float(max(out, 0.0))


def kl_inverse(q: float, c: float, *, tol: float = 1e-12) -> float:
    r"""The largest ``p ≥ q`` with ``kl(q‖p) ≤ c`` (Bernoulli KL in nats), eq. (eq-lt-kl-inverse).

    ``p ↦ kl(q‖p)`` is 0 at ``p = q`` and increases to ``∞`` at ``p = 1`` (for ``q < 1``), so the
    answer is the unique root of ``kl(q‖p) = c`` in ``[q, 1)``, found here by bisection to
    ``tol``, never overshooting. Turns a bound on ``kl(empirical‖true)`` into a bound on the
    true risk; it is tighter than ``q + √(c/2)`` (Pinsker) everywhere.

    >>> round(kl_inverse(0.0, np.log(2)), 9)  # kl(0‖p) = −ln(1−p) = ln 2  ⇒  p = 1/2
    0.5

    Reference: Langford & Seeger (2001); Maurer (2004).
    """
    q = _v.check_scalar(q, "q", low=0, high=1)
    c = _v.check_scalar(c, "c", low=0)
    tol = _v.check_scalar(tol, "tol", low=0, low_inclusive=False)
    if q == 1.0 or c == 0.0:
        return q
    lo, hi = q, 1.0  # kl(q‖lo) ≤ c < kl(q‖hi) = ∞
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if kl_bernoulli(q, mid) <= c:
            lo = mid
        else:
            hi = mid
    return lo


def pac_bayes_bound(empirical_risk: float, kl: float, n: int, delta: float) -> float:
    r"""Maurer's PAC-Bayes-kl bound on the risk of a stochastic predictor ``Q``, eq. (eq-lt-maurer).

    For a prior ``P`` fixed before seeing the ``n`` i.i.d. samples and a loss in ``[0, 1]``:
    with probability at least ``1 − δ``, for every posterior ``Q`` simultaneously,

    .. math:: \mathrm{kl}\big(\hat L(Q)\,\|\,L(Q)\big) \le \frac{\mathrm{KL}(Q\|P) + \ln(2\sqrt n/\delta)}{n},

    so ``L(Q) ≤ kl_inverse(L̂(Q), (KL + ln(2√n/δ))/n)``, the value returned. Here
    ``L(Q) = E_{h∼Q} L(h)`` is the risk of the *stochastic* predictor (draw ``h`` afresh for
    each input), not of the posterior mean.

    The ``2√n`` comes from Maurer's bound ``ξ(n) = Σ_k C(n,k)(k/n)^k(1−k/n)^(n−k) ≤ 2√n`` on the
    moment generating term, which he proves for ``n ≥ 8``; direct computation shows it for
    ``n = 1..7`` as well (with equality at ``n = 1``), so the formula is valid for every ``n ≥ 1``.

    >>> round(pac_bayes_bound(0.0, 0.0, 100, 0.05), 4)  # 1 − e^{−ln(400)/100}
    0.0582

    Reference: Maurer (2004), Theorem 5; Dziugaite & Roy (2017).
    """
    empirical_risk = _v.check_scalar(empirical_risk, "empirical_risk", low=0, high=1)
    kl = _v.check_scalar(kl, "kl", low=0)
    n = _v.check_scalar(n, "n", low=1, integer=True)
    delta = _v.check_scalar(
        delta, "delta", low=0, high=1, low_inclusive=False, high_inclusive=False
    )
    return kl_inverse(empirical_risk, (kl + np.log(2 * np.sqrt(n) / delta)) / n)


def _ridge_hat(X: np.ndarray, lam: float) -> np.ndarray:
    m, d = X.shape
    if d <= m:
        return X @ np.linalg.solve(X.T @ X + lam * np.eye(d), X.T)
    return np.eye(m) - lam * np.linalg.inv(X @ X.T + lam * np.eye(m))


def loo_ridge(X: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    r"""Leave-one-out residuals of ridge regression (no intercept) by the hat matrix.

    Ridge fits ``w = (XᵀX + λI)⁻¹ Xᵀy`` and predicts ``ŷ = H y`` with ``H = X(XᵀX + λI)⁻¹Xᵀ``.
    The residual at ``x_i`` of the fit *without* sample ``i`` is, eq. (eq-lt-press),

    .. math:: y_i - \hat y_{-i}(x_i) = \frac{y_i - \hat y_i}{1 - H_{ii}},

    so all ``m`` leave-one-out residuals cost one fit instead of ``m`` (Allen's PRESS). Square
    and average them for the LOO error. Needs ``λ > 0``, or ``λ = 0`` with ``XᵀX`` invertible
    and no ``H_ii = 1``. Add a column of ones to ``X`` for an (also penalized) intercept.

    >>> X = np.array([[1.0], [2.0], [3.0]]); y = np.array([1.0, 2.0, 2.0])
    >>> np.round(loo_ridge(X, y, 0.0), 6)  # refits: w = 10/13, 7/10, 1 without samples 1, 2, 3
    array([ 0.230769,  0.6     , -1.      ])

    Reference: Allen (1974); Golub, Heath & Wahba (1979).
    """
    X = _design(X)
    y = _v.as_float_array(y, "y", ndim=1, dtype=np.float64)
    _v.check_same_length(X, y, "X", "y")
    lam = _v.check_scalar(lam, "lam", low=0)
    try:
        H = _ridge_hat(X, lam)
    except np.linalg.LinAlgError as exc:
        raise ValueError("XᵀX + lam·I is singular; use lam > 0") from exc
    leverage = np.diag(H)
    if np.any(1 - leverage < 1e-12):
        raise ValueError(
            "a sample has leverage H_ii = 1 (the fit passes through it whatever its label), "
            "so its leave-one-out residual is undefined; use lam > 0"
        )
    return (y - H @ y) / (1 - leverage)


def min_norm_risk(n: int, p: int, noise_var: float, signal_norm2: float) -> float:
    r"""Expected excess risk ``E‖β̂ − β‖²`` of minimum-norm least squares, eq. (eq-lt-min-norm-risk).

    Rows of the ``n × p`` design are i.i.d. ``N(0, I_p)``, ``y = Xβ + ε`` with
    ``ε ~ N(0, noise_var·I)``, ``β̂ = X⁺y``; for a fresh ``x ~ N(0, I_p)`` the excess risk
    ``E(x·β̂ − x·β)²`` is ``‖β̂ − β‖²``. Exactly (inverse-Wishart means and a uniformly random
    row space),

    .. math::
        \begin{cases}
        \sigma^2\, p/(n - p - 1) & p < n - 1,\\
        \|\beta\|^2 (1 - n/p) + \sigma^2\, n/(p - n - 1) & p > n + 1,
        \end{cases}

    and ``inf`` for ``p ∈ {n − 1, n, n + 1}`` (the expectation diverges: double descent's peak).
    Without noise the fit is exact up to the projection: ``‖β‖² max(0, 1 − n/p)`` for every ``p``.
    ``signal_norm2`` is ``‖β‖²`` (or ``E‖β‖²`` for a random ``β`` independent of ``X``).

    >>> min_norm_risk(40, 20, 1.0, 1.0)  # 20/19
    1.0526315789473684
    >>> min_norm_risk(40, 80, 1.0, 1.0)  # 1/2 + 40/39
    1.5256410256410255

    Reference: Belkin, Hsu & Xu (2020); Hastie, Montanari, Rosset & Tibshirani (2022).
    """
    n = _v.check_scalar(n, "n", low=1, integer=True)
    p = _v.check_scalar(p, "p", low=1, integer=True)
    noise_var = _v.check_scalar(noise_var, "noise_var", low=0)
    signal_norm2 = _v.check_scalar(signal_norm2, "signal_norm2", low=0)
    if noise_var == 0.0:
        return signal_norm2 * max(0.0, 1 - n / p)
    if p < n - 1:
        return noise_var * p / (n - p - 1)
    if p > n + 1:
        return signal_norm2 * (1 - n / p) + noise_var * n / (p - n - 1)
    return float("inf")


def kfold_splits(n: int, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The ``k`` (train, test) index pairs of k-fold cross-validation, in order, unshuffled.

    Fold ``j`` tests on a contiguous block; the first ``n mod k`` blocks have one sample more,
    exactly like scikit-learn's ``KFold(k)``. Shuffle the rows first if their order matters.

    >>> [test.tolist() for _, test in kfold_splits(5, 2)]
    [[0, 1, 2], [3, 4]]
    """
    n = _v.check_scalar(n, "n", low=1, integer=True)
    k = _v.check_scalar(k, "k", low=2, integer=True)
    if k > n:
        raise ValueError(f"k must be at most n (each fold needs a sample), got k={k}, n={n}")
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    stops = np.cumsum(sizes)
    idx = np.arange(n)
    return [
        (np.setdiff1d(idx, idx[a:b]), idx[a:b]) for a, b in zip(stops - sizes, stops, strict=True)
    ]


def kfold_cv(
    X: np.ndarray,
    y: np.ndarray,
    fit: Callable[[np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]],
    loss: Callable[[np.ndarray, np.ndarray], float],
    k: int | Sequence[tuple[np.ndarray, np.ndarray]] = 5,
) -> np.ndarray:
    r"""k-fold cross-validation: the loss of each fold's held-out block, eq. (eq-lt-kfold).

    ``fit(X_train, y_train)`` returns a predictor ``predict(X) -> ŷ``; ``loss(y, ŷ)`` is the
    average loss on a block. Fold ``j`` trains on all blocks but ``j`` and scores on block ``j``;
    the CV estimate is the mean of the returned array. ``k`` is the number of folds
    (:func:`kfold_splits`) or an explicit list of ``(train, test)`` index pairs.

    >>> X = np.arange(6.0)[:, None]; y = np.arange(6.0)
    >>> mean_fit = lambda X, y: (lambda Xn: np.full(len(Xn), y.mean()))
    >>> kfold_cv(X, y, mean_fit, lambda t, p: float(np.mean((t - p) ** 2)), k=2)
    array([9.66666667, 9.66666667])
    """
    X = _v.as_float_array(X, "X", ndim=(1, 2), dtype=np.float64)
    y = _v.as_float_array(y, "y", ndim=(1, 2), dtype=np.float64)
    _v.check_same_length(X, y, "X", "y")
    if not callable(fit) or not callable(loss):
        raise TypeError(
            "fit and loss must be functions: fit(X, y) -> predict, loss(y, y_hat) -> float"
        )
    if isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)):
        folds = kfold_splits(len(X), int(k))
    elif isinstance(k, (bool, np.bool_, float, np.floating, str, bytes)) or not hasattr(
        k, "__iter__"
    ):
        raise TypeError(
            "k must be an integer number of folds or a list of (train, test) index pairs, "
            f"got {type(k).__name__} {k!r}"
        )
    else:
        folds = list(k)
    out = []
    for j, (train, test) in enumerate(folds):
        train, test = np.asarray(train), np.asarray(test)
        if len(test) == 0 or len(train) == 0:
            raise ValueError(f"fold {j} has an empty train or test set")
        predict = fit(X[train], y[train])
        value = float(loss(y[test], predict(X[test])))
        if not np.isfinite(value):
            raise ValueError(f"the loss of fold {j} is {value}, not a finite number")
        out.append(value)
    return np.array(out)


def bootstrap_percentile(
    x: np.ndarray,
    statistic: Callable[..., np.ndarray] = np.mean,
    *,
    n_resamples: int = 999,
    level: float = 0.95,
    rng: np.random.Generator | int | None = None,
) -> tuple[float, float]:
    r"""Efron's bootstrap percentile interval for ``statistic(x)``, eq. (eq-lt-bootstrap).

    Draw ``n_resamples`` samples of size ``n`` from ``x`` with replacement, compute the
    statistic on each (``statistic(resamples, axis=-1)``, as NumPy reductions accept), and
    return the ``(1 − level)/2`` and ``(1 + level)/2`` quantiles of those values. Its
    coverage is only *asymptotically* ``level``; scipy's ``stats.bootstrap`` with
    ``method="percentile"`` is the same interval.

    >>> lo, hi = bootstrap_percentile(np.arange(20.0), rng=0)
    >>> bool(lo < 9.5 < hi)
    True

    Reference: Efron (1979); Efron & Tibshirani (1993), ch. 13.
    """
    x = _v.as_float_array(x, "x", ndim=1, dtype=np.float64)
    if len(x) < 2:
        raise ValueError(f"x needs at least 2 samples to resample, got {len(x)}")
    if not callable(statistic):
        raise TypeError(
            f"statistic must be a function like np.mean, got {type(statistic).__name__}"
        )
    n_resamples = _v.check_scalar(n_resamples, "n_resamples", low=1, integer=True)
    level = _v.check_scalar(
        level, "level", low=0, high=1, low_inclusive=False, high_inclusive=False
    )
    rng = np.random.default_rng(rng)
    stats = np.asarray(statistic(x[rng.integers(0, len(x), size=(n_resamples, len(x)))], axis=-1))
    if stats.shape != (n_resamples,) or not np.all(np.isfinite(stats)):
        raise ValueError("statistic(resamples, axis=-1) must return one finite number per resample")
    lo, hi = np.quantile(stats, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)
