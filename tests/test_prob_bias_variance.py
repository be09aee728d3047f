"""nblib.prob, Sections 4.3-4.4: bias-variance decompositions, ridge closed forms, ensembles,
variance propagation and the fluctuations of squared norms at initialization.

Monte-Carlo comparisons use tolerances of 4 standard errors computed from the samples;
peers are scikit-learn (Ridge), scipy (binomial and chi-square laws) and sympy (integrals)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy import stats
from sklearn.linear_model import Ridge

from nblib import nn, prob

# ---------------------------------------------------------------------------
# bias_variance_decomposition
# ---------------------------------------------------------------------------


def test_decomposition_sums_to_the_mean_squared_error_against_f():
    rng = np.random.default_rng(0)
    P = rng.normal(size=(50, 7)) + np.linspace(0, 1, 7)
    f = rng.normal(size=7)
    bv = prob.bias_variance_decomposition(P, f, 0.3)
    assert bv.bias2 + bv.variance == pytest.approx(np.mean((P - f) ** 2), rel=1e-12)
    assert bv.total == pytest.approx(np.mean((P - f) ** 2) + 0.3, rel=1e-12)
    assert bv.variance == pytest.approx(np.mean(P.var(axis=0, ddof=1)), rel=1e-12)


def test_decomposition_is_unbiased_and_its_jackknife_se_is_right():
    """Predictions ~ N(mu_t, s_t^2): true bias^2 = mean (mu - f)^2, variance = mean s^2.
    Over 400 repetitions the estimates average to the truth (4 SE of the mean), and the
    jackknife SE matches the spread of the estimates (within 15 %, the sampling error of a
    standard deviation from 400 draws is about 3.5 %)."""
    rng = np.random.default_rng(1)
    mu, s, f = np.array([0.5, -0.2, 0.1]), np.array([1.0, 0.5, 2.0]), np.zeros(3)
    true_b2, true_var = np.mean((mu - f) ** 2), np.mean(s**2)
    reps = [
        prob.bias_variance_decomposition(mu + s * rng.standard_normal((40, 3)), f, 0.0)
        for _ in range(400)
    ]
    b2 = np.array([r.bias2 for r in reps])
    var = np.array([r.variance for r in reps])
    assert abs(b2.mean() - true_b2) < 4 * b2.std() / np.sqrt(len(b2))
    assert abs(var.mean() - true_var) < 4 * var.std() / np.sqrt(len(var))
    assert np.mean([r.bias2_se for r in reps]) == pytest.approx(b2.std(), rel=0.15)
    assert np.mean([r.variance_se for r in reps]) == pytest.approx(var.std(), rel=0.15)


def test_jackknife_is_exact_at_a_large_offset():
    """The O(R·T) leave-one-out must agree with a direct loop over the R fits, and must not
    change when every prediction and target is shifted by 1e8 (the terms depend only on
    P − f and the spread of P). Raw running sums would cancel catastrophically there: the
    squares are ~1e16, so their rounding error (~1) swamps variances of order 1."""
    rng = np.random.default_rng(7)
    P = rng.normal(0.3, 1.0, size=(50, 6))
    f = rng.normal(size=6)

    def direct(P_, f_):
        loo = []
        for r in range(len(P_)):
            Q = np.delete(P_, r, axis=0)
            var = Q.var(axis=0, ddof=1).mean()
            loo.append((np.mean((Q.mean(axis=0) - f_) ** 2) - var / len(Q), var))
        loo = np.array(loo)
        return np.sqrt((len(P_) - 1) / len(P_) * np.sum((loo - loo.mean(axis=0)) ** 2, axis=0))

    ref = prob.bias_variance_decomposition(P, f, 0.1)
    np.testing.assert_allclose([ref.bias2_se, ref.variance_se], direct(P, f), rtol=1e-10)
    shifted = prob.bias_variance_decomposition(P + 1e8, f + 1e8, 0.1)
    # after the shift the data themselves carry an absolute rounding error of ulp(1e8) = 1.5e-8
    np.testing.assert_allclose(shifted[:4], ref[:4], rtol=1e-6)
    np.testing.assert_allclose(
        [shifted.bias2_se, shifted.variance_se], [ref.bias2_se, ref.variance_se], rtol=1e-5
    )


def test_decomposition_validates_its_inputs():
    with pytest.raises(ValueError, match="at least 3 fits"):
        prob.bias_variance_decomposition(np.zeros((2, 4)), np.zeros(4), 1.0)
    with pytest.raises(ValueError, match="targets_clean must have one entry per test point"):
        prob.bias_variance_decomposition(np.zeros((5, 4)), np.zeros(3), 1.0)
    with pytest.raises(ValueError, match="noise_var must be >= 0"):
        prob.bias_variance_decomposition(np.zeros((5, 4)), np.zeros(4), -1.0)
    with pytest.raises(ValueError, match="predictions contains 1 NaN"):
        prob.bias_variance_decomposition(np.array([[np.nan], [1], [2]]), [0.0], 1.0)


# ---------------------------------------------------------------------------
# ridge_weights, ridge_bias_variance
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(30, 5), (10, 25)])
@pytest.mark.parametrize("lam", [0.01, 1.0, 30.0])
def test_ridge_weights_equal_scikit_learn(shape, lam):
    rng = np.random.default_rng(2)
    Phi, y = rng.normal(size=shape), rng.normal(size=shape[0])
    ref = Ridge(alpha=lam, fit_intercept=False, solver="svd").fit(Phi, y).coef_
    np.testing.assert_allclose(prob.ridge_weights(Phi, y, lam), ref, rtol=1e-8, atol=1e-10)


def test_ridge_weights_at_zero_is_the_minimum_norm_solution():
    rng = np.random.default_rng(3)
    Phi, y = rng.normal(size=(6, 15)), rng.normal(size=6)
    w = prob.ridge_weights(Phi, y, 0.0)
    np.testing.assert_allclose(Phi @ w, y, atol=1e-10)  # interpolates
    np.testing.assert_allclose(w, np.linalg.lstsq(Phi, y, rcond=None)[0], atol=1e-10)
    # and it is the limit of ridge as lam -> 0
    np.testing.assert_allclose(prob.ridge_weights(Phi, y, 1e-9), w, atol=1e-6)


@pytest.mark.parametrize("lam", [0.0, 0.5, 5.0])
def test_ridge_bias_variance_matches_refits_on_resampled_noise(lam):
    rng = np.random.default_rng(4)
    n, p, T, sigma = 25, 6, 40, 0.5
    Phi, Phi_t = rng.normal(size=(n, p)), rng.normal(size=(T, p))
    f_tr, f_te = np.sin(Phi[:, 0]) + Phi[:, 1] ** 2, np.sin(Phi_t[:, 0]) + Phi_t[:, 1] ** 2
    exact = prob.ridge_bias_variance(Phi, f_tr, Phi_t, f_te, lam, sigma**2)
    Y = f_tr[:, None] + sigma * rng.standard_normal((n, 4000))
    preds = (Phi_t @ prob.ridge_weights(Phi, Y, lam)).T  # (4000, T)
    mc = prob.bias_variance_decomposition(preds, f_te, sigma**2)
    assert abs(mc.bias2 - exact.bias2) < 4 * mc.bias2_se
    assert abs(mc.variance - exact.variance) < 4 * mc.variance_se
    assert exact.total == pytest.approx(exact.bias2 + exact.variance + sigma**2)
    # pointwise: each test point's sample variance within 4 SE (Gaussian: SE = v sqrt(2/(R-1)))
    v = preds.var(axis=0, ddof=1)
    assert np.all(
        np.abs(v - exact.pointwise_variance) < 4 * exact.pointwise_variance * np.sqrt(2 / 3999)
    )


def test_ridge_bias_variance_exact_special_cases():
    rng = np.random.default_rng(5)
    Phi, Phi_t = rng.normal(size=(20, 4)), rng.normal(size=(9, 4))
    w_true = rng.normal(size=4)
    # least squares on a well-specified model is unbiased; its variance is s^2 phi^T (Phi^T Phi)^-1 phi
    rbv = prob.ridge_bias_variance(Phi, Phi @ w_true, Phi_t, Phi_t @ w_true, 0.0, 2.0)
    np.testing.assert_allclose(rbv.bias, 0.0, atol=1e-12)
    expected = 2.0 * np.einsum("ti,ij,tj->t", Phi_t, np.linalg.inv(Phi.T @ Phi), Phi_t)
    np.testing.assert_allclose(rbv.pointwise_variance, expected, rtol=1e-10)
    # ridge shrinks: bias = -lam phi^T (Phi^T Phi + lam I)^-1 w
    lam = 3.0
    rbv = prob.ridge_bias_variance(Phi, Phi @ w_true, Phi_t, Phi_t @ w_true, lam, 0.0)
    expected = -lam * Phi_t @ np.linalg.solve(Phi.T @ Phi + lam * np.eye(4), w_true)
    np.testing.assert_allclose(rbv.bias, expected, rtol=1e-10)
    assert rbv.variance == 0.0


def test_ridge_bias_variance_validates():
    Phi = np.ones((5, 3))
    with pytest.raises(ValueError, match="Phi_test must have the 3 features"):
        prob.ridge_bias_variance(Phi, np.ones(5), np.ones((4, 2)), np.ones(4), 1.0, 1.0)
    with pytest.raises(ValueError, match="Phi_train and f_train must have the same number"):
        prob.ridge_bias_variance(Phi, np.ones(4), np.ones((4, 3)), np.ones(4), 1.0, 1.0)
    with pytest.raises(ValueError, match="lam must be >= 0"):
        prob.ridge_weights(Phi, np.ones(5), -1.0)


# ---------------------------------------------------------------------------
# ambiguity_decomposition, ensemble_variance
# ---------------------------------------------------------------------------


def test_krogh_vedelsby_identity_and_nonnegative_ambiguity():
    rng = np.random.default_rng(6)
    F, y = rng.normal(size=(7, 30)), rng.normal(size=30)
    for w in (None, rng.dirichlet(np.ones(7))):
        a = prob.ambiguity_decomposition(F, y, w)
        wv = np.full(7, 1 / 7) if w is None else w
        assert a.ensemble_error == pytest.approx(np.mean((wv @ F - y) ** 2), rel=1e-14)
        assert a.ensemble_error == pytest.approx(a.member_error - a.ambiguity, abs=1e-12)
        assert a.ambiguity >= 0
    with pytest.raises(ValueError, match="weights must be 7 non-negative numbers"):
        prob.ambiguity_decomposition(F, y, np.ones(7))
    with pytest.raises(ValueError, match="targets must have one entry per input"):
        prob.ambiguity_decomposition(F, y[:5])


def test_ensemble_variance_matches_exchangeable_gaussians():
    rng = np.random.default_rng(7)
    s2, rho, M = 2.0, 0.3, 6
    C = s2 * ((1 - rho) * np.eye(M) + rho * np.ones((M, M)))
    assert prob.ensemble_variance(s2, rho, M) == pytest.approx(C.sum() / M**2, rel=1e-14)
    avg = rng.multivariate_normal(np.zeros(M), C, size=200_000).mean(axis=1)
    se = avg.var() * np.sqrt(2 / (avg.size - 1))
    assert abs(avg.var() - prob.ensemble_variance(s2, rho, M)) < 4 * se
    assert prob.ensemble_variance(s2, rho, 1) == s2
    with pytest.raises(ValueError, match="correlation must be >= -1/\\(n_members - 1\\)"):
        prob.ensemble_variance(1.0, -0.5, 4)
    with pytest.raises(TypeError, match="n_members must be an integer"):
        prob.ensemble_variance(1.0, 0.5, 2.5)


# ---------------------------------------------------------------------------
# variance_propagation, squared_norm_moments, sample_squared_norms
# ---------------------------------------------------------------------------


def _simulate(widths, init, activation, reps, rng, backward=False):
    """Push x_0 (unit norm) through `reps` random nets; return ||x_l||^2 per layer, or the
    backward ||g_l||^2 from a unit-norm g_L."""
    x0 = np.ones(widths[0]) / np.sqrt(widths[0])
    out = np.zeros((reps, len(widths)))
    for r in range(reps):
        Ws = [
            nn.init_weights(b, a, init, rng=rng)
            for a, b in zip(widths[:-1], widths[1:], strict=True)
        ]
        x, masks = x0, []
        norms = [1.0]
        for W in Ws:
            z = W @ x
            masks.append((z > 0) if activation == "relu" else np.ones_like(z, dtype=bool))
            x = np.maximum(z, 0) if activation == "relu" else z
            norms.append(x @ x)
        if not backward:
            out[r] = norms
            continue
        g = rng.standard_normal(widths[-1])
        g /= np.linalg.norm(g)
        gnorms = [1.0]
        for W, m in zip(Ws[::-1], masks[::-1], strict=True):
            g = W.T @ (g * m)
            gnorms.append(g @ g)
        out[r] = gnorms[::-1]
    return out


@pytest.mark.parametrize("init", ["lecun", "glorot", "he"])
def test_variance_propagation_forward_matches_random_networks(init):
    rng = np.random.default_rng(8)
    widths = [20, 60, 30, 50]
    sim = _simulate(widths, init, "relu", 3000, rng)
    theory = prob.variance_propagation(widths, init, "relu").forward
    se = sim.std(axis=0) / np.sqrt(len(sim))
    assert np.all(np.abs(sim.mean(axis=0) - theory) <= 4 * se + 1e-12)


@pytest.mark.parametrize("init", ["lecun", "glorot"])
def test_variance_propagation_backward_is_exact_for_linear_nets(init):
    rng = np.random.default_rng(9)
    widths = [20, 60, 30, 50]
    sim = _simulate(widths, init, "identity", 3000, rng, backward=True)
    theory = prob.variance_propagation(widths, init, "identity").backward
    se = sim.std(axis=0) / np.sqrt(len(sim))
    assert np.all(np.abs(sim.mean(axis=0) - theory) <= 4 * se + 1e-12)


def test_variance_propagation_closed_forms():
    vp = prob.variance_propagation([8, 16, 32, 4], "he", "relu")
    np.testing.assert_allclose(vp.forward, [1, 2, 4, 0.5])  # n_l / n_0
    np.testing.assert_allclose(
        prob.variance_propagation([10] * 6, "lecun").forward, 0.5 ** np.arange(6)
    )
    # Glorot: forward factor n_out v, backward factor n_in v, harmonic mean in between
    vp = prob.variance_propagation([100, 300], "glorot", "identity")
    np.testing.assert_allclose([vp.forward[1], vp.backward[0]], [600 / 400, 200 / 400])
    np.testing.assert_allclose(
        prob.variance_propagation([5, 5, 5], [0.1, 0.3], "identity").forward, [1, 0.5, 0.75]
    )
    with pytest.raises(ValueError, match="widths must list at least 2"):
        prob.variance_propagation([5])
    with pytest.raises(ValueError, match="init must be a scheme name or 2 positive"):
        prob.variance_propagation([5, 5, 5], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="must be positive, got -0.1 for layer 2"):
        prob.variance_propagation([10, 10, 10], [0.1, -0.1])
    with pytest.raises(ValueError, match="activation must be one of"):
        prob.variance_propagation([5, 5], "he", "tanh")


def test_fourth_moment_one_layer_by_exact_integration():
    """One relu layer of width n: E||x_1||^4 / ||x_0||^4 from E relu(z)^2, E relu(z)^4 by sympy,
    and from the exact binomial mixture of chi-squares by scipy."""
    z, s = sp.symbols("z s", positive=True)
    dens = sp.exp(-(z**2) / (2 * s**2)) / (s * sp.sqrt(2 * sp.pi))
    m2 = sp.integrate(z**2 * dens, (z, 0, sp.oo))
    m4 = sp.integrate(z**4 * dens, (z, 0, sp.oo))
    for n in (1, 3, 32):
        s2 = sp.Rational(2, n)  # He: Var z = 2 ||x||^2 / n with ||x|| = 1
        exact = sp.simplify((n * m4 + n * (n - 1) * m2**2).subs(s, sp.sqrt(s2)))
        assert sp.simplify(exact - (1 + sp.Rational(5, n))) == 0
        k = np.arange(n + 1)
        mixture = np.sum(stats.binom.pmf(k, n, 0.5) * (k**2 + 2 * k)) * (2 / n) ** 2
        assert mixture == pytest.approx(1 + 5 / n, rel=1e-12)
        assert prob.squared_norm_moments([n, n], "he", "relu").fourth[1] == pytest.approx(1 + 5 / n)
    for n in (1, 4):
        assert prob.squared_norm_moments([n] * 4, "lecun", "identity").fourth[-1] == pytest.approx(
            (1 + 2 / n) ** 3
        )


def _eighth_moment_ratio(n, activation):
    """E Y^4 for one layer, Y = (2/n) chi2_K with K ~ Bin(n, 1/2) (relu, He) or (1/n) chi2_n
    (linear, LeCun): E (chi2_k)^4 = k(k+2)(k+4)(k+6), summed over scipy's binomial pmf."""
    k = np.arange(n + 1)
    m = k * (k + 2) * (k + 4) * (k + 6)
    if activation == "relu":
        return float(np.sum(stats.binom.pmf(k, n, 0.5) * m) * (2 / n) ** 4)
    return float(m[-1] / n**4)


@pytest.mark.parametrize("activation, init", [("relu", "he"), ("identity", "lecun")])
def test_squared_norm_moments_match_random_networks(activation, init):
    """||x_L||^4 is heavy-tailed, so the standard error comes from its exact variance
    E||x_L||^8 - (E||x_L||^4)^2 (the sample standard deviation underestimates it)."""
    rng = np.random.default_rng(10)
    n, L, reps = 12, 3, 20000
    sim = _simulate([n] * (L + 1), init, activation, reps, rng) ** 2
    theory = prob.squared_norm_moments([n] * (L + 1), init, activation).fourth
    se = np.sqrt((_eighth_moment_ratio(n, activation) ** np.arange(L + 1) - theory**2) / reps)
    assert np.all(np.abs(sim.mean(axis=0) - theory) <= 4 * se + 1e-12)


@pytest.mark.parametrize("activation, init", [("relu", "he"), ("identity", "lecun")])
def test_sample_squared_norms_has_the_law_of_real_networks(activation, init):
    """Two-sample KS at level 1e-3 between the exact chain and simulated networks, and the
    chain's first two moments equal the closed forms within 4 SE."""
    rng = np.random.default_rng(11)
    widths = [5, 5, 5, 5]
    nets = _simulate(widths, init, activation, 3000, rng)
    chain = prob.sample_squared_norms(widths, 3000, init, activation, rng=12)
    assert chain.shape == (3000, 4) and np.all(chain[:, 0] == 1)
    for layer in (1, 3):
        assert stats.ks_2samp(nets[:, layer], chain[:, layer]).pvalue > 1e-3
    big = prob.sample_squared_norms(widths, 400_000, init, activation, rng=13)
    mom = prob.squared_norm_moments(widths, init, activation)
    eighth = _eighth_moment_ratio(5, activation) ** np.arange(4)  # exact variances below
    for x, theory, var in (
        (big, mom.second, mom.fourth - mom.second**2),
        (big**2, mom.fourth, eighth - mom.fourth**2),
    ):
        assert np.all(np.abs(x.mean(axis=0) - theory) <= 4 * np.sqrt(var / len(x)) + 1e-12)
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        prob.sample_squared_norms(widths, 0)
