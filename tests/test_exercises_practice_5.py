"""Checks of the code exercise of Section 10.5: a right answer passes, typical wrong answers fail
with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np

from nblib.exercises import check


def _svd_parts(X):
    U, d, Vt = np.linalg.svd(np.asarray(X, float), full_matrices=False)
    keep = d > d[0] * max(np.shape(X)) * np.finfo(float).eps
    return U[:, keep], d[keep], Vt[keep]


def _filtered(X, y, filt, divide=True):
    U, d, Vt = _svd_parts(X)
    coef = filt(d) / d if divide else filt(d)
    return Vt.T @ (coef * (U.T @ y))


def _reference(X, y, eta, t):
    return _filtered(X, y, lambda d: 1 - (1 - eta * d**2) ** t)


def test_early_stopped_accepts_the_filter_and_plain_gradient_descent():
    feedback = check("px-early-stopping-filter", _reference)
    assert feedback.passed, feedback.message

    def looped(X, y, eta, t):  # the loop is slower but right, so it must pass too
        beta = np.zeros(X.shape[1])
        for _ in range(t):
            beta = beta + eta * X.T @ (y - X @ beta)
        return beta

    feedback = check("px-early-stopping-filter", looped)
    assert feedback.passed, feedback.message


def test_early_stopped_names_typical_mistakes():
    cases = {
        "steps, not": lambda X, y, eta, t: _reference(X, y, eta, t + 1),
        "ridge": lambda X, y, eta, t: (
            _filtered(X, y, lambda d: d**2 / (d**2 + 1 / (eta * t))) if t else 0 * X[0]
        ),
        "needs d²": lambda X, y, eta, t: _filtered(X, y, lambda d: 1 - (1 - eta * d) ** t),
        "divide by d_i": lambda X, y, eta, t: _filtered(
            X, y, lambda d: 1 - (1 - eta * d**2) ** t, divide=False
        ),
    }
    for phrase, wrong in cases.items():
        feedback = check("px-early-stopping-filter", wrong)
        assert not feedback.passed and phrase in feedback.message, (phrase, feedback.message)


def test_early_stopped_handles_t_zero_and_is_not_the_limit():
    def nonzero_at_start(X, y, eta, t):
        return _reference(X, y, eta, t) if t else np.ones(X.shape[1])

    feedback = check("px-early-stopping-filter", nonzero_at_start)
    assert not feedback.passed and "t = 0" in feedback.message, feedback.message

    def converged(X, y, eta, t):  # the limit t → ∞, the minimum-norm solution
        return np.linalg.pinv(X) @ y if t else np.zeros(X.shape[1])

    feedback = check("px-early-stopping-filter", converged)
    assert not feedback.passed and "differs from" in feedback.message, feedback.message


def test_early_stopped_rejects_a_wrong_shape_and_in_place_changes():
    feedback = check("px-early-stopping-filter", lambda X, y, eta, t: _reference(X, y, eta, t)[1:])
    assert not feedback.passed and "shape" in feedback.message

    def in_place(X, y, eta, t):
        out = _reference(X, y, eta, t)
        y *= 2
        return out

    feedback = check("px-early-stopping-filter", in_place)
    assert not feedback.passed and "in place" in feedback.message


def test_early_stopped_stub_is_not_attempted():
    def stub(X, y, eta, t):
        raise NotImplementedError

    feedback = check("px-early-stopping-filter", stub)
    assert not feedback.passed and "not attempted" in feedback.message
