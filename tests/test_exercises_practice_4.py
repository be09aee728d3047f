"""Checks of the code exercise of Section 10.4: a right answer passes, typical wrong answers fail
with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np

from nblib.exercises import check


def _estimates(sq_small, sq_big, b_small, b_big):
    sq_small, sq_big = np.asarray(sq_small, float), np.asarray(sq_big, float)
    g2 = (b_big * sq_big - b_small * sq_small) / (b_big - b_small)
    tr = (sq_small - sq_big) / (1 / b_small - 1 / b_big)
    return g2, tr


def test_two_batch_accepts_the_reference():
    feedback = check("px-two-batch", _estimates)
    assert feedback.passed, feedback.message


def test_two_batch_is_unbiased_in_simulation():
    """The reference estimators average to ‖G‖² and tr Σ over many batch pairs (within 4 s.e.)."""
    rng = np.random.default_rng(0)
    g = rng.standard_normal((200, 5)) + 0.3  # 200 per-example gradients
    G = g.mean(axis=0)
    tr_sigma = np.mean(np.sum(g**2, axis=1)) - G @ G
    b_s, b_b, pairs = 4, 32, 4000
    sq_s = np.array([np.sum(g[rng.integers(0, 200, b_s)].mean(axis=0) ** 2) for _ in range(pairs)])
    sq_b = np.array([np.sum(g[rng.integers(0, 200, b_b)].mean(axis=0) ** 2) for _ in range(pairs)])
    for est, truth in zip(_estimates(sq_s, sq_b, b_s, b_b), (G @ G, tr_sigma), strict=True):
        se = est.std(ddof=1) / np.sqrt(pairs)
        assert abs(est.mean() - truth) < 4 * se, (est.mean(), truth, se)


def test_two_batch_names_the_order_and_the_biased_shortcut():
    feedback = check("px-two-batch", lambda *a: _estimates(*a)[::-1])
    assert not feedback.passed and "wrong order" in feedback.message, feedback.message
    feedback = check(
        "px-two-batch", lambda s, b, bs, bb: (np.asarray(b, float), _estimates(s, b, bs, bb)[1])
    )
    assert not feedback.passed and "biased" in feedback.message, feedback.message


def test_two_batch_names_the_sign_and_a_wrong_formula():
    feedback = check("px-two-batch", lambda *a: (_estimates(*a)[0], -_estimates(*a)[1]))
    assert not feedback.passed and "wrong sign" in feedback.message, feedback.message
    feedback = check(
        "px-two-batch", lambda s, b, bs, bb: (_estimates(s, b, bs, bb)[0], (s - b) * (bb - bs))
    )
    assert not feedback.passed and "tr Σ is wrong" in feedback.message, feedback.message


def test_two_batch_rejects_a_single_value_and_a_wrong_shape():
    feedback = check("px-two-batch", lambda *a: _estimates(*a)[0])
    assert not feedback.passed and "pair" in feedback.message, feedback.message
    feedback = check("px-two-batch", lambda *a: tuple(np.atleast_1d(x)[:1] for x in _estimates(*a)))
    assert not feedback.passed and "shape" in feedback.message, feedback.message


def test_two_batch_stub_is_not_attempted():
    def stub(sq_small, sq_big, b_small, b_big):
        raise NotImplementedError

    feedback = check("px-two-batch", stub)
    assert not feedback.passed and "not attempted" in feedback.message.lower(), feedback.message
