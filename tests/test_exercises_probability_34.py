"""Checks of the code exercises of Sections 4.3-4.4: a right answer passes, typical wrong answers
fail with a message that says what is wrong (without the answer), and a stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest

from nblib.exercises import check


def _stub(*args):
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Section 4.3: pr-ridge-variance
# ---------------------------------------------------------------------------


def _ridge_variance(Phi, Phi_t, lam, s2):
    A = np.linalg.solve(Phi.T @ Phi + lam * np.eye(Phi.shape[1]), Phi.T)
    return s2 * np.sum((Phi_t @ A) ** 2, axis=1)


def _ridge_variance_sigma(Phi, Phi_t, lam, s2):
    return _ridge_variance(Phi, Phi_t, lam, s2) / s2 * np.sqrt(s2)


def _ridge_variance_mean(Phi, Phi_t, lam, s2):
    return float(np.mean(_ridge_variance(Phi, Phi_t, lam, s2)))


def _ridge_variance_no_penalty(Phi, Phi_t, lam, s2):
    return s2 * np.sum((Phi_t @ np.linalg.pinv(Phi)) ** 2, axis=1)


def _ridge_variance_wrong_matrix(Phi, Phi_t, lam, s2):
    H = Phi_t @ np.linalg.inv(Phi.T @ Phi + lam * np.eye(Phi.shape[1]))
    return s2 * np.sum(H**2, axis=1)


def _ridge_variance_bayes(Phi, Phi_t, lam, s2):
    G = Phi.T @ Phi + lam * np.eye(Phi.shape[1])
    return s2 * np.einsum("tp,tp->t", Phi_t, np.linalg.solve(G, Phi_t.T).T)


def _ridge_variance_bayes_with_noise(Phi, Phi_t, lam, s2):
    return _ridge_variance_bayes(Phi, Phi_t, lam, s2) + s2


def _ridge_variance_in_place(Phi, Phi_t, lam, s2):
    Phi *= 1.0001
    return _ridge_variance(Phi, Phi_t, lam, s2)


def test_ridge_variance_accepts_the_closed_form():
    feedback = check("pr-ridge-variance", _ridge_variance)
    assert feedback.passed, feedback.message


def test_ridge_variance_stub_is_not_attempted():
    feedback = check("pr-ridge-variance", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_ridge_variance_sigma, "same factor"),
        (_ridge_variance_mean, "one variance per test row"),
        (_ridge_variance_no_penalty, "least squares"),
        (_ridge_variance_wrong_matrix, "linear combination"),
        (_ridge_variance_in_place, "in place"),
        (_ridge_variance_bayes, "Bayesian posterior predictive"),
        (_ridge_variance_bayes_with_noise, "Bayesian posterior predictive"),
        (lambda *args: -_ridge_variance(*args), "negative"),
    ],
)
def test_ridge_variance_explains_wrong_answers(answer, expected):
    feedback = check("pr-ridge-variance", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


# ---------------------------------------------------------------------------
# Section 4.4: pr-leaky-fourth-moment
# ---------------------------------------------------------------------------


def _fourth(n, L, a):
    return (1 + (6 * (1 + a**4) / (1 + a**2) ** 2 - 1) / n) ** L


def test_leaky_fourth_moment_accepts_the_exact_formula():
    feedback = check("pr-leaky-fourth-moment", _fourth)
    assert feedback.passed, feedback.message
    assert _fourth(32, 10, 0.0) == pytest.approx((1 + 5 / 32) ** 10)
    assert _fourth(32, 10, 1.0) == pytest.approx((1 + 2 / 32) ** 10)


def test_leaky_fourth_moment_accepts_float32():
    def in_float32(n, L, a):
        a32 = np.float32(a)
        c = np.float32(6) * (1 + a32**4) / (1 + a32**2) ** 2 - np.float32(1)
        return (np.float32(1) + c / np.float32(n)) ** np.int32(L)

    feedback = check("pr-leaky-fourth-moment", in_float32)
    assert feedback.passed, feedback.message


def test_leaky_fourth_moment_stub_is_not_attempted():
    feedback = check("pr-leaky-fourth-moment", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda n, L, a: (1 + 5 / n) ** L, "relu value"),
        (lambda n, L, a: _fourth(n, 1, a), "one layer"),
        (lambda n, L, a: np.exp((6 * (1 + a**4) / (1 + a**2) ** 2 - 1) * L / n), "approximation"),
        (
            lambda n, L, a: (1 + (6 * (1 + a**2) / (1 + a**2) ** 2 - 1) / n) ** L,
            "Check the one-layer",
        ),
        (lambda n, L, a: np.array([_fourth(n, L, a)] * 2), "one number"),
    ],
)
def test_leaky_fourth_moment_explains_wrong_answers(answer, expected):
    feedback = check("pr-leaky-fourth-moment", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message
