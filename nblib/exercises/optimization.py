"""Checks for Chapter 3, Optimization (exercise labels start with ``op-``).

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
# Section 3.4: non-convex landscapes
# ---------------------------------------------------------------------------


def _symmetric_with_spectrum(eigenvalues, rng) -> np.ndarray:
    """Q diag(eigenvalues) Qᵀ for a random rotation Q."""
    d = len(eigenvalues)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    H = (Q * np.asarray(eigenvalues, dtype=float)) @ Q.T
    return (H + H.T) / 2


@register("op-power-iteration")
def check_power_iteration(power_iteration_top_eigenvalue) -> str:
    """``power_iteration_top_eigenvalue(hvp, dim, steps)``: the eigenvalue of largest magnitude,
    with its sign, from at most ``steps + 1`` Hessian-vector products."""
    expect_function(power_iteration_top_eigenvalue, "power_iteration_top_eigenvalue")
    rng = np.random.default_rng(41)
    cases = [
        ("a positive definite matrix", [5.0, 2.0, 1.0, 0.5, 0.1], 200),
        ("a matrix with negative eigenvalues", [4.0, 1.0, -0.5, -2.0], 200),
        (
            "a matrix whose largest-magnitude eigenvalue is negative",
            [-7.0, 3.0, 1.0, 0.2, -1.0, 0.5],
            200,
        ),
        ("a 1 x 1 matrix", [2.5], 5),
        ("a large-scale matrix", [1e3, 2e2, 1e1, -5.0, 1.0, 0.0, 3e-2, -1e2], 300),
        ("a 30-dimensional matrix", list(np.linspace(-1.0, 1.5, 29)) + [6.0], 200),
    ]
    for what, spectrum, steps in cases:
        H = _symmetric_with_spectrum(spectrum, rng)
        calls = [0]

        def hvp(v, H=H, calls=calls):
            calls[0] += 1
            v = np.asarray(v, dtype=float)
            if v.shape != (len(H),):
                raise Incorrect(
                    f"hvp was called with a vector of shape {v.shape}; it takes one vector of "
                    f"shape (dim,) = ({len(H)},)"
                )
            return H @ v

        out = power_iteration_top_eigenvalue(hvp, len(H), steps)
        label = f"your answer for {what} (dim = {len(H)}, steps = {steps})"
        if isinstance(out, np.ndarray) and out.size > 1:
            raise Incorrect(
                f"{label} is an array of shape {out.shape}; return the eigenvalue, a number"
            )
        top = max(spectrum, key=abs)
        if calls[0] > steps + 1:
            raise Incorrect(
                f"{label} called hvp {calls[0]} times; power iteration needs at most steps + 1 "
                "products (one per iteration, and one for the final Rayleigh quotient)"
            )
        value = float(as_answer_array(out, label))
        if top < 0 and np.isclose(value, -top, rtol=1e-5):
            raise Incorrect(
                f"{label} has the right magnitude but the wrong sign: ||Hv|| loses the sign of the "
                "eigenvalue, the Rayleigh quotient v^T H v keeps it"
            )
        if np.isclose(value, max(spectrum), rtol=1e-5) and top != max(spectrum):
            raise Incorrect(
                f"{label} is the largest eigenvalue, but power iteration converges to the one of "
                "largest magnitude; did you compute it another way?"
            )
        expect_scalar(value, top, label, rtol=1e-5, atol=1e-8)
    return (
        f"your power iteration finds the largest-magnitude eigenvalue, with its sign, on {len(cases)} "
        "matrices"
    )


# ---------------------------------------------------------------------------
# Section 3.2: momentum and Nesterov
# ---------------------------------------------------------------------------


def _heavy_ball_rate(lr: float, beta: float, eigenvalue: float) -> float:
    """Spectral radius of M(λ) = [[1 − ηλ, −β], [ηλ, β]] (eq-op-hb-matrix), from numpy."""
    M = np.array([[1 - lr * eigenvalue, -beta], [lr * eigenvalue, beta]])
    return float(np.max(np.abs(np.linalg.eigvals(M))))


@register("op-heavy-ball-rate")
def check_heavy_ball_rate(heavy_ball_rate) -> str:
    """``heavy_ball_rate(lr, beta, eigenvalue)``: ρ(M(λ)), real and complex roots alike."""
    expect_function(heavy_ball_rate, "heavy_ball_rate")
    rng = np.random.default_rng(23)
    cases = [
        (0.01, 0.9, 1.0),  # complex roots: |z| = √β
        (0.04, 0.8, 1.0),  # complex
        (0.01, 0.5, 1.0),  # real roots, over-damped
        (0.04, 0.64, 1.0),  # critical damping (double root 0.8)
        (0.1, 0.0, 5.0),  # β = 0: gradient descent, |1 − ηλ| = 0.5
        (0.1, 0.0, 15.0),  # gradient descent with a negative factor, |1 − ηλ| = 0.5
        (1.0, 0.2, 2.5),  # c = 1 + β − ηλ < 0, real roots
        (1.0, 0.5, 3.5),  # c < 0, diverges (ηλ > 2(1 + β))
        (0.5, 0.9, 9.0),  # diverges
    ]
    cases += [tuple(x) for x in rng.uniform([0.001, 0.0, 0.1], [1.0, 0.99, 10.0], size=(40, 3))]
    for lr, beta, lam in cases:
        where = f"for lr = {lr:.4g}, beta = {beta:.4g}, eigenvalue = {lam:.4g}:"
        c = 1 + beta - lr * lam
        disc = c * c - 4 * beta
        answer = heavy_ball_rate(lr, beta, lam)
        if isinstance(answer, bool) or np.ndim(answer) != 0:
            raise Incorrect(f"{where} return one number, got {type(answer).__name__}")
        if np.iscomplexobj(answer):
            raise Incorrect(
                f"{where} you returned a complex number; the spectral radius is the largest "
                "modulus |z| of the roots, a real number"
            )
        try:
            value = float(answer)
        except (TypeError, ValueError) as exc:
            raise Incorrect(f"{where} return a number, got {type(answer).__name__}") from exc
        expected = _heavy_ball_rate(lr, beta, lam)
        kind = "complex" if disc < 0 else "real"
        if not np.isfinite(value):
            raise Incorrect(
                f"{where} you returned {value}; here c^2 - 4 beta < 0 with c = 1 + beta - lr*eigenvalue, "
                "so the roots are complex conjugates: what is their modulus, given their product?"
                if disc < 0
                else f"{where} you returned {value}, not a finite number"
            )
        if np.isclose(value, expected, rtol=1e-6, atol=1e-10):
            continue
        if disc < 0 and np.isclose(value, beta, rtol=1e-6):
            raise Incorrect(
                f"{where} the roots are complex and their product is beta, so each has modulus "
                "sqrt(beta), not beta"
            )
        if disc < 0 and np.isclose(value, abs(c) / 2, rtol=1e-6):
            raise Incorrect(
                f"{where} the roots are complex; you returned the size of their real part, but the "
                "spectral radius is the modulus of the complex roots"
            )
        if disc >= 0 and c < 0 and np.isclose(value, abs(c + np.sqrt(disc)) / 2, rtol=1e-6):
            raise Incorrect(
                f"{where} here c = 1 + beta - lr*eigenvalue is negative, so the root of largest "
                "modulus is (c - sqrt(c^2 - 4 beta)) / 2, not (c + sqrt(...)) / 2"
            )
        raise Incorrect(
            f"{where} your rate is {'too large' if value > expected else 'too small'} "
            f"(the roots are {kind} here); use the roots of z^2 - c z + beta = 0 with "
            "c = 1 + beta - lr*eigenvalue"
        )
    return (
        f"your heavy_ball_rate matches the spectral radius on {len(cases)} cases: over- and "
        "under-damped, critical, gradient descent and divergent ones"
    )


# ---------------------------------------------------------------------------
# Section 3.3: adaptive methods
# ---------------------------------------------------------------------------


def _adam_step(
    w,
    g,
    m,
    v,
    t,
    lr,
    beta1,
    beta2,
    eps,
    *,
    correct_m=True,
    correct_v=True,
    t_shift=0,
    eps_inside=False,
    efficient=False,
):
    """One Adam step (eq-op-adam); the keyword arguments build the typical mistakes."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    if efficient:  # Kingma and Ba's variant: corrections in the rate, eps added to sqrt(v)
        return w - lr * np.sqrt(1 - beta2**t) / (1 - beta1**t) * m / (np.sqrt(v) + eps), m, v
    m_hat = m / (1 - beta1 ** (t + t_shift)) if correct_m else m
    v_hat = v / (1 - beta2 ** (t + t_shift)) if correct_v else v
    denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
    return w - lr * m_hat / denom, m, v


@register("op-adam-step")
def check_adam_step(adam_step) -> str:
    """``adam_step(w, g, m, v, t, lr, beta1, beta2, eps)`` → the new ``(w, m, v)``; t from 1."""
    expect_function(adam_step, "adam_step")
    rng = np.random.default_rng(31)
    # (shape, t, lr, beta1, beta2, eps, gradient scale): first steps, later steps, large eps
    cases = [
        ((3,), 1, 1e-3, 0.9, 0.999, 1e-8, 1.0),
        ((4, 5), 2, 1e-2, 0.9, 0.999, 1e-8, 1.0),
        ((6,), 1, 0.1, 0.8, 0.99, 1e-8, 3.0),
        ((2, 3), 3, 0.05, 0.9, 0.99, 1e-8, 0.5),
        ((5,), 10, 1e-3, 0.5, 0.9, 1e-8, 1.0),
        ((4,), 4, 0.1, 0.9, 0.999, 0.1, 0.05),  # ε comparable to √v̂: where it sits matters
        ((3, 3), 1000, 1e-3, 0.9, 0.999, 1e-8, 1.0),
    ]
    for shape, t, lr, beta1, beta2, eps, scale in cases:
        w = rng.standard_normal(shape)
        g = scale * rng.standard_normal(shape)
        if t == 1:
            m, v = np.zeros(shape), np.zeros(shape)
        else:
            m = scale * 0.3 * rng.standard_normal(shape)
            v = (scale * rng.uniform(0.2, 1.5, shape)) ** 2 * (1 - beta2 ** (t - 1))
        args = (w, g, m, v, t, lr, beta1, beta2, eps)
        where = (
            f"for arrays of shape {shape}, t = {t}, lr = {lr:g}, betas = ({beta1:g}, {beta2:g}), "
            f"eps = {eps:g}:"
        )
        out = call_on_copy(adam_step, "adam_step", *args)
        if not isinstance(out, (tuple, list)) or len(out) != 3:
            raise Incorrect(f"{where} return a tuple of three arrays (w, m, v)")
        new_w, new_m, new_v = (
            as_answer_array(x, f"{where} {name}") for x, name in zip(out, "wmv", strict=True)
        )
        ref_w, ref_m, ref_v = _adam_step(*args)
        for name, arr in (("w", new_w), ("m", new_m), ("v", new_v)):
            if arr.shape != shape:
                raise Incorrect(f"{where} your new {name} has shape {arr.shape}, not {shape}")
        if not np.allclose(new_m, ref_m, rtol=1e-9, atol=1e-12):
            if np.allclose(new_m, ref_m / (1 - beta1**t), rtol=1e-9):
                raise Incorrect(
                    f"{where} return the raw moving average m (the optimizer's state), not the "
                    "bias-corrected m_hat; the correction is only used for the step"
                )
            raise Incorrect(f"{where} your new m is wrong: m <- beta1 m + (1 - beta1) g")
        if not np.allclose(new_v, ref_v, rtol=1e-9, atol=1e-12):
            if np.allclose(new_v, ref_v / (1 - beta2**t), rtol=1e-9):
                raise Incorrect(
                    f"{where} return the raw moving average v (the optimizer's state), not the "
                    "bias-corrected v_hat"
                )
            if np.allclose(new_v, beta2 * v + (1 - beta2) * g, rtol=1e-9):
                raise Incorrect(f"{where} v averages the squared gradient: use g * g, not g")
            raise Incorrect(f"{where} your new v is wrong: v <- beta2 v + (1 - beta2) g^2")
        if np.allclose(new_w, ref_w, rtol=1e-9, atol=1e-12):
            continue
        mistakes = [
            (
                dict(correct_m=False, correct_v=False),
                "you left out the bias correction: divide m by "
                "1 - beta1^t and v by 1 - beta2^t before the step",
            ),
            (
                dict(correct_m=False),
                "you left out the bias correction of m (divide by 1 - beta1^t)",
            ),
            (
                dict(correct_v=False),
                "you left out the bias correction of v (divide by 1 - beta2^t)",
            ),
            (
                dict(t_shift=1),
                "your bias correction uses t + 1; t is already the number of this "
                "step (1 for the first step), so use beta^t",
            ),
            (
                dict(t_shift=-1),
                "your bias correction uses t - 1; t is the number of this step "
                "(1 for the first step), so use beta^t",
            ),
            (dict(eps_inside=True), "eps goes outside the square root: sqrt(v_hat) + eps"),
            (
                dict(efficient=True),
                "this is Kingma and Ba's 'efficient' form, which folds the corrections into the "
                "rate and so adds eps to sqrt(v) rather than to sqrt(v_hat); the exercise asks for "
                "eq-op-adam exactly: w - lr * m_hat / (sqrt(v_hat) + eps)",
            ),
        ]
        for kwargs, message in mistakes:
            if kwargs.get("t_shift") == -1 and t == 1:
                continue  # 1 - beta^0 = 0: that mistake gives inf or nan, caught above
            with np.errstate(divide="ignore", invalid="ignore"):
                wrong = _adam_step(*args, **kwargs)[0]
            if np.allclose(new_w, wrong, rtol=1e-9, atol=1e-12):
                raise Incorrect(f"{where} {message}")
        if np.allclose(w - new_w, -(w - ref_w), rtol=1e-9, atol=1e-12):
            raise Incorrect(
                f"{where} your step goes uphill: subtract lr * m_hat / (sqrt(v_hat) + eps)"
            )
        err = np.max(np.abs(new_w - ref_w))
        raise Incorrect(
            f"{where} m and v are right but the new w is not (largest error {err:.3g}); "
            "w <- w - lr * m_hat / (sqrt(v_hat) + eps)"
        )
    return (
        f"your adam_step is right on {len(cases)} cases: first and later steps, several shapes, and "
        "an eps large enough to matter"
    )


# ---------------------------------------------------------------------------
# Section 3.6: convergence and schedules
# ---------------------------------------------------------------------------


def _warmup_cosine_lr(t: int, peak: float, warmup: int, total: int, lr_min: float) -> float:
    """eq-op-warmup-cosine: peak (t + 1) / W for t < W, then cosine from peak to lr_min over
    T - W steps, then lr_min (nblib.optim.warmup_cosine)."""
    if t < warmup:
        return peak * (t + 1) / warmup
    progress = min(t - warmup, total - warmup) / (total - warmup)
    return lr_min + 0.5 * (peak - lr_min) * (1 + np.cos(np.pi * progress))


@register("op-warmup-cosine")
def check_warmup_cosine(warmup_cosine_lr) -> str:
    """``warmup_cosine_lr(t, peak, warmup, total, lr_min)``: the rate of eq-op-warmup-cosine."""
    expect_function(warmup_cosine_lr, "warmup_cosine_lr")
    configs = [
        (1.0, 10, 100, 0.0),
        (0.5, 5, 50, 0.01),
        (3e-3, 1, 20, 1e-4),  # a one-step warm-up
        (2.0, 25, 26, 0.1),  # a one-step cosine
        (0.1, 3, 12, 0.1),  # lr_min = peak: flat after the warm-up
        (0.8, 7, 40, 0.05),
    ]
    for peak, W, T, lr_min in configs:
        where = f"for peak={peak:g}, warmup={W}, total={T}, lr_min={lr_min:g}"
        for t in [*range(T + 6), 3 * T, 10 * T]:
            value = warmup_cosine_lr(t, peak, W, T, lr_min)
            what = f"warmup_cosine_lr({t}, ...) {where}"
            if isinstance(value, bool) or np.ndim(value) != 0:
                raise Incorrect(f"{what} should be a single number, got {type(value).__name__}")
            got = float(value)
            if not np.isfinite(got):
                raise Incorrect(f"{what} is {got}, not a finite number")
            expected = _warmup_cosine_lr(t, peak, W, T, lr_min)
            if np.isclose(got, expected, rtol=1e-9, atol=1e-12):
                continue
            if t == 0 and got == 0:
                raise Incorrect(
                    f"{what} is 0: the first step would not move at all. The ramp starts at "
                    "peak / warmup, one W-th of the way up (use t + 1)"
                )
            if t < W - 1:
                raise Incorrect(
                    f"{what} is wrong during the warm-up (t < warmup - 1): the rate should rise "
                    "linearly, reaching the peak exactly at t = warmup - 1"
                )
            if t in (W - 1, W):
                raise Incorrect(
                    f"{what} is wrong at the end of the warm-up: the ramp reaches the peak at "
                    "t = warmup - 1, and the cosine part starts from the peak at t = warmup "
                    "(its clock is t - warmup)"
                )
            if t > T:
                raise Incorrect(
                    f"{what} is wrong after the end of the schedule (t > total): the rate should "
                    "stay where the cosine ended; the cosine must not rise again"
                )
            raise Incorrect(
                f"{what} is wrong during the cosine decay: it should run on the clock t - warmup "
                "over total - warmup steps, from the peak down to lr_min at t = total"
            )
    return (
        f"your warmup_cosine_lr matches eq-op-warmup-cosine on {len(configs)} schedules, at every "
        "step including the edges of the warm-up and the end"
    )


# ---------------------------------------------------------------------------
# Section 3.1: gradient descent and SGD
# ---------------------------------------------------------------------------


def _sgd_epoch(w, X, y, lr, batch_size, rng, *, order=None, mean=True, drop_last=False):
    """One epoch of least-squares SGD (the loop of training.train); variants for the checks."""
    w = np.array(w, dtype=float)
    n = len(X)
    order = rng.permutation(n) if order is None else order
    for start in range(0, n, batch_size):
        idx = order[start : start + batch_size]
        if drop_last and len(idx) < batch_size:
            break
        g = X[idx].T @ (X[idx] @ w - y[idx])
        w = w - lr * (g / len(idx) if mean else g)
    return w


@register("op-sgd-epoch")
def check_sgd_epoch(sgd_epoch) -> str:
    """``sgd_epoch(w, X, y, lr, batch_size, rng)``: one reshuffled epoch of mini-batch SGD."""
    expect_function(sgd_epoch, "sgd_epoch")
    data_rng = np.random.default_rng(31)
    # (N, d, batch_size): batches that divide N, that do not, B = 1, and B = N (gradient descent)
    cases = [(40, 3, 8), (37, 2, 5), (20, 4, 1), (25, 3, 25), (50, 5, 64)]
    for n, d, batch_size in cases:
        X = data_rng.standard_normal((n, d))
        y = X @ data_rng.standard_normal(d) + 0.3 * data_rng.standard_normal(n)
        w0 = data_rng.standard_normal(d)
        lr = 0.5 / np.linalg.eigvalsh(X.T @ X / n)[-1]
        seed = int(data_rng.integers(1000))
        what = f"sgd_epoch on N = {n} examples with batch_size = {batch_size}"
        out = call_on_copy(sgd_epoch, what, w0, X, y, lr, batch_size, np.random.default_rng(seed))
        arr = as_answer_array(out, f"the result of {what}")
        if arr.shape != w0.shape:
            raise Incorrect(f"the result of {what} has shape {arr.shape}; w has shape {w0.shape}")
        expected = _sgd_epoch(w0, X, y, lr, batch_size, np.random.default_rng(seed))
        if np.allclose(arr, expected, rtol=1e-8, atol=1e-10):
            continue
        variants = {
            "you sum the per-example gradients over the batch; the loss is a mean over the batch, "
            "so divide by the batch's length": dict(mean=False),
            "you visit the examples in their stored order; draw a fresh order with "
            "rng.permutation(N) at the start of the epoch": dict(order=np.arange(n)),
            "you drop the last, smaller batch; every example must be used once per epoch": dict(
                drop_last=True
            ),
        }
        for reason, kwargs in variants.items():
            variant = _sgd_epoch(w0, X, y, lr, batch_size, np.random.default_rng(seed), **kwargs)
            if not np.allclose(variant, expected) and np.allclose(arr, variant, rtol=1e-8):
                raise Incorrect(f"{what}: {reason}")
        n_full = n // batch_size
        if n % batch_size and n_full:  # divided the last batch by batch_size instead of its length
            order = np.random.default_rng(seed).permutation(n)
            w = _sgd_epoch(w0, X, y, lr, batch_size, np.random.default_rng(seed), drop_last=True)
            idx = order[n_full * batch_size :]
            w = w - lr * X[idx].T @ (X[idx] @ w - y[idx]) / batch_size
            if np.allclose(arr, w, rtol=1e-8):
                raise Incorrect(
                    f"{what}: the last batch has fewer than batch_size examples; divide its "
                    "gradient by len(idx), not by batch_size"
                )
        full = np.array(w0, dtype=float)
        for _ in range(-(-n // batch_size)):
            full = full - lr * X.T @ (X @ full - y) / n
        if batch_size < n and np.allclose(arr, full, rtol=1e-8):
            raise Incorrect(
                f"{what}: you use the gradient over all examples at every step; use only the "
                "examples of the current batch"
            )
        raise Incorrect(
            f"the result of {what} differs from one epoch of SGD with the same rng; call "
            "rng.permutation(N) once, take consecutive batches of that order, and step with the "
            "mean gradient of each batch"
        )
    return f"your epoch matches the reference exactly on {len(cases)} problems, including a last partial batch"


# ---------------------------------------------------------------------------
# Section 3.5: second-order methods
# ---------------------------------------------------------------------------


def _bfgs_inverse_update(H_inv: np.ndarray, s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1 / (yᵀ s)."""
    rho = 1.0 / (y @ s)
    I = np.eye(len(s))
    return (I - rho * np.outer(s, y)) @ H_inv @ (I - rho * np.outer(y, s)) + rho * np.outer(s, s)


@register("op-bfgs-update")
def check_bfgs_update(bfgs_update) -> str:
    """``bfgs_update(H_inv, s, y)``: the BFGS update of the inverse-Hessian estimate."""
    expect_function(bfgs_update, "bfgs_update")
    rng = np.random.default_rng(53)
    sizes = [2, 3, 5, 1, 10, 4]
    for n in sizes:
        M = rng.standard_normal((n, n))
        H_inv = M @ M.T + 0.5 * np.eye(n)  # symmetric positive definite, not the identity
        s = rng.standard_normal(n)
        y = rng.standard_normal(n)
        if y @ s <= 0.1 * np.linalg.norm(y) * np.linalg.norm(s):
            y = y - 2 * (y @ s) / (s @ s) * s + 0.5 * s  # make the curvature condition hold
        what = f"bfgs_update for n = {n}"
        out = as_answer_array(call_on_copy(bfgs_update, what, H_inv, s, y), what)
        if out.shape != (n, n):
            raise Incorrect(
                f"{what} has shape {out.shape}; it should be an ({n}, {n}) matrix like H_inv"
            )
        scale = np.abs(out).max() + 1.0
        if not np.allclose(out, out.T, rtol=1e-8, atol=1e-10 * scale):
            raise Incorrect(
                f"{what} is not symmetric; an inverse-Hessian estimate must be. Check which of s and y "
                "sits on each side of the outer products"
            )
        if np.allclose(out @ s, y, rtol=1e-6, atol=1e-9) and not np.allclose(out @ y, s, rtol=1e-6):
            raise Incorrect(
                f"{what} satisfies B s = y, the secant condition for an estimate of the Hessian itself; "
                "the inverse-Hessian estimate must map y to s"
            )
        if not np.allclose(out @ y, s, rtol=1e-6, atol=1e-9 * scale):
            raise Incorrect(
                f"{what} does not satisfy the secant condition B y = s; check rho = 1 / (y^T s) and the "
                "final rho s s^T term"
            )
        if n > 1 and np.linalg.eigvalsh((out + out.T) / 2)[0] <= 0:
            raise Incorrect(f"{what} is not positive definite, although H_inv is and y^T s > 0")
        expect_array(out, _bfgs_inverse_update(H_inv, s, y), what, rtol=1e-6, atol=1e-9)
    return (
        f"your BFGS update is symmetric, positive definite, satisfies the secant condition and "
        f"matches the reference on {len(sizes)} problems"
    )
