"""Checks for Chapter 6, Statistical learning theory (exercise labels start with ``lt-``). How a check works: :mod:`nblib.exercises`."""

from __future__ import annotations

import numpy as np

from . import (
    Incorrect,
    as_answer_array,
    call_on_copy,
    expect_function,
    expect_scalar,
    register,
)

__all__: list[str] = []  # checks are reached through nblib.exercises.check(label, answer)


# ---------------------------------------------------------------------------
# Section 6.1
# ---------------------------------------------------------------------------


def _planted(seed: int, m: int, dim: int, gamma: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(dim)
    u /= np.linalg.norm(u)
    kept = np.empty((0, dim))
    while len(kept) < m:
        z = rng.standard_normal((4 * m, dim))
        z *= (rng.random(4 * m) ** (1 / dim) / np.linalg.norm(z, axis=1))[:, None]
        kept = np.vstack([kept, z[np.abs(z @ u) >= gamma]])
    X = kept[:m]
    return X, np.sign(X @ u)


@register("lt-perceptron")
def _check_perceptron(answer) -> str:
    from ..theory import perceptron as reference

    expect_function(answer, "perceptron")
    cases = [(101, 40, 2, 0.1), (102, 100, 5, 0.05), (103, 60, 3, 0.2)]
    for seed, m, dim, gamma in cases:
        X, y = _planted(seed, m, dim, gamma)
        out = call_on_copy(answer, "perceptron", X, y)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise Incorrect(
                f"perceptron should return a pair (w, mistakes), e.g. the tuple `return w, mistakes`; "
                f"got {type(out).__name__}"
                + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else "")
            )
        w, mistakes = out
        w = as_answer_array(w, "the weights w")
        if w.shape != (dim,):
            raise Incorrect(
                f"w has shape {w.shape}; for X of shape {X.shape} it should have shape ({dim},)"
            )
        w_ref, k_ref = reference(X, y)
        wrong = int(np.sum(y * (X @ w) <= 0))
        if wrong:
            raise Incorrect(
                f"your w misclassifies {wrong} of the {m} training points (or leaves them on the "
                "boundary): keep passing over the data until a whole pass makes no update, and treat "
                "y w.x <= 0 (including 0) as a mistake"
            )
        if (
            isinstance(mistakes, bool)
            or not np.isscalar(mistakes)
            or float(mistakes) != int(mistakes)
        ):
            raise Incorrect(f"mistakes should be a whole number, got {mistakes!r}")
        if not np.allclose(w, w_ref, rtol=1e-9, atol=1e-12):
            raise Incorrect(
                "your w separates the data but is not the perceptron's: start from w = 0, visit the "
                "rows in order, and update by exactly w + y_i x_i (no step size, no normalization)"
            )
        if int(mistakes) != k_ref:
            hint = "too few" if mistakes < k_ref else "too many"
            raise Incorrect(
                f"your weights are right but the mistake count is {hint}: count one mistake per "
                "update, over all passes"
            )
    return f"correct on {len(cases)} separable datasets, weights and mistake counts"


# ---------------------------------------------------------------------------
# Section 6.2
# ---------------------------------------------------------------------------


def _chernoff_reference(n: int, p: float, a: float) -> float:
    if a < p:
        return 1.0
    kl = sum(u * np.log(u / v) for u, v in ((a, p), (1 - a, 1 - p)) if u > 0)
    return float(np.exp(-n * kl))


@register("lt-chernoff-bound")
def _check_chernoff_bound(answer) -> str:
    expect_function(answer, "chernoff_bound")
    cases = [(100, 0.2, 0.3), (50, 0.5, 0.6), (1000, 0.05, 0.08), (10, 0.3, 0.9), (30, 0.4, 0.4)]
    for n, p, a in cases:
        value = answer(n, p, a)
        expected = _chernoff_reference(n, p, a)
        try:
            expect_scalar(value, expected, f"chernoff_bound({n}, {p}, {a})", rtol=1e-8, atol=1e-300)
        except Incorrect as wrong:
            try:
                v = float(value)
            except (TypeError, ValueError):
                raise wrong from None
            if np.isclose(v, np.exp(-2 * n * (a - p) ** 2), rtol=1e-6):
                raise Incorrect(
                    f"chernoff_bound({n}, {p}, {a}) equals Hoeffding's exp(-2 n t^2); the Chernoff "
                    "bound uses the Bernoulli KL divergence in the exponent"
                ) from None
            swapped = float(np.exp(-n * (p * np.log(p / a) + (1 - p) * np.log((1 - p) / (1 - a)))))
            if np.isclose(v, swapped, rtol=1e-6):
                raise Incorrect(
                    f"chernoff_bound({n}, {p}, {a}) uses kl(p || a); the exponent is kl(a || p), "
                    "the divergence of the threshold from the coin"
                ) from None
            raise wrong from None
    value = answer(20, 0.3, 1.0)
    try:
        expect_scalar(value, 0.3**20, "chernoff_bound(20, 0.3, 1.0)", rtol=1e-8, atol=1e-300)
    except Incorrect:
        raise Incorrect(
            "chernoff_bound(20, 0.3, 1.0) is wrong: at a = 1 use 0 log 0 = 0, and compare with the "
            "exact probability that all 20 flips are heads"
        ) from None
    below = answer(40, 0.5, 0.3)
    try:
        expect_scalar(below, 1.0, "chernoff_bound(40, 0.5, 0.3)")
    except Incorrect:
        raise Incorrect(
            "for a threshold below the mean (a < p) the bound is the trivial 1: the tail "
            "probability itself is large there"
        ) from None
    return f"correct on {len(cases) + 2} cases, including a = 1 and a < p"


# ---------------------------------------------------------------------------
# Section 6.3
# ---------------------------------------------------------------------------


def _rectangle_reference(points: np.ndarray, labels: np.ndarray) -> bool:
    pos = points[labels == 1]
    if len(pos) == 0:
        return True
    inside = np.all((points >= pos.min(axis=0)) & (points <= pos.max(axis=0)), axis=1)
    return not bool(np.any(inside & (labels == 0)))


@register("lt-rectangles")
def _check_rectangles(answer) -> str:
    expect_function(answer, "rectangle_realizable")
    rng = np.random.default_rng(63)
    cases = []
    diamond = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    for bits in range(16):
        cases.append((diamond, np.array([(bits >> i) & 1 for i in range(4)])))
    grid = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    cases.append(
        (grid, np.array([1, 0, 1, 0, 0, 0]))
    )  # a negative on the edge between two positives
    cases.append((grid, np.array([1, 1, 0, 1, 1, 0])))
    cases.append((grid, np.zeros(6, dtype=int)))
    for _ in range(60):
        pts = rng.integers(0, 4, size=(6, 2)).astype(float)  # ties on the boundary are common
        cases.append((pts, rng.integers(0, 2, size=6)))
    for pts, lab in cases:
        got = call_on_copy(answer, "rectangle_realizable", pts, lab)
        if not isinstance(got, (bool, np.bool_)):
            raise Incorrect(
                f"rectangle_realizable should return True or False, got {type(got).__name__}"
            )
        want = _rectangle_reference(pts, lab)
        if bool(got) != want:
            if not lab.any():
                raise Incorrect(
                    "the labeling with no 1s is realizable (a rectangle away from all points)"
                )
            if want:
                raise Incorrect(
                    f"you said False for a realizable labeling of {len(pts)} points: the smallest "
                    "rectangle containing the 1s contains no 0 here (boundary points count as inside)"
                )
            raise Incorrect(
                f"you said True, but on these {len(pts)} points a point labelled 0 lies inside (or on "
                "the boundary of) every rectangle that contains the points labelled 1"
            )
    return f"correct on {len(cases)} labelings, including boundary ties and the empty labeling"


# ---------------------------------------------------------------------------
# Section 6.4
# ---------------------------------------------------------------------------


def _rademacher_exact_reference(X: np.ndarray, bound: float) -> float:
    m = X.shape[0]
    codes = np.arange(2**m)[:, None] >> np.arange(m)[None, :]
    signs = np.where(codes & 1, 1.0, -1.0)
    return bound * float(np.linalg.norm(signs @ X, axis=1).mean()) / m


@register("lt-rademacher-exact")
def _check_rademacher_exact(rademacher_exact) -> str:
    expect_function(rademacher_exact, "rademacher_exact")
    rng = np.random.default_rng(64)
    cases = [
        (rng.normal(size=(m, d)) * rng.uniform(0.5, 2, size=(m, 1)), b)
        for m, d, b in [(3, 2, 1.0), (6, 4, 0.5), (9, 3, 2.0), (12, 5, 1.0)]
    ]
    for X, b in cases:
        value = call_on_copy(rademacher_exact, "rademacher_exact", X, b)
        expect_scalar(
            value,
            _rademacher_exact_reference(X, b),
            f"rademacher_exact on {X.shape[0]} points",
            rtol=1e-9,
        )
    # exactness: a random-sign estimate would differ from run to run and from the enumeration
    X1 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    ref = _rademacher_exact_reference(X1, 1.0)
    for _ in range(3):
        got = float(rademacher_exact(X1.copy(), 1.0))
        if not np.isclose(got, ref, rtol=1e-12):
            raise Incorrect(
                "the value is not exact on 3 points: average over all 2^m sign vectors, "
                "not over random draws"
            )
    return f"exact on {len(cases) + 1} point sets, from 3 to 12 points"


# ---------------------------------------------------------------------------
# Section 6.5
# ---------------------------------------------------------------------------


def _aic_bic_reference(X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    n = len(y)
    A = np.column_stack([np.ones(n), X])
    resid = y - A @ np.linalg.lstsq(A, y, rcond=None)[0]
    llf = -0.5 * n * (np.log(2 * np.pi) + np.log(resid @ resid / n) + 1)
    k = A.shape[1]
    return -2 * llf + 2 * k, -2 * llf + k * np.log(n)


@register("lt-aic-bic")
def _check_aic_bic(aic_bic) -> str:
    expect_function(aic_bic, "aic_bic")
    rng = np.random.default_rng(65)
    for n, p in [(30, 1), (50, 3), (120, 5)]:
        X = rng.normal(size=(n, p))
        y = 1.0 + X @ rng.normal(size=p) + rng.normal(size=n)
        out = call_on_copy(aic_bic, "aic_bic", X, y)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise Incorrect("aic_bic should return a pair (aic, bic)")
        aic, bic = out
        ref_aic, ref_bic = _aic_bic_reference(X, y)
        k = p + 1
        # fitted without the column of ones: the RSS changes too, with k = p or k = p + 1 counted
        rss0 = np.sum((y - X @ np.linalg.lstsq(X, y, rcond=None)[0]) ** 2)
        llf0 = -0.5 * n * (np.log(2 * np.pi) + np.log(rss0 / n) + 1)
        no_ones = {
            "AIC": [-2 * llf0 + 2 * kk for kk in (p, p + 1)],
            "BIC": [-2 * llf0 + kk * np.log(n) for kk in (p, p + 1)],
        }
        for value, ref, name in [(aic, ref_aic, "AIC"), (bic, ref_bic, "BIC")]:
            v = as_answer_array(value, name)
            if v.ndim != 0:
                raise Incorrect(f"the {name} should be one number, got an array of shape {v.shape}")
            v = float(v)
            penalty = 2.0 if name == "AIC" else np.log(n)
            if np.isclose(v, ref + penalty, rtol=1e-9):
                raise Incorrect(
                    f"the {name} counts one parameter too many: statsmodels' convention "
                    "counts the regression coefficients (with the intercept) but not σ²"
                )
            if np.isclose(v, ref - penalty, rtol=1e-9):
                raise Incorrect(
                    f"the {name} counts one parameter too few: k counts every regression "
                    "coefficient, the intercept included"
                )
            if any(np.isclose(v, alt, rtol=1e-9) for alt in no_ones[name]):
                raise Incorrect(
                    f"the {name} comes from a fit without an intercept: did you forget the "
                    "column of ones? The model is y = b0 + Xw + noise"
                )
            n_rss = np.log(n / (n - k))
            if np.isclose(v, ref + n * n_rss, rtol=1e-9):
                raise Incorrect(
                    f"the {name} uses the unbiased σ² = RSS/(n − k); the maximum-likelihood "
                    "estimate divides by n"
                )
            expect_scalar(v, ref, f"the {name} for n = {n}, p = {p}", rtol=1e-9)
    return "AIC and BIC agree with the maximum-likelihood formulas on 3 regressions"


# ---------------------------------------------------------------------------
# Section 6.6
# ---------------------------------------------------------------------------


def _kl_inverse_reference(q: float, c: float) -> float:
    from ..theory import kl_inverse

    return kl_inverse(q, c)


@register("lt-kl-inverse")
def _check_kl_inverse(kl_inv) -> str:
    expect_function(kl_inv, "kl_inv")
    cases = [(0.0, 0.1), (0.05, 0.02), (0.1, 0.3), (0.3, 0.01), (0.5, 0.5), (0.9, 0.05), (0.2, 0.0)]
    for q, c in cases:
        got = kl_inv(q, c)
        v = as_answer_array(got, f"kl_inv({q}, {c})")
        if v.ndim != 0:
            raise Incorrect(f"kl_inv({q}, {c}) should be one number, got shape {v.shape}")
        v = float(v)
        ref = _kl_inverse_reference(q, c)
        if v < q - 1e-9:
            raise Incorrect(
                f"kl_inv({q}, {c}) is below q: you found the root on the wrong side; "
                "the bound needs the largest p ≥ q"
            )
        if np.isclose(v, min(q + np.sqrt(c / 2), 1.0), atol=1e-9) and not np.isclose(
            v, ref, atol=1e-6
        ):
            raise Incorrect(
                "that is Pinsker's relaxation q + √(c/2), an upper bound on the answer; "
                "solve kl(q‖p) = c itself"
            )
        if c > 0 and v <= q + 1e-12:
            raise Incorrect(
                f"kl_inv({q}, {c}) is not above q although c > 0: the largest p with "
                "kl(q‖p) ≤ c lies on the right of q; you found the root on the wrong side"
            )
        if not 0.0 <= v <= 1.0:
            raise Incorrect(f"kl_inv({q}, {c}) = {v:.4g} is not a probability")
        expect_scalar(v, ref, f"kl_inv({q}, {c})", rtol=0, atol=1e-6)
    return f"agrees with the kl inverse to 1e-6 on {len(cases)} cases, including q = 0 and c = 0"
