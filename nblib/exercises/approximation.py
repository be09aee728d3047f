"""Checks for Chapter 7, Function approximation, kernels and the neural tangent kernel (exercise labels start with ``ak-``). How a check works: :mod:`nblib.exercises`."""

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
# Section 7.1
# ---------------------------------------------------------------------------


def _interp_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(71)
    uneven = np.sort(np.concatenate([[-1.0, 2.0], rng.uniform(-1.0, 2.0, 9)]))
    return [
        (
            "evenly spaced knots",
            np.linspace(0.0, 1.0, 9),
            np.sin(2 * np.pi * np.linspace(0.0, 1.0, 9)),
        ),
        ("unevenly spaced knots", uneven, rng.standard_normal(len(uneven))),
        ("two knots (one cell)", np.array([0.5, 1.5]), np.array([2.0, -1.0])),
    ]


@register("ak-relu-interpolant")
def _check_relu_interpolant(answer) -> str:
    expect_function(answer, "interp_network")
    for what, knots, values in _interp_cases():
        out = call_on_copy(answer, "interp_network", knots, values)
        if callable(out):
            raise Incorrect(
                "interp_network should return the weights (w, b, c, c0), not a function"
            )
        if not isinstance(out, (tuple, list)) or len(out) != 4:
            raise Incorrect(
                "interp_network should return four things, e.g. `return w, b, c, c0`; got "
                + type(out).__name__
                + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else "")
            )
        w, b, c = (
            as_answer_array(v, name) for v, name in zip(out[:3], ("w", "b", "c"), strict=True)
        )
        if isinstance(out[3], bool) or np.ndim(out[3]) != 0:
            raise Incorrect(
                f"c0, the output bias, should be a single number; got {type(out[3]).__name__}"
            )
        c0 = float(as_answer_array(out[3], "c0"))
        if not (w.ndim == b.ndim == c.ndim == 1 and w.shape == b.shape == c.shape):
            raise Incorrect(
                f"w, b and c should be 1-d arrays of one common length (one entry per unit); got shapes "
                f"{w.shape}, {b.shape}, {c.shape}"
            )
        m = len(knots) - 1
        lo, hi = knots[0], knots[-1]
        inside = np.linspace(lo, hi, 40 * m + 1)
        left = lo - np.linspace(0.01, 3.0, 50)
        right = hi + np.linspace(0.01, 3.0, 50)

        def g(x, w=w, b=b, c=c, c0=c0):
            return c0 + np.maximum(np.outer(x, w) + b, 0.0) @ c

        scale = 1e-9 * (1 + np.max(np.abs(values)))
        if np.max(np.abs(g(inside) - np.interp(inside, knots, values))) > scale:
            raise Incorrect(
                f"with {what}, your network differs from numpy.interp between the first and the last "
                "knot: at each knot the slope must change from the slope of the cell on its left to "
                "the slope of the cell on its right, each slope being the rise over that cell's own width"
            )
        if np.max(np.abs(g(left) - values[0])) > scale:
            raise Incorrect(
                f"with {what}, your network is not constant to the left of the first knot, where "
                "numpy.interp repeats the first value"
            )
        if np.max(np.abs(g(right) - values[-1])) > scale:
            raise Incorrect(
                f"with {what}, your network is not constant to the right of the last knot, where "
                "numpy.interp repeats the last value: it keeps the last slope there; one more unit can "
                "cancel it"
            )
        if len(c) > m + 1:
            raise Incorrect(
                f"your network is right but uses {len(c)} units for {m} cells: each unit adds at most "
                "one change of slope; how many changes of slope are there?"
            )
    return (
        "equal to numpy.interp on the whole line, with the fewest units, on even and uneven grids"
    )


# ---------------------------------------------------------------------------
# Section 7.2
# ---------------------------------------------------------------------------


def _zigzag(x: np.ndarray, k: int) -> np.ndarray:
    """S composed k times, S(x) = 3x, 2 - 3x, 3x - 2 on the thirds of [0, 1] (3^k pieces)."""
    for _ in range(k):
        x = np.where(x <= 1 / 3, 3 * x, np.where(x <= 2 / 3, 2 - 3 * x, 3 * x - 2))
    return x


def _layer_arrays(layer, i: int, n_layers: int) -> tuple[np.ndarray, np.ndarray]:
    name = "the output layer" if i == n_layers - 1 else f"hidden layer {i + 1}"
    if not isinstance(layer, (tuple, list)) or len(layer) != 2:
        raise Incorrect(f"{name} should be a pair (W, b), got {type(layer).__name__}")
    W = as_answer_array(layer[0], f"W of {name}")
    b = as_answer_array(layer[1], f"b of {name}")
    if W.ndim != 2 or b.shape != (W.shape[0],):
        raise Incorrect(
            f"{name} has W of shape {W.shape} and b of shape {b.shape}; W should be (n_out, n_in) "
            "and b (n_out,), as in nblib.nn.Dense"
        )
    return W, b


@register("ak-zigzag-net")
def _check_zigzag_net(answer) -> str:
    expect_function(answer, "zigzag_layers")
    rng = np.random.default_rng(72)
    for k in (1, 2, 3, 4):
        layers = answer(k)
        if not isinstance(layers, (tuple, list)):
            raise Incorrect(
                f"zigzag_layers({k}) should return a list of (W, b) pairs, got {type(layers).__name__}"
            )
        if len(layers) != k + 1:
            raise Incorrect(
                f"zigzag_layers({k}) returned {len(layers)} layers; it should return k = {k} hidden "
                "ReLU layers followed by one affine output layer"
            )
        arrays = [_layer_arrays(layer, i, len(layers)) for i, layer in enumerate(layers)]
        n_in = 1
        for i, (W, _) in enumerate(arrays):
            if W.shape[1] != n_in:
                raise Incorrect(
                    f"layer {i + 1} of zigzag_layers({k}) has W of shape {W.shape}, but it receives "
                    f"{n_in} input(s)"
                )
            n_in = W.shape[0]
        widths = [W.shape[0] for W, _ in arrays[:-1]]
        if max(widths) > 3:
            raise Incorrect(
                f"zigzag_layers({k}) has hidden widths {widths}; the exercise allows 3 units per layer"
            )
        if arrays[-1][0].shape[0] != 1:
            raise Incorrect(
                f"the output layer of zigzag_layers({k}) has {arrays[-1][0].shape[0]} outputs; it should have 1"
            )
        x = np.concatenate(
            [np.arange(3**k + 1) / 3**k, rng.random(400), (np.arange(3**k) + 0.5) / 3**k]
        )
        h = x[:, None]
        for W, b in arrays[:-1]:
            h = np.maximum(h @ W.T + b, 0.0)
        W, b = arrays[-1]
        y = (h @ W.T + b)[:, 0]
        err = float(np.max(np.abs(y - _zigzag(x, k))))
        if err > 1e-9:
            if np.max(np.abs(y - _tent_power(x, k))) < 1e-9:
                raise Incorrect(
                    f"zigzag_layers({k}) computes the {k}-fold composition of the tent map (2^{k} pieces); the "
                    "zigzag S has three pieces per layer, 0 -> 1 -> 0 -> 1"
                )
            raise Incorrect(
                f"zigzag_layers({k}) does not compute the {k}-fold composition of S on [0, 1] (largest error "
                f"{err:.3g}); check the first layer alone (k = 1) against S, and remember that each "
                "hidden layer receives the previous layer's units, not S(x) itself"
            )
    return "correct for k = 1, 2, 3, 4: 3^k linear pieces from 3k ReLU units"


def _tent_power(x: np.ndarray, k: int) -> np.ndarray:
    for _ in range(k):
        x = np.minimum(2 * x, 2 - 2 * x)
    return x


# ---------------------------------------------------------------------------
# Section 7.3
# ---------------------------------------------------------------------------


def _centered_reference(K: np.ndarray) -> np.ndarray:
    return K - K.mean(axis=0, keepdims=True) - K.mean(axis=1, keepdims=True) + K.mean()


def _kernel_cases(seed: int) -> list[np.ndarray]:
    """Kernel matrices with explicit features (of rank below n) and an RBF one of full rank."""
    rng = np.random.default_rng(seed)
    cases = []
    for n, m in [(5, 3), (8, 8), (12, 20), (1, 4), (2, 1)]:
        Phi = rng.standard_normal((n, m)) + rng.standard_normal(m)  # features with a non-zero mean
        cases.append(Phi @ Phi.T)
    X = rng.standard_normal((10, 2))
    sq = np.sum((X[:, None, :] - X[None, :, :]) ** 2, axis=-1)
    cases.append(np.exp(-sq / 2))
    return cases


@register("ak-center-kernel")
def _check_center_kernel(answer) -> str:
    expect_function(answer, "center_kernel")
    cases = _kernel_cases(73)
    for K in cases:
        n = len(K)
        got = as_answer_array(call_on_copy(answer, "center_kernel", K), "center_kernel(K)")
        if got.shape != (n, n):
            raise Incorrect(
                f"center_kernel(K) has shape {got.shape} for K of shape {K.shape}; it should be "
                f"{K.shape}, one entry per pair of points"
            )
        want = _centered_reference(K)
        scale = max(1.0, float(np.abs(K).max()))
        if np.allclose(got, want, rtol=1e-8, atol=1e-10 * scale):
            continue
        if not np.allclose(got, got.T, rtol=1e-8, atol=1e-10 * scale):
            raise Incorrect(
                "your matrix is not symmetric, but a Gram matrix of centered features is: subtract the "
                "row means and the column means (and add back the grand mean)"
            )
        if np.allclose(got + K.mean(), want, rtol=1e-8, atol=1e-10 * scale):
            raise Incorrect(
                "you subtracted the row means and the column means, which removes the grand mean "
                "twice: add it back once"
            )
        if np.allclose(got, K - K.mean(), rtol=1e-8, atol=1e-10 * scale):
            raise Incorrect(
                "subtracting only the overall mean is not enough: the rows of the centered Gram "
                "matrix must sum to zero, because the centered features sum to zero over the data"
            )
        if not np.allclose(got.sum(axis=1), 0, atol=1e-8 * scale * n):
            raise Incorrect(
                "the rows of your matrix do not sum to zero; they must, because the centered "
                "features sum to zero over the data"
            )
        raise Incorrect(
            f"on a {n} x {n} kernel matrix your answer is symmetric with zero row sums but has wrong "
            "values; expand <phi_i - m, phi_j - m> into its four terms"
        )
    return (
        f"correct on {len(cases)} kernel matrices, including n = 1 and an RBF kernel of full rank"
    )


def _krr_mean_cases() -> list[tuple[np.ndarray, np.ndarray, float]]:
    rng = np.random.default_rng(37)
    cases = []
    for n, lam in [(6, 0.1), (15, 0.01), (25, 2.0), (9, 0.0)]:
        X = rng.standard_normal((n, 2))
        sq = np.sum((X[:, None, :] - X[None, :, :]) ** 2, axis=-1)
        cases.append((np.exp(-sq / 2), rng.standard_normal(n), lam))
    return cases


@register("ak-krr-mean-loss")
def _check_krr_mean_loss(answer) -> str:
    expect_function(answer, "krr_mean_alpha")
    cases = _krr_mean_cases()
    for K, y, lam in cases:
        n = len(y)
        got = as_answer_array(
            call_on_copy(answer, "krr_mean_alpha", K, y, lam), "the coefficients alpha"
        )
        if got.shape != (n,):
            raise Incorrect(
                f"krr_mean_alpha returned shape {got.shape} for {n} labels; alpha has one entry per "
                f"training point, shape ({n},)"
            )
        want = np.linalg.solve(K + n * lam * np.eye(n), y)
        if np.allclose(got, want, rtol=1e-7, atol=1e-9):
            continue
        if lam > 0:
            wrong = {
                "(K + lam I)^-1 y, the summed-loss solution (scikit-learn's convention); with the "
                "mean loss the penalty acts as if multiplied by n": K + lam * np.eye(n),
                "(K + (lam / n) I)^-1 y: the factor n goes the other way. Multiply the mean-loss "
                "objective by n and compare with the summed form": K + lam / n * np.eye(n),
                "K^-1 y, the interpolant: lam is missing": K,
            }
            for what, A in wrong.items():
                if np.allclose(got, np.linalg.solve(A, y), rtol=1e-7, atol=1e-9):
                    raise Incorrect(f"your alpha is {what}")
        raise Incorrect(
            f"your alpha is wrong for n = {n}, lam = {lam:g}; set the gradient of "
            "(1/n)||K a - y||^2 + lam a^T K a to zero"
        )
    return f"correct on {len(cases)} problems, including lam = 0"


# ---------------------------------------------------------------------------
# Section 7.4
# ---------------------------------------------------------------------------


def _aliased_bins(lam: np.ndarray, n: int, *, negative: bool = True) -> np.ndarray:
    """Residue r collects λ_|m| over m ≡ r (mod n), m = −J..J (m = 0..J without ``negative``)."""
    J = len(lam) - 1
    m = np.arange(-J if negative else 0, J + 1)
    return np.bincount(m % n, weights=lam[np.abs(m)], minlength=n)


def _equispaced_gram_spectrum(lam: np.ndarray, n: int) -> np.ndarray:
    """Independent truth: eigenvalues of K/n for the kernel κ(cos t) = λ_0 + 2 Σ_j λ_j cos(jt)."""
    theta = 2 * np.pi * np.arange(n) / n
    diff = np.subtract.outer(theta, theta)
    j = np.arange(1, len(lam))
    K = lam[0] + 2 * np.cos(diff[..., None] * j) @ lam[1:]
    return np.linalg.eigvalsh(K / n)[::-1]


@register("ak-aliased-spectrum")
def _check_aliased_spectrum(answer) -> str:
    from scipy.special import ive

    expect_function(answer, "aliased_spectrum")
    rng = np.random.default_rng(74)
    j_ntk = np.arange(2, 301.0)
    ntk_even = 2 * (j_ntk**2 + 3) / (np.pi**2 * (j_ntk**2 - 1) ** 2)  # Section 7.4's closed form
    ntk = np.concatenate([[6 / np.pi**2, 0.5], np.where(j_ntk % 2 == 1, 0.0, ntk_even)])
    cases = [
        (ive(np.arange(61), 1.0), 8, "the RBF kernel with lengthscale 1"),
        (ive(np.arange(61), 4.0), 16, "the RBF kernel with lengthscale 0.5"),
        (rng.uniform(0.1, 1.0, 13), 8, "a kernel with 12 frequencies on 8 points"),
        (rng.uniform(0.1, 1.0, 20), 7, "a kernel with 19 frequencies on 7 points"),
        (ntk, 12, "the two-layer ReLU NTK (truncated at j = 300)"),
        (
            np.array([1.0, 0.5, 0.25, 0.125]),
            9,
            "a kernel with 3 frequencies on 9 points (no aliasing)",
        ),
    ]
    for lam, n, what in cases:
        expected = _equispaced_gram_spectrum(lam, n)
        # rounding of eigvalsh, relative to the trace κ(1)
        tol = 1e-12 * (lam[0] + 2 * lam[1:].sum())
        got = as_answer_array(
            call_on_copy(answer, "aliased_spectrum", lam.copy(), n), "aliased_spectrum's result"
        )
        if got.shape != (n,):
            raise Incorrect(
                f"aliased_spectrum(lam, {n}) should return {n} eigenvalues (one per residue "
                f"r = 0, ..., {n - 1}), an array of shape ({n},); got shape {got.shape}"
            )
        if np.allclose(got, expected, rtol=0, atol=tol):
            continue

        def close(x, expected=expected, tol=tol):
            return np.allclose(x, expected, rtol=0, atol=tol)

        if close(got[::-1]):
            raise Incorrect(
                "your eigenvalues are right but in increasing order; sort from largest to smallest"
            )
        if close(got / n):
            raise Incorrect(
                f"your values are {n} times too large: those are the eigenvalues of K; the Nyström "
                "estimates are those of K/n"
            )
        no_alias = np.sort(np.concatenate([lam[:1], np.repeat(lam[1:], 2), np.zeros(n)])[:n])[::-1]
        if close(np.sort(got)[::-1]) and not close(got):
            raise Incorrect("your eigenvalues are right but not sorted from largest to smallest")
        if np.allclose(np.sort(got)[::-1], no_alias, rtol=0, atol=tol):
            raise Incorrect(
                f"for {what} you returned the operator's eigenvalues without aliasing: on {n} "
                f"points every frequency m also counts for the residue m mod {n}"
            )
        if np.allclose(
            np.sort(got)[::-1], np.sort(_aliased_bins(lam, n, negative=False))[::-1], atol=tol
        ):
            raise Incorrect(
                f"for {what} only the frequencies m = 0, ..., J are folded; the negative "
                f"frequencies -m (eigenvalue λ_m too) fold onto the residue (-m) mod {n} as well"
            )
        raise Incorrect(
            f"aliased_spectrum(lam, {n}) does not match the eigenvalues of K/n for {what} "
            "(compared with the kernel matrix itself)"
        )
    return (
        f"correct on {len(cases)} kernels, checked against the eigenvalues of the kernel matrices"
    )


# ---------------------------------------------------------------------------
# Section 7.5
# ---------------------------------------------------------------------------


def _ntk_two_layer_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(75)
    X1 = rng.standard_normal((5, 3))
    X2 = rng.standard_normal((4, 3)) * np.array([[0.5], [1.0], [2.0], [3.0]])
    # rows whose cosine with a multiple of themselves rounds to beyond ±1 (found by search)
    X1[0], X1[3] = [1.304, 0.947, -0.704], [-0.922, -0.458, 0.22]
    X2[1] = 2.0 * X1[0]  # parallel rows: cos θ = 1 up to rounding
    X2[2] = -X1[3]  # opposite rows: cos θ = -1 up to rounding
    X3 = rng.standard_normal((6, 2))
    return [(X1, X2), (X1, X1), (X3, X3[:2])]


@register("ak-ntk-two-layer")
def _check_ntk_two_layer(answer) -> str:
    from ..kernels import arccos_kernel, ntk_relu

    expect_function(answer, "ntk_two_layer")
    cases = _ntk_two_layer_cases()
    for X1, X2 in cases:
        raw = call_on_copy(answer, "ntk_two_layer", X1, X2)
        try:  # NaN from an unclipped arccos gets its own message; other bad output falls through
            nan = bool(np.isnan(np.asarray(raw, dtype=float)).any())
        except (TypeError, ValueError):
            nan = False
        if nan:
            raise Incorrect(
                "ntk_two_layer(X1, X2) contains NaN: for parallel or opposite rows rounding puts cos θ "
                "just outside [-1, 1], where arccos is undefined; clip it with np.clip(cos, -1, 1)"
            )
        out = as_answer_array(raw, "ntk_two_layer(X1, X2)")
        shape = (len(X1), len(X2))
        if out.shape != shape:
            hint = " (transposed?)" if out.shape == shape[::-1] else ""
            raise Incorrect(
                f"ntk_two_layer(X1, X2) has shape {out.shape}{hint}; for X1 with {len(X1)} rows and "
                f"X2 with {len(X2)} rows it should be {shape}, entry [i, j] = Θ(X1[i], X2[j])"
            )
        expected = ntk_relu(X1, X2, depth=1)
        # rtol 1e-7: for parallel rows a rounding error ε in cos θ moves θ by √(2ε) ≈ 2e-8
        if np.allclose(out, expected, rtol=1e-7, atol=1e-10):
            continue
        k0, k1 = arccos_kernel(X1, X2, 0), arccos_kernel(X1, X2, 1)
        if np.allclose(out, k1, rtol=1e-6):
            raise Incorrect(
                "you returned the NNGP part k_1 alone: the gradients with respect to the first-layer "
                "weights add the term (x·x') k_0(x, x')"
            )
        if np.allclose(out, (X1 @ X2.T) * k0, rtol=1e-6):
            raise Incorrect(
                "you returned the first-layer part (x·x') k_0 alone: the gradients with respect to the "
                "output weights add the NNGP term k_1(x, x')"
            )
        if np.allclose(out, expected / 2, rtol=1e-6):
            raise Incorrect(
                "your kernel is half the right one: the NTK parameterization's factor sqrt(2/m) gives "
                "2 E[...], which is the arc-cosine kernels k_0 = (π - θ)/π and k_1 with their 1/π"
            )
        raise Incorrect(
            f"ntk_two_layer is wrong on inputs of shapes {X1.shape} and {X2.shape} (largest error "
            f"{np.max(np.abs(out - expected)):.3g}); rows that are parallel or opposite need the "
            "cosine clipped to [-1, 1], and the norms enter k_1 but not k_0"
        )
    return f"correct on {len(cases)} pairs of input sets, including parallel and opposite inputs"


def _linearized_reference(Theta, f0, y, eta, steps) -> np.ndarray:
    lam, V = np.linalg.eigh(Theta)
    return y + V @ ((1 - eta * lam) ** steps * (V.T @ (f0 - y)))


@register("ak-lazy-outputs")
def _check_lazy_outputs(answer) -> str:
    from scipy.linalg import expm

    expect_function(answer, "linearized_outputs")
    rng = np.random.default_rng(76)
    cases = []
    for n, steps in [(4, 5), (6, 17), (3, 0), (5, 40)]:
        B = rng.standard_normal((n, n))
        Theta = B @ B.T + 0.1 * np.eye(n)
        eta = 1.2 / np.linalg.eigvalsh(Theta)[-1]  # stable (< 2/λ_max), far from gradient flow
        cases.append((Theta, rng.standard_normal(n), rng.standard_normal(n), eta, steps))
    for Theta, f0, y, eta, steps in cases:
        out = call_on_copy(answer, "linearized_outputs", Theta, f0, y, eta, steps)
        out = as_answer_array(out, f"linearized_outputs(..., steps={steps})")
        n = len(y)
        if out.shape != (n,):
            raise Incorrect(
                f"linearized_outputs returned shape {out.shape}; it should return the {n} outputs "
                f"f_t on the {n} training points, shape ({n},)"
            )
        expected = _linearized_reference(Theta, f0, y, eta, steps)
        if np.allclose(out, expected, rtol=1e-8, atol=1e-10):
            continue
        flow = y + expm(-eta * steps * Theta) @ (f0 - y)
        if np.allclose(out, flow, rtol=1e-6, atol=1e-9):
            raise Incorrect(
                "you returned the gradient-flow solution with exp(-η t Θ); gradient *descent* with "
                "step η multiplies the residual by (I - ηΘ) at each step"
            )
        if np.allclose(out, _linearized_reference(Theta, 0 * f0, y, eta, steps), rtol=1e-6):
            raise Incorrect("your outputs ignore f0: the residual starts at f0 - y, not at -y")
        neighbours = [steps + 1] + ([steps - 1] if steps else [])
        if any(
            np.allclose(out, _linearized_reference(Theta, f0, y, eta, s), rtol=1e-6)
            for s in neighbours
        ):
            raise Incorrect(
                f"off by one step: after steps = {steps} updates the residual has been multiplied "
                f"by (I - ηΘ) exactly {steps} times (steps = 0 returns f0)"
            )
        if np.allclose(out, expected - y, rtol=1e-6, atol=1e-9):
            raise Incorrect("you returned the residual f_t - y; return the outputs f_t")
        raise Incorrect(
            f"linearized_outputs is wrong for n = {len(y)}, steps = {steps} (largest error "
            f"{np.max(np.abs(out - expected)):.3g}); the residual obeys r_(t+1) = (I - ηΘ) r_t"
        )
    return f"correct on {len(cases)} kernels, including steps = 0 and a large step size"
