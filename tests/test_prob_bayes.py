"""nblib.prob, Sections 4.5-4.6 (NNGP kernels, GP regression, Bayesian linear regression, HMC, ESS)
against independent truths: numerical integration, scikit-learn, scipy, closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, signal, stats
from scipy.special import erf
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import Kernel
from sklearn.linear_model import Ridge

from nblib import prob


def _gauss_expectation(phi, k11, k22, k12):
    """E[phi(u) phi(v)] for (u, v) ~ N(0, [[k11, k12], [k12, k22]]) by 2-d quadrature."""
    a = np.sqrt(k11)
    rho = k12 / np.sqrt(k11 * k22)
    b = np.sqrt(k22)

    def integrand(z2, z1):
        u = a * z1
        v = b * (rho * z1 + np.sqrt(max(1 - rho**2, 0.0)) * z2)
        return phi(u) * phi(v) * np.exp(-(z1**2 + z2**2) / 2) / (2 * np.pi)

    val, _ = integrate.dblquad(integrand, -9, 9, -9, 9, epsabs=1e-10, epsrel=1e-10)
    return val


def _relu(u):
    return max(u, 0.0)


@pytest.mark.parametrize("activation, phi", [("relu", _relu), ("erf", erf)])
@pytest.mark.parametrize("depth", [1, 2])
def test_nngp_kernel_matches_layerwise_numerical_integration(activation, phi, depth):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 3))
    wv, bv = 1.7, 0.2
    K = wv * X @ X.T / 3 + bv
    for _ in range(depth):
        new = np.empty_like(K)
        for i in range(2):
            for j in range(2):
                new[i, j] = wv * _gauss_expectation(phi, K[i, i], K[j, j], K[i, j]) + bv
        K = new
    got = prob.nngp_kernel(X, X, depth, activation, weight_var=wv, bias_var=bv)
    np.testing.assert_allclose(got, K, rtol=1e-7, atol=1e-9)


def test_nngp_relu_he_keeps_the_diagonal_and_is_psd():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((6, 4))
    for depth in (0, 1, 5, 20):
        K = prob.nngp_kernel(X, X, depth)  # weight_var 2 (He), no bias
        np.testing.assert_allclose(np.diag(K), 2 * np.sum(X**2, axis=1) / 4, rtol=1e-12)
        np.testing.assert_allclose(K, K.T, atol=1e-14)
        assert np.linalg.eigvalsh(K).min() > -1e-10
    # cross kernel blocks agree with the joint kernel
    K_all = prob.nngp_kernel(X, X, 3, "erf", 1.5, 0.1)
    np.testing.assert_allclose(prob.nngp_kernel(X[:2], X[2:], 3, "erf", 1.5, 0.1), K_all[:2, 2:])


def test_nngp_depth_zero_is_the_linear_kernel_and_zero_inputs_are_safe():
    X = np.array([[1.0, 2.0], [0.0, 0.0]])
    np.testing.assert_allclose(prob.nngp_kernel(X, X, 0, weight_var=3.0, bias_var=0.5),
                               3.0 * X @ X.T / 2 + 0.5)
    K = prob.nngp_kernel(X, X, 4)
    assert np.all(np.isfinite(K)) and K[1, 1] == 0 and K[0, 1] == 0


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(activation="tanh"), ValueError, "activation"),
        (dict(depth=-1), ValueError, "depth"),
        (dict(depth=1.5), TypeError, "depth"),
        (dict(weight_var=0.0), ValueError, "weight_var"),
        (dict(bias_var=-1.0), ValueError, "bias_var"),
    ],
)
def test_nngp_kernel_errors(kwargs, error, match):
    args = dict(X1=np.ones((2, 3)), X2=np.ones((2, 3)), depth=1) | kwargs
    with pytest.raises(error, match=match):
        prob.nngp_kernel(**args)


def test_nngp_kernel_overflow_raises_instead_of_inf():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning either
        with pytest.raises(ValueError, match="X1 has rows whose squared norm overflows"):
            prob.nngp_kernel(np.full((1, 2), 1e200), np.ones((1, 2)), 1)
        with pytest.raises(ValueError, match="X2 has rows"):
            prob.nngp_kernel(np.ones((1, 2)), np.full((1, 2), 1e200), 1, "erf")
        with pytest.raises(ValueError, match="overflows float64 at layer"):
            prob.nngp_kernel(np.ones((1, 2)), np.ones((1, 2)), 200, weight_var=1e4)
    # large but representable inputs are fine, and the ReLU kernel without bias is 2-homogeneous
    X = np.array([[1.0, 2.0], [-3.0, 0.5]])
    np.testing.assert_allclose(prob.nngp_kernel(1e100 * X, 1e100 * X, 3), 1e200 * prob.nngp_kernel(X, X, 3),
                               rtol=1e-12)


def test_nngp_kernel_shape_errors():
    with pytest.raises(ValueError, match="same number of columns"):
        prob.nngp_kernel(np.ones((2, 3)), np.ones((2, 4)), 1)
    with pytest.raises(ValueError, match="X1 must be 2-d"):
        prob.nngp_kernel(np.ones(3), np.ones((2, 3)), 1)


class _Precomputed(Kernel):
    """A scikit-learn kernel over row indices that looks entries up in a fixed matrix."""

    def __init__(self, matrix=None):
        self.matrix = matrix

    def __call__(self, X, Y=None, eval_gradient=False):
        i = np.asarray(X, dtype=int)[:, 0]
        j = i if Y is None else np.asarray(Y, dtype=int)[:, 0]
        return self.matrix[np.ix_(i, j)]

    def diag(self, X):
        i = np.asarray(X, dtype=int)[:, 0]
        return self.matrix[i, i]

    def is_stationary(self):
        return False


def test_gp_posterior_matches_sklearn():
    rng = np.random.default_rng(2)
    X = rng.uniform(-2, 2, size=(25, 1))
    Xs = np.linspace(-3, 3, 9)[:, None]
    Z = np.vstack([X, Xs])
    K_all = prob.nngp_kernel(Z, Z, 2, "relu", 2.0, 0.3)
    y = np.sin(2 * X[:, 0]) + 0.1 * rng.standard_normal(25)
    noise = 0.05
    mean, cov, lml = prob.gp_posterior(K_all[:25, :25], K_all[25:, :25], K_all[25:, 25:], y, noise)
    gpr = GaussianProcessRegressor(_Precomputed(K_all), alpha=noise, optimizer=None)
    gpr.fit(np.arange(25)[:, None], y)
    m_sk, cov_sk = gpr.predict(np.arange(25, 34)[:, None], return_cov=True)
    np.testing.assert_allclose(mean, m_sk, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(cov, cov_sk, rtol=1e-8, atol=1e-10)
    assert abs(lml - gpr.log_marginal_likelihood_value_) < 1e-8
    # and the log marginal likelihood is the log density of y under N(0, K + noise I)
    ref = stats.multivariate_normal(np.zeros(25), K_all[:25, :25] + noise * np.eye(25)).logpdf(y)
    assert abs(lml - ref) < 1e-8


def test_gp_posterior_errors():
    K, y = np.eye(3), np.zeros(3)
    with pytest.raises(ValueError, match="K must have shape"):
        prob.gp_posterior(np.eye(2), np.ones((1, 3)), np.eye(1), y, 0.1)
    with pytest.raises(ValueError, match="K_cross"):
        prob.gp_posterior(K, np.ones((1, 2)), np.eye(1), y, 0.1)
    with pytest.raises(ValueError, match="K_test"):
        prob.gp_posterior(K, np.ones((2, 3)), np.eye(1), y, 0.1)
    with pytest.raises(ValueError, match="noise_var"):
        prob.gp_posterior(K, np.ones((1, 3)), np.eye(1), y, -0.1)
    with pytest.raises(ValueError, match="positive definite"):
        prob.gp_posterior(np.zeros((3, 3)), np.ones((1, 3)), np.eye(1), y, 0.0)
    # an asymmetric K would silently be read through its lower triangle by Cholesky
    with pytest.raises(ValueError, match="K must be symmetric"):
        prob.gp_posterior(np.array([[1.0, 5.0], [0.0, 1.0]]), np.ones((1, 2)), np.eye(1), np.zeros(2), 0.1)
    with pytest.raises(ValueError, match="K_test must be symmetric"):
        prob.gp_posterior(np.eye(2), np.ones((2, 2)), np.array([[1.0, 0.5], [0.0, 1.0]]), np.zeros(2), 0.1)
    # rounding-level asymmetry (a kernel computed as A @ B.T) is accepted
    K_round = np.eye(2) + np.array([[0.0, 1e-14], [0.0, 0.0]])
    prob.gp_posterior(K_round, np.ones((1, 2)), np.eye(1), np.zeros(2), 0.1)


def test_bayesian_linear_regression_against_peers():
    rng = np.random.default_rng(3)
    n, p, alpha, s2 = 40, 5, 0.7, 0.2
    Phi = rng.standard_normal((n, p))
    y = Phi @ rng.normal(0, np.sqrt(alpha), p) + np.sqrt(s2) * rng.standard_normal(n)
    m, S, log_ev = prob.bayesian_linear_regression(Phi, y, alpha, s2)
    # evidence: the n-dimensional Gaussian density of y
    ref = stats.multivariate_normal(np.zeros(n), alpha * Phi @ Phi.T + s2 * np.eye(n)).logpdf(y)
    assert abs(log_ev - ref) < 1e-9
    # posterior mean: ridge regression with penalty s2 / alpha
    ridge = Ridge(alpha=s2 / alpha, fit_intercept=False, solver="cholesky").fit(Phi, y)
    np.testing.assert_allclose(m, ridge.coef_, rtol=1e-9)
    # posterior covariance: Gaussian conditioning of (w, y) in n-space
    C = alpha * Phi @ Phi.T + s2 * np.eye(n)
    S_ref = alpha * np.eye(p) - alpha**2 * Phi.T @ np.linalg.solve(C, Phi)
    np.testing.assert_allclose(S, S_ref, rtol=1e-8, atol=1e-12)
    # function space = weight space: the GP with kernel alpha Phi Phi^T
    mean_f, cov_f, lml = prob.gp_posterior(alpha * Phi @ Phi.T, alpha * Phi @ Phi.T,
                                           alpha * Phi @ Phi.T, y, s2)
    np.testing.assert_allclose(mean_f, Phi @ m, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(cov_f, Phi @ S @ Phi.T, rtol=1e-8, atol=1e-10)
    assert abs(lml - log_ev) < 1e-9


def test_bayesian_linear_regression_errors():
    with pytest.raises(ValueError, match="same number of samples"):
        prob.bayesian_linear_regression(np.ones((3, 2)), np.ones(4), 1.0, 1.0)
    with pytest.raises(ValueError, match="prior_var"):
        prob.bayesian_linear_regression(np.ones((3, 2)), np.ones(3), 0.0, 1.0)
    with pytest.raises(ValueError, match="noise_var"):
        prob.bayesian_linear_regression(np.ones((3, 2)), np.ones(3), 1.0, 0.0)
    with pytest.raises(ValueError, match="Phi must be 2-d"):
        prob.bayesian_linear_regression(np.ones(3), np.ones(3), 1.0, 1.0)


def _gaussian_target(mean, cov):
    P = np.linalg.inv(cov)

    def log_prob_and_grad(x):
        d = x - mean
        return -0.5 * np.sum(d @ P * d, axis=-1), -(d @ P)

    return log_prob_and_grad


def test_hmc_samples_a_gaussian_within_mc_error():
    mean = np.array([1.0, -2.0])
    cov = np.array([[1.0, 0.6], [0.6, 0.5]])
    samples, rate = prob.hmc(_gaussian_target(mean, cov), np.zeros(2), 0.25, 8, 6000, rng=1)
    assert 0.6 < rate <= 1.0
    kept = samples[500:]
    ess = prob.effective_sample_size(kept)
    se = np.sqrt(np.diag(cov) / ess)
    assert np.all(np.abs(kept.mean(axis=0) - mean) < 4 * se)
    # variances: (x_i - m_i)^2 has variance 2 cov_ii^2 for a Gaussian
    sq = (kept - mean) ** 2
    se_var = np.sqrt(2 * np.diag(cov) ** 2 / prob.effective_sample_size(sq))
    assert np.all(np.abs(sq.mean(axis=0) - np.diag(cov)) < 4 * se_var)


def test_hmc_parallel_chains_and_determinism():
    target = _gaussian_target(np.zeros(3), np.eye(3))
    s1, r1 = prob.hmc(target, np.zeros((50, 3)), 0.4, 5, 400, rng=7)
    s2, r2 = prob.hmc(target, np.zeros((50, 3)), 0.4, 5, 400, rng=np.random.default_rng(7))
    assert s1.shape == (400, 50, 3) and np.array_equal(s1, s2) and r1 == r2
    draws = s1[100:].reshape(-1, 3)
    se = np.sqrt(1 / prob.effective_sample_size(s1[100:, :, 0].mean(axis=1))) / np.sqrt(50)
    assert abs(draws[:, 0].mean()) < 4 * se


def test_hmc_rejects_a_divergent_step_size():
    # step 2.5 > 2 = the leapfrog stability limit for a unit Gaussian: energy blows up, all rejected
    samples, rate = prob.hmc(_gaussian_target(np.zeros(1), np.eye(1)), np.ones(1), 2.5, 200, 20, 0)
    assert rate == 0.0 and np.all(samples == 1.0)


def test_hmc_fixed_length_can_be_periodic_and_a_random_length_fixes_it():
    # On a standard Gaussian one leapfrog step rotates (x, p) by theta with cos(theta) = 1 - eps^2 / 2
    # (in rescaled coordinates); eps = 2 sin(pi / 20) gives theta = pi / 10, so 10 steps map
    # (x, p) -> (-x, -p) exactly: a fixed-length chain alternates between x0 and -x0 forever.
    target = _gaussian_target(np.zeros(1), np.eye(1))
    eps = 2 * np.sin(np.pi / 20)
    fixed, rate = prob.hmc(target, np.array([0.3]), eps, 10, 200, 0)
    assert rate > 0.999
    np.testing.assert_allclose(np.abs(fixed[:, 0]), 0.3, rtol=1e-9)
    # drawing the number of steps from {5, ..., 15} breaks the periodicity: the variance is right
    jittered, _ = prob.hmc(target, np.array([0.3]), eps, (5, 15), 4000, 0)
    kept = jittered[200:, 0]
    se_var = np.sqrt(2 / prob.effective_sample_size(kept**2))  # Var(x^2) = 2 for N(0, 1)
    assert abs(np.mean(kept**2) - 1) < 4 * se_var


def test_hmc_random_length_is_drawn_per_iteration_and_validated():
    calls = []

    def target(x):
        calls.append(1)
        return -0.5 * np.sum(x * x, axis=-1), -x

    prob.hmc(target, np.zeros(2), 0.1, (3, 6), 400, 1)
    per_iteration = (len(calls) - 1) / 400  # one gradient per leapfrog step, plus the start
    assert abs(per_iteration - 4.5) < 4 * np.sqrt(1.25 / 400)  # uniform on {3, 4, 5, 6}: var 1.25
    same_fixed, _ = prob.hmc(target, np.zeros((3, 2)), 0.1, [4, 4], 5, 1)  # a list works too
    assert same_fixed.shape == (5, 3, 2)
    with pytest.raises(ValueError, match="pair"):
        prob.hmc(target, np.zeros(2), 0.1, (3, 4, 5), 10)
    with pytest.raises(ValueError, match="n_leapfrog\\[1\\]"):
        prob.hmc(target, np.zeros(2), 0.1, (5, 3), 10)
    with pytest.raises(TypeError, match="n_leapfrog\\[0\\]"):
        prob.hmc(target, np.zeros(2), 0.1, (2.5, 3), 10)


def test_hmc_errors():
    target = _gaussian_target(np.zeros(2), np.eye(2))
    with pytest.raises(TypeError, match="log_prob_and_grad"):
        prob.hmc(3.0, np.zeros(2), 0.1, 5, 10)
    with pytest.raises(ValueError, match="step_size"):
        prob.hmc(target, np.zeros(2), 0.0, 5, 10)
    with pytest.raises(ValueError, match="n_leapfrog"):
        prob.hmc(target, np.zeros(2), 0.1, 0, 10)
    with pytest.raises(ValueError, match="gradient of shape"):
        prob.hmc(lambda x: (0.0, np.zeros(3)), np.zeros(2), 0.1, 5, 10)
    with pytest.raises(ValueError, match="finite log-density"):
        prob.hmc(lambda x: (-np.inf, np.zeros(2)), np.zeros(2), 0.1, 5, 10)


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9, -0.5])
def test_effective_sample_size_of_ar1(rho):
    # ESS of the mean of an AR(1) chain: N (1 - rho) / (1 + rho)
    rng = np.random.default_rng(4)
    n = 200_000
    e = rng.standard_normal(n)
    e[0] /= np.sqrt(1 - rho**2)  # start in the stationary distribution
    x = signal.lfilter([1.0], [1.0, -rho], e)  # x_t = rho x_{t-1} + e_t
    expected = n * (1 - rho) / (1 + rho)
    # Tolerance from Bartlett's formula: a sum of the first M sample autocorrelations (a
    # rectangular lag window) has relative sd sqrt(2 (2M + 1) / n). M: the lag where |rho|^t
    # falls below the noise level 1/sqrt(n) of one autocorrelation, plus 10 lags that Geyer's
    # pair-sum rule typically runs on. At rho = 0.9 that is M = 68, sd 3.7 %, tolerance 15 %.
    M = (int(np.ceil(np.log(n**-0.5) / np.log(abs(rho)))) if rho != 0 else 1) + 10
    tol = 4 * np.sqrt(2 * (2 * M + 1) / n)
    assert abs(prob.effective_sample_size(x) / expected - 1) < tol, tol


def test_effective_sample_size_is_capped_at_n_log10_n():
    # an antithetic chain (rho_t = (-1)^t) has tau -> 0: the estimate is capped at N log10 N
    x = np.tile([1.0, -1.0], 500) + 1e-9 * np.random.default_rng(0).standard_normal(1000)
    assert prob.effective_sample_size(x) == pytest.approx(1000 * np.log10(1000))


def test_effective_sample_size_errors():
    with pytest.raises(ValueError, match="at least 4"):
        prob.effective_sample_size(np.ones(3))
    with pytest.raises(ValueError, match="never changes"):
        prob.effective_sample_size(np.ones((10, 2)))
    assert prob.effective_sample_size(np.random.default_rng(0).standard_normal((500, 3))).shape == (3,)
