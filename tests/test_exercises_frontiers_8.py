"""Checks of the code exercise of Section 11.8: Optimal Brain Surgeon deleting a group of weights
passes; zeroing them without moving the others, deleting them one by one with the single-weight
formula, and a non-array answer fail with a message that says why; an unfinished stub is
"not attempted"."""

from __future__ import annotations

import numpy as np

from nblib.exercises import check


def obs_delete(w, H, S):
    """δ = −H⁻¹E_S ([H⁻¹]_SS)⁻¹ w_S: the stationary point of the Lagrangian with E_Sᵀ(w + δ) = 0."""
    H_inv = np.linalg.inv(H)
    return w - H_inv[:, S] @ np.linalg.solve(H_inv[np.ix_(S, S)], w[S])


def test_obs_delete_accepts_the_group_step():
    feedback = check("fr-obs-group", obs_delete)
    assert feedback.passed, feedback.message


def test_obs_delete_names_typical_mistakes():
    def zero_only(w, H, S):
        u = w.copy()
        u[S] = 0.0
        return u

    def one_by_one(w, H, S):  # the single-weight step applied in turn, with the original H
        H_inv = np.linalg.inv(H)
        u = w.copy()
        for q in S:
            u = u - u[q] / H_inv[q, q] * H_inv[:, q]
        return u

    cases = {
        "left the others": zero_only,
        "one after another": one_by_one,
        "as an array": lambda w, H, S: {"w": w},
        "shape": lambda w, H, S: w[:-1],
    }
    for phrase, wrong in cases.items():
        feedback = check("fr-obs-group", wrong)
        assert not feedback.passed and phrase in feedback.message, (phrase, feedback.message)


def test_obs_delete_stub_is_not_attempted():
    def stub(w, H, S):
        raise NotImplementedError

    feedback = check("fr-obs-group", stub)
    assert not feedback.passed and "not attempted" in feedback.message, feedback.message
