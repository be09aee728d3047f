"""Weight initialization in nblib.nn (Section 4.4): the variances of LeCun, Glorot and He,
the orthogonal scheme of torch.nn.init.orthogonal_, and "xavier" as another name of Glorot's
2/(n_in + n_out) (it once meant LeCun's 1/n_in here, the bug of issue #15).

Sample variances are compared with the formula within 4 standard errors: for n iid
N(0, v) entries the sample variance has standard error v·sqrt(2/(n-1))."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from nblib import nn

torch = pytest.importorskip("torch")

FORMULAS = {
    "lecun": lambda n_in, n_out: 1 / n_in,
    "glorot": lambda n_in, n_out: 2 / (n_in + n_out),
    "he": lambda n_in, n_out: 2 / n_in,
}


@pytest.mark.parametrize("init", ["lecun", "glorot", "he"])
@pytest.mark.parametrize("shape", [(300, 500), (800, 200)])
def test_sample_variance_matches_the_formula(init, shape):
    n_out, n_in = shape
    W = nn.init_weights(n_out, n_in, init, rng=0)
    v = FORMULAS[init](n_in, n_out)
    assert W.shape == (n_out, n_in)
    assert nn.init_variance(init, n_in, n_out) == pytest.approx(v, rel=1e-15)
    se = v * np.sqrt(2 / (W.size - 1))
    assert abs(W.var() - v) < 4 * se
    assert abs(W.mean()) < 4 * np.sqrt(v / W.size)


def test_dense_uses_the_scheme_and_keeps_the_old_random_stream():
    n_in, n_out = 400, 600
    for init in ("lecun", "glorot", "he"):
        layer = nn.Dense(n_in, n_out, "tanh", rng=3, init=init)
        expected = np.sqrt(FORMULAS[init](n_in, n_out)) * np.random.default_rng(3).standard_normal(
            (n_out, n_in)
        )
        np.testing.assert_array_equal(layer.W, expected)
        assert layer.init == init
    # "auto": he for relu, lecun otherwise (as before this change)
    np.testing.assert_array_equal(
        nn.Dense(5, 4, "relu", rng=1).W, nn.Dense(5, 4, "relu", rng=1, init="he").W
    )
    np.testing.assert_array_equal(
        nn.Dense(5, 4, "tanh", rng=1).W, nn.Dense(5, 4, "tanh", rng=1, init="lecun").W
    )


def test_xavier_is_glorots_variance_not_lecuns():
    """Xavier Glorot's scheme: Var W = 2/(n_in + n_out), as torch.nn.init.xavier_normal_.
    For a non-square layer that differs from LeCun's 1/n_in, so a mix-up cannot pass."""
    n_in, n_out = 7, 3
    assert nn.init_variance("xavier", n_in, n_out) == 2 / (n_in + n_out) == 0.2
    assert nn.init_variance("lecun", n_in, n_out) == pytest.approx(1 / 7)
    layer = nn.Dense(n_in, n_out, "tanh", rng=2, init="xavier")
    np.testing.assert_array_equal(layer.W, nn.Dense(n_in, n_out, "tanh", rng=2, init="glorot").W)
    assert layer.init == "glorot"
    W = nn.init_weights(600, 200, "xavier", rng=4)
    v = 2 / (200 + 600)
    assert abs(W.var() - v) < 4 * v * np.sqrt(2 / (W.size - 1))
    assert [lay.init for lay in nn.MLP([4, 6, 2], rng=0, init="xavier").layers] == ["glorot"] * 2


def test_mlp_passes_init_to_every_layer():
    model = nn.MLP([4, 6, 5, 2], activation="relu", rng=0, init="orthogonal")
    assert [layer.init for layer in model.layers] == ["orthogonal"] * 3
    assert [layer.init for layer in nn.MLP([4, 6, 2], rng=0).layers] == ["he", "lecun"]


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (1, 6), (6, 1)])
def test_orthogonal_has_orthonormal_rows_or_columns_times_gain(shape):
    n_out, n_in = shape
    W = nn.init_weights(n_out, n_in, "orthogonal", rng=1, gain=1.7)
    if n_out <= n_in:
        np.testing.assert_allclose(W @ W.T, 1.7**2 * np.eye(n_out), atol=1e-12)
    if n_out >= n_in:
        np.testing.assert_allclose(W.T @ W, 1.7**2 * np.eye(n_in), atol=1e-12)


def test_orthogonal_default_gain_is_torchs_calculate_gain():
    for activation, gain in nn.GAINS.items():
        torch_name = "linear" if activation == "identity" else activation
        assert gain == pytest.approx(torch.nn.init.calculate_gain(torch_name), rel=1e-12)
        layer = nn.Dense(6, 6, activation, rng=0, init="orthogonal")
        np.testing.assert_allclose(layer.W.T @ layer.W, gain**2 * np.eye(6), atol=1e-12)


def test_orthogonal_is_distributed_like_torchs():
    """Haar measure: nblib's and torch's orthogonal matrices have the same distribution. A
    two-sample KS test on the top-left entry (2000 draws each) at level 1e-3; and
    E[W_11^2] = 1/n for a Haar-random n x n orthogonal matrix."""
    n, draws = 5, 2000
    rng = np.random.default_rng(0)
    ours = np.array([nn.init_weights(n, n, "orthogonal", rng=rng)[0, 0] for _ in range(draws)])
    torch.manual_seed(0)
    theirs = np.array(
        [
            torch.nn.init.orthogonal_(torch.empty(n, n, dtype=torch.float64))[0, 0].item()
            for _ in range(draws)
        ]
    )
    assert stats.ks_2samp(ours, theirs).pvalue > 1e-3
    # W_11^2 ~ Beta(1/2, (n-1)/2): mean 1/n, variance 2(n-1)/(n^2 (n+2))
    se = np.sqrt(2 * (n - 1) / (n**2 * (n + 2)) / draws)
    assert abs(np.mean(ours**2) - 1 / n) < 4 * se


def test_torch_normal_inits_have_the_same_variances():
    n_out, n_in = 700, 300
    torch.manual_seed(0)
    cases = {
        "glorot": lambda t: torch.nn.init.xavier_normal_(t),
        "he": lambda t: torch.nn.init.kaiming_normal_(t, mode="fan_in", nonlinearity="relu"),
        "lecun": lambda t: torch.nn.init.kaiming_normal_(t, mode="fan_in", nonlinearity="linear"),
    }
    for init, fill in cases.items():
        t = fill(torch.empty(n_out, n_in, dtype=torch.float64)).numpy()
        v = nn.init_variance(init, n_in, n_out)
        assert abs(t.var() - v) < 4 * v * np.sqrt(2 / (t.size - 1)), init


def test_bad_init_names_and_gains_give_clear_errors():
    with pytest.raises(ValueError, match="init must be one of .*'glorot'.*got 'kaiming'"):
        nn.Dense(3, 2, init="kaiming")
    with pytest.raises(ValueError, match="init must be one of"):
        nn.MLP([3, 2], init="Xavier")
    with pytest.raises(ValueError, match="gain applies only to init='orthogonal'"):
        nn.Dense(3, 2, init="he", gain=2.0)
    with pytest.raises(ValueError, match="gain must be > 0"):
        nn.init_weights(3, 2, "orthogonal", gain=0.0)
    with pytest.raises(ValueError, match="n_in must be >= 1"):
        nn.init_variance("he", 0, 3)
    with pytest.raises(ValueError, match="init must be one of"):
        nn.init_variance("orthogonal", 3, 3)
