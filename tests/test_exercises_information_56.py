"""Checks of the code exercises of Sections 5.5 and 5.6: a right answer passes, typical wrong
answers fail with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import comb, gammaln

from nblib.exercises import check


def _stub(*args):
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Section 5.5: it-noise-bits
# ---------------------------------------------------------------------------


def _noise_bits(n, fraction, n_classes):
    m = round(fraction * n)
    return float((gammaln(n + 1) - gammaln(m + 1) - gammaln(n - m + 1)) / np.log(2)
                 + m * np.log2(n_classes - 1))


def test_noise_bits_matches_exact_counting_on_small_cases():
    # independent truth: the number of equally likely noise patterns, counted with exact integers
    for n, fraction, k in [(4, 0.5, 2), (10, 0.3, 4), (20, 0.25, 10)]:
        m = round(fraction * n)
        count = comb(n, m, exact=True) * (k - 1) ** m
        assert _noise_bits(n, fraction, k) == pytest.approx(np.log2(float(count)), rel=1e-12)


def test_noise_bits_right_answer_passes():
    assert check("it-noise-bits", _noise_bits)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda n, f, k: _noise_bits(n, f, k) * np.log(2), "nats"),
        (lambda n, f, k: _noise_bits(n, f, k) - round(f * n) * np.log2(k - 1), "two classes"),
        (lambda n, f, k: _noise_bits(n, f, k) + round(f * n) * np.log2(k / (k - 1)),
         "cannot keep its old class"),
        (lambda n, f, k: n * (-f * np.log2(f) - (1 - f) * np.log2(1 - f) + f * np.log2(k - 1))
         if 0 < f < 1 else _noise_bits(n, f, k), "approximation"),
        (lambda n, f, k: 2 * _noise_bits(n, f, k), "too large"),
        (lambda n, f, k: "many", "should be a number"),
    ],
)
def test_noise_bits_wrong_answers_get_a_reason(wrong, message):
    feedback = check("it-noise-bits", wrong)
    assert not feedback and message in feedback.message


def test_noise_bits_stub_is_not_attempted():
    assert "not attempted" in check("it-noise-bits", _stub).message


# ---------------------------------------------------------------------------
# Section 5.5: it-early-stopping
# ---------------------------------------------------------------------------


def _early_stopping(scores, patience):
    best, best_epoch, wait = -np.inf, 0, 0
    for epoch, score in enumerate(scores):  # a Keras-style counter, written differently
        if score > best:
            best, best_epoch, wait = score, epoch, 0
        else:
            wait += 1
            if wait == patience:
                return best_epoch, epoch
    return best_epoch, len(scores) - 1


def test_early_stopping_reference_on_hand_checked_curves():
    assert _early_stopping([0.2, 0.5, 0.4, 0.4, 0.4, 0.9], 3) == (1, 4)
    assert _early_stopping([0.2, 0.5, 0.4, 0.4, 0.9, 0.1], 3) == (4, 5)
    assert _early_stopping([0.5, 0.5, 0.5], 5) == (0, 2)


def test_early_stopping_right_answer_passes():
    assert check("it-early-stopping", _early_stopping)


def _one_based(scores, patience):
    best, stop = _early_stopping(scores, patience)
    return best + 1, stop + 1


def _last_tie(scores, patience):  # ≥ instead of >: a plateau keeps moving the best epoch
    best, best_epoch = -np.inf, 0
    for epoch, score in enumerate(scores):
        if score >= best:
            best, best_epoch = score, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(scores) - 1


def _one_late(scores, patience):
    best, stop = _early_stopping(scores, patience + 1)
    return best, stop


def _argmax_only(scores, patience):  # the best epoch of the whole curve, seen after stopping
    return int(np.argmax(scores)), _early_stopping(scores, patience)[1]


def _in_place(scores, patience):
    out = _early_stopping(scores, patience)
    scores[:] = 0
    return out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_one_based, "count epochs from 0"),
        (_last_tie, "equal score is no improvement"),
        (_one_late, "too late"),
        (_argmax_only, "best_epoch does not hold"),
        (_in_place, "in place"),
        (lambda s, p: 3, "return a pair"),
    ],
)
def test_early_stopping_wrong_answers_get_a_reason(wrong, message):
    feedback = check("it-early-stopping", wrong)
    assert not feedback and message in feedback.message


def test_early_stopping_stub_is_not_attempted():
    assert "not attempted" in check("it-early-stopping", _stub).message


# ---------------------------------------------------------------------------
# Section 5.6: it-amari-index
# ---------------------------------------------------------------------------


def _amari(P):
    P = np.abs(np.asarray(P, dtype=float))
    d = len(P)
    total = 0.0
    for i in range(d):  # written with loops, unlike nblib
        total += sum(P[i]) / max(P[i]) - 1 + sum(P[:, i]) / max(P[:, i]) - 1
    return total / (2 * d * (d - 1))


def test_amari_right_answer_passes():
    assert check("it-amari-index", _amari)


def _no_abs(P):
    P = np.asarray(P, dtype=float)
    d = len(P)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float((np.sum(P.sum(1) / P.max(1) - 1) + np.sum(P.sum(0) / P.max(0) - 1)) / (2 * d * (d - 1)))


def _rows_only(P):
    P = np.abs(P)
    d = len(P)
    return float(np.sum(P.sum(1) / P.max(1) - 1) / (d * (d - 1)))


def _unnormalised(P):
    d = len(P)
    return _amari(P) * 2 * d * (d - 1)


def _no_minus_one(P):
    P = np.abs(P)
    d = len(P)
    return float((np.sum(P.sum(1) / P.max(1)) + np.sum(P.sum(0) / P.max(0))) / (2 * d * (d - 1)))


def _in_place(P):
    value = _amari(P)
    P *= 0
    return value


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_rows_only, "only the rows"),
        (_unnormalised, "not normalised"),
        (_no_minus_one, "subtract 1"),
        (_no_abs, "negative entries"),
        (_in_place, "in place"),
        (lambda P: [0.0, 0.0], "single number"),
    ],
)
def test_amari_wrong_answers_get_a_reason(wrong, message):
    feedback = check("it-amari-index", wrong)
    assert not feedback and message in feedback.message


def test_amari_stub_is_not_attempted():
    assert "not attempted" in check("it-amari-index", _stub).message
