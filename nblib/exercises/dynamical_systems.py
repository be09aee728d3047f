"""Checks for Chapter 8, Dynamical systems: recurrent networks, stability, chaos and training dynamics (exercise labels start with ``ds-``). How a check works: :mod:`nblib.exercises`."""

from __future__ import annotations

import numpy as np

from . import (
    Incorrect,
    as_answer_array,
    call_on_copy,
    expect_function,
    register,
)

__all__: list[str] = []  # checks are reached through nblib.exercises.check(label, answer)


# ---------------------------------------------------------------------------
# Section 8.1
# ---------------------------------------------------------------------------


def _newton_reference(W, c, h0, tol=1e-13, max_iter=60):
    """Newton's method on G(h) = tanh(Wh + c) − h, eq. (eq-ds-newton) of Section 8.1."""
    h = np.array(h0, dtype=float)
    for _ in range(max_iter):
        f = np.tanh(W @ h + c)
        g = f - h
        if np.linalg.norm(g) < tol:
            break
        h = h - np.linalg.solve((1 - f**2)[:, None] * W - np.eye(len(h)), g)
    return h


def _newton_cases() -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """(what, W, c, h0): starts 0.05 from a stable point, a saddle, a source; a contraction."""
    rng = np.random.default_rng(81)
    W2 = np.array([[2.0, 0.3], [0.2, 1.8]])
    c2 = np.array([0.1, -0.05])
    cases = []
    for what, guess in [
        ("a start next to a stable fixed point", [0.98, 0.95]),
        ("a start next to a saddle", [-0.93, 0.31]),
        ("a start next to the unstable fixed point near the origin", [-0.13, 0.09]),
    ]:
        star = _newton_reference(W2, c2, guess)
        cases.append((what, W2, c2, star + np.array([0.05, -0.04])))
    W5 = 0.5 * rng.standard_normal((5, 5)) / np.sqrt(5)
    cases.append(
        ("a contracting 5-unit network", W5, rng.standard_normal(5), rng.uniform(-1, 1, 5))
    )
    # a non-symmetric 3-unit network, 0.05 from a source (|eigenvalues| 1.26, 1.93, 2.97): Newton
    # with the transposed Jacobian, or with W diag(1 - F²) in place of diag(1 - F²) W, misses it
    W3 = np.array([[0.8, -0.9, -4.75], [-0.27, -2.0, 2.7], [-0.72, 0.21, -2.12]])
    cases.append(
        (
            "a non-symmetric 3-unit network, next to a source",
            W3,
            np.array([-0.15, 0.0, -0.45]),
            np.array([-0.69, 0.075, 0.0]),
        )
    )
    return cases


@register("ds-newton-fixed-point")
def _check_newton_fixed_point(answer) -> str:
    expect_function(answer, "newton_fixed_point")
    for what, W, c, h0 in _newton_cases():
        out = as_answer_array(call_on_copy(answer, "newton_fixed_point", W, c, h0), "the result")
        if out.shape != h0.shape:
            raise Incorrect(
                f"for {what}, newton_fixed_point should return one state of shape {h0.shape}, "
                f"got shape {out.shape}"
            )
        residual = np.linalg.norm(np.tanh(W @ out + c) - out)
        if residual > 1e-8:
            linear = np.linalg.norm(W @ out + c - out) < 1e-8
            raise Incorrect(
                f"for {what}, your h is not a fixed point: ‖tanh(W h + c) − h‖ = {residual:.1e}"
                + (
                    "; it solves W h + c = h, the map without its tanh"
                    if linear
                    else "; iterate the Newton step until the residual is below 1e-10 (Newton "
                    "needs the Jacobian of G(h) = tanh(W h + c) − h, which includes the − I, and "
                    "DF(h) = diag(1 − F(h)²) W: row i of W times tanh'(a_i), not its transpose)"
                )
            )
        want = _newton_reference(W, c, h0)
        if np.linalg.norm(out - want) > 1e-6:
            raise Incorrect(
                f"for {what}, your h is a fixed point, but not the one Newton's method reaches from "
                "h0 (the nearest one here); iterating the map itself only finds stable fixed points "
                "and runs away from saddles and sources"
            )
    return "correct: Newton converges to the stable point, the saddle and the source next to each start"


# ---------------------------------------------------------------------------
# Section 8.2
# ---------------------------------------------------------------------------


def _qr_exponents(jacobians: np.ndarray) -> np.ndarray:
    """Reference: Q <- J_n Q then QR at every step; (1/n) sum log|R_ii|, decreasing."""
    n, d, _ = jacobians.shape
    Q, total = np.eye(d), np.zeros(d)
    for J in jacobians:
        Q, R = np.linalg.qr(J @ Q)
        total += np.log(np.abs(np.diag(R)))
    return np.sort(total / n)[::-1]


def _qr_cases() -> list[tuple[str, np.ndarray]]:
    """Jacobian sequences whose exponents a correct QR iteration recovers."""
    rng = np.random.default_rng(82)
    cases = [
        ("a constant diagonal map diag(2, 0.5, -3)", np.tile(np.diag([2.0, 0.5, -3.0]), (40, 1, 1)))
    ]
    x, henon = np.array([0.1, 0.1]), []
    for n in range(600):  # Hénon orbit (a = 1.4, b = 0.3); first 100 steps reach the attractor
        if n >= 100:
            henon.append([[-2.8 * x[0], 1.0], [0.3, 0.0]])
        x = np.array([1 - 1.4 * x[0] ** 2 + x[1], 0.3 * x[0]])
    cases.append(("500 Jacobians along a Hénon orbit", np.array(henon)))
    cases.append(("300 random 4 x 4 Gaussian matrices", rng.standard_normal((300, 4, 4))))
    # growth e^{2.3} per step: the plain product overflows after about 300 steps
    cases.append(
        (
            "800 steps of a map that stretches by 10 per step",
            10.0 * rng.standard_normal((800, 2, 2)) / np.sqrt(2),
        )
    )
    return cases


@register("ds-lyapunov-qr")
def _check_lyapunov_qr(answer) -> str:
    expect_function(answer, "lyapunov_qr")
    cases = _qr_cases()
    for what, jac in cases:
        n, d, _ = jac.shape
        with np.errstate(all="ignore"):
            out = call_on_copy(answer, "lyapunov_qr", jac)
        with np.errstate(all="ignore"):
            raw = np.asarray(out, dtype=float) if out is not None else None
        if raw is not None and raw.shape == (d,) and not np.isfinite(raw).all():
            raise Incorrect(
                f"lyapunov_qr returned {raw} on {what}: the logarithm of a negative or zero "
                "number, or an overflow. Take log|R_ii| (R's diagonal can be negative), and "
                "re-orthonormalize with a QR at every step instead of multiplying all the "
                "Jacobians first"
            )
        out = as_answer_array(out, f"lyapunov_qr on {what}")
        if out.shape != (d,):
            raise Incorrect(
                f"lyapunov_qr returned shape {out.shape} on {what}; it should return the {d} "
                f"exponents, shape ({d},)"
            )
        expected = _qr_exponents(jac)
        if np.allclose(out, expected, rtol=1e-8, atol=1e-10):
            continue
        if np.allclose(np.sort(out)[::-1], expected, rtol=1e-8, atol=1e-10):
            raise Incorrect(f"the exponents on {what} are right but not in decreasing order")
        if np.allclose(out, _qr_exponents(np.transpose(jac, (0, 2, 1))), rtol=1e-6, atol=1e-9):
            raise Incorrect(
                f"on {what} you used the transposed Jacobians: the frame moves as Q <- J_n Q"
            )
        if np.allclose(out, _qr_exponents(jac[::-1]), rtol=1e-6, atol=1e-9):
            raise Incorrect(
                f"on {what} you applied the Jacobians in reverse order: J_0 acts first, "
                "Q_1 R_0 = J_0 Q_0"
            )
        ratio = out / np.where(expected == 0, np.nan, expected)
        if np.nanmax(ratio) - np.nanmin(ratio) < 1e-6 and abs(np.nanmean(ratio) - 1) > 1e-6:
            raise Incorrect(
                f"the exponents on {what} are off by the factor {np.nanmean(ratio):.4g}: divide "
                f"the sum of log|R_ii| over the n = {n} steps by n"
            )
        if np.isclose(out[0], expected[0], rtol=1e-6):
            raise Incorrect(
                f"on {what} only the largest exponent is right: the product of many Jacobians "
                "keeps only its top direction to rounding, so re-orthonormalize with a QR at "
                "every step"
            )
        raise Incorrect(
            f"lyapunov_qr is wrong on {what} (largest error "
            f"{np.max(np.abs(out - expected)):.3g}): after Q_(n+1) R_n = J_n Q_n the exponents "
            "are (1/n) sum_n log|(R_n)_ii|"
        )
    return f"correct on {len(cases)} sequences, including a diagonal map and one that overflows a plain product"


# ---------------------------------------------------------------------------
# Section 8.3
# ---------------------------------------------------------------------------


def _tanh_mean_field(
    weight_var: float, bias_var: float, scale: float = 1.0
) -> tuple[float, float, float]:
    """q*, χ₁ and the unsquared σ_w² E[φ'] of a tanh network, by 300-node Gauss–Hermite.

    ``scale`` multiplies the standard-normal nodes: 1/√2 reproduces the rule of ``hermgauss`` used
    without the substitution z = √2 x (an expectation over N(0, 1/2)), a typical wrong answer.
    """
    from scipy import special

    x, w = special.roots_hermite(300)
    z, w = np.sqrt(2.0) * scale * x, w / np.sqrt(np.pi)
    q = 1.0
    for _ in range(100_000):
        q_next = weight_var * w @ np.tanh(np.sqrt(q) * z) ** 2 + bias_var
        done = abs(q_next - q) <= 1e-15 * max(q, 1e-300)
        q = q_next
        if done:
            break
    d = 1 - np.tanh(np.sqrt(q) * z) ** 2
    return float(q), float(weight_var * w @ d**2), float(weight_var * w @ d)


@register("ds-mean-field")
def _check_mean_field(answer) -> str:
    from ..dynamics import chi1, mean_field_q_star

    expect_function(answer, "mean_field")
    # the running example, q* = 0 (σ_b = 0, σ_w² < 1), a small q* (σ_b = 0, σ_w² just above 1), chaos
    cases = [(1.5, 0.05), (0.5, 0.0), (1.2, 0.0), (3.0, 0.1), (2.5, 0.3)]
    for sw2, sb2 in cases:
        out = answer(sw2, sb2)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise Incorrect(
                f"mean_field({sw2}, {sb2}) should return a pair (q_star, chi1), got "
                f"{type(out).__name__}"
                + (f" of length {len(out)}" if hasattr(out, "__len__") else "")
            )
        q, c = (float(np.asarray(v, dtype=float)) if np.ndim(v) == 0 else np.nan for v in out)
        if not (np.isfinite(q) and np.isfinite(c)):
            raise Incorrect(
                f"mean_field({sw2}, {sb2}) should return two finite numbers, got {out!r}"
            )
        q_ref, c_ref = mean_field_q_star(sw2, sb2), chi1(sw2, sb2)

        def close(a: float, b: float) -> bool:
            return bool(np.isclose(a, b, rtol=1e-6, atol=1e-9))

        if close(q, q_ref) and close(c, c_ref):
            continue
        where = f"for weight_var={sw2}, bias_var={sb2}"
        if close(q, c_ref) and close(c, q_ref):
            raise Incorrect(f"{where} the pair is swapped: return (q_star, chi1) in that order")
        q_half, c_half, _ = _tanh_mean_field(sw2, sb2, scale=1 / np.sqrt(2))
        if close(q, q_half) or close(c, c_half):
            raise Incorrect(
                f"{where} your expectations are over N(0, 1/2): hermgauss integrates against "
                "exp(-x²), so the nodes need the factor √2 (and the weights 1/√π)"
            )
        if sb2 > 0 and sw2 != 1 and close(q, mean_field_q_star(sw2**2, sb2**2)):
            raise Incorrect(
                f"{where} you squared the arguments: weight_var and bias_var are already the "
                "variances σ_w² and σ_b²"
            )
        if not close(q, q_ref):
            hint = "too large" if q > q_ref else "too small"
            raise Incorrect(
                f"{where} q_star is {hint}: it is the fixed point q = σ_w² E[tanh(√q z)²] + σ_b²"
            )
        if close(c, _tanh_mean_field(sw2, sb2)[2]):
            raise Incorrect(
                f"{where} chi1 averages φ' instead of φ'²: χ₁ = σ_w² E[φ'(√q* z)²], the mean "
                "squared slope"
            )
        z, w = np.polynomial.hermite.hermgauss(300)
        chi_at_1 = sw2 * (w / np.sqrt(np.pi)) @ (1 - np.tanh(np.sqrt(2.0) * z) ** 2) ** 2
        if close(c, chi_at_1):  # σ_w² E[φ'(z)²]: the slope at q = 1, where the iteration started
            raise Incorrect(
                f"{where} chi1 is evaluated at q = 1: χ₁ = σ_w² E[φ'(√q* z)²] at the fixed point q*"
            )
        hint = "too large" if c > c_ref else "too small"
        raise Incorrect(f"{where} q_star is right but chi1 is {hint}: φ'(u) = 1 - tanh(u)²")
    return f"correct on {len(cases)} networks, including q* = 0 and the chaotic phase"


# ---------------------------------------------------------------------------
# Section 8.4
# ---------------------------------------------------------------------------


def _bptt_jacobian_cases() -> list[tuple[np.ndarray, ...]]:
    rng = np.random.default_rng(84)
    cases = []
    for n, n_in, T, gain in [(3, 2, 1, 1.0), (4, 2, 6, 1.5), (5, 3, 12, 0.9), (4, 1, 25, 2.5)]:
        W = gain * rng.standard_normal((n, n)) / np.sqrt(n)  # not symmetric: a transpose shows
        U = rng.standard_normal((n, n_in))
        b = 0.3 * rng.standard_normal(n)
        X = rng.standard_normal((T, n_in))
        h0 = rng.uniform(-0.8, 0.8, n)
        cases.append((W, U, b, X, h0))
    return cases


def _bptt_jacobian_reference(W, U, b, X, h0) -> np.ndarray:
    """∂h_T/∂h_0 by BPTT in nblib.rnn.RNN: n copies of the sequence, seeded with the rows of I."""
    from ..rnn import RNN

    n, n_in = U.shape
    net = RNN(n_in, n, rng=0)
    net.W_hh[...], net.W_ih[...], net.b_ih[...], net.b_hh[...] = W, U, b, 0.0
    net.forward(np.repeat(X[:, None, :], n, axis=1), np.tile(h0, (n, 1)))
    grad_H = np.zeros((len(X), n, n))
    grad_H[-1] = np.eye(n)  # sequence i asks for row i of the Jacobian
    net.backward(grad_H)
    return net.dh0


def _bptt_jacobian_wrong(W, U, b, X, h0) -> dict[str, np.ndarray]:
    """Typical slips: the factors multiplied in the wrong order, σ' from the previous state, no σ'."""
    H, h = [], h0
    for x in X:
        h = np.tanh(W @ h + U @ x + b)
        H.append(h)
    prev = [h0] + H[:-1]
    n = len(h0)
    reversed_order, previous_state, linear = np.eye(n), np.eye(n), np.eye(n)
    for t in range(len(X)):
        reversed_order = reversed_order @ ((1 - H[t] ** 2)[:, None] * W)
        previous_state = ((1 - prev[t] ** 2)[:, None] * W) @ previous_state
        linear = W @ linear
    return {"order": reversed_order, "previous": previous_state, "linear": linear}


@register("ds-bptt-jacobian")
def _check_bptt_jacobian(answer) -> str:
    expect_function(answer, "hidden_jacobian")
    cases = _bptt_jacobian_cases()
    for W, U, b, X, h0 in cases:
        T, n = len(X), len(h0)
        what = f"hidden_jacobian(W, U, b, X, h0) with n = {n} hidden units and T = {T} steps"
        out = as_answer_array(call_on_copy(answer, "hidden_jacobian", W, U, b, X, h0), what)
        if out.shape != (n, n):
            raise Incorrect(
                f"{what} has shape {out.shape}; ∂h_T/∂h_0 is an n × n matrix, ({n}, {n})"
            )
        expected = _bptt_jacobian_reference(W, U, b, X, h0)
        # rtol 1e-8: two orders of multiplying T matrices differ by about T·n·ε relative to the norm
        scale = np.linalg.norm(expected, 2)
        if np.allclose(out, expected, rtol=1e-8, atol=1e-10 * scale):
            continue
        if np.allclose(out, expected.T, rtol=1e-8, atol=1e-10 * scale):
            raise Incorrect(
                f"{what} is the transpose of ∂h_T/∂h_0: entry [i, j] should be ∂h_T[i]/∂h_0[j], "
                "so each new factor diag(σ'(a_t)) W multiplies from the left"
            )
        wrong = _bptt_jacobian_wrong(W, U, b, X, h0)
        if T > 1 and np.allclose(out, wrong["order"], rtol=1e-8, atol=1e-10 * scale):
            raise Incorrect(
                f"{what}: the factors are multiplied in the wrong order; the chain rule gives "
                "D_T W · … · D_1 W, the latest step on the left"
            )
        if np.allclose(out, wrong["previous"], rtol=1e-8, atol=1e-10 * scale):
            raise Incorrect(
                f"{what}: step t needs σ'(a_t) = 1 − h_t², the derivative at the state it produces, "
                "not 1 − h_(t−1)²"
            )
        if np.allclose(out, wrong["linear"], rtol=1e-8, atol=1e-10 * scale):
            raise Incorrect(f"{what} is the power W·W·…·W: the factors diag(1 − h_t²) are missing")
        err = np.max(np.abs(out - expected)) / scale
        if err < 1e-4:  # right to a few digits: an approximation, not a slip in the formula
            raise Incorrect(
                f"{what} is close but not exact (largest error {err:.3g} relative to the norm of "
                "the Jacobian): finite differences are not accurate enough here; multiply the exact "
                "factors diag(1 − h_t²) W"
            )
        raise Incorrect(
            f"{what} is wrong (largest error {err:.3g} relative to the norm of the Jacobian); "
            "run the forward pass from h0, then multiply the T factors diag(1 − h_t²) W"
        )
    return f"∂h_T/∂h_0 correct on {len(cases)} recurrent networks, from T = 1 to T = 25 steps"


# ---------------------------------------------------------------------------
# Section 8.5
# ---------------------------------------------------------------------------


def _modified_flow_cases() -> list[tuple[str, object, object, np.ndarray, float]]:
    """(what, grad, hess, theta, eta): a non-convex scalar model, a quadratic, a logistic loss."""
    rng = np.random.default_rng(85)

    def grad_f(th):  # ½(ab − 1)², the scalar two-layer model of Section 8.5
        a, b = th
        return np.array([b * (a * b - 1), a * (a * b - 1)])

    def hess_f(th):
        a, b = th
        return np.array([[b * b, 2 * a * b - 1], [2 * a * b - 1, a * a]])

    M = rng.standard_normal((3, 3))
    A = M @ M.T + np.eye(3)
    X = rng.standard_normal((20, 3))
    y = (rng.uniform(size=20) < 0.5).astype(float)

    def grad_log(w):  # mean logistic loss
        p = 1 / (1 + np.exp(-X @ w))
        return X.T @ (p - y) / len(y)

    def hess_log(w):
        p = 1 / (1 + np.exp(-X @ w))
        return (X * (p * (1 - p))[:, None]).T @ X / len(y)

    return [
        (
            "the scalar model ½(ab − 1)² at (1.5, 0.1), η = 0.1",
            grad_f,
            hess_f,
            np.array([1.5, 0.1]),
            0.1,
        ),
        ("the scalar model at (−0.7, 2.0), η = 0.03", grad_f, hess_f, np.array([-0.7, 2.0]), 0.03),
        (
            "a quadratic ½θᵀAθ in 3 dimensions, η = 0.05",
            lambda th: A @ th,
            lambda th: A,
            rng.standard_normal(3),
            0.05,
        ),
        ("a logistic-regression loss, η = 0.5", grad_log, hess_log, rng.standard_normal(3), 0.5),
    ]


@register("ds-modified-flow")
def _check_modified_flow(answer) -> str:
    expect_function(answer, "modified_gradient")
    cases = _modified_flow_cases()
    for what, grad, hess, theta, eta in cases:
        out = as_answer_array(
            call_on_copy(answer, "modified_gradient", grad, hess, theta, eta), "the result"
        )
        if out.shape != theta.shape:
            raise Incorrect(
                f"for {what}, modified_gradient should return a vector of shape {theta.shape} "
                f"(the gradient of the modified loss), got shape {out.shape}"
            )
        g, H = grad(theta), hess(theta)
        want = g + 0.5 * eta * H @ g
        scale = np.linalg.norm(want) + np.linalg.norm(g)
        if np.linalg.norm(out - want) <= 1e-8 * scale:
            continue
        if np.linalg.norm(out + want) <= 1e-8 * scale:
            raise Incorrect(
                f"for {what}, the sign is wrong: return the gradient of the modified loss; the flow "
                "is θ' = −(that gradient)"
            )
        if np.linalg.norm(out - g) <= 1e-8 * scale:
            raise Incorrect(
                f"for {what}, you returned the plain gradient ∇L: the implicit regularizer "
                "(η/4)‖∇L‖² adds a term"
            )
        for factor, why in [
            (0.25, "the gradient of ‖∇L‖² is 2 H ∇L, not H ∇L"),
            (1.0, "the regularizer is (η/4)‖∇L‖², and the gradient of ‖∇L‖² is 2 H ∇L"),
        ]:
            if np.linalg.norm(out - (g + factor * eta * H @ g)) <= 1e-8 * scale:
                raise Incorrect(f"for {what}, the correction term has the wrong factor: {why}")
        if np.linalg.norm(out - 0.5 * eta * H @ g) <= 1e-8 * scale:
            raise Incorrect(f"for {what}, you returned only the correction; add ∇L itself")
        if np.linalg.norm(out - (g - 0.5 * eta * H @ g)) <= 1e-8 * scale:
            raise Incorrect(
                f"for {what}, the correction has the wrong sign: the regularizer (η/4)‖∇L‖² is "
                "added to the loss, so (η/2) H ∇L is added to ∇L"
            )
        raise Incorrect(
            f"for {what}, modified_gradient is off by {np.linalg.norm(out - want):.3g} "
            "(the gradient of L + (η/4)‖∇L‖², with the Hessian from hess(theta))"
        )
    return f"correct on {len(cases)} losses, convex and non-convex"
