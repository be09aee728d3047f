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
        (lambda n, f, k: _noise_bits(n, int(f * n) / n, k), "rounded to the nearest integer"),
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


def _min_delta(scores, patience, min_delta=1e-3):  # Keras' min_delta: small gains ignored
    best, best_epoch = -np.inf, 0
    for epoch, score in enumerate(scores):
        if score > best + min_delta:
            best, best_epoch = score, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(scores) - 1


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
        (_min_delta, "any strict improvement counts"),
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
# Section 5.6: it-amari-rotation
# ---------------------------------------------------------------------------


def _amari_rotation(phi):
    # a different route from the notebook's: reduce the angle with arctan2 of |sin|, |cos|
    a = np.arctan2(abs(np.sin(phi)), abs(np.cos(phi)))  # in [0, pi/2], same |R| up to order
    return float(np.tan(min(a, np.pi / 2 - a)))


def test_amari_rotation_reference_is_the_general_index():
    # independent truth: the Amari index of the rotation matrix, eq-it-amari, and tan on [0, pi/4]
    from nblib.info import amari_index

    for phi in np.linspace(-7, 7, 141):
        R = np.array([[np.cos(phi), -np.sin(phi)], [np.sin(phi), np.cos(phi)]])
        assert _amari_rotation(phi) == pytest.approx(amari_index(R, np.eye(2)), rel=1e-12, abs=1e-15)
    for phi in np.linspace(0, np.pi / 4, 9):
        assert _amari_rotation(phi) == pytest.approx(np.tan(phi), rel=1e-12, abs=1e-15)


def test_amari_rotation_right_answer_passes():
    assert check("it-amari-rotation", _amari_rotation)


def _unfolded(phi):  # tan(phi) is right only on [0, pi/4]
    return float(np.tan(phi))


def _folded_once(phi):  # the mirror at pi/4 but not the period pi/2
    return float(np.tan(min(phi, np.pi / 2 - phi)))


def _small_angle(phi):
    a = np.mod(phi, np.pi / 2)
    return float(np.sin(min(a, np.pi / 2 - a)))


def _unnormalised(phi):
    return 4 * _amari_rotation(phi)


def _sine_ratio(phi):  # row sums divided by the sine instead of the largest entry
    a = np.mod(phi, np.pi / 2)
    a = min(a, np.pi / 2 - a)
    return float(np.cos(a) / np.sin(a)) if a > 0 else 0.0


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_unfolded, "no longer the cosine"),
        (_folded_once, "grows by pi/2"),
        (_small_angle, "small-angle approximation"),
        (_unnormalised, "not normalised"),
        (_sine_ratio, "outside [0, 1]"),
        (lambda phi: [0.0, 0.0], "single number"),
    ],
)
def test_amari_rotation_wrong_answers_get_a_reason(wrong, message):
    feedback = check("it-amari-rotation", wrong)
    assert not feedback and message in feedback.message


def test_amari_rotation_stub_is_not_attempted():
    assert "not attempted" in check("it-amari-rotation", _stub).message
