"""nblib.rnn: outputs and every gradient against PyTorch (float64), and finite differences."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from numeric import central_differences  # noqa: E402

from nblib import rnn  # noqa: E402

# Both implementations run in float64 and do the same arithmetic in a different order, so
# they agree to a few ulps times the sequence length; 1e-10 leaves a wide margin.
TOL = 1e-10
T, B, N_IN, N_H = 7, 3, 4, 5


def to_torch(model):
    """The PyTorch layer with ``model``'s weights copied in (the names are PyTorch's)."""
    if isinstance(model, rnn.LSTM):
        peer = torch.nn.LSTM(model.n_in, model.n_hidden, dtype=torch.float64)
    else:
        peer = torch.nn.RNN(
            model.n_in, model.n_hidden, nonlinearity=model.activation, dtype=torch.float64
        )
    with torch.no_grad():
        for name, p in zip(
            ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"], model.params, strict=True
        ):
            getattr(peer, name).copy_(torch.from_numpy(p))
    return peer


def make(kind, activation="tanh", seed=0):
    if kind == "lstm":
        return rnn.LSTM(N_IN, N_H, rng=seed)
    return rnn.RNN(N_IN, N_H, activation, rng=seed)


CASES = [("rnn", "tanh"), ("rnn", "relu"), ("lstm", None)]


@pytest.mark.parametrize(("kind", "activation"), CASES)
@pytest.mark.parametrize("with_h0", [False, True])
def test_outputs_and_all_gradients_match_torch(kind, activation, with_h0):
    rng = np.random.default_rng(1)
    model = make(kind, activation or "tanh")
    X = rng.standard_normal((T, B, N_IN))
    h0 = rng.standard_normal((B, N_H)) if with_h0 else None
    c0 = rng.standard_normal((B, N_H)) if with_h0 else None
    G = rng.standard_normal((T, B, N_H))  # L = Σ G ⊙ H, so ∂L/∂H = G

    H = model.forward(X, h0, c0) if kind == "lstm" else model.forward(X, h0)
    dX = model.backward(G)

    peer = to_torch(model)
    Xt = torch.tensor(X, requires_grad=True)
    states = []
    if with_h0:
        states = [torch.tensor(h0[None], requires_grad=True)]
        if kind == "lstm":
            states.append(torch.tensor(c0[None], requires_grad=True))
    init = (tuple(states) if kind == "lstm" else states[0]) if with_h0 else None
    Ht, _ = peer(Xt, init)
    (Ht * torch.from_numpy(G)).sum().backward()

    np.testing.assert_allclose(H, Ht.detach().numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(dX, Xt.grad.numpy(), rtol=0, atol=TOL)
    for name, g in zip(
        ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"], model.grads, strict=True
    ):
        np.testing.assert_allclose(g, getattr(peer, name).grad.numpy(), rtol=0, atol=TOL)
    if with_h0:
        np.testing.assert_allclose(model.dh0, states[0].grad.numpy()[0], rtol=0, atol=TOL)
        if kind == "lstm":
            np.testing.assert_allclose(model.dc0, states[1].grad.numpy()[0], rtol=0, atol=TOL)
            _, (_, c_n) = peer(Xt, init)
            np.testing.assert_allclose(model.C[-1], c_n.detach().numpy()[0], rtol=0, atol=TOL)


@pytest.mark.parametrize(("kind", "activation"), CASES)
def test_unbatched_sequence_is_a_batch_of_one(kind, activation):
    """(T, n_in) in, (T, n_hidden) out, as PyTorch's unbatched input."""
    rng = np.random.default_rng(2)
    model = make(kind, activation or "tanh")
    X = rng.standard_normal((T, N_IN))
    h0 = rng.standard_normal(N_H)
    G = rng.standard_normal((T, N_H))
    H = model.forward(X, h0)
    dX, grads, dh0 = model.backward(G), [g.copy() for g in model.grads], model.dh0.copy()
    H1 = model.forward(X[:, None], h0[None])
    dX1 = model.backward(G[:, None])
    assert H.shape == (T, N_H) and dX.shape == (T, N_IN) and dh0.shape == (N_H,)
    np.testing.assert_array_equal(H, H1[:, 0])
    np.testing.assert_array_equal(dX, dX1[:, 0])
    np.testing.assert_array_equal(dh0, model.dh0[0])
    for g, g1 in zip(grads, model.grads, strict=True):
        np.testing.assert_array_equal(g, g1)


@pytest.mark.parametrize(("kind", "activation"), CASES)
def test_gradients_match_central_differences(kind, activation):
    """Independent of torch: central differences of L = Σ G ⊙ H on a tiny case (T=3, 2 → 2).

    The error of a central difference is O(ε²·|f'''|) + O(ulp/ε); with ε = 1e-6 both are
    below 1e-8. For relu the inputs keep every pre-activation away from the kink (checked)."""
    rng = np.random.default_rng(3)
    model = rnn.LSTM(2, 2, rng=4) if kind == "lstm" else rnn.RNN(2, 2, activation, rng=4)
    X = rng.standard_normal((3, 2, 2))
    h0 = rng.standard_normal((2, 2))
    G = rng.standard_normal((3, 2, 2))

    def loss():
        return float(np.sum(G * model.forward(X, h0)))

    loss()
    dX = model.backward(G)
    analytic = [g.copy() for g in model.grads] + [dX, model.dh0.copy()]
    eps = 1e-6
    numeric = central_differences(loss, model.params + [X, h0], eps)
    for grad, num in zip(analytic, numeric, strict=True):
        np.testing.assert_allclose(grad, num, rtol=0, atol=1e-7)
    if activation == "relu":  # the check above is valid only away from relu's kink
        A = X @ model.W_ih.T + model.b_ih + model.b_hh
        H = model.forward(X, h0)
        prev = np.concatenate([h0[None], H[:-1]])
        assert np.abs(A + prev @ model.W_hh.T).min() > 10 * eps


def test_default_init_is_pytorch_uniform():
    """Every parameter is U(−k, k), k = 1/√n_hidden: inside the interval and with variance k²/3.

    With 4·64·(64 + 64 + 2) = 33,280 LSTM entries the sample variance has relative standard
    error √(0.8/n) ≈ 0.5 % (kurtosis of a uniform is 1.8), so 3 % is six standard errors."""
    model = rnn.LSTM(64, 64, rng=0)
    k = 1 / 8
    w = np.concatenate([p.ravel() for p in model.params])
    assert w.size == model.num_params() == 4 * 64 * (64 + 64 + 2)
    assert np.abs(w).max() <= k
    assert np.var(w) == pytest.approx(k * k / 3, rel=0.03)
    assert [p.shape for p in rnn.RNN(3, 5, rng=0).params] == [(5, 3), (5, 5), (5,), (5,)]


def test_same_seed_same_weights_and_float32():
    a, b = rnn.RNN(3, 4, rng=7), rnn.RNN(3, 4, rng=7)
    for p, q in zip(a.params, b.params, strict=True):
        np.testing.assert_array_equal(p, q)
    m = rnn.LSTM(3, 4, rng=0, dtype=np.float32)
    H = m.forward(np.ones((2, 1, 3)))  # a float64 input is converted to the model's dtype
    dX = m.backward(np.ones_like(H))
    assert H.dtype == dX.dtype == np.float32
    assert all(g.dtype == np.float32 for g in m.grads)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="activation"):
        rnn.RNN(3, 4, "sigmoid")
    with pytest.raises(ValueError, match="n_hidden"):
        rnn.LSTM(3, 0)
    with pytest.raises(TypeError, match="n_in"):
        rnn.RNN(2.5, 4)
    model = rnn.RNN(3, 4, rng=0)
    with pytest.raises(RuntimeError, match="forward"):
        model.backward(np.zeros((2, 1, 4)))
    with pytest.raises(RuntimeError, match="backward"):
        _ = model.grads
    with pytest.raises(ValueError, match=r"X of rnn.*\(T, batch, 3\).*\(5, 2, 4\)"):
        model.forward(np.zeros((5, 2, 4)))
    with pytest.raises(ValueError, match="X of rnn must be 2-d or 3-d"):
        model.forward(np.zeros(3))
    with pytest.raises(ValueError, match="NaN"):
        model.forward(np.full((2, 1, 3), np.nan))
    with pytest.raises(ValueError, match=r"h0 of rnn.*\(2, 4\).*\(1, 2, 4\)"):
        model.forward(np.zeros((5, 2, 3)), np.zeros((1, 2, 4)))
    lstm = rnn.LSTM(3, 4, rng=0)
    with pytest.raises(ValueError, match="c0 of lstm"):
        lstm.forward(np.zeros((5, 2, 3)), None, np.zeros((2, 3)))
    model.forward(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match=r"grad_H of rnn.*\(5, 2, 4\)"):
        model.backward(np.zeros((5, 4)))
