"""Checks of the code exercise of Section 8.5: a right answer passes, typical wrong answers fail
with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np

from nblib.exercises import check


def _modified(grad, hess, theta, eta, factor=0.5, sign=1.0, plain=False, only=False):
    g = np.asarray(grad(theta), float)
    correction = factor * eta * hess(theta) @ g
    if plain:
        return g
    if only:
        return correction
    return sign * (g + correction)


def test_modified_gradient_accepts_the_reference():
    feedback = check("ds-modified-flow", _modified)
    assert feedback.passed, feedback.message


def test_modified_gradient_names_the_factor():
    for factor in (0.25, 1.0):
        feedback = check("ds-modified-flow", lambda *a, f=factor: _modified(*a, factor=f))
        assert not feedback.passed and "wrong factor" in feedback.message, feedback.message


def test_modified_gradient_names_the_sign_and_missing_terms():
    feedback = check("ds-modified-flow", lambda *a: _modified(*a, sign=-1.0))
    assert not feedback.passed and "sign" in feedback.message
    feedback = check("ds-modified-flow", lambda *a: _modified(*a, plain=True))
    assert not feedback.passed and "plain gradient" in feedback.message
    feedback = check("ds-modified-flow", lambda *a: _modified(*a, only=True))
    assert not feedback.passed and "only the correction" in feedback.message


def test_modified_gradient_names_the_sign_of_the_correction():
    feedback = check("ds-modified-flow", lambda *a: _modified(*a, factor=-0.5))
    assert not feedback.passed and "wrong sign" in feedback.message, feedback.message


def test_modified_gradient_rejects_a_wrong_shape_and_in_place_changes():
    feedback = check("ds-modified-flow", lambda *a: _modified(*a)[:1])
    assert not feedback.passed and "shape" in feedback.message

    def in_place(grad, hess, theta, eta):
        out = _modified(grad, hess, theta, eta)
        theta *= 2
        return out

    feedback = check("ds-modified-flow", in_place)
    assert not feedback.passed and "in place" in feedback.message


def test_modified_gradient_stub_is_not_attempted():
    def stub(grad, hess, theta, eta):
        raise NotImplementedError

    feedback = check("ds-modified-flow", stub)
    assert not feedback.passed and "not attempted" in feedback.message.lower(), feedback.message
