"""Checks of the code exercise of Section 11.5 (P(Y = 1 | do(X = x)) by back-door adjustment): a
right answer passes, each typical mistake fails with the reason that names it, and a stub is
"not attempted"."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nblib.exercises import check
from nblib.exercises.frontiers import _adjustment_cases


def _p_do(p_z, p_x_given_z, p_y, x):
    return float(np.sum(p_y[x] * p_z))


def _by_enumeration(p_z, p_x_given_z, p_y, x):
    """The mutilated SCM enumerated: X's mechanism replaced by the point mass at x."""
    total = 0.0
    for z, xx in itertools.product(range(len(p_z)), (0, 1)):
        total += p_z[z] * float(xx == x) * p_y[xx, z]
    return total


def test_right_answers_pass():
    for answer in (_p_do, _by_enumeration):
        feedback = check("fr-do-adjustment", answer)
        assert feedback.passed, feedback.message


def test_cases_tell_the_mistakes_apart():
    """In every case the right answer and the slips differ by far more than the check's
    tolerance (1e-9), so a message names one mistake; the kidney-stone table is a Simpson
    reversal (its reason for being there)."""
    for _what, p_z, p_xz, p_y in _adjustment_cases():
        for x in (0, 1):
            joint = p_z * p_xz[:, x]
            values = [
                p_y[x] @ p_z,
                p_y[x] @ joint / joint.sum(),
                p_y[x] @ joint,
                p_y[x].mean(),
                1 - p_y[x] @ p_z,
                p_y[1 - x] @ p_z,
            ]
            gaps = np.abs(np.subtract.outer(values, values))[np.triu_indices(len(values), 1)]
            assert gaps.min() > 1e-6, (x, values)
    _, p_z, p_xz, p_y = _adjustment_cases()[0]
    obs = [p_y[x] @ (p_z * p_xz[:, x]) / (p_z @ p_xz[:, x]) for x in (0, 1)]
    do = [p_y[x] @ p_z for x in (0, 1)]
    assert np.all(p_y[0] > p_y[1]) and obs[0] < obs[1] and do[0] > do[1]


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (lambda pz, pxz, py, x: py[x] @ (pz * pxz[:, x]) / (pz @ pxz[:, x]), "observational"),
        (lambda pz, pxz, py, x: py[x] @ (pz * pxz[:, x]), "removes the factor p(x | z)"),
        (lambda pz, pxz, py, x: py[x].mean(), "unweighted mean"),
        (lambda pz, pxz, py, x: 1 - py[x] @ pz, "Y = 0"),
        (lambda pz, pxz, py, x: py[1 - x] @ pz, "other value of x"),
        (lambda pz, pxz, py, x: py[x] @ pz + 0.01, "off by 0.01"),
        (lambda pz, pxz, py, x: np.array([py[x] @ pz, 0.0]), "one probability"),
    ],
)
def test_mistakes_are_named(answer, phrase):
    feedback = check("fr-do-adjustment", answer)
    assert not feedback.passed and phrase in feedback.message, feedback.message


def test_stub_is_not_attempted():
    def stub(p_z, p_x_given_z, p_y_given_xz, x):
        raise NotImplementedError

    feedback = check("fr-do-adjustment", stub)
    assert not feedback.passed and "not attempted" in feedback.message
    assert not check("fr-do-adjustment", 0.5).passed
