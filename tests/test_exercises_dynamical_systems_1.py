"""Checks of the code exercise of Section 8.1: a right answer passes, typical wrong answers fail
with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np

from nblib.exercises import check


def _newton(W, c, h0, tol=1e-12, max_iter=50):
    h = np.array(h0, dtype=float)
    for _ in range(max_iter):
        f = np.tanh(W @ h + c)
        if np.linalg.norm(f - h) < tol:
            break
        h = h - np.linalg.solve((1 - f**2)[:, None] * W - np.eye(len(h)), f - h)
    return h


def _iterate_map(W, c, h0, steps=2000):
    h = np.array(h0, dtype=float)
    for _ in range(steps):
        h = np.tanh(W @ h + c)
    return h


def test_newton_accepts_the_reference():
    feedback = check("ds-newton-fixed-point", _newton)
    assert feedback.passed, feedback.message


def test_newton_rejects_iterating_the_map():
    """Iterating h ← tanh(Wh + c) finds a fixed point, but a stable one, never the saddle."""
    feedback = check("ds-newton-fixed-point", _iterate_map)
    assert not feedback.passed and "not the one Newton" in feedback.message


def test_newton_names_a_missing_tanh():
    def linear(W, c, h0):
        return np.linalg.solve(np.eye(len(c)) - W, c)

    feedback = check("ds-newton-fixed-point", linear)
    assert not feedback.passed and "without its tanh" in feedback.message


def test_newton_rejects_stopping_after_one_step():
    feedback = check("ds-newton-fixed-point", lambda W, c, h0: _newton(W, c, h0, max_iter=1))
    assert not feedback.passed and "not a fixed point" in feedback.message


def test_newton_rejects_a_wrong_shape_and_a_stub():
    feedback = check("ds-newton-fixed-point", lambda W, c, h0: _newton(W, c, h0)[None, :])
    assert not feedback.passed and "shape" in feedback.message

    def stub(W, c, h0):
        raise NotImplementedError

    assert "not attempted" in check("ds-newton-fixed-point", stub).message


def test_newton_rejects_changing_the_start_in_place():
    def in_place(W, c, h0):
        h0 += 0.0 * h0 + 1e-3
        return _newton(W, c, h0)

    feedback = check("ds-newton-fixed-point", in_place)
    assert not feedback.passed and "in place" in feedback.message


def _newton_jacobian(W, c, h0, wrong):
    h = np.array(h0, dtype=float)
    for _ in range(50):
        f = np.tanh(W @ h + c)
        J = ((1 - f**2)[:, None] * W).T if wrong == "transpose" else W * (1 - f**2)[None, :]
        h = h - np.linalg.solve(J - np.eye(len(h)), f - h)
    return h


def test_newton_rejects_a_wrong_jacobian():
    """The transposed Jacobian or W diag(1 − F²) still converge on symmetric-ish 2-unit cases;
    the non-symmetric 3-unit case catches both."""
    for wrong in ["transpose", "order"]:
        feedback = check(
            "ds-newton-fixed-point", lambda W, c, h0, wrong=wrong: _newton_jacobian(W, c, h0, wrong)
        )
        assert not feedback.passed and "non-symmetric" in feedback.message, (
            wrong,
            feedback.message,
        )


def test_newton_accepts_a_damped_newton():
    """A correct variant written differently: half steps first, then full Newton steps."""

    def damped(W, c, h0):
        h = np.array(h0, dtype=float)
        for k in range(200):
            f = np.tanh(W @ h + c)
            step = np.linalg.solve((1 - f**2)[:, None] * W - np.eye(len(h)), f - h)
            h = h - (0.5 if k < 3 else 1.0) * step
        return h

    feedback = check("ds-newton-fixed-point", damped)
    assert feedback.passed, feedback.message
