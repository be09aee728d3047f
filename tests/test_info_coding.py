"""nblib.info.huffman_code and infonce_bound (Sections 5.1 and 5.2) against independent truths:
Kraft's equality, brute-force optimal prefix-code lengths, the source-coding bounds, closed forms
of the log-sum-exp, scipy and PyTorch."""

import doctest
import itertools

import numpy as np
import pytest
from scipy.special import logsumexp

from nblib import info


def lengths(code):
    return np.array([len(c) for c in code])


def brute_force_optimal_length(p):
    """min Σ p_i l_i over all integer lengths 1 ≤ l_i ≤ m − 1 with Σ 2^{−l_i} ≤ 1.

    By the Kraft–McMillan theorem these are exactly the length profiles of binary prefix codes
    (an optimal code never needs a codeword longer than m − 1)."""
    m = len(p)
    grid = np.array(list(itertools.product(range(1, m), repeat=m)))
    feasible = grid[(2.0 ** -grid).sum(axis=1) <= 1 + 1e-12]
    return float((feasible @ p).min())


def is_prefix_free(code):
    return not any(a != b and b.startswith(a) for a in code for b in code)


# ---------------------------------------------------------------------------
# huffman_code
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("m", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("seed", range(6))
def test_huffman_is_optimal_against_brute_force(m, seed):
    p = np.random.default_rng(100 * m + seed).dirichlet(np.full(m, 0.7))
    code = info.huffman_code(p)
    assert p @ lengths(code) == pytest.approx(brute_force_optimal_length(p), abs=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_huffman_kraft_equality_prefix_free_and_source_coding_bounds(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(2, 40))
    p = rng.dirichlet(np.full(m, 0.5))
    code = info.huffman_code(p)
    ell = lengths(code)
    assert len(code) == m and all(set(c) <= {"0", "1"} and c for c in code)
    assert is_prefix_free(code)
    assert np.sum(2.0 ** -ell) == 1.0  # exact in floating point: dyadic fractions
    h = info.entropy(p)
    assert h - 1e-12 <= p @ ell < h + 1


def test_huffman_dyadic_distribution_meets_the_entropy():
    p = np.array([0.5, 0.25, 0.125, 0.0625, 0.0625])
    code = info.huffman_code(p)
    np.testing.assert_array_equal(lengths(code), -np.log2(p))
    assert p @ lengths(code) == pytest.approx(info.entropy(p), abs=1e-15)


def test_huffman_docstring_example_and_known_case():
    assert info.huffman_code([0.5, 0.25, 0.125, 0.125]) == ["0", "10", "110", "111"]
    # (0.4, 0.2, 0.2, 0.1, 0.1): two optimal length profiles exist, both with L = 2.2 bits
    p = np.array([0.4, 0.2, 0.2, 0.1, 0.1])
    assert p @ lengths(info.huffman_code(p)) == pytest.approx(2.2)


def test_huffman_zero_probabilities_and_a_single_symbol():
    code = info.huffman_code([0.0, 0.7, 0.3, 0.0])
    assert is_prefix_free(code) and np.sum(2.0 ** -lengths(code)) == 1.0
    assert np.array([0.0, 0.7, 0.3, 0.0]) @ lengths(code) == pytest.approx(
        brute_force_optimal_length(np.array([0.0, 0.7, 0.3, 0.0]))
    )
    assert info.huffman_code([1.0]) == ["0"]


def test_huffman_is_deterministic_for_ties():
    p = np.full(6, 1 / 6)
    assert info.huffman_code(p) == info.huffman_code(p.copy())
    assert sorted(lengths(info.huffman_code(p))) == [2, 2, 3, 3, 3, 3]


@pytest.mark.parametrize(
    "p, error, match",
    [
        ([0.5, 0.4], ValueError, "sum to 1"),
        ([1.2, -0.2], ValueError, "non-negative"),
        ([[0.5, 0.5]], ValueError, "1-d"),
        ([], ValueError, "empty"),
        ([0.5, np.nan], ValueError, "NaN"),
        (["a", "b"], TypeError, "numeric"),
    ],
)
def test_huffman_rejects_what_is_not_a_distribution(p, error, match):
    with pytest.raises(error, match=match):
        info.huffman_code(p)


# ---------------------------------------------------------------------------
# infonce_bound
# ---------------------------------------------------------------------------


def test_infonce_against_scipy_logsumexp():
    rng = np.random.default_rng(0)
    for k in (2, 5, 64):
        s = rng.normal(scale=3.0, size=(k, k))
        expected = np.log(k) + np.mean(np.diag(s) - logsumexp(s, axis=1))
        assert info.infonce_bound(s) == pytest.approx(expected, rel=1e-12, abs=1e-12)
        assert info.infonce_bound(s, base=2) == pytest.approx(expected / np.log(2), rel=1e-12)


@pytest.mark.parametrize("k", [2, 3, 10, 128])
@pytest.mark.parametrize("c", [-3.0, 0.0, 0.5, 4.0, 50.0])
def test_infonce_closed_form_for_a_diagonal_critic(k, c):
    # scores c on the diagonal, 0 elsewhere: Î = log K + c − log(e^c + K − 1)
    expected = np.log(k) + c - np.logaddexp(c, np.log(k - 1))
    assert info.infonce_bound(c * np.eye(k)) == pytest.approx(expected, rel=1e-12, abs=1e-13)


def test_infonce_ceiling_and_extremes():
    rng = np.random.default_rng(1)
    for _ in range(200):
        k = int(rng.integers(2, 50))
        assert info.infonce_bound(rng.normal(scale=10, size=(k, k))) <= np.log(k) + 1e-12
    assert info.infonce_bound(np.zeros((7, 7))) == pytest.approx(0.0, abs=1e-15)
    assert info.infonce_bound(1e4 * np.eye(5)) == pytest.approx(np.log(5), rel=1e-15)
    assert info.infonce_bound(-1e4 * np.eye(5)) == pytest.approx(np.log(5) - 1e4 - np.log(4))


def test_infonce_ignores_a_constant_added_to_a_row():
    rng = np.random.default_rng(2)
    s = rng.normal(size=(6, 6))
    shifted = s + rng.normal(scale=100, size=(6, 1))  # c(x_i) cancels in the softmax over j
    assert info.infonce_bound(shifted) == pytest.approx(info.infonce_bound(s), rel=1e-10)


def test_infonce_of_the_optimal_critic_is_a_lower_bound_only_in_expectation():
    # Gaussian pairs in d = 1 with correlation rho: I = -ln(1 - rho^2)/2 nats, and the optimal
    # critic log p(y|x) - log p(y) is rho x y / (1 - rho^2) - rho^2 y^2 / (2 (1 - rho^2)) + c(x).
    rng = np.random.default_rng(5)
    rho, k, reps = 0.8, 16, 4000
    truth = -0.5 * np.log1p(-(rho**2))
    values = np.empty(reps)
    for r in range(reps):
        x = rng.standard_normal(k)
        y = rho * x + np.sqrt(1 - rho**2) * rng.standard_normal(k)
        scores = (rho * np.outer(x, y) - rho**2 * y[None, :] ** 2 / 2) / (1 - rho**2)
        values[r] = info.infonce_bound(scores)
    se = values.std(ddof=1) / np.sqrt(reps)
    assert values.mean() <= truth + 4 * se  # E[Î] <= I for every critic
    assert np.any(values > truth)  # single batches do exceed I ...
    assert values.max() <= np.log(k)  # ... but never log K


def test_infonce_equals_log_k_minus_cross_entropy_in_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    s = rng.normal(scale=2, size=(32, 32))
    ce = torch.nn.functional.cross_entropy(torch.tensor(s), torch.arange(32)).item()
    assert info.infonce_bound(s) == pytest.approx(np.log(32) - ce, rel=1e-12)


@pytest.mark.parametrize(
    "scores, match",
    [
        (np.zeros((3, 4)), "square"),
        (np.zeros(4), "2-d"),
        (np.zeros((1, 1)), "at least 2"),
        (np.array([[0.0, np.inf], [0.0, 0.0]]), "NaN or infinite"),
    ],
)
def test_infonce_rejects_bad_scores(scores, match):
    with pytest.raises(ValueError, match=match):
        info.infonce_bound(scores)


def test_docstring_examples_run():
    for fn in (info.huffman_code, info.infonce_bound):
        finder = doctest.DocTestFinder()
        runner = doctest.DocTestRunner()
        for test in finder.find(fn, globs={"np": np, fn.__name__: fn}):
            runner.run(test)
        assert runner.failures == 0 and runner.tries > 0
