"""nblib.transport (Chapter 11) against independent truths: scipy's 1-D Wasserstein distance and
assignment solver, POT (``ot.emd``, ``ot.emd2``, ``ot.sinkhorn``, ``ot.wasserstein_1d``,
``ot.gaussian.bures_wasserstein_distance``), LP duality (Kantorovich potentials certify the
optimum), Sinkhorn's characterization of the entropic plan (the Gibbs form diag(u) K diag(v)
with the right marginals) and closed forms (shifts, 1-D and commuting Gaussians, the optimal
affine map between Gaussians, the entropic-bias bound)."""

from __future__ import annotations

import warnings

import numpy as np
import ot
import pytest
from scipy.optimize import linear_sum_assignment
from scipy.stats import wasserstein_distance

from nblib.transport import emd, gaussian_w2, sinkhorn, wasserstein_1d

#: Sums of n float64 terms of size ≤ 1 agree to about n·2^-52; every exact-formula comparison
#: below uses 1e-12 (relative), well above that for n ≤ 100 and far below any real error.
EXACT = 1e-12
#: HiGHS is run with primal and dual feasibility tolerances 1e-10 (nblib.transport.emd): the
#: LP optimum and the vertex plan are exact to that, so 1e-9 is the bound for costs ≤ 10.
LP = 1e-9


def _hist(rng, n, zeros=0):
    w = rng.random(n) + 0.05
    w[:zeros] = 0.0
    return w / w.sum()


def _problem(seed, n=12, m=9, d=2):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(n, d)), rng.normal(size=(m, d)) + 0.5
    return _hist(rng, n), _hist(rng, m), ot.dist(x, y)


def _entropy(p):
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


# ---------------------------------------------------------------------------
# wasserstein_1d
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_wasserstein_1d_equals_scipy_for_p1(seed):
    rng = np.random.default_rng(seed)
    u, v = rng.normal(size=30 + seed), rng.standard_t(3, size=41) + 0.3
    wu, wv = rng.random(len(u)), rng.random(len(v))
    assert wasserstein_1d(u, v) == pytest.approx(wasserstein_distance(u, v), rel=EXACT)
    got = wasserstein_1d(u, v, u_weights=wu, v_weights=wv)
    assert got == pytest.approx(wasserstein_distance(u, v, wu, wv), rel=EXACT)


@pytest.mark.parametrize("p", [1, 1.5, 2, 3])
def test_wasserstein_1d_p_equals_pot_and_the_lp(p):
    rng = np.random.default_rng(7)
    u, v = rng.normal(size=25), rng.exponential(size=18)
    wu, wv = _hist(rng, 25), _hist(rng, 18)
    ours = wasserstein_1d(u, v, p, u_weights=wu, v_weights=wv)
    assert ours**p == pytest.approx(ot.wasserstein_1d(u, v, wu, wv, p=p), rel=EXACT)
    M = np.abs(u[:, None] - v[None, :]) ** p
    assert ours**p == pytest.approx((emd(wu, wv, M) * M).sum(), rel=LP)


def test_wasserstein_1d_by_sorting_and_closed_forms():
    rng = np.random.default_rng(3)
    u, v = rng.normal(size=40), rng.normal(size=40)
    for p in (1, 2, 4):  # equal sizes and weights: the sorted (monotone) coupling
        by_sorting = np.mean(np.abs(np.sort(u) - np.sort(v)) ** p) ** (1 / p)
        assert wasserstein_1d(u, v, p) == pytest.approx(by_sorting, rel=EXACT)
        assert wasserstein_1d(u, u + 2.5, p) == pytest.approx(2.5, rel=EXACT)  # a shift
    assert wasserstein_1d(u, rng.permutation(u), 2) == 0.0  # the same empirical measure
    # ties: {0, 0, 1} vs {0, 1, 1} moves mass 1/3 by 1
    assert wasserstein_1d([0, 0, 1], [0, 1, 1]) == pytest.approx(1 / 3, rel=EXACT)
    assert wasserstein_1d([0, 0, 1], [1, 0, 1], 2) == pytest.approx((1 / 3) ** 0.5, rel=EXACT)
    # one point each, and a zero weight that removes a far-away point
    assert wasserstein_1d([1.0], [-2.0], 3) == pytest.approx(3.0, rel=EXACT)
    got = wasserstein_1d([0.0, 100.0], [1.0], u_weights=[1.0, 0.0])
    assert got == pytest.approx(1.0, rel=EXACT)


# ---------------------------------------------------------------------------
# emd: the exact linear programme
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_emd_plan_and_cost_equal_pot(seed):
    a, b, M = _problem(seed)
    P = emd(a, b, M)
    # a random continuous cost has a unique optimal plan (with probability 1): plans must agree
    np.testing.assert_allclose(P, ot.emd(a, b, M), rtol=0, atol=LP)
    assert (P * M).sum() == pytest.approx(ot.emd2(a, b, M), abs=LP)
    np.testing.assert_allclose(P.sum(1), a, rtol=0, atol=LP)
    np.testing.assert_allclose(P.sum(0), b, rtol=0, atol=LP)
    assert np.count_nonzero(P > LP) <= len(a) + len(b) - 1  # a vertex of the polytope


@pytest.mark.parametrize("seed", range(3))
def test_emd_duals_certify_optimality(seed):
    """Weak duality: any f, g with f_i + g_j ≤ M_ij bound every plan's cost from below, so
    feasible potentials with ⟨a,f⟩ + ⟨b,g⟩ = ⟨P,M⟩ prove P optimal, independently of HiGHS."""
    a, b, M = _problem(10 + seed, n=15, m=15)
    P, f, g = emd(a, b, M, return_duals=True)
    slack = M - f[:, None] - g[None, :]
    assert slack.min() >= -LP, f"dual infeasible by {-slack.min():.3g}"
    assert a @ f + b @ g == pytest.approx((P * M).sum(), abs=LP)
    assert np.abs(slack[P > LP]).max() <= LP  # complementary slackness


def test_emd_uniform_square_is_an_assignment():
    """Birkhoff–von Neumann: with n = m and uniform weights an optimal plan is a permutation / n."""
    rng = np.random.default_rng(5)
    M = rng.random((20, 20))
    a = np.full(20, 1 / 20)
    P = emd(a, a, M)
    r, c = linear_sum_assignment(M)
    assert (P * M).sum() == pytest.approx(M[r, c].sum() / 20, abs=LP)
    expected = np.zeros_like(M)
    expected[r, c] = 1 / 20
    np.testing.assert_allclose(P, expected, rtol=0, atol=LP)


def test_emd_in_one_dimension_equals_scipy():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=17), rng.normal(size=23)
    a, b = _hist(rng, 17), _hist(rng, 23)
    M = np.abs(x[:, None] - y[None, :])
    assert (emd(a, b, M) * M).sum() == pytest.approx(wasserstein_distance(x, y, a, b), abs=LP)


def test_emd_ties_zero_masses_and_unnormalized_weights():
    a, b = np.array([0.5, 0.5]), np.array([0.25, 0.25, 0.5])
    P = emd(a, b, np.ones((2, 3)))  # every coupling is optimal: only the cost is determined
    assert (P * np.ones((2, 3))).sum() == pytest.approx(1.0, abs=LP)
    np.testing.assert_allclose([P.sum(1), P.sum(0)[:2]], [a, b[:2]], atol=LP)
    a, b, M = _problem(20)
    a0 = a.copy()
    a0[:3] = 0.0
    a0 /= a0.sum()
    P = emd(a0, b, M)
    assert np.all(P[:3] == 0.0)
    assert (P * M).sum() == pytest.approx(ot.emd2(a0, b, M), abs=LP)
    P3 = emd(3 * a, 3 * b, M)  # equal total masses other than 1: the plan scales
    np.testing.assert_allclose(P3, 3 * emd(a, b, M), rtol=0, atol=3 * LP)


# ---------------------------------------------------------------------------
# sinkhorn
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("log_domain", [False, True])
@pytest.mark.parametrize("reg", [0.05, 0.5])
def test_sinkhorn_iterates_equal_pot(log_domain, reg):
    """The same recurrence from the same start: after k iterations the plans agree to rounding
    (the Sinkhorn map is a contraction in Hilbert's metric, so rounding does not grow)."""
    a, b, M = _problem(1)
    method = "sinkhorn_log" if log_domain else "sinkhorn"
    for k in (1, 5, 60):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tol=0 on both: "did not converge" by design
            ours = sinkhorn(a, b, M, reg, n_iter=k, tol=0.0, log_domain=log_domain)
            pot = ot.sinkhorn(a, b, M, reg, method=method, numItermax=k, stopThr=0.0)
        np.testing.assert_allclose(ours, pot, rtol=0, atol=1e-12 * pot.max())


@pytest.mark.parametrize("log_domain", [False, True])
def test_sinkhorn_plan_is_the_entropic_solution(log_domain):
    """Sinkhorn's theorem: the only matrix diag(u) K diag(v) with marginals a, b is P_ε; check
    both properties directly (log P + M/ε is a sum α_i + β_j, the marginals hold to tol)."""
    a, b, M = _problem(4)
    reg, tol = 0.3, 1e-11
    P, info = sinkhorn(a, b, M, reg, tol=tol, log_domain=log_domain, return_info=True)
    assert info["err"] < tol and info["n_iter"] < 1000
    np.testing.assert_allclose(P.sum(1), a, rtol=0, atol=1e-14)  # exact after the u-step
    assert np.abs(P.sum(0) - b).sum() < tol
    L = np.log(P) + M / reg
    centred = L - L.mean(1, keepdims=True) - L.mean(0, keepdims=True) + L.mean()
    assert np.abs(centred).max() < 1e-9, "log P + M/reg is not of the form alpha_i + beta_j"
    np.testing.assert_allclose(L, (info["f"][:, None] + info["g"][None, :]) / reg, atol=1e-9)
    cost = ot.sinkhorn2(a, b, M, reg, stopThr=1e-13, numItermax=10_000)
    assert (P * M).sum() == pytest.approx(float(cost), abs=1e-8)


def test_sinkhorn_entropic_bias_bound_and_limit():
    """The iterate P = diag(u) K diag(v) is the exact entropic plan for its own marginals
    (a, b'), b' = Pᵀ1, and P* is a coupling, so 0 ≤ ⟨P,M⟩ − OT ≤ ε (H(P) − H(P*)) ≤ ε min(H(a),
    H(b')) (H(P) ≤ H(a) + H(b') and a coupling has at least the entropy of either marginal);
    moving mass ‖b' − b‖₁ changes either side by at most max|M| ‖b' − b‖₁."""
    a, b, M = _problem(6)
    exact = (emd(a, b, M) * M).sum()
    gaps = []
    for reg in (1.0, 0.3, 0.1):
        P, info = sinkhorn(a, b, M, reg, tol=1e-9, n_iter=50_000, return_info=True)
        gap = (P * M).sum() - exact
        slack = M.max() * info["err"] + LP
        assert -slack <= gap <= reg * min(_entropy(a), _entropy(P.sum(0))) + slack
        gaps.append(gap)
    assert np.all(np.diff(gaps) < 0), f"the bias must shrink with reg, got {gaps}"


def test_plain_sinkhorn_underflows_loudly_and_log_domain_does_not():
    """Adding a constant to a row of M changes every coupling's cost by the same amount, so
    the entropic plan is unchanged; exp(−M/reg) underflows on that row all the same."""
    a, b, M = _problem(8)
    reg = 0.2
    shifted = M.copy()
    shifted[0] += 800 * reg  # exp(-800) = 0 in float64
    with pytest.raises(FloatingPointError, match=r"underflows to 0 .* use log_domain=True"):
        sinkhorn(a, b, shifted, reg)
    P_log = sinkhorn(a, b, shifted, reg, log_domain=True, tol=1e-12)
    np.testing.assert_allclose(P_log, sinkhorn(a, b, M, reg, tol=1e-12), rtol=0, atol=1e-11)
    # K has no all-zero row, but the scalings overflow: a / (K v) with K v ≈ e^-744 v
    M2 = np.array([[0.0, 1.0], [744.0, 745.0]])
    half = np.array([0.5, 0.5])
    with pytest.raises(FloatingPointError, match="under- or overflowed at iteration 1"):
        sinkhorn(half, half, M2, 1.0)
    # M2_ij = r_i + c_j: every coupling has the same cost, so P_ε is the independent one
    np.testing.assert_allclose(sinkhorn(half, half, M2, 1.0, log_domain=True), 0.25, atol=EXACT)


def test_sinkhorn_agrees_between_domains_and_with_zero_masses():
    a, b, M = _problem(9)
    a[:2] = 0.0
    a /= a.sum()
    P_plain = sinkhorn(a, b, M, 0.2, tol=1e-12)
    P_log = sinkhorn(a, b, M, 0.2, tol=1e-12, log_domain=True)
    assert np.all(P_plain[:2] == 0.0) and np.all(P_log[:2] == 0.0)
    np.testing.assert_allclose(P_plain, P_log, rtol=0, atol=1e-11)
    reduced = sinkhorn(a[2:], b, M[2:], 0.2, tol=1e-12)
    np.testing.assert_allclose(P_plain[2:], reduced, rtol=0, atol=EXACT)


def test_sinkhorn_warns_when_it_stops_early():
    a, b, M = _problem(0)
    with pytest.warns(RuntimeWarning, match=r"did not converge in n_iter=3 iterations"):
        P = sinkhorn(a, b, M, 0.01, n_iter=3)
    assert np.isfinite(P).all()


# ---------------------------------------------------------------------------
# gaussian_w2
# ---------------------------------------------------------------------------


def _spd(rng, d, rank=None):
    A = rng.normal(size=(d, rank or d))
    return A @ A.T + (0.1 * np.eye(d) if rank is None else 0.0)


@pytest.mark.parametrize("d", [1, 2, 5])
def test_gaussian_w2_equals_pot(d):
    rng = np.random.default_rng(d)
    for _ in range(3):
        m0, m1, S0, S1 = rng.normal(size=d), rng.normal(size=d), _spd(rng, d), _spd(rng, d)
        ours = gaussian_w2(m0, S0, m1, S1)
        pot = float(ot.gaussian.bures_wasserstein_distance(m0, m1, S0, S1))
        scale = np.sum((m0 - m1) ** 2) + np.trace(S0) + np.trace(S1)
        assert abs(ours**2 - pot**2) <= 1e-10 * scale


def test_gaussian_w2_closed_forms():
    rng = np.random.default_rng(11)
    # one dimension: (m0 - m1)^2 + (s0 - s1)^2
    assert gaussian_w2([1.0], [[4.0]], [-2.0], [[9.0]]) == pytest.approx(np.sqrt(10.0), rel=EXACT)
    # commuting covariances: |m0 - m1|^2 + ||S0^1/2 - S1^1/2||_F^2
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    l0, l1 = rng.random(4) + 0.1, rng.random(4) + 0.1
    S0, S1 = (Q * l0) @ Q.T, (Q * l1) @ Q.T
    want = np.sqrt(1.0 + np.sum((np.sqrt(l0) - np.sqrt(l1)) ** 2))
    assert gaussian_w2(np.zeros(4), S0, np.eye(4)[0], S1) == pytest.approx(want, rel=1e-10)
    # Diracs (zero covariance): the distance between the means
    assert gaussian_w2([0.0, 0.0], np.zeros((2, 2)), [3.0, 4.0], np.zeros((2, 2))) == 5.0
    # the same Gaussian: 0 up to rounding of the squared distance (about d * 1e-15 * tr S)
    S = _spd(rng, 3)
    assert gaussian_w2(np.ones(3), S, np.ones(3), S) <= np.sqrt(1e-13 * np.trace(S))


def test_gaussian_w2_is_the_cost_of_the_optimal_affine_map():
    """T(x) = m1 + A(x − m0) pushes N(m0, S0) to N(m1, S1) (A S0 A = S1) and costs
    E|x − T(x)|² = |m0 − m1|² + tr((I − A) S0 (I − A)), which must equal W₂² (Brenier: the
    gradient of a convex function, A symmetric positive definite, is the optimal map)."""
    rng = np.random.default_rng(12)
    d = 3
    m0, m1, S0, S1 = rng.normal(size=d), rng.normal(size=d), _spd(rng, d), _spd(rng, d)
    w, V = np.linalg.eigh(S0)
    R, Rinv = (V * np.sqrt(w)) @ V.T, (V / np.sqrt(w)) @ V.T
    w2, V2 = np.linalg.eigh(R @ S1 @ R)
    A = Rinv @ ((V2 * np.sqrt(w2)) @ V2.T) @ Rinv
    np.testing.assert_allclose(A @ S0 @ A, S1, atol=1e-10 * np.abs(S1).max())
    assert np.linalg.eigvalsh(A).min() > 0
    cost = np.sum((m0 - m1) ** 2) + np.trace((np.eye(d) - A) @ S0 @ (np.eye(d) - A).T)
    assert gaussian_w2(m0, S0, m1, S1) ** 2 == pytest.approx(cost, rel=1e-10)


def test_gaussian_w2_singular_covariance():
    """POT returns NaN for singular covariances (a square root of a rounding-negative
    eigenvalue); closed forms instead: commuting singular covariances, and a point mass
    against N(m1, S1), whose only coupling costs |m0 − m1|² + tr S1."""
    rng = np.random.default_rng(13)
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    l0, l1 = np.array([2.0, 0.0, 0.0]), np.array([0.5, 3.0, 0.0])
    S0, S1 = (Q * l0) @ Q.T, (Q * l1) @ Q.T
    want = np.sqrt(np.sum((np.sqrt(l0) - np.sqrt(l1)) ** 2))
    # a zero eigenvalue comes out of eigh as ±1e-16 · |S|, its square root as ~1e-8: rel 1e-7
    assert gaussian_w2(np.zeros(3), S0, np.zeros(3), S1) == pytest.approx(want, rel=1e-7)
    S1 = _spd(rng, 3, rank=2)
    got = gaussian_w2(np.zeros(3), np.zeros((3, 3)), np.ones(3), S1)
    assert got == pytest.approx(np.sqrt(3.0 + np.trace(S1)), rel=EXACT)


# ---------------------------------------------------------------------------
# Bad inputs
# ---------------------------------------------------------------------------


def test_bad_inputs_name_the_argument():
    a, b, M = _problem(0, n=3, m=2)
    with pytest.raises(ValueError, match=r"M must have shape \(len\(a\), len\(b\)\) = \(3, 2\)"):
        emd(a, b, M.T)
    with pytest.raises(ValueError, match="a and b must have the same total mass"):
        emd(a, 2 * b, M)
    with pytest.raises(ValueError, match="a must be nonnegative"):
        sinkhorn(np.array([1.5, -0.5, 0.0]), b, M, 0.1)
    with pytest.raises(ValueError, match="b must have positive total mass"):
        emd(a, np.zeros(2), M)
    with pytest.raises(ValueError, match="M contains 1 NaN"):
        emd(a, b, np.where(M == M.max(), np.nan, M))
    with pytest.raises(ValueError, match="reg must be > 0"):
        sinkhorn(a, b, M, 0.0)
    with pytest.raises(TypeError, match="n_iter must be an integer"):
        sinkhorn(a, b, M, 0.1, n_iter=2.5)
    with pytest.raises(TypeError, match="log_domain must be True or False"):
        sinkhorn(a, b, M, 0.1, log_domain="yes")
    with pytest.raises(ValueError, match="p must be >= 1"):
        wasserstein_1d([0.0], [1.0], p=0.5)
    with pytest.raises(ValueError, match="u must be 1-d"):
        wasserstein_1d(np.zeros((2, 2)), [1.0])
    with pytest.raises(ValueError, match="v_weights must have length 1"):
        wasserstein_1d([0.0], [1.0], v_weights=[1.0, 2.0])
    with pytest.raises(ValueError, match="S1 must be symmetric"):
        gaussian_w2([0, 0], np.eye(2), [0, 0], [[1.0, 0.5], [0.0, 1.0]])
    with pytest.raises(ValueError, match="S0 must be positive semidefinite"):
        gaussian_w2([0, 0], np.diag([1.0, -1.0]), [0, 0], np.eye(2))
    with pytest.raises(ValueError, match=r"S0 must have shape \(2, 2\)"):
        gaussian_w2([0, 0], np.eye(3), [0, 0], np.eye(2))
    with pytest.raises(ValueError, match="m1 must have length 2"):
        gaussian_w2([0, 0], np.eye(2), [0], np.eye(2))
