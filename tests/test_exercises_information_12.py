"""Checks of the code exercises of Sections 5.1 and 5.2: a right answer passes, typical wrong answers
fail with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest

from nblib.exercises import check


def _stub(*args):
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Section 5.1: it-kl-divergence
# ---------------------------------------------------------------------------


def _kl(p, q):
    mask = p > 0
    if np.any(q[mask] == 0):
        return np.inf
    return float(np.sum(p[mask] * np.log2(p[mask] / q[mask])))


def _kl_naive(p, q):
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sum(p * np.log2(p / q)))


def _kl_nats(p, q):
    return _kl(p, q) * np.log(2)


def _kl_swapped(p, q):
    return _kl(q, p)


def _cross_entropy(p, q):
    mask = p > 0
    with np.errstate(divide="ignore"):
        return float(-np.sum(p[mask] * np.log2(q[mask])))


def _kl_never_infinite(p, q):
    mask = (p > 0) & (q > 0)
    return float(np.sum(p[mask] * np.log2(p[mask] / q[mask])))


def _kl_in_place(p, q):
    p /= p.sum()
    return _kl(p, q)


def _kl_elementwise(p, q):
    out = np.zeros_like(p)
    mask = p > 0
    out[mask] = p[mask] * np.log2(p[mask] / np.maximum(q[mask], 1e-300))
    return out


def test_kl_divergence_accepts_a_correct_answer():
    feedback = check("it-kl-divergence", _kl)
    assert feedback.passed, feedback.message


def test_kl_divergence_stub_is_not_attempted():
    feedback = check("it-kl-divergence", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_kl_naive, "NaN"),
        (_kl_nats, "nats"),
        (_kl_swapped, "not symmetric"),
        (_cross_entropy, "cross-entropy"),
        (_kl_never_infinite, "+inf"),
        (_kl_in_place, "in place"),
        (_kl_elementwise, "one number"),
        (lambda p, q: 0.1, "too"),
        (42, "function"),
    ],
)
def test_kl_divergence_explains_typical_mistakes(answer, expected):
    feedback = check("it-kl-divergence", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


# ---------------------------------------------------------------------------
# Section 5.2: it-infonce
# ---------------------------------------------------------------------------


def _lse_rows(s):
    m = s.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(s - m).sum(axis=1, keepdims=True)))[:, 0]


def _infonce(scores):
    k = len(scores)
    return float(np.log(k) + np.mean(np.diag(scores) - _lse_rows(scores)))


def _infonce_overflows(scores):
    k = len(scores)
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.log(k) + np.mean(np.diag(scores) - np.log(np.exp(scores).sum(axis=1))))


def _infonce_no_log_k(scores):
    return _infonce(scores) - np.log(len(scores))


def _infonce_columns(scores):
    return _infonce(scores.T)


def _infonce_sum(scores):
    return float(np.log(len(scores)) + np.sum(np.diag(scores) - _lse_rows(scores)))


def _infonce_bits(scores):
    return _infonce(scores) / np.log(2)


def _infonce_terms(scores):
    return np.log(len(scores)) + np.diag(scores) - _lse_rows(scores)


def _infonce_in_place(scores):
    scores -= scores.max(axis=1, keepdims=True)  # the right value, but the caller's array is changed
    return _infonce(scores)


def test_infonce_accepts_a_correct_answer():
    feedback = check("it-infonce", _infonce)
    assert feedback.passed, feedback.message


def test_infonce_accepts_the_nblib_function():
    from nblib.info import infonce_bound

    assert check("it-infonce", infonce_bound).passed


def test_infonce_stub_is_not_attempted():
    feedback = check("it-infonce", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_infonce_overflows, "log-sum-exp"),
        (_infonce_no_log_k, "log K"),
        (_infonce_columns, "wrong axis"),
        (_infonce_sum, "sums"),
        (_infonce_bits, "bits"),
        (_infonce_terms, "one number"),
        (_infonce_in_place, "in place"),
        (lambda s: 100.0, "exceeds log K"),
        (lambda s: -1.0, "too small"),
    ],
)
def test_infonce_explains_typical_mistakes(answer, expected):
    feedback = check("it-infonce", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message
