"""Checks of the code exercises of Section 7.3 (kernels and RKHS): a right answer passes, typical
wrong answers fail with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest

from nblib.exercises import check
from nblib.kernels import kernel_ridge


def _stub(*args):
    raise NotImplementedError


# ---------------------------------------------------------------------------
# ak-center-kernel
# ---------------------------------------------------------------------------


def _center(K):
    K = np.asarray(K, dtype=float)
    return K - K.mean(axis=0, keepdims=True) - K.mean(axis=1, keepdims=True) + K.mean()


def _center_with_h(K):
    n = len(K)
    H = np.eye(n) - np.ones((n, n)) / n
    return H @ K @ H


def _center_in_place(K):
    K -= K.mean(axis=0, keepdims=True)
    K -= K.mean(axis=1, keepdims=True)
    return K


def test_center_kernel_accepts_the_reference_and_the_matrix_form():
    for answer in (_center, _center_with_h):
        feedback = check("ak-center-kernel", answer)
        assert feedback.passed, feedback.message


def test_center_kernel_agrees_with_centering_explicit_features():
    """The reference is right, not just self-consistent: it equals the Gram matrix of features
    whose mean has been subtracted."""
    rng = np.random.default_rng(0)
    Phi = rng.standard_normal((7, 4)) + 3.0
    centered = Phi - Phi.mean(axis=0)
    np.testing.assert_allclose(_center(Phi @ Phi.T), centered @ centered.T, atol=1e-10)


def test_center_kernel_stub_is_not_attempted():
    assert "not attempted" in check("ak-center-kernel", _stub).message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda K: K - K.mean(), "overall mean"),  # only the grand mean
        (lambda K: K - K.mean(axis=1, keepdims=True), "symmetric"),  # only the row means
        (lambda K: (np.eye(len(K)) - 1 / len(K)) @ K, "symmetric"),  # H K, one side only
        (lambda K: K - K.mean(axis=0) - K.mean(axis=1)[:, None], "add it back"),  # no grand mean
        (lambda K: _center(K) * 2, "wrong values"),
        (lambda K: _center(K)[:-1], "shape"),
        (lambda K: (_center(K), K), "tuple"),
        (_center_in_place, "in place"),
    ],
)
def test_center_kernel_explains_typical_mistakes(answer, expected):
    feedback = check("ak-center-kernel", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


# ---------------------------------------------------------------------------
# ak-krr-mean-loss
# ---------------------------------------------------------------------------


def _krr_mean(K, y, lam):
    return kernel_ridge(K, y, len(y) * lam)


def test_krr_mean_loss_accepts_the_reference():
    feedback = check("ak-krr-mean-loss", _krr_mean)
    assert feedback.passed, feedback.message


def test_krr_mean_loss_reference_minimizes_the_mean_objective():
    """Independent of the check's own formula: a small perturbation of alpha never lowers
    (1/n)||K a - y||^2 + lam a^T K a."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((10, 2))
    K = np.exp(-np.sum((X[:, None] - X[None]) ** 2, axis=-1) / 2)
    y, lam = rng.standard_normal(10), 0.05

    def objective(a):
        return np.mean((K @ a - y) ** 2) + lam * a @ K @ a

    a = _krr_mean(K, y, lam)
    for _ in range(20):
        assert objective(a + 1e-4 * rng.standard_normal(10)) >= objective(a)


def test_krr_mean_loss_stub_is_not_attempted():
    assert "not attempted" in check("ak-krr-mean-loss", _stub).message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda K, y, lam: kernel_ridge(K, y, lam), "summed-loss"),
        (lambda K, y, lam: kernel_ridge(K, y, lam / len(y)), "other way"),
        (lambda K, y, lam: np.linalg.solve(K, y), "lam is missing"),
        (lambda K, y, lam: kernel_ridge(K, y, 2 * len(y) * lam), "gradient"),
        (lambda K, y, lam: _krr_mean(K, y, lam)[:, None], "shape"),
        (lambda K, y, lam: float(_krr_mean(K, y, lam)[0]), "shape"),
    ],
)
def test_krr_mean_loss_explains_typical_mistakes(answer, expected):
    feedback = check("ak-krr-mean-loss", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


def test_messages_do_not_reveal_the_answer():
    feedback = check("ak-krr-mean-loss", lambda K, y, lam: kernel_ridge(K, y, lam))
    assert "[" not in feedback.message and "0." not in feedback.message
