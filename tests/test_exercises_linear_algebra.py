"""Checks of Chapter 1's code exercises: a right answer passes, typical wrong answers fail with a
message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest

from nblib.exercises import check


def _stub(*args):
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Section 1.3: la-low-rank, la-pca-variance-ratio
# ---------------------------------------------------------------------------


def _low_rank(W, r):
    U, s, Vt = np.linalg.svd(W, full_matrices=False)
    return (U[:, :r] * s[:r]) @ Vt[:r]


def _keep_smallest(W, r):
    U, s, Vt = np.linalg.svd(W, full_matrices=False)
    k = len(s) - r
    return (U[:, k:] * s[k:]) @ Vt[k:]


def test_low_rank_accepts_the_truncated_svd():
    feedback = check("la-low-rank", _low_rank)
    assert feedback.passed, feedback.message


def test_low_rank_stub_is_not_attempted():
    feedback = check("la-low-rank", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        # forgot the singular values: rank r, but not the best
        (lambda W, r: np.linalg.svd(W)[0][:, :r] @ np.linalg.svd(W)[2][:r], "not the best"),
        # kept the smallest singular values
        (_keep_smallest, "not the best"),
        (lambda W, r: _low_rank(W, min(r + 1, min(W.shape))), "more than"),  # off by one
        (lambda W, r: W, "more than"),  # no truncation at all
        (lambda W, r: _low_rank(W, r)[:, :-1], "shape"),
        (lambda W, r: np.linalg.svd(W, full_matrices=False), "tuple"),
        (lambda W, r: _low_rank(W, r) * np.nan, "NaN"),
    ],
    ids=["no-sigma", "smallest", "off-by-one", "identity", "shape", "factors", "nan"],
)
def test_low_rank_rejects_typical_mistakes(answer, expected):
    feedback = check("la-low-rank", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


def test_low_rank_rejects_in_place_modification():
    def in_place(W, r):
        W[...] = _low_rank(W, r)
        return W

    feedback = check("la-low-rank", in_place)
    assert not feedback.passed and "in place" in feedback.message


def _ratio(X):
    s = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
    return s**2 / np.sum(s**2)


def _ratio_via_covariance(X):
    return np.clip(np.linalg.eigvalsh(np.cov(X, rowvar=False))[::-1], 0, None) / np.trace(
        np.cov(X, rowvar=False)
    )


@pytest.mark.parametrize("answer", [_ratio, _ratio_via_covariance], ids=["svd", "covariance"])
def test_pca_variance_ratio_accepts_both_routes(answer):
    feedback = check("la-pca-variance-ratio", answer)
    assert feedback.passed, feedback.message


def test_pca_variance_ratio_stub_is_not_attempted():
    feedback = check("la-pca-variance-ratio", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


def _svd_ratio(M, power=2):
    s = np.linalg.svd(M, compute_uv=False)
    return s**power / np.sum(s**power)


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda X: _svd_ratio(X), "centre each column"),  # not centred
        (lambda X: _svd_ratio(X - X.mean(axis=1, keepdims=True)), "centres each row"),
        (lambda X: _svd_ratio(X - X.mean(axis=0), power=1), "sigma_i squared"),
        (lambda X: np.linalg.svd(X - X.mean(axis=0), compute_uv=False) ** 2, "sums to"),
        (lambda X: _ratio(X)[::-1], "increasing order"),
        (lambda X: _ratio(X)[:2], "shape"),
        (lambda X: np.sort(_ratio(X))[[1, 0, *range(2, X.shape[1])]], "not sorted"),
    ],
    ids=["uncentred", "rows", "sigma", "unnormalised", "ascending", "truncated", "unsorted"],
)
def test_pca_variance_ratio_rejects_typical_mistakes(answer, expected):
    feedback = check("la-pca-variance-ratio", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


# ---------------------------------------------------------------------------
# Section 1.4: la-gd-steps
# ---------------------------------------------------------------------------


def _steps(eigenvalues, lr, tol):
    r = np.max(np.abs(1 - lr * np.asarray(eigenvalues)))
    if r >= 1:
        return np.inf
    if r == 0:
        return 1
    return int(np.ceil(np.log(tol) / np.log(r)))


def test_gd_steps_accepts_the_exact_count():
    feedback = check("la-gd-steps", _steps)
    assert feedback.passed, feedback.message
    as_float = check("la-gd-steps", lambda *args: float(_steps(*args)))  # 691.0 is fine too
    assert as_float.passed, as_float.message


def test_gd_steps_agrees_with_running_gradient_descent():
    """The reference count is what gradient descent really needs from the worst start."""
    eigenvalues, lr, tol = np.array([0.5, 2.0, 3.0]), 0.1, 1e-3
    worst = np.argmax(np.abs(1 - lr * eigenvalues))
    z, k = 1.0, 0
    while abs(z) > tol:
        z *= 1 - lr * eigenvalues[worst]
        k += 1
    assert _steps(eigenvalues, lr, tol) == k
    assert check("la-gd-steps", _steps).passed


def test_gd_steps_stub_is_not_attempted():
    feedback = check("la-gd-steps", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


def _no_special_cases(eigenvalues, lr, tol):
    r = np.max(np.abs(1 - lr * np.asarray(eigenvalues)))
    return int(np.ceil(np.log(tol) / np.log(r))) if 0 < r < 1 else 1


def _zero_rate_forgotten(eigenvalues, lr, tol):
    r = np.max(np.abs(1 - lr * np.asarray(eigenvalues)))
    return np.inf if r >= 1 else int(np.ceil(np.log(tol) / np.log(r))) if r > 0 else 0


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda e, lr, tol: _steps([min(e)], lr, tol), "smallest eigenvalue"),
        (
            lambda e, lr, tol: (
                _steps(e, lr, tol) - 1 if np.isfinite(_steps(e, lr, tol)) else np.inf
            ),
            "too few",
        ),
        (lambda e, lr, tol: _steps(e, lr, tol) + 1, "too many"),
        (
            lambda e, lr, tol: np.log(tol) / np.log(np.max(np.abs(1 - lr * np.asarray(e)))),
            "whole number",
        ),
        (_no_special_cases, "np.inf"),
        (_zero_rate_forgotten, "lands exactly on the minimum"),
        (lambda e, lr, tol: np.inf, "converges"),
        (lambda e, lr, tol: [_steps(e, lr, tol)], "one number"),
        (lambda e, lr, tol: max(e) / min(e) / 2 * np.log(1 / tol), "whole number"),  # approximation
        (lambda e, lr, tol: np.ceil(max(e) / min(e) / 2 * np.log(1 / tol)), "steps is too"),
    ],
    ids=[
        "min-only",
        "floor",
        "plus-one",
        "not-rounded",
        "no-inf",
        "zero-rate",
        "always-inf",
        "list",
        "approximation",
        "rounded-approximation",
    ],
)
def test_gd_steps_rejects_typical_mistakes(answer, expected):
    feedback = check("la-gd-steps", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


# ---------------------------------------------------------------------------
# Section 1.1: la-forward-batch, la-mlp-forward
# ---------------------------------------------------------------------------


def _forward_batch(W, b, X):
    return np.maximum(X @ W.T + b, 0)


def test_forward_batch_accepts_the_batched_layer():
    feedback = check("la-forward-batch", _forward_batch)
    assert feedback.passed, feedback.message


def test_forward_batch_accepts_a_loop_over_examples_and_nblib():
    from nblib import nn

    def loop(W, b, X):
        return np.array([nn.relu(W @ x + b) for x in X])

    def with_nblib(W, b, X):
        layer = nn.Dense(W.shape[1], W.shape[0], "relu")
        layer.W[...], layer.b[...] = W, b
        return layer.forward(X)

    for answer in (loop, with_nblib):
        feedback = check("la-forward-batch", answer)
        assert feedback.passed, feedback.message


def test_forward_batch_stub_is_not_attempted():
    feedback = check("la-forward-batch", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda W, b, X: X @ W.T + b, "negative entries"),  # no activation
        (lambda W, b, X: np.maximum(X @ W.T, 0), "ignores the bias"),
        (lambda W, b, X: np.maximum(X @ W.T, 0) + b, "before adding the bias"),
        (lambda W, b, X: np.maximum(W @ X.T + b[:, None], 0), "one column per example"),
        (lambda W, b, X: np.maximum(X @ W.T + b[:, None], 0), "raised ValueError"),  # B != n_out
        (lambda W, b, X: np.maximum(X @ W + b, 0), "raised ValueError"),  # shapes do not fit
        (lambda W, b, X: np.maximum(X @ W.T + b, 0)[:, :-1], "shape"),
        (lambda W, b, X: np.tanh(X @ W.T + b), "negative entries"),
        (lambda W, b, X: 1 / (1 + np.exp(-(X @ W.T + b))), "wrong values"),  # sigmoid
    ],
    ids=[
        "no-relu",
        "no-bias",
        "relu-first",
        "columns",
        "column-bias",
        "no-transpose",
        "shape",
        "tanh",
        "sigmoid",
    ],
)
def test_forward_batch_rejects_typical_mistakes(answer, expected):
    feedback = check("la-forward-batch", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


def test_forward_batch_explains_wrong_values_of_the_right_shape():
    """Mistakes that only show when the shapes happen to fit (square W, batch == n_out)."""

    def column_bias_when_it_fits(W, b, X):
        bias = b[:, None] if X.shape[0] == W.shape[0] else b
        return np.maximum(X @ W.T + bias, 0)

    def no_transpose_when_it_fits(W, b, X):
        return np.maximum(X @ (W if W.shape[0] == W.shape[1] else W.T) + b, 0)

    feedback = check("la-forward-batch", column_bias_when_it_fits)
    assert not feedback.passed and "every unit of example i" in feedback.message
    feedback = check("la-forward-batch", no_transpose_when_it_fits)
    assert not feedback.passed and "transpose" in feedback.message


def test_forward_batch_rejects_in_place_modification():
    def in_place(W, b, X):
        X @= W.T if W.shape[0] == W.shape[1] else np.eye(X.shape[1])
        return np.maximum(X @ W.T + b, 0)

    feedback = check("la-forward-batch", in_place)
    assert not feedback.passed and "in place" in feedback.message


def _mlp_forward(weights, biases, X):
    H = X
    for i, (W, b) in enumerate(zip(weights, biases, strict=True)):
        H = H @ W.T + b
        if i < len(weights) - 1:
            H = np.maximum(H, 0)
    return H


def test_mlp_forward_accepts_the_layer_loop():
    feedback = check("la-mlp-forward", _mlp_forward)
    assert feedback.passed, feedback.message


def test_mlp_forward_reference_agrees_with_nblib():
    """The check's reference is the network nblib.nn.MLP computes."""
    from nblib import nn
    from nblib.exercises.linear_algebra import _mlp_reference

    rng = np.random.default_rng(3)
    net = nn.MLP([5, 7, 6, 2], activation="relu", output_activation="identity", rng=rng)
    for layer in net.layers:
        layer.b[...] = rng.standard_normal(layer.b.shape)
    X = rng.standard_normal((9, 5))
    weights = [layer.W for layer in net.layers]
    biases = [layer.b for layer in net.layers]
    np.testing.assert_allclose(_mlp_reference(weights, biases, X), net.forward(X), rtol=1e-12)


def test_mlp_forward_stub_is_not_attempted():
    feedback = check("la-mlp-forward", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


def _no_relu(weights, biases, X):
    for W, b in zip(weights, biases, strict=True):
        X = X @ W.T + b
    return X


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda w, b, X: np.maximum(_mlp_forward(w, b, X), 0), "output layer too"),
        (_no_relu, "never applies the ReLU"),
        (lambda w, b, X: _mlp_forward(w, [0 * v for v in b], X), "ignores the biases"),
        (lambda w, b, X: _mlp_forward(w[:1], b[:1], X), "shape"),  # only the first layer
        (lambda w, b, X: _mlp_forward([W.T for W in w], b, X), "raised ValueError"),
        (lambda w, b, X: _mlp_forward(w, b, X).T, "shape"),
    ],
    ids=["relu-output", "no-relu", "no-bias", "first-layer-only", "no-transpose", "transposed"],
)
def test_mlp_forward_rejects_typical_mistakes(answer, expected):
    feedback = check("la-mlp-forward", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


def test_mlp_forward_explains_a_missing_transpose_on_square_layers():
    def no_transpose_when_square(weights, biases, X):
        square = all(W.shape[0] == W.shape[1] for W in weights)
        return _mlp_forward([W.T for W in weights] if square else weights, biases, X)

    feedback = check("la-mlp-forward", no_transpose_when_square)
    assert not feedback.passed and "transpose" in feedback.message


def test_mlp_forward_rejects_in_place_modification():
    def in_place(weights, biases, X):
        for b in biases:
            b += 0.0
        weights[0] *= 1.0
        X[...] = X + 1.0
        return _mlp_forward(weights, biases, X - 1.0)

    feedback = check("la-mlp-forward", in_place)
    assert not feedback.passed and "in place" in feedback.message


# ---------------------------------------------------------------------------
# Section 1.2: la-pairwise-distances
# ---------------------------------------------------------------------------


def _gram_distances(A, B):
    sq = np.sum(A**2, axis=1)[:, None] + np.sum(B**2, axis=1)[None, :] - 2 * A @ B.T
    return np.sqrt(np.maximum(sq, 0))


def _unclipped(A, B):
    sq = np.sum(A**2, axis=1)[:, None] + np.sum(B**2, axis=1)[None, :] - 2 * A @ B.T
    return np.sqrt(sq)


@pytest.mark.parametrize(
    "answer",
    [
        _gram_distances,
        lambda A, B: np.linalg.norm(A[:, None, :] - B[None, :, :], axis=-1),
        lambda A, B: np.array([[np.linalg.norm(a - b) for b in B] for a in A]),  # loops are fine
    ],
    ids=["gram", "broadcast", "loops"],
)
def test_pairwise_distances_accepts_correct_answers(answer):
    feedback = check("la-pairwise-distances", answer)
    assert feedback.passed, feedback.message


def test_pairwise_distances_agrees_with_scipy():
    from scipy.spatial.distance import cdist

    assert check("la-pairwise-distances", lambda A, B: cdist(A, B)).passed


def test_pairwise_distances_catches_cancellation():
    """The unclipped Gram formula really produces NaN on one of the check's cases."""
    feedback = check("la-pairwise-distances", _unclipped)
    assert not feedback.passed and "clip" in feedback.message, feedback.message


def test_pairwise_distances_stub_is_not_attempted():
    feedback = check("la-pairwise-distances", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda A, B: _gram_distances(A, B) ** 2, "squared distances"),
        (lambda A, B: _gram_distances(B, A), "one row per point of A"),
        (
            lambda A, B: _gram_distances(A, B).T if len(A) == len(B) else _gram_distances(A, B),
            "transposed",
        ),
        (lambda A, B: np.sqrt(np.sum(A**2, 1)[:, None] + np.sum(B**2, 1)[None, :]), "wrong values"),
        (lambda A, B: _gram_distances(A, B)[:, :1], "shape"),
        (lambda A, B: (_gram_distances(A, B), None), "tuple"),
        (lambda A, B: -_gram_distances(A, B), "negative"),
    ],
    ids=["squared", "swapped", "transposed", "no-cross-term", "shape", "tuple", "negative"],
)
def test_pairwise_distances_rejects_typical_mistakes(answer, expected):
    feedback = check("la-pairwise-distances", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message
