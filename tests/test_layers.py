"""nblib.layers: normalization, residual blocks and attention against PyTorch (float64),
central finite differences, the scale invariance of batch normalization, and bad inputs."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from numeric import central_differences  # noqa: E402

from nblib import layers, nn, optim  # noqa: E402

# Both sides run in float64 and do the same arithmetic in a different order: they agree to
# a few ulps times the (small) sizes below, so 1e-10 leaves a wide margin.
TOL = 1e-10
N, C = 8, 5  # batch, features
F = torch.nn.functional


def t(a, grad=False):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


def randomize(layer, rng):
    """γ, β away from their 1, 0 start so that every term of the backward pass is tested."""
    layer.gamma[:] = 1 + 0.5 * rng.standard_normal(layer.n_features)
    layer.beta[:] = rng.standard_normal(layer.n_features)
    return layer


def torch_norm(layer):
    """The PyTorch peer of a BatchNorm/LayerNorm with the same γ, β (and running statistics)."""
    if isinstance(layer, layers.BatchNorm):
        peer = torch.nn.BatchNorm1d(layer.n_features, dtype=torch.float64)
        with torch.no_grad():
            peer.running_mean.copy_(t(layer.running_mean))
            peer.running_var.copy_(t(layer.running_var))
        peer.train(layer.training)
    else:
        peer = torch.nn.LayerNorm(layer.n_features, dtype=torch.float64)
    with torch.no_grad():
        peer.weight.copy_(t(layer.gamma))
        peer.bias.copy_(t(layer.beta))
    return peer


def compare_norm(layer, x, G):
    """Forward, backward and all gradients of ``layer`` and its PyTorch peer, L = Σ G ⊙ y."""
    peer = torch_norm(layer)
    y = layer.forward(x)
    dx = layer.backward(G)
    xt = t(x, grad=True)
    yt = peer(xt)
    (yt * t(G)).sum().backward()
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(layer.dgamma, peer.weight.grad.numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(layer.dbeta, peer.bias.grad.numpy(), rtol=0, atol=TOL)
    return peer


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_matches_torch(training):
    rng = np.random.default_rng(0)
    bn = randomize(layers.BatchNorm(C), rng)
    bn.running_mean[:] = rng.standard_normal(C)
    bn.running_var[:] = rng.uniform(0.5, 2, C)
    bn.train(training)
    x = 3 + 2 * rng.standard_normal((N, C))
    compare_norm(bn, x, rng.standard_normal((N, C)))


def test_batchnorm_running_statistics_and_eval_mode_match_torch():
    """Five training steps with batches of different sizes (the unbiased n/(n−1) factor
    differs), then evaluation-mode outputs and gradients with the accumulated statistics."""
    rng = np.random.default_rng(1)
    bn = randomize(layers.BatchNorm(C), rng)
    peer = torch_norm(bn)
    for n in (4, 9, 2, 16, 7):
        x = rng.uniform(-1, 5, (n, C)) * np.arange(1, C + 1)
        np.testing.assert_allclose(bn(x), peer(t(x)).detach().numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(bn.running_mean, peer.running_mean.numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(bn.running_var, peer.running_var.numpy(), rtol=0, atol=TOL)
    assert bn.eval() is bn and not bn.training
    x = rng.standard_normal((3, C))
    compare_norm(bn, x, rng.standard_normal((3, C)))
    # evaluation mode is a fixed affine map: a sample's output does not depend on the batch
    np.testing.assert_allclose(bn(x[:1]), bn(x)[:1], rtol=0, atol=TOL)
    assert bn.train() is bn and bn.training


@pytest.mark.parametrize("shape", [(N, C), (3, 4, C), (C,)])
def test_layernorm_matches_torch(shape):
    rng = np.random.default_rng(2)
    ln = randomize(layers.LayerNorm(C), rng)
    x = 1 + 3 * rng.standard_normal(shape)
    compare_norm(ln, x, rng.standard_normal(shape))


def test_residual_of_dense_matches_torch():
    rng = np.random.default_rng(3)
    dense = nn.Dense(C, C, "tanh", rng=4)
    dense.b[:] = rng.standard_normal(C)
    res = layers.Residual(dense)
    lin = torch.nn.Linear(C, C, dtype=torch.float64)
    with torch.no_grad():
        lin.weight.copy_(t(dense.W))
        lin.bias.copy_(t(dense.b))
    x, G = rng.standard_normal((N, C)), rng.standard_normal((N, C))
    y = res(x)
    dx = res.backward(G)
    xt = t(x, grad=True)
    yt = xt + torch.tanh(lin(xt))
    (yt * t(G)).sum().backward()
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=TOL)
    assert res.params == dense.params and len(res.grads) == 2
    for g, p in zip(res.grads, [lin.weight, lin.bias], strict=True):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=0, atol=TOL)


def test_stacks_train_step_like_torch():
    """Dense → BatchNorm → Dense and Residual(Dense) → Dense, three SGD steps on a squared
    loss with ``nblib.optim.SGD``: every parameter and the running statistics stay equal to
    the same PyTorch stack trained by autograd and w ← w − η ∂L/∂w (torch.optim.SGD's rule,
    written out: its first step imports torch's compiler, ~2 s)."""
    rng = np.random.default_rng(5)
    d1, bn, d2 = (
        nn.Dense(4, 6, "relu", rng=6),
        layers.BatchNorm(6),
        nn.Dense(6, 3, "identity", rng=7),
    )
    res, d3 = layers.Residual(nn.Dense(4, 4, "tanh", rng=8)), nn.Dense(4, 3, "identity", rng=9)
    stacks = [[d1, bn, d2], [res, d3]]

    def linear(dense):
        lin = torch.nn.Linear(dense.n_in, dense.n_out, dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(t(dense.W))
            lin.bias.copy_(t(dense.b))
        return lin

    class TorchResidual(torch.nn.Module):
        def __init__(self, lin):
            super().__init__()
            self.lin = lin

        def forward(self, x):
            return x + torch.tanh(self.lin(x))

    peers = [
        torch.nn.Sequential(linear(d1), torch.nn.ReLU(), torch_norm(bn), linear(d2)),
        torch.nn.Sequential(TorchResidual(linear(res.block)), linear(d3)),
    ]
    lr = 0.1
    for stack, peer in zip(stacks, peers, strict=True):
        opt = optim.SGD(lr)
        params = [p for layer in stack for p in layer.params]
        for _ in range(3):
            x, target = rng.standard_normal((N, 4)), rng.standard_normal((N, 3))
            h = x
            for layer in stack:
                h = layer(h)
            g = 2 * (h - target) / h.size  # ∂/∂h of the mean squared error
            for layer in reversed(stack):
                g = layer.backward(g)
            opt.step(params, [q for layer in stack for q in layer.grads])
            peer.zero_grad()
            F.mse_loss(peer(t(x)), t(target)).backward()
            with torch.no_grad():
                for q in peer.parameters():
                    q -= lr * q.grad
        for p, q in zip(params, peer.parameters(), strict=True):
            np.testing.assert_allclose(p, q.detach().numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(bn.running_var, peers[0][2].running_var.numpy(), rtol=0, atol=TOL)


# Central differences: truncation O(ε²·|f'''|) plus rounding O(ulp·|f|/ε); with ε = 1e-6 and
# O(1) values both are far below 1e-7, the tolerance used (independent of torch).
FD_TOL = 1e-7


@pytest.mark.parametrize("kind", ["batchnorm-train", "batchnorm-eval", "layernorm", "residual"])
def test_layer_gradients_match_central_differences(kind):
    rng = np.random.default_rng(10)
    if kind == "residual":
        layer = layers.Residual(layers.LayerNorm(3))
    else:
        layer = (layers.LayerNorm if kind == "layernorm" else layers.BatchNorm)(3)
    randomize(layer.block if kind == "residual" else layer, rng)
    if kind == "batchnorm-eval":
        layer.running_mean[:] = rng.standard_normal(3)
        layer.eval()
    x, G = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))

    def loss():  # training-mode BatchNorm updates its running statistics, but its output ignores them
        return float(np.sum(G * layer.forward(x)))

    loss()
    dx = layer.backward(G)
    analytic = [g.copy() for g in layer.grads] + [dx]
    numeric = central_differences(loss, layer.params + [x])
    for a, b in zip(analytic, numeric, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=FD_TOL)


def causal(T_q, T_k):
    return np.tril(np.ones((T_q, T_k), bool), k=T_k - T_q)


def random_mask(rng, T_q, T_k):
    m = rng.random((T_q, T_k)) < 0.5
    m[np.arange(T_q), rng.integers(0, T_k, T_q)] = True  # at least one key per query
    return m


@pytest.mark.parametrize("masking", [None, "causal", "random"])
@pytest.mark.parametrize(("T_q", "T_k", "d_k", "d_v"), [(5, 5, 4, 4), (3, 6, 4, 2)])
def test_attention_matches_torch(masking, T_q, T_k, d_k, d_v):
    rng = np.random.default_rng(11)
    B = 2
    Q = rng.standard_normal((B, T_q, d_k))
    K = rng.standard_normal((B, T_k, d_k))
    V = rng.standard_normal((B, T_k, d_v))
    G = rng.standard_normal((B, T_q, d_v))
    mask = {None: None, "causal": causal(T_q, T_k), "random": random_mask(rng, T_q, T_k)}[masking]
    O, P = layers.scaled_dot_product_attention(Q, K, V, mask, return_weights=True)
    dQ, dK, dV = layers.scaled_dot_product_attention_backward(Q, K, V, G, mask)
    Qt, Kt, Vt = t(Q, True), t(K, True), t(V, True)
    Ot = F.scaled_dot_product_attention(
        Qt, Kt, Vt, attn_mask=None if mask is None else torch.from_numpy(mask)
    )
    (Ot * t(G)).sum().backward()
    np.testing.assert_allclose(O, Ot.detach().numpy(), rtol=0, atol=TOL)
    for ours, theirs in zip((dQ, dK, dV), (Qt, Kt, Vt), strict=True):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=0, atol=TOL)
    assert O.shape == (B, T_q, d_v) and P.shape == (B, T_q, T_k)
    np.testing.assert_allclose(P.sum(axis=-1), 1, rtol=0, atol=1e-14)
    if mask is not None:
        assert np.all(P[:, ~mask] == 0)  # exactly zero weight on disallowed keys


def test_attention_backward_matches_central_differences():
    rng = np.random.default_rng(12)
    Q, K, V = (rng.standard_normal(s) for s in [(2, 3, 2), (2, 4, 2), (2, 4, 3)])
    G = rng.standard_normal((2, 3, 3))
    mask = random_mask(rng, 3, 4)

    def loss():
        return float(np.sum(G * layers.scaled_dot_product_attention(Q, K, V, mask)))

    analytic = layers.scaled_dot_product_attention_backward(Q, K, V, G, mask)
    for a, b in zip(analytic, central_differences(loss, [Q, K, V]), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=FD_TOL)


def test_unbatched_attention_is_a_batch_of_one():
    rng = np.random.default_rng(13)
    Q, K, V, G = (rng.standard_normal(s) for s in [(3, 2), (4, 2), (4, 5), (3, 5)])
    O = layers.scaled_dot_product_attention(Q, K, V, causal(3, 4))
    grads = layers.scaled_dot_product_attention_backward(Q, K, V, G, causal(3, 4))
    O1 = layers.scaled_dot_product_attention(Q[None], K[None], V[None], causal(3, 4))
    grads1 = layers.scaled_dot_product_attention_backward(
        Q[None], K[None], V[None], G[None], causal(3, 4)
    )
    np.testing.assert_array_equal(O, O1[0])
    for g, g1 in zip(grads, grads1, strict=True):
        np.testing.assert_array_equal(g, g1[0])


def dense_bn_gradients(W, x, G, eps):
    """∇_W, ∇_b of L = Σ G ⊙ relu(BatchNorm(x Wᵀ + b)) and the BatchNorm layer."""
    dense = nn.Dense(W.shape[1], W.shape[0], "identity", rng=0)
    dense.W[:] = W
    dense.b[:] = 0.3
    bn = layers.BatchNorm(W.shape[0], eps=eps)
    bn.gamma[:] = np.linspace(0.5, 2, W.shape[0])
    y = nn.relu(bn(dense(x)))
    dense.backward(bn.backward(G * (y > 0)))
    return dense.dW, dense.db, bn


def test_batchnorm_makes_the_dense_weights_scale_invariant():
    """L(αW) = L(W) when BatchNorm (ε = 0) follows x Wᵀ + b, so (Euler, degree 0)
    W·∇_W L = 0 and ∇L(αW) = ∇L(W)/α; the bias is removed by the mean, ∇_b L = 0.
    With ε > 0 the defect is exact too: d x̂/dα at α = 1 is x̂·ε/(σ² + ε), hence
    W·∇_W L = Σ_f ε/(σ²_f + ε) γ_f ∂L/∂γ_f. Rounding tolerance: 1e-12 relative to
    ‖W‖·‖∇_W L‖, for sums of ~100 float64 terms each accurate to a few ulps."""
    rng = np.random.default_rng(14)
    W, x, G = rng.standard_normal((4, 3)), rng.standard_normal((N, 3)), rng.standard_normal((N, 4))
    dW, db, _ = dense_bn_gradients(W, x, G, eps=0)
    scale = np.linalg.norm(W) * np.linalg.norm(dW)
    assert abs(np.sum(W * dW)) <= 1e-12 * scale
    np.testing.assert_allclose(db, 0, rtol=0, atol=1e-12 * np.abs(G).sum())
    for alpha in (0.1, 10.0):
        dW_a, _, _ = dense_bn_gradients(alpha * W, x, G, eps=0)
        np.testing.assert_allclose(alpha * dW_a, dW, rtol=1e-10, atol=0)
        assert np.linalg.norm(dW_a) == pytest.approx(np.linalg.norm(dW) / alpha, rel=1e-12)
    # the default ε: not invariant, by exactly the predicted amount (which is not ~0 here)
    small = 0.01 * W  # pre-activation variances ~1e-4: ε matters
    dW, _, bn = dense_bn_gradients(small, x, G, eps=1e-5)
    var = (x @ small.T).var(axis=0)
    predicted = np.sum(1e-5 / (var + 1e-5) * bn.gamma * bn.dgamma)
    assert abs(predicted) > 1e-3 * np.linalg.norm(small) * np.linalg.norm(dW)
    assert np.sum(small * dW) == pytest.approx(predicted, rel=1e-9)


def test_float32_is_kept():
    x = np.ones((4, 3)) * np.arange(4)[:, None]
    for layer in (layers.BatchNorm(3, dtype=np.float32), layers.LayerNorm(3, dtype=np.float32)):
        y = layer(x + np.arange(3))  # a float64 input is converted to the layer's dtype
        dx = layer.backward(np.ones_like(y))
        assert y.dtype == dx.dtype == np.float32
        assert all(g.dtype == np.float32 for g in layer.grads)
    Q = np.ones((1, 2, 3), np.float32)
    assert layers.scaled_dot_product_attention(Q, Q, Q).dtype == np.float32
    assert all(
        g.dtype == np.float32 for g in layers.scaled_dot_product_attention_backward(Q, Q, Q, Q)
    )


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="n_features"):
        layers.BatchNorm(0)
    with pytest.raises(TypeError, match="n_features"):
        layers.LayerNorm(2.5)
    with pytest.raises(ValueError, match="momentum"):
        layers.BatchNorm(3, momentum=1.5)
    with pytest.raises(ValueError, match="eps"):
        layers.LayerNorm(3, eps=-1)
    with pytest.raises(ValueError, match="dtype"):
        layers.BatchNorm(3, dtype=np.int64)
    bn = layers.BatchNorm(3)
    with pytest.raises(RuntimeError, match="forward"):
        bn.backward(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="backward"):
        _ = bn.grads
    with pytest.raises(ValueError, match=r"batchnorm.*\(batch, 3\).*\(2, 4\)"):
        bn(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="input of batchnorm must be 2-d"):
        bn(np.zeros(3))
    with pytest.raises(ValueError, match="at least 2 samples"):
        bn(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="NaN"):
        bn(np.full((2, 3), np.nan))
    with pytest.raises(TypeError, match="mode"):
        bn.train("eval")
    with pytest.raises(ValueError, match=r"zero batch variance in feature\(s\) \[1\]"):
        layers.BatchNorm(3, eps=0)(np.array([[0.0, 1, 2], [1, 1, 3]]))
    assert bn.eval()(np.zeros((1, 3))).shape == (1, 3)  # one sample is fine in eval mode
    with pytest.raises(ValueError, match=r"grad_output of batchnorm.*\(1, 3\)"):
        bn.backward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"layernorm.*\(\.\.\., 3\).*\(2, 2\)"):
        layers.LayerNorm(3)(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="block.*lacks forward, backward, params, grads"):
        layers.Residual(np.tanh)
    with pytest.raises(ValueError, match=r"block of residual.*\(2, 3\).*\(2, 4\)"):
        layers.Residual(nn.Dense(3, 4, rng=0))(np.zeros((2, 3)))

    Q, K, V = np.zeros((2, 3, 4)), np.zeros((2, 5, 4)), np.zeros((2, 5, 6))
    sdpa = layers.scaled_dot_product_attention
    with pytest.raises(ValueError, match=r"Q and K.*d_k"):
        sdpa(Q, np.zeros((2, 5, 3)), V)
    with pytest.raises(ValueError, match=r"K and V.*T_k"):
        sdpa(Q, K, np.zeros((2, 4, 6)))
    with pytest.raises(ValueError, match="batch size"):
        sdpa(Q, K, np.zeros((1, 5, 6)))
    with pytest.raises(ValueError, match="all be"):
        sdpa(Q, K[0], V)
    with pytest.raises(ValueError, match="Q must be 2-d or 3-d"):
        sdpa(np.zeros(4), K, V)
    with pytest.raises(TypeError, match="mask must be a boolean"):
        sdpa(Q, K, V, np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"mask must have shape.*\(3, 5\).*\(5, 3\)"):
        sdpa(Q, K, V, np.ones((5, 3), bool))
    empty = np.ones((3, 5), bool)
    empty[1] = False
    with pytest.raises(ValueError, match=r"no key for query row\(s\) \[1\]:"):
        sdpa(Q, K, V, empty)
    with pytest.raises(ValueError, match=r"grad_out.*\(2, 3, 6\).*\(2, 3, 4\)"):
        layers.scaled_dot_product_attention_backward(Q, K, V, Q)
