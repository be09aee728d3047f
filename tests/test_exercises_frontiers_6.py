"""Checks of the code exercise of Section 11.6 (quantum machine learning): a right answer passes,
typical wrong answers fail with a message that says what is wrong, and a stub is "not attempted"."""

from __future__ import annotations

import numpy as np

from nblib.exercises import check
from nblib.quantum import Circuit


def ghz(n, angle=np.pi / 2, chain=False, copies=None):
    c = Circuit(n).ry(0, angle)
    for q in range(1, n if copies is None else min(n, copies + 1)):
        c.cnot(q - 1 if chain else 0, q)
    return c


def test_ghz_accepts_the_star_and_the_chain():
    for fn in (ghz, lambda n: ghz(n, chain=True)):
        feedback = check("fr-ghz-state", fn)
        assert feedback.passed, feedback.message


def test_ghz_accepts_a_global_phase():
    """R_Y(π/2 + 4π) = −R_Y(π/2): the same physical state, so the same answer."""
    feedback = check("fr-ghz-state", lambda n: ghz(n, angle=np.pi / 2 + 4 * np.pi))
    assert feedback.passed, feedback.message


def test_ghz_names_unequal_weights_and_a_wrong_sign():
    feedback = check("fr-ghz-state", lambda n: ghz(n, angle=np.pi / 3))
    assert not feedback.passed and "not 1/2 each" in feedback.message, feedback.message
    feedback = check("fr-ghz-state", lambda n: ghz(n, angle=-np.pi / 2))
    assert not feedback.passed and "relative phase 3.142" in feedback.message, feedback.message


def test_ghz_names_missing_cnots_and_wrong_basis_states():
    feedback = check("fr-ghz-state", lambda n: ghz(n, copies=1))
    assert not feedback.passed and "puts weight on |000>, |110>" in feedback.message, (
        feedback.message
    )
    feedback = check("fr-ghz-state", lambda n: Circuit(n).ry(0, np.pi / 2))  # no CNOT at all
    assert not feedback.passed and "|10>" in feedback.message, feedback.message


def test_ghz_rejects_wrong_types_and_sizes():
    feedback = check("fr-ghz-state", lambda n: ghz(n).state)
    assert not feedback.passed and "should return a nblib.quantum.Circuit" in feedback.message
    feedback = check("fr-ghz-state", lambda n: ghz(n + 1))
    assert not feedback.passed and "on 1 qubits" in feedback.message, feedback.message
    feedback = check("fr-ghz-state", lambda n: Circuit(n, batch_size=2))
    assert not feedback.passed and "unbatched" in feedback.message, feedback.message
    assert not check("fr-ghz-state", "ghz").passed


def test_ghz_stub_is_not_attempted():
    def stub(n):
        raise NotImplementedError

    feedback = check("fr-ghz-state", stub)
    assert not feedback.passed and "not attempted" in feedback.message
