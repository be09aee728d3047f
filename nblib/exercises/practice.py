"""Checks for Chapter 10, Architecture and training practice, explained (exercise labels start with ``px-``). How a check works: :mod:`nblib.exercises`."""

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
# Section 10.1
# ---------------------------------------------------------------------------


def _path_expansion(As: list[np.ndarray], alpha: float, *, reverse: bool = False) -> np.ndarray:
    """The coefficients α^k P_k of ∏(I + αA_l) by enumerating every path (the truth, 2^L terms)."""
    n, L = As[0].shape[0], len(As)
    C = np.zeros((L + 1, n, n))
    for mask in range(2**L):
        P, k = np.eye(n), 0
        for m in range(L):
            if mask >> m & 1:
                P = P @ As[m] if reverse else As[m] @ P  # later layers on the left, unless reversed
                k += 1
        C[k] += alpha**k * P
    return C


def _ascending_in_place(As: list[np.ndarray], alpha: float) -> np.ndarray:
    """A typical mistake: the in-place update C[k] += αA C[k−1] for k = 1, 2, … in increasing order."""
    n = As[0].shape[0]
    C = np.zeros((len(As) + 1, n, n))
    C[0] = np.eye(n)
    for A in As:
        for k in range(1, len(As) + 1):
            C[k] = C[k] + alpha * (A @ C[k - 1])
    return C


def _expansion_cases() -> list[tuple[str, list[np.ndarray], float]]:
    """Non-commuting layers, so that the order of the product matters; one layer; α ≠ 1."""
    rng = np.random.default_rng(101)
    return [
        ("4 random 3×3 layers, α = 0.7", list(rng.standard_normal((4, 3, 3))), 0.7),
        ("6 random 2×2 layers, α = -1.5", list(rng.standard_normal((6, 2, 2))), -1.5),
        ("a single 4×4 layer, α = 2", [rng.standard_normal((4, 4))], 2.0),
        ("5 random 4×4 layers, α = 1", list(rng.standard_normal((5, 4, 4))), 1.0),
    ]


@register("px-residual-expansion")
def _check_residual_expansion(answer) -> str:
    expect_function(answer, "path_expansion")
    cases = _expansion_cases()
    for what, As, alpha in cases:
        L, n = len(As), As[0].shape[0]
        out = as_answer_array(call_on_copy(answer, "path_expansion", As, alpha), "the result")
        if out.shape != (L + 1, n, n):
            raise Incorrect(
                f"for {what}, path_expansion should return shape ({L + 1}, {n}, {n}) (one n×n "
                f"coefficient for each power α⁰ … α^L), got shape {out.shape}"
            )
        want = _path_expansion(As, alpha)
        scale = np.abs(want).max()

        def near(x, out=out, scale=scale) -> bool:
            return bool(np.allclose(out, x, rtol=0, atol=1e-9 * scale))  # 2^L sums of L products

        if near(want):
            continue
        if not np.allclose(out[0], np.eye(n), atol=1e-12):
            raise Incorrect(
                f"for {what}, C[0] must be the identity: the path that skips every block"
            )
        if near(_path_expansion(As, alpha, reverse=True)):
            raise Incorrect(
                f"for {what}, the products are in the wrong order: the signal meets A_1 first, so "
                "later layers go on the left (A_2 A_1, not A_1 A_2)"
            )
        if near(_ascending_in_place(As, alpha)):
            raise Incorrect(
                f"for {what}, the new layer was used twice: updating C[1], C[2], … in place in "
                "increasing order reads a C[k − 1] that already contains the new layer; go from "
                "the highest power down, or build the new list from a copy"
            )
        if near(_path_expansion(As, 1.0)) and alpha != 1:
            raise Incorrect(f"for {what}, C[k] must include the factor α^k")
        full = np.eye(n)
        for A in As:
            full = (np.eye(n) + alpha * A) @ full
        total_ok = np.allclose(out.sum(axis=0), full, atol=1e-9 * np.abs(full).max())
        raise Incorrect(
            f"for {what}, the coefficients are wrong"
            + (
                " although their sum is the product ∏(I + αA_l): the powers of α are mixed up"
                if total_ok
                else "; their sum should be (I + αA_L)⋯(I + αA_1)"
            )
        )
    return (
        f"correct on {len(cases)} sets of non-commuting layers, including a single layer and α < 0"
    )


# ---------------------------------------------------------------------------
# Section 10.2
# ---------------------------------------------------------------------------


def _layernorm_forward(x: np.ndarray, gamma: np.ndarray, eps: float) -> np.ndarray:
    """Layer norm over the last axis with β = 0 (β does not enter ∂L/∂x or ∂L/∂γ)."""
    xhat = (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(x.var(axis=-1, keepdims=True) + eps)
    return gamma * xhat


def _central_diff(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar f, entry by entry: the independent truth."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[idx] = h
        grad[idx] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


def _layernorm_cases() -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray, float]]:
    """Shapes, scales and ε where the typical mistakes (batch axis, unbiased variance) show."""
    rng = np.random.default_rng(102)
    cases = []
    for what, shape, scale, eps in [
        ("a 4×6 input", (4, 6), 1.0, 1e-5),
        ("a 3×5 input with ε = 0.5", (3, 5), 1.0, 0.5),
        ("a 5×3 input of large scale", (5, 3), 30.0, 1e-5),
    ]:
        x = scale * rng.standard_normal(shape) + rng.standard_normal(shape[-1])
        gamma = rng.uniform(0.5, 2.0, shape[-1])
        dy = rng.standard_normal(shape)
        cases.append((what, x, gamma, dy, eps))
    return cases


def _ln_dx(x: np.ndarray, gamma, dy: np.ndarray, eps: float, ddof: int = 0) -> np.ndarray:
    """∂L/∂x for L = Σ dy ⊙ γ x̂ by central differences; ddof=1 or γ = 1 give typical mistakes."""

    def loss(v: np.ndarray) -> float:
        centred = v - v.mean(-1, keepdims=True)
        return np.sum(dy * gamma * centred / np.sqrt(v.var(-1, ddof=ddof, keepdims=True) + eps))

    return _central_diff(loss, x)


def _ln_formula_unbiased(x: np.ndarray, gamma, dy: np.ndarray, eps: float) -> np.ndarray:
    """eq. (norm.1) evaluated with the unbiased variance: a typical mistake."""
    inv_std = 1 / np.sqrt(x.var(-1, ddof=1, keepdims=True) + eps)
    xhat = (x - x.mean(-1, keepdims=True)) * inv_std
    g = dy * gamma
    return (g - g.mean(-1, keepdims=True) - xhat * (g * xhat).mean(-1, keepdims=True)) * inv_std


def _ln_dgamma(x: np.ndarray, gamma: np.ndarray, dy: np.ndarray, eps: float) -> np.ndarray:
    """∂L/∂γ for L = Σ dy ⊙ γ x̂ by central differences."""
    return _central_diff(lambda g: np.sum(dy * _layernorm_forward(x, g, eps)), gamma)


@register("px-layernorm-backward")
def _check_layernorm_backward(answer) -> str:
    expect_function(answer, "layernorm_backward")
    cases = _layernorm_cases()
    for what, x, gamma, dy, eps in cases:
        out = call_on_copy(answer, "layernorm_backward", dy, x, gamma, eps)
        if not isinstance(out, tuple | list) or len(out) != 3:
            raise Incorrect("layernorm_backward should return a triple (dx, dgamma, dbeta)")
        dx = as_answer_array(out[0], "dx")
        dgamma = as_answer_array(out[1], "dgamma")
        dbeta = as_answer_array(out[2], "dbeta")
        for name, arr, shape in [
            ("dx", dx, x.shape),
            ("dgamma", dgamma, gamma.shape),
            ("dbeta", dbeta, gamma.shape),
        ]:
            if arr.shape != shape:
                raise Incorrect(f"for {what}, {name} should have shape {shape}, got {arr.shape}")
        want_dx, want_dgamma = _ln_dx(x, gamma, dy, eps), _ln_dgamma(x, gamma, dy, eps)
        want_dbeta = dy.sum(axis=0)
        # central differences with h = 1e-6 err by ~h² (truncation) + 1e-16/h (rounding) ~ 1e-10
        tol = 1e-6 * (1 + np.abs(want_dx).max())
        if not np.allclose(dbeta, want_dbeta, atol=1e-9 * (1 + np.abs(want_dbeta).max())):
            raise Incorrect(
                f"for {what}, dbeta is wrong: it is ∂L/∂y summed over the batch (axis 0)"
            )
        dx_ok = np.allclose(dx, want_dx, atol=tol)
        if dx_ok and np.allclose(dgamma, want_dgamma, atol=tol):
            continue
        if dx_ok:
            raise Incorrect(
                f"for {what}, dgamma is wrong: it is ∂L/∂y times x̂, summed over the batch (axis 0)"
            )
        inv_std = 1 / np.sqrt(x.var(axis=-1, keepdims=True) + eps)
        if np.allclose(dx, dy * gamma * inv_std, atol=tol):
            raise Incorrect(
                f"for {what}, dx is γ ∂L/∂y / √(σ² + ε) only: subtract the mean of g and x̂ times "
                "the mean of g x̂ (μ and σ² depend on x)"
            )
        if np.allclose(dx, _ln_dx(x, gamma, dy, 0.0), atol=tol):
            raise Incorrect(f"for {what}, dx ignores ε: divide by √(σ² + ε), not by σ")
        if np.allclose(dx, _ln_dx(x, 1.0, dy, eps), atol=tol):
            raise Incorrect(f"for {what}, dx ignores γ: multiply ∂L/∂y by γ first")
        if np.allclose(dx, _ln_dx(x, gamma, dy, eps, ddof=1), atol=tol) or np.allclose(
            dx, _ln_formula_unbiased(x, gamma, dy, eps), atol=tol
        ):
            raise Incorrect(f"for {what}, use the biased variance (divide by d, not d − 1)")
        raise Incorrect(
            f"for {what}, dx differs from central differences by up to "
            f"{np.abs(dx - want_dx).max():.3g}; are the means over the last axis (the features)?"
        )
    return f"dx, dgamma and dbeta equal central differences on {len(cases)} inputs"


# ---------------------------------------------------------------------------
# Section 10.3
# ---------------------------------------------------------------------------


def _mha(
    X: np.ndarray,
    weights: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    n_heads: int,
    mask: np.ndarray | None,
    *,
    scale_by_model: bool = False,
    skip_out: bool = False,
    query_axis: bool = False,
    interleave: bool = False,
) -> np.ndarray:
    """Multi-head attention in the concatenated form; the flags build typical mistakes."""
    W_Q, W_K, W_V, W_O = weights
    d = X.shape[1]
    d_head = d // n_heads
    Q, K, V = X @ W_Q, X @ W_K, X @ W_V
    concat = np.zeros((X.shape[0], d))
    for h in range(n_heads):
        cols = np.arange(h, d, n_heads) if interleave else np.arange(h * d_head, (h + 1) * d_head)
        S = Q[:, cols] @ K[:, cols].T / np.sqrt(d if scale_by_model else d_head)
        if mask is not None:
            S = np.where(mask, S, -np.inf)
        axis = 0 if query_axis else 1
        # a mistake's fully masked column gives NaN, compared as such: no warning for it
        with np.errstate(invalid="ignore"):
            P = np.exp(S - S.max(axis=axis, keepdims=True))
            P /= P.sum(axis=axis, keepdims=True)
        concat[:, cols] = P @ V[:, cols]
    return concat if skip_out else concat @ W_O


def _mha_sum_form(X, weights, n_heads, mask) -> np.ndarray:
    """Σ_h P_h X (W_V^h W_O^h), the sum of low-rank maps of Section 10.3: the independent truth."""
    W_Q, W_K, W_V, W_O = weights
    d = X.shape[1]
    d_head = d // n_heads
    out = np.zeros_like(X)
    for h in range(n_heads):
        b = slice(h * d_head, (h + 1) * d_head)
        S = X @ (W_Q[:, b] @ W_K[:, b].T) @ X.T / np.sqrt(d_head)
        if mask is not None:
            S = np.where(mask, S, -np.inf)
        P = np.exp(S - S.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        out += P @ X @ (W_V[:, b] @ W_O[b, :])
    return out


def _mha_cases() -> list[tuple[str, np.ndarray, tuple, int, np.ndarray | None]]:
    """Sequences with one to four heads, no mask, a causal mask and a key-padding mask."""
    rng = np.random.default_rng(103)
    cases = []
    for T, d, H, kind in [(5, 8, 2, "none"), (6, 12, 3, "causal"), (4, 8, 4, "padding"),
                          (3, 6, 1, "none"), (7, 8, 2, "causal")]:  # fmt: skip
        X = rng.standard_normal((T, d))
        weights = tuple(rng.standard_normal((d, d)) * 1.5 / np.sqrt(d) for _ in range(4))
        if kind == "causal":
            mask = np.tril(np.ones((T, T), dtype=bool))
        elif kind == "padding":
            mask = np.ones((T, T), dtype=bool)
            mask[:, -1] = False  # the last position is padding: no query may attend to it
        else:
            mask = None
        what = f"T = {T}, d_model = {d}, {H} head{'s' * (H > 1)}, mask: {kind}"
        cases.append((what, X, weights, H, mask))
    return cases


def _has_nan(value) -> bool:
    """True if ``value`` converts to a float array with a NaN (else let as_answer_array judge it)."""
    try:
        return bool(np.isnan(np.asarray(value, dtype=float)).any())
    except (TypeError, ValueError):
        return False


@register("px-multi-head")
def _check_multi_head(answer) -> str:
    expect_function(answer, "multi_head_attention")
    cases = _mha_cases()
    for what, X, weights, H, mask in cases:
        # an inverted mask (True read as "excluded", the convention of torch.nn.MultiheadAttention)
        # leaves a causal mask's last query without a key: NaN, or an error from nblib.layers
        no_key_if_inverted = mask is not None and not (~mask).any(axis=1).all()
        inverted = (
            f"for {what}, some query has no key left, which is what an inverted mask gives: in this "
            "book True marks the pairs that are allowed (torch.nn.MultiheadAttention uses the opposite)"
        )
        try:
            out = call_on_copy(answer, "multi_head_attention", X, *weights, H, mask)
        except ValueError as exc:
            if no_key_if_inverted and "no key" in str(exc):
                raise Incorrect(inverted) from exc
            raise
        if no_key_if_inverted and _has_nan(out):
            raise Incorrect(inverted)
        out = as_answer_array(out, "the result")
        if out.shape != X.shape:
            raise Incorrect(
                f"for {what}, multi_head_attention should return shape (T, d_model) = {X.shape}, "
                f"got {out.shape}"
            )
        want = _mha_sum_form(X, weights, H, mask)
        scale = np.abs(want).max()

        def near(v, out=out, scale=scale) -> bool:
            return bool(np.allclose(out, v, rtol=0, atol=1e-9 * scale))  # rounding: ~1e-15 relative

        if near(want):
            continue
        if near(_mha(X, weights, H, mask, skip_out=True)):
            raise Incorrect(f"for {what}, the concatenated heads still need the output map W_O")
        if H > 1 and near(_mha(X, weights, H, mask, scale_by_model=True)):
            raise Incorrect(
                f"for {what}, the scores are divided by √d_model; each head's scores are dot "
                "products of d_head = d_model / n_heads numbers, so divide by √d_head"
            )
        if near(_mha(X, weights, H, mask, query_axis=True)):
            raise Incorrect(
                f"for {what}, the softmax runs over the queries (axis 0): each query's weights "
                "over the keys must sum to 1 (softmax along each row)"
            )
        if mask is not None and near(_mha(X, weights, H, None)):
            raise Incorrect(f"for {what}, the mask was ignored: True means allowed, False excluded")
        if mask is not None and (~mask).any(axis=1).all() and near(_mha(X, weights, H, ~mask)):
            raise Incorrect(
                f"for {what}, the mask is inverted: True marks the pairs that are allowed "
                "(torch.nn.MultiheadAttention uses the opposite)"
            )
        if H > 1 and near(_mha(X, weights, H, mask, interleave=True)):
            raise Incorrect(
                f"for {what}, head h must use the contiguous columns h·d_head … (h+1)·d_head − 1 "
                "of Q, K and V, not every n_heads-th column"
            )
        raise Incorrect(
            f"for {what}, the result is off by {np.abs(out - want).max():.3g} (largest entry "
            f"{scale:.3g}); see eq. (eq-px-mha)"
        )
    return f"correct on {len(cases)} sequences, with one to four heads, causal and padding masks"


# ---------------------------------------------------------------------------
# Section 10.4
# ---------------------------------------------------------------------------


def _two_batch_cases() -> list[tuple[str, np.ndarray, np.ndarray, int, int]]:
    """Squared norms that come from known ‖G‖² and tr Σ, so the exact answer is known."""
    rng = np.random.default_rng(104)
    g2, tr = rng.uniform(0.01, 1.0, 5), rng.uniform(1.0, 50.0, 5)
    cases = []
    for b_small, b_big in [(16, 256), (3, 5)]:
        cases.append(
            (
                f"arrays of squared norms with batch sizes {b_small} and {b_big}",
                g2 + tr / b_small,
                g2 + tr / b_big,
                b_small,
                b_big,
            )
        )
    cases.append(
        ("floats with batch sizes 1 and 2", np.float64(0.3 + 4.0), np.float64(0.3 + 2.0), 1, 2)
    )
    return cases


@register("px-two-batch")
def _check_two_batch(answer) -> str:
    expect_function(answer, "noise_estimates")
    for what, sq_small, sq_big, b_small, b_big in _two_batch_cases():
        out = call_on_copy(answer, "noise_estimates", sq_small, sq_big, b_small, b_big)
        if not isinstance(out, tuple | list) or len(out) != 2:
            raise Incorrect(
                "noise_estimates should return a pair (estimate of ‖G‖², estimate of tr Σ)"
            )
        g2_hat = as_answer_array(out[0], "the estimate of ‖G‖²")
        tr_hat = as_answer_array(out[1], "the estimate of tr Σ")
        shape = np.shape(sq_small)
        if g2_hat.shape != shape or tr_hat.shape != shape:
            raise Incorrect(
                f"for {what}, both estimates should have the shape of the inputs {shape} "
                f"(work elementwise), got {g2_hat.shape} and {tr_hat.shape}"
            )
        # the inputs are exact expectations, so the unbiased estimators return the truth exactly
        tr_want = (sq_small - sq_big) / (1 / b_small - 1 / b_big)
        g2_want = (b_big * sq_big - b_small * sq_small) / (b_big - b_small)
        ok_g2 = np.allclose(g2_hat, g2_want, rtol=1e-9, atol=1e-12)
        ok_tr = np.allclose(tr_hat, tr_want, rtol=1e-9, atol=1e-12)
        if ok_g2 and ok_tr:
            continue
        if np.allclose(g2_hat, tr_want, rtol=1e-9) and np.allclose(tr_hat, g2_want, rtol=1e-9):
            raise Incorrect("the two estimates are in the wrong order: return (‖G‖², tr Σ)")
        if not ok_g2 and np.allclose(g2_hat, sq_big, rtol=1e-9):
            raise Incorrect(
                f"for {what}, the ‖G‖² estimate is just the big batch's squared norm, which is biased "
                "upwards by tr Σ / B_big; combine both batch sizes"
            )
        if not ok_tr and np.allclose(tr_hat, -tr_want, rtol=1e-9):
            raise Incorrect(f"for {what}, the tr Σ estimate has the wrong sign")
        which = "‖G‖²" if not ok_g2 else "tr Σ"
        raise Incorrect(
            f"for {what}, the estimate of {which} is wrong: it should be exact when the squared "
            "norms equal their expectations ‖G‖² + tr Σ / B"
        )
    return (
        "both estimators are exact on squared norms equal to their expectations, arrays and floats"
    )


# ---------------------------------------------------------------------------
# Section 10.5
# ---------------------------------------------------------------------------


def _gd_least_squares(X: np.ndarray, y: np.ndarray, eta: float, steps: int) -> np.ndarray:
    """Gradient descent on ½‖y − Xβ‖² from β = 0: the truth the filter formula must reproduce."""
    beta = np.zeros(X.shape[1])
    for _ in range(steps):
        beta = beta + eta * X.T @ (y - X @ beta)
    return beta


def _early_stopping_cases() -> list[tuple[str, np.ndarray, np.ndarray, float, int]]:
    """Wide, tall, rank-deficient and scaled designs, with steps below and above 1/d₁² and t = 0."""
    rng = np.random.default_rng(105)
    wide = rng.standard_normal((12, 20))
    tall = rng.standard_normal((25, 6)) * np.array([5.0, 2.0, 1.0, 0.5, 0.2, 0.1])
    low_rank = rng.standard_normal((18, 3)) @ rng.standard_normal((3, 10))
    cases = []
    for what, X in [
        ("a wide 12×20 X", wide),
        ("a tall 25×6 X", tall),
        ("a rank-3 18×10 X", low_rank),
    ]:
        y = rng.standard_normal(X.shape[0])
        top = np.linalg.norm(X, 2) ** 2
        for eta, t in [(1 / top, 25), (1.8 / top, 7), (0.5 / top, 0)]:
            cases.append((what, X, y, eta, t))
    return cases


@register("px-early-stopping-filter")
def _check_early_stopping_filter(answer) -> str:
    expect_function(answer, "early_stopped")
    for what, X, y, eta, t in _early_stopping_cases():
        out = as_answer_array(call_on_copy(answer, "early_stopped", X, y, eta, t), "the result")
        if out.shape != (X.shape[1],):
            raise Incorrect(
                f"for {what}, early_stopped should return a vector of shape ({X.shape[1]},) (one "
                f"weight per column of X), got shape {out.shape}"
            )
        want = _gd_least_squares(X, y, eta, t)
        scale = np.linalg.norm(_gd_least_squares(X, y, eta, max(t, 1)))

        def close(v: np.ndarray, out=out, scale=scale) -> bool:
            return bool(np.linalg.norm(out - v) <= 1e-8 * scale)  # t steps of rounding: ~1e-14

        if close(want):
            continue
        if t == 0:
            raise Incorrect("with t = 0 no step has been taken: β₀ = 0, so the result must be zero")
        U, d, Vt = np.linalg.svd(X, full_matrices=False)
        keep = d > d[0] * max(X.shape) * np.finfo(float).eps
        U, d, Vt = U[:, keep], d[keep], Vt[keep]
        uy = U.T @ y
        for t_other in (t - 1, t + 1):
            if close(_gd_least_squares(X, y, eta, t_other)):
                raise Incorrect(
                    f"for {what}, your result is gradient descent after {t_other} steps, not {t}: "
                    "the exponent of (1 − η d²) is the number of steps"
                )
        if close(Vt.T @ (d / (d**2 + 1 / (eta * t)) * uy)):
            raise Incorrect(
                f"for {what}, that is ridge with λ = 1/(ηt), whose filter d²/(d² + λ) only "
                "resembles the one of gradient descent, 1 − (1 − η d²)^t"
            )
        if close(Vt.T @ ((1 - (1 - eta * d) ** t) / d * uy)):
            raise Incorrect(
                f"for {what}, the filter uses the singular value d where it needs d²: the "
                "Hessian XᵀX has eigenvalues d²"
            )
        if close(Vt.T @ ((1 - (1 - eta * d**2) ** t) * uy)):
            raise Incorrect(
                f"for {what}, the coefficient of v_i is φ(d_i)/d_i times u_iᵀy: divide by d_i"
            )
        raise Incorrect(
            f"for {what}, the result differs from {t} steps of gradient descent from β = 0 with "
            f"step η = {eta:.3g} (relative distance {np.linalg.norm(out - want) / scale:.2g})"
        )
    return "early_stopped equals gradient descent on every test problem, including wide and rank-deficient X"


# ---------------------------------------------------------------------------
# Section 10.6
# ---------------------------------------------------------------------------


def _pcgrad(
    G: np.ndarray,
    order,
    *,
    against_projected: bool = False,
    test_original: bool = False,
    always: bool = False,
) -> np.ndarray:
    """PCGrad (Yu et al. 2020) for K task gradients, rows of G; the flags build typical mistakes."""
    projected = G.copy()
    total = np.zeros(G.shape[1])
    for i in range(G.shape[0]):
        gi = G[i].copy()
        for j in order:
            if j == i:
                continue
            gj = projected[j] if against_projected else G[j]
            sign_of = G[i] if test_original else gi
            if always or sign_of @ gj < 0:
                gi = gi - (gi @ gj) / (gj @ gj) * gj
        projected[i] = gi
        total += gi
    return total


def _pcgrad_cases() -> list[tuple[str, np.ndarray, list[int]]]:
    """Task gradients that conflict in several ways (a shared direction pulled both ways)."""
    rng = np.random.default_rng(20)
    cases = [("two conflicting tasks", np.array([[1.0, 0.5, 0.0], [-1.0, 1.0, 0.2]]), [0, 1])]
    for K, P in [(3, 5), (4, 6), (3, 4)]:
        shared = rng.standard_normal(P)
        signs = np.where(np.arange(K) % 2 == 0, 1.0, -1.0)
        G = signs[:, None] * shared + 0.8 * rng.standard_normal((K, P))
        cases.append((f"{K} tasks in {P} dimensions", G, list(rng.permutation(K))))
    cases.append(("two agreeing tasks", np.array([[1.0, 0.2], [0.5, 1.0]]), [1, 0]))
    return cases


@register("px-pcgrad")
def _check_pcgrad(answer) -> str:
    expect_function(answer, "pcgrad")
    cases = _pcgrad_cases()
    for what, G, order in cases:
        out = as_answer_array(call_on_copy(answer, "pcgrad", G, list(order)), "the result")
        if out.shape != (G.shape[1],):
            raise Incorrect(
                f"for {what}, pcgrad should return the summed update of shape ({G.shape[1]},), "
                f"got shape {out.shape}"
            )
        want = _pcgrad(G, order)
        scale = np.abs(G).sum()

        def near(x, out=out, scale=scale):
            return np.allclose(out, x, atol=1e-9 * scale)

        if near(want):
            continue
        if near(G.sum(axis=0)):
            raise Incorrect(
                f"for {what}, you returned the plain sum of the gradients: project conflicting pairs"
            )
        if near(want / G.shape[0]):
            raise Incorrect(
                f"for {what}, return the sum of the projected gradients, not their mean"
            )
        if near(_pcgrad(G, order, always=True)):
            raise Incorrect(
                f"for {what}, project only when the pair conflicts (gᵢ'·gⱼ < 0); agreeing gradients are kept"
            )
        if near(_pcgrad(G, order, test_original=True)):
            raise Incorrect(
                f"for {what}, test the sign with the running, already projected gᵢ', not the original gᵢ"
            )
        if near(_pcgrad(G, order, against_projected=True)):
            raise Incorrect(
                f"for {what}, project against the other task's original gradient gⱼ, not its projected one"
            )
        if near(_pcgrad(G, range(G.shape[0]))):
            raise Incorrect(f"for {what}, go through the other tasks in the given order")
        raise Incorrect(
            f"for {what}, pcgrad is off by {np.linalg.norm(out - want):.3g} (the sum over tasks of "
            "each gradient with its conflicts projected away, eq. (eq-px-pcgrad))"
        )
    return f"correct on {len(cases)} sets of task gradients, with and without conflicts"
