"""nblib.optim: first-order trajectories against torch.optim, BFGS against scipy, Newton,
natural gradient and K-FAC against their closed forms, schedules against torch."""

import numpy as np
import pytest
from scipy.optimize import minimize

from nblib import landscapes, optim

STEPS = 100

# ---------------------------------------------------------------------------
# Two problems, each a list of parameter arrays and a numpy gradient function
# ---------------------------------------------------------------------------

_rng = np.random.default_rng(0)
_X, _Y = _rng.standard_normal((40, 4)), _rng.standard_normal((40, 3))


def least_squares_grads(params):
    """L(W, b) = (1/2N) ‖X Wᵀ + b − Y‖²: ∂L/∂W = Rᵀ X / N, ∂L/∂b = Σ R / N, R the residuals."""
    W, b = params
    R = _X @ W.T + b - _Y
    return [R.T @ _X / len(_X), R.mean(axis=0)]


ROSENBROCK = landscapes.Rosenbrock()

PROBLEMS = {
    "least_squares": (
        [0.5 * _rng.standard_normal((3, 4)), _rng.standard_normal(3)],
        least_squares_grads,
    ),
    "rosenbrock": ([np.array([-1.2, 1.0])], lambda params: [ROSENBROCK.grad(params[0])]),
}


def nblib_trajectory(opt, problem, steps=STEPS):
    params0, grads = PROBLEMS[problem]
    params = [p.copy() for p in params0]
    path = []
    for _ in range(steps):
        opt.step(params, grads(params))
        path.append(np.concatenate([p.ravel() for p in params]))
    return np.array(path)


def torch_trajectory(make_opt, problem, steps=STEPS):
    torch = pytest.importorskip("torch")
    params0, grads = PROBLEMS[problem]
    params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params0]
    opt = make_opt(torch.optim, params)
    path = []
    for _ in range(steps):
        # The same numpy gradient for both libraries: only the update rules are compared.
        for p, g in zip(params, grads([p.detach().numpy().copy() for p in params]), strict=True):
            p.grad = torch.from_numpy(g)
        opt.step()
        path.append(np.concatenate([p.detach().numpy().ravel() for p in params]))
    return np.array(path)


# name: (nblib optimizer for lr, torch optimizer for (torch.optim, params, lr), lr for the
# least-squares problem, lr for Rosenbrock)
FIRST_ORDER = {
    "SGD": (lambda lr: optim.SGD(lr), lambda o, p, lr: o.SGD(p, lr=lr), 0.1, 5e-4),
    "SGD weight_decay": (
        lambda lr: optim.SGD(lr, weight_decay=0.1),
        lambda o, p, lr: o.SGD(p, lr=lr, weight_decay=0.1),
        0.1,
        5e-4,
    ),
    "Momentum": (
        lambda lr: optim.Momentum(lr, beta=0.9),
        lambda o, p, lr: o.SGD(p, lr=lr, momentum=0.9),
        0.05,
        2e-4,
    ),
    "Momentum weight_decay": (
        lambda lr: optim.Momentum(lr, beta=0.8, weight_decay=0.05),
        lambda o, p, lr: o.SGD(p, lr=lr, momentum=0.8, weight_decay=0.05),
        0.05,
        2e-4,
    ),
    "Nesterov": (
        lambda lr: optim.Nesterov(lr, beta=0.9),
        lambda o, p, lr: o.SGD(p, lr=lr, momentum=0.9, nesterov=True),
        0.05,
        2e-4,
    ),
    "AdaGrad": (
        lambda lr: optim.AdaGrad(lr, eps=1e-10),
        lambda o, p, lr: o.Adagrad(p, lr=lr, eps=1e-10, foreach=False),
        0.1,
        0.05,
    ),
    "RMSProp": (
        lambda lr: optim.RMSProp(lr, alpha=0.9, eps=1e-8),
        lambda o, p, lr: o.RMSprop(p, lr=lr, alpha=0.9, eps=1e-8, foreach=False),
        # Not larger: at lr = 0.01 a coordinate reaches its minimum by step ~90, where the
        # step g/√s ≈ ±1 of a tiny g turns rounding (1e-16) into 1e-4 within ten steps.
        0.005,
        0.005,
    ),
    "Adam": (
        lambda lr: optim.Adam(lr),
        lambda o, p, lr: o.Adam(p, lr=lr, foreach=False),
        0.05,
        0.02,
    ),
    "Adam weight_decay": (
        lambda lr: optim.Adam(lr, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
        lambda o, p, lr: o.Adam(
            p, lr=lr, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, foreach=False
        ),
        0.05,
        0.02,
    ),
    "AdamW": (
        lambda lr: optim.AdamW(lr, weight_decay=0.1),
        lambda o, p, lr: o.AdamW(p, lr=lr, weight_decay=0.1, foreach=False),
        0.05,
        0.02,
    ),
}


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("name", FIRST_ORDER)
def test_first_order_trajectories_match_torch(name, problem):
    ours, theirs, lr_lsq, lr_rosen = FIRST_ORDER[name]
    lr = lr_lsq if problem == "least_squares" else lr_rosen
    path = nblib_trajectory(ours(lr), problem)
    reference = torch_trajectory(lambda o, p: theirs(o, p, lr), problem)
    assert np.all(np.isfinite(reference))
    assert np.linalg.norm(path[-1] - path[0]) > 1e-2  # it went somewhere
    np.testing.assert_allclose(path, reference, rtol=1e-10, atol=1e-10)


def test_book_momentum_differs_from_torch_when_the_rate_changes():
    """v ← βv + ηₜ g, w ← w − v (book) versus b ← βb + g, w ← w − ηₜ b (torch)."""
    torch = pytest.importorskip("torch")
    rates = [0.1, 0.1, 0.02, 0.02, 0.3]
    beta, w0 = 0.9, np.array([1.0, -2.0])
    grad = lambda w: np.array([3.0, 1.0]) * w  # noqa: E731  (f = 1.5 w₁² + 0.5 w₂²)

    w_book, v = w0.copy(), np.zeros(2)
    w_torch, b = w0.copy(), np.zeros(2)
    ours, ours_opt = w0.copy(), optim.Momentum(rates[0], beta)
    p = torch.tensor(w0, requires_grad=True)
    torch_opt = torch.optim.SGD([p], lr=rates[0], momentum=beta)
    for lr in rates:
        v = beta * v + lr * grad(w_book)
        w_book = w_book - v
        b = beta * b + grad(w_torch)
        w_torch = w_torch - lr * b
        ours_opt.lr = lr
        ours_opt.step([ours], [grad(ours)])
        torch_opt.param_groups[0]["lr"] = lr
        p.grad = torch.from_numpy(grad(p.detach().numpy().copy()))
        torch_opt.step()
    np.testing.assert_allclose(ours, w_book, rtol=1e-14)
    np.testing.assert_allclose(p.detach().numpy(), w_torch, rtol=1e-14)
    assert np.max(np.abs(w_book - w_torch)) > 0.1  # the stated difference is real


def test_adam_first_step_is_lr_times_sign():
    # After one step m̂ = g and v̂ = g², so Δw = −η g / (|g| + ε) ≈ −η sign(g) whatever |g| is.
    w, g = np.array([1.0, 1.0, 1.0]), np.array([1e3, -1e-3, 2.0])
    optim.Adam(lr=0.1, eps=1e-12).step([w], [g])
    np.testing.assert_allclose(w, [0.9, 1.1, 0.9], rtol=1e-9)


def test_adamw_decay_is_not_rescaled_but_adam_weight_decay_is():
    # With g = 0 AdamW only shrinks w by (1 − ηλ); Adam's λw goes through m̂ / √v̂ ≈ sign.
    w_adamw, w_adam = np.array([2.0]), np.array([2.0])
    optim.AdamW(lr=0.1, weight_decay=0.5).step([w_adamw], [np.zeros(1)])
    optim.Adam(lr=0.1, weight_decay=0.5).step([w_adam], [np.zeros(1)])
    assert w_adamw[0] == pytest.approx(2.0 * (1 - 0.05), rel=1e-15)
    assert w_adam[0] == pytest.approx(2.0 - 0.1, rel=1e-7)


def test_updates_in_place_and_keeps_float32():
    W = np.ones((2, 3), dtype=np.float32)
    params = [W]
    opt = optim.Adam(lr=0.1)
    opt.step(params, [np.ones((2, 3))])
    assert params[0] is W and W.dtype == np.float32 and np.all(W < 1)
    assert opt.t == 1 and set(opt.state[0]) == {"m", "v"}


# ---------------------------------------------------------------------------
# Second-order methods
# ---------------------------------------------------------------------------


def test_newton_solves_a_quadratic_in_one_step():
    bowl = landscapes.Quadratic(kappa=1e4, d=6, b=np.arange(6.0), rng=1)
    path = optim.run(optim.Newton(), bowl, np.ones(6), 1)
    np.testing.assert_allclose(path[1], bowl.minima[0], rtol=1e-10)
    assert np.linalg.norm(bowl.grad(path[1])) < 1e-10


def test_newton_damping_and_learning_rate():
    H, g, w = np.array([[4.0, 1.0], [1.0, 3.0]]), np.array([1.0, -2.0]), np.array([0.5, 0.5])
    expected = w - 0.5 * np.linalg.solve(H + 0.1 * np.eye(2), g)
    optim.Newton(lr=0.5, damping=0.1).step([w], [g], hessian=H)
    np.testing.assert_allclose(w, expected, rtol=1e-15)


def test_newton_over_several_arrays_flattens_them_in_order():
    # f(W, b) = ½ vᵀ A v − cᵀ v with v = (W.ravel(), b): Newton lands on A⁻¹ c at once.
    A = landscapes.Quadratic(kappa=30, d=5, rng=2).A
    c = np.arange(1.0, 6.0)
    params = [np.zeros((2, 2)), np.zeros(1)]
    v = np.zeros(5)
    optim.Newton().step(params, [(A @ v - c)[:4].reshape(2, 2), (A @ v - c)[4:]], hessian=A)
    np.testing.assert_allclose(
        np.concatenate([params[0].ravel(), params[1]]), np.linalg.solve(A, c)
    )


def test_newton_jumps_to_a_saddle():
    path = optim.run(optim.Newton(), landscapes.Saddle(), np.array([1.0, 0.7]), 1)
    np.testing.assert_allclose(path[1], [0.0, 0.0], atol=1e-15)


def test_newton_converges_quadratically_on_rosenbrock():
    path = optim.run(optim.Newton(), ROSENBROCK, np.array([-1.2, 1.0]), 8)
    errors = np.linalg.norm(path - 1.0, axis=1)
    assert errors[-1] < 1e-12
    # Quadratic convergence: once close, e_{k+1} ≤ C e_k².
    close = np.flatnonzero((errors > 1e-9) & (errors < 0.1))
    assert len(close) >= 2 and np.all(errors[close + 1] <= 10 * errors[close] ** 2)


def test_bfgs_matches_scipy_iterates_on_rosenbrock():
    x0 = np.array([-1.2, 1.0])
    result = minimize(
        ROSENBROCK.value, x0, jac=ROSENBROCK.grad, method="BFGS", options={"return_all": True}
    )
    reference = np.array(result.allvecs)
    assert result.success and len(reference) > 20
    path = optim.run(optim.BFGS(), ROSENBROCK, x0, len(reference) - 1)
    # Same line search, same update: identical to the last bit here; 1e-12 leaves room for
    # BLAS differences in H's products.
    np.testing.assert_allclose(path, reference, rtol=0, atol=1e-12)


@pytest.mark.parametrize("start", [(2.0, 2.0), (-0.5, 2.5)])
def test_bfgs_matches_scipy_on_other_landscapes(start):
    fn = landscapes.Himmelblau()
    result = minimize(fn.value, start, jac=fn.grad, method="BFGS", options={"return_all": True})
    reference = np.array(result.allvecs)
    np.testing.assert_allclose(
        optim.run(optim.BFGS(), fn, start, len(reference) - 1), reference, rtol=0, atol=1e-12
    )


def test_bfgs_secant_condition_and_staying_at_the_minimum():
    bowl = landscapes.Quadratic(kappa=20, d=3, rng=3)
    opt = optim.BFGS(lr=0.05, line_search=False)
    path = optim.run(opt, bowl, np.ones(3), 2)
    s = path[1] - path[0]
    y = bowl.grad(path[1]) - bowl.grad(path[0])
    np.testing.assert_allclose(opt.H @ y, s, rtol=1e-12)  # H y = s after the update
    # Run past convergence: the iterates stay at the minimum, finite.
    path = optim.run(optim.BFGS(), ROSENBROCK, np.array([-1.2, 1.0]), 60)
    assert np.all(np.isfinite(path)) and np.allclose(path[-10:], 1.0, atol=1e-10)


def test_bfgs_stays_put_when_the_line_search_fails():
    class Misleading:  # reports the negative gradient, so −H g points uphill
        value = ROSENBROCK.value

        def grad(self, x):
            return -ROSENBROCK.grad(x)

    opt = optim.BFGS()
    path = optim.run(opt, Misleading(), np.array([-1.2, 1.0]), 2)
    assert opt.stalled
    np.testing.assert_array_equal(path, [[-1.2, 1.0]] * 3)


def test_natural_gradient_with_identity_fisher_is_gradient_descent():
    params_ng = [np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -0.5])]
    params_sgd = [p.copy() for p in params_ng]
    grads = [np.array([[0.1, -0.2], [0.3, 0.4]]), np.array([1.0, 2.0])]
    optim.NaturalGradient(lr=0.3).step(params_ng, grads, fisher=np.eye(6))
    optim.SGD(lr=0.3).step(params_sgd, grads)
    for a, b in zip(params_ng, params_sgd, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-15)


def test_empirical_fisher_and_damping():
    rng = np.random.default_rng(4)
    per_example = rng.standard_normal((10, 3))
    F = optim.empirical_fisher(per_example)
    np.testing.assert_allclose(F, sum(np.outer(g, g) for g in per_example) / 10, rtol=1e-13)
    g = per_example.mean(axis=0)
    w1, w2 = np.zeros(3), np.zeros(3)
    optim.NaturalGradient(lr=0.5, damping=0.2).step([w1], [g], per_example_grads=per_example)
    optim.NaturalGradient(lr=0.5, damping=0.2).step([w2], [g], fisher=F)
    np.testing.assert_array_equal(w1, w2)
    np.testing.assert_allclose(w1, -0.5 * np.linalg.solve(F + 0.2 * np.eye(3), g), rtol=1e-14)


def test_natural_gradient_is_invariant_to_a_linear_reparametrization():
    # w = B θ: the gradient becomes Bᵀg and the Fisher BᵀFB, and the natural-gradient
    # step in θ moves w exactly as the step in w does (plain gradient descent does not).
    rng = np.random.default_rng(5)
    per_example = rng.standard_normal((20, 3))
    F, g = optim.empirical_fisher(per_example), per_example.mean(axis=0)
    B = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    w, theta = np.zeros(3), np.zeros(3)
    optim.NaturalGradient(lr=0.1).step([w], [g], fisher=F)
    optim.NaturalGradient(lr=0.1).step([theta], [B.T @ g], fisher=B.T @ F @ B)
    np.testing.assert_allclose(B @ theta, w, rtol=1e-10)
    w_gd, theta_gd = np.zeros(3), np.zeros(3)
    optim.SGD(0.1).step([w_gd], [g])
    optim.SGD(0.1).step([theta_gd], [B.T @ g])
    assert np.linalg.norm(B @ theta_gd - w_gd) > 0.1


def kfac_layer(bias, rng=None):
    rng = np.random.default_rng(6) if rng is None else rng
    n, n_in, n_out = 8, 3, 2
    a, delta = rng.standard_normal((n, n_in)), rng.standard_normal((n, n_out))
    W, b = rng.standard_normal((n_out, n_in)), rng.standard_normal(n_out)
    # Gradients of the batch-mean loss: ∇W = (1/n) Σ δᵢ aᵢᵀ, ∇b = (1/n) Σ δᵢ.
    grads = [delta.T @ a / n] + ([delta.mean(axis=0)] if bias else [])
    return [W] + ([b] if bias else []), grads, a, delta


@pytest.mark.parametrize("bias", [False, True])
def test_kfac_equals_the_explicit_kronecker_natural_gradient(bias):
    params, grads, a, delta = kfac_layer(bias)
    lr, damping = 0.3, 0.05
    a_bar = np.hstack([a, np.ones((len(a), 1))]) if bias else a
    A, G = a_bar.T @ a_bar / len(a), delta.T @ delta / len(a)
    # Row-major vec(δ aᵀ) = δ ⊗ a, so the factored Fisher of W.ravel() is G ⊗ A.
    F = np.kron(G + damping * np.eye(len(G)), A + damping * np.eye(len(A)))
    flat_grad = np.column_stack(grads).ravel()
    step = (lr * np.linalg.solve(F, flat_grad)).reshape(len(G), len(A))
    expected = [params[0] - step[:, : a.shape[1]]] + ([params[1] - step[:, -1]] if bias else [])
    optim.KFAC(lr=lr, damping=damping).step(params, grads, inputs=a, preact_grads=delta)
    for p, e in zip(params, expected, strict=True):
        np.testing.assert_allclose(p, e, rtol=1e-12)


def test_kfac_is_the_natural_gradient_when_inputs_and_gradients_are_independent():
    # A batch made of every pair (aⱼ, δₖ): its empirical Fisher is exactly G ⊗ A.
    rng = np.random.default_rng(7)
    inputs, deltas = rng.standard_normal((4, 3)), rng.standard_normal((3, 2))
    a = np.repeat(inputs, len(deltas), axis=0)
    delta = np.tile(deltas, (len(inputs), 1))
    per_example = np.stack([np.kron(d, x) for d, x in zip(delta, a, strict=True)])  # vec(δ aᵀ)
    grad_W = delta.T @ a / len(a)
    W_kfac, W_ng = np.ones((2, 3)), np.ones(6)
    optim.KFAC(lr=0.1, damping=0.0).step([W_kfac], [grad_W], inputs=a, preact_grads=delta)
    optim.NaturalGradient(lr=0.1).step([W_ng], [grad_W.ravel()], per_example_grads=per_example)
    np.testing.assert_allclose(W_kfac.ravel(), W_ng, rtol=1e-10)


def test_kfac_moving_average_of_factors():
    params, grads, a, delta = kfac_layer(bias=False)
    opt = optim.KFAC(lr=0.1, decay=0.9)
    opt.step(params, grads, inputs=a, preact_grads=delta)
    A1, G1 = optim.kfac_factors(a, delta)
    np.testing.assert_allclose(opt.A, A1)
    opt.step(params, grads, inputs=2 * a, preact_grads=delta)
    np.testing.assert_allclose(opt.A, 0.9 * A1 + 0.1 * 4 * A1, rtol=1e-14)
    np.testing.assert_allclose(opt.G, G1, rtol=1e-14)


# ---------------------------------------------------------------------------
# Schedules and run
# ---------------------------------------------------------------------------


def torch_rates(make_scheduler, lr, steps):
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    scheduler = make_scheduler(torch.optim.lr_scheduler, opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return np.array(rates)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (optim.step_decay(0.1, 7, 0.5), lambda s, o: s.StepLR(o, step_size=7, gamma=0.5)),
        (optim.exponential_decay(0.1, 0.95), lambda s, o: s.ExponentialLR(o, gamma=0.95)),
        (optim.cosine(0.1, 40, 0.01), lambda s, o: s.CosineAnnealingLR(o, T_max=40, eta_min=0.01)),
        (
            optim.linear_warmup(0.1, 10),
            lambda s, o: s.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=9),
        ),
        (
            optim.warmup_cosine(0.1, 10, 40),
            lambda s, o: s.SequentialLR(
                o,
                [s.LinearLR(o, 0.1, 1.0, total_iters=9), s.CosineAnnealingLR(o, T_max=30)],
                milestones=[10],
            ),
        ),
    ],
)
def test_schedules_match_torch(ours, theirs):
    np.testing.assert_allclose(
        [ours(t) for t in range(41)], torch_rates(theirs, 0.1, 41), rtol=1e-12
    )


def test_schedules_by_hand():
    schedule = optim.warmup_cosine(1.0, 4, 12)
    np.testing.assert_allclose([schedule(t) for t in range(4)], [0.25, 0.5, 0.75, 1.0])
    assert schedule(8) == pytest.approx(0.5)  # halfway through the cosine: ½(1 + cos π/2)
    assert schedule(12) == 0.0 and schedule(100) == 0.0
    assert optim.cosine(1.0, 10, lr_min=0.2)(1000) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="t must be >= 0"):
        schedule(-1)


def test_run_returns_the_trajectory_and_values():
    bowl = landscapes.Quadratic(kappa=50, d=10)
    x0 = np.ones(10)
    lr = 2 / 51
    path, values = optim.run(optim.SGD(lr), bowl, x0, 100, return_values=True)
    assert path.shape == (101, 10) and values.shape == (101,)
    np.testing.assert_array_equal(x0, np.ones(10))  # not modified
    expected = [x0]
    for _ in range(100):
        expected.append(expected[-1] - lr * bowl.grad(expected[-1]))
    np.testing.assert_allclose(path, expected, rtol=1e-12)
    np.testing.assert_allclose(values, bowl.value(path), rtol=1e-12)
    # Best fixed step: the error contracts by at most (κ − 1)/(κ + 1) per step.
    assert np.linalg.norm(path[-1]) <= (49 / 51) ** 100 * np.linalg.norm(x0) * (1 + 1e-9)


def test_run_applies_the_schedule():
    fn = landscapes.Quadratic(kappa=1, d=2)  # ∇f = x, so x ← (1 − ηₜ) x
    opt = optim.SGD(lr=1.0)
    path = optim.run(opt, fn, np.array([1.0, 2.0]), 3, schedule=lambda t: 0.1 * (t + 1))
    np.testing.assert_allclose(path[:, 0], [1.0, 0.9, 0.9 * 0.8, 0.9 * 0.8 * 0.7])
    assert opt.lr == pytest.approx(0.3)


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


def bad_lr_step():
    opt = optim.SGD(lr=0.1)
    opt.lr = -0.1  # e.g. set by a schedule
    opt.step([np.zeros(2)], [np.ones(2)])


def second_step_with_other_shapes():
    opt = optim.Adam()
    opt.step([np.zeros(2)], [np.ones(2)])
    opt.step([np.zeros(3)], [np.ones(3)])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: optim.SGD(lr=-0.1), "lr must be >= 0"),
        (bad_lr_step, "lr must be >= 0"),
        (lambda: optim.Adam(betas=(0.9, 1.0)), r"betas\[1\] must be < 1"),
        (lambda: optim.Adam(betas=(-0.1, 0.9)), r"betas\[0\] must be >= 0"),
        (lambda: optim.Adam(betas=0.9), "betas must be a pair"),
        (lambda: optim.RMSProp(eps=0.0), "eps must be > 0"),
        (lambda: optim.AdaGrad(eps=-1e-8), "eps must be > 0"),
        (lambda: optim.Momentum(0.1, beta=1.0), "beta must be < 1"),
        (lambda: optim.SGD(0.1, weight_decay=-1), "weight_decay must be >= 0"),
        (lambda: optim.Newton(damping=-1), "damping must be >= 0"),
        (
            lambda: optim.SGD(0.1).step([np.zeros(2)], [np.array([1.0, np.nan])]),
            r"grads\[0\] contains",
        ),
        (
            lambda: optim.Adam().step([np.zeros(2)], [np.array([np.inf, 1.0])]),
            r"grads\[0\] contains",
        ),
        (
            lambda: optim.SGD(0.1).step([np.zeros(2), np.zeros(3)], [np.ones(2)]),
            "same length, got 2 and 1",
        ),
        (
            lambda: optim.SGD(0.1).step([np.zeros((2, 3))], [np.ones((3, 2))]),
            r"grads\[0\] must have the shape",
        ),
        (lambda: optim.SGD(0.1).step([], []), "params must hold at least one"),
        (second_step_with_other_shapes, "params must have the shapes of the previous steps"),
        (
            lambda: optim.Newton().step([np.zeros(3)], [np.ones(3)], hessian=np.eye(2)),
            r"hessian must have shape \(3, 3\)",
        ),
        (
            lambda: optim.Newton().step([np.zeros(2)], [np.ones(2)], hessian=np.zeros((2, 2))),
            "singular",
        ),
        (
            lambda: optim.NaturalGradient().step(
                [np.zeros(2)], [np.ones(2)], per_example_grads=np.ones((4, 3))
            ),
            "per_example_grads must have 2 columns",
        ),
        (
            lambda: optim.KFAC(0.1).step(
                [np.zeros((2, 3))], [np.ones((2, 3))], np.ones((5, 3)), np.ones((4, 2))
            ),
            "one row per example",
        ),
        (
            lambda: optim.run(optim.SGD(0.1), ROSENBROCK, np.array([1.0, 2.0, 3.0]), 2),
            r"x must be a point of shape \(2,\)",
        ),
        (lambda: optim.cosine(0.1, 0), "total_steps must be >= 1"),
        (lambda: optim.warmup_cosine(0.1, 10, 10), "total_steps must exceed warmup_steps"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_wrong_kinds_raise_type_error():
    with pytest.raises(TypeError, match=r"params\[0\] must be a float numpy array"):
        optim.SGD(0.1).step([[1.0, 2.0]], [np.ones(2)])
    with pytest.raises(TypeError, match="BFGS with line_search=True needs fn"):
        optim.BFGS().step([np.zeros(2)], [np.ones(2)])
    with pytest.raises(TypeError, match="run cannot supply fisher"):
        optim.run(optim.NaturalGradient(), ROSENBROCK, np.zeros(2), 1)
