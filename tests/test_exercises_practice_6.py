"""Checks of the code exercise of Section 10.6 (PCGrad): a right answer passes, typical wrong
answers fail with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np

from nblib.exercises import check


def _pcgrad(
    grads, order, *, against_projected=False, test_original=False, always=False, mean=False
):
    """An independent transcription of PCGrad (Yu et al. 2020), with switches for typical mistakes."""
    G = np.asarray(grads, dtype=float)
    done = {}
    for i in range(len(G)):
        gi = G[i].copy()
        for j in order:
            if j == i:
                continue
            gj = done.get(j, G[j]) if against_projected else G[j]
            test = G[i] if test_original else gi
            if always or float(np.dot(test, gj)) < 0:
                gi = gi - np.dot(gi, gj) / np.dot(gj, gj) * gj
        done[i] = gi
    total = sum(done.values())
    return total / len(G) if mean else total


def _feedback(**mistake):
    return check("px-pcgrad", lambda grads, order: _pcgrad(grads, order, **mistake))


def test_pcgrad_accepts_the_reference():
    feedback = _feedback()
    assert feedback.passed, feedback.message


def test_pcgrad_projection_removes_the_conflict_for_two_tasks():
    """The two-task theorem of Section 10.6: the update has a non-negative inner product with
    both original gradients, which the plain sum does not have here."""
    g1, g2 = np.array([1.0, 0.0]), np.array([-0.8, 0.3])
    u = _pcgrad(np.stack([g1, g2]), [0, 1])
    assert u @ g1 >= 0 and u @ g2 >= 0
    assert (g1 + g2) @ g2 < 0
    np.testing.assert_allclose(u @ g1, g1 @ g1 - (g1 @ g2) ** 2 / (g2 @ g2))


def test_pcgrad_names_each_typical_mistake():
    expected = {
        "always": "only when the pair conflicts",
        "test_original": "running, already projected",
        "against_projected": "original gradient",
        "mean": "not their mean",
    }
    for mistake, phrase in expected.items():
        feedback = _feedback(**{mistake: True})
        assert not feedback.passed and phrase in feedback.message, (mistake, feedback.message)


def test_pcgrad_names_the_plain_sum_and_the_order():
    feedback = check("px-pcgrad", lambda grads, order: np.asarray(grads).sum(axis=0))
    assert not feedback.passed and "plain sum" in feedback.message, feedback.message
    feedback = check("px-pcgrad", lambda grads, order: _pcgrad(grads, sorted(order)))
    assert not feedback.passed and "given order" in feedback.message, feedback.message


def test_pcgrad_rejects_a_wrong_shape_and_in_place_changes():
    feedback = check("px-pcgrad", lambda grads, order: _pcgrad(grads, order)[None, :])
    assert not feedback.passed and "shape" in feedback.message

    def in_place(grads, order):
        out = _pcgrad(grads, order)
        grads[0] *= 2
        return out

    feedback = check("px-pcgrad", in_place)
    assert not feedback.passed and "in place" in feedback.message


def test_pcgrad_stub_is_not_attempted():
    def stub(grads, order):
        raise NotImplementedError

    feedback = check("px-pcgrad", stub)
    assert not feedback.passed and "not attempted" in feedback.message
