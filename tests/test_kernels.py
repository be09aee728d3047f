"""nblib.kernels (Chapter 7) against independent truths: scikit-learn (RBF kernel, kernel ridge,
RBFSampler), Monte Carlo and closed forms (arc-cosine kernels), one-dimensional quadrature of
Arora et al.'s recursion (the NTK), PyTorch's autograd (Jacobians) and the widths of random
networks (the empirical NTK converges to the analytic one like m^(-1/2))."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import integrate, stats
from sklearn.kernel_approximation import RBFSampler
from sklearn.kernel_ridge import KernelRidge
from sklearn.metrics.pairwise import rbf_kernel as sk_rbf_kernel

from nblib import kernels, nn, optim, prob


def _unit_rows(n, d, seed):
    X = np.random.default_rng(seed).standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


# ---------------------------------------------------------------------------
# RBF kernel and kernel ridge regression against scikit-learn
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("lengthscale, variance", [(1.0, 1.0), (0.3, 2.5), (4.0, 0.1)])
def test_rbf_kernel_matches_sklearn(lengthscale, variance):
    rng = np.random.default_rng(0)
    X1, X2 = rng.standard_normal((7, 4)), rng.standard_normal((5, 4))
    got = kernels.rbf_kernel(X1, X2, lengthscale, variance)
    want = variance * sk_rbf_kernel(X1, X2, gamma=1 / (2 * lengthscale**2))
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12 * variance)
    np.testing.assert_allclose(np.diag(kernels.rbf_kernel(X1, X1, lengthscale, variance)), variance)


@pytest.mark.parametrize("lam", [1e-3, 0.5, 10.0])
def test_kernel_ridge_matches_sklearn(lam):
    rng = np.random.default_rng(1)
    X, Xt = rng.uniform(-2, 2, (30, 2)), rng.uniform(-2, 2, (9, 2))
    y = np.sin(X[:, 0]) + 0.1 * rng.standard_normal(30)
    K, Kt = kernels.rbf_kernel(X, X, 0.7), kernels.rbf_kernel(Xt, X, 0.7)
    alpha = kernels.kernel_ridge(K, y, lam)
    model = KernelRidge(alpha=lam, kernel="precomputed").fit(K, y)
    np.testing.assert_allclose(alpha, model.dual_coef_, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(Kt @ alpha, model.predict(Kt), rtol=1e-10, atol=1e-10)
    Y = np.column_stack([y, y**2])  # several targets at once, as scikit-learn allows
    np.testing.assert_allclose(
        kernels.kernel_ridge(K, Y, lam), model.fit(K, Y).dual_coef_, rtol=1e-10, atol=1e-10
    )


def test_min_norm_interpolant_has_rkhs_norm_y_kinv_y():
    """With K = ΦΦᵀ (p > n features), the minimum-norm w with Φw = y is pinv(Φ) y (a least-squares
    solver, independent of the kernel code); the interpolant f = Σ αᵢ k(·, xᵢ) is x ↦ φ(x)·w with
    w = Φᵀα, and its RKHS norm ‖w‖² = αᵀKα = yᵀK⁻¹y."""
    rng = np.random.default_rng(2)
    Phi = rng.standard_normal((8, 20))
    y = rng.standard_normal(8)
    K = Phi @ Phi.T
    alpha = kernels.kernel_ridge(K, y, 0.0)
    w_min = np.linalg.lstsq(Phi, y, rcond=None)[0]
    np.testing.assert_allclose(K @ alpha, y, atol=1e-10)  # it interpolates
    np.testing.assert_allclose(Phi.T @ alpha, w_min, atol=1e-10)
    norm2 = alpha @ K @ alpha
    np.testing.assert_allclose(norm2, w_min @ w_min, rtol=1e-10)
    np.testing.assert_allclose(norm2, y @ np.linalg.solve(K, y), rtol=1e-10)
    # Another interpolant (plus a direction in the null space of Φ) has a larger norm.
    null = np.linalg.svd(Phi)[2][-1]
    assert np.allclose(Phi @ (w_min + null), y) and (w_min + null) @ (w_min + null) > norm2


def test_kernel_ridge_singular_K_gives_the_pseudo_inverse():
    """Repeated inputs make K singular; with lam = 0 the minimum-norm α is pinv(K) y."""
    X = np.array([[0.0], [1.0], [1.0], [2.5]])
    K = kernels.rbf_kernel(X, X)
    y = np.array([0.0, 1.0, 1.0, -1.0])  # consistent at the repeated point
    alpha = kernels.kernel_ridge(K, y, 0.0)
    np.testing.assert_allclose(alpha, np.linalg.pinv(K) @ y, atol=1e-8)
    np.testing.assert_allclose(K @ alpha, y, atol=1e-8)


# ---------------------------------------------------------------------------
# Random Fourier features
# ---------------------------------------------------------------------------

_RFF_X = np.random.default_rng(3).uniform(-1, 1, (6, 3))
_RFF_ELL = 1.3


def _rff_sq_errors(features, n_features, seeds):
    """‖ZZᵀ − K‖²_F over the upper triangle, one value per seed."""
    K = kernels.rbf_kernel(_RFF_X, _RFF_X, _RFF_ELL)
    iu = np.triu_indices(len(_RFF_X))
    out = []
    for s in seeds:
        Z = features(_RFF_X, n_features, s)
        out.append(np.sum((Z @ Z.T - K)[iu] ** 2))
    return np.array(out)


def _ours(X, D, seed):
    return kernels.random_fourier_features(X, D, _RFF_ELL, rng=seed)


def _sklearn(X, D, seed):
    return RBFSampler(gamma=1 / (2 * _RFF_ELL**2), n_components=D, random_state=seed).fit_transform(
        X
    )


def test_random_fourier_features_error_falls_like_d_to_the_minus_half():
    """Each entry of ZZᵀ is a mean of D i.i.d. terms with mean k(x, x'), so E‖ZZᵀ − K‖² ∝ 1/D
    exactly and the RMS error has slope −1/2 in log D. The slope is fitted over D = 16 … 4096
    with 20 seeds per D; its standard error (from the spread over seeds) is checked to be small
    enough that the brief's ±0.1 is at least 4 of them."""
    Ds = 16 * 4 ** np.arange(5)
    seeds = range(20)
    mse, se_log = [], []
    for D in Ds:
        e = _rff_sq_errors(_ours, int(D), seeds)
        mse.append(e.mean())
        se_log.append(0.5 * e.std(ddof=1) / np.sqrt(len(e)) / e.mean())  # SE of log RMSE
    slope = np.polyfit(np.log(Ds), 0.5 * np.log(mse), 1)[0]
    x = np.log(Ds) - np.log(Ds).mean()
    se_slope = np.sqrt(np.sum((x / np.sum(x**2)) ** 2 * np.square(se_log)))
    assert 4 * se_slope <= 0.1, f"the slope is too noisy to test: SE {se_slope:.3f}"
    assert abs(slope + 0.5) <= 0.1, f"RMS error slope {slope:.3f}, expected -0.5 ± 0.1"


def test_random_fourier_features_are_unbiased():
    """The mean of ZZᵀ over 200 seeds (D = 32) is within 4.5 standard errors of K in every
    entry (4.5 rather than 4: 21 entries are tested at once)."""
    K = kernels.rbf_kernel(_RFF_X, _RFF_X, _RFF_ELL)
    G = np.array([(Z := _ours(_RFF_X, 32, s)) @ Z.T for s in range(200)])
    se = G.std(axis=0, ddof=1) / np.sqrt(len(G))
    assert np.all(np.abs(G.mean(axis=0) - K) <= 4.5 * se + 1e-15)


def test_random_fourier_features_match_sklearn_rbfsampler_in_distribution():
    """Same construction as scikit-learn's RBFSampler, different random draws: the mean squared
    error over 200 seeds at D = 64 agrees within 4 standard errors of the difference."""
    seeds = range(200)
    ours = _rff_sq_errors(_ours, 64, seeds)
    theirs = _rff_sq_errors(_sklearn, 64, seeds)
    se = np.sqrt(ours.var(ddof=1) / len(ours) + theirs.var(ddof=1) / len(theirs))
    assert abs(ours.mean() - theirs.mean()) <= 4 * se


def test_random_fourier_features_are_deterministic_given_rng():
    X = _RFF_X
    Z = kernels.random_fourier_features(X, 50, 0.8, rng=7)
    np.testing.assert_array_equal(Z, kernels.random_fourier_features(X, 50, 0.8, rng=7))
    # The same seed maps other points with the same features (train and test alike).
    np.testing.assert_array_equal(Z[2:4], kernels.random_fourier_features(X[2:4], 50, 0.8, rng=7))
    gen = np.random.default_rng(7)
    first = kernels.random_fourier_features(X, 50, 0.8, rng=gen)
    np.testing.assert_array_equal(first, Z)  # a Generator gives the same draws as its seed...
    assert not np.allclose(
        kernels.random_fourier_features(X, 50, 0.8, rng=gen), Z
    )  # ...then moves on
    np.testing.assert_allclose(np.sum(Z**2, axis=1).mean(), 1.0, atol=4 * np.sqrt(0.5 / 50))


# ---------------------------------------------------------------------------
# Arc-cosine kernels
# ---------------------------------------------------------------------------


_MC_X = np.random.default_rng(4).standard_normal((4, 3)) * np.array([[1.0], [0.5], [2.0], [1.2]])


@pytest.fixture(scope="module")
def mc_projections():
    """w·x for 200,000 draws w ~ N(0, I_3) and the four rows x of _MC_X."""
    return np.random.default_rng(5).standard_normal((200_000, 3)) @ _MC_X.T


@pytest.mark.parametrize("order", [0, 1, 2])
def test_arccos_kernel_matches_monte_carlo(order, mc_projections):
    """k_n(x, y) = 2 E_w[Θ(w·x)(w·x)ⁿ Θ(w·y)(w·y)ⁿ], w ~ N(0, I): 200,000 draws, each entry
    within 4.5 standard errors (4.5: 10 entries tested at once)."""
    X, P = _MC_X, mc_projections
    F = np.where(P > 0, P**order, 0.0)
    iu = np.triu_indices(4)
    samples = 2 * F[:, iu[0]] * F[:, iu[1]]
    mean, se = samples.mean(axis=0), samples.std(axis=0, ddof=1) / np.sqrt(len(P))
    got = kernels.arccos_kernel(X, X, order)[iu]
    assert np.all(np.abs(got - mean) <= 4.5 * se), np.abs(got - mean) / se


_ANGLES = [0.0, np.pi / 3, np.pi / 2, np.pi]
# Cho & Saul's closed forms at these angles for unit vectors: k_0 = 1 − θ/π (twice the
# probability that a random hyperplane leaves x and y on its positive side), k_1 and k_2 from
# J_1 = sin θ + (π − θ) cos θ, J_2 = 3 sin θ cos θ + (π − θ)(1 + 2 cos²θ) written out.
_CLOSED = {
    0: [1.0, 2 / 3, 1 / 2, 0.0],
    1: [1.0, (np.sqrt(3) / 2 + np.pi / 3) / np.pi, 1 / np.pi, 0.0],
    2: [3.0, (3 * np.sqrt(3) / 4 + (2 * np.pi / 3) * 1.5) / np.pi, 1 / 2, 0.0],
}


@pytest.mark.parametrize("order", [0, 1, 2])
def test_arccos_kernel_closed_forms_at_known_angles(order):
    x = np.array([[1.0, 0.0]])
    Y = np.array([[np.cos(t), np.sin(t)] for t in _ANGLES])
    for r1, r2 in [(1.0, 1.0), (2.0, 0.5)]:  # k_n scales as ‖x‖ⁿ‖y‖ⁿ
        got = kernels.arccos_kernel(r1 * x, r2 * Y, order)[0]
        np.testing.assert_allclose(got, (r1 * r2) ** order * np.array(_CLOSED[order]), atol=1e-12)
    # A zero row gives 0 (Θ(0) = 0, as relu'(0) = 0 in nblib.nn).
    assert kernels.arccos_kernel(np.zeros((1, 2)), Y, order).tolist() == [[0.0] * len(_ANGLES)]


def test_arccos_kernel_is_the_nngp_of_chapter_4():
    """prob.nngp_kernel (Chapter 4, now built on this module) with weight_var 2 and one hidden
    layer is (2/d) k_1, and its dblquad-checked tests pass through the same code."""
    rng = np.random.default_rng(6)
    X, Y = rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
    np.testing.assert_allclose(
        prob.nngp_kernel(X, Y, 1, weight_var=2.0),
        2 / 3 * kernels.arccos_kernel(X, Y, 1),
        rtol=1e-13,
    )
    # ntk_relu's NNGP is Chapter 4's kernel with weight_var 2 on inputs scaled by √(d/2).
    for depth in (1, 3):
        nngp = kernels.ntk_relu(X, Y, depth, 0.4, return_nngp=True)[1]
        want = prob.nngp_kernel(X * np.sqrt(1.5), Y * np.sqrt(1.5), depth, "relu", 2.0, 0.4)
        np.testing.assert_allclose(nngp, want, rtol=1e-12)


# ---------------------------------------------------------------------------
# The analytic NTK
# ---------------------------------------------------------------------------


def _relu_moments_by_quadrature(k11, k22, k12):
    """(E[relu(u) relu(v)], E[relu'(u) relu'(v)]) for (u, v) ~ N(0, [[k11, k12], [k12, k22]]),
    by 1-d quadrature over u = √k11 z: given z, v ~ N(μ, s²) with μ = k12 z/√k11, and
    E[relu(v)] = μΦ(μ/s) + sφ(μ/s), P(v > 0) = Φ(μ/s). No arc-cosine formula is used."""
    a = np.sqrt(k11)
    s = np.sqrt(max(k22 - k12**2 / k11, 0.0))

    def cond(z):
        mu = k12 * z / a
        if s == 0.0:
            return max(mu, 0.0), float(mu > 0)
        return mu * stats.norm.cdf(mu / s) + s * stats.norm.pdf(mu / s), stats.norm.cdf(mu / s)

    opts = dict(epsabs=1e-13, epsrel=1e-12, limit=200)
    e_relu = integrate.quad(lambda z: a * z * cond(z)[0] * stats.norm.pdf(z), 0, 12, **opts)[0]
    e_step = integrate.quad(lambda z: cond(z)[1] * stats.norm.pdf(z), 0, 12, **opts)[0]
    return e_relu, e_step


@pytest.mark.parametrize("bias_var", [0.0, 0.2])
def test_ntk_relu_matches_arora_recursion_by_quadrature(bias_var):
    """Arora et al. (2019), Thm 3.1: Θ = Σ_{h=1}^{L+1} Σ^{(h-1)} Π_{h'=h}^{L+1} Σ̇^{(h')} with
    Σ̇^{(L+1)} = 1 (biases add σ_b² to every Σ), the expectations by quadrature."""
    X = _unit_rows(3, 4, 7) * np.array([[1.0], [0.7], [1.4]])
    n, L = len(X), 3
    S = [X @ X.T + bias_var]  # Σ^{(0)} in Arora's indexing
    Sdot = []
    for _ in range(L):
        prev, new, dot = S[-1], np.empty((n, n)), np.empty((n, n))
        for i in range(n):
            for j in range(i, n):
                e, p = _relu_moments_by_quadrature(prev[i, i], prev[j, j], prev[i, j])
                new[i, j] = new[j, i] = 2 * e + bias_var
                dot[i, j] = dot[j, i] = 2 * p
        S.append(new)
        Sdot.append(dot)
    for depth in range(1, L + 1):
        dots = Sdot[:depth] + [np.ones((n, n))]  # Σ̇^{(1)}, …, Σ̇^{(L)}, Σ̇^{(L+1)} = 1
        want = sum(S[h - 1] * np.prod(dots[h - 1 :], axis=0) for h in range(1, depth + 2))
        got, nngp = kernels.ntk_relu(X, X, depth, bias_var, return_nngp=True)
        np.testing.assert_allclose(got, want, rtol=1e-8)
        np.testing.assert_allclose(nngp, S[depth], rtol=1e-8)


def test_ntk_relu_depth_one_is_the_two_layer_formula():
    """One hidden layer, no bias: Θ(x, x') = x·x' (π − θ)/π + ‖x‖‖x'‖(sin θ + (π − θ) cos θ)/π."""
    rng = np.random.default_rng(8)
    X, Y = rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
    nx, ny = np.linalg.norm(X, axis=1)[:, None], np.linalg.norm(Y, axis=1)[None, :]
    cos = np.clip(X @ Y.T / (nx * ny), -1, 1)
    t = np.arccos(cos)
    want = (X @ Y.T) * (np.pi - t) / np.pi + nx * ny * (np.sin(t) + (np.pi - t) * cos) / np.pi
    np.testing.assert_allclose(kernels.ntk_relu(X, Y, 1), want, rtol=1e-12)
    np.testing.assert_allclose(
        kernels.ntk_relu(X, Y, 1),
        (X @ Y.T) * kernels.arccos_kernel(X, Y, 0) + kernels.arccos_kernel(X, Y, 1),
        rtol=1e-12,
    )


@pytest.mark.parametrize("depth", [1, 2, 5])
def test_ntk_relu_diagonal_and_psd(depth):
    """Without biases every Σ^{(l)}(x, x) = ‖x‖² and Σ̇(x, x) = 1, so Θ(x, x) = (L + 1)‖x‖²;
    a kernel matrix is symmetric positive semi-definite."""
    X = np.random.default_rng(9).standard_normal((6, 3))
    K = kernels.ntk_relu(X, X, depth)
    np.testing.assert_allclose(np.diag(K), (depth + 1) * np.sum(X**2, axis=1), rtol=1e-12)
    np.testing.assert_allclose(K, K.T, atol=1e-12)
    assert np.linalg.eigvalsh(K).min() > -1e-10 * np.abs(K).max()


# ---------------------------------------------------------------------------
# The finite network, its Jacobian and the empirical NTK
# ---------------------------------------------------------------------------


def _torch_ntkmlp(model):
    """The NTKMLP forward pass in PyTorch (float64), as a function of its parameter list."""
    sb = float(np.sqrt(model.bias_var))

    def f(params, X):
        a = X
        for i in range(model.depth + 1):
            z = model.scales[i] * a @ params[2 * i].T + sb * params[2 * i + 1]
            a = torch.relu(z) if i < model.depth else z
        return a[:, 0]

    return f


@pytest.mark.parametrize("depth, bias_var", [(1, 0.0), (2, 0.3), (3, 1.0)])
def test_ntkmlp_forward_jacobian_and_grads_match_torch(depth, bias_var):
    model = kernels.NTKMLP(3, [7, 5, 6][:depth], depth, bias_var, rng=10)
    X = np.random.default_rng(11).standard_normal((4, 3))
    f = _torch_ntkmlp(model)
    tp = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in model.params]
    tX = torch.tensor(X, dtype=torch.float64)
    np.testing.assert_allclose(model.forward(X), f(tp, tX).detach().numpy(), rtol=1e-12)
    fixed = [p.detach() for p in tp]
    jac = torch.func.jacrev(f)(fixed, tX)  # one (n, *shape) block per parameter
    J = np.concatenate([j.reshape(len(X), -1).numpy() for j in jac], axis=1)
    np.testing.assert_allclose(model.jacobian(X), J, rtol=1e-11, atol=1e-12)
    assert J.shape == (4, model.num_params())
    np.testing.assert_allclose(kernels.empirical_ntk(model, X), J @ J.T, rtol=1e-11)
    Y = np.random.default_rng(12).standard_normal((2, 3))
    JY = np.concatenate(
        [j.reshape(2, -1).numpy() for j in torch.func.jacrev(f)(fixed, torch.tensor(Y))], axis=1
    )
    np.testing.assert_allclose(kernels.empirical_ntk(model, X, Y), J @ JY.T, rtol=1e-11)
    # backward: the gradient of the loss ½‖f − y‖² equals autograd's.
    y = np.arange(4.0)
    r = model.forward(X) - y
    model.backward(r)
    loss = 0.5 * torch.sum((f(tp, tX) - torch.tensor(y)) ** 2)
    loss.backward()
    for g, p in zip(model.grads, tp, strict=True):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-11, atol=1e-12)


def test_ntkmlp_trains_with_nblib_optim():
    """params/grads follow nblib.nn's layout, so an optimizer's step changes the outputs by
    −η J Jᵀ r to first order (the NTK's role in gradient descent): checked to O(η²)."""
    model = kernels.NTKMLP(2, 64, 2, 0.1, rng=13)
    X, y = _unit_rows(5, 2, 14), np.linspace(-1, 1, 5)
    f0 = model.forward(X)
    theta = kernels.empirical_ntk(model, X)
    model.forward(X)
    model.backward(f0 - y)
    eta = 1e-5
    optim.SGD(lr=eta).step(model.params, model.grads)
    change = model.forward(X) - f0
    np.testing.assert_allclose(change, -eta * theta @ (f0 - y), rtol=1e-3)


def test_empirical_ntk_of_an_nn_mlp_matches_torch():
    """An nblib.nn.MLP (standard parameterization) with one output, by per-example backprop."""
    mlp = nn.MLP([3, 6, 4, 1], activation="tanh", rng=15)
    X = np.random.default_rng(16).standard_normal((5, 3))

    def f(params, X):
        h = X
        for i, layer in enumerate(mlp.layers):
            z = h @ params[2 * i].T + params[2 * i + 1]
            h = torch.tanh(z) if layer.activation == "tanh" else z
        return h[:, 0]

    tp = [torch.tensor(p, dtype=torch.float64) for p in mlp.params]
    jac = torch.func.jacrev(f)(tp, torch.tensor(X))
    J = np.concatenate([j.reshape(len(X), -1).numpy() for j in jac], axis=1)
    np.testing.assert_allclose(kernels.empirical_ntk(mlp, X), J @ J.T, rtol=1e-11)
    np.testing.assert_allclose(kernels.empirical_ntk(mlp, X, X[:2]), J @ J[:2].T, rtol=1e-11)


def test_empirical_ntk_of_a_wide_two_layer_net_is_an_unbiased_neuron_average():
    """With one hidden layer Θ̂ = σ_b² + (1/m) Σ_r t_r, where neuron r contributes
    t_r = 2[a_r² 1(z_r > 0) 1(z'_r > 0)(x·x' + σ_b²) + relu(z_r) relu(z'_r)], i.i.d. over r
    with mean Θ − σ_b² (a_r is independent of z_r). So at width m = 4096 each entry lies within
    4.5 standard errors of ntk_relu (4.5: 10 entries at once); the terms are computed here
    from the weights, independently of NTKMLP's backprop."""
    m, bias_var = 4096, 0.3
    X = _unit_rows(4, 3, 17)
    model = kernels.NTKMLP(3, m, 1, bias_var, rng=18)
    W1, b1, W2, _ = model.params
    Z = X @ W1.T + np.sqrt(bias_var) * b1  # (n, m)
    a2 = W2[0] ** 2
    iu = np.triu_indices(len(X))
    t = np.array(
        [
            2 * (a2 * (Z[i] > 0) * (Z[j] > 0) * (X[i] @ X[j] + bias_var))
            + 2 * np.maximum(Z[i], 0) * np.maximum(Z[j], 0)
            for i, j in zip(*iu, strict=True)
        ]
    )
    emp = kernels.empirical_ntk(model, X)
    np.testing.assert_allclose(emp[iu], bias_var + t.mean(axis=1), rtol=1e-10)
    se = t.std(axis=1, ddof=1) / np.sqrt(m)
    err = emp[iu] - kernels.ntk_relu(X, X, 1, bias_var)[iu]
    assert np.all(np.abs(err) <= 4.5 * se), np.abs(err) / se


def test_empirical_ntk_of_deep_nets_converges_like_width_to_the_minus_half():
    """Depth 2: the relative squared error ‖Θ̂_m − Θ‖²_F / ‖Θ‖²_F, averaged over 24 seeds at
    widths 64, 256, 1024, falls like 1/m (fluctuations of a sum of m terms; the O(1/m) bias is
    smaller), so its square root has slope −1/2 in log m; the tolerance is 4 standard errors of
    the fitted slope, from the spread over seeds, and that must be < 0.25 to tell −1/2 from 0."""
    X = _unit_rows(8, 3, 19)
    target = kernels.ntk_relu(X, X, 2, 0.1)
    widths = np.array([64, 256, 1024])
    mse, se_log = [], []
    for m in widths:
        e = np.array(
            [
                np.sum((kernels.NTKMLP(3, int(m), 2, 0.1, rng=[m, s]).ntk(X) - target) ** 2)
                for s in range(24)
            ]
        ) / np.sum(target**2)
        mse.append(e.mean())
        se_log.append(0.5 * e.std(ddof=1) / np.sqrt(len(e)) / e.mean())
    x = np.log(widths) - np.log(widths).mean()
    slope = np.polyfit(np.log(widths), 0.5 * np.log(mse), 1)[0]
    se_slope = np.sqrt(np.sum((x / np.sum(x**2)) ** 2 * np.square(se_log)))
    assert 4 * se_slope < 0.25, f"too few seeds to test the slope: SE {se_slope:.3f}"
    assert abs(slope + 0.5) <= 4 * se_slope, f"slope {slope:.3f} ± {se_slope:.3f}"


# ---------------------------------------------------------------------------
# Errors name the argument
# ---------------------------------------------------------------------------

_X = np.ones((3, 2))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: kernels.rbf_kernel(_X, np.ones((2, 3))), "X1 and X2 must have the same number"),
        (lambda: kernels.rbf_kernel(np.ones(3), _X), "X1 must be 2-d"),
        (lambda: kernels.rbf_kernel(_X, _X, lengthscale=0.0), "lengthscale must be > 0"),
        (lambda: kernels.rbf_kernel(_X, _X, variance=-1.0), "variance must be > 0"),
        (lambda: kernels.arccos_kernel(_X, _X, 3), "order must be 0, 1 or 2"),
        (lambda: kernels.arccos_kernel(_X, _X, 1.0), "order must be 0, 1 or 2"),
        (lambda: kernels.ntk_relu(_X, _X, 0), "depth must be >= 1"),
        (lambda: kernels.ntk_relu(_X, _X, 1, bias_var=-0.1), "bias_var must be >= 0"),
        (lambda: kernels.ntk_relu(_X, np.ones((2, 5)), 1), "X1 and X2 must have the same number"),
        (lambda: kernels.random_fourier_features(_X, 0), "n_features must be >= 1"),
        (lambda: kernels.random_fourier_features(_X, 5, lengthscale=-1), "lengthscale must be > 0"),
        (lambda: kernels.random_fourier_features(_X, 5, rng="x"), "rng must be"),
        (lambda: kernels.kernel_ridge(np.eye(3), np.ones(3), -1.0), "lam must be >= 0"),
        (lambda: kernels.kernel_ridge(np.eye(2), np.ones(3), 1.0), r"K must have shape \(len\(y\)"),
        (lambda: kernels.kernel_ridge(np.triu(np.ones((3, 3))), np.ones(3), 1.0), "symmetric"),
        (lambda: kernels.kernel_ridge(np.diag([1.0, -1.0]), np.ones(2), 0.0), "semi-definite"),
        (lambda: kernels.NTKMLP(2, [4, 4], depth=3), "width must list depth = 3"),
        (lambda: kernels.NTKMLP(2, 4, depth=0), "depth must be >= 1"),
        (lambda: kernels.NTKMLP(2, 4).forward(np.ones((3, 5))), r"X must have shape \(n, 2\)"),
        (lambda: kernels.NTKMLP(2, 4).backward(np.ones(3)), "forward pass first"),
        (lambda: kernels.empirical_ntk(object(), _X), "model must be an NTKMLP"),
        (lambda: kernels.empirical_ntk(nn.MLP([2, 3, 2], rng=0), _X), "single .scalar. output"),
    ],
)
def test_errors_name_the_argument(call, match):
    with pytest.raises((ValueError, TypeError, RuntimeError), match=match):
        call()
