"""Checks of the code exercises of Sections 4.5-4.6: a right answer passes, typical wrong answers fail
with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest

from nblib import prob
from nblib.exercises import check


def _stub(*args):
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Section 4.5: pr-nngp-relu-step
# ---------------------------------------------------------------------------


def _relu_step(K, weight_var, *, factor=2 * np.pi, clip=True, guard=True, scale=True, term=True):
    K = np.asarray(K, dtype=float)
    diag = np.diag(K)
    norm = np.sqrt(np.outer(diag, diag))
    with np.errstate(divide="ignore", invalid="ignore"):
        cos = K / (np.where(norm > 0, norm, 1.0) if guard else norm)
        if clip:
            cos = np.clip(cos, -1.0, 1.0)
        theta = np.arccos(cos)
        extra = (np.pi - theta) * cos if term else np.pi * cos
        out = norm * (np.sin(theta) + extra) / factor
    if guard:
        out = np.where(norm > 0, out, 0.0)
    return (weight_var if scale else 1.0) * out


def test_relu_step_accepts_the_arc_cosine_formula():
    feedback = check("pr-nngp-relu-step", _relu_step)
    assert feedback.passed, feedback.message


def test_relu_step_reference_matches_nblib():
    X = np.random.default_rng(0).standard_normal((4, 3))
    K0 = 1.5 * X @ X.T / 3
    np.testing.assert_allclose(_relu_step(K0, 1.5), prob.nngp_kernel(X, X, 1, weight_var=1.5), rtol=1e-12)


def test_relu_step_stub_is_not_attempted():
    feedback = check("pr-nngp-relu-step", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda K, wv: _relu_step(K, wv, factor=np.pi), "2*pi"),
        (lambda K, wv: _relu_step(K, wv, scale=False), "weight_var"),
        (lambda K, wv: _relu_step(K, wv, term=False), "off-diagonal"),
        (lambda K, wv: _relu_step(K, wv, clip=False), "clip"),
        (lambda K, wv: _relu_step(K, wv, guard=False), "zero variance"),
        (lambda K, wv: _relu_step(K, wv)[:-1], "shape"),
        (lambda K, wv: (_relu_step(K, wv), 0), "tuple"),
    ],
)
def test_relu_step_explains_typical_mistakes(answer, expected):
    feedback = check("pr-nngp-relu-step", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


# ---------------------------------------------------------------------------
# Section 4.6: pr-hmc-leapfrog
# ---------------------------------------------------------------------------


def _leapfrog(x, p, grad_log_prob, step_size, n_steps):
    # Kick-drift-kick written step by step, caching the gradient (the check's reference
    # merges the two half kicks between steps instead): a correct answer in another form.
    g = grad_log_prob(x)
    for _ in range(n_steps):
        p = p + 0.5 * step_size * g
        x = x + step_size * p
        g = grad_log_prob(x)
        p = p + 0.5 * step_size * g
    return x, p


def _leapfrog_wasteful(x, p, grad_log_prob, step_size, n_steps):
    for _ in range(n_steps):
        p = p + 0.5 * step_size * grad_log_prob(x)
        x = x + step_size * p
        p = p + 0.5 * step_size * grad_log_prob(x)
    return x, p


def _euler(x, p, grad_log_prob, step_size, n_steps):
    for _ in range(n_steps):
        p = p + step_size * grad_log_prob(x)
        x = x + step_size * p
    return x, p


def _wrong_sign(x, p, grad_log_prob, step_size, n_steps):
    return _leapfrog(x, p, lambda z: -grad_log_prob(z), step_size, n_steps)


def _position_first(x, p, grad_log_prob, step_size, n_steps):
    for _ in range(n_steps):
        x = x + 0.5 * step_size * p
        p = p + step_size * grad_log_prob(x)
        x = x + 0.5 * step_size * p
    return x, p


def test_leapfrog_accepts_a_correct_integrator():
    feedback = check("pr-hmc-leapfrog", _leapfrog)
    assert feedback.passed, feedback.message


def test_leapfrog_accepts_a_list_pair():
    feedback = check("pr-hmc-leapfrog", lambda *a: list(_leapfrog(*a)))
    assert feedback.passed, feedback.message


def test_leapfrog_stub_is_not_attempted():
    feedback = check("pr-hmc-leapfrog", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_leapfrog_wasteful, "times"),
        (_euler, "half step"),
        (_wrong_sign, "downhill"),
        (_position_first, "momentum-first"),
        (lambda x, p, g, e, n: x, "pair"),
    ],
)
def test_leapfrog_explains_typical_mistakes(answer, expected):
    feedback = check("pr-hmc-leapfrog", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message
