"""Checks of the code exercises of Chapter 2 (calculus): a right answer passes, typical wrong answers
fail with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest

from nblib.exercises import check

_ = (np, pytest, check)  # sections append their tests below


def _stub(*args):
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Section 2.3: ca-jacobian-reverse
# ---------------------------------------------------------------------------


def _jacobian_reverse(f, x):
    from nblib import autodiff

    y, pullback = autodiff.vjp(f, x)
    return np.stack([pullback(e) for e in np.eye(y.size)])


def _jacobian_forward(f, x):
    from nblib import autodiff

    return np.stack([autodiff.jvp(f, x, e)[1] for e in np.eye(x.size)], axis=1)


def _jacobian_finite_differences(f, x, h=1e-6):
    from nblib.autodiff import Tensor

    def value(z):
        return f(Tensor(z)).data

    return np.stack(
        [(value(x + h * e) - value(x - h * e)) / (2 * h) for e in np.eye(x.size)], axis=1
    )


def _jacobian_richardson(f, x):
    """Central differences extrapolated to O(h⁴): close to rounding accuracy, but no reverse mode."""
    return (
        4 * _jacobian_finite_differences(f, x, 1e-3) - _jacobian_finite_differences(f, x, 2e-3)
    ) / 3


def test_jacobian_reverse_accepts_vjps():
    feedback = check("ca-jacobian-reverse", _jacobian_reverse)
    assert feedback.passed, feedback.message


@pytest.mark.parametrize(
    "answer", [_jacobian_forward, _jacobian_richardson], ids=["jvps", "richardson"]
)
def test_jacobian_reverse_rejects_exact_values_without_backward_passes(answer):
    """The exercise asks for m VJPs: forward mode and extrapolated differences fail on the method."""
    feedback = check("ca-jacobian-reverse", answer)
    assert not feedback.passed
    assert "no backward pass ran" in feedback.message, feedback.message


def test_jacobian_reverse_stub_is_not_attempted():
    feedback = check("ca-jacobian-reverse", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda f, x: _jacobian_reverse(f, x).T, "transpose"),
        (_jacobian_finite_differences, "finite differences"),
        (lambda f, x: _jacobian_reverse(f, x)[0], "shape"),
        (lambda f, x: 2 * _jacobian_reverse(f, x), "wrong values"),
        (lambda f, x: _jacobian_reverse(f, x) * np.nan, "NaN"),
    ],
    ids=["transpose", "finite-differences", "one-row", "scaled", "nan"],
)
def test_jacobian_reverse_rejects_typical_mistakes(answer, expected):
    feedback = check("ca-jacobian-reverse", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


# ---------------------------------------------------------------------------
# Section 2.5: ca-classify-critical
# ---------------------------------------------------------------------------


def _classify(H):
    lam = np.linalg.eigvalsh(H)
    scale = np.abs(lam).max()
    if scale == 0:
        return "degenerate"
    pos, neg = lam > 1e-8 * scale, lam < -1e-8 * scale
    if pos.any() and neg.any():
        return "saddle"
    if not (pos | neg).all():
        return "degenerate"
    return "minimum" if pos.all() else "maximum"


def _by_diagonal(H):
    d = np.diag(H)
    if np.all(d > 0):
        return "minimum"
    if np.all(d < 0):
        return "maximum"
    return "saddle"


def _by_determinant(H):
    det, tr = np.linalg.det(H), np.trace(H)
    if abs(det) < 1e-12:
        return "degenerate"
    if det < 0:
        return "saddle"
    return "minimum" if tr > 0 else "maximum"


def _zero_first(H):
    lam = np.linalg.eigvalsh(H)
    if np.any(np.abs(lam) <= 1e-8 * max(np.abs(lam).max(), 1e-300)):
        return "degenerate"
    return _classify(H)


def _exact_zero(H):
    lam = np.linalg.eigvalsh(H)
    if np.all(lam == 0) or (np.any(lam > 0) and np.any(lam < 0)):
        return "degenerate" if np.all(lam == 0) else "saddle"
    if np.any(lam == 0):
        return "degenerate"
    return "minimum" if np.all(lam > 0) else "maximum"


def _absolute_tolerance(H):
    lam = np.linalg.eigvalsh(H)
    pos, neg = lam > 1e-8, lam < -1e-8
    if pos.any() and neg.any():
        return "saddle"
    if not (pos | neg).all():
        return "degenerate"
    return "minimum" if pos.all() else "maximum"


def test_classify_critical_accepts_the_eigenvalue_test():
    feedback = check("ca-classify-critical", _classify)
    assert feedback.passed, feedback.message


def test_classify_critical_stub_is_not_attempted():
    feedback = check("ca-classify-critical", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_by_diagonal, "diagonal"),
        (_by_determinant, "determinant"),
        (_zero_first, "both signs"),
        (_exact_zero, "rounding"),
        (_absolute_tolerance, "relative"),
        (lambda H: "min", "one of the strings"),
        (lambda H: np.linalg.eigvalsh(H), "one of the strings"),
    ],
    ids=[
        "diagonal",
        "determinant",
        "zero-first",
        "exact-zero",
        "absolute-tol",
        "bad-string",
        "array",
    ],
)
def test_classify_critical_rejects_typical_mistakes(answer, expected):
    feedback = check("ca-classify-critical", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


def test_classify_critical_rejects_in_place_modification():
    def in_place(H):
        H[...] = 0
        return "degenerate"

    feedback = check("ca-classify-critical", in_place)
    assert not feedback.passed and "in place" in feedback.message


# ---------------------------------------------------------------------------
# Section 2.4: ca-soft-threshold, ca-ce-grad
# ---------------------------------------------------------------------------


def _soft_threshold(w, t):
    return np.sign(w) * np.maximum(np.abs(w) - t, 0)


def test_soft_threshold_accepts_the_proximal_step():
    feedback = check("ca-soft-threshold", _soft_threshold)
    assert feedback.passed, feedback.message
    feedback = check("ca-soft-threshold", lambda w, t: w - np.clip(w, -t, t))  # same map
    assert feedback.passed, feedback.message


def test_soft_threshold_stub_is_not_attempted():
    feedback = check("ca-soft-threshold", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda w, t: np.where(np.abs(w) > t, w, 0.0), "hard thresholding"),
        (lambda w, t: w - t * np.sign(w), "exactly to zero"),
        (lambda w, t: np.maximum(np.abs(w) - t, 0), "sign"),
        (lambda w, t: np.clip(w, -t, t), "not 0"),
        (lambda w, t: _soft_threshold(w, t).ravel(), "shape"),
        (lambda w, t: _soft_threshold(w, 2 * t), "wrong values"),
    ],
    ids=["hard", "no-zeroing", "no-sign", "clip", "flattened", "double-t"],
)
def test_soft_threshold_rejects_typical_mistakes(answer, expected):
    feedback = check("ca-soft-threshold", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


def _ce_grad(logits, labels):
    from nblib.losses import cross_entropy_grad

    return cross_entropy_grad(logits, labels)


def _ce_grad_naive(logits, labels):
    with np.errstate(over="ignore", invalid="ignore"):
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1
    return p / len(labels)


def test_ce_grad_accepts_softmax_minus_onehot():
    feedback = check("ca-ce-grad", _ce_grad)
    assert feedback.passed, feedback.message


def test_ce_grad_stub_is_not_attempted():
    feedback = check("ca-ce-grad", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_ce_grad_naive, "log-sum-exp"),
        (lambda z, y: -_ce_grad(z, y), "sign"),
        (lambda z, y: _ce_grad(z, y) * len(y), "batch size"),
        (lambda z, y: _ce_grad(z, y) + np.eye(z.shape[1])[y] / len(y), "sum to 0"),
        (lambda z, y: _ce_grad(z, y).T, "shape"),
        (lambda z, y: _ce_grad(z, y) * 0.5, "wrong values"),
    ],
    ids=["naive", "sign", "sum-not-mean", "no-onehot", "transposed", "half"],
)
def test_ce_grad_rejects_typical_mistakes(answer, expected):
    feedback = check("ca-ce-grad", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


# ---------------------------------------------------------------------------
# Section 2.1: ca-softmax-jacobian
# ---------------------------------------------------------------------------


def _sj_softmax(z):
    e = np.exp(np.asarray(z, dtype=float) - np.max(z))
    return e / e.sum()


def _sj_reference(z):
    p = _sj_softmax(z)
    return np.diag(p) - np.outer(p, p)


def test_softmax_jacobian_accepts_the_right_answer():
    feedback = check("ca-softmax-jacobian", _sj_reference)
    assert feedback.passed, feedback.message


def test_softmax_jacobian_stub_is_not_attempted():
    feedback = check("ca-softmax-jacobian", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


def _sj_naive(z):
    e = np.exp(np.asarray(z, dtype=float))  # overflows for large z
    p = e / e.sum()
    return np.diag(p) - np.outer(p, p)


def _sj_log_softmax(z):
    p = _sj_softmax(z)
    return np.eye(len(p)) - np.outer(np.ones(len(p)), p)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda z: np.diag(_sj_softmax(z)), "diagonal"),  # forgot the coupling term
        (_sj_log_softmax, "not symmetric"),  # Jacobian of log-softmax
        (
            lambda z: np.diag(_sj_softmax(z)) - np.outer(_sj_softmax(z), np.ones(len(z))),
            "not symmetric",
        ),
        (
            lambda z: np.diag(_sj_softmax(z)) + np.outer(_sj_softmax(z), _sj_softmax(z)),
            "sum to zero",
        ),
        (_sj_naive, "NaN"),  # overflow at z = (1000, 1001, 999)
        (lambda z: _sj_softmax(z), "shape"),  # returned p itself
        (lambda z: 2 * _sj_reference(z), "wrong values"),
    ],
    ids=["diag-only", "log-softmax", "p-times-ones", "plus-sign", "overflow", "vector", "scaled"],
)
def test_softmax_jacobian_rejects_typical_mistakes(answer, expected):
    feedback = check("ca-softmax-jacobian", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


def test_softmax_jacobian_rejects_in_place_modification():
    def in_place(z):
        z -= np.max(z)
        return _sj_reference(z)

    feedback = check("ca-softmax-jacobian", in_place)
    assert not feedback.passed and "in place" in feedback.message


# ---------------------------------------------------------------------------
# Section 2.2: ca-two-layer-backward
# ---------------------------------------------------------------------------


def _tl_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _tl_backward(W1, b1, W2, b2, X, y, *, act_grad=True, mean=True, transpose=False, a_grad=False):
    B = len(y)
    Z1 = X @ W1.T + b1
    A1 = _tl_sigmoid(Z1)
    Z2 = A1 @ W2.T + b2
    P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    P[np.arange(B), y] -= 1
    D2 = P / B if mean else P
    D1 = D2 @ W2
    if act_grad:
        D1 = D1 * (_tl_sigmoid(A1) * (1 - _tl_sigmoid(A1)) if a_grad else A1 * (1 - A1))
    dW1 = X.T @ D1 if transpose else D1.T @ X
    return dW1, D1.sum(axis=0), D2.T @ A1, D2.sum(axis=0)


def test_two_layer_backward_accepts_the_right_answer():
    feedback = check("ca-two-layer-backward", _tl_backward)
    assert feedback.passed, feedback.message


def test_two_layer_backward_agrees_with_nblib():
    from nblib import losses, nn

    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((9, 4)), rng.integers(0, 3, size=9)
    net = nn.MLP([4, 6, 3], activation="sigmoid", output_activation="identity", rng=1)
    net.backward(losses.cross_entropy_grad(net.forward(X), y))
    for ours, theirs in zip(_tl_backward(*net.params, X, y), net.grads, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def _tl_loss(W1, b1, W2, b2, X, y):
    Z2 = _tl_sigmoid(X @ W1.T + b1) @ W2.T + b2
    Z2 = Z2 - Z2.max(axis=1, keepdims=True)
    return np.mean(np.log(np.exp(Z2).sum(axis=1)) - Z2[np.arange(len(y)), y])


def _tl_differences(h, richardson=False):
    """A finite-difference answer: central differences, or Richardson-extrapolated ones."""

    def answer(W1, b1, W2, b2, X, y):
        params, grads = [W1, b1, W2, b2], []
        for k, p in enumerate(params):
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):

                def central(step, k=k, idx=idx):
                    plus, minus = [q.copy() for q in params], [q.copy() for q in params]
                    plus[k][idx] += step
                    minus[k][idx] -= step
                    return (_tl_loss(*plus, X, y) - _tl_loss(*minus, X, y)) / (2 * step)

                g[idx] = (4 * central(h) - central(2 * h)) / 3 if richardson else central(h)
            grads.append(g)
        return tuple(grads)

    return answer


@pytest.mark.parametrize(
    "answer",
    [_tl_differences(1e-6), _tl_differences(1e-3, richardson=True)],
    ids=["central", "richardson"],
)
def test_two_layer_backward_rejects_finite_differences(answer):
    """Backpropagation is exact to rounding; differences are only close, and the check says so."""
    feedback = check("ca-two-layer-backward", answer)
    assert not feedback.passed
    assert "close but not exact" in feedback.message, feedback.message


def test_two_layer_backward_stub_is_not_attempted():
    feedback = check("ca-two-layer-backward", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda *a: _tl_backward(*a, transpose=True), "transpose"),
        (lambda *a: _tl_backward(*a, act_grad=False), "σ'(z1)"),
        (lambda *a: _tl_backward(*a, a_grad=True), "dW1 and db1 are not"),
        (lambda *a: _tl_backward(*a, mean=False), "times too large"),
        (lambda *a: _tl_backward(*a)[:2], "four gradients"),
        (lambda *a: tuple(g.sum(axis=0) if g.ndim == 2 else g for g in _tl_backward(*a)), "shape"),
        (
            lambda *a: (*_tl_backward(*a)[:2], -_tl_backward(*a)[2], _tl_backward(*a)[3]),
            "dW2 wrong",
        ),
    ],
    ids=[
        "transpose",
        "no-activation-grad",
        "sigma-of-a",
        "sum",
        "two-only",
        "summed-weights",
        "sign",
    ],
)
def test_two_layer_backward_rejects_typical_mistakes(answer, expected):
    feedback = check("ca-two-layer-backward", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


# ---------------------------------------------------------------------------
# Section 2.3: ca-hvp
# ---------------------------------------------------------------------------


def _hvp_forward_over_reverse(theta, v, X, y):
    """The reference answer: a Dual pushed through the backward pass (Pearlmutter's R-operator)."""
    from nblib import autodiff

    B, n = X.shape
    m = (theta.size - 1) // (n + 2)
    P = theta.size
    blocks = [
        (0, m * n, (m, n)),
        (m * n, m * n + m, (m,)),
        (m * n + m, P - 1, (m,)),
        (P - 1, P, (1,)),
    ]
    embed = [np.eye(P)[:, i:j] for i, j, _ in blocks]

    def backprop(th):
        W1, b1, w2, b2 = (th[i:j].reshape(s) for i, j, s in blocks)
        A = (X @ W1.T + b1).tanh()
        delta = (A @ w2 + b2 - y) / B
        dZ = delta.reshape(B, 1) * w2 * (1 - A * A)
        grads = [dZ.T @ X, dZ.sum(axis=0), A.T @ delta, delta.sum().reshape(1)]
        return sum(E @ g.reshape(-1) for E, g in zip(embed, grads, strict=True))

    return autodiff.jvp(backprop, theta, v)[1]


def _hvp_sympy(theta, v, X, y):
    """H v from SymPy's exact Hessian: independent of the check's hand-written one."""
    import sympy as sp

    B, n = X.shape
    m = (theta.size - 1) // (n + 2)
    th, xs, ys = sp.symbols(f"t0:{theta.size}"), sp.symbols(f"x0:{n}"), sp.Symbol("y")
    W1 = sp.Matrix(m, n, th[: m * n])
    a = (W1 * sp.Matrix(xs) + sp.Matrix(th[m * n : m * n + m])).applyfunc(sp.tanh)
    ell = (sp.Matrix(th[m * n + m : -1]).dot(a) + th[-1] - ys) ** 2 / 2
    hess = sp.lambdify([th, xs, ys], sp.hessian(ell, th), "numpy")
    return sum(np.array(hess(theta, x, t), dtype=float) for x, t in zip(X, y, strict=True)) @ v / B


def _hvp_finite_differences(theta, v, X, y, h=1e-5):
    from nblib import autodiff

    def loss(th):
        n, m = X.shape[1], (theta.size - 1) // (X.shape[1] + 2)
        W1 = th[: m * n].reshape(m, n)
        r = (X @ W1.T + th[m * n : m * n + m]).tanh() @ th[m * n + m : -1] + th[-1] - y
        return 0.5 * (r * r).mean()

    g = autodiff.grad(loss)
    return (g(theta + h * v) - g(theta - h * v)) / (2 * h)


def _hvp_gauss_newton(theta, v, X, y):
    from nblib.exercises.calculus import _tanh_net_hessian

    return _tanh_net_hessian(theta, X, y, residual=False) @ v


@pytest.mark.parametrize("answer", [_hvp_forward_over_reverse, _hvp_sympy], ids=["dual", "sympy"])
def test_hvp_accepts_exact_products(answer):
    feedback = check("ca-hvp", answer)
    assert feedback.passed, feedback.message


def test_hvp_stub_is_not_attempted():
    feedback = check("ca-hvp", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_hvp_finite_differences, "finite differences"),
        (_hvp_gauss_newton, "Gauss–Newton"),
        (lambda t, v, X, y: _hvp_forward_over_reverse(t, v, X, y)[:-1], "shape"),
        (lambda t, v, X, y: 2 * _hvp_forward_over_reverse(t, v, X, y), "wrong values"),
    ],
    ids=["finite-differences", "gauss-newton", "short", "doubled"],
)
def test_hvp_rejects_typical_mistakes(answer, expected):
    feedback = check("ca-hvp", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message
