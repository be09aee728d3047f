"""Checks of the code exercise of Section 8.3: a right answer passes, typical wrong answers fail
with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np

from nblib.exercises import check


def _stub(*args):
    raise NotImplementedError


def _mean_field(weight_var, bias_var, node_scale=2.0**0.5, slope_power=2, swap=False):
    x, w = np.polynomial.hermite.hermgauss(300)
    z, w = node_scale * x, w / np.sqrt(np.pi)
    q = 1.0
    for _ in range(100_000):
        q_next = weight_var * w @ np.tanh(np.sqrt(q) * z) ** 2 + bias_var
        done = abs(q_next - q) <= 1e-15 * max(q, 1e-300)
        q = q_next
        if done:
            break
    chi = weight_var * w @ (1 - np.tanh(np.sqrt(q) * z) ** 2) ** slope_power
    return (chi, q) if swap else (q, chi)


def test_mean_field_accepts_the_reference():
    feedback = check("ds-mean-field", _mean_field)
    assert feedback.passed, feedback.message


def test_mean_field_names_the_missing_sqrt2():
    feedback = check("ds-mean-field", lambda a, b: _mean_field(a, b, node_scale=1.0))
    assert not feedback.passed and "√2" in feedback.message


def test_mean_field_names_the_slope_at_the_starting_length():
    def at_one(weight_var, bias_var):
        q, _ = _mean_field(weight_var, bias_var)
        x, w = np.polynomial.hermite.hermgauss(300)
        return q, weight_var * (w / np.sqrt(np.pi)) @ (1 - np.tanh(np.sqrt(2.0) * x) ** 2) ** 2

    feedback = check("ds-mean-field", at_one)
    assert not feedback.passed and "evaluated at q = 1" in feedback.message, feedback.message


def test_mean_field_rejects_the_unsquared_slope():
    feedback = check("ds-mean-field", lambda a, b: _mean_field(a, b, slope_power=1))
    assert not feedback.passed and "φ'²" in feedback.message


def test_mean_field_rejects_squared_arguments():
    feedback = check("ds-mean-field", lambda a, b: _mean_field(a**2, b**2))
    assert not feedback.passed and "already the variances" in feedback.message


def test_mean_field_rejects_a_swapped_pair():
    feedback = check("ds-mean-field", lambda a, b: _mean_field(a, b, swap=True))
    assert not feedback.passed and "swapped" in feedback.message


def test_mean_field_rejects_a_single_number():
    feedback = check("ds-mean-field", lambda a, b: _mean_field(a, b)[0])
    assert not feedback.passed and "pair" in feedback.message


def test_mean_field_rejects_a_wrong_derivative():
    def wrong(a, b):
        q, _ = _mean_field(a, b)
        x, w = np.polynomial.hermite.hermgauss(300)
        z, w = np.sqrt(2.0) * x, w / np.sqrt(np.pi)
        return q, a * w @ (1 - np.tanh(np.sqrt(q) * z)) ** 2  # 1 − tanh, not 1 − tanh²

    feedback = check("ds-mean-field", wrong)
    assert not feedback.passed and "chi1 is" in feedback.message


def test_mean_field_stub_is_not_attempted():
    assert "not attempted" in check("ds-mean-field", _stub).message
