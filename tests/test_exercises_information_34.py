"""Checks of the code exercises of Sections 5.3 and 5.4: a right answer passes, typical wrong answers
fail with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import rel_entr

from nblib import info
from nblib.exercises import check


def _stub(*args):
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Section 5.3: it-binned-layer-information
# ---------------------------------------------------------------------------


def _binned(T, n_bins, clip=True, lo=-1.0, hi=1.0, log=np.log2, joint=True):
    T = np.asarray(T, dtype=float).reshape(len(T), -1)
    codes = np.floor((T - lo) / (hi - lo) * n_bins)
    if clip:
        codes = np.clip(codes, 0, n_bins - 1)
    if not joint:
        return sum(_binned(T[:, [k]], n_bins, clip, lo, hi, log) for k in range(T.shape[1]))
    counts = np.unique(codes, axis=0, return_counts=True)[1]
    p = counts / counts.sum()
    return float(-np.sum(p * log(p)))


def test_binned_layer_information_accepts_the_reference():
    feedback = check("it-binned-layer-information", lambda T, B: _binned(T, B))
    assert feedback.passed, feedback.message


def test_binned_layer_information_stub_is_not_attempted():
    feedback = check("it-binned-layer-information", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda T, B: _binned(T, B, log=np.log), "nats"),
        (lambda T, B: _binned(T, B, joint=False), "adds the entropies"),
        (lambda T, B: _binned(T, B, lo=np.min(T), hi=np.max(T)), "range"),
        (lambda T, B: _binned(T, B, clip=False), "last bin"),
        (lambda T, B: np.array([_binned(T, B)] * 2), "shape"),
        (lambda T, B: _binned(T, B) + 0.5, "too large"),
    ],
)
def test_binned_layer_information_explains_mistakes(answer, expected):
    feedback = check("it-binned-layer-information", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


def test_binned_layer_information_saturated_hint_only_for_the_unclipped_mistake():
    # wrong only on the layer with values exactly 1, but not by leaving them unclipped:
    # the "last bin" hint must not be given
    def wrong_on_saturated(T, B):
        return _binned(T, B) + (0.25 if np.any(np.asarray(T) == 1.0) else 0.0)

    feedback = check("it-binned-layer-information", wrong_on_saturated)
    assert not feedback.passed
    assert "saturated" in feedback.message and "last bin" not in feedback.message, feedback.message
    feedback = check("it-binned-layer-information", lambda T, B: _binned(T, B, clip=False))
    assert "saturated" in feedback.message and "last bin" in feedback.message, feedback.message


def test_binned_layer_information_must_not_modify_its_input():
    def in_place(T, B):
        T += 0.0
        T[0, 0] = 0.123
        return _binned(T, B)

    feedback = check("it-binned-layer-information", in_place)
    assert not feedback.passed and "in place" in feedback.message


# ---------------------------------------------------------------------------
# Section 5.4: it-ib-update
# ---------------------------------------------------------------------------


def _ib_update(p_xy, encoder, beta, variant="right", stable=True, guard=True):
    p_xy, encoder = np.asarray(p_xy, float), np.asarray(encoder, float)
    p_x = p_xy.sum(axis=1)
    p_t = p_x @ encoder
    with np.errstate(divide="ignore", invalid="ignore"):
        if guard:
            safe = np.where(p_t > 0, p_t, 1.0)
            p_y_t = np.where(p_t[:, None] > 0, (encoder.T @ p_xy) / safe[:, None], p_xy.sum(0))
        else:
            p_y_t = (encoder.T @ p_xy) / p_t[:, None]
        p_y_x = p_xy / p_x[:, None]
        if variant == "reversed":
            kl = rel_entr(p_y_t[None, :, :], p_y_x[:, None, :]).sum(axis=2)
        else:
            kl = rel_entr(p_y_x[:, None, :], p_y_t[None, :, :]).sum(axis=2)
        prior = np.zeros_like(p_t) if variant == "no_prior" else np.log(p_t)
        sign = 1.0 if variant == "plus" else -1.0
        logits = prior[None, :] + sign * beta * kl
        if stable:
            logits = logits - logits.max(axis=1, keepdims=True)
        w = np.exp(logits)
        out = w / w.sum(axis=1, keepdims=True)
    return out if variant != "unnormalised" else w


def test_ib_update_accepts_the_reference_and_agrees_with_nblib():
    feedback = check("it-ib-update", _ib_update)
    assert feedback.passed, feedback.message
    p_xy = np.random.default_rng(0).dirichlet(np.ones(12)).reshape(4, 3)
    enc = np.random.default_rng(1).dirichlet(np.ones(3), size=4)
    res = info.information_bottleneck(p_xy, 3.0, 3, n_iter=1, init=enc, tol=0)
    np.testing.assert_allclose(_ib_update(p_xy, enc, 3.0), res.encoder, atol=1e-12)


def test_ib_update_stub_is_not_attempted():
    feedback = check("it-ib-update", _stub)
    assert not feedback.passed and "not attempted" in feedback.message


def _unstable_but_guarded(p_xy, encoder, beta):
    return _ib_update(p_xy, encoder, beta, stable=False)


def _subtracts_max_but_unguarded(p_xy, encoder, beta):
    return _ib_update(p_xy, encoder, beta, guard=False)


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda p, e, b: _ib_update(p, e, b, "no_prior"), "p(t)"),
        (lambda p, e, b: _ib_update(p, e, b, "plus"), "-beta"),
        (lambda p, e, b: _ib_update(p, e, b, "reversed"), "D(p(y|x) || p(y|t))"),
        (lambda p, e, b: _ib_update(p, e, b, "unnormalised"), "sum to 1"),
        (_unstable_but_guarded, "largest logit"),
        (lambda p, e, b: e, "wrong values"),
        (lambda p, e, b: e[:, :-1], "shape"),
    ],
)
def test_ib_update_explains_mistakes(answer, expected):
    feedback = check("it-ib-update", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


def test_ib_update_unguarded_empty_cluster_is_reported():
    feedback = check("it-ib-update", _subtracts_max_but_unguarded)
    # 0/0 in p(y|t) of the empty cluster gives NaN logits there
    assert not feedback.passed
    assert "empty cluster" in feedback.message or "NaN" in feedback.message, feedback.message
