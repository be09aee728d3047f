"""Checks of the code exercise of Section 7.1 (ak-relu-interpolant): the reference passes, typical
wrong answers fail with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest

from nblib.exercises import check

LABEL = "ak-relu-interpolant"


def _stub(knots, values):
    raise NotImplementedError


def _slopes(knots, values):
    knots, values = np.asarray(knots, dtype=float), np.asarray(values, dtype=float)
    return np.diff(values) / np.diff(knots)


def _reference(knots, values):
    """The m + 1 units relu(x - x_k), k = 0..m, with the changes of slope as output weights."""
    c = np.diff(np.concatenate([[0.0], _slopes(knots, values), [0.0]]))
    return np.ones(len(knots)), -np.asarray(knots, dtype=float), c, float(values[0])


def _reflected(knots, values):
    """A different correct network: units relu(t_k - x) (input weight -1), read from the right end,
    where the function is the last value; the check must accept any correct weights."""
    c = np.diff(np.concatenate([[0.0], _slopes(knots, values), [0.0]]))
    return -np.ones(len(knots)), np.asarray(knots, dtype=float), c, float(values[-1])


def _interior_only(knots, values):
    """The m units of the notebook's eq. (eq-ak1-relu-interpolant): wrong right of the last knot."""
    s = _slopes(knots, values)
    return (
        np.ones(len(knots) - 1),
        -np.asarray(knots[:-1], dtype=float),
        np.diff(np.concatenate([[0.0], s])),
        values[0],
    )


def _slopes_not_changes(knots, values):
    w, b, _, c0 = _reference(knots, values)
    return w, b, np.concatenate([_slopes(knots, values), [0.0]]), c0


def _uniform_width(knots, values):
    h = (knots[-1] - knots[0]) / (len(knots) - 1)  # assumes evenly spaced knots
    s = np.diff(values) / h
    return (
        np.ones(len(knots)),
        -np.asarray(knots, dtype=float),
        np.diff(np.concatenate([[0.0], s, [0.0]])),
        values[0],
    )


def _doubled_units(knots, values):
    w, b, c, c0 = _reference(knots, values)
    return np.concatenate([w, w]), np.concatenate([b, b]), np.concatenate([c, c]) / 2, c0


def _in_place(knots, values):
    out = _reference(knots, values)
    values *= 2.0
    return out


def test_reference_passes():
    feedback = check(LABEL, _reference)
    assert feedback.passed, feedback.message


def test_mirrored_units_pass():
    feedback = check(LABEL, _reflected)
    assert feedback.passed, feedback.message


def test_rescaled_units_pass():
    """relu(2x - 2t) = 2 relu(x - t): input weights other than 1, with output weights halved, are as correct."""
    feedback = check(
        LABEL,
        lambda k, v: (
            2 * _reference(k, v)[0],
            2 * _reference(k, v)[1],
            _reference(k, v)[2] / 2,
            v[0],
        ),
    )
    assert feedback.passed, feedback.message


def test_a_list_and_numpy_scalar_c0_pass():
    feedback = check(LABEL, lambda k, v: [*_reference(k, v)[:3], np.float64(v[0])])
    assert feedback.passed, feedback.message


def test_stub_is_not_attempted():
    assert "not attempted" in check(LABEL, _stub).message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_interior_only, "right of the last knot"),
        (_slopes_not_changes, "between the first and the last knot"),
        (_uniform_width, "unevenly spaced"),
        (_doubled_units, "units for"),
        (lambda k, v: _reference(k, v)[:3], "four things"),
        (lambda k, v: lambda x: np.interp(x, k, v), "not a function"),
        (lambda k, v: (*_reference(k, v)[:3], np.array([v[0], v[0]])), "single number"),
        (lambda k, v: (np.ones((len(k), 1)), *_reference(k, v)[1:]), "common length"),
        (
            lambda k, v: (_reference(k, v)[0], _reference(k, v)[1] + 0.1, *_reference(k, v)[2:]),
            "between",
        ),
        (lambda k, v: (*_reference(k, v)[:3], v[0] + 1.0), "between"),
        (_in_place, "in place"),
    ],
)
def test_typical_mistakes_fail_with_a_reason(answer, expected):
    feedback = check(LABEL, answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


def test_the_check_does_not_reveal_the_weights():
    message = check(LABEL, _slopes_not_changes).message
    assert not any(ch.isdigit() for ch in message.replace("interp", "")), message
