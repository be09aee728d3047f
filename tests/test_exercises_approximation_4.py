"""Checks of the code exercise of Section 7.4 (ak-aliased-spectrum): the reference passes, typical
wrong answers fail with a message that says what is wrong, and an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest

from nblib.exercises import check


def _stub(*args):
    raise NotImplementedError


def _aliased(lam, n, negative=True, scale=1.0, ascending=False, unsorted=False):
    lam = np.asarray(lam, dtype=float)
    J = len(lam) - 1
    bins = np.zeros(n)
    for m in range(-J if negative else 0, J + 1):
        bins[m % n] += lam[abs(m)]
    if unsorted:
        return scale * bins
    out = np.sort(bins)
    return scale * (out if ascending else out[::-1])


def _no_aliasing(lam, n):
    """λ_0, λ_1, λ_1, λ_2, λ_2, ... cut to n values: the operator's spectrum, as if K/n were exact."""
    lam = np.asarray(lam, dtype=float)
    seq = np.concatenate([lam[:1], np.repeat(lam[1:], 2), np.zeros(n)])[:n]
    return np.sort(seq)[::-1]


def _by_fft_of_lam(lam, n):
    """Right idea, done by building the profile on the n points and taking its DFT."""
    lam = np.asarray(lam, dtype=float)
    t = 2 * np.pi * np.arange(n) / n
    profile = lam[0] + 2 * np.cos(np.outer(t, np.arange(1, len(lam)))) @ lam[1:]
    return np.sort(np.fft.fft(profile).real / n)[::-1]


def _in_place(lam, n):
    lam *= 1.0 + 0.0
    lam[0] += 0.0
    out = _aliased(lam, n)
    lam[:] = 0.0
    return out


def test_aliased_spectrum_accepts_the_reference():
    feedback = check("ak-aliased-spectrum", _aliased)
    assert feedback.passed, feedback.message


def test_aliased_spectrum_accepts_the_dft_route_and_a_list():
    assert check("ak-aliased-spectrum", _by_fft_of_lam).passed
    feedback = check("ak-aliased-spectrum", lambda lam, n: list(_aliased(lam, n)))
    assert feedback.passed, feedback.message


def test_aliased_spectrum_stub_is_not_attempted():
    assert "not attempted" in check("ak-aliased-spectrum", _stub).message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda lam, n: _aliased(lam, n, ascending=True), "increasing order"),
        (lambda lam, n: _aliased(lam, n, unsorted=True), "not sorted"),
        (lambda lam, n: _aliased(lam, n, scale=n), "times too large"),
        (_no_aliasing, "without aliasing"),
        (lambda lam, n: _aliased(lam, n, negative=False), "negative"),
        (lambda lam, n: _aliased(lam, n)[:-1], "shape"),
        (lambda lam, n: _aliased(lam, n, scale=0.5), "does not match"),
        (_in_place, "in place"),
    ],
)
def test_aliased_spectrum_explains_typical_mistakes(answer, expected):
    feedback = check("ak-aliased-spectrum", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


def test_aliased_spectrum_messages_do_not_reveal_the_eigenvalues():
    for answer in (_no_aliasing, lambda lam, n: _aliased(lam, n, scale=0.5)):
        message = check("ak-aliased-spectrum", answer).message
        assert "[" not in message and "0." not in message, message
