"""nblib.info, Section 5.6 (representations): the Amari index against closed forms and FastICA."""

import warnings

import numpy as np
import pytest
from sklearn.decomposition import FastICA

from nblib import info


def signed_scaled_permutation(d, rng):
    """Λ Π: a random permutation with random non-zero scales of either sign."""
    scales = rng.uniform(0.1, 10, d) * rng.choice([-1.0, 1.0], d)
    return np.diag(scales)[rng.permutation(d)]


@pytest.mark.parametrize("d", [2, 3, 7])
def test_scaled_permutations_score_zero(d):
    rng = np.random.default_rng(d)
    A = rng.standard_normal((d, d))
    for _ in range(5):
        W = signed_scaled_permutation(d, rng) @ np.linalg.inv(A)
        assert info.amari_index(W, A) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("d", [2, 3, 6])
def test_equal_blend_scores_one(d):
    """All |p_ij| equal: each row sum over its max is d, so both sums are d(d − 1)."""
    signs = np.random.default_rng(0).choice([-1.0, 1.0], (d, d))
    assert info.amari_index(3.0 * signs, np.eye(d)) == pytest.approx(1.0, rel=1e-12)


def test_hand_computed_two_by_two():
    # rows: (1.5 − 1) + (1 − 1), columns: (1 − 1) + (1.5 − 1); total 1 over 2·2·1
    assert info.amari_index([[1.0, 0.5], [0.0, 1.0]], np.eye(2)) == pytest.approx(0.25, rel=1e-12)
    # every maximum is 4: rows (5/4 − 1) + (6/4 − 1), columns (6/4 − 1) + (5/4 − 1); 1.5 / 4
    assert info.amari_index([[4.0, 1.0], [-2.0, 4.0]], np.eye(2)) == pytest.approx(0.375, rel=1e-12)


@pytest.mark.parametrize("d", [2, 4, 5])
def test_dominant_unit_diagonal_gives_the_mean_off_diagonal_magnitude(d):
    """With p_ii = 1 and |p_ij| < 1 off the diagonal every row and column maximum is 1, so
    E(P) = 2 Σ_{i≠j} |p_ij| / (2d(d − 1)), the mean absolute off-diagonal entry."""
    rng = np.random.default_rng(10 + d)
    P = rng.uniform(-0.99, 0.99, (d, d))
    np.fill_diagonal(P, 1.0)
    off = np.abs(P[~np.eye(d, dtype=bool)])
    A = rng.standard_normal((d, d))
    assert info.amari_index(P @ np.linalg.inv(A), A) == pytest.approx(off.mean(), rel=1e-10)


def test_invariant_to_reordering_flipping_and_scaling_all_estimates_and_in_range():
    rng = np.random.default_rng(3)
    for d in (2, 3, 8):
        W, A = rng.standard_normal((d, d)), rng.standard_normal((d, d))
        value = info.amari_index(W, A)
        assert 0.0 <= value <= 1.0
        signed_perm = np.diag(rng.choice([-1.0, 1.0], d))[rng.permutation(d)]
        assert info.amari_index(-2.5 * signed_perm @ W, A) == pytest.approx(value, rel=1e-12)
        # rescaling single rows changes the column ratios, hence the index
        assert info.amari_index(np.diag(rng.uniform(0.1, 10, d)) @ W, A) != pytest.approx(value)


def test_rectangular_unmixing_of_more_mixtures_than_sources():
    rng = np.random.default_rng(4)
    A = rng.standard_normal((5, 3))  # 5 mixtures of 3 sources
    W = np.linalg.pinv(A)  # (3, 5), W A = I
    assert info.amari_index(W, A) == pytest.approx(0.0, abs=1e-12)


def test_fastica_recovers_laplace_but_not_gaussian_sources():
    """Comon (1994): ICA identifies non-Gaussian sources; Gaussian ones only up to a rotation."""
    rng = np.random.default_rng(0)
    n, d = 5000, 3
    A = rng.standard_normal((d, d))
    S = rng.laplace(size=(n, d))
    ica = FastICA(n_components=d, whiten="unit-variance", random_state=0).fit(S @ A.T)
    assert info.amari_index(ica.components_, A) < 0.05
    G = rng.standard_normal((n, d))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FastICA may not converge on Gaussian data
        ica = FastICA(n_components=d, whiten="unit-variance", random_state=0).fit(G @ A.T)
    assert info.amari_index(ica.components_, A) > 0.05


@pytest.mark.parametrize("scale", [1e-200, 1e-150, 1e150, 1e200])
def test_huge_and_tiny_inputs_neither_overflow_nor_underflow(scale):
    """E is invariant to multiplying W or A by a number: (1e200 W)(1e200 A) would overflow."""
    rng = np.random.default_rng(7)
    W, A = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    value = info.amari_index(W, A)
    assert info.amari_index(scale * W, scale * A) == pytest.approx(value, rel=1e-12)
    assert info.amari_index(scale * W, A / scale) == pytest.approx(value, rel=1e-12)
    assert info.amari_index(1e200 * np.eye(2), 1e200 * np.ones((2, 2))) == pytest.approx(1.0, rel=1e-12)


def test_error_messages_name_the_argument():
    with pytest.raises(ValueError, match="W must have shape"):
        info.amari_index(np.eye(3), np.eye(2))
    with pytest.raises(ValueError, match=r"W has shape \(3, 2\) and A shape \(2, 3\): 3 sources from only 2"):
        info.amari_index(np.ones((3, 2)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="A is all zeros"):
        info.amari_index(np.eye(2), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="W contains 1 NaN or infinite"):
        info.amari_index([[1.0, np.inf], [0.0, 1.0]], np.eye(2))
    with pytest.raises(ValueError, match="at least d = 2"):
        info.amari_index([[2.0]], [[1.0]])
    with pytest.raises(ValueError, match="row or a column of zeros"):
        info.amari_index([[1.0, 0.0], [0.0, 0.0]], np.eye(2))
    with pytest.raises(ValueError, match="W contains 1 NaN"):
        info.amari_index([[1.0, np.nan], [0.0, 1.0]], np.eye(2))
    with pytest.raises(ValueError, match="A must be 2-d"):
        info.amari_index(np.eye(2), np.ones(2))
    with pytest.raises(TypeError, match="A must be numeric"):
        info.amari_index(np.eye(2), np.array([["a", "b"], ["c", "d"]]))
