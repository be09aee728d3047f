"""Checks of the code exercise of Section 8.2: a right answer passes, typical wrong answers fail
with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np

from nblib.exercises import check


def _stub(*args):
    raise NotImplementedError


def _lyapunov_qr(jacobians, *, use_abs=True, transpose=False, reverse=False, sort=True):
    jacobians = np.asarray(jacobians, dtype=float)
    if transpose:
        jacobians = np.transpose(jacobians, (0, 2, 1))
    if reverse:
        jacobians = jacobians[::-1]
    n, d, _ = jacobians.shape
    Q, total = np.eye(d), np.zeros(d)
    for J in jacobians:
        Q, R = np.linalg.qr(J @ Q)
        r = np.diag(R)
        total += np.log(np.abs(r) if use_abs else r)
    out = total / n
    return np.sort(out)[::-1] if sort else out


def _product_then_qr(jacobians):
    """One QR of the whole product: right in exact arithmetic, overflows in floating point."""
    P = np.eye(jacobians.shape[1])
    for J in jacobians:
        P = J @ P
    return np.sort(np.log(np.abs(np.diag(np.linalg.qr(P)[1]))) / len(jacobians))[::-1]


def test_lyapunov_qr_accepts_the_reference():
    feedback = check("ds-lyapunov-qr", _lyapunov_qr)
    assert feedback.passed, feedback.message


def test_lyapunov_qr_rejects_a_missing_absolute_value():
    with np.errstate(invalid="ignore"):
        feedback = check("ds-lyapunov-qr", lambda J: _lyapunov_qr(J, use_abs=False))
    assert not feedback.passed and "log|R_ii|" in feedback.message


def test_lyapunov_qr_rejects_the_product_that_overflows():
    with np.errstate(all="ignore"):
        feedback = check("ds-lyapunov-qr", _product_then_qr)
    assert not feedback.passed and "re-orthonormalize" in feedback.message


def test_lyapunov_qr_names_the_order_and_the_transpose():
    feedback = check("ds-lyapunov-qr", lambda J: _lyapunov_qr(J, sort=False))
    assert not feedback.passed and "decreasing order" in feedback.message
    feedback = check("ds-lyapunov-qr", lambda J: _lyapunov_qr(J, transpose=True))
    assert not feedback.passed and "transposed" in feedback.message
    feedback = check("ds-lyapunov-qr", lambda J: _lyapunov_qr(J, reverse=True))
    assert not feedback.passed and "reverse order" in feedback.message


def test_lyapunov_qr_rejects_a_wrong_normalization():
    feedback = check("ds-lyapunov-qr", lambda J: _lyapunov_qr(J) * len(J) / (len(J) + 1))
    assert not feedback.passed and "divide" in feedback.message


def test_lyapunov_qr_rejects_changing_the_input():
    def in_place(J):
        J *= 1.0
        J[0, 0, 0] += 1.0
        return _lyapunov_qr(J)

    feedback = check("ds-lyapunov-qr", in_place)
    assert not feedback.passed and "in place" in feedback.message


def test_lyapunov_qr_stub_is_not_attempted():
    assert "not attempted" in check("ds-lyapunov-qr", _stub).message
