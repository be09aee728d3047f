"""nblib.info: estimators against closed forms, scipy, scikit-learn and ennemi."""

import warnings

import ennemi
import numpy as np
import pytest
import scipy.stats as st
from scipy.spatial import cKDTree
from scipy.spatial.distance import jensenshannon
from sklearn.feature_selection import mutual_info_regression
from sklearn.feature_selection._mutual_info import _compute_mi_cc
from sklearn.metrics import mutual_info_score

from nblib import info

LN2 = np.log(2)


def gaussian_pair(n, rho, seed):
    """n samples of a standard bivariate Gaussian with correlation rho."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 2))
    return z[:, 0], rho * z[:, 0] + np.sqrt(1 - rho**2) * z[:, 1]


def random_distribution(m, seed):
    return np.random.default_rng(seed).dirichlet(np.ones(m))


# ---------------------------------------------------------------------------
# Discrete distributions
# ---------------------------------------------------------------------------


def test_entropy_hand_cases():
    assert info.entropy([0.5, 0.5]) == pytest.approx(1.0)
    assert info.entropy(np.full(8, 1 / 8)) == pytest.approx(3.0)
    assert info.entropy([1.0, 0.0, 0.0]) == 0.0
    assert info.entropy([0.25, 0.75], base=np.e) == pytest.approx(
        -(0.25 * np.log(0.25) + 0.75 * np.log(0.75))
    )


@pytest.mark.parametrize("base", [2, np.e, 10])
def test_entropy_and_kl_match_scipy(base):
    for seed in range(5):
        p, q = random_distribution(7, seed), random_distribution(7, seed + 100)
        assert info.entropy(p, base=base) == pytest.approx(st.entropy(p, base=base), rel=1e-12)
        assert info.kl_divergence(p, q, base=base) == pytest.approx(
            st.entropy(p, q, base=base), rel=1e-12
        )


def test_entropy_of_a_table_is_that_of_its_entries():
    pxy = random_distribution(12, 0).reshape(3, 4)
    assert info.entropy(pxy) == pytest.approx(info.entropy(pxy.ravel()))


def test_kl_properties():
    p = random_distribution(5, 1)
    assert info.kl_divergence(p, p) == 0.0
    # hand case: 0.5 log2(0.5/0.25) + 0.5 log2(0.5/0.75)
    assert info.kl_divergence([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.5 + 0.5 * np.log2(2 / 3))
    # q = 0 < p: infinite, not NaN; p = 0 < q: a finite value
    assert info.kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert info.kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(1.0)


def test_cross_entropy_is_entropy_plus_kl():
    p, q = random_distribution(6, 2), random_distribution(6, 3)
    assert info.cross_entropy(p, q) == pytest.approx(-np.sum(p * np.log2(q)), rel=1e-12)
    assert info.cross_entropy(p, q) == pytest.approx(info.entropy(p) + info.kl_divergence(p, q))
    assert info.cross_entropy(p, p) == pytest.approx(info.entropy(p))
    assert info.cross_entropy([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert info.cross_entropy([1.0, 0.0], [1.0, 0.0]) == 0.0


def test_js_divergence():
    p, q = random_distribution(6, 4), random_distribution(6, 5)
    js = info.js_divergence(p, q)
    assert js == pytest.approx(jensenshannon(p, q, base=2) ** 2, rel=1e-10)
    assert js == pytest.approx(info.js_divergence(q, p))
    assert info.js_divergence([1.0, 0.0], [0.0, 1.0]) == pytest.approx(1.0)  # the maximum, 1 bit
    assert info.js_divergence(p, p) == 0.0


# ---------------------------------------------------------------------------
# Discrete quantities from samples
# ---------------------------------------------------------------------------


def discrete_samples(n, seed):
    """Dependent discrete pair: x in 0..4, y = (x + noise) mod 3."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 5, n)
    y = (x + rng.integers(0, 2, n)) % 3
    return x, y


def test_plugin_entropy_matches_scipy_on_counts():
    x = np.random.default_rng(0).integers(0, 6, 500)
    counts = np.bincount(x)
    assert info.entropy_from_samples(x, base=np.e) == pytest.approx(st.entropy(counts), rel=1e-12)
    labels = np.array(["a", "b", "c", "d", "e", "f"])[x]  # any symbols work
    assert info.entropy_from_samples(labels) == pytest.approx(info.entropy_from_samples(x))


def test_miller_madow_adds_m_minus_1_over_2n_nats():
    x = np.random.default_rng(1).integers(0, 10, 80)
    m, n = len(np.unique(x)), len(x)
    plugin = info.entropy_from_samples(x, base=np.e)
    mm = info.entropy_from_samples(x, method="miller_madow", base=np.e)
    assert mm == pytest.approx(plugin + (m - 1) / (2 * n), rel=1e-12)


def test_miller_madow_reduces_the_plugin_bias():
    p = random_distribution(20, 7)
    truth = info.entropy(p, base=np.e)
    rng = np.random.default_rng(8)
    samples = [rng.choice(20, size=50, p=p) for _ in range(200)]
    plugin = np.mean([info.entropy_from_samples(s, base=np.e) for s in samples])
    mm = np.mean([info.entropy_from_samples(s, "miller_madow", base=np.e) for s in samples])
    assert plugin < truth - 0.05  # the plug-in estimate is biased low
    assert abs(mm - truth) < 0.5 * abs(plugin - truth)


def test_rows_of_a_2d_array_are_symbols():
    x, y = discrete_samples(300, 2)
    assert info.entropy_from_samples(np.column_stack([x, y])) == pytest.approx(
        info.joint_entropy(x, y)
    )


def test_discrete_mi_matches_sklearn_and_identities():
    x, y = discrete_samples(1000, 3)
    mi = info.mutual_information_discrete(x, y, base=np.e)
    assert mi == pytest.approx(mutual_info_score(x, y), rel=1e-10)
    assert mi > 0.1
    assert info.mutual_information_discrete(y, x) == pytest.approx(
        info.mutual_information_discrete(x, y)
    )
    assert info.mutual_information_discrete(x, x) == pytest.approx(info.entropy_from_samples(x))
    # chain rule H(X, Y) = H(X) + H(Y | X)
    assert info.joint_entropy(x, y) == pytest.approx(
        info.entropy_from_samples(x) + info.conditional_entropy(y, x)
    )
    # I(X; Y) = H(X) − H(X | Y), and conditioning reduces entropy
    assert mi / LN2 == pytest.approx(info.entropy_from_samples(x) - info.conditional_entropy(x, y))
    assert info.conditional_entropy(x, y) < info.entropy_from_samples(x)


def test_discrete_mi_of_independent_samples_is_small_and_nonnegative():
    rng = np.random.default_rng(4)
    x, y = rng.integers(0, 4, 5000), rng.integers(0, 4, 5000)
    mi = info.mutual_information_discrete(x, y, base=np.e)
    assert 0 <= mi < 9 / 5000  # the plug-in bias is about (4−1)(4−1)/(2n)


def test_discrete_mi_miller_madow_correction():
    x, y = discrete_samples(200, 5)
    n = len(x)
    mx, my, mxy = (
        len(np.unique(x)),
        len(np.unique(y)),
        len(np.unique(np.column_stack([x, y]), axis=0)),
    )
    plugin = info.mutual_information_discrete(x, y, base=np.e)
    mm = info.mutual_information_discrete(x, y, method="miller_madow", base=np.e)
    assert mm == pytest.approx(plugin + (mx + my - mxy - 1) / (2 * n), rel=1e-12)


# ---------------------------------------------------------------------------
# Closed forms
# ---------------------------------------------------------------------------

COV3 = np.array([[1.0, 0.5, 0.2], [0.5, 2.0, 0.3], [0.2, 0.3, 1.5]])


def test_closed_form_entropies_match_scipy():
    assert info.gaussian_entropy(COV3, base=np.e) == pytest.approx(
        st.multivariate_normal(cov=COV3).entropy(), rel=1e-12
    )
    assert info.gaussian_entropy(2.5, base=np.e) == pytest.approx(
        st.norm(scale=np.sqrt(2.5)).entropy(), rel=1e-12
    )
    assert info.uniform_entropy(-1, 3, base=np.e) == pytest.approx(st.uniform(-1, 4).entropy())
    assert info.exponential_entropy(2.0, base=np.e) == pytest.approx(st.expon(scale=0.5).entropy())
    assert info.uniform_entropy(0, 8) == pytest.approx(3.0)  # bits by default


def test_gaussian_kl_closed_form():
    # 1-d: log(σ1/σ0) + (σ0² + (μ0 − μ1)²)/(2σ1²) − 1/2
    hand = np.log(2 / 1) + (1 + 0.5**2) / (2 * 4) - 0.5
    assert info.gaussian_kl(0.0, 1.0, 0.5, 4.0, base=np.e) == pytest.approx(hand)
    # d = 3: the textbook formula with inverse and determinants
    mu0, mu1, cov1 = np.zeros(3), np.array([0.5, -0.2, 1.0]), np.diag([1.0, 0.5, 2.0])
    inv1 = np.linalg.inv(cov1)
    diff = mu1 - mu0
    textbook = 0.5 * (
        np.trace(inv1 @ COV3)
        + diff @ inv1 @ diff
        - 3
        + np.log(np.linalg.det(cov1) / np.linalg.det(COV3))
    )
    assert info.gaussian_kl(mu0, COV3, mu1, cov1, base=np.e) == pytest.approx(textbook, rel=1e-10)
    assert info.gaussian_kl(mu1, COV3, mu1, COV3) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("rho", [0.0, 0.5, -0.9, 0.99])
def test_gaussian_mi_is_sum_of_entropies(rho):
    cov = np.array([[1.0, rho], [rho, 1.0]])
    via_entropies = 2 * info.gaussian_entropy(1.0) - info.gaussian_entropy(cov)
    assert info.gaussian_mutual_information(rho) == pytest.approx(via_entropies, abs=1e-12)


# ---------------------------------------------------------------------------
# Nearest-neighbour building blocks, against a tree and brute force
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 5])
def test_kth_distance_on_sorted_values_matches_a_tree(k):
    rng = np.random.default_rng(k)
    for x in (rng.standard_normal(500), np.round(rng.standard_normal(500), 1)):
        tree = cKDTree(x[:, None]).query(x[:, None], k=[k + 1])[0][:, 0]
        assert np.array_equal(np.sort(info._kth_distance_1d(x, k)), np.sort(tree))


def test_sorted_counts_match_brute_force_at_the_rounding_boundary():
    # radii equal to exact distances to other points (the KSG case), on ties, on large
    # offsets where v ± r rounds, with and without the KSG-1 nextafter.
    rng = np.random.default_rng(0)
    for trial in range(120):
        n = int(rng.integers(2, 200))
        v = [
            rng.standard_normal(n),
            rng.integers(0, 5, n).astype(float),
            1e8 + 1e-6 * rng.standard_normal(n),
            3.7 + 0.1 * np.round(rng.standard_normal(n), 2),
        ][trial % 4]
        r = np.abs(v[rng.integers(0, n, n)] - v)
        if trial % 2:
            r = np.nextafter(r, 0)
        brute = (np.abs(v[None, :] - v[:, None]) <= r[:, None]).sum(axis=1)
        assert np.array_equal(info._count_within_1d(v, r), brute)


# ---------------------------------------------------------------------------
# Differential entropy (Kozachenko–Leonenko)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_differential_entropy_1d_against_closed_forms_and_scipy(seed):
    rng = np.random.default_rng(seed)
    n = 10_000
    cases = [
        (rng.standard_normal(n) * 2.0, info.gaussian_entropy(4.0, base=np.e)),
        (rng.uniform(-1, 2, n), info.uniform_entropy(-1, 2, base=np.e)),
        (rng.exponential(0.5, n), info.exponential_entropy(2.0, base=np.e)),
    ]
    for x, truth in cases:
        h = info.differential_entropy(x, base=np.e)
        assert abs(h - truth) < 0.02
        assert abs(h - st.differential_entropy(x)) < 0.03
    x = cases[0][0]
    assert info.differential_entropy(x) == pytest.approx(
        info.differential_entropy(x, base=np.e) / LN2
    )
    assert info.differential_entropy(x[:, None]) == info.differential_entropy(x)


@pytest.mark.parametrize("metric", ["euclidean", "chebyshev"])
def test_differential_entropy_3d_gaussian(metric):
    # d = 3, n = 10^4: within 0.06 nats (the KL estimator is biased low by ≈ 0.03 here).
    # A factor-of-two slip in the radius would be off by d·log 2 ≈ 2.1 nats.
    x = np.random.default_rng(3).multivariate_normal(np.zeros(3), COV3, size=10_000)
    h = info.differential_entropy(x, base=np.e, metric=metric)
    assert abs(h - info.gaussian_entropy(COV3, base=np.e)) < 0.06
    assert h == pytest.approx(ennemi.estimate_entropy(x, multidim=True), abs=0.03)


def test_differential_entropy_is_deterministic_and_rng_matters_only_at_noise_level():
    x = np.random.default_rng(5).standard_normal(2000)
    assert info.differential_entropy(x) == info.differential_entropy(x)
    assert info.differential_entropy(x, rng=1) == pytest.approx(
        info.differential_entropy(x), abs=1e-6
    )


# ---------------------------------------------------------------------------
# KSG mutual information
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 3, 5])
@pytest.mark.parametrize("rho", [0.0, 0.6, 0.95])
def test_ksg1_equals_sklearn(k, rho):
    x, y = gaussian_pair(2000, rho, seed=k)
    x = 3.0 * x + 5.0  # scale and offset: sklearn rescales without centring
    ours = info.mutual_information(x, y, k=k, base=np.e, rng=np.random.RandomState(7))
    ref = mutual_info_regression(x[:, None], y, n_neighbors=k, random_state=7)[0]
    if ref > 0:  # sklearn clips negative estimates to 0
        assert abs(ours - ref) < 1e-10
    else:
        assert ours <= 0


def test_ksg1_tie_semantics_equal_sklearn_without_noise():
    # integer data: a quarter of the points have their k-th neighbour at distance 0 and many
    # distances tie with ε; the counts must follow sklearn's (≤ nextafter(ε, 0)) exactly
    rng = np.random.default_rng(11)
    x = rng.integers(0, 200, 1500).astype(float)
    y = x + rng.integers(0, 4, 1500)
    xs, ys = x / x.std(), y / y.std()
    ours = info.mutual_information(x, y, base=np.e, noise=0)
    assert ours > 0
    assert abs(ours - _compute_mi_cc(xs, ys, 3)) < 1e-10


def test_ksg1_matches_ennemi():
    x, y = gaussian_pair(3000, 0.7, seed=12)
    ours = info.mutual_information(x, y, base=np.e)
    # ennemi approximates ψ by a series (≈ 5e-7 off), hence the tolerance
    assert abs(ours - ennemi.estimate_mi(y, x, k=3)[0, 0]) < 1e-5


@pytest.mark.parametrize("method", ["ksg1", "ksg2"])
def test_ksg_on_bivariate_gaussians(method):
    n = 10_000
    for rho, tol in [(0.0, 0.02), (0.5, 0.02), (0.9, 0.02), (0.99, 0.05)]:
        truth = info.gaussian_mutual_information(rho, base=np.e)
        est = np.array(
            [
                info.mutual_information(*gaussian_pair(n, rho, seed), method=method, base=np.e)
                for seed in range(4)
            ]
        )
        # one run scatters by ≈ 0.01 nats: the mean of four within tol, each within 2 tol
        assert abs(est.mean() - truth) < tol, (rho, est, truth)
        assert np.max(np.abs(est - truth)) < 2 * tol, (rho, est, truth)
    # bits are nats / log 2
    x, y = gaussian_pair(1000, 0.5, 0)
    assert info.mutual_information(x, y, method=method) == pytest.approx(
        info.mutual_information(x, y, method=method, base=np.e) / LN2
    )


@pytest.mark.parametrize("method", ["ksg1", "ksg2"])
def test_ksg_underestimates_strong_correlation_at_small_n(method):
    # Kraskov et al. (2004): for correlated Gaussians the estimate falls below the true MI
    # when n is small. We see it clearly for ρ = 0.99 at n = 50 and n = 100 (and for
    # ρ = 0.9 at n = 50); at n ≈ 200..3000 and ρ = 0.9 the bias is slightly positive
    # (+0.005..0.012 nats, see benchmarks/README.md).
    truth = info.gaussian_mutual_information(0.99, base=np.e)
    for n, seeds in [(50, 20), (100, 40)]:
        err = np.array(
            [
                info.mutual_information(*gaussian_pair(n, 0.99, s), method=method, base=np.e)
                - truth
                for s in range(seeds)
            ]
        )
        assert err.mean() + 3 * err.std(ddof=1) / np.sqrt(seeds) < 0, (n, err.mean())


def test_ksg_is_symmetric_and_handles_multivariate_variables():
    x, y = gaussian_pair(2000, 0.8, seed=13)
    assert info.mutual_information(x, y, noise=0) == pytest.approx(
        info.mutual_information(y, x, noise=0), rel=1e-14
    )
    # X = (x1, x2) in 2-d, Y 1-d: I = h(X) + h(Y) − h(X, Y)
    cov = np.array([[1.0, 0.3, 0.6], [0.3, 1.0, 0.4], [0.6, 0.4, 1.0]])
    z = np.random.default_rng(14).multivariate_normal(np.zeros(3), cov, size=5000)
    truth = (
        info.gaussian_entropy(cov[:2, :2])
        + info.gaussian_entropy(cov[2, 2])
        - info.gaussian_entropy(cov)
    )
    for method in ("ksg1", "ksg2"):
        assert abs(info.mutual_information(z[:, :2], z[:, 2], method=method) - truth) < 0.04


def test_ksg_equals_the_formulas_written_out_with_all_pairwise_distances():
    # KSG-2 has no reference library to match exactly: check both against O(n²) code.
    from scipy.special import digamma

    x, y = gaussian_pair(300, 0.7, seed=21)
    xs, ys = x / x.std(), y / y.std()  # the estimator's own scaling
    n, k = len(x), 4
    dx, dy = np.abs(xs[:, None] - xs[None, :]), np.abs(ys[:, None] - ys[None, :])
    np.fill_diagonal(dx, np.inf)
    np.fill_diagonal(dy, np.inf)
    dz = np.maximum(dx, dy)
    nbrs = np.argsort(dz, axis=1)[:, :k]
    eps = np.take_along_axis(dz, nbrs, axis=1).max(axis=1)
    nx, ny = (dx < eps[:, None]).sum(axis=1), (dy < eps[:, None]).sum(axis=1)
    ksg1 = digamma(k) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1))
    ex = np.take_along_axis(dx, nbrs, axis=1).max(axis=1)
    ey = np.take_along_axis(dy, nbrs, axis=1).max(axis=1)
    nx, ny = (dx <= ex[:, None]).sum(axis=1), (dy <= ey[:, None]).sum(axis=1)
    ksg2 = digamma(k) - 1 / k + digamma(n) - np.mean(digamma(nx) + digamma(ny))
    for method, want in (("ksg1", ksg1), ("ksg2", ksg2)):
        got = info.mutual_information(x, y, k=k, method=method, base=np.e, noise=0)
        assert got == pytest.approx(want, abs=1e-12)


def test_knn_entropy_and_kl_equal_the_formulas_written_out():
    from scipy.special import digamma, gamma

    rng = np.random.default_rng(22)
    x, y = rng.standard_normal((200, 2)), rng.standard_normal((150, 2)) + 0.3
    n, m, d, k = 200, 150, 2, 3
    dxx = np.linalg.norm(x[:, None] - x[None, :], axis=2)
    np.fill_diagonal(dxx, np.inf)
    dxy = np.linalg.norm(x[:, None] - y[None, :], axis=2)
    r = np.sort(dxx, axis=1)[:, k - 1]
    volume = np.pi ** (d / 2) / gamma(d / 2 + 1)
    h = digamma(n) - digamma(k) + np.log(volume) + d * np.mean(np.log(r))
    assert info.differential_entropy(x, k=k, base=np.e, noise=0) == pytest.approx(h, abs=1e-12)
    nu = np.sort(dxy, axis=1)[:, k - 1]
    kl = d * np.mean(np.log(nu / r)) + np.log(m / (n - 1))
    assert info.kl_divergence_knn(x, y, k=k, base=np.e, noise=0) == pytest.approx(kl, abs=1e-12)


def test_binned_mi_is_the_discrete_mi_of_the_histogram_cells():
    x, y = gaussian_pair(2000, 0.7, seed=15)
    ex, ey = np.histogram_bin_edges(x, 8), np.histogram_bin_edges(y, 8)
    cx, cy = np.digitize(x, ex[1:-1]), np.digitize(y, ey[1:-1])
    assert info.mutual_information_binned(x, y, bins=8) == pytest.approx(
        info.mutual_information_discrete(cx, cy), rel=1e-10
    )


def test_binning_misleads():
    # Independent data look dependent with many bins; dependent data lose MI with few bins.
    x, y = gaussian_pair(1000, 0.0, seed=16)
    assert info.mutual_information_binned(x, y, bins=50, base=np.e) > 0.5
    assert abs(info.mutual_information(x, y, base=np.e)) < 0.05
    x, y = gaussian_pair(1000, 0.9, seed=17)
    truth = info.gaussian_mutual_information(0.9, base=np.e)
    assert info.mutual_information_binned(x, y, bins=3, base=np.e) < truth - 0.3


# ---------------------------------------------------------------------------
# kNN KL divergence
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 5])
def test_kl_knn_between_gaussians(k):
    # One run at n = 10^4 scatters by ≈ 0.025 nats for k = 1 and ≈ 0.015 for k = 5, so
    # the mean of four runs must be within 0.035 nats of the closed form.
    cov0, mu1 = np.array([[1.0, 0.4], [0.4, 1.0]]), np.array([0.5, 0.0])
    truth_1d = info.gaussian_kl(0.0, 1.0, 1.0, 4.0, base=np.e)
    truth_2d = info.gaussian_kl(np.zeros(2), cov0, mu1, 1.5 * np.eye(2), base=np.e)
    err_1d, err_2d, same = [], [], []
    for seed in range(4):
        rng = np.random.default_rng(seed)
        x, y = rng.normal(0.0, 1.0, 10_000), rng.normal(1.0, 2.0, 10_000)
        err_1d.append(info.kl_divergence_knn(x, y, k=k, base=np.e) - truth_1d)
        x = rng.multivariate_normal(np.zeros(2), cov0, size=10_000)
        y = rng.multivariate_normal(mu1, 1.5 * np.eye(2), size=10_000)
        err_2d.append(info.kl_divergence_knn(x, y, k=k, base=np.e) - truth_2d)
        x2 = rng.multivariate_normal(np.zeros(2), cov0, size=10_000)  # same distribution
        same.append(info.kl_divergence_knn(x, x2, k=k, base=np.e))
    for errors in (err_1d, err_2d, same):
        assert abs(np.mean(errors)) < 0.035, errors
    assert info.kl_divergence_knn(x, y, k=k) == pytest.approx(
        info.kl_divergence_knn(x, y, k=k, base=np.e) / LN2
    )


# ---------------------------------------------------------------------------
# Ties
# ---------------------------------------------------------------------------


def test_a_few_duplicates_give_finite_sensible_values():
    x, y = gaussian_pair(5000, 0.9, seed=19)
    xd, yd = x.copy(), y.copy()
    xd[:50], yd[:50] = xd[50:100], yd[50:100]  # 50 exact duplicate pairs
    h, hd = info.differential_entropy(x, base=np.e), info.differential_entropy(xd, base=np.e)
    assert np.isfinite(hd) and abs(hd - h) < 0.03
    mi, mid = info.mutual_information(x, y), info.mutual_information(xd, yd)
    assert np.isfinite(mid) and abs(mid - mi) < 0.05
    kl = info.kl_divergence_knn(xd, np.concatenate([xd[:100], y]))  # x's values also in y
    assert np.isfinite(kl)
    with pytest.raises(ValueError, match="noise"):
        info.differential_entropy(np.repeat(x[:100], 4), noise=0)


def test_rounded_data():
    # KSG on data rounded to 2 and 1 decimals: the noise breaks ties, the estimate stays close
    x, y = gaussian_pair(5000, 0.9, seed=20)
    truth = info.gaussian_mutual_information(0.9, base=np.e)
    for decimals in (2, 1):
        est = info.mutual_information(np.round(x, decimals), np.round(y, decimals), base=np.e)
        assert abs(est - truth) < 0.05
    # differential entropy of discretised data: finite, but a warning says it is meaningless
    with pytest.warns(UserWarning, match="discretised"):
        h = info.differential_entropy(np.round(x, 1))
    assert np.isfinite(h)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        info.differential_entropy(x)  # continuous data: no warning


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------

X5 = np.arange(5.0)
BAD = [
    (lambda: info.entropy([0.5, 0.6]), "p"),
    (lambda: info.entropy([1.5, -0.5]), "p"),
    (lambda: info.entropy([0.5, np.nan]), "p"),
    (lambda: info.kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5]), "p and q"),
    (lambda: info.js_divergence([0.5, 0.5], [0.7, 0.7]), "q"),
    (lambda: info.entropy([0.5, 0.5], base=1), "base"),
    (lambda: info.entropy([0.5, 0.5], base=-2), "base"),
    (lambda: info.entropy_from_samples([1, 2], method="mle"), "method"),
    (lambda: info.entropy_from_samples([1.0, np.nan]), "x"),
    (lambda: info.mutual_information_discrete([1, 2, 3], [1, 2]), "x and y"),
    (lambda: info.mutual_information(X5, X5[:4]), "x and y"),
    (lambda: info.mutual_information(X5, X5, k=5), "k"),
    (lambda: info.mutual_information(X5, X5, k=0), "k"),
    (lambda: info.mutual_information([0, 1, np.inf, 3, 4], X5, k=1), "x"),
    (lambda: info.mutual_information(X5, X5, method="ksg3"), "method"),
    (lambda: info.mutual_information(X5, X5, k=1, noise=-1), "noise"),
    (lambda: info.differential_entropy(X5, k=5), "k"),
    (lambda: info.differential_entropy([0.0, 1.0, np.nan, 2.0], k=1), "x"),
    (lambda: info.differential_entropy(np.ones(10)), "constant"),
    (lambda: info.differential_entropy(np.ones((2, 2, 2))), "x"),
    (lambda: info.kl_divergence_knn(X5, np.ones((5, 2))), "dimension"),
    (lambda: info.kl_divergence_knn(X5, X5, k=5), "k"),
    (lambda: info.kl_divergence_knn(X5, X5[:2], k=3), "k"),
    (lambda: info.mutual_information_binned(X5, X5, bins=0), "bins"),
    (lambda: info.gaussian_entropy([[1.0, 2.0], [2.0, 1.0]]), "cov"),
    (lambda: info.gaussian_entropy([[1.0, 0.5], [0.0, 1.0]]), "cov"),
    (lambda: info.gaussian_kl([0.0, 0.0], np.eye(2), [0.0], np.eye(2)), "mu1"),
    (lambda: info.uniform_entropy(2, 1), "b"),
    (lambda: info.exponential_entropy(0), "rate"),
    (lambda: info.gaussian_mutual_information(1.0), "rho"),
]


@pytest.mark.parametrize("call, name", BAD)
def test_bad_input_raises_value_error_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_bad_types_raise_type_error():
    with pytest.raises(TypeError, match="rng"):
        info.mutual_information(X5, X5, k=1, rng="seed")
    with pytest.raises(TypeError, match="k"):
        info.differential_entropy(X5, k=1.5)
    with pytest.raises(TypeError, match="x"):
        info.entropy_from_samples(np.array([{}, {}], dtype=object))
