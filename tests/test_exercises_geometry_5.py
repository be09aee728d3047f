"""Checks of the code exercise of Section 9.5 (networks and topology): a right answer passes,
typical wrong answers fail with a message that says what is wrong, and a stub is "not attempted"."""

from __future__ import annotations

import numpy as np
from matplotlib.path import Path

from nblib.exercises import check
from nblib.exercises.geometry import _winding_cases


def _angles(curve, p):
    d = np.asarray(curve, dtype=float) - p
    return np.arctan2(d[:, 1], d[:, 0])


def _winding(curve, p):
    steps = np.diff(np.append(_angles(curve, p), _angles(curve, p)[0]))
    return int(round(((steps + np.pi) % (2 * np.pi) - np.pi).sum() / (2 * np.pi)))


def _open(curve, p):
    steps = np.diff(_angles(curve, p))
    return ((steps + np.pi) % (2 * np.pi) - np.pi).sum() / (2 * np.pi)


def _unwrapped(curve, p):
    return round(np.diff(np.append(_angles(curve, p), _angles(curve, p)[0])).sum() / (2 * np.pi))


def _flipped(curve, p):
    return -_winding(curve, p)


def _stub(curve, p):
    raise NotImplementedError


def test_winding_number_accepts_the_reference():
    feedback = check("gt-winding-number", _winding)
    assert feedback.passed, feedback.message


def test_winding_number_cases_agree_with_matplotlib_containment():
    """An independent truth for the simple polygons: a point is inside a simple closed curve iff
    its winding number is ±1 (Jordan), and matplotlib's even-odd test says which points are."""
    for what, curve, p, want in _winding_cases():
        if "twice" in what:
            continue  # not a simple curve
        inside = Path(curve).contains_point(p)
        assert inside == (abs(want) == 1), what


def test_winding_number_names_the_mistakes():
    for answer, words in [
        (_open, "back to the first"),
        (_unwrapped, "(-pi, pi]"),
        (_flipped, "sign"),
        (lambda c, p: 2, "it should be 1"),
    ]:
        feedback = check("gt-winding-number", answer)
        assert not feedback.passed
        assert words in feedback.message, feedback.message


def test_winding_number_stub_is_not_attempted():
    feedback = check("gt-winding-number", _stub)
    assert not feedback.passed
    assert (
        "not attempted" in feedback.message.lower() or "notimplemented" in feedback.message.lower()
    ), feedback.message
