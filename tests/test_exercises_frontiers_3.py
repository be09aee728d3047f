"""Checks of the code exercise of Section 11.3 (log-domain Sinkhorn): a right answer passes in
either update order, typical wrong answers fail with a message that says what is wrong, and a
stub is "not attempted"."""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from nblib.exercises import check


def _log_sinkhorn(a, b, M, reg, n_iter, *, scale=None, u_first=True):
    """A learner's log-domain Sinkhorn (scipy's logsumexp, f updated first); ``scale`` replaces
    reg inside the exponent (a typical slip)."""
    s = reg if scale is None else scale
    f, g = np.zeros(len(a)), np.zeros(len(b))
    for _ in range(n_iter):
        if u_first:
            f = s * np.log(a) - s * logsumexp((g[None, :] - M) / s, axis=1)
            g = s * np.log(b) - s * logsumexp((f[:, None] - M) / s, axis=0)
        else:
            g = s * np.log(b) - s * logsumexp((f[:, None] - M) / s, axis=0)
            f = s * np.log(a) - s * logsumexp((g[None, :] - M) / s, axis=1)
    return np.exp((f[:, None] + g[None, :] - M) / s)


def _plain(a, b, M, reg, n_iter):
    K = np.exp(-M / reg)
    u = np.ones(len(a))
    for _ in range(n_iter):
        v = b / (K.T @ u)
        u = a / (K @ v)
    return u[:, None] * K * v[None, :]


def test_log_sinkhorn_passes_in_either_order():
    for u_first in (True, False):
        feedback = check(
            "fr-sinkhorn-log",
            lambda a, b, M, r, k, u=u_first: _log_sinkhorn(a, b, M, r, k, u_first=u),
        )
        assert feedback.passed, feedback.message


def test_log_sinkhorn_names_typical_mistakes():
    feedback = check("fr-sinkhorn-log", _plain)
    assert not feedback.passed and "underflows on the raised row" in feedback.message

    def transposed(a, b, M, reg, n_iter):
        return _log_sinkhorn(a, b, M, reg, n_iter).T

    feedback = check("fr-sinkhorn-log", transposed)
    assert not feedback.passed and "should have shape (6, 4)" in feedback.message

    def independent(a, b, M, reg, n_iter):  # right marginals, ignores the cost
        return np.outer(a, b)

    feedback = check("fr-sinkhorn-log", independent)
    assert not feedback.passed and "not of the Gibbs form" in feedback.message

    def wrong_scale(a, b, M, reg, n_iter):  # the updates use reg, the plan does not
        return _log_sinkhorn(a, b, M, reg, n_iter, scale=2 * reg)

    feedback = check("fr-sinkhorn-log", wrong_scale)
    assert not feedback.passed and "how reg enters" in feedback.message

    def one_step(a, b, M, reg, n_iter):  # one round, f then g: columns exact, rows off
        return _log_sinkhorn(a, b, M, reg, 1)

    feedback = check("fr-sinkhorn-log", one_step)
    assert not feedback.passed and "row sums (should be a)" in feedback.message


def test_log_sinkhorn_stub_is_not_attempted():
    def stub(a, b, M, reg, n_iter):
        raise NotImplementedError

    feedback = check("fr-sinkhorn-log", stub)
    assert not feedback.passed and "not attempted" in feedback.message
    assert not check("fr-sinkhorn-log", 3.0).passed
