"""nblib.autodiff: every op's gradient against HIPS autograd and central finite differences,
forward mode against reverse mode, an MLP loss against autograd and nn.MLP's backward."""

import zlib

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from autograd.scipy.special import logsumexp as anp_logsumexp

from nblib import nn
from nblib.autodiff import Dual, Tensor, grad, jvp, unbroadcast, value_and_grad, vjp


def rel_err(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


def central_differences(f, args, i, h=1e-5):
    """∂f/∂args[i] entry by entry: (f(x + h e_k) − f(x − h e_k)) / 2h, error O(h²)."""
    x = np.array(args[i], dtype=np.float64)
    out = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        shifted = []
        for step in (h, -h):
            xk = x.copy()
            xk[k] += step
            shifted.append(f(*args[:i], xk, *args[i + 1 :]))
        out[k] = (shifted[0] - shifted[1]) / (2 * h)
    return out


# ---------------------------------------------------------------------------
# The op table. Each case: (ours, ref, shapes, domain). ``ours`` is written with Tensor/Dual
# methods, ``ref`` in autograd.numpy (one lambda serves both when only operators are used);
# domain "pos" draws from [0.5, 2], "away0" keeps |x| >= 0.3 (relu's kink), else N(0, 1).
# ---------------------------------------------------------------------------

C34 = np.random.default_rng(1).standard_normal((3, 4))
MASK = np.array([[True, False, True], [False, False, True]])


def same(f):
    return f, f


CASES = {
    "add": (*same(lambda a, b: a + b), [(3, 4), (3, 4)], "any"),
    "add broadcast (3,1)+(1,4)": (*same(lambda a, b: a + b), [(3, 1), (1, 4)], "any"),
    "sub broadcast (5,)-(2,5)": (*same(lambda a, b: a - b), [(5,), (2, 5)], "any"),
    "mul broadcast (5,)*(2,5)": (*same(lambda a, b: a * b), [(5,), (2, 5)], "any"),
    "mul scalar*(2,3)": (*same(lambda a, b: a * b), [(), (2, 3)], "any"),
    "div broadcast (2,3)/(3,)": (*same(lambda a, b: a / b), [(2, 3), (3,)], "pos"),
    "neg": (*same(lambda a: -a), [(3, 2)], "any"),
    "radd array": (*same(lambda a: C34 + a), [(3, 4)], "any"),
    "rsub number": (*same(lambda a: 2.0 - a), [(4,)], "any"),
    "rmul array broadcast (3,4)*(3,1)": (*same(lambda a: C34 * a), [(3, 1)], "any"),
    "rtruediv number": (*same(lambda a: 1.5 / a), [(2, 3)], "pos"),
    "rmatmul array": (*same(lambda a: C34 @ a), [(4, 2)], "any"),
    "pow 3": (*same(lambda a: a**3), [(2, 3)], "any"),
    "pow 0.5": (*same(lambda a: a**0.5), [(2, 3)], "pos"),
    "pow -2": (*same(lambda a: a**-2), [(2, 3)], "pos"),
    "rpow 2**x": (*same(lambda a: 2.0**a), [(2, 3)], "any"),
    "matmul 2d@2d": (*same(lambda a, b: a @ b), [(3, 4), (4, 2)], "any"),
    "matmul 1d@2d": (*same(lambda a, b: a @ b), [(4,), (4, 2)], "any"),
    "matmul 2d@1d": (*same(lambda a, b: a @ b), [(3, 4), (4,)], "any"),
    "matmul 1d@1d": (*same(lambda a, b: a @ b), [(4,), (4,)], "any"),
    "matmul 3d@2d": (*same(lambda a, b: a @ b), [(2, 3, 4), (4, 5)], "any"),
    "matmul 1d@3d": (*same(lambda a, b: a @ b), [(3,), (2, 3, 4)], "any"),
    "matmul 4d@3d broadcast": (*same(lambda a, b: a @ b), [(2, 1, 3, 4), (3, 4, 2)], "any"),
    "exp": (lambda a: a.exp(), anp.exp, [(2, 3)], "any"),
    "log": (lambda a: a.log(), anp.log, [(2, 3)], "pos"),
    "tanh": (lambda a: a.tanh(), anp.tanh, [(2, 3)], "any"),
    "sigmoid": (lambda a: a.sigmoid(), lambda a: 1 / (1 + anp.exp(-a)), [(2, 3)], "any"),
    "relu": (lambda a: a.relu(), lambda a: anp.maximum(a, 0.0), [(3, 4)], "away0"),
    "sum all": (lambda a: a.sum(), anp.sum, [(3, 4)], "any"),
    "sum axis 0": (lambda a: a.sum(axis=0), lambda a: anp.sum(a, axis=0), [(3, 4)], "any"),
    "sum axis -1": (lambda a: a.sum(axis=-1), lambda a: anp.sum(a, axis=-1), [(2, 3, 4)], "any"),
    "sum axes (0,2) keepdims": (
        lambda a: a.sum(axis=(0, 2), keepdims=True),
        lambda a: anp.sum(a, axis=(0, 2), keepdims=True),
        [(2, 3, 4)],
        "any",
    ),
    "mean all": (lambda a: a.mean(), anp.mean, [(3, 4)], "any"),
    "mean axis 1": (lambda a: a.mean(axis=1), lambda a: anp.mean(a, axis=1), [(3, 4)], "any"),
    "mean axis 0 keepdims": (
        lambda a: a.mean(axis=0, keepdims=True),
        lambda a: anp.mean(a, axis=0, keepdims=True),
        [(3, 4)],
        "any",
    ),
    "max all": (lambda a: a.max(), anp.max, [(3, 4)], "any"),
    "max axis -1": (lambda a: a.max(axis=-1), lambda a: anp.max(a, axis=-1), [(3, 4)], "any"),
    "max axis 0 keepdims": (
        lambda a: a.max(axis=0, keepdims=True),
        lambda a: anp.max(a, axis=0, keepdims=True),
        [(3, 4)],
        "any",
    ),
    "logsumexp all": (lambda a: a.logsumexp(), anp_logsumexp, [(3, 4)], "any"),
    "logsumexp axis 1": (
        lambda a: a.logsumexp(axis=1),
        lambda a: anp_logsumexp(a, axis=1),
        [(3, 4)],
        "any",
    ),
    "logsumexp axis 0 keepdims": (
        lambda a: a.logsumexp(axis=0, keepdims=True),
        lambda a: anp_logsumexp(a, axis=0, keepdims=True),
        [(3, 4)],
        "any",
    ),
    "log_softmax": (
        lambda a: a.log_softmax(axis=1),
        lambda a: a - anp_logsumexp(a, axis=1, keepdims=True),
        [(3, 4)],
        "any",
    ),
    "reshape": (lambda a: a.reshape(4, 3), lambda a: anp.reshape(a, (4, 3)), [(3, 4)], "any"),
    "T": (lambda a: a.T, lambda a: a.T, [(3, 4)], "any"),
    "transpose axes": (
        lambda a: a.transpose(1, 2, 0),
        lambda a: anp.transpose(a, (1, 2, 0)),
        [(2, 3, 4)],
        "any",
    ),
    "index slice": (*same(lambda a: a[1:, ::2]), [(3, 4)], "any"),
    "index int": (*same(lambda a: a[2]), [(3, 4)], "any"),
    "index repeated rows": (*same(lambda a: a[np.array([0, 2, 0, 0])]), [(3, 4)], "any"),
    "index repeated pairs": (
        *same(lambda a: a[np.array([0, 0, 1, 2, 0]), np.array([1, 1, 2, 0, 1])]),
        [(3, 4)],
        "any",
    ),
    "index bool mask": (*same(lambda a: a[MASK]), [(2, 3)], "any"),
    "chain of ops": (
        lambda a, b: ((a * b).tanh() + (a / 3).exp()).sum(axis=0) @ b.T,
        lambda a, b: anp.dot(anp.sum(anp.tanh(a * b) + anp.exp(a / 3), axis=0), b.T),
        [(2, 3), (3,)],
        "any",
    ),
}


def draw(shape, domain, rng):
    if domain == "pos":
        return rng.uniform(0.5, 2.0, shape)
    x = rng.standard_normal(shape)
    if domain == "away0":
        x = np.sign(x) * (0.3 + np.abs(x))
    return x


def setup(case_id):
    """The case's functions and inputs, and a fixed random weighting R of its output, so that
    the scalar L = Σ y ⊙ R has a non-trivial upstream gradient ∂L/∂y = R."""
    ours, ref, shapes, domain = CASES[case_id]
    rng = np.random.default_rng(zlib.crc32(case_id.encode()))
    args = [draw(s, domain, rng) for s in shapes]
    R = rng.standard_normal(np.shape(ref(*args)))

    def loss_ours(*a):
        return (ours(*a) * R).sum()

    def loss_ref(*a):
        return anp.sum(ref(*a) * R)

    return ours, ref, args, R, loss_ours, loss_ref


@pytest.mark.parametrize("case_id", CASES)
def test_op_value_matches_numpy(case_id):
    ours, ref, args, *_ = setup(case_id)
    out = ours(*[Tensor(a) for a in args])
    expected = ref(*args)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("case_id", CASES)
def test_op_gradient_matches_autograd_and_finite_differences(case_id):
    *_, args, _, loss_ours, loss_ref = setup(case_id)
    argnums = tuple(range(len(args)))
    value, grads = value_and_grad(loss_ours, argnums)(*args)
    assert value == pytest.approx(loss_ref(*args), rel=1e-13, abs=1e-13)
    for i, g in enumerate(grads):
        assert g.shape == np.shape(args[i])
        assert rel_err(g, autograd.grad(loss_ref, i)(*args)) <= 1e-12, f"argument {i}"
        assert rel_err(g, central_differences(loss_ref, args, i)) <= 1e-6, f"argument {i}"


@pytest.mark.parametrize("case_id", CASES)
def test_op_jvp_matches_finite_differences_and_reverse_mode(case_id):
    """Forward mode through the same op, one argument at a time (the others constants):
    J v against (f(x + hv) − f(x − hv)) / 2h over the op's whole output, and
    Σ (J v) ⊙ R = ∇L · v against the reverse-mode gradient of L = Σ f ⊙ R."""
    ours, ref, args, R, loss_ours, _ = setup(case_id)
    rng = np.random.default_rng(7)
    grads = grad(loss_ours, tuple(range(len(args))))(*args)
    constants = [Dual(a) for a in args]  # zero tangents
    for i, x in enumerate(args):
        v = rng.standard_normal(np.shape(x))

        def f_ours(xi, i=i):
            return ours(*constants[:i], xi, *constants[i + 1 :])

        def f_ref(xi, i=i):
            return ref(*args[:i], xi, *args[i + 1 :])

        value, Jv = jvp(f_ours, x, v)
        np.testing.assert_allclose(value, ref(*args), rtol=1e-13, atol=1e-13)
        h = 1e-5
        fd = (f_ref(x + h * v) - f_ref(x - h * v)) / (2 * h)
        assert rel_err(Jv, fd) <= 1e-6, f"argument {i}"
        assert np.sum(Jv * R) == pytest.approx(np.sum(grads[i] * v), rel=1e-12, abs=1e-12)


# ---------------------------------------------------------------------------
# Broadcasting
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grad_shape", "shape", "expected"),
    [
        ((3, 4), (3, 1), lambda g: g.sum(axis=1, keepdims=True)),  # (3,1) + (1,4)
        ((3, 4), (1, 4), lambda g: g.sum(axis=0, keepdims=True)),
        ((2, 5), (5,), lambda g: g.sum(axis=0)),  # (5,) * (2,5)
        ((2, 3), (), lambda g: g.sum()),  # scalar * (2,3)
        ((2, 3, 4), (3, 1), lambda g: g.sum(axis=(0, 2))[:, None]),
        ((3, 4), (3, 4), lambda g: g),
    ],
)
def test_unbroadcast_sums_over_broadcast_axes(grad_shape, shape, expected):
    g = np.arange(np.prod(grad_shape), dtype=float).reshape(grad_shape) ** 1.5
    out = unbroadcast(g, shape)
    assert out.shape == shape
    np.testing.assert_array_equal(out, expected(g))


@pytest.mark.parametrize(
    ("grad_shape", "shape"), [((3, 4), (4, 3)), ((4,), (2, 4)), ((3, 4), (2,))]
)
def test_unbroadcast_rejects_shapes_that_do_not_broadcast(grad_shape, shape):
    with pytest.raises(ValueError, match=r"cannot unbroadcast"):
        unbroadcast(np.ones(grad_shape), shape)


@pytest.mark.parametrize(
    ("shape_a", "shape_b"), [((3, 1), (1, 4)), ((5,), (2, 5)), ((), (2, 3)), ((2, 3), ())]
)
def test_broadcast_operands_get_gradients_of_their_own_shape(shape_a, shape_b):
    # L = Σ (a + b): every entry of a is used (size of the result / size of a) times.
    a, b = Tensor(np.ones(shape_a)), Tensor(np.ones(shape_b))
    out = a + b
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, np.full(shape_a, out.data.size / a.data.size))
    np.testing.assert_array_equal(b.grad, np.full(shape_b, out.data.size / b.data.size))


# ---------------------------------------------------------------------------
# The backward pass
# ---------------------------------------------------------------------------


def test_gradients_accumulate_until_zero_grad():
    x = Tensor([0.5, -1.0, 2.0])
    loss = (x.tanh() * x).sum()  # an intermediate (tanh) between x and the loss
    loss.backward()
    first = x.grad.copy()
    np.testing.assert_allclose(first, np.tanh(x.data) + x.data * (1 - np.tanh(x.data) ** 2))
    loss.backward()  # the leaf accumulates; the intermediate's gradient is not counted twice
    np.testing.assert_allclose(x.grad, 2 * first, rtol=1e-15)
    x.zero_grad()
    assert x.grad is None
    loss.backward()
    np.testing.assert_allclose(x.grad, first, rtol=1e-15)


def test_a_tensor_used_several_times_sums_its_gradients():
    # L = Σ (y² + y) with y = e^x: dL/dx = (2y + 1) y. y feeds two ops, x one.
    x = Tensor([0.1, -0.7])
    y = x.exp()
    (y * y + y).sum().backward()
    e = np.exp(x.data)
    np.testing.assert_allclose(x.grad, (2 * e + 1) * e, rtol=1e-15)
    np.testing.assert_allclose(y.grad, 2 * e + 1, rtol=1e-15)


def test_constants_get_no_gradient():
    x, c = Tensor([1.0, 2.0]), Tensor([3.0, 4.0], requires_grad=False)
    out = x * c + np.array([1.0, 1.0])
    assert out.requires_grad and not (c * c).requires_grad
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])
    assert c.grad is None


def test_deep_graph_needs_no_recursion():
    import sys

    x = Tensor(1.0)
    y = x
    n = 3 * sys.getrecursionlimit()
    for _ in range(n):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**n, rel=1e-12)


def test_backward_with_upstream_gradient_is_a_vjp():
    rng = np.random.default_rng(3)
    A, x0, u = rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal(4)
    x = Tensor(x0)
    (A @ x).tanh().backward(u)
    J = autograd.jacobian(lambda z: anp.tanh(anp.dot(A, z)))(x0)
    np.testing.assert_allclose(x.grad, u @ J, rtol=1e-13)


def test_max_splits_the_gradient_between_ties_like_autograd():
    x0 = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [5.0, 5.0, 5.0]])
    x = Tensor(x0)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, autograd.grad(lambda z: anp.sum(anp.max(z, axis=1)))(x0))
    np.testing.assert_allclose(x.grad.sum(axis=1), 1.0)
    _, Jv = jvp(lambda z: z.max(axis=1), x0, np.ones_like(x0))
    np.testing.assert_allclose(Jv, 1.0)


def test_logsumexp_is_stable_at_extreme_inputs():
    x0 = np.array([[1000.0, 999.0, -1000.0], [-1000.0, -1001.0, -1002.0]])
    x = Tensor(x0)
    lse = x.logsumexp(axis=1)
    expected = np.log(np.exp(x0 - x0.max(axis=1, keepdims=True)).sum(axis=1)) + x0.max(axis=1)
    np.testing.assert_allclose(lse.data, expected, rtol=1e-15)
    lse.sum().backward()
    np.testing.assert_allclose(x.grad, nn.softmax(x0, axis=1), rtol=1e-15)


def test_float32_stays_float32():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32))
    y = (2.0 * x + np.array([0.5, 0.5])).tanh().mean()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32


# ---------------------------------------------------------------------------
# grad, value_and_grad, jvp, vjp
# ---------------------------------------------------------------------------


def test_grad_argnums_and_extra_arguments():
    def f(w, b, x, scale):
        return ((x @ w + b).tanh() ** 2).sum() * scale

    rng = np.random.default_rng(0)
    w, b, x = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((5, 3))

    def f_ref(w, b):
        return anp.sum(anp.tanh(anp.dot(x, w) + b) ** 2) * 0.5

    gw = grad(f)(w, b, x, 0.5)
    np.testing.assert_allclose(gw, autograd.grad(f_ref, 0)(w, b), rtol=1e-13)
    gb = grad(f, argnums=1)(w, b, x, 0.5)
    np.testing.assert_allclose(gb, autograd.grad(f_ref, 1)(w, b), rtol=1e-13)
    value, (gw2, gb2) = value_and_grad(f, argnums=(0, 1))(w, b, x, 0.5)
    assert value == pytest.approx(f_ref(w, b), rel=1e-15)
    np.testing.assert_array_equal(gw2, gw)
    np.testing.assert_array_equal(gb2, gb)
    # a function that ignores its argument has gradient zero
    np.testing.assert_array_equal(grad(lambda w: Tensor(3.0) * 2)(w), np.zeros_like(w))


def test_jvp_and_vjp_give_the_same_jacobian_as_autograd():
    rng = np.random.default_rng(5)
    A = rng.standard_normal((4, 3))

    def f(x):  # R³ → R⁴
        return (A @ x.sigmoid()) * x.sum() + (x[np.array([0, 2, 2, 1])] ** 2).log_softmax(axis=0)

    def f_ref(x):
        sq = x[np.array([0, 2, 2, 1])] ** 2
        return anp.dot(A, 1 / (1 + anp.exp(-x))) * anp.sum(x) + sq - anp_logsumexp(sq)

    x0 = rng.standard_normal(3)
    J_ref = autograd.jacobian(f_ref)(x0)
    columns = np.stack([jvp(f, x0, e)[1] for e in np.eye(3)], axis=1)  # n JVPs: J e_j
    value, pullback = vjp(f, x0)
    rows = np.stack([pullback(e) for e in np.eye(4)])  # m VJPs: e_iᵀ J
    np.testing.assert_allclose(value, f_ref(x0), rtol=1e-14)
    np.testing.assert_allclose(columns, J_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(rows, J_ref, rtol=1e-12, atol=1e-14)


def test_jvp_of_scalar_function_is_gradient_dot_v_and_matches_finite_differences():
    rng = np.random.default_rng(11)
    w = rng.standard_normal(6)

    def f(x):
        return (x.tanh() * w).logsumexp() + 0.5 * (x**2).mean()

    x0, v = rng.standard_normal(6), rng.standard_normal(6)
    value, Jv = jvp(f, x0, v)
    assert Jv.shape == ()
    assert Jv == pytest.approx(grad(f)(x0) @ v, rel=1e-13)
    h = 1e-5
    fd = (f(Dual(x0 + h * v)).value - f(Dual(x0 - h * v)).value) / (2 * h)
    assert Jv == pytest.approx(fd, abs=1e-9)  # FD error: O(h²) + O(eps / h)
    assert value == pytest.approx(f(Tensor(x0)).item(), rel=1e-15)


# ---------------------------------------------------------------------------
# A small MLP with softmax cross-entropy
# ---------------------------------------------------------------------------


def mlp_loss(X, labels, activation, *params):
    """Mean softmax cross-entropy of an MLP's logits, eq. (1.2) per layer, with Tensor ops."""
    h = X
    for k in range(0, len(params), 2):
        h = h @ params[k].T + params[k + 1]
        if k + 2 < len(params):
            h = getattr(h, activation)()
    return -h.log_softmax(axis=1)[np.arange(len(labels)), labels].mean()


def mlp_loss_ref(X, labels, activation, *params):
    act = CASES[activation][1]  # the autograd.numpy version from the op table
    h = X
    for k in range(0, len(params), 2):
        h = anp.dot(h, params[k].T) + params[k + 1]
        if k + 2 < len(params):
            h = act(h)
    logp = h - anp_logsumexp(h, axis=1, keepdims=True)
    return -anp.mean(logp[np.arange(len(labels)), labels])


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_mlp_cross_entropy_gradient_matches_autograd_and_nn_backward(activation):
    rng = np.random.default_rng(2)
    model = nn.MLP([6, 16, 8, 4], activation=activation, rng=rng)
    for layer in model.layers:
        layer.b[:] = 0.1 * rng.standard_normal(layer.b.shape)
    X, labels = rng.standard_normal((10, 6)), rng.integers(0, 4, 10)
    params = model.params
    argnums = tuple(range(3, 3 + len(params)))
    value, grads = value_and_grad(mlp_loss, argnums)(X, labels, activation, *params)
    ref = autograd.grad(
        lambda *p: mlp_loss_ref(X, labels, activation, *p), tuple(range(len(params)))
    )
    # nn's hand-written backpropagation: ∂L/∂logits = (softmax − onehot) / batch
    logits = model.forward(X)
    onehot = np.eye(4)[labels]
    assert value == pytest.approx(-np.mean(np.sum(nn.log_softmax(logits) * onehot, axis=1)))
    model.backward((nn.softmax(logits) - onehot) / len(labels))
    for g, g_ref, g_nn in zip(grads, ref(*params), model.grads, strict=True):
        assert rel_err(g, g_ref) <= 1e-12
        assert rel_err(g, g_nn) <= 1e-12


def test_training_a_small_network_on_xor():
    """Plain gradient descent with the engine's gradients fits XOR (not linearly separable)."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    labels = np.array([0, 1, 1, 0])
    params = nn.MLP([2, 8, 2], activation="tanh", rng=0).params
    loss_and_grads = value_and_grad(mlp_loss, argnums=(3, 4, 5, 6))
    first, _ = loss_and_grads(X, labels, "tanh", *params)
    for _ in range(500):
        loss, grads = loss_and_grads(X, labels, "tanh", *params)
        params = [p - 0.5 * g for p, g in zip(params, grads, strict=True)]
    assert first > 0.5 and loss < 0.05


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


def test_non_finite_data_is_rejected_with_the_argument_named():
    with pytest.raises(ValueError, match=r"weights contains 1 NaN or infinite"):
        Tensor([1.0, np.nan], name="weights")
    with pytest.raises(ValueError, match=r"^data contains"):
        Tensor(np.inf)
    with pytest.raises(ValueError, match=r"right operand of \* contains"):
        Tensor([1.0, 2.0]) * np.array([np.inf, 1.0])
    with pytest.raises(ValueError, match=r"argument 1 of loss contains"):

        def loss(w, b):
            return (w * b).sum()

        grad(loss, argnums=(0, 1))(np.ones(2), np.array([1.0, -np.inf]))
    with pytest.raises(ValueError, match=r"^x contains"):
        jvp(lambda x: x.exp(), np.array([np.nan]), np.ones(1))
    with pytest.raises(ValueError, match=r"^v contains"):
        jvp(lambda x: x.exp(), np.ones(1), np.array([np.nan]))
    with pytest.raises(ValueError, match=r"^value contains"):
        Dual(np.nan)
    with pytest.raises(TypeError, match=r"must be numeric"):
        Tensor(np.array(["a", "b"]))


def test_ops_without_a_finite_value_or_derivative_raise():
    with pytest.raises(ValueError, match=r"log needs positive inputs, got 2 value\(s\) <= 0"):
        Tensor([1.0, 0.0, -2.0]).log()
    with pytest.raises(ValueError, match=r"log needs positive inputs"):
        Dual([-1.0]).log()
    with pytest.raises(ValueError, match=r"division by zero: the divisor has 1 zero"):
        Tensor([1.0, 2.0]) / np.array([1.0, 0.0])
    with pytest.raises(ValueError, match=r"division by zero"):
        1.0 / Dual([0.0, 1.0])
    with pytest.raises(ValueError, match=r"exp overflows"):
        Tensor([1.0, 800.0]).exp()
    with pytest.raises(ValueError, match=r"x \*\* 0.5 needs x > 0"):
        Tensor([4.0, -1.0]) ** 0.5
    with pytest.raises(ValueError, match=r"x \*\* -1.0 divides by zero"):
        Tensor([0.0, 1.0]) ** -1
    with pytest.raises(TypeError, match=r"exponent must be a real number"):
        Tensor([1.0]) ** Tensor([2.0])
    # a gradient that overflows on its way to a leaf: d(x/y)/dy = −x/y² = −inf at y = 1e-200
    x, y = Tensor(1.0, name="x"), Tensor(1e-200, name="y")
    with pytest.raises(ValueError, match=r"gradient of 'y' \(shape \(\)\) has NaN or infinite"):
        (x / y).backward()
    with pytest.raises(TypeError):  # numpy functions would silently leave the graph
        np.exp(Tensor([1.0]))


def test_backward_needs_a_scalar_or_a_matching_gradient():
    x = Tensor([1.0, 2.0])
    with pytest.raises(
        ValueError, match=r"needs a scalar \(one-element\) tensor, got shape \(2,\)"
    ):
        (x * 2).backward()
    with pytest.raises(ValueError, match=r"gradient must have the shape of the tensor, \(2,\)"):
        (x * 2).backward(np.ones(3))
    with pytest.raises(ValueError, match=r"does not require a gradient"):
        Tensor(1.0, requires_grad=False).exp().backward()
    with pytest.raises(
        ValueError, match=r"grad needs <lambda> to return a scalar, got shape \(2,\)"
    ):
        grad(lambda w: w * 2)(np.ones(2))
    with pytest.raises(ValueError, match=r"argnums=2 but <lambda> got 1 argument"):
        grad(lambda w: w.sum(), argnums=2)(np.ones(2))
    with pytest.raises(ValueError, match=r"v must have the shape of x, \(2,\), got shape \(3,\)"):
        jvp(lambda w: w.sum(), np.ones(2), np.ones(3))


def test_relu_derivative_at_zero_is_zero_like_torch():
    x = Tensor([-1.0, 0.0, 2.0])
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(jvp(lambda z: z.relu(), x.data, np.ones(3))[1], [0.0, 0.0, 1.0])
