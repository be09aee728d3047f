"""Checks of the code exercise of Section 8.4: a right answer passes, typical wrong answers fail
with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest

from nblib.exercises import check


def _stub(*args):
    raise NotImplementedError


def _hidden_jacobian(W, U, b, X, h0, transpose=False, order=False, previous=False, linear=False):
    h, J = np.asarray(h0, float), np.eye(len(h0))
    for x in X:
        h_new = np.tanh(W @ h + U @ x + b)
        d = np.ones_like(h) if linear else 1 - (h if previous else h_new) ** 2
        J = J @ (d[:, None] * W) if order else (d[:, None] * W) @ J
        h = h_new
    return J.T if transpose else J


def test_hidden_jacobian_accepts_the_reference():
    feedback = check("ds-bptt-jacobian", _hidden_jacobian)
    assert feedback.passed, feedback.message


@pytest.mark.parametrize(
    ("mistake", "named"),
    [
        ("transpose", "transpose"),
        ("order", "wrong order"),
        ("previous", "1 − h_(t−1)²"),  # σ′ taken one step early
        ("linear", "are missing"),  # σ′ left out
    ],
)
def test_hidden_jacobian_names_the_mistake(mistake, named):
    feedback = check("ds-bptt-jacobian", lambda *a: _hidden_jacobian(*a, **{mistake: True}))
    assert not feedback.passed and named in feedback.message, feedback.message


def test_hidden_jacobian_rejects_a_wrong_shape_and_in_place_changes():
    feedback = check("ds-bptt-jacobian", lambda W, U, b, X, h0: _hidden_jacobian(W, U, b, X, h0)[0])
    assert not feedback.passed and "shape" in feedback.message

    def in_place(W, U, b, X, h0):
        h0 *= 0.5
        return _hidden_jacobian(W, U, b, X, h0)

    feedback = check("ds-bptt-jacobian", in_place)
    assert not feedback.passed and "in place" in feedback.message


def test_hidden_jacobian_names_an_approximation():
    """Central differences are right to ~1e-7 relative: rejected, with a message saying why."""

    def finite_differences(W, U, b, X, h0):
        def run(h):
            for x in X:
                h = np.tanh(W @ h + U @ x + b)
            return h

        step = 1e-6
        return np.column_stack(
            [(run(h0 + step * e) - run(h0 - step * e)) / (2 * step) for e in np.eye(len(h0))]
        )

    feedback = check("ds-bptt-jacobian", finite_differences)
    assert not feedback.passed and "finite differences" in feedback.message, feedback.message


def test_hidden_jacobian_stub_is_not_attempted():
    assert "not attempted" in check("ds-bptt-jacobian", _stub).message
