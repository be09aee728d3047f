"""Checks of the code exercises of Section 7.5: a right answer passes, typical wrong answers fail
with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np
from scipy.linalg import expm

from nblib.exercises import check


def _stub(*args):
    raise NotImplementedError


# ---------------------------------------------------------------------------
# ak-ntk-two-layer
# ---------------------------------------------------------------------------


def _ntk_two_layer(X1, X2, clip=True, half=False, nngp_only=False, first_only=False):
    X1, X2 = np.asarray(X1, float), np.asarray(X2, float)
    n1, n2 = np.linalg.norm(X1, axis=1), np.linalg.norm(X2, axis=1)
    dots = X1 @ X2.T
    cos = dots / np.outer(n1, n2)
    theta = np.arccos(np.clip(cos, -1, 1) if clip else cos)
    k0 = (np.pi - theta) / np.pi
    k1 = np.outer(n1, n2) * (np.sin(theta) + (np.pi - theta) * np.cos(theta)) / np.pi
    out = k1 if nngp_only else dots * k0 if first_only else dots * k0 + k1
    return out / 2 if half else out


def test_ntk_two_layer_accepts_the_reference():
    feedback = check("ak-ntk-two-layer", _ntk_two_layer)
    assert feedback.passed, feedback.message


def test_ntk_two_layer_names_the_missing_term():
    feedback = check("ak-ntk-two-layer", lambda A, B: _ntk_two_layer(A, B, nngp_only=True))
    assert not feedback.passed and "NNGP part" in feedback.message
    feedback = check("ak-ntk-two-layer", lambda A, B: _ntk_two_layer(A, B, first_only=True))
    assert not feedback.passed and "first-layer part" in feedback.message


def test_ntk_two_layer_rejects_half_the_kernel():
    feedback = check("ak-ntk-two-layer", lambda A, B: _ntk_two_layer(A, B, half=True))
    assert not feedback.passed and "half" in feedback.message


def test_ntk_two_layer_rejects_an_unclipped_cosine_on_parallel_inputs():
    with np.errstate(invalid="ignore"):
        feedback = check("ak-ntk-two-layer", lambda A, B: _ntk_two_layer(A, B, clip=False))
    assert not feedback.passed
    assert "NaN" in feedback.message and "np.clip" in feedback.message, feedback.message


def test_ntk_two_layer_rejects_a_transposed_result():
    feedback = check("ak-ntk-two-layer", lambda A, B: _ntk_two_layer(A, B).T)
    assert not feedback.passed and "transposed" in feedback.message


def test_ntk_two_layer_rejects_changing_the_input():
    def in_place(A, B):
        A /= 1.0 + np.linalg.norm(A)
        return _ntk_two_layer(A, B)

    feedback = check("ak-ntk-two-layer", in_place)
    assert not feedback.passed and "in place" in feedback.message


def test_ntk_two_layer_stub_is_not_attempted():
    assert "not attempted" in check("ak-ntk-two-layer", _stub).message


# ---------------------------------------------------------------------------
# ak-lazy-outputs
# ---------------------------------------------------------------------------


def _linearized_outputs(Theta, f0, y, eta, steps):
    r = np.asarray(f0, float) - y
    for _ in range(steps):
        r = r - eta * Theta @ r
    return y + r


def test_lazy_outputs_accepts_the_loop_and_the_eigendecomposition():
    assert check("ak-lazy-outputs", _linearized_outputs).passed

    def by_eigh(Theta, f0, y, eta, steps):
        lam, V = np.linalg.eigh(Theta)
        return y + V @ ((1 - eta * lam) ** steps * (V.T @ (f0 - y)))

    feedback = check("ak-lazy-outputs", by_eigh)
    assert feedback.passed, feedback.message


def test_lazy_outputs_rejects_the_gradient_flow_formula():
    feedback = check("ak-lazy-outputs", lambda T, f0, y, eta, s: y + expm(-eta * s * T) @ (f0 - y))
    assert not feedback.passed and "gradient-flow" in feedback.message


def test_lazy_outputs_rejects_ignoring_f0():
    feedback = check(
        "ak-lazy-outputs", lambda T, f0, y, eta, s: _linearized_outputs(T, 0 * f0, y, eta, s)
    )
    assert not feedback.passed and "ignore f0" in feedback.message


def test_lazy_outputs_rejects_an_extra_step():
    feedback = check(
        "ak-lazy-outputs", lambda T, f0, y, eta, s: _linearized_outputs(T, f0, y, eta, s + 1)
    )
    assert not feedback.passed and "off by one" in feedback.message


def test_lazy_outputs_rejects_the_residual_and_a_wrong_shape():
    feedback = check(
        "ak-lazy-outputs", lambda T, f0, y, eta, s: _linearized_outputs(T, f0, y, eta, s) - y
    )
    assert not feedback.passed and "residual" in feedback.message
    feedback = check(
        "ak-lazy-outputs", lambda T, f0, y, eta, s: _linearized_outputs(T, f0, y, eta, s)[:, None]
    )
    assert not feedback.passed and "shape" in feedback.message


def test_lazy_outputs_rejects_a_wrong_sign():
    feedback = check(
        "ak-lazy-outputs", lambda T, f0, y, eta, s: _linearized_outputs(T, f0, y, -eta, s)
    )
    assert not feedback.passed and "r_(t+1)" in feedback.message


def test_lazy_outputs_stub_is_not_attempted():
    assert "not attempted" in check("ak-lazy-outputs", _stub).message
