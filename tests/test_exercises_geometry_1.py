"""Checks of the code exercise of Section 9.1 (the correlation dimension): a right answer passes,
typical wrong answers fail with a message that says what is wrong, and a stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import pdist

from nblib.exercises import check
from nblib.exercises.geometry import _correlation_cases


def _slope(X, r_small, r_large):
    dist = pdist(np.asarray(X, dtype=float))
    return float(
        np.log(np.mean(dist < r_large) / np.mean(dist < r_small)) / np.log(r_large / r_small)
    )


def _slope_full_matrix(X, r_small, r_large):
    """Ordered pairs from the full matrix without its diagonal: the same ratio, so right."""
    X = np.asarray(X, dtype=float)
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    off = ~np.eye(len(X), dtype=bool)
    c = [np.count_nonzero(D[off] < r) for r in (r_small, r_large)]
    return np.log10(c[1] / c[0]) / np.log10(r_large / r_small)  # any base of logarithm


def _less_equal(X, r_small, r_large):
    dist = pdist(X)
    return np.log(np.mean(dist <= r_large) / np.mean(dist <= r_small)) / np.log(r_large / r_small)


def _less_equal_at_r_small(X, r_small, r_large):
    """<= at the smaller radius only: wrong wherever a distance equals r_small."""
    dist = pdist(X)
    return np.log(np.mean(dist < r_large) / np.mean(dist <= r_small)) / np.log(r_large / r_small)


def _self_pairs(X, r_small, r_large):
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    return np.log(np.mean(D < r_large) / np.mean(D < r_small)) / np.log(r_large / r_small)


def _not_log_r(X, r_small, r_large):
    dist = pdist(X)
    return np.log(np.mean(dist < r_large) / np.mean(dist < r_small)) / (r_large - r_small)


def _squared(X, r_small, r_large):
    dist = pdist(X, "sqeuclidean")
    return np.log(np.mean(dist < r_large) / np.mean(dist < r_small)) / np.log(r_large / r_small)


def _upside_down(X, r_small, r_large):
    return 1 / _slope(X, r_small, r_large)


def _stub(X, r_small, r_large):
    raise NotImplementedError


@pytest.mark.parametrize("answer", [_slope, _slope_full_matrix])
def test_correlation_dimension_accepts_right_answers(answer):
    feedback = check("gt-correlation-dimension", answer)
    assert feedback.passed, feedback.message


@pytest.mark.parametrize(
    "answer, words",
    [
        (_less_equal, "strictly closer"),
        (_self_pairs, "itself"),
        (_not_log_r, "against log r"),
        (_squared, "squared distances"),
        (_upside_down, "too small"),
        (_less_equal_at_r_small, "too small"),
        (lambda X, a, b: [_slope(X, a, b)], "one number"),
        (lambda X, a, b: np.nan, "finite"),
        (3.0, "should be a function"),
    ],
)
def test_correlation_dimension_names_the_mistake(answer, words):
    feedback = check("gt-correlation-dimension", answer)
    assert not feedback.passed
    assert words in feedback.message, feedback.message


def test_correlation_dimension_stub_is_not_attempted():
    feedback = check("gt-correlation-dimension", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


def test_correlation_dimension_cases_exercise_what_they_claim():
    """The grid has pairs at distance exactly r_small and exactly r_large (so < and <= differ at
    each radius), and the circle's slope is within 0.05 of its dimension 1: at r <= 0.5 the chord
    of a unit circle is almost its arc."""
    (_, grid, a, b), (_, circle, a2, b2), _ = _correlation_cases()
    assert np.any(pdist(grid) == a) and np.any(pdist(grid) == b)
    assert _less_equal(grid, a, b) != pytest.approx(_slope(grid, a, b))
    assert _less_equal_at_r_small(grid, a, b) != pytest.approx(_slope(grid, a, b))
    assert abs(_slope(circle, a2, b2) - 1) < 0.05
