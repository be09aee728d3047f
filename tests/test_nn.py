"""nblib.nn: forward values by hand, backpropagation against autograd and finite differences."""

import warnings

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from nblib import nn

ACTS = ["relu", "tanh", "sigmoid", "identity"]

# The same activations written in autograd's numpy: an independent implementation.
ANP_ACTS = {
    "relu": lambda z: anp.maximum(z, 0.0),
    "tanh": anp.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + anp.exp(-z)),
    "identity": lambda z: z,
}


def rel_err(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


def anp_forward(params, x, activations):
    """The MLP forward pass in autograd numpy, from the book's eq. (1.2)."""
    h = x
    for (W, b), act in zip(zip(params[::2], params[1::2], strict=True), activations, strict=True):
        h = ANP_ACTS[act](anp.dot(h, W.T) + b)
    return h


def layer_activations(model):
    return [layer.activation for layer in model.layers]


# ---------------------------------------------------------------------------
# Forward pass and activations
# ---------------------------------------------------------------------------


def hand_model():
    """2 -> 2 (relu) -> 1 (identity) with weights chosen to be computed by hand."""
    model = nn.MLP([2, 2, 1], activation="relu")
    model.layers[0].W[:] = [[1.0, -1.0], [0.5, 2.0]]
    model.layers[0].b[:] = [0.0, -1.0]
    model.layers[1].W[:] = [[1.0, -2.0]]
    model.layers[1].b[:] = [0.5]
    return model


def test_forward_by_hand():
    # z1 = W1 x + b1 = [1 - 2, 0.5 + 4 - 1] = [-1, 3.5]; h = relu(z1) = [0, 3.5];
    # y = W2 h + b2 = 0 - 7 + 0.5 = -6.5
    model = hand_model()
    assert model.forward(np.array([[1.0, 2.0]])) == pytest.approx(np.array([[-6.5]]))
    hidden, out = model.hidden_representations([[1.0, 2.0]])
    np.testing.assert_allclose(hidden, [[0.0, 3.5]])
    # a batch of two rows is the two single-sample results stacked; a 1-d x gives a 1-d y
    # second row: z1 = [0 - 0, 0 + 0 - 1] = [0, -1] -> h = [0, 0] -> y = 0.5
    np.testing.assert_allclose(model(np.array([[1.0, 2.0], [0.0, 0.0]])), [[-6.5], [0.5]])
    assert model(np.array([1.0, 2.0])).shape == (1,)


def test_backward_by_hand():
    # L = y. δ2 = 1; dW2 = δ2 hᵀ = [[0, 3.5]], db2 = [1]; ∂L/∂h = W2ᵀ δ2 = [1, -2];
    # δ1 = [1, -2] ⊙ relu'(z1) = [1, -2] ⊙ [0, 1] = [0, -2]; dW1 = δ1 xᵀ = [[0, 0], [-2, -4]];
    # db1 = [0, -2]; ∂L/∂x = W1ᵀ δ1 = [0·1 + (-2)·0.5, 0·(-1) + (-2)·2] = [-1, -4].
    model = hand_model()
    model.forward(np.array([[1.0, 2.0]]))
    dx = model.backward(np.array([[1.0]]))
    dW1, db1, dW2, db2 = model.grads
    np.testing.assert_allclose(dW2, [[0.0, 3.5]])
    np.testing.assert_allclose(db2, [1.0])
    np.testing.assert_allclose(dW1, [[0.0, 0.0], [-2.0, -4.0]])
    np.testing.assert_allclose(db1, [0.0, -2.0])
    np.testing.assert_allclose(dx, [[-1.0, -4.0]])


def test_single_layer_sigmoid_tanh_by_hand():
    layer = nn.Dense(1, 2, "sigmoid")
    layer.W[:] = [[0.0], [np.log(3.0)]]
    # σ(0) = 1/2, σ(ln 3) = 1 / (1 + 1/3) = 3/4; σ' = y(1 - y) = 1/4, 3/16
    np.testing.assert_allclose(layer.forward([[1.0]]), [[0.5, 0.75]])
    np.testing.assert_allclose(layer.backward([[1.0, 1.0]]), [[np.log(3.0) * 3 / 16]])
    layer = nn.Dense(1, 1, "tanh")
    layer.W[:] = [[np.log(2.0)]]
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5, tanh' = 1 - 9/25 = 16/25
    np.testing.assert_allclose(layer.forward([[1.0]]), [[0.6]])
    layer.backward([[1.0]])
    np.testing.assert_allclose(layer.dW, [[16 / 25]])


def test_activations_stable_at_extremes():
    z = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    # overflow, 0/0 and division by zero raise; underflow of e^{-1000} to 0 is the right answer
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        np.testing.assert_array_equal(nn.softmax(np.array([1000.0, 0.0])), [1.0, 0.0])
        np.testing.assert_allclose(nn.log_softmax(np.array([1000.0, 0.0])), [0.0, -1000.0])
        s = nn.sigmoid(z)
        np.testing.assert_allclose(
            s, [0.0, np.exp(-30) / (1 + np.exp(-30)), 0.5, 1 / (1 + np.exp(-30)), 1.0]
        )
        np.testing.assert_allclose(nn.tanh(z), [-1, np.tanh(-30), 0, np.tanh(30), 1])
        np.testing.assert_allclose(
            nn.sigmoid_grad(s), [0, s[1] * (1 - s[1]), 0.25, s[3] * (1 - s[3]), 0]
        )
    assert nn.softmax(np.ones((3, 4), dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("act", ACTS)
def test_activation_grads_match_autograd(act):
    z = np.linspace(-4, 4, 41) + 0.013  # avoid relu's kink at exactly 0
    expected = autograd.elementwise_grad(ANP_ACTS[act])(z)
    y = nn.ACTIVATIONS[act](z)
    np.testing.assert_allclose(nn.ACTIVATION_GRADS[act](y), expected, rtol=1e-13, atol=1e-15)


# ---------------------------------------------------------------------------
# Backpropagation
# ---------------------------------------------------------------------------

ARCHITECTURES = [[3, 1], [4, 5, 3], [3, 6, 5, 2], [2, 8, 8, 8, 4]]


def make_case(sizes, act, out_act, batch, seed):
    rng = np.random.default_rng(seed)
    model = nn.MLP(sizes, activation=act, output_activation=out_act, rng=rng)
    for b in model.params[1::2]:  # nonzero biases, so their gradients are exercised
        b[:] = 0.3 * rng.standard_normal(b.shape)
    shape = (sizes[0],) if batch is None else (batch, sizes[0])
    x = rng.standard_normal(shape)
    g = rng.standard_normal(shape[:-1] + (sizes[-1],))  # dL/dy for L = Σ g ⊙ y
    return model, x, g


CASES = [
    (sizes, act, out_act, batch)
    for sizes in ARCHITECTURES
    for act in ACTS
    for out_act in (["identity", act] if act != "identity" else ["identity"])
    for batch in (1, 7)
] + [([3, 5, 2], act, "sigmoid", None) for act in ACTS]  # a single 1-d sample


@pytest.mark.parametrize(("sizes", "act", "out_act", "batch"), CASES)
def test_backward_matches_autograd_and_finite_differences(sizes, act, out_act, batch):
    model, x, g = make_case(sizes, act, out_act, batch, seed=len(sizes) * 100 + (batch or 0))
    acts = layer_activations(model)
    y = model.forward(x)
    dx = model.backward(g)
    grads = model.grads

    # autograd on the same forward pass written independently: L(θ, x) = Σ g ⊙ f(θ, x)
    def loss(params, x):
        return anp.sum(g * anp_forward(params, x, acts))

    np.testing.assert_allclose(y, anp_forward(model.params, x, acts), rtol=1e-13, atol=1e-14)
    ag_params, ag_x = autograd.grad(loss, (0, 1))(model.params, x)
    for ours, theirs in zip(grads + [dx], ag_params + [ag_x], strict=True):
        assert ours.shape == theirs.shape
        assert rel_err(ours, theirs) <= 1e-12

    # central finite differences of L through nblib's own forward pass, entry by entry
    def numeric_grad(array, h=1e-5):
        out = np.zeros_like(array)
        for i in np.ndindex(array.shape):
            old = array[i]
            array[i] = old + h
            plus = np.sum(g * model.forward(x))
            array[i] = old - h
            minus = np.sum(g * model.forward(x))
            array[i] = old
            out[i] = (plus - minus) / (2 * h)
        return out

    for ours, p in zip(grads + [dx], model.params + [x], strict=True):
        assert rel_err(ours, numeric_grad(p)) <= 1e-6


def test_float32_stays_float32_and_agrees_with_float64():
    model64, x, g = make_case([6, 16, 16, 3], "tanh", "identity", 9, seed=3)
    model32 = nn.MLP([6, 16, 16, 3], activation="tanh", dtype=np.float32)
    for p32, p64 in zip(model32.params, model64.params, strict=True):
        p32[:] = p64
    y32 = model32.forward(x)  # a float64 input is converted to the model's dtype
    dx32 = model32.backward(g)
    model64.forward(x)
    dx64 = model64.backward(g)
    assert model32.dtype == np.float32
    assert y32.dtype == dx32.dtype == np.float32
    assert all(gr.dtype == np.float32 for gr in model32.grads)
    for a, b in zip(model32.grads + [dx32], model64.grads + [dx64], strict=True):
        assert rel_err(a, b) < 1e-5


def test_backward_overwrites_and_input_grad_flag():
    model, x, g = make_case([4, 6, 2], "relu", "identity", 5, seed=0)
    model.forward(x)
    dx = model.backward(g)
    first = [gr.copy() for gr in model.grads]
    assert model.backward(g, input_grad=False) is None
    for a, b in zip(model.grads, first, strict=True):
        np.testing.assert_array_equal(a, b)  # overwritten with the same values, not doubled
    assert dx.shape == x.shape


def test_grads_in_params_order():
    model = nn.MLP([3, 4, 2])
    model.forward(np.ones((2, 3)))
    model.backward(np.ones((2, 2)))
    assert [g.shape for g in model.grads] == [p.shape for p in model.params]
    assert [g.shape for g in model.grads] == [(4, 3), (4,), (2, 4), (2,)]


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


def test_backward_before_forward():
    model = nn.MLP([3, 4, 2])
    with pytest.raises(RuntimeError, match="forward"):
        model.backward(np.ones((1, 2)))
    with pytest.raises(RuntimeError, match="layer 1"):
        model.layers[0].backward(np.ones((1, 4)))
    with pytest.raises(RuntimeError, match="backward"):
        model.grads  # noqa: B018


def test_wrong_grad_output_shape_names_layer_and_shapes():
    model = nn.MLP([3, 4, 2])
    model.forward(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"layer 2 \(4 -> 2\).*\(5, 2\).*\(5, 3\)"):
        model.backward(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"layer 1 \(3 -> 4\).*\(5, 4\).*\(4, 4\)"):
        model.layers[0].backward(np.ones((4, 4)))
    with pytest.raises(ValueError, match="NaN"):
        model.backward(np.full((5, 2), np.nan))


def test_wrong_input_shape_names_layer_and_shapes():
    model = nn.MLP([3, 4, 2])
    with pytest.raises(ValueError, match=r"layer 1 \(3 -> 4\).*3 features.*\(5, 2\)"):
        model.forward(np.ones((5, 2)))
    with pytest.raises(ValueError, match="NaN"):
        model.forward(np.array([[1.0, np.nan, 0.0]]))
    with pytest.raises(ValueError, match="at least an input and an output"):
        nn.MLP([3])
