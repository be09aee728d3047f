"""nblib.info, Sections 5.3-5.4: the information bottleneck and noisy-layer information.

Truths used: I as a KL divergence by scipy (checked against scikit-learn's mutual_info_score), the self-consistent equations written out
with loops, the block-descent property of the iteration, the stability threshold
β = 1/σ₂² of the trivial encoder (σ₂ the second singular value of p(x,y)/√(p(x)p(y))),
and numerical quadrature for the binary-input Gaussian channel.
"""

import doctest

import numpy as np
import pytest
from scipy import integrate, stats
from sklearn.metrics import mutual_info_score

from nblib import info

LN2 = np.log(2)


def random_joint(nx, ny, seed):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(nx * ny) * 0.7).reshape(nx, ny)
    return p / p.sum()


def sklearn_mi_bits(joint):
    """I(X; Y) = D(p(x, y) ‖ p(x)p(y)) by scipy (the definition as a KL divergence)."""
    joint = np.asarray(joint) / np.sum(joint)
    product = np.outer(joint.sum(1), joint.sum(0))
    return stats.entropy(joint.ravel(), product.ravel(), base=2)


def test_kl_form_agrees_with_sklearn_on_counts():
    counts = np.array([[30, 10, 5], [2, 40, 13]])
    assert sklearn_mi_bits(counts) == pytest.approx(
        mutual_info_score(None, None, contingency=counts) / LN2, abs=1e-12
    )
    assert info.mutual_information_table(counts / counts.sum()) == pytest.approx(
        sklearn_mi_bits(counts), abs=1e-12
    )


def trivial_threshold(p_xy):
    p_x, p_y = p_xy.sum(1), p_xy.sum(0)
    s = np.linalg.svd(p_xy / np.sqrt(np.outer(p_x, p_y)), compute_uv=False)
    return 1 / s[1] ** 2


@pytest.mark.parametrize(
    "fn",
    [info.information_bottleneck, info.information_curve, info.noisy_layer_information],
)
def test_docstring_examples(fn):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in doctest.DocTestFinder().find(fn, globs={"np": np, **vars(info)}):
        runner.run(test)
    assert runner.failures == 0


@pytest.mark.parametrize("seed", range(5))
def test_encoder_is_stochastic_and_informations_match_sklearn(seed):
    p_xy = random_joint(6, 4, seed)
    res = info.information_bottleneck(p_xy, beta=5.0, n_clusters=3, rng=seed)
    assert res.encoder.shape == (6, 3)
    assert np.all(res.encoder >= 0)
    np.testing.assert_allclose(res.encoder.sum(axis=1), 1.0, atol=1e-12)
    joint_xt = p_xy.sum(1)[:, None] * res.encoder
    joint_ty = res.encoder.T @ p_xy
    assert res.i_xt == pytest.approx(sklearn_mi_bits(joint_xt), abs=1e-10)
    assert res.i_ty == pytest.approx(sklearn_mi_bits(joint_ty), abs=1e-10)
    encoder, i_xt, i_ty = res  # unpacks as a tuple
    assert encoder is res.encoder and (i_xt, i_ty) == (res.i_xt, res.i_ty)
    # data processing: T - X - Y
    assert res.i_ty <= res.i_xt + 1e-12
    assert res.i_ty <= sklearn_mi_bits(p_xy) + 1e-12
    assert res.i_xt <= np.log2(3) + 1e-12


@pytest.mark.parametrize("seed", range(6))
def test_lagrangian_never_increases(seed):
    p_xy = random_joint(7, 3, 10 + seed)
    beta = [0.5, 2.0, 5.0, 20.0, 100.0, 3.0][seed]
    res = info.information_bottleneck(p_xy, beta, 4, n_iter=300, rng=seed, tol=0)
    lag = res.lagrangian
    assert len(lag) == res.n_iter + 1 == 301
    assert np.all(np.diff(lag) <= 1e-12)
    assert lag[-1] == pytest.approx(res.i_xt - beta * res.i_ty, abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_self_consistent_equations_hold_at_the_fixed_point(seed):
    p_xy = random_joint(5, 3, 20 + seed)
    beta = 8.0
    res = info.information_bottleneck(p_xy, beta, 3, n_iter=5000, rng=seed, tol=1e-13)
    assert res.converged
    q = res.encoder
    nx, ny = p_xy.shape
    p_x = p_xy.sum(1)
    for t in range(3):
        p_t = sum(p_x[x] * q[x, t] for x in range(nx))
        assert res.p_t[t] == pytest.approx(p_t, abs=1e-14)
        if p_t < 1e-12:
            continue
        for y in range(ny):
            p_y_t = sum(q[x, t] * p_xy[x, y] for x in range(nx)) / p_t
            assert res.p_y_given_t[t, y] == pytest.approx(p_y_t, abs=1e-12)
    for x in range(nx):
        p_y_x = p_xy[x] / p_x[x]
        weights = [
            res.p_t[t] * np.exp(-beta * stats.entropy(p_y_x, res.p_y_given_t[t]))
            for t in range(3)
        ]
        np.testing.assert_allclose(q[x], np.array(weights) / sum(weights), atol=1e-10)


def test_beta_zero_and_small_beta_give_the_trivial_encoder():
    p_xy = random_joint(6, 4, 3)
    res0 = info.information_bottleneck(p_xy, 0.0, 4, rng=1)
    assert res0.i_xt == pytest.approx(0.0, abs=1e-12)
    for beta in (1e-3, 0.1, 0.9):  # below 1 the trivial encoder is the global optimum
        res = info.information_bottleneck(p_xy, beta, 4, rng=2, n_iter=5000)
        assert res.i_xt < 1e-8 and res.i_ty < 1e-8


@pytest.mark.parametrize("seed", range(3))
def test_stability_threshold_of_the_trivial_encoder(seed):
    p_xy = random_joint(6, 3, 30 + seed)
    beta_c = trivial_threshold(p_xy)
    rng = np.random.default_rng(seed)
    init = 0.5 + 1e-4 * np.outer(rng.standard_normal(6), [1.0, -1.0])
    below = info.information_bottleneck(p_xy, 0.9 * beta_c, 2, init=init, n_iter=20000)
    above = info.information_bottleneck(p_xy, 1.2 * beta_c, 2, init=init, n_iter=20000)
    assert below.i_xt < 1e-8
    assert above.i_xt > 1e-3


def test_large_beta_with_enough_clusters_recovers_all_of_i_xy():
    p_xy = random_joint(5, 3, 7)
    i_xy = sklearn_mi_bits(p_xy)
    init = np.full((5, 6), 0.02)
    init[np.arange(5), np.arange(5)] = 0.9
    init /= init.sum(1, keepdims=True)
    res = info.information_bottleneck(p_xy, 1e4, 6, init=init)
    assert res.i_ty == pytest.approx(i_xy, abs=1e-6)
    # annealing from the trivial encoder gets there too, with exactly |X| clusters
    curve = info.information_curve(p_xy, np.geomspace(0.5, 1e4, 30), 5)
    assert curve[-1].i_ty == pytest.approx(i_xy, abs=1e-6)
    assert curve[0].i_xt < 1e-8
    assert info.mutual_information_table(p_xy) == pytest.approx(i_xy, abs=1e-12)


def test_information_curve_is_monotone_in_beta():
    p_xy = random_joint(6, 3, 11)
    curve = info.information_curve(p_xy, np.geomspace(0.5, 200, 25), 6)
    i_xt = np.array([r.i_xt for r in curve])
    i_ty = np.array([r.i_ty for r in curve])
    assert np.all(np.diff(i_ty) >= -1e-9) and np.all(np.diff(i_xt) >= -1e-9)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"p_xy": [0.5, 0.5]}, ValueError, "p_xy must be 2-d"),
        ({"p_xy": [[0.6, 0.5], [0.0, -0.1]]}, ValueError, "p_xy must be non-negative"),
        ({"p_xy": [[0.3, 0.3], [0.3, 0.3]]}, ValueError, "p_xy must sum to 1"),
        ({"p_xy": [[0.5, 0.5], [0.0, 0.0]]}, ValueError, "rows of zero probability"),
        ({"beta": -1.0}, ValueError, "beta must be >= 0"),
        ({"beta": "big"}, TypeError, "beta must be a real number"),
        ({"n_clusters": 0}, ValueError, "n_clusters must be >= 1"),
        ({"n_clusters": 2.5}, TypeError, "n_clusters must be an integer"),
        ({"n_iter": 0}, ValueError, "n_iter must be >= 1"),
        ({"init": np.full((2, 3), 1 / 3)}, ValueError, r"init must have shape \(\|X\|, n_clusters\)"),
        ({"init": [[0.7, 0.7], [0.5, 0.5]]}, ValueError, "init must be an encoder"),
        ({"rng": "seed"}, TypeError, "rng must be"),
    ],
)
def test_information_bottleneck_input_errors(kwargs, error, match):
    args = {"p_xy": [[0.4, 0.1], [0.1, 0.4]], "beta": 2.0, "n_clusters": 2, **kwargs}
    with pytest.raises(error, match=match):
        info.information_bottleneck(**args)


def test_information_curve_input_errors():
    p_xy = [[0.4, 0.1], [0.1, 0.4]]
    with pytest.raises(ValueError, match="betas must be positive and strictly increasing"):
        info.information_curve(p_xy, [2.0, 1.0], 2)
    with pytest.raises(ValueError, match="betas must be positive"):
        info.information_curve(p_xy, [0.0, 1.0], 2)
    with pytest.raises(ValueError, match="n_clusters must be >= 1"):
        info.information_curve(p_xy, [1.0, 2.0], 0)


# ---------------------------------------------------------------------------
# noisy_layer_information
# ---------------------------------------------------------------------------


def binary_awgn_bits(a, sigma):
    """I(X; aX + σZ) for X uniform on {−1, 1}: h(T) − h(Z) by quadrature, in bits."""

    def density(t):
        return 0.5 * (stats.norm.pdf(t, a, sigma) + stats.norm.pdf(t, -a, sigma))

    lim = a + 12 * sigma
    h_t = integrate.quad(lambda t: -density(t) * np.log(density(t)), -lim, lim, limit=200)[0]
    return (h_t - 0.5 * np.log(2 * np.pi * np.e * sigma**2)) / LN2


@pytest.mark.parametrize("sigma", [0.3, 1.0, 2.5])
def test_noisy_information_matches_quadrature_for_a_binary_input(sigma):
    t = np.repeat([[-1.0], [1.0]], 2000, axis=0)  # X uniform on 4000 inputs, two distinct images
    est, se = info.noisy_layer_information(t, sigma, n_samples=4000, rng=1)
    assert abs(est - binary_awgn_bits(1.0, sigma)) < 4 * se


def test_noisy_information_of_a_gaussian_codebook_is_below_the_gaussian_bound():
    rng = np.random.default_rng(0)
    t = rng.standard_normal((500, 2))
    sigma = 0.5
    est, se = info.noisy_layer_information(t, sigma, rng=2)
    cov = np.cov(t.T, bias=True)
    bound = 0.5 * np.log2(np.linalg.det(np.eye(2) + cov / sigma**2))
    assert est - 4 * se < min(bound, np.log2(500))
    assert est > 0


def test_noisy_information_limits():
    t = np.arange(8.0).reshape(-1, 1)
    est, se = info.noisy_layer_information(t, 1e-3)
    assert est == pytest.approx(3.0, abs=1e-9)  # separated images: all of H(X)
    est, se = info.noisy_layer_information(np.zeros((10, 3)), 1.0)
    assert est == pytest.approx(0.0, abs=1e-12) and se == pytest.approx(0.0, abs=1e-12)
    est_nats, _ = info.noisy_layer_information(t, 1e-3, base=np.e)
    assert est_nats == pytest.approx(np.log(8), abs=1e-9)


def test_noisy_information_input_errors():
    with pytest.raises(ValueError, match="sigma must be > 0"):
        info.noisy_layer_information([[0.0], [1.0]], 0.0)
    with pytest.raises(ValueError, match="t must have at least 2 rows"):
        info.noisy_layer_information([[0.0, 1.0]], 1.0)
    with pytest.raises(ValueError, match="n_samples must be >= 2"):
        info.noisy_layer_information([[0.0], [1.0]], 1.0, n_samples=1)
    with pytest.raises(ValueError, match="t contains"):
        info.noisy_layer_information([[0.0], [np.nan]], 1.0)


@pytest.mark.parametrize("sigma", [1e-7, 1e-9])
def test_noisy_information_is_accurate_at_tiny_noise(sigma):
    # images far apart compared with σ: every input is recovered, I = log2 n exactly, never more
    t = np.random.default_rng(0).uniform(-5, 5, size=(1000, 3))
    est, se = info.noisy_layer_information(t, sigma)
    assert est <= np.log2(1000) + 1e-12
    assert est == pytest.approx(np.log2(1000), abs=1e-12) and se < 1e-12
    est, _ = info.noisy_layer_information([[-1.0], [1.0]], sigma)
    assert est == pytest.approx(1.0, abs=1e-12)
