"""Checks of the code exercises of Chapter 3 (optimization): a right answer passes, typical wrong answers
fail with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest

from nblib.exercises import check

_ = (np, pytest, check)  # sections append their tests below


def _stub(*args):
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Section 3.4: op-power-iteration
# ---------------------------------------------------------------------------


def _power_iteration(hvp, dim, steps):
    v = np.random.default_rng(0).standard_normal(dim)
    v /= np.linalg.norm(v)
    for _ in range(steps):
        Hv = hvp(v)
        v = Hv / np.linalg.norm(Hv)
    return float(v @ hvp(v))


def _power_iteration_norm(hvp, dim, steps):
    v = np.ones(dim) / np.sqrt(dim)
    for _ in range(steps):
        Hv = hvp(v)
        v = Hv / np.linalg.norm(Hv)
    return float(np.linalg.norm(hvp(v)))


def _power_iteration_unnormalised(hvp, dim, steps):
    v = np.random.default_rng(0).standard_normal(dim)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            v = hvp(v)
        return float(v @ hvp(v) / (v @ v))


def _power_iteration_too_many_calls(hvp, dim, steps):
    v = np.random.default_rng(0).standard_normal(dim)
    for _ in range(steps):
        v = hvp(v) / np.linalg.norm(hvp(v))
    return float(v @ hvp(v))


def _power_iteration_vector(hvp, dim, steps):
    v = np.random.default_rng(0).standard_normal(dim)
    for _ in range(steps):
        v = hvp(v) / np.linalg.norm(hvp(v))
    return v


def test_power_iteration_accepts_the_rayleigh_quotient():
    feedback = check("op-power-iteration", _power_iteration)
    assert feedback.passed, feedback.message


def test_power_iteration_stub_is_not_attempted():
    feedback = check("op-power-iteration", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_power_iteration_norm, "sign"),
        (_power_iteration_unnormalised, "NaN"),
        (_power_iteration_too_many_calls, "times"),
        (_power_iteration_vector, "array"),
        (lambda hvp, dim, steps: 1.0, "too"),
    ],
    ids=["norm", "unnormalised", "two-products-per-step", "vector", "constant"],
)
def test_power_iteration_rejects_typical_mistakes(answer, expected):
    feedback = check("op-power-iteration", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


# ---------------------------------------------------------------------------
# Section 3.2: op-heavy-ball-rate
# ---------------------------------------------------------------------------


def _heavy_ball_rate(lr, beta, eigenvalue):
    c = 1 + beta - lr * eigenvalue
    disc = c * c - 4 * beta
    return float(np.sqrt(beta)) if disc < 0 else float((abs(c) + np.sqrt(disc)) / 2)


def test_heavy_ball_rate_accepts_the_closed_form_and_eigvals():
    def by_eigvals(lr, beta, eigenvalue):
        M = np.array([[1 - lr * eigenvalue, -beta], [lr * eigenvalue, beta]])
        return np.max(np.abs(np.linalg.eigvals(M)))

    for answer in (_heavy_ball_rate, by_eigvals):
        feedback = check("op-heavy-ball-rate", answer)
        assert feedback.passed, feedback.message


def test_heavy_ball_rate_stub_is_not_attempted():
    feedback = check("op-heavy-ball-rate", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


def _real_roots_only(lr, beta, eigenvalue):
    c = 1 + beta - lr * eigenvalue
    return (abs(c) + np.sqrt(c * c - 4 * beta + 0j)).real / 2


@pytest.mark.parametrize(
    "answer, expected",
    [
        # the real-root formula everywhere: NaN where the roots are complex
        (
            lambda lr, b, lam: (
                (abs(1 + b - lr * lam) + np.sqrt((1 + b - lr * lam) ** 2 - 4 * b)) / 2
            ),
            "complex conjugates",
        ),
        (
            lambda lr, b, lam: (
                b if (1 + b - lr * lam) ** 2 < 4 * b else _heavy_ball_rate(lr, b, lam)
            ),
            "sqrt(beta), not beta",
        ),
        (_real_roots_only, "real part"),
        # forgot the absolute value of c
        (
            lambda lr, b, lam: (
                _heavy_ball_rate(lr, b, lam)
                if 1 + b - lr * lam >= 0
                else (1 + b - lr * lam + np.sqrt((1 + b - lr * lam) ** 2 - 4 * b)) / 2
            ),
            "negative",
        ),
        (lambda lr, b, lam: np.sqrt(b), "too"),  # √β everywhere
        (lambda lr, b, lam: complex(_heavy_ball_rate(lr, b, lam)), "complex number"),
        (lambda lr, b, lam: np.array([_heavy_ball_rate(lr, b, lam)] * 2), "one number"),
    ],
    ids=["nan", "beta", "real-part", "no-abs", "sqrt-beta", "complex", "array"],
)
def test_heavy_ball_rate_rejects_typical_mistakes(answer, expected):
    with np.errstate(invalid="ignore"):
        feedback = check("op-heavy-ball-rate", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


# ---------------------------------------------------------------------------
# Section 3.3: op-adam-step
# ---------------------------------------------------------------------------


def _adam(w, g, m, v, t, lr, beta1, beta2, eps, correct=True, shift=0, inside=False, raw=True):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1 ** (t + shift)) if correct else m
    v_hat = v / (1 - beta2 ** (t + shift)) if correct else v
    denom = np.sqrt(v_hat + eps) if inside else np.sqrt(v_hat) + eps
    new_w = w - lr * m_hat / denom
    return (new_w, m, v) if raw else (new_w, m_hat, v_hat)


def test_adam_step_accepts_the_reference():
    feedback = check("op-adam-step", _adam)
    assert feedback.passed, feedback.message


def test_adam_step_agrees_with_nblib_adam():
    from nblib import optim

    rng = np.random.default_rng(0)
    w, m, v = rng.standard_normal(4), np.zeros(4), np.zeros(4)
    w_nblib = w.copy()
    opt = optim.Adam(lr=0.01, betas=(0.9, 0.99), eps=1e-8)
    for t in range(1, 6):
        g = rng.standard_normal(4)
        w, m, v = _adam(w, g, m, v, t, 0.01, 0.9, 0.99, 1e-8)
        opt.step([w_nblib], [g])
        np.testing.assert_allclose(w, w_nblib, rtol=1e-12)


def _adam_no_square(w, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g
    return w - lr * m / (1 - beta1**t) / (np.sqrt(np.abs(v) / (1 - beta2**t)) + eps), m, v


def _adam_efficient(w, g, m, v, t, lr, beta1, beta2, eps):
    # Kingma and Ba's 'efficient' ordering: a different place for eps, so a different step.
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return w - lr * np.sqrt(1 - beta2**t) / (1 - beta1**t) * m / (np.sqrt(v) + eps), m, v


def test_adam_step_stub_is_not_attempted():
    feedback = check("op-adam-step", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda *a: _adam(*a, correct=False), "bias correction"),
        (lambda *a: _adam(*a, shift=1), "t + 1"),
        (lambda *a: _adam(*a, shift=-1), "NaN or infinite"),  # t counted from 0: 1 - beta^0 = 0
        (lambda *a: _adam(*a, inside=True), "outside the square root"),
        (lambda *a: _adam(*a, raw=False), "raw moving average"),
        (lambda *a: _adam(*a)[:2], "three arrays"),
        (lambda *a: _adam(*a)[0], "three arrays"),
        (_adam_no_square, "g * g"),
        (lambda w, g, *rest: _adam(w, -g, *rest), "wrong"),
        (_adam_efficient, "'efficient' form"),
    ],
    ids=[
        "no-correction",
        "t-plus-1",
        "t-from-0",
        "eps-inside",
        "corrected-state",
        "two",
        "one",
        "no-square",
        "sign",
        "kingma-efficient",
    ],
)
def test_adam_step_rejects_typical_mistakes(answer, expected):
    with np.errstate(divide="ignore", invalid="ignore"):
        feedback = check("op-adam-step", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


def test_adam_step_rejects_in_place_updates():
    def in_place(w, g, m, v, t, lr, beta1, beta2, eps):
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        w -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
        return w, m, v

    feedback = check("op-adam-step", in_place)
    assert not feedback.passed and "in place" in feedback.message


# ---------------------------------------------------------------------------
# Section 3.6: op-warmup-cosine
# ---------------------------------------------------------------------------


def _warmup_cosine(t, peak, warmup, total, lr_min):
    if t < warmup:
        return peak * (t + 1) / warmup
    progress = min(t - warmup, total - warmup) / (total - warmup)
    return lr_min + 0.5 * (peak - lr_min) * (1 + np.cos(np.pi * progress))


def _cosine_part(t, peak, warmup, total, lr_min, clock=None, length=None, clamp=True):
    s = t - warmup if clock is None else clock
    n = total - warmup if length is None else length
    if clamp:
        s = min(s, n)
    return lr_min + 0.5 * (peak - lr_min) * (1 + np.cos(np.pi * s / n))


def test_warmup_cosine_accepts_the_formula():
    feedback = check("op-warmup-cosine", _warmup_cosine)
    assert feedback.passed, feedback.message


def test_warmup_cosine_accepts_nblib():
    from nblib import optim

    def via_nblib(t, peak, warmup, total, lr_min):
        return optim.warmup_cosine(peak, warmup, total, lr_min)(t)

    feedback = check("op-warmup-cosine", via_nblib)
    assert feedback.passed, feedback.message


def test_warmup_cosine_stub_is_not_attempted():
    feedback = check("op-warmup-cosine", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        # ramp t / W: starts at zero
        (
            lambda t, p, w, T, m: p * t / w if t < w else _warmup_cosine(t, p, w, T, m),
            "first step",
        ),
        # ramp (t + 1) / W used up to and including t = W: overshoots at the boundary
        (
            lambda t, p, w, T, m: p * (t + 1) / w if t <= w else _warmup_cosine(t, p, w, T, m),
            "end of the warm-up",
        ),
        # cosine on the clock t instead of t - W
        (
            lambda t, p, w, T, m: (
                p * (t + 1) / w if t < w else _cosine_part(t, p, w, T, m, clock=t)
            ),
            "end of the warm-up",
        ),
        # cosine over T steps instead of T - W
        (
            lambda t, p, w, T, m: (
                p * (t + 1) / w if t < w else _cosine_part(t, p, w, T, m, length=T)
            ),
            "cosine decay",
        ),
        # no clamp after T: the cosine rises again
        (
            lambda t, p, w, T, m: (
                p * (t + 1) / w if t < w else _cosine_part(t, p, w, T, m, clamp=False)
            ),
            "after the end",
        ),
        # lr_min forgotten
        (lambda t, p, w, T, m: _warmup_cosine(t, p, w, T, 0.0), "cosine decay"),
        (lambda t, p, w, T, m: np.array([_warmup_cosine(t, p, w, T, m)] * 2), "single number"),
        (lambda t, p, w, T, m: np.nan, "finite"),
    ],
    ids=["zero-start", "boundary", "clock", "length", "no-clamp", "no-lr-min", "array", "nan"],
)
def test_warmup_cosine_rejects_typical_mistakes(answer, expected):
    feedback = check("op-warmup-cosine", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


# ---------------------------------------------------------------------------
# Section 3.1: op-sgd-epoch
# ---------------------------------------------------------------------------


def _sgd_epoch(w, X, y, lr, batch_size, rng):
    w = np.array(w, dtype=float)
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        idx = order[start : start + batch_size]
        w = w - lr * X[idx].T @ (X[idx] @ w - y[idx]) / len(idx)
    return w


def _sum_not_mean(w, X, y, lr, batch_size, rng):
    w = np.array(w, dtype=float)
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        idx = order[start : start + batch_size]
        w = w - lr * X[idx].T @ (X[idx] @ w - y[idx])
    return w


def _no_shuffle(w, X, y, lr, batch_size, rng):
    w = np.array(w, dtype=float)
    for start in range(0, len(X), batch_size):
        idx = np.arange(start, min(start + batch_size, len(X)))
        w = w - lr * X[idx].T @ (X[idx] @ w - y[idx]) / len(idx)
    return w


def _drop_last(w, X, y, lr, batch_size, rng):
    w = np.array(w, dtype=float)
    order = rng.permutation(len(X))
    for start in range(0, len(X) - batch_size + 1, batch_size):
        idx = order[start : start + batch_size]
        w = w - lr * X[idx].T @ (X[idx] @ w - y[idx]) / batch_size
    return w


def _divide_by_batch_size(w, X, y, lr, batch_size, rng):
    w = np.array(w, dtype=float)
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        idx = order[start : start + batch_size]
        w = w - lr * X[idx].T @ (X[idx] @ w - y[idx]) / batch_size
    return w


def _full_gradient(w, X, y, lr, batch_size, rng):
    w = np.array(w, dtype=float)
    for _ in range(-(-len(X) // batch_size)):
        w = w - lr * X.T @ (X @ w - y) / len(X)
    return w


def _with_replacement(w, X, y, lr, batch_size, rng):
    w = np.array(w, dtype=float)
    for _ in range(-(-len(X) // batch_size)):
        idx = rng.integers(0, len(X), batch_size)
        w = w - lr * X[idx].T @ (X[idx] @ w - y[idx]) / len(idx)
    return w


def test_sgd_epoch_accepts_the_reference_loop():
    feedback = check("op-sgd-epoch", _sgd_epoch)
    assert feedback.passed, feedback.message


def test_sgd_epoch_stub_is_not_attempted():
    feedback = check("op-sgd-epoch", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_sum_not_mean, "sum"),
        (_no_shuffle, "permutation"),
        (_drop_last, "drop the last"),
        (_divide_by_batch_size, "len(idx)"),
        (_full_gradient, "all examples"),
        (_with_replacement, "differs"),
        (lambda w, X, y, lr, batch_size, rng: w[:-1], "shape"),
        (lambda w, X, y, lr, batch_size, rng: (w, w), "tuple"),
    ],
    ids=[
        "sum",
        "no-shuffle",
        "drop-last",
        "by-batch-size",
        "full",
        "replacement",
        "shape",
        "tuple",
    ],
)
def test_sgd_epoch_rejects_typical_mistakes(answer, expected):
    feedback = check("op-sgd-epoch", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


def test_sgd_epoch_rejects_in_place_modification():
    def in_place(w, X, y, lr, batch_size, rng):
        w -= lr * X.T @ (X @ w - y) / len(X)
        return _sgd_epoch(w, X, y, lr, batch_size, rng)

    feedback = check("op-sgd-epoch", in_place)
    assert not feedback.passed and "in place" in feedback.message


# ---------------------------------------------------------------------------
# Section 3.5: op-bfgs-update
# ---------------------------------------------------------------------------


def _bfgs_update(H_inv, s, y):
    rho = 1.0 / (y @ s)
    I = np.eye(len(s))
    return (I - rho * np.outer(s, y)) @ H_inv @ (I - rho * np.outer(y, s)) + rho * np.outer(s, s)


def _bfgs_update_expanded(H_inv, s, y):
    rho = 1.0 / (y @ s)
    u = H_inv @ y
    return (
        H_inv - rho * (np.outer(s, u) + np.outer(u, s)) + (rho**2 * (y @ u) + rho) * np.outer(s, s)
    )


def _bfgs_hessian_form(B, s, y):  # the update of the Hessian estimate, applied to the inverse
    Bs = B @ s
    return B - np.outer(Bs, Bs) / (s @ Bs) + np.outer(y, y) / (y @ s)


def _bfgs_no_last_term(H_inv, s, y):
    rho = 1.0 / (y @ s)
    I = np.eye(len(s))
    return (I - rho * np.outer(s, y)) @ H_inv @ (I - rho * np.outer(y, s))


def _bfgs_swapped(H_inv, s, y):
    rho = 1.0 / (y @ s)
    I = np.eye(len(s))
    return (I - rho * np.outer(y, s)) @ H_inv @ (I - rho * np.outer(s, y)) + rho * np.outer(s, s)


def _bfgs_one_sided(H_inv, s, y):
    rho = 1.0 / (y @ s)
    I = np.eye(len(s))
    return (I - rho * np.outer(s, y)) @ H_inv + rho * np.outer(s, s)


def _bfgs_in_place(H_inv, s, y):
    H_inv[...] = _bfgs_update(H_inv, s, y)
    return H_inv


@pytest.mark.parametrize(
    "answer", [_bfgs_update, _bfgs_update_expanded], ids=["product", "expanded"]
)
def test_bfgs_update_accepts_both_forms(answer):
    feedback = check("op-bfgs-update", answer)
    assert feedback.passed, feedback.message


def test_bfgs_update_stub_is_not_attempted():
    feedback = check("op-bfgs-update", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_bfgs_hessian_form, "B s = y"),
        (_bfgs_no_last_term, "secant"),
        (_bfgs_swapped, "secant"),
        (_bfgs_one_sided, "symmetric"),
        (_bfgs_in_place, "in place"),
        (lambda H_inv, s, y: _bfgs_update(H_inv, s, y)[:, :-1], "shape"),
        (lambda H_inv, s, y: H_inv, "secant"),
    ],
    ids=["hessian-form", "no-ss-term", "swapped", "one-sided", "in-place", "shape", "unchanged"],
)
def test_bfgs_update_rejects_typical_mistakes(answer, expected):
    feedback = check("op-bfgs-update", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message
