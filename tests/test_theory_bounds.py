"""nblib.theory, Sections 6.4-6.6: Rademacher complexity, the kl inverse and PAC-Bayes, leave-one-out,
k-fold CV, the bootstrap and the risk of minimum-norm least squares, against brute force and peers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import optimize, special, stats

from nblib import theory


def _kl(q, p):
    return special.xlogy(q, q) - special.xlogy(q, p) + special.xlogy(1 - q, 1 - q) - special.xlogy(1 - q, 1 - p)


# --- Rademacher complexity ----------------------------------------------------------------------


def test_rademacher_exact_matches_itertools_enumeration():
    X = np.random.default_rng(0).normal(size=(7, 3))
    signs = np.array(list(itertools.product([-1.0, 1.0], repeat=7)))
    brute = np.mean([2.5 * np.linalg.norm(s @ X) / 7 for s in signs])
    assert np.isclose(theory.rademacher_linear_exact(X, 2.5), brute, rtol=1e-12)


def test_rademacher_monte_carlo_within_four_standard_errors_and_below_jensen():
    X = np.random.default_rng(1).normal(size=(10, 4))
    exact = theory.rademacher_linear_exact(X, 1.0)
    draws = np.linalg.norm(np.random.default_rng(2).choice([-1.0, 1.0], size=(20000, 10)) @ X, axis=1) / 10
    se = draws.std() / np.sqrt(len(draws))
    assert abs(theory.rademacher_linear(X, 1.0, 20000, rng=3) - exact) < 4 * se
    jensen = np.sqrt(np.sum(X**2)) / 10
    assert jensen / np.sqrt(2) <= exact <= jensen


def test_rademacher_orthonormal_points_is_deterministic():
    # ‖Σ σ_i e_i‖ = √m for every sign vector
    assert np.isclose(theory.rademacher_linear(np.eye(5), 1.0, 10, rng=0), np.sqrt(5) / 5)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: theory.rademacher_linear(np.ones(3), 1.0, 10), "X must be 2-d"),
        (lambda: theory.rademacher_linear(np.ones((3, 2)), -1.0, 10), "bound must be >= 0"),
        (lambda: theory.rademacher_linear(np.ones((3, 2)), 1.0, 0), "n_draws must be >= 1"),
        (lambda: theory.rademacher_linear_exact(np.ones((21, 2)), 1.0), "m <= 20"),
    ],
)
def test_rademacher_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- kl inverse and PAC-Bayes -------------------------------------------------------------------


@pytest.mark.parametrize("q", [0.0, 0.02, 0.2, 0.5, 0.9])
@pytest.mark.parametrize("c", [1e-5, 0.01, 0.3, 3.0])
def test_kl_inverse_matches_brentq(q, c):
    ref = optimize.brentq(lambda p: _kl(q, p) - c, q, 1 - 1e-15, xtol=1e-15)
    got = theory.kl_inverse(q, c)
    assert abs(got - ref) < 1e-9
    assert _kl(q, got) <= c + 1e-12  # never overshoots
    assert got <= q + np.sqrt(c / 2) + 1e-12  # Pinsker


def test_kl_inverse_edge_cases():
    assert theory.kl_inverse(0.3, 0.0) == pytest.approx(0.3, abs=1e-12)
    assert theory.kl_inverse(1.0, 0.5) == 1.0
    assert theory.kl_inverse(0.0, 0.7) == pytest.approx(1 - np.exp(-0.7), abs=1e-10)


def test_kl_bernoulli_against_scipy_entropy():
    for q, p in [(0.1, 0.3), (0.5, 0.5), (0.0, 0.2), (1.0, 0.9)]:
        assert theory.kl_bernoulli(q, p) == pytest.approx(stats.entropy([q, 1 - q], [p, 1 - p]), abs=1e-12)
    assert theory.kl_bernoulli(0.5, 0.0) == np.inf


def test_pac_bayes_bound_is_maurer_form():
    n, kl, delta, q = 1000, 12.0, 0.05, 0.1
    c = (kl + np.log(2 * np.sqrt(n) / delta)) / n
    assert theory.pac_bayes_bound(q, kl, n, delta) == pytest.approx(theory.kl_inverse(q, c), abs=1e-12)
    # monotone: more KL or smaller δ gives a larger bound; more data a smaller one
    assert theory.pac_bayes_bound(q, 2 * kl, n, delta) > theory.pac_bayes_bound(q, kl, n, delta)
    assert theory.pac_bayes_bound(q, kl, 10 * n, delta) < theory.pac_bayes_bound(q, kl, n, delta)


def test_maurer_xi_is_at_most_two_sqrt_n_for_every_n():
    # the docstring's claim: ξ(n) = Σ_k C(n,k)(k/n)^k(1−k/n)^(n−k) ≤ 2√n, proved by Maurer for n ≥ 8,
    # holds for small n too (exact rational arithmetic up to n = 60, with equality at n = 1)
    from fractions import Fraction
    from math import comb

    def xi(n):
        return sum(comb(n, k) * Fraction(k, n) ** k * Fraction(n - k, n) ** (n - k) for k in range(n + 1))

    assert all(xi(n) ** 2 <= 4 * n for n in range(1, 61))
    assert xi(1) == 2 and xi(2) == Fraction(5, 2)


def test_pac_bayes_bound_holds_for_a_point_mass_posterior_as_a_frequency():
    # Q = P = a point mass on one classifier with true risk 0.2: KL = 0, the bound must hold with prob. ≥ 1 − δ
    rng = np.random.default_rng(0)
    n, delta, risk, reps = 200, 0.1, 0.2, 2000
    emp = rng.binomial(n, risk, size=reps) / n
    fails = np.mean([theory.pac_bayes_bound(e, 0.0, n, delta) < risk for e in emp])
    assert fails <= delta + 4 * np.sqrt(delta * (1 - delta) / reps)


@pytest.mark.parametrize(
    "args, exc, match",
    [
        ((0.1, 1.0, 100, 0.0), ValueError, "delta must be > 0"),
        ((0.1, 1.0, 100, 1.0), ValueError, "delta must be < 1"),
        ((1.2, 1.0, 100, 0.1), ValueError, "empirical_risk must be <= 1"),
        ((0.1, -1.0, 100, 0.1), ValueError, "kl must be >= 0"),
        ((0.1, 1.0, 0, 0.1), ValueError, "n must be >= 1"),
        ((0.1, 1.0, 10.5, 0.1), TypeError, "n must be an integer"),
    ],
)
def test_pac_bayes_validation(args, exc, match):
    with pytest.raises(exc, match=match):
        theory.pac_bayes_bound(*args)


def test_kl_inverse_validation():
    with pytest.raises(ValueError, match="c must be >= 0"):
        theory.kl_inverse(0.1, -0.1)
    with pytest.raises(ValueError, match="q must be <= 1"):
        theory.kl_inverse(1.5, 0.1)


# --- leave-one-out, k-fold, bootstrap ----------------------------------------------------------


@pytest.mark.parametrize("shape, lam", [((30, 5), 0.1), ((30, 5), 0.0), ((12, 20), 0.5)])
def test_loo_ridge_equals_brute_force_refits(shape, lam):
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=shape), rng.normal(size=shape[0])
    brute = []
    for i in range(shape[0]):
        keep = np.arange(shape[0]) != i
        w = np.linalg.solve(X[keep].T @ X[keep] + lam * np.eye(shape[1]), X[keep].T @ y[keep])
        brute.append(y[i] - X[i] @ w)
    np.testing.assert_allclose(theory.loo_ridge(X, y, lam), brute, atol=1e-10)


def test_loo_ridge_refuses_leverage_one():
    X = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="leverage"):
        theory.loo_ridge(X, np.ones(3), 0.0)
    with pytest.raises(ValueError, match="same number of samples"):
        theory.loo_ridge(X, np.ones(4), 0.1)
    with pytest.raises(ValueError, match="lam must be >= 0"):
        theory.loo_ridge(X, np.ones(3), -1.0)


def test_kfold_matches_scikit_learn():
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import KFold, cross_val_score

    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(23, 4)), rng.normal(size=23)
    for ours, theirs in zip(theory.kfold_splits(23, 4), KFold(4).split(X), strict=True):
        assert all(np.array_equal(a, b) for a, b in zip(ours, theirs, strict=True))

    def fit(Xt, yt):
        w = np.linalg.solve(Xt.T @ Xt + 0.3 * np.eye(4), Xt.T @ yt)
        return lambda Xn: Xn @ w

    ours = theory.kfold_cv(X, y, fit, lambda t, p: np.mean((t - p) ** 2), k=4)
    theirs = -cross_val_score(Ridge(alpha=0.3, fit_intercept=False), X, y, cv=KFold(4), scoring="neg_mean_squared_error")
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    # explicit splits give the same
    again = theory.kfold_cv(X, y, fit, lambda t, p: np.mean((t - p) ** 2), k=list(KFold(4).split(X)))
    np.testing.assert_allclose(again, ours)


def test_kfold_validation():
    with pytest.raises(ValueError, match="k must be at most n"):
        theory.kfold_splits(3, 5)
    with pytest.raises(ValueError, match="k must be >= 2"):
        theory.kfold_splits(10, 1)
    with pytest.raises(TypeError, match="fit and loss must be functions"):
        theory.kfold_cv(np.ones((4, 1)), np.ones(4), None, None, k=2)
    fit = lambda X, y: (lambda Xn: np.zeros(len(Xn)))  # noqa: E731
    loss = lambda t, p: float(np.mean((t - p) ** 2))  # noqa: E731
    for bad in (5.0, True, "5", None):
        with pytest.raises(TypeError, match="k must be an integer number of folds"):
            theory.kfold_cv(np.ones((10, 1)), np.ones(10), fit, loss, k=bad)
    assert len(theory.kfold_cv(np.ones((10, 1)), np.ones(10), fit, loss, k=np.int64(5))) == 5


def test_bootstrap_percentile_matches_scipy_percentile_method_in_distribution():
    x = np.random.default_rng(6).exponential(size=60)
    lo, hi = theory.bootstrap_percentile(x, np.mean, n_resamples=20000, rng=0)
    res = stats.bootstrap((x,), np.mean, n_resamples=20000, method="percentile",
                          random_state=np.random.default_rng(1))
    # both are quantiles of 20000 bootstrap means: they agree up to Monte-Carlo error (≈ 0.01 here)
    assert abs(lo - res.confidence_interval.low) < 0.03 and abs(hi - res.confidence_interval.high) < 0.03


def test_bootstrap_validation():
    with pytest.raises(ValueError, match="at least 2 samples"):
        theory.bootstrap_percentile(np.ones(1))
    with pytest.raises(ValueError, match="level must be < 1"):
        theory.bootstrap_percentile(np.ones(5), level=1.0)
    with pytest.raises(ValueError, match="one finite number per resample"):
        theory.bootstrap_percentile(np.arange(5.0), lambda a, axis: a)


# --- minimum-norm least squares ----------------------------------------------------------------


def test_min_norm_risk_against_simulation_on_both_sides():
    rng = np.random.default_rng(7)
    n, reps = 20, 4000
    for p in (8, 40):
        errs = []
        beta = np.ones(p) / np.sqrt(p)
        for _ in range(reps):
            X = rng.normal(size=(n, p))
            y = X @ beta + np.sqrt(0.5) * rng.normal(size=n)
            errs.append(np.sum((np.linalg.pinv(X) @ y - beta) ** 2))
        errs = np.array(errs)
        exact = theory.min_norm_risk(n, p, 0.5, 1.0)
        assert abs(errs.mean() - exact) < 4 * errs.std() / np.sqrt(reps)


def test_min_norm_risk_closed_form_values_and_threshold():
    assert theory.min_norm_risk(40, 20, 1.0, 1.0) == pytest.approx(20 / 19)
    assert theory.min_norm_risk(40, 80, 1.0, 2.0) == pytest.approx(2 * 0.5 + 40 / 39)
    for p in (39, 40, 41):
        assert theory.min_norm_risk(40, p, 1.0, 1.0) == np.inf
    # without noise there is no peak: the risk is the unexplained part of β, ‖β‖² max(0, 1 − n/p)
    assert theory.min_norm_risk(40, 40, 0.0, 1.0) == 0.0
    assert theory.min_norm_risk(40, 41, 0.0, 3.0) == pytest.approx(3.0 / 41)
    assert theory.min_norm_risk(40, 10, 0.0, 3.0) == 0.0
    with pytest.raises(ValueError, match="noise_var must be >= 0"):
        theory.min_norm_risk(40, 10, -1.0, 1.0)
    with pytest.raises(TypeError, match="p must be an integer"):
        theory.min_norm_risk(40, 10.5, 1.0, 1.0)
