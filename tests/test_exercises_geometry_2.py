"""Checks of the code exercise of Section 9.2 (manifold learning): a right answer passes, rotated or
reflected, typical wrong answers fail with a message that says what is wrong, and a stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest

from nblib.exercises import check
from nblib.exercises.geometry import _double_centered, _mds_cases


def _stub(D, d):
    raise NotImplementedError


def _centered_gram(D, square=True):
    n = len(D)
    H = np.eye(n) - np.ones((n, n)) / n
    return -0.5 * H @ ((D**2) if square else D) @ H


def _mds(D, d):
    evals, evecs = np.linalg.eigh(_centered_gram(np.asarray(D, dtype=float)))
    top = np.argsort(evals)[::-1][:d]
    return evecs[:, top] * np.sqrt(np.clip(evals[top], 0, None))


def _mds_rotated(D, d):
    Y = _mds(D, d)
    Q, _ = np.linalg.qr(np.random.default_rng(1).standard_normal((d, d)))
    return -Y @ Q  # a reflection and a rotation: the same configuration


def _smallest(D, d):
    evals, evecs = np.linalg.eigh(_centered_gram(D))
    return evecs[:, :d] * np.sqrt(np.clip(evals[:d], 0, None))


def _no_half(D, d):
    return np.sqrt(2) * _mds(D, d)


def _unscaled(D, d):
    evals, evecs = np.linalg.eigh(_centered_gram(D))
    return evecs[:, np.argsort(evals)[::-1][:d]]


def _not_squared(D, d):
    evals, evecs = np.linalg.eigh(_centered_gram(D, square=False))
    top = np.argsort(evals)[::-1][:d]
    return evecs[:, top] * np.sqrt(np.clip(evals[top], 0, None))


def _transposed(D, d):
    return _mds(D, d).T


def test_classical_mds_accepts_the_reference_rotated_or_reflected():
    for answer in (_mds, _mds_rotated):
        feedback = check("gt-classical-mds", answer)
        assert feedback.passed, feedback.message


def test_classical_mds_reference_reproduces_euclidean_distances_and_pca():
    """The reference is right, not only self-consistent: on points of the plane it gives back their
    distances, and on any points it gives the PCA scores up to sign."""
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((15, 3)) * [5.0, 2.0, 1.0] + 7.0
    D = np.sqrt(np.sum((Z[:, None] - Z[None]) ** 2, axis=-1))
    np.testing.assert_allclose(
        np.sqrt(np.sum((_mds(D, 3)[:, None] - _mds(D, 3)[None]) ** 2, axis=-1)), D, atol=1e-9
    )
    U, S, _ = np.linalg.svd(Z - Z.mean(axis=0), full_matrices=False)
    Y = _mds(D, 2)
    np.testing.assert_allclose(np.abs(Y), np.abs(U[:, :2] * S[:2]), atol=1e-9)


def test_classical_mds_cases_exercise_what_they_claim():
    """The non-Euclidean case has negative eigenvalues and a positive, separated top two, so the
    expected answer is well defined and differs from a pick by magnitude."""
    for what, D, d in _mds_cases():
        evals = np.sort(np.linalg.eigvalsh(_double_centered(D)))[::-1]
        assert evals[d - 1] > 0 and evals[d - 1] - evals[d] > 1e-3 * evals[0], what
    evals_ne = np.linalg.eigvalsh(_double_centered(_mds_cases()[-1][1]))
    assert evals_ne.min() < -0.1 * evals_ne.max()


def test_classical_mds_stub_is_not_attempted():
    assert "not attempted" in check("gt-classical-mds", _stub).message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_smallest, "smallest eigenvalues"),
        (_no_half, "factor sqrt(2)"),
        (_unscaled, "square root of its eigenvalue"),
        (_not_squared, "square the distances"),
        (_transposed, "shape"),
    ],
)
def test_classical_mds_explains_common_mistakes(answer, expected):
    feedback = check("gt-classical-mds", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message
