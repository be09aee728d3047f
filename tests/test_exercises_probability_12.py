"""Checks of the code exercises of Sections 4.1-4.2: a right answer passes, typical wrong answers
fail with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest

from nblib.exercises import check


def _stub(*args):
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Section 4.1: pr-softmax-grad
# ---------------------------------------------------------------------------


def _softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _grad(W, X, y):
    Y = np.zeros((len(y), W.shape[0]))
    Y[np.arange(len(y)), y] = 1.0
    return (_softmax(X @ W.T) - Y).T @ X


def test_softmax_grad_accepts_p_minus_y():
    feedback = check("pr-softmax-grad", _grad)
    assert feedback.passed, feedback.message


def test_softmax_grad_stub_is_not_attempted():
    feedback = check("pr-softmax-grad", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


def _unstable(W, X, y):
    Y = np.eye(W.shape[0])[y]
    with np.errstate(over="ignore", invalid="ignore"):
        E = np.exp(X @ W.T)
        return (E / E.sum(axis=1, keepdims=True) - Y).T @ X


def _in_place(W, X, y):
    X -= 0  # harmless, but then it modifies:
    X[0, 0] = 99.0
    return _grad(W, X, y)


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda W, X, y: _grad(W, X, y).T, "shape of W"),
        (lambda W, X, y: _grad(W, X, y) / len(y), "factor of n"),
        (lambda W, X, y: -_grad(W, X, y), "sign"),
        (lambda W, X, y: (_softmax(X @ W.T)).T @ X, "wrong values"),
        (_unstable, "NaN"),
        (_in_place, "in place"),
        (lambda W, X, y: (_grad(W, X, y), 0.0), "tuple"),
    ],
)
def test_softmax_grad_rejects_typical_mistakes(answer, expected):
    feedback = check("pr-softmax-grad", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


# ---------------------------------------------------------------------------
# Section 4.2: pr-ece
# ---------------------------------------------------------------------------


def _ece(probs, labels, n_bins):
    conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    edges = np.linspace(0, 1, n_bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (conf > lo) & (conf <= hi)
        if in_bin.any():
            total += in_bin.mean() * abs(correct[in_bin].mean() - conf[in_bin].mean())
    return total


def _ece_left_closed(probs, labels, n_bins):
    conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    index = np.minimum((conf * n_bins).astype(int), n_bins - 1)  # [a, b) bins
    total = 0.0
    for m in np.unique(index):
        in_bin = index == m
        total += in_bin.mean() * abs(correct[in_bin].mean() - conf[in_bin].mean())
    return total


def _ece_unweighted(probs, labels, n_bins):
    conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    edges = np.linspace(0, 1, n_bins + 1)
    gaps = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (conf > lo) & (conf <= hi)
        if in_bin.any():
            gaps.append(abs(correct[in_bin].mean() - conf[in_bin].mean()))
    return float(np.mean(gaps))


def _ece_global(probs, labels, n_bins):
    return abs(np.mean(probs.argmax(axis=1) == labels) - probs.max(axis=1).mean())


def _ece_signed(probs, labels, n_bins, sign=1.0, abs_of_sum=False):
    # the per-bin loop without the absolute value of each gap
    conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    edges = np.linspace(0, 1, n_bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (conf > lo) & (conf <= hi)
        if in_bin.any():
            total += in_bin.mean() * sign * (correct[in_bin].mean() - conf[in_bin].mean())
    return abs(total) if abs_of_sum else total


def test_ece_accepts_the_definition():
    from nblib import prob

    feedback = check("pr-ece", _ece)
    assert feedback.passed, feedback.message
    assert check("pr-ece", lambda p, y, m: prob.expected_calibration_error(p, y, m)).passed


def test_ece_stub_is_not_attempted():
    assert "not attempted" in check("pr-ece", _stub).message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_ece_global, "over all examples at once"),
        (_ece_signed, "absolute value of each bin's gap"),
        (lambda p, y, m: _ece_signed(p, y, m, sign=-1.0), "absolute value of each bin's gap"),
        (lambda p, y, m: _ece_signed(p, y, m, abs_of_sum=True), "only after summing"),
        (_ece_unweighted, "equal weights"),
        (_ece_left_closed, "bin edge"),
        (lambda p, y, m: -_ece(p, y, m), "negative"),
        (lambda p, y, m: np.array([_ece(p, y, m), 0.0]), "one number"),
        (lambda p, y, m: 2 * _ece(p, y, m), "too large"),
    ],
)
def test_ece_rejects_typical_mistakes(answer, expected):
    feedback = check("pr-ece", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message
