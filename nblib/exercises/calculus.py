"""Checks for Chapter 2, Calculus (exercise labels start with ``ca-``).

Each check receives the learner's answer, compares it with a reference computed
here on seeded inputs, and raises :class:`~nblib.exercises.Incorrect` with a reason
that helps without giving the answer away.
"""

from __future__ import annotations

import numpy as np

from . import (
    Incorrect,
    as_answer_array,
    call_on_copy,
    expect_array,
    expect_function,
    expect_same_function,
    expect_scalar,
    register,
)

__all__: list[str] = []  # checks are reached through nblib.exercises.check(label, answer)

# Sections append their checks below, each under its own section heading.
_ = (np, Incorrect, as_answer_array, call_on_copy, expect_array, expect_function)
_ = (expect_same_function, expect_scalar, register)


# ---------------------------------------------------------------------------
# Section 2.3: automatic differentiation
# ---------------------------------------------------------------------------


def _jacobian_cases(rng: np.random.Generator) -> list[tuple[str, object, np.ndarray, np.ndarray]]:
    """(description, f on Tensors, x, exact Jacobian) for several shapes (m, n)."""
    A = rng.standard_normal((3, 5))
    B = rng.standard_normal((1, 6))
    x1, x2, x3, x4, x5 = (rng.standard_normal(k) for k in (5, 4, 6, 6, 7))
    t1 = np.tanh(A @ x1)
    return [
        ("f(x) = tanh(A x), A of shape (3, 5)", lambda x: (A @ x).tanh(), x1,
         (1 - t1**2)[:, None] * A),
        ("f(x) = x * sum(x), n = m = 4", lambda x: x * x.sum(), x2,
         x2.sum() * np.eye(4) + np.outer(x2, np.ones(4))),
        ("f(x) = B x, B of shape (1, 6)", lambda x: B @ x, x3, B.copy()),
        ("f(x) = x[:3] * x[3:], n = 6, m = 3", lambda x: x[:3] * x[3:], x4,
         np.hstack([np.diag(x4[3:]), np.diag(x4[:3])])),
        ("f(x) = exp(x) elementwise, n = m = 7", lambda x: x.exp(), x5, np.diag(np.exp(x5))),
    ]  # fmt: skip


@register("ca-jacobian-reverse")
def check_jacobian_reverse(jacobian_reverse) -> str:
    """``jacobian_reverse(f, x)``: the (m, n) Jacobian of f: Rⁿ → Rᵐ from m VJPs."""
    expect_function(jacobian_reverse, "jacobian_reverse")
    cases = _jacobian_cases(np.random.default_rng(23))
    for description, f, x, J in cases:
        what = f"jacobian_reverse for {description}"
        arr, backward_passes = _count_backward_passes(
            lambda f=f, x=x, what=what: call_on_copy(jacobian_reverse, what, f, x)
        )
        arr = as_answer_array(arr, what)
        m, n = J.shape
        if arr.shape != J.shape:
            if arr.shape == (n, m):
                raise Incorrect(
                    f"{what} has shape {arr.shape}, the transpose of the Jacobian's shape "
                    f"{J.shape}: row i should hold the derivatives of output i"
                )
            raise Incorrect(
                f"{what} has shape {arr.shape}; the Jacobian of a map from R^{n} to R^{m} has "
                f"shape {J.shape} (one row per output)"
            )
        if m == n and not np.allclose(J, J.T) and np.allclose(arr, J.T, rtol=1e-8, atol=1e-10):
            raise Incorrect(
                f"{what} is the transpose of the Jacobian: row i should hold the derivatives of "
                "output i, that is the VJP with u = e_i"
            )
        if not np.allclose(arr, J, rtol=1e-10, atol=1e-12) and np.allclose(
            arr, J, rtol=1e-4, atol=1e-6
        ):
            raise Incorrect(
                f"{what} is close but not exact to rounding (as from finite differences); "
                "use reverse mode, autodiff.vjp, which is exact"
            )
        expect_array(arr, J, what, rtol=1e-10, atol=1e-12)
        if backward_passes == 0:
            raise Incorrect(
                f"{what} has the right values, but no backward pass ran (Tensor.backward was never "
                "called): that is forward mode or finite differences, column by column; build it by "
                "reverse mode, one autodiff.vjp pullback per output"
            )
    return f"your Jacobians are exact for {len(cases)} functions, from R^6 → R^1 to R^7 → R^7"


def _count_backward_passes(run):
    """run()'s result and how many times ``Tensor.backward`` ran during it.

    Values alone cannot tell reverse mode from forward mode, or from a finite difference
    extrapolated to rounding accuracy; counting the backward passes can.
    """
    from nblib.autodiff import Tensor

    original = Tensor.__dict__["backward"]
    calls = 0

    def counted(self, *args, **kwargs):
        nonlocal calls
        calls += 1
        return original(self, *args, **kwargs)

    Tensor.backward = counted
    try:
        return run(), calls
    finally:
        Tensor.backward = original


# ---------------------------------------------------------------------------
# Section 2.1: derivatives, the chain rule and Jacobians
# ---------------------------------------------------------------------------


def _softmax_1d(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - np.max(z))
    return e / e.sum()


@register("ca-softmax-jacobian")
def check_softmax_jacobian(softmax_jacobian) -> str:
    """``softmax_jacobian(z)``: the n x n Jacobian diag(p) - p pᵀ of p = softmax(z) (eq-ca-jac-softmax)."""
    expect_function(softmax_jacobian, "softmax_jacobian")
    rng = np.random.default_rng(21)
    cases = [rng.standard_normal(n) * s for n, s in [(3, 1.0), (2, 0.5), (5, 2.0), (10, 3.0)]]
    cases += [
        np.zeros(4),
        np.array([1000.0, 1001.0, 999.0]),
        np.array([-800.0, -801.0, -799.5, -800.2]),
    ]
    for z in cases:
        n = len(z)
        what = f"softmax_jacobian(z) for z of length {n}"
        arr = as_answer_array(call_on_copy(softmax_jacobian, what, z), what)
        if arr.shape != (n, n):
            raise Incorrect(
                f"{what} has shape {arr.shape}; the Jacobian of a map R^{n} -> R^{n} is {n} x {n}"
            )
        p = _softmax_1d(z)
        expected = np.diag(p) - np.outer(p, p)
        if np.allclose(arr, expected, rtol=1e-6, atol=1e-9):
            continue
        if np.allclose(arr, np.diag(p), rtol=1e-6, atol=1e-9):
            raise Incorrect(
                f"{what} is diagonal, but every output of the softmax depends on every input "
                "(they share the normalising sum)"
            )
        if not np.allclose(arr, arr.T, rtol=1e-6, atol=1e-9):
            raise Incorrect(
                f"{what} is not symmetric, but dp_i/dz_j = dp_j/dz_i for the softmax; "
                "did you differentiate log-softmax, or mix up p and z?"
            )
        if not np.allclose(arr.sum(axis=1), 0, atol=1e-8):
            raise Incorrect(
                f"the rows of {what} do not sum to zero; they must, because adding the same "
                "constant to every z_i leaves the softmax unchanged"
            )
        expect_array(arr, expected, what, rtol=1e-6, atol=1e-9)
    return (
        f"your softmax Jacobian is right on {len(cases)} inputs, including large ones where a naive "
        "exp overflows"
    )


# ---------------------------------------------------------------------------
# Section 2.5: curvature
# ---------------------------------------------------------------------------

_CRITICAL_KINDS = ("minimum", "maximum", "saddle", "degenerate")


def _classify_critical_point(H: np.ndarray) -> str:
    """The second-derivative test (eq-ca-second-derivative-test), zero relative to max |λ|."""
    lam = np.linalg.eigvalsh(H)
    scale = np.abs(lam).max()
    if scale == 0:
        return "degenerate"
    positive, negative = lam > 1e-8 * scale, lam < -1e-8 * scale
    if positive.any() and negative.any():
        return "saddle"
    if not (positive | negative).all():
        return "degenerate"
    return "minimum" if positive.all() else "maximum"


def _symmetric_with_eigenvalues(eigenvalues, rng: np.random.Generator) -> np.ndarray:
    """Q diag(eigenvalues) Qᵀ with a random rotation Q, made exactly symmetric."""
    n = len(eigenvalues)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    H = Q @ np.diag(eigenvalues) @ Q.T
    return (H + H.T) / 2


@register("ca-classify-critical")
def check_classify_critical(classify_critical_point) -> str:
    """``classify_critical_point(H)``: minimum / maximum / saddle / degenerate from the eigenvalues."""
    expect_function(classify_critical_point, "classify_critical_point")
    rng = np.random.default_rng(251)
    # (description, H, a hint for the typical mistake this case catches, or None)
    cases = [
        ("H = diag(2, 3)", np.diag([2.0, 3.0]), None),
        ("H = diag(-1, -4)", np.diag([-1.0, -4.0]), None),
        (
            "H = [[1, 2], [2, 1]]",
            np.array([[1.0, 2.0], [2.0, 1.0]]),
            "its diagonal entries are both positive, but its eigenvalues are 3 and -1: the signs "
            "of the eigenvalues decide, not the diagonal",
        ),
        (
            "a 3 x 3 H with eigenvalues -1, -1, 1",
            _symmetric_with_eigenvalues([-1.0, -1.0, 1.0], rng),
            "its determinant is positive although it has eigenvalues of both signs: in more than "
            "two dimensions the determinant does not decide",
        ),
        (
            "a 4 x 4 positive definite H",
            _symmetric_with_eigenvalues([0.5, 1.0, 3.0, 7.0], rng),
            None,
        ),
        (
            "a 5 x 5 negative definite H",
            -_symmetric_with_eigenvalues([0.2, 1, 2, 3, 9.0], rng),
            None,
        ),
        (
            "H = diag(0, 2)",
            np.diag([0.0, 2.0]),
            "one eigenvalue is zero, so the quadratic model is flat in that direction and higher "
            "derivatives decide (x^4 + y^2 and x^3 + y^2 both have this Hessian)",
        ),
        ("H = 0", np.zeros((3, 3)), "a zero Hessian says nothing: the test is inconclusive"),
        (
            "a 3 x 3 H with eigenvalues 1, -1, 0",
            _symmetric_with_eigenvalues([1.0, -1.0, 0.0], rng),
            "eigenvalues of both signs already make a saddle, whatever the zero eigenvalue does",
        ),
        (
            "a rotated 3 x 3 H with eigenvalues 5, 3 and 0 (zero up to rounding)",
            _symmetric_with_eigenvalues([5.0, 3.0, 0.0], rng),
            "one eigenvalue is zero up to rounding (about 1e-16): compare with a tolerance "
            "relative to the largest |eigenvalue|, not with exactly 0",
        ),
        (
            "H = 1e-10 * diag(2, 3)",
            1e-10 * np.diag([2.0, 3.0]),
            "scaling H by a positive number does not change the signs of its eigenvalues: make the "
            "tolerance relative to the largest |eigenvalue|, not an absolute 1e-8",
        ),
        ("H = diag(1e4, 1e-2)", np.diag([1e4, 1e-2]), None),
    ]
    for description, H, hint in cases:
        what = f"classify_critical_point for {description}"
        answer = call_on_copy(classify_critical_point, what, H)
        if not isinstance(answer, str) or answer not in _CRITICAL_KINDS:
            raise Incorrect(
                f"{what} returned {answer!r}; return one of the strings "
                + ", ".join(repr(k) for k in _CRITICAL_KINDS)
            )
        expected = _classify_critical_point(H)
        if answer != expected:
            reason = (
                hint or "compute the eigenvalues of H (np.linalg.eigvalsh) and look at their signs"
            )
            raise Incorrect(f"{what} is not {answer!r}: {reason}")
    return (
        f"your classification is right on {len(cases)} Hessians from 2 x 2 to 5 x 5, including "
        "degenerate and badly scaled ones"
    )


# ---------------------------------------------------------------------------
# Section 2.4: loss functions and regularization
# ---------------------------------------------------------------------------


def _soft_threshold(w: np.ndarray, t: float) -> np.ndarray:
    """S_t(w) = sign(w) max(|w| − t, 0), the proximal step of t‖w‖₁ (eq-ca-soft-threshold)."""
    return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)


@register("ca-soft-threshold")
def check_soft_threshold(soft_threshold) -> str:
    """``soft_threshold(w, t)``: argmin_v ½‖v − w‖² + t‖v‖₁, entrywise."""
    expect_function(soft_threshold, "soft_threshold")
    rng = np.random.default_rng(31)
    cases = [((7,), 0.5), ((3, 4), 1.0), ((50,), 0.0), ((6,), 10.0), ((2, 3, 2), 0.25)]
    for shape, t in cases:
        w = rng.standard_normal(shape) * 2
        w.flat[0], w.flat[1] = t, -t  # entries exactly at the threshold go to 0
        what = f"soft_threshold(w, {t}) for w of shape {shape}"
        arr = as_answer_array(call_on_copy(soft_threshold, what, w, t), what)
        if arr.shape != w.shape:
            raise Incorrect(f"{what} has shape {arr.shape}; it should have the shape of w")
        expected = _soft_threshold(w, t)
        small = np.abs(w) <= t
        if np.any(small) and not np.allclose(arr[small], 0, atol=1e-12):
            raise Incorrect(
                f"{what} is not 0 for every entry with |w_i| <= t; the L1 step sets those "
                "entries exactly to zero"
            )
        big = ~small
        if np.any(big) and np.allclose(arr[big], w[big], rtol=1e-9, atol=1e-12) and t > 0:
            raise Incorrect(
                f"{what} keeps the entries with |w_i| > t unchanged (hard thresholding); "
                "soft thresholding also moves them towards 0 by t"
            )
        if np.any(arr[big] * w[big] < 0):
            raise Incorrect(
                f"{what} changes the sign of some entries with |w_i| > t; the step moves each "
                "entry towards 0 but never past it"
            )
        expect_array(arr, expected, what, rtol=1e-9, atol=1e-12)
    return f"your soft_threshold is right on {len(cases)} arrays, including t = 0 and a large t"


def _cross_entropy_grad(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(softmax(z) − onehot(y)) / n, the gradient of the mean cross-entropy (eq-ca-ce-grad)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(shifted)
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1
    return p / len(labels)


@register("ca-ce-grad")
def check_ce_grad(cross_entropy_grad_manual) -> str:
    """``cross_entropy_grad_manual(logits, labels)``: ∂/∂z of the mean softmax cross-entropy."""
    expect_function(cross_entropy_grad_manual, "cross_entropy_grad_manual")
    rng = np.random.default_rng(37)
    cases = [((4, 3), 1.0), ((1, 5), 1.0), ((10, 2), 3.0), ((6, 4), 1e4)]
    for (n, k), scale in cases:
        logits = rng.standard_normal((n, k)) * scale
        labels = rng.integers(0, k, size=n)
        what = f"your gradient for logits of shape {(n, k)}"
        if scale > 100:
            what += f" and size up to {np.abs(logits).max():.0e}"
        out = call_on_copy(cross_entropy_grad_manual, what, logits, labels)
        try:
            arr = np.asarray(out, dtype=float)
        except (TypeError, ValueError) as exc:
            raise Incorrect(f"{what} should be a numeric array") from exc
        if arr.shape == (n, k) and not np.all(np.isfinite(arr)):
            raise Incorrect(
                f"{what} contains NaN or infinite values: e^z overflows for large logits; "
                "subtract each row's maximum before exponentiating (log-sum-exp)"
            )
        arr = as_answer_array(out, what)
        if arr.shape != (n, k):
            raise Incorrect(
                f"{what} has shape {arr.shape}; the gradient with respect to the logits has "
                f"their shape {(n, k)}"
            )
        expected = _cross_entropy_grad(logits, labels)
        if np.allclose(arr, -expected, rtol=1e-6, atol=1e-12):
            raise Incorrect(f"{what} has the wrong sign: the loss is minus the log-probability")
        if n > 1 and np.allclose(arr, n * expected, rtol=1e-6, atol=1e-12):
            raise Incorrect(
                f"{what} is {n} times too large: the loss is the mean over the batch, so "
                "divide by the batch size"
            )
        if not np.allclose(arr.sum(axis=1), 0, atol=1e-9):
            raise Incorrect(
                f"{what} has rows that do not sum to 0; softmax and the one-hot label both sum "
                "to 1, so each row of their difference sums to 0"
            )
        expect_array(arr, expected, what, rtol=1e-6, atol=1e-12)
    return f"your gradient matches on {len(cases)} batches, including logits of size 1e4"


# ---------------------------------------------------------------------------
# Section 2.2: backpropagation by hand
# ---------------------------------------------------------------------------


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # σ(z), without overflow


def _two_layer_backward(W1, b1, W2, b2, X, y, *, act_grad=True, mean=True):
    """Reference gradients (dW1, db1, dW2, db2) of the mean softmax cross-entropy (eq-ca-bp-batch).

    ``act_grad=False`` and ``mean=False`` give the two classic mistakes, to recognise them.
    """
    batch = len(y)
    A1 = _sigmoid(X @ W1.T + b1)
    Z2 = A1 @ W2.T + b2
    E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    D2 = E / E.sum(axis=1, keepdims=True)
    D2[np.arange(batch), y] -= 1.0
    if mean:
        D2 /= batch
    D1 = D2 @ W2
    if act_grad:
        D1 = D1 * A1 * (1.0 - A1)
    return D1.T @ X, D1.sum(axis=0), D2.T @ A1, D2.sum(axis=0)


_GRAD_NAMES = ("dW1", "db1", "dW2", "db2")


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    """Agreement to rounding: float64 backpropagation reaches ~1e-15; a central difference ~1e-10."""
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-10, atol=1e-13)


def _roughly(a: np.ndarray, b: np.ndarray) -> bool:
    """Loose agreement, to recognise an approximate answer or a known mistake."""
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-4, atol=1e-7)


@register("ca-two-layer-backward")
def check_two_layer_backward(two_layer_backward) -> str:
    """``two_layer_backward(W1, b1, W2, b2, X, y)``: the four gradients of the mean softmax
    cross-entropy of a sigmoid two-layer network, eq. (eq-ca-bp-batch)."""
    expect_function(two_layer_backward, "two_layer_backward")
    rng = np.random.default_rng(22)
    cases = [(6, 3, 4, 2), (1, 2, 3, 3), (10, 4, 6, 3), (17, 5, 7, 4)]  # (B, n, m, k)
    for B, n, m, k in cases:
        W1, b1 = rng.standard_normal((m, n)), rng.standard_normal(m)
        W2, b2 = rng.standard_normal((k, m)), rng.standard_normal(k)
        X = rng.standard_normal((B, n))
        y = rng.integers(0, k, size=B)
        params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
        what = f"two_layer_backward for a batch of {B}, n = {n}, m = {m}, k = {k}"
        out = call_on_copy(two_layer_backward, what, W1, b1, W2, b2, X, y)
        if not isinstance(out, (tuple, list)) or len(out) != 4:
            raise Incorrect(f"{what}: return the four gradients as a tuple (dW1, db1, dW2, db2)")
        got = [
            as_answer_array(g, f"{name} ({what})") for g, name in zip(out, _GRAD_NAMES, strict=True)
        ]
        for g, name, (pname, p) in zip(got, _GRAD_NAMES, params.items(), strict=True):
            if g.shape == p.shape:
                continue
            if p.ndim == 2 and g.shape == p.T.shape:
                raise Incorrect(
                    f"{name} has shape {g.shape}, the transpose of {pname}'s shape {p.shape}: a gradient "
                    f"has the shape of its parameter; check the order of the factors (Δᵀ X, not Xᵀ Δ)"
                )
            raise Incorrect(
                f"{name} has shape {g.shape}, but {pname} has shape {p.shape}; a gradient has the "
                "shape of its parameter (did you sum over the batch?)"
            )
        ref = _two_layer_backward(W1, b1, W2, b2, X, y)
        ok = [_close(g, r) for g, r in zip(got, ref, strict=True)]
        if all(ok):
            continue
        if all(_roughly(g, r) for g, r in zip(got, ref, strict=True)):
            raise Incorrect(
                f"{what}: the gradients are close but not exact to rounding (as from finite "
                "differences); write the backward pass of eq. (eq-ca-bp-batch), which is exact"
            )
        summed = _two_layer_backward(W1, b1, W2, b2, X, y, mean=False)
        if B > 1 and all(_roughly(g, r) for g, r in zip(got, summed, strict=True)):
            raise Incorrect(
                f"{what}: every gradient is {B} times too large; the loss is the mean over the batch, "
                "so the gradients are averaged, not summed"
            )
        if ok[2] and ok[3]:
            no_act = _two_layer_backward(W1, b1, W2, b2, X, y, act_grad=False)
            if _roughly(got[0], no_act[0]) and _roughly(got[1], no_act[1]):
                raise Incorrect(
                    f"{what}: dW2 and db2 are right, but dW1 and db1 miss a factor: the signal passed "
                    "down must be multiplied elementwise by σ'(z1) = a1 (1 - a1)"
                )
            raise Incorrect(
                f"{what}: dW2 and db2 are right, but dW1 and db1 are not; check δ1 = (Δ2 W2) ⊙ σ'(z1), "
                "with σ' evaluated at z1 (through a1 = σ(z1)), then dW1 = Δ1ᵀ X"
            )
        wrong = ", ".join(name for name, good in zip(_GRAD_NAMES, ok, strict=True) if not good)
        raise Incorrect(
            f"{what}: {wrong} wrong; start from Δ2 = (P - Y) / B with P the softmax of the scores and "
            "Y the one-hot labels"
        )
    return f"your backward pass is right on {len(cases)} networks and batches, including a batch of one"


# ---------------------------------------------------------------------------
# Section 2.3: ca-hvp, a Hessian-vector product by forward over reverse
# ---------------------------------------------------------------------------


def _tanh_net_hessian(theta: np.ndarray, X: np.ndarray, y: np.ndarray, *, residual: bool = True):
    """The Hessian of L(θ) = (1/2B) Σ_b (w2ᵀ tanh(W1 x_b + b1) + b2 − y_b)², written out by hand.

    θ packs [W1 (m × n, row by row), b1 (m), w2 (m), b2]. With f_b the output and r_b = f_b − y_b,
    H = (1/B) Σ_b (∇f_b ∇f_bᵀ + r_b ∇²f_b) (the Gauss–Newton term and the residual term);
    ``residual=False`` drops the second, to recognise the Gauss–Newton matrix alone.
    """
    B, n = X.shape
    m = (theta.size - 1) // (n + 2)
    W1 = theta[: m * n].reshape(m, n)
    b1, w2 = theta[m * n : m * n + m], theta[m * n + m : m * n + 2 * m]
    b2 = theta[-1]
    P = theta.size
    iW, ib1 = np.arange(m * n).reshape(m, n), m * n + np.arange(m)
    iw2, ib2 = m * n + m + np.arange(m), P - 1
    H = np.zeros((P, P))
    for x, t in zip(X, y, strict=True):
        a = np.tanh(W1 @ x + b1)
        s = 1 - a**2  # tanh'(z)
        ds = -2 * a * s  # tanh''(z)
        grad_f = np.zeros(P)
        grad_f[iW] = (w2 * s)[:, None] * x
        grad_f[ib1], grad_f[iw2], grad_f[ib2] = w2 * s, a, 1.0
        H += np.outer(grad_f, grad_f)
        if residual:
            r = w2 @ a + b2 - t
            hess_f = np.zeros((P, P))
            u = np.append(x, 1.0)  # unit i's incoming weights and bias act on (x, 1)
            for i in range(m):
                rows = np.append(iW[i], ib1[i])
                hess_f[np.ix_(rows, rows)] = w2[i] * ds[i] * np.outer(u, u)
                hess_f[rows, iw2[i]] = hess_f[iw2[i], rows] = s[i] * u
            H += r * hess_f
    return H / B


@register("ca-hvp")
def check_hvp(hvp) -> str:
    """``hvp(theta, v, X, y)``: H v for the squared-error loss of a one-hidden-layer tanh network,
    exact to rounding (forward mode through the reverse pass)."""
    expect_function(hvp, "hvp")
    rng = np.random.default_rng(231)
    cases = [(5, 2, 3), (1, 3, 2), (12, 2, 8)]  # (B, n, m)
    for B, n, m in cases:
        P = m * n + 2 * m + 1
        theta, v = rng.standard_normal(P), rng.standard_normal(P)
        X, y = rng.standard_normal((B, n)), rng.standard_normal(B)
        what = f"hvp for a batch of {B}, n = {n} inputs, m = {m} hidden units ({P} parameters)"
        arr = as_answer_array(call_on_copy(hvp, what, theta, v, X, y), what)
        if arr.shape != (P,):
            raise Incorrect(f"{what} has shape {arr.shape}; H v has the shape of θ, ({P},)")
        H = _tanh_net_hessian(theta, X, y)
        expected = H @ v
        if np.allclose(arr, expected, rtol=1e-10, atol=1e-12):
            continue
        if np.allclose(arr, _tanh_net_hessian(theta, X, y, residual=False) @ v, rtol=1e-8):
            raise Incorrect(
                f"{what} is the Gauss–Newton product (1/B) Σ ∇f ∇fᵀ v: it misses the term "
                "r ∇²f of the second derivatives of the network; differentiate the whole "
                "backward pass, including the activations it reuses"
            )
        if np.allclose(arr, expected, rtol=1e-4, atol=1e-6):
            raise Incorrect(
                f"{what} is close but not exact to rounding (as from finite differences of the "
                "gradient); push a Dual through the backward pass instead"
            )
        expect_array(arr, expected, what, rtol=1e-10, atol=1e-12)
    return f"your Hessian-vector products are exact for {len(cases)} networks, up to 33 parameters"
