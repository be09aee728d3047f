"""Checks of the code exercise of Section 10.1: a right answer passes, typical wrong answers fail
with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np

from nblib.exercises import check


def _layer_by_layer(As, alpha, *, reverse=False):
    """Multiply the layers in one at a time: C_j ← C_j + α A C_{j−1} (or C_{j−1} A if reversed)."""
    n = np.shape(As[0])[0]
    C = np.zeros((len(As) + 1, n, n))
    C[0] = np.eye(n)
    for m, A in enumerate(As):
        for j in range(m + 1, 0, -1):
            C[j] = C[j] + alpha * (C[j - 1] @ A if reverse else A @ C[j - 1])
    return C


def test_path_expansion_accepts_the_recursion():
    feedback = check("px-residual-expansion", _layer_by_layer)
    assert feedback.passed, feedback.message


def test_path_expansion_names_typical_mistakes():
    def no_alpha(As, alpha):
        return _layer_by_layer(As, 1.0)

    def mixed_powers(As, alpha):  # right total, wrong split: everything in C[1] except the identity
        C = _layer_by_layer(As, alpha)
        C[1] = C[1:].sum(axis=0)
        C[2:] = 0
        return C

    def no_identity(As, alpha):
        C = _layer_by_layer(As, alpha)
        C[0] = 0
        return C

    def ascending_in_place(As, alpha):
        # C[k] += αA C[k−1] for k = 1, 2, … in place: reads a C[k−1] that is already updated
        n = np.shape(As[0])[0]
        C = np.zeros((len(As) + 1, n, n))
        C[0] = np.eye(n)
        for A in As:
            for k in range(1, len(As) + 1):
                C[k] = C[k] + alpha * (A @ C[k - 1])
        return C

    cases = {
        "used twice": ascending_in_place,
        "wrong order": lambda As, alpha: _layer_by_layer(As, alpha, reverse=True),
        "factor α^k": no_alpha,
        "powers of α are mixed up": mixed_powers,
        "identity": no_identity,
        "shape": lambda As, alpha: _layer_by_layer(As, alpha)[1:],
    }
    for phrase, wrong in cases.items():
        feedback = check("px-residual-expansion", wrong)
        assert not feedback.passed and phrase in feedback.message, (phrase, feedback.message)


def test_path_expansion_stub_is_not_attempted():
    def path_expansion(As, alpha):
        raise NotImplementedError

    feedback = check("px-residual-expansion", path_expansion)
    assert not feedback.passed and "not attempted" in feedback.message, feedback.message
