"""nblib.theory, Sections 6.1-6.3: sample sizes, Sauer-Shelah, shattering by linear programming,
growth functions, the perceptron and the halving algorithm, each against brute force or a closed form."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from nblib import theory

# --- hoeffding_sample_size -------------------------------------------------------------------


@pytest.mark.parametrize("eps", [0.3, 0.1, 0.05, 0.01, 0.0123])
@pytest.mark.parametrize("delta", [0.5, 0.05, 1e-6])
@pytest.mark.parametrize("n_h", [1, 2, 21, 10**6])
def test_hoeffding_sample_size_is_the_smallest_m_by_search(eps, delta, n_h):
    m = theory.hoeffding_sample_size(eps, delta, n_h)
    # brute force: first m (counting up) with 2 n_h exp(-2 m eps^2) <= delta
    brute = next(k for k in itertools.count(1) if 2 * n_h * math.exp(-2 * k * eps * eps) <= delta)
    assert m == brute


def test_hoeffding_sample_size_known_values():
    assert theory.hoeffding_sample_size(0.1, 0.05) == 185
    assert theory.hoeffding_sample_size(0.1, 0.05, n_hypotheses=21) == 337
    assert theory.hoeffding_sample_size(0.01, 0.01) == 26_492


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"epsilon": 0.0, "delta": 0.1}, ValueError, "epsilon"),
        ({"epsilon": -0.1, "delta": 0.1}, ValueError, "epsilon"),
        ({"epsilon": 0.1, "delta": 0.0}, ValueError, "delta"),
        ({"epsilon": 0.1, "delta": 1.0}, ValueError, "delta"),
        ({"epsilon": 0.1, "delta": 1.5}, ValueError, "delta"),
        ({"epsilon": 0.1, "delta": 0.1, "n_hypotheses": 0}, ValueError, "n_hypotheses"),
        ({"epsilon": 0.1, "delta": 0.1, "n_hypotheses": 2.5}, TypeError, "n_hypotheses"),
        ({"epsilon": "0.1", "delta": 0.1}, TypeError, "epsilon"),
        ({"epsilon": float("nan"), "delta": 0.1}, ValueError, "epsilon"),
    ],
)
def test_hoeffding_sample_size_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        theory.hoeffding_sample_size(**kwargs)


# --- sauer_shelah ------------------------------------------------------------------------------


def test_sauer_shelah_counts_subsets_of_size_at_most_d():
    for m in range(0, 9):
        for d in range(0, 11):
            brute = sum(1 for r in range(m + 1) for _ in itertools.combinations(range(m), r) if r <= d)
            assert theory.sauer_shelah(m, d) == brute
    assert theory.sauer_shelah(5, 10) == 32 and theory.sauer_shelah(0, 0) == 1


def test_sauer_shelah_is_exact_for_huge_arguments_and_below_em_over_d():
    big = theory.sauer_shelah(10**4, 50)
    assert isinstance(big, int) and big == sum(math.comb(10**4, i) for i in range(51))
    for m in range(1, 80):
        for d in range(1, m + 1):
            assert theory.sauer_shelah(m, d) <= (math.e * m / d) ** d


@pytest.mark.parametrize(
    "m, d, error, match",
    [(-1, 2, ValueError, "m"), (5, -1, ValueError, "d"), (5, 2.5, TypeError, "d"), (3.5, 2, TypeError, "m"),
     (True, 2, TypeError, "m"), (5, "2", TypeError, "d")],
)
def test_sauer_shelah_rejects_bad_input(m, d, error, match):
    with pytest.raises(error, match=match):
        theory.sauer_shelah(m, d)


def test_sauer_shelah_accepts_integral_floats():
    assert theory.sauer_shelah(10.0, 2.0) == 56


# --- shattering and growth functions --------------------------------------------------------------


def _separable_brute(points, labels, n_dirs=4000, seed=0):
    """A separating direction found by trying many random (w, b) (1-d and 2-d only): a sufficient check."""
    rng = np.random.default_rng(seed)
    d = points.shape[1]
    w = rng.standard_normal((n_dirs, d))
    proj = points @ w.T  # (n, n_dirs)
    for j in range(n_dirs):
        s = np.sort(proj[:, j])
        cuts = np.concatenate([[s[0] - 1], (s[:-1] + s[1:]) / 2, [s[-1] + 1]])
        for c in cuts:
            pred = np.where(proj[:, j] > c, 1, -1)
            if np.array_equal(pred, labels) or np.array_equal(-pred, labels):
                return True
    return False


def test_halfspace_separable_agrees_with_threshold_search_in_one_dimension():
    rng = np.random.default_rng(1)
    for _ in range(30):
        x = rng.standard_normal(5)
        y = rng.choice([-1.0, 1.0], size=5)
        order = np.argsort(x)
        # on a line: separable iff the sorted labels change sign at most once
        changes = np.sum(y[order][1:] != y[order][:-1])
        assert theory.halfspace_separable(x, y) == (changes <= 1)


def test_halfspace_separable_agrees_with_random_search_in_the_plane():
    rng = np.random.default_rng(2)
    for _ in range(25):
        pts = rng.standard_normal((5, 2))
        y = rng.choice([-1.0, 1.0], size=5)
        if theory.halfspace_separable(pts, y):
            assert _separable_brute(pts, y)  # random search finds one too (generic points)
        else:
            assert not _separable_brute(pts, y, n_dirs=500)  # and none exists


def test_xor_and_simple_cases():
    square = [[0, 0], [1, 1], [1, 0], [0, 1]]
    assert not theory.halfspace_separable(square, [1, 1, -1, -1])
    assert theory.halfspace_separable(square, [1, -1, -1, -1])
    assert theory.halfspace_separable(square, [1, 1, 1, 1])
    assert theory.halfspace_dichotomies(square) == 14


@pytest.mark.parametrize("d", [1, 2, 3, 4])
def test_vc_dimension_of_halfspaces_is_d_plus_one(d):
    rng = np.random.default_rng(d)
    for _ in range(5):
        assert theory.halfspace_shatters(rng.standard_normal((d + 1, d)))
        assert not theory.halfspace_shatters(rng.standard_normal((d + 2, d)))


@pytest.mark.parametrize("d", [1, 2, 3])
def test_halfspace_dichotomies_match_cover_in_general_position(d):
    rng = np.random.default_rng(10 + d)
    for m in range(d + 1, d + 5):
        cover = 2 * sum(math.comb(m - 1, k) for k in range(d + 1))
        assert theory.halfspace_dichotomies(rng.standard_normal((m, d))) == cover


def test_labelings_are_generated_lazily_and_large_sets_are_refused():
    import tracemalloc

    rng = np.random.default_rng(7)
    pts = rng.standard_normal((20, 2))  # 20 points in the plane are never shattered: stops early
    tracemalloc.start()
    assert not theory.halfspace_shatters(pts)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5_000_000  # the eager version held 2^19 x 20 floats (about 80 MB) at once
    with pytest.raises(ValueError, match="points has 23 rows"):
        theory.halfspace_shatters(rng.standard_normal((23, 3)))
    with pytest.raises(ValueError, match="points"):
        theory.halfspace_dichotomies(rng.standard_normal((30, 2)))


def test_near_degenerate_points_are_a_documented_limitation():
    # not collinear, so 8 labelings exist; margin 1 needs ||w|| ~ 1e10, beyond the solver's tolerance
    assert theory.halfspace_dichotomies([[0, 0], [1, 0], [2, 1e-10]]) <= 8
    assert theory.halfspace_dichotomies([[0, 0], [1, 0], [2, 1e-2]]) == 8
    assert "feasibility tolerance" in theory.halfspace_separable.__doc__


def test_collinear_points_are_not_shattered():
    assert not theory.halfspace_shatters([[0, 0], [1, 1], [2, 2]])
    assert theory.halfspace_dichotomies([[0, 0], [1, 1], [2, 2]]) == 6


def test_interval_dichotomies_against_contiguous_labelings():
    rng = np.random.default_rng(3)
    for m in range(1, 11):
        x = rng.random(m)
        brute = 0
        for y in itertools.product([0, 1], repeat=m):
            ones = np.flatnonzero(np.array(y)[np.argsort(x)])
            brute += len(ones) == 0 or ones[-1] - ones[0] + 1 == len(ones)
        assert theory.interval_dichotomies(x) == brute == m * (m + 1) // 2 + 1 == theory.sauer_shelah(m, 2)


def test_interval_dichotomies_with_repeated_points():
    # repeated points always get the same label: as many labelings as for the distinct values
    assert theory.interval_dichotomies([0.1, 0.1, 0.5]) == theory.interval_dichotomies([0.1, 0.5]) == 4


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: theory.halfspace_separable([[0, 0], [1, 1]], [1, 0]), ValueError, "labels"),
        (lambda: theory.halfspace_separable([[0, 0], [1, 1]], [1, -1, 1]), ValueError, "labels"),
        (lambda: theory.halfspace_shatters(np.zeros((2, 2, 2))), ValueError, "points"),
        (lambda: theory.halfspace_shatters([[0, np.nan]]), ValueError, "points"),
        (lambda: theory.interval_dichotomies([[0.1, 0.2]]), ValueError, "points"),
        (lambda: theory.interval_dichotomies([]), ValueError, "points"),
    ],
)
def test_shattering_functions_reject_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- VC bound -----------------------------------------------------------------------------------


def test_vc_generalization_bound_pinned_by_hand():
    # Phi_3(2000) = 1 + 2000 + 1,999,000 + 1,331,334,000 (C(2000, 3) = 2000 * 1999 * 333), by hand
    assert theory.sauer_shelah(2000, 3) == 1 + 2000 + 1_999_000 + 1_331_334_000 == 1_333_335_001
    # bound = 2 sqrt(2 (ln Phi + ln 40) / 1000)  <=>  exp(1000 bound^2 / 8) = 40 Phi = 53,333,400,040
    b = theory.vc_generalization_bound(1000, 3, 0.05)
    assert math.exp(1000 * b * b / 8) == pytest.approx(53_333_400_040, rel=1e-9)
    assert b == pytest.approx(0.4445207, abs=1e-7)  # sqrt(ln(53,333,400,040) / 125), on a calculator
    # m = 1, d = 0: Phi_0(2) = 1, so the bound is 2 sqrt(2 ln(2 / delta)) = 2 sqrt(2 ln 4) at delta = 1/2
    assert theory.vc_generalization_bound(1, 0, 0.5) == pytest.approx(2 * math.sqrt(4 * math.log(2)), rel=1e-14)


def test_vc_generalization_bound_monotone_and_validated():
    assert theory.vc_generalization_bound(4000, 3, 0.05) < theory.vc_generalization_bound(1000, 3, 0.05)
    with pytest.raises(ValueError, match="m"):
        theory.vc_generalization_bound(0, 3, 0.05)
    with pytest.raises(ValueError, match="delta"):
        theory.vc_generalization_bound(10, 3, 1.0)
    with pytest.raises(TypeError, match="vc_dim"):
        theory.vc_generalization_bound(10, 1.5, 0.1)


# --- perceptron and halving -------------------------------------------------------------------------


def _planted(rng, m, dim, gamma):
    u = rng.standard_normal(dim)
    u /= np.linalg.norm(u)
    X = rng.standard_normal((20 * m, dim))
    X /= np.maximum(1.0, np.linalg.norm(X, axis=1))[:, None]
    X = X[np.abs(X @ u) >= gamma][:m]
    return X, np.sign(X @ u)


def test_perceptron_separates_and_obeys_novikoff():
    rng = np.random.default_rng(4)
    for gamma in (0.05, 0.1, 0.3):
        for _ in range(10):
            X, y = _planted(rng, 100, 4, gamma)
            w, k = theory.perceptron(X, y)
            assert np.all(y * (X @ w) > 0)
            assert k <= (np.linalg.norm(X, axis=1).max() / gamma) ** 2


def test_perceptron_hand_example_and_non_separable_data():
    w, k = theory.perceptron([[1.0, 0.2], [-1.0, 0.1], [0.8, -0.3]], [1, -1, 1])
    np.testing.assert_allclose(w, [1.0, 0.2])
    assert k == 1
    with pytest.raises(RuntimeError, match="max_epochs"):
        theory.perceptron([[1.0], [1.0]], [1, -1], max_epochs=5)
    with pytest.raises(ValueError, match="labels"):
        theory.perceptron([[1.0], [2.0]], [1, 0])
    with pytest.raises(ValueError, match="X"):
        theory.perceptron([1.0, 2.0], [1, -1])


def test_halving_matches_a_direct_simulation_and_the_log_bound():
    rng = np.random.default_rng(5)
    for _ in range(30):
        n_h, T = int(rng.integers(2, 64)), 40
        P = rng.integers(0, 2, size=(n_h, T))
        target = rng.integers(n_h)
        y = P[target]
        # direct simulation with Python sets
        alive, mistakes = set(range(n_h)), 0
        for t in range(T):
            ones = sum(P[j, t] for j in alive)
            guess = 1 if 2 * ones >= len(alive) else 0
            mistakes += guess != y[t]
            alive = {j for j in alive if P[j, t] == y[t]}
        got = theory.halving_mistakes(P, y)
        assert got == mistakes <= math.floor(math.log2(n_h))


def test_halving_rejects_unrealizable_and_malformed_input():
    with pytest.raises(ValueError, match="consistent"):
        theory.halving_mistakes([[0, 0], [0, 1]], [1, 1])
    with pytest.raises(ValueError, match="predictions needs at least one row"):
        theory.halving_mistakes(np.zeros((0, 3), dtype=int), [0, 1, 0])
    with pytest.raises(ValueError, match="rounds"):
        theory.halving_mistakes([[0, 0], [0, 1]], [1, 1, 0])
    with pytest.raises(ValueError, match="0 and 1"):
        theory.halving_mistakes([[0, 2], [0, 1]], [0, 1])


# --- binomial_band ---------------------------------------------------------------------------------


def test_binomial_band_is_scipy_interval_and_validates():
    assert theory.binomial_band(2000, 0.05) == tuple(int(v) for v in stats.binom.interval(0.9999, 2000, 0.05))
    lo, hi = theory.binomial_band(100, 0.0)
    assert lo == hi == 0
    with pytest.raises(ValueError, match="probability"):
        theory.binomial_band(100, 1.5)
    with pytest.raises(ValueError, match="trials"):
        theory.binomial_band(0, 0.5)
    with pytest.raises(ValueError, match="level"):
        theory.binomial_band(10, 0.5, level=1.0)
