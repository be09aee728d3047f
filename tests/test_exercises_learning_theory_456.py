"""Checks of the code exercises of Sections 6.4-6.6: a right answer passes, typical wrong answers fail
with a message that says what is wrong without the answer, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import special

from nblib.exercises import check


def _stub(*args):
    raise NotImplementedError


# --- Section 6.4: lt-rademacher-exact ----------------------------------------------------------


def _rad_exact(X, bound):
    X = np.asarray(X, dtype=float)
    signs = np.array(list(itertools.product([-1.0, 1.0], repeat=X.shape[0])))
    return bound * float(np.mean(np.linalg.norm(signs @ X, axis=1))) / X.shape[0]


def _rad_jensen(X, bound):
    return bound * np.sqrt(np.sum(np.asarray(X) ** 2)) / len(X)


def _rad_no_division(X, bound):
    return _rad_exact(X, bound) * len(X)


def _rad_monte_carlo(X, bound):
    signs = np.random.default_rng().choice([-1.0, 1.0], size=(200, len(X)))
    return bound * float(np.mean(np.linalg.norm(signs @ X, axis=1))) / len(X)


def _rad_in_place(X, bound):
    value = _rad_exact(X, bound)
    X *= 2
    return value


def test_rademacher_exact_accepts_the_enumeration():
    assert check("lt-rademacher-exact", _rad_exact)


@pytest.mark.parametrize(
    "answer, words",
    [
        (_rad_jensen, "too large"),
        (_rad_no_division, "too large"),
        (_rad_monte_carlo, ""),
        (_rad_in_place, "in place"),
        (42, "should be a function"),
    ],
)
def test_rademacher_exact_rejects_typical_mistakes(answer, words):
    fb = check("lt-rademacher-exact", answer)
    assert not fb and words in fb.message


def test_rademacher_exact_stub_is_not_attempted():
    assert "not attempted" in check("lt-rademacher-exact", _stub).message


# --- Section 6.5: lt-aic-bic -------------------------------------------------------------------


def _fit(X, y):
    A = np.column_stack([np.ones(len(y)), X])
    rss = np.sum((y - A @ np.linalg.lstsq(A, y, rcond=None)[0]) ** 2)
    return len(y), A.shape[1], rss


def _aic_bic(X, y):
    n, k, rss = _fit(X, y)
    llf = -0.5 * n * (np.log(2 * np.pi) + np.log(rss / n) + 1)
    return -2 * llf + 2 * k, -2 * llf + k * np.log(n)


def _aic_bic_count_sigma(X, y):
    n, k, rss = _fit(X, y)
    llf = -0.5 * n * (np.log(2 * np.pi) + np.log(rss / n) + 1)
    return -2 * llf + 2 * (k + 1), -2 * llf + (k + 1) * np.log(n)


def _aic_bic_no_intercept_count(X, y):
    n, k, rss = _fit(X, y)
    llf = -0.5 * n * (np.log(2 * np.pi) + np.log(rss / n) + 1)
    return -2 * llf + 2 * (k - 1), -2 * llf + (k - 1) * np.log(n)


def _aic_bic_without_ones(X, y, k_extra=0):
    # the learner forgot to add the column of ones: the fit, and so the RSS, has no intercept
    n, k = len(y), X.shape[1] + k_extra
    rss = np.sum((y - X @ np.linalg.lstsq(X, y, rcond=None)[0]) ** 2)
    llf = -0.5 * n * (np.log(2 * np.pi) + np.log(rss / n) + 1)
    return -2 * llf + 2 * k, -2 * llf + k * np.log(n)


def _aic_bic_unbiased_sigma(X, y):
    n, k, rss = _fit(X, y)
    llf = -0.5 * n * (np.log(2 * np.pi) + np.log(rss / (n - k)) + 1)
    return -2 * llf + 2 * k, -2 * llf + k * np.log(n)


def test_aic_bic_agrees_with_statsmodels_and_passes():
    import statsmodels.api as sm

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 2)), rng.normal(size=50)
    res = sm.OLS(y, sm.add_constant(X)).fit()
    assert np.allclose(_aic_bic(X, y), (res.aic, res.bic))
    assert check("lt-aic-bic", _aic_bic)


@pytest.mark.parametrize(
    "answer, words",
    [
        (_aic_bic_count_sigma, "one parameter too many"),
        (_aic_bic_no_intercept_count, "one parameter too few"),
        (_aic_bic_without_ones, "column of ones"),
        (lambda X, y: _aic_bic_without_ones(X, y, k_extra=1), "column of ones"),
        (_aic_bic_unbiased_sigma, "divides by n"),
        (lambda X, y: 1.0, "pair"),
    ],
)
def test_aic_bic_rejects_typical_mistakes(answer, words):
    fb = check("lt-aic-bic", answer)
    assert not fb and words in fb.message


# --- Section 6.6: lt-kl-inverse ----------------------------------------------------------------


def _kl(q, p):
    return special.xlogy(q, q) - special.xlogy(q, p) + special.xlogy(1 - q, 1 - q) - special.xlogy(1 - q, 1 - p)


def _kl_inv(q, c):
    lo, hi = q, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _kl(q, mid) <= c else (lo, mid)
    return lo


def _kl_inv_lower_root(q, c):
    lo, hi = 0.0, q
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if _kl(q, mid) <= c else (mid, hi)
    return hi


def test_kl_inverse_accepts_bisection():
    assert check("lt-kl-inverse", _kl_inv)


@pytest.mark.parametrize(
    "answer, words",
    [
        (lambda q, c: min(q + np.sqrt(c / 2), 1.0), "Pinsker"),
        (_kl_inv_lower_root, "wrong side"),
        (lambda q, c: q + c, ""),
        (lambda q, c: np.array([q, c]), "one number"),
    ],
)
def test_kl_inverse_rejects_typical_mistakes(answer, words):
    fb = check("lt-kl-inverse", answer)
    assert not fb and words in fb.message


def test_kl_inverse_stub_is_not_attempted():
    assert "not attempted" in check("lt-kl-inverse", _stub).message
