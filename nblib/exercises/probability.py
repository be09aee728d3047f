"""Checks for Chapter 4, Probability and statistics (exercise labels start with ``pr-``). How a check works: :mod:`nblib.exercises`."""

from __future__ import annotations

import numpy as np

from . import (
    Incorrect,
    as_answer_array,
    call_on_copy,
    expect_array,
    expect_function,
    expect_scalar,
    register,
)

__all__: list[str] = []  # checks are reached through nblib.exercises.check(label, answer)


# ---------------------------------------------------------------------------
# Section 4.1
# ---------------------------------------------------------------------------


def _softmax_nll_grad(W: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Σ_i (softmax(W x_i) − e_{y_i}) x_iᵀ (eq-pr-softmax-grad), by a loop over examples."""
    grad = np.zeros_like(W)
    for x, label in zip(X, y, strict=True):
        z = W @ x
        p = np.exp(z - z.max())
        p /= p.sum()
        p[label] -= 1.0
        grad += np.outer(p, x)
    return grad


@register("pr-softmax-grad")
def check_softmax_grad(softmax_nll_grad) -> str:
    """``softmax_nll_grad(W, X, y)``: the gradient (K, d) of the summed softmax NLL."""
    expect_function(softmax_nll_grad, "softmax_nll_grad")
    rng = np.random.default_rng(411)
    cases = [
        ("3 classes, 5 examples", 3, 2, 5, 1.0),
        ("2 classes, 1 example", 2, 3, 1, 1.0),
        ("4 classes, 40 examples", 4, 3, 40, 1.0),
        ("5 classes where some class never occurs", 5, 2, 6, 1.0),
        ("large logits (|W x| in the thousands)", 3, 4, 10, 1000.0),
    ]
    for what, k, d, n, scale in cases:
        W = scale * rng.standard_normal((k, d))
        X = rng.standard_normal((n, d))
        y = rng.integers(0, 2 if "never" in what else k, size=n)
        label = f"your gradient for {what} (W of shape {W.shape}, X of shape {X.shape})"
        out = call_on_copy(softmax_nll_grad, "softmax_nll_grad", W, X, y)
        arr = as_answer_array(out, label)
        expected = _softmax_nll_grad(W, X, y)
        if arr.shape == expected.T.shape and arr.shape != expected.shape:
            raise Incorrect(
                f"{label} has shape {arr.shape}; it should have the shape of W, {W.shape}"
            )
        if (
            arr.shape == expected.shape
            and n > 1
            and np.allclose(arr * n, expected, rtol=1e-6, atol=1e-9)
        ):
            raise Incorrect(
                f"{label} is off by a factor of n = {n}: the exercise asks for the gradient of the "
                "summed NLL, not of the mean"
            )
        if arr.shape == expected.shape and np.allclose(arr, -expected, rtol=1e-6, atol=1e-9):
            raise Incorrect(
                f"{label} has the wrong sign: it points uphill; the gradient of the negative "
                "log-likelihood is prediction minus target"
            )
        expect_array(arr, expected, label, rtol=1e-6, atol=1e-8)
    return f"your gradient matches p - y on {len(cases)} cases, including large logits"


# ---------------------------------------------------------------------------
# Section 4.2
# ---------------------------------------------------------------------------


def _ece_reference(probs: np.ndarray, labels: np.ndarray, n_bins: int) -> float:
    """ECE (eq-pr-ece) by an explicit loop over the bins ((m−1)/M, m/M]."""
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    total = 0.0
    for m in range(n_bins):
        lo, hi = edges[m], edges[m + 1]
        in_bin = (conf > lo) & (conf <= hi) if m > 0 else conf <= hi
        if in_bin.any():
            total += in_bin.mean() * abs(correct[in_bin].mean() - conf[in_bin].mean())
    return float(total)


def _ece_probe_signed_gaps(ece) -> None:
    """Tell a sum of signed bin gaps from a global comparison: the weighted sum of the bins'
    signed gaps is exactly overall accuracy − overall confidence, so two cases with opposite
    overall signs (and bins of both signs, so the ECE differs from both) separate them."""
    rng = np.random.default_rng(422)
    probes = []
    for sharp, hi_shift, lo_shift in ((4.0, -0.2, 0.1), (1.0, -0.1, 0.3)):
        z = sharp * rng.standard_normal((300, 3))
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        conf, pred = p.max(axis=1), p.argmax(axis=1)
        # over-confident above 0.6, under-confident below: bins of both signs
        correct = rng.random(len(p)) < np.clip(
            conf + np.where(conf > 0.6, hi_shift, lo_shift), 0, 1
        )
        probes.append((p, np.where(correct, pred, (pred + 1) % 3), 10))
    values, signed, expected = [], [], []
    for probs, labels, n_bins in probes:
        label = f"your ECE for {len(labels)} examples, 3 classes, n_bins = {n_bins}"
        out = call_on_copy(ece, "ece", probs, labels, n_bins)
        if isinstance(out, (tuple, list, np.ndarray)) and np.size(out) != 1:
            raise Incorrect(f"{label} returned {np.size(out)} numbers; return the ECE, one number")
        values.append(float(as_answer_array(out, label)))
        signed.append(float(np.mean(probs.argmax(axis=1) == labels) - probs.max(axis=1).mean()))
        expected.append(_ece_reference(probs, labels, n_bins))
    values, signed = np.array(values), np.array(signed)
    if np.allclose(values, expected, rtol=1e-9, atol=1e-12):
        return
    if np.allclose(values, signed, rtol=1e-9) or np.allclose(values, -signed, rtol=1e-9):
        raise Incorrect(
            "your ECE adds up the bins' signed gaps, so over-confident and under-confident bins "
            "cancel (the weighted sum of signed gaps is just overall accuracy minus overall "
            "confidence); take the absolute value of each bin's gap before weighting"
        )
    if np.allclose(values, np.abs(signed), rtol=1e-9):
        raise Incorrect(
            "your ECE compares accuracy and confidence over all examples at once (or takes the "
            "absolute value only after summing the bins' gaps); the ECE compares them inside "
            "each bin and averages the absolute gaps"
        )


@register("pr-ece")
def check_ece(ece) -> str:
    """``ece(probs, labels, n_bins)``: the expected calibration error with equal-width bins."""
    expect_function(ece, "ece")
    rng = np.random.default_rng(421)
    cases = []
    for n, k, n_bins, sharp in [
        (200, 3, 10, 2.0),
        (500, 10, 15, 4.0),
        (50, 2, 5, 1.0),
        (1000, 4, 20, 6.0),
    ]:
        z = sharp * rng.standard_normal((n, k))
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        labels = np.array([rng.choice(k, p=row) for row in p])  # calibrated labels ...
        flip = rng.random(n) < 0.2  # ... with 20 % replaced, so the ECE is clearly positive
        labels[flip] = rng.integers(0, k, size=flip.sum())
        cases.append((p, labels, n_bins))
    # confidences exactly on a bin edge: ((m − 1)/M, m/M] puts 0.6 in the bin that ends at 0.6
    edge = np.array([[0.6, 0.4], [0.6, 0.4], [0.8, 0.2], [0.3, 0.7], [0.5, 0.5]])
    cases.append((edge, np.array([0, 1, 1, 1, 0]), 5))
    _ece_probe_signed_gaps(ece)
    for probs, labels, n_bins in cases:
        label = f"your ECE for {len(labels)} examples, {probs.shape[1]} classes, n_bins = {n_bins}"
        out = call_on_copy(ece, "ece", probs, labels, n_bins)
        if isinstance(out, (tuple, list, np.ndarray)) and np.size(out) != 1:
            raise Incorrect(f"{label} returned {np.size(out)} numbers; return the ECE, one number")
        value = float(as_answer_array(out, label))
        expected = _ece_reference(probs, labels, n_bins)
        conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
        if np.isclose(value, abs(correct.mean() - conf.mean()), rtol=1e-9) and not np.isclose(
            value, expected, rtol=1e-9
        ):
            raise Incorrect(
                f"{label} compares accuracy and confidence over all examples at once; the ECE "
                "compares them inside each bin and averages the gaps"
            )
        edges = np.linspace(0, 1, n_bins + 1)
        index = np.clip(np.searchsorted(edges[1:-1], conf, side="left"), 0, n_bins - 1)
        gaps = [abs(correct[index == m].mean() - conf[index == m].mean()) for m in np.unique(index)]
        if np.isclose(value, np.mean(gaps), rtol=1e-9) and not np.isclose(
            value, expected, rtol=1e-9
        ):
            raise Incorrect(
                f"{label} averages the gaps of the bins with equal weights; weight each bin by the "
                "fraction of examples in it"
            )
        if value < 0:
            raise Incorrect(f"{label} is negative; the ECE averages absolute gaps")
        if probs is edge and not np.isclose(value, expected, rtol=1e-9, atol=1e-12):
            raise Incorrect(
                f"{label} is wrong when a confidence lies exactly on a bin edge: the bins are "
                "((m - 1)/M, m/M], closed on the right"
            )
        expect_scalar(value, expected, label, rtol=1e-9, atol=1e-12)
    return f"your ECE matches on {len(cases) + 2} cases, including confidences on a bin edge"


# ---------------------------------------------------------------------------
# Section 4.3
# ---------------------------------------------------------------------------
def _ridge_pointwise_variance_reference(Phi_train, Phi_test, lam, noise_var):
    A = np.linalg.solve(Phi_train.T @ Phi_train + lam * np.eye(Phi_train.shape[1]), Phi_train.T)
    return noise_var * np.sum((Phi_test @ A) ** 2, axis=1)


@register("pr-ridge-variance")
def check_ridge_pointwise_variance(ridge_pointwise_variance) -> str:
    """``ridge_pointwise_variance(Phi_train, Phi_test, lam, noise_var)``: σ²‖Aᵀφ(x)‖² per test row,
    A = (ΦᵀΦ + λI)⁻¹Φᵀ (eq. eq-pr-ridge-bias-variance)."""
    expect_function(ridge_pointwise_variance, "ridge_pointwise_variance")
    rng = np.random.default_rng(43)
    cases = [
        ((20, 4), 7, 0.5, 0.3),
        ((12, 9), 5, 2.0, 1.0),
        ((30, 6), 1, 0.01, 0.09),
        ((8, 15), 4, 1.0, 2.0),
    ]
    for (n, p), T, lam, s2 in cases:
        Phi, Phi_t = rng.normal(size=(n, p)), rng.normal(size=(T, p))
        ref = _ridge_pointwise_variance_reference(Phi, Phi_t, lam, s2)
        got = as_answer_array(
            call_on_copy(ridge_pointwise_variance, "ridge_pointwise_variance", Phi, Phi_t, lam, s2),
            "the variance",
        )
        where = f"for Phi_train of shape {(n, p)}, Phi_test of shape {(T, p)}, lam = {lam}"
        if got.shape != ref.shape:
            raise Incorrect(
                f"{where} your answer has shape {got.shape}; return one variance per test row, "
                f"shape {ref.shape} (not their mean)"
            )
        if np.any(got < 0):
            raise Incorrect(f"{where} some variances are negative; a variance never is")
        if np.allclose(got, ref, rtol=1e-6, atol=1e-12):
            continue
        ratio = got / ref
        if np.allclose(ratio, ratio[0], rtol=1e-6):
            raise Incorrect(
                f"{where} your variances are all off by the same factor; check how the noise "
                "variance enters (it is already a variance, not a standard deviation)"
            )
        G = Phi.T @ Phi + lam * np.eye(p)
        bayes = s2 * np.sum(Phi_t * np.linalg.solve(G, Phi_t.T).T, axis=1)  # σ²φᵀG⁻¹φ
        if np.allclose(got, bayes, rtol=1e-6) or np.allclose(got, bayes + s2, rtol=1e-6):
            raise Incorrect(
                f"{where} your answer is the Bayesian posterior predictive variance (prior "
                "N(0, (noise_var/lam) I)). The question asks for something else: the spread of the "
                "ridge prediction when the training labels are redrawn and the model refitted. "
                "Write the prediction as a fixed linear combination of the labels and take its variance"
            )
        if p <= n and np.allclose(
            got, _ridge_pointwise_variance_reference(Phi, Phi_t, 0.0, s2), rtol=1e-6
        ):
            raise Incorrect(
                f"{where} your answer is the variance of least squares: use the penalty lam"
            )
        raise Incorrect(
            f"{where} the variances are wrong (largest relative error "
            f"{np.max(np.abs(ratio - 1)):.3g}); the prediction is a fixed linear combination of "
            "the independent labels: which one?"
        )
    return f"matches the closed form on {len(cases)} designs, including one with more features than points"


# ---------------------------------------------------------------------------
# Section 4.4
# ---------------------------------------------------------------------------
def _leaky_fourth_moment_reference(n: int, L: int, a: float) -> float:
    c = 6 * (1 + a**4) / (1 + a**2) ** 2 - 1
    return (1 + c / n) ** L


@register("pr-leaky-fourth-moment")
def check_leaky_fourth_moment(fourth_moment_ratio) -> str:
    """``fourth_moment_ratio(n, L, a)``: E‖x_L‖⁴/‖x_0‖⁴ for a leaky-relu net of width n, depth L,
    negative slope a and weight variance 2/((1 + a²) n); equals (1 + c_a/n)^L,
    c_a = 6(1 + a⁴)/(1 + a²)² − 1 (the exercise of Section 4.4).

    Tolerance: a correct formula evaluated in float32 has relative error at most about
    L·4·2⁻²⁴ ≈ 1.2e-5 at L = 50 (the power amplifies the rounding of 1 + c_a/n L-fold), so
    rtol = 2e-5; the closest wrong answers (relu value at a = 0.01, e^{c L/n}) are ≥ 5e-4 away."""
    expect_function(fourth_moment_ratio, "fourth_moment_ratio")
    rtol = 2e-5
    cases = [(32, 10, 0.0), (32, 10, 1.0), (4, 1, 0.2), (10, 3, 0.5), (7, 5, 0.01), (100, 50, 0.3)]
    for n, L, a in cases:
        got = fourth_moment_ratio(n, L, a)
        where = f"fourth_moment_ratio({n}, {L}, {a})"
        expect_scalar_like = np.ndim(got) == 0 and not isinstance(got, bool)
        if not expect_scalar_like:
            raise Incorrect(f"{where} should return one number, got {type(got).__name__}")
        ref = _leaky_fourth_moment_reference(n, L, a)
        if np.isclose(float(got), ref, rtol=rtol):
            continue
        if a != 0 and np.isclose(float(got), (1 + 5 / n) ** L, rtol=rtol):
            raise Incorrect(
                f"{where} is the relu value (1 + 5/n)^L; for a leaky relu the second and fourth "
                "moments of the activation depend on the slope a"
            )
        if L > 1 and np.isclose(float(got), _leaky_fourth_moment_reference(n, 1, a), rtol=rtol):
            raise Incorrect(
                f"{where} is the value for one layer; how do independent layers combine?"
            )
        c = 6 * (1 + a**4) / (1 + a**2) ** 2 - 1
        if np.isclose(float(got), np.exp(c * L / n), rtol=rtol):
            raise Incorrect(
                f"{where} is the wide-network approximation; the question asks for the exact value"
            )
        hint = "too large" if float(got) > ref else "too small"
        raise Incorrect(
            f"{where} is {hint}. Check the one-layer moment: E‖x_1‖⁴ = n E φ(z)⁴ + n(n − 1)(E φ(z)²)² "
            "with z ~ N(0, v‖x_0‖²); at a = 0 it should give 1 + 5/n and at a = 1 (linear) 1 + 2/n"
        )
    return f"exact on {len(cases)} widths, depths and slopes, from relu (a = 0) to linear (a = 1)"


# ---------------------------------------------------------------------------
# Section 4.5
# ---------------------------------------------------------------------------


def _relu_kernel_step_reference(K: np.ndarray, weight_var: float) -> np.ndarray:
    """σ_w² E[relu(u) relu(u')] for every pair (eq-pr-relu-expectation), zero for zero-variance inputs."""
    diag = np.diag(K)
    norm = np.sqrt(np.outer(diag, diag))
    safe = np.where(norm > 0, norm, 1.0)
    cos = np.clip(K / safe, -1.0, 1.0)
    theta = np.arccos(cos)
    out = norm * (np.sin(theta) + (np.pi - theta) * cos) / (2 * np.pi)
    return weight_var * np.where(norm > 0, out, 0.0)


@register("pr-nngp-relu-step")
def check_relu_kernel_step(relu_kernel_step) -> str:
    """``relu_kernel_step(K, weight_var)``: one ReLU step of the NNGP recursion (eq-pr-nngp-recursion)."""
    expect_function(relu_kernel_step, "relu_kernel_step")
    rng = np.random.default_rng(45)
    x = rng.standard_normal(3)
    cases = []
    X = rng.standard_normal((5, 4))
    cases.append(("five random inputs, weight_var = 2", 2.0 * X @ X.T / 4, 2.0))
    X = rng.standard_normal((3, 6))
    cases.append(("three random inputs, weight_var = 1.3", 1.3 * X @ X.T / 6, 1.3))
    X = np.stack([x, 3 * x, -2 * x, rng.standard_normal(3)])
    cases.append(("parallel and opposite inputs (correlation exactly +1 and -1)", X @ X.T, 2.0))
    X = np.stack([x, np.zeros(3), rng.standard_normal(3)])
    cases.append(("a set of inputs containing the zero vector", X @ X.T, 2.0))
    cases.append(("a single input (a 1 x 1 kernel)", np.array([[1.7]]), 2.0))
    for what, K, wv in cases:
        expected = _relu_kernel_step_reference(K, wv)
        out = call_on_copy(relu_kernel_step, "relu_kernel_step", K, wv)
        label = f"your kernel for {what}"
        if isinstance(out, tuple):
            raise Incorrect(f"{label} is a tuple; return one (n, n) array")
        arr = np.asarray(out, dtype=float)
        if arr.shape != expected.shape:
            raise Incorrect(f"{label} has shape {arr.shape}; the input kernel has shape {K.shape}")
        if not np.all(np.isfinite(arr)):
            if "parallel" in what:
                raise Incorrect(
                    f"{label} contains NaN: rounding puts cos(theta) slightly outside [-1, 1], "
                    "clip it before arccos"
                )
            if "zero vector" in what:
                raise Incorrect(
                    f"{label} contains NaN: an input with zero variance makes you divide by zero; "
                    "the expectation is 0 there"
                )
            raise Incorrect(f"{label} contains NaN or infinite values")
        if not np.allclose(arr, arr.T, rtol=1e-9, atol=1e-12):
            raise Incorrect(f"{label} is not symmetric; a kernel matrix must be")
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = arr[expected > 0] / expected[expected > 0]
        if ratio.size and np.allclose(ratio, ratio[0], rtol=1e-6) and not np.isclose(ratio[0], 1.0):
            if np.isclose(ratio[0], 2.0):
                raise Incorrect(
                    f"{label} is off by a constant factor too large: check the 2*pi in "
                    "the arc-cosine formula"
                )
            if np.isclose(ratio[0], 1 / wv):
                raise Incorrect(
                    f"{label} is off by a constant factor: did you multiply by weight_var?"
                )
            raise Incorrect(f"{label} is off by a constant factor; check the normalization")
        if np.allclose(np.diag(arr), np.diag(expected), rtol=1e-6, atol=1e-9) and not np.allclose(
            arr, expected, rtol=1e-6, atol=1e-9
        ):
            raise Incorrect(
                f"{label} has the right diagonal but wrong off-diagonal entries: check theta and "
                "the (pi - theta) cos(theta) term"
            )
        expect_array(arr, expected, label, rtol=1e-6, atol=1e-9)
    return (
        f"your ReLU kernel step matches the arc-cosine formula on {len(cases)} kernels, including "
        "parallel, opposite and zero inputs"
    )


# ---------------------------------------------------------------------------
# Section 4.6
# ---------------------------------------------------------------------------


def _leapfrog_reference(x, p, grad_log_prob, step_size, n_steps):
    """eq-pr-leapfrog, n_steps times, with ∇U = −∇ log π."""
    g = grad_log_prob(x)
    p = p + 0.5 * step_size * g
    for i in range(n_steps):
        x = x + step_size * p
        g = grad_log_prob(x)
        p = p + (step_size if i < n_steps - 1 else 0.5 * step_size) * g
    return x, p


def _euler_variant(x, p, grad_log_prob, step_size, n_steps):
    for _ in range(n_steps):
        p = p + step_size * grad_log_prob(x)
        x = x + step_size * p
    return x, p


def _position_first_variant(x, p, grad_log_prob, step_size, n_steps):
    """The position-first ("drift-kick-drift") leapfrog: also symplectic, but not eq-pr-leapfrog."""
    for _ in range(n_steps):
        x = x + 0.5 * step_size * p
        p = p + step_size * grad_log_prob(x)
        x = x + 0.5 * step_size * p
    return x, p


@register("pr-hmc-leapfrog")
def check_leapfrog(leapfrog_steps) -> str:
    """``leapfrog_steps(x, p, grad_log_prob, step_size, n_steps)`` -> (x, p) after n_steps leapfrog steps."""
    expect_function(leapfrog_steps, "leapfrog_steps")
    rng = np.random.default_rng(46)
    P = np.array([[2.0, 0.6, 0.0], [0.6, 1.0, 0.3], [0.0, 0.3, 4.0]])
    cases = [
        ("a 1-d standard Gaussian, one step", lambda z: -z, 1, 0.3, 1),
        ("a 3-d correlated Gaussian, 20 steps", lambda z: -P @ z, 3, 0.1, 20),
        ("a non-Gaussian target U(x) = sum(x^4)/4, 7 steps", lambda z: -(z**3), 2, 0.05, 7),
    ]
    for what, grad, d, eps, n_steps in cases:
        x0, p0 = rng.standard_normal(d), rng.standard_normal(d)
        calls = [0]

        def counted(z, grad=grad, calls=calls, d=d):
            calls[0] += 1
            z = np.asarray(z, dtype=float)
            if z.shape != (d,):
                raise Incorrect(
                    f"grad_log_prob was called with shape {z.shape}; it takes x, shape ({d},)"
                )
            return grad(z)

        out = leapfrog_steps(x0.copy(), p0.copy(), counted, eps, n_steps)
        label = f"your leapfrog on {what}"
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise Incorrect(f"{label} should return a pair (x, p), a tuple or a list of two arrays")
        x_new = as_answer_array(out[0], f"{label}: x")
        p_new = as_answer_array(out[1], f"{label}: p")
        if calls[0] > n_steps + 1:
            raise Incorrect(
                f"{label} called grad_log_prob {calls[0]} times for {n_steps} steps; leapfrog needs "
                "n_steps + 1 gradients (merge the two half steps between positions)"
            )
        x_ref, p_ref = _leapfrog_reference(x0, p0, grad, eps, n_steps)
        if x_new.shape != x_ref.shape or p_new.shape != p_ref.shape:
            raise Incorrect(
                f"{label} returned shapes {x_new.shape} and {p_new.shape}; both should be ({d},)"
            )
        x_eu, p_eu = _euler_variant(x0, p0, grad, eps, n_steps)
        if np.allclose(x_new, x_eu, rtol=1e-9) and np.allclose(p_new, p_eu, rtol=1e-9):
            raise Incorrect(
                f"{label} takes full momentum steps at the start and end; leapfrog begins and ends "
                "with a half step of momentum"
            )
        x_neg, p_neg = _leapfrog_reference(x0, p0, lambda z, grad=grad: -grad(z), eps, n_steps)
        if np.allclose(x_new, x_neg, rtol=1e-9) and np.allclose(p_new, p_neg, rtol=1e-9):
            raise Incorrect(
                f"{label} pushes the momentum downhill in log-probability: grad U = -grad log pi, "
                "so p moves along +grad log pi"
            )
        x_pf, p_pf = _position_first_variant(x0, p0, grad, eps, n_steps)
        if np.allclose(x_new, x_pf, rtol=1e-9) and np.allclose(p_new, p_pf, rtol=1e-9):
            raise Incorrect(
                f"{label} is the position-first leapfrog (half step of x, full step of p, half step "
                "of x): also a valid symplectic integrator, but this exercise asks for the "
                "momentum-first form of eq. (eq-pr-leapfrog): half step of p, full step of x, half step of p"
            )
        if not np.allclose(x_new, x_ref, rtol=1e-9, atol=1e-12):
            raise Incorrect(
                f"{label} ends at the wrong position (largest error "
                f"{np.max(np.abs(x_new - x_ref)):.3g})"
            )
        expect_array(p_new, p_ref, f"{label}: the momentum", rtol=1e-9, atol=1e-12)
    return f"your leapfrog integrator matches eq. (eq-pr-leapfrog) on {len(cases)} targets"
