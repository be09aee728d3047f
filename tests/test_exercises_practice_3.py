"""Checks of the code exercise of Section 10.3 (multi-head attention): a right answer passes,
typical wrong answers fail with a message that says what is wrong, and a stub is "not attempted"."""

from __future__ import annotations

import numpy as np

from nblib import layers
from nblib.exercises import check


def _mha(X, W_Q, W_K, W_V, W_O, n_heads, mask=None, *, d_scale=None, out=True, step=False):
    """Concatenated multi-head attention through nblib.layers; switches build typical mistakes."""
    Q, K, V = X @ W_Q, X @ W_K, X @ W_V
    d = X.shape[1]
    d_h = d // n_heads
    heads = []
    for h in range(n_heads):
        cols = np.arange(h, d, n_heads) if step else np.arange(h * d_h, (h + 1) * d_h)
        c = 1.0 if d_scale is None else np.sqrt(d_h / d_scale)  # rescale Q to change √d_h
        heads.append(
            layers.scaled_dot_product_attention(Q[:, cols] * c, K[:, cols], V[:, cols], mask)
        )
    concat = np.zeros_like(X)
    for h in range(n_heads):
        cols = np.arange(h, d, n_heads) if step else np.arange(h * d_h, (h + 1) * d_h)
        concat[:, cols] = heads[h]
    return concat @ W_O if out else concat


def test_multi_head_accepts_the_concatenated_and_the_sum_form():
    feedback = check("px-multi-head", _mha)
    assert feedback.passed, feedback.message

    def sum_form(X, W_Q, W_K, W_V, W_O, n_heads, mask=None):
        d_h = X.shape[1] // n_heads
        total = np.zeros_like(X)
        for h in range(n_heads):
            b = slice(h * d_h, (h + 1) * d_h)
            _, P = layers.scaled_dot_product_attention(
                X @ W_Q[:, b], X @ W_K[:, b], X @ W_V[:, b], mask, return_weights=True
            )
            total += P @ X @ W_V[:, b] @ W_O[b, :]
        return total

    feedback = check("px-multi-head", sum_form)
    assert feedback.passed, feedback.message


def test_multi_head_names_typical_mistakes():
    def query_axis(X, W_Q, W_K, W_V, W_O, n_heads, mask=None):
        d_h = X.shape[1] // n_heads
        Q, K, V = X @ W_Q, X @ W_K, X @ W_V
        heads = []
        for h in range(n_heads):
            b = slice(h * d_h, (h + 1) * d_h)
            S = Q[:, b] @ K[:, b].T / np.sqrt(d_h)
            S = S if mask is None else np.where(mask, S, -np.inf)
            P = np.exp(S - S.max(axis=0))
            heads.append(P / P.sum(axis=0) @ V[:, b])
        return np.concatenate(heads, axis=1) @ W_O

    cases = {
        "output map W_O": lambda *a: _mha(*a, out=False),
        "√d_head": lambda X, *a: _mha(X, *a, d_scale=X.shape[1]),
        "over the queries": query_axis,
        "mask was ignored": lambda X, WQ, WK, WV, WO, H, mask=None: _mha(X, WQ, WK, WV, WO, H),
        "contiguous columns": lambda *a: _mha(*a, step=True),
    }
    for phrase, wrong in cases.items():
        feedback = check("px-multi-head", wrong)
        assert not feedback.passed and phrase in feedback.message, (phrase, feedback.message)


def test_multi_head_names_an_inverted_mask():
    """A learner who reads True as "excluded" (torch.nn.MultiheadAttention's convention)."""

    def inverted_through_nblib(X, W_Q, W_K, W_V, W_O, n_heads, mask=None):
        # the causal mask's last query keeps no key: nblib.layers raises ValueError
        return _mha(X, W_Q, W_K, W_V, W_O, n_heads, None if mask is None else ~mask)

    def inverted_by_hand(X, W_Q, W_K, W_V, W_O, n_heads, mask=None):
        # the same mistake with a hand-written softmax: a row of NaN
        d_h = X.shape[1] // n_heads
        Q, K, V = X @ W_Q, X @ W_K, X @ W_V
        heads = []
        for h in range(n_heads):
            b = slice(h * d_h, (h + 1) * d_h)
            S = Q[:, b] @ K[:, b].T / np.sqrt(d_h)
            if mask is not None:
                S = np.where(mask, -np.inf, S)
            with np.errstate(invalid="ignore"):
                P = np.exp(S - S.max(axis=1, keepdims=True))
                heads.append(P / P.sum(axis=1, keepdims=True) @ V[:, b])
        return np.concatenate(heads, axis=1) @ W_O

    def inverted_padding_only(X, W_Q, W_K, W_V, W_O, n_heads, mask=None):
        # inverts only masks whose inverse leaves every query a key: reaches the padding case
        if mask is not None and (~mask).any(axis=1).all():
            mask = ~mask
        return _mha(X, W_Q, W_K, W_V, W_O, n_heads, mask)

    for wrong in (inverted_through_nblib, inverted_by_hand, inverted_padding_only):
        feedback = check("px-multi-head", wrong)
        assert not feedback.passed and "inverted" in feedback.message, (
            wrong.__name__,
            feedback.message,
        )


def test_multi_head_rejects_a_wrong_shape_other_errors_and_in_place_changes():
    feedback = check("px-multi-head", lambda *a: _mha(*a)[:, :-1])
    assert not feedback.passed and "shape" in feedback.message

    feedback = check("px-multi-head", lambda *a: _mha(*a) * 1.01)
    assert not feedback.passed and "off by" in feedback.message

    def in_place(X, *rest):
        out = _mha(X, *rest)
        X *= 2
        return out

    feedback = check("px-multi-head", in_place)
    assert not feedback.passed and "in place" in feedback.message


def test_multi_head_stub_is_not_attempted():
    def stub(X, W_Q, W_K, W_V, W_O, n_heads, mask=None):
        raise NotImplementedError

    feedback = check("px-multi-head", stub)
    assert not feedback.passed and "not attempted" in feedback.message
