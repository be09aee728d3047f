"""Checks of the code exercise of Section 11.4 (symmetry and equivariance): a right answer passes,
typical wrong answers fail with a message that says what is wrong, and a stub is "not attempted"."""

from __future__ import annotations

import numpy as np

from nblib.exercises import check


def symmetrize(W):
    W = np.asarray(W, dtype=float)
    n = len(W)
    a = np.trace(W) / n
    b = (W.sum() - np.trace(W)) / (n * (n - 1))
    return b * np.ones((n, n)) + (a - b) * np.eye(n)


def symmetrize_by_masks(W):
    """The same projection written with orbit masks: another correct transcription."""
    off = ~np.eye(len(W), dtype=bool)
    return np.where(off, W[off].mean(), np.diag(W).mean())


def test_symmetrize_accepts_right_answers():
    for fn in (symmetrize, symmetrize_by_masks):
        feedback = check("fr-symmetrize", fn)
        assert feedback.passed, feedback.message


def test_symmetrize_names_a_non_equivariant_result():
    """The symmetric part (W + Wᵀ)/2 is a projection too, but onto the wrong space."""
    feedback = check("fr-symmetrize", lambda W: (W + W.T) / 2)
    assert not feedback.passed and "not permutation-equivariant" in feedback.message, (
        feedback.message
    )


def test_symmetrize_names_a_wrong_diagonal_or_off_diagonal():
    # one mean for both orbits
    feedback = check("fr-symmetrize", lambda W: np.full(W.shape, W.mean()))
    assert not feedback.passed and "diagonal is wrong" in feedback.message, feedback.message

    def off_wrong(W):  # right diagonal, off-diagonal averaged over all entries
        n = len(W)
        return W.mean() * (np.ones((n, n)) - np.eye(n)) + np.trace(W) / n * np.eye(n)

    feedback = check("fr-symmetrize", off_wrong)
    assert not feedback.passed and "off-diagonal entries are wrong" in feedback.message, (
        feedback.message
    )


def test_symmetrize_rejects_wrong_shapes_and_non_functions():
    feedback = check("fr-symmetrize", lambda W: np.trace(W) / len(W))
    assert not feedback.passed and "should return shape (2, 2)" in feedback.message, (
        feedback.message
    )
    feedback = check("fr-symmetrize", lambda W: W * np.nan)
    assert not feedback.passed and "NaN" in feedback.message, feedback.message
    assert not check("fr-symmetrize", "symmetrize").passed


def test_symmetrize_that_only_works_for_small_n_fails_at_40():
    """Right for n ≤ 5 but wrong when n is large (here: the off-diagonal mean of a 5 × 5 corner)."""

    def corner_only(W):
        k = min(len(W), 5)
        corner = symmetrize(W[:k, :k])
        out = symmetrize(W)
        out[~np.eye(len(W), dtype=bool)] = corner[0, 1] if k > 1 else 0.0
        return out

    feedback = check("fr-symmetrize", corner_only)
    assert not feedback.passed and "n = 40" in feedback.message, feedback.message


def test_symmetrize_stub_is_not_attempted():
    def stub(W):
        raise NotImplementedError

    feedback = check("fr-symmetrize", stub)
    assert not feedback.passed and "not attempted" in feedback.message


def test_symmetrize_names_the_one_matrix_slip():
    """a·I + b·11ᵀ instead of a·I + b·(11ᵀ − I): the diagonal holds a + b, so the diagonal is named."""

    def plus_ones(W):
        n = len(W)
        a = np.trace(W) / n
        b = (W.sum() - np.trace(W)) / (n * (n - 1))
        return a * np.eye(n) + b * np.ones((n, n))

    feedback = check("fr-symmetrize", plus_ones)
    assert not feedback.passed and "diagonal is wrong" in feedback.message, feedback.message
