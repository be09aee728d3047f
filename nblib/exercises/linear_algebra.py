"""Checks for Chapter 1, Linear algebra (exercise labels start with ``la-``).

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
    register,
)

__all__: list[str] = []  # checks are reached through nblib.exercises.check(label, answer)


# ---------------------------------------------------------------------------
# Section 1.3: eigenvalues, SVD and rank
# ---------------------------------------------------------------------------


@register("la-low-rank")
def check_low_rank(low_rank) -> str:
    """``low_rank(W, r)``: the best rank-r approximation U_r Σ_r V_rᵀ (Eckart–Young)."""
    expect_function(low_rank, "low_rank")
    rng = np.random.default_rng(13)
    cases = [((6, 4), 2), ((4, 7), 1), ((5, 5), 3), ((8, 3), 3), ((3, 6), 0), ((30, 20), 5)]
    for shape, r in cases:
        W = rng.standard_normal(shape) * rng.uniform(0.5, 3)
        what = f"low_rank(W, {r}) for W of shape {shape}"
        arr = as_answer_array(call_on_copy(low_rank, what, W, r), what)
        if arr.shape != shape:
            raise Incorrect(f"{what} has shape {arr.shape}; it should have the shape of W")
        s = np.linalg.svd(W, compute_uv=False)
        rank = np.linalg.matrix_rank(arr, tol=1e-8 * s[0])
        if rank > r:
            raise Incorrect(
                f"{what} has rank {rank}, more than {r}: keep only r singular values and vectors"
            )
        best = s[r] if r < len(s) else 0.0
        if np.linalg.norm(W - arr, 2) > best * (1 + 1e-6) + 1e-9:
            raise Incorrect(
                f"{what} has rank at most {r} but is not the best such matrix: its error "
                "||W - W_r||_2 is larger than the smallest possible, sigma_(r+1). Keep the r largest "
                "singular values, scale by them, and pair the columns of U with the rows of Vt"
            )
        U, s_full, Vt = np.linalg.svd(W, full_matrices=False)
        expect_array(arr, (U[:, :r] * s_full[:r]) @ Vt[:r], what, rtol=1e-6, atol=1e-8)
    return f"your low_rank gives the truncated SVD on {len(cases)} matrices, including r = 0 and full rank"


def _explained_variance_ratio(X: np.ndarray) -> np.ndarray:
    s = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
    return s**2 / np.sum(s**2)


@register("la-pca-variance-ratio")
def check_pca_variance_ratio(explained_variance_ratio) -> str:
    """``explained_variance_ratio(X)``: σ_i² / Σ_j σ_j² of the centred data, largest first."""
    expect_function(explained_variance_ratio, "explained_variance_ratio")
    rng = np.random.default_rng(29)
    shapes = [(200, 3), (50, 5), (12, 2), (300, 8)]
    for N, d in shapes:
        mixing = rng.standard_normal((d, d)) * rng.uniform(0.2, 2.0, size=d)
        X = rng.standard_normal((N, d)) @ mixing + rng.uniform(3, 10, size=d)  # far from centred
        what = f"your answer for X of shape {(N, d)}"
        arr = as_answer_array(
            call_on_copy(explained_variance_ratio, "explained_variance_ratio", X), what
        )
        k = min(N, d)
        if arr.shape != (k,):
            raise Incorrect(
                f"{what} has shape {arr.shape}; it should have one entry per principal "
                f"component, shape ({k},)"
            )
        expected = _explained_variance_ratio(X)
        if np.allclose(arr, expected[::-1], rtol=1e-6, atol=1e-9):
            raise Incorrect(f"{what} is in increasing order; list the largest component first")
        if np.any(arr < -1e-12):
            raise Incorrect(f"{what} has negative entries; a fraction of variance is >= 0")
        if not np.isclose(arr.sum(), 1.0, rtol=1e-6):
            raise Incorrect(
                f"{what} sums to {arr.sum():.4g}, not 1: divide by the total variance, the sum over "
                "all components"
            )
        s_centred = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
        if np.allclose(arr, s_centred / s_centred.sum(), rtol=1e-6):
            raise Incorrect(
                f"{what} normalises the singular values sigma_i; the variance along component i "
                "is proportional to sigma_i squared"
            )
        s_raw = np.linalg.svd(X, compute_uv=False)
        raw = s_raw**2 / np.sum(s_raw**2)
        if np.allclose(arr, raw, rtol=1e-6):
            raise Incorrect(
                f"{what} changes when a constant is added to every data point: PCA measures "
                "variance around the mean, so centre each column (feature) first"
            )
        rows_centred = X - X.mean(axis=1, keepdims=True)
        s_rows = np.linalg.svd(rows_centred, compute_uv=False)
        if np.allclose(arr, s_rows**2 / np.sum(s_rows**2), rtol=1e-6):
            raise Incorrect(
                f"{what} centres each row (data point); centre each column (feature): "
                "subtract X.mean(axis=0)"
            )
        if np.any(np.diff(arr) > 1e-12):
            raise Incorrect(f"{what} is not sorted; list the components largest first")
        expect_array(arr, expected, what, rtol=1e-6, atol=1e-9)
    return f"your explained variance ratios are right on {len(shapes)} data sets"


# ---------------------------------------------------------------------------
# Section 1.4: the geometry of gradient descent
# ---------------------------------------------------------------------------


def _steps_needed(eigenvalues, lr: float, tol: float) -> float:
    """Smallest k with r^k <= tol, r = max_i |1 - lr λ_i| (eq-la-gd-rate); inf if r >= 1."""
    r = float(np.max(np.abs(1 - lr * np.asarray(eigenvalues, dtype=float))))
    if r >= 1:
        return np.inf
    if r == 0:
        return 1
    return int(np.ceil(np.log(tol) / np.log(r)))


@register("la-gd-steps")
def check_gd_steps(steps_needed) -> str:
    """``steps_needed(eigenvalues, lr, tol)``: iterations that guarantee ||x_k|| <= tol ||x_0||."""
    expect_function(steps_needed, "steps_needed")
    cases = [
        ([1.0, 100.0], 2 / 101, 1e-6),
        ([1.0, 100.0], 0.01, 1e-6),
        ([0.5, 2.0, 3.0], 0.1, 1e-3),
        ([1.0, 10.0], 0.19, 1e-4),  # the largest eigenvalue decides
        ([1.0, 4.0, 9.0], 0.2, 1e-2),  # both extremes give the same factor
        ([3.0], 0.1, 0.5),
        ([2.0, 2.0, 2.0], 0.5, 1e-8),  # r = 0: one step to the minimum
        ([1.0, 10.0], 0.25, 1e-3),  # unstable: lr > 2 / λ_max
        ([1.0, 10.0], 0.2, 1e-3),  # lr = 2 / λ_max: the steep component never shrinks
    ]
    for eigenvalues, lr, tol in cases:
        where = f"for eigenvalues {eigenvalues}, lr = {lr:.4g}, tol = {tol:g}:"
        answer = steps_needed(list(eigenvalues), lr, tol)
        if isinstance(answer, bool) or not np.isscalar(answer) and np.ndim(answer) != 0:
            raise Incorrect(
                f"{where} your answer should be one number, got {type(answer).__name__}"
            )
        try:
            value = float(answer)
        except (TypeError, ValueError) as exc:
            raise Incorrect(f"{where} your answer should be a number") from exc
        expected = _steps_needed(eigenvalues, lr, tol)
        if np.isinf(expected):
            if not (np.isinf(value) and value > 0):
                raise Incorrect(
                    f"{where} some |1 - lr·λ| is at least 1, so that component never shrinks and "
                    "no number of steps is enough: return np.inf"
                )
            continue
        if np.isnan(value) or np.isinf(value):
            raise Incorrect(
                f"{where} every |1 - lr·λ| is below 1, so gradient descent converges and the "
                "answer is a finite number of steps"
            )
        if value != np.round(value):
            raise Incorrect(f"{where} you returned {value:g}: a number of steps is a whole number")
        if value == expected:
            continue
        r = np.max(np.abs(1 - lr * np.asarray(eigenvalues)))
        if r == 0:
            raise Incorrect(
                f"{where} every factor 1 - lr·λ is 0: the first step lands exactly on the minimum"
            )
        r_min_only = abs(1 - lr * min(eigenvalues))
        if 0 < r_min_only < r and value == np.ceil(np.log(tol) / np.log(r_min_only)):
            raise Incorrect(
                f"{where} you used only the smallest eigenvalue; the guaranteed factor is the "
                "largest |1 - lr·λ_i| over all eigenvalues, and here the largest eigenvalue decides"
            )
        if value == expected - 1:
            raise Incorrect(
                f"{where} one step too few: you need the smallest k with r^k <= tol, so round up"
            )
        if value == expected + 1:
            raise Incorrect(f"{where} one step too many: the smallest k with r^k <= tol is enough")
        raise Incorrect(
            f"{where} your number of steps is {'too large' if value > expected else 'too small'}; "
            "use r = max_i |1 - lr·λ_i| and the smallest k with r^k <= tol"
        )
    return (
        f"your steps_needed is right on {len(cases)} cases, including unstable steps and a step "
        "that lands on the minimum"
    )


# ---------------------------------------------------------------------------
# Section 1.1: vectors, matrices and the forward pass
# ---------------------------------------------------------------------------


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _layer_case(rng: np.random.Generator, n_in: int, n_out: int, batch: int):
    """Weights (n_out, n_in), bias (n_out,) and a batch (batch, n_in), with biases large
    enough to matter and inputs that make some pre-activations of every unit negative."""
    W = rng.standard_normal((n_out, n_in))
    b = rng.uniform(-1.5, 1.5, size=n_out)
    X = rng.standard_normal((batch, n_in))
    return W, b, X


@register("la-forward-batch")
def check_forward_batch(forward_batch) -> str:
    """``forward_batch(W, b, X)``: relu(X Wᵀ + b), one ReLU layer on a batch stored as rows."""
    expect_function(forward_batch, "forward_batch")
    rng = np.random.default_rng(11)
    # (n_in, n_out, batch): square W and batch == n_out expose a missing transpose and a bias
    # broadcast along the wrong axis, which give the right shape with the wrong values.
    cases = [(4, 3, 5), (3, 3, 3), (2, 5, 1), (6, 2, 7), (1, 4, 10), (8, 8, 8)]
    for n_in, n_out, batch in cases:
        W, b, X = _layer_case(rng, n_in, n_out, batch)
        what = (
            f"forward_batch(W, b, X) with W of shape {W.shape}, b of shape {b.shape} "
            f"and X of shape {X.shape}"
        )
        arr = as_answer_array(call_on_copy(forward_batch, what, W, b, X), what)
        expected = _relu(X @ W.T + b)
        if arr.shape != expected.shape:
            if arr.shape == (n_out, batch):
                raise Incorrect(
                    f"{what} has shape {arr.shape}: one column per example. The book stores one "
                    f"example per row, so the output should have shape {expected.shape}; compute "
                    "X @ W.T rather than W @ X.T"
                )
            raise Incorrect(
                f"{what} has shape {arr.shape}; a layer with {n_in} inputs and {n_out} units maps "
                f"a batch of {batch} examples to shape {expected.shape}"
            )
        if np.allclose(arr, expected, rtol=1e-6, atol=1e-9):
            continue
        before = _relu(X @ W.T)
        if np.allclose(arr, before + b, rtol=1e-6, atol=1e-9) or np.allclose(
            arr, _relu(before + b), rtol=1e-6, atol=1e-9
        ):
            raise Incorrect(f"{what} applies the ReLU before adding the bias; add b first")
        if np.allclose(arr, before, rtol=1e-6, atol=1e-9):
            raise Incorrect(f"{what} ignores the bias b: add it before the ReLU")
        if batch == n_out and np.allclose(arr, _relu(X @ W.T + b[:, None]), rtol=1e-6, atol=1e-9):
            raise Incorrect(
                f"{what} adds b_i to every unit of example i: the bias has one entry per unit, so "
                "it must be added to every row (X @ W.T + b, with b of shape (n_out,)), not to "
                "every column"
            )
        if n_in == n_out and np.allclose(arr, _relu(X @ W + b), rtol=1e-6, atol=1e-9):
            raise Incorrect(
                f"{what} multiplies by W where its transpose belongs: row k of W holds the weights "
                "of unit k, so the product for a batch of rows is X @ W.T"
            )
        if np.any(arr < 0):
            raise Incorrect(
                f"{what} has negative entries, but a ReLU layer never outputs a negative number: "
                "apply relu(z) = max(z, 0) to the pre-activations"
            )
        expect_array(arr, expected, what)
    return (
        f"your forward_batch is right on {len(cases)} layers and batches, including a batch of one "
        "and a square W"
    )


def _mlp_reference(weights, biases, X):
    H = X
    for i, (W, b) in enumerate(zip(weights, biases, strict=True)):
        Z = H @ W.T + b
        H = _relu(Z) if i < len(weights) - 1 else Z
    return H


@register("la-mlp-forward")
def check_mlp_forward(mlp_forward) -> str:
    """``mlp_forward(weights, biases, X)``: ReLU hidden layers, a linear output layer."""
    expect_function(mlp_forward, "mlp_forward")
    rng = np.random.default_rng(12)
    architectures = [[3, 5, 2], [4, 4, 4, 4], [2, 1, 3], [6, 2], [5, 8, 8, 8, 1], [3, 16, 3]]
    for sizes in architectures:
        weights, biases = [], []
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            W, b, _ = _layer_case(rng, n_in, n_out, 1)
            weights.append(W)
            biases.append(b)
        batch = 7
        X = rng.standard_normal((batch, sizes[0]))
        what = f"mlp_forward for a network with sizes {sizes} on a batch of {batch}"
        W_copy, b_copy, X_copy = [w.copy() for w in weights], [v.copy() for v in biases], X.copy()
        out = mlp_forward(W_copy, b_copy, X_copy)
        if not (
            all(np.array_equal(a, c) for a, c in zip(weights, W_copy, strict=True))
            and all(np.array_equal(a, c) for a, c in zip(biases, b_copy, strict=True))
            and np.array_equal(X, X_copy)
        ):
            raise Incorrect(f"{what} changed its input arrays in place; work on new arrays")
        arr = as_answer_array(out, what)
        expected = _mlp_reference(weights, biases, X)
        if arr.shape != expected.shape:
            raise Incorrect(
                f"{what} has shape {arr.shape}; the output layer has {sizes[-1]} units, so it "
                f"should have shape {expected.shape}. Apply every layer, in order"
            )
        if np.allclose(arr, expected, rtol=1e-6, atol=1e-9):
            continue
        last = len(weights) - 1
        if np.allclose(arr, _relu(expected), rtol=1e-6, atol=1e-9):
            raise Incorrect(
                f"{what} applies the ReLU to the output layer too; the last layer is linear (no "
                "activation), so the network's outputs can be negative"
            )
        no_relu = X
        for W, b in zip(weights, biases, strict=True):
            no_relu = no_relu @ W.T + b
        if last > 0 and np.allclose(arr, no_relu, rtol=1e-6, atol=1e-9):
            raise Incorrect(
                f"{what} never applies the ReLU; without it the hidden layers collapse into one "
                "affine map. Apply relu after every layer except the last"
            )
        no_bias = _mlp_reference(weights, [np.zeros_like(b) for b in biases], X)
        if np.allclose(arr, no_bias, rtol=1e-6, atol=1e-9):
            raise Incorrect(f"{what} ignores the biases; add b_l in every layer")
        if len(set(sizes)) == 1 and np.allclose(
            arr, _mlp_reference([W.T for W in weights], biases, X), rtol=1e-6, atol=1e-9
        ):
            raise Incorrect(
                f"{what} multiplies by W where its transpose belongs: a batch of rows goes "
                "through a layer as H @ W.T + b"
            )
        expect_array(arr, expected, what)
    return f"your mlp_forward is right on {len(architectures)} networks of depth 1 to 4"


# ---------------------------------------------------------------------------
# Section 1.2: high-dimensional spaces and representations
# ---------------------------------------------------------------------------


def _distances(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Euclidean distances ||a_i - b_j|| by broadcasting the differences (exact, no cancellation)."""
    return np.sqrt(np.sum((A[:, None, :] - B[None, :, :]) ** 2, axis=-1))


@register("la-pairwise-distances")
def check_pairwise_distances(pairwise_distances) -> str:
    """``pairwise_distances(A, B)``: the (n, m) matrix of distances ||a_i - b_j||, vectorised."""
    expect_function(pairwise_distances, "pairwise_distances")
    rng = np.random.default_rng(21)
    cases = [
        (rng.standard_normal((5, 3)), rng.standard_normal((4, 3))),
        (rng.standard_normal((1, 10)), rng.standard_normal((7, 10))),
        (rng.standard_normal((6, 1)), rng.standard_normal((2, 1))),
        (rng.standard_normal((4, 4)), rng.standard_normal((4, 4))),  # square: a transpose fits
        (rng.standard_normal((50, 200)), rng.standard_normal((30, 200))),  # high dimension
    ]
    # The same points twice, far from the origin: ||a||² + ||b||² - 2 a·b loses its digits to
    # cancellation and comes out slightly negative for some coinciding pairs.
    far = 10 + rng.standard_normal((8, 3))
    cases.append((far, far.copy()))
    for A, B in cases:
        what = f"pairwise_distances(A, B) for A of shape {A.shape} and B of shape {B.shape}"
        with np.errstate(invalid="ignore"):
            out = call_on_copy(pairwise_distances, what, A, B)
        expected = _distances(A, B)
        if isinstance(out, tuple):
            raise Incorrect(f"{what} is a tuple of {len(out)} items; return one array")
        try:
            arr = np.asarray(out, dtype=float)
        except (TypeError, ValueError) as exc:
            raise Incorrect(f"{what} should be a numeric array, got {type(out).__name__}") from exc
        n, m = len(A), len(B)
        if arr.shape != (n, m):
            if arr.shape == (m, n):
                raise Incorrect(
                    f"{what} has shape {arr.shape}; it should have one row per point of A and one "
                    f"column per point of B, shape {(n, m)}"
                )
            raise Incorrect(f"{what} has shape {arr.shape}, but it should have shape {(n, m)}")
        if np.any(np.isnan(arr)):
            raise Incorrect(
                f"{what} contains NaN. With ||a||² + ||b||² - 2 a·b, rounding can make the "
                "squared distance of two (nearly) equal points slightly negative, and its square "
                "root is NaN: clip the squared distances at 0 first"
            )
        if not np.all(np.isfinite(arr)):
            raise Incorrect(f"{what} contains infinite values")
        scale = 1e-5 * max(1.0, float(np.max(np.abs(A))), float(np.max(np.abs(B))))
        if np.allclose(arr, expected, rtol=1e-6, atol=scale):
            continue
        if np.allclose(arr, expected**2, rtol=1e-6, atol=scale**2 * 1e3):
            raise Incorrect(f"{what} holds squared distances; take the square root")
        if n == m and np.allclose(arr, expected.T, rtol=1e-6, atol=scale):
            raise Incorrect(
                f"{what} is transposed: entry (i, j) should be the distance from A[i] to B[j]"
            )
        if np.any(arr < 0):
            raise Incorrect(f"{what} has negative entries; a distance is never negative")
        expect_array(arr, expected, what, rtol=1e-6, atol=scale)
    return (
        f"your pairwise_distances is right on {len(cases)} pairs of point sets, including "
        "coinciding points far from the origin"
    )
