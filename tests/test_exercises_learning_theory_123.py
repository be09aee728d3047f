"""Checks of the code exercises of Sections 6.1-6.3: a right answer passes, typical wrong answers fail
with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import rel_entr

from nblib.exercises import check


def _stub(*args):
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Section 6.1: lt-perceptron
# ---------------------------------------------------------------------------


def _perceptron(X, y, strict=False, lr=1.0, count_passes=False, one_pass=False, normalise=False):
    X = np.asarray(X, dtype=float)
    w, mistakes, passes = np.zeros(X.shape[1]), 0, 0
    while True:
        clean = True
        passes += 1
        for xi, yi in zip(X, y, strict=True):
            margin = yi * (w @ xi)
            if (margin < 0) if strict else (margin <= 0):
                w = w + lr * yi * xi
                if normalise:
                    w = w / np.linalg.norm(w)
                mistakes += 1
                clean = False
        if clean or one_pass:
            return w, (passes if count_passes else mistakes)


def _perceptron_in_place(X, y):
    X *= 2.0  # scaling keeps the data separable, but the caller's array changes
    return _perceptron(X, y)


def test_perceptron_accepts_the_reference():
    feedback = check("lt-perceptron", _perceptron)
    assert feedback.passed, feedback.message


def test_perceptron_accepts_a_list_pair_and_an_integer_numpy_count():
    feedback = check("lt-perceptron", lambda X, y: [_perceptron(X, y)[0], np.int64(_perceptron(X, y)[1])])
    assert feedback.passed, feedback.message


def test_perceptron_rejects_a_triple_with_a_helpful_message():
    feedback = check("lt-perceptron", lambda X, y: (*_perceptron(X, y), 0))
    assert not feedback.passed
    assert "pair" in feedback.message and "length 3" in feedback.message


def test_perceptron_stub_is_not_attempted():
    assert "not attempted" in check("lt-perceptron", _stub).message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda X, y: _perceptron(X, y, strict=True), "misclassifies"),
        (lambda X, y: _perceptron(X, y, one_pass=True), "misclassifies"),
        (lambda X, y: _perceptron(X, y, lr=0.5), "not the perceptron's"),
        (lambda X, y: _perceptron(X, y, count_passes=True), "mistake count"),
        (lambda X, y: _perceptron(X, y)[0], "pair"),
        (lambda X, y: (_perceptron(X, y)[0][:1], 3), "shape"),
        (_perceptron_in_place, "in place"),
    ],
)
def test_perceptron_explains_typical_mistakes(answer, expected):
    feedback = check("lt-perceptron", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


def test_perceptron_messages_do_not_reveal_the_weights():
    feedback = check("lt-perceptron", lambda X, y: _perceptron(X, y, lr=0.5))
    assert "[" not in feedback.message


# ---------------------------------------------------------------------------
# Section 6.2: lt-chernoff-bound
# ---------------------------------------------------------------------------


def _chernoff(n, p, a):
    if a < p:
        return 1.0
    return float(np.exp(-n * (rel_entr(a, p) + rel_entr(1 - a, 1 - p))))


def _chernoff_naive_log(n, p, a):
    if a < p:
        return 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.exp(-n * (a * np.log(a / p) + (1 - a) * np.log((1 - a) / (1 - p)))))


def test_chernoff_accepts_the_reference():
    feedback = check("lt-chernoff-bound", _chernoff)
    assert feedback.passed, feedback.message


def test_chernoff_stub_is_not_attempted():
    assert "not attempted" in check("lt-chernoff-bound", _stub).message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda n, p, a: float(np.exp(-2 * n * (a - p) ** 2)), "Hoeffding"),
        (lambda n, p, a: float(np.exp(-n * (rel_entr(p, a) + rel_entr(1 - p, 1 - a)))), "kl(p || a)"),
        (lambda n, p, a: float(np.exp(-(rel_entr(a, p) + rel_entr(1 - a, 1 - p)))), "too"),
        (_chernoff_naive_log, "0 log 0"),
        (lambda n, p, a: float(np.exp(-n * (rel_entr(a, p) + rel_entr(1 - a, 1 - p)))), "a < p"),
        (lambda n, p, a: np.array([_chernoff(n, p, a)] * 2), "single number"),
    ],
)
def test_chernoff_explains_typical_mistakes(answer, expected):
    feedback = check("lt-chernoff-bound", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


# ---------------------------------------------------------------------------
# Section 6.3: lt-rectangles
# ---------------------------------------------------------------------------


def _rectangle(points, labels, strict=False, empty=True):
    points, labels = np.asarray(points, dtype=float), np.asarray(labels)
    pos = points[labels == 1]
    if len(pos) == 0:
        return empty
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    if strict:
        inside = np.all((points > lo) & (points < hi), axis=1)
    else:
        inside = np.all((points >= lo) & (points <= hi), axis=1)
    return not np.any(inside & (labels == 0))


def test_rectangles_accepts_the_reference():
    feedback = check("lt-rectangles", _rectangle)
    assert feedback.passed, feedback.message


def test_rectangles_stub_is_not_attempted():
    assert "not attempted" in check("lt-rectangles", _stub).message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda p, y: _rectangle(p, y, strict=True), "boundary"),
        (lambda p, y: _rectangle(p, y, empty=False), "no 1s"),
        (lambda p, y: True, "you said True"),
        (lambda p, y: "yes", "True or False"),
    ],
)
def test_rectangles_explains_typical_mistakes(answer, expected):
    feedback = check("lt-rectangles", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message
