"""Checks of the code exercise of Section 7.2 (ak-zigzag-net): the reference passes, typical wrong
answers fail with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest

from nblib.exercises import check


def _stub(k):
    raise NotImplementedError


def _zigzag_layers(k, width=3, pieces=3):
    """The reference: S(x) = 3 relu(x) - 6 relu(x - 1/3) + 6 relu(x - 2/3), composed k times."""
    if pieces == 2:  # the tent map T(x) = 2 relu(x) - 4 relu(x - 1/2), a typical slip
        a, c = np.array([2.0, -4.0]), np.array([0.0, -0.5])
    else:
        a, c = np.array([3.0, -6.0, 6.0]), np.array([0.0, -1 / 3, -2 / 3])
    if width > len(a):  # an unused extra unit
        a, c = np.append(a, 0.0), np.append(c, 0.0)
    layers = [(np.ones((len(a), 1)), c)]
    for _ in range(k - 1):
        layers.append((np.outer(np.ones(len(a)), a), c))
    layers.append((a[None, :], np.zeros(1)))
    return layers


def test_zigzag_accepts_the_reference():
    feedback = check("ak-zigzag-net", _zigzag_layers)
    assert feedback.passed, feedback.message


def test_zigzag_accepts_nested_lists():
    def as_lists(k):
        return [(W.tolist(), b.tolist()) for W, b in _zigzag_layers(k)]

    feedback = check("ak-zigzag-net", as_lists)
    assert feedback.passed, feedback.message


def test_zigzag_accepts_a_different_correct_network():
    """Units relu(u), relu(3u - 1), relu(3u - 2) with read-out 3 h1 - 2 h2 + 2 h3 also compute S: any correct
    weights must pass, not only the notebook's."""
    a, W_in, b = (
        np.array([3.0, -2.0, 2.0]),
        np.array([[1.0], [3.0], [3.0]]),
        np.array([0.0, -1.0, -2.0]),
    )

    def other(k):
        layers = [(W_in, b)] + [(np.outer(W_in[:, 0], a), b) for _ in range(k - 1)]
        return layers + [(a[None, :], np.zeros(1))]

    feedback = check("ak-zigzag-net", other)
    assert feedback.passed, feedback.message


def test_zigzag_stub_is_not_attempted():
    assert "not attempted" in check("ak-zigzag-net", _stub).message


def _scaled_output(k):
    layers = _zigzag_layers(k)
    W, b = layers[-1]
    return layers[:-1] + [(2 * W, b)]


def _shifted_output(k):
    layers = _zigzag_layers(k)
    W, b = layers[-1]
    return layers[:-1] + [(W, b + 1.0)]


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda k: _zigzag_layers(k, pieces=2), "tent map"),
        (lambda k: _zigzag_layers(k, width=4), "allows 3 units"),
        (lambda k: _zigzag_layers(k)[:-1], "layers"),
        (lambda k: _zigzag_layers(k + 1), "layers"),
        (_scaled_output, "does not compute"),
        (_shifted_output, "does not compute"),
        (lambda k: [(W, b[:, None]) for W, b in _zigzag_layers(k)], "shape"),
        (lambda k: [(W.T, b) for W, b in _zigzag_layers(k)], "shape"),
        (lambda k: _zigzag_layers(k)[0], "pair"),
        (lambda k: np.ones(3), "list of (W, b) pairs"),
    ],
)
def test_zigzag_explains_typical_mistakes(answer, expected):
    feedback = check("ak-zigzag-net", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


def test_zigzag_messages_do_not_reveal_the_weights():
    feedback = check("ak-zigzag-net", _scaled_output)
    for weight in ("-6", "1/3", "2/3", "0.333"):
        assert weight not in feedback.message, feedback.message
