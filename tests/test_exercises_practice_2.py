"""Checks of the code exercise of Section 10.2 (layer norm backward): a right answer passes,
typical wrong answers fail with a message that says what is wrong, and a stub is "not attempted"."""

from __future__ import annotations

import numpy as np

from nblib.exercises import check
from nblib.layers import LayerNorm


def _right(dy, x, gamma, eps):
    """The backward pass through nblib.layers.LayerNorm (itself tested against PyTorch)."""
    layer = LayerNorm(x.shape[-1], eps=eps)
    layer.gamma[:] = gamma
    layer.forward(x)
    dx = layer.backward(dy)
    return dx, layer.dgamma, layer.dbeta


def _formula(dy, x, gamma, eps, *, ddof=0, use_gamma=True, centre=True, axis=-1):
    """eq. (norm.1) with switches for typical mistakes."""
    mu = x.mean(axis=axis, keepdims=True)
    inv_std = 1 / np.sqrt(x.var(axis=axis, ddof=ddof, keepdims=True) + eps)
    xhat = (x - mu) * inv_std
    g = dy * gamma if use_gamma else dy
    if centre:
        g = g - g.mean(axis=axis, keepdims=True) - xhat * (g * xhat).mean(axis=axis, keepdims=True)
    return g * inv_std, (dy * xhat).sum(axis=0), dy.sum(axis=0)


def test_layernorm_backward_accepts_the_library_and_the_formula():
    for answer in (_right, _formula):
        feedback = check("px-layernorm-backward", answer)
        assert feedback.passed, feedback.message


def test_layernorm_backward_names_typical_mistakes():
    cases = {
        "subtract the mean": lambda dy, x, g, e: _formula(dy, x, g, e, centre=False),
        "ignores γ": lambda dy, x, g, e: _formula(dy, x, g, e, use_gamma=False),
        "ignores ε": lambda dy, x, g, e: _formula(dy, x, g, 0.0),
        "biased variance": lambda dy, x, g, e: _formula(dy, x, g, e, ddof=1),
        "last axis": lambda dy, x, g, e: (
            (_formula(dy, x, g, e, axis=0)[0],) + _right(dy, x, g, e)[1:]
        ),
        "dbeta": lambda dy, x, g, e: _right(dy, x, g, e)[:2] + (dy.sum(axis=1)[: x.shape[1]],),
        "dgamma": lambda dy, x, g, e: (_right(dy, x, g, e)[0], dy.sum(axis=0), dy.sum(axis=0)),
        "triple": lambda dy, x, g, e: _right(dy, x, g, e)[0],
    }
    for phrase, wrong in cases.items():
        feedback = check("px-layernorm-backward", wrong)
        assert not feedback.passed and phrase in feedback.message, (phrase, feedback.message)


def test_layernorm_backward_stub_is_not_attempted():
    def layernorm_backward(dy, x, gamma, eps):
        raise NotImplementedError

    feedback = check("px-layernorm-backward", layernorm_backward)
    assert not feedback.passed and "not attempted" in feedback.message.lower(), feedback.message
