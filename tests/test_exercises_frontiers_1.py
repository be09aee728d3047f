"""Checks of the code exercise of Section 11.1: the hard-margin separator through the origin passes
from two independent solvers (scikit-learn's SVC on the mirrored data, SciPy's SLSQP), and a
rescaled direction, a separator with an intercept, a gradient-descent direction and a stub fail
with a message that says why."""

from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import SVC, LinearSVC

from nblib.exercises import check


def svc_mirrored(X, y):
    """SVC fits an intercept; with every point's mirror image (−x, −y) added it is 0 by symmetry."""
    svc = SVC(kernel="linear", C=1e8, tol=1e-10).fit(np.vstack([X, -X]), np.concatenate([y, -y]))
    return svc.coef_[0]


def slsqp(X, y):
    Z = y[:, None] * X
    res = minimize(
        lambda w: 0.5 * w @ w,
        np.linalg.lstsq(Z, np.ones(len(Z)), rcond=None)[0] * 2,
        jac=lambda w: w,
        constraints=[{"type": "ineq", "fun": lambda w: Z @ w - 1, "jac": lambda w: Z}],
        method="SLSQP",
        options={"ftol": 1e-15, "maxiter": 1000},
    )
    return res.x


def test_max_margin_accepts_two_solvers():
    for solver in (svc_mirrored, slsqp):
        feedback = check("fr-max-margin", solver)
        assert feedback.passed, (solver.__name__, feedback.message)


def gd_direction(X, y, steps=2000):
    """Logistic regression by gradient descent, rescaled to margin 1: close, not converged."""
    Z = y[:, None] * X
    w = np.zeros(X.shape[1])
    eta = 4 / np.linalg.norm(Z, 2) ** 2
    for _ in range(steps):
        w += eta * Z.T @ np.exp(-np.logaddexp(0.0, Z @ w))
    return w / np.min(Z @ w)


def test_max_margin_names_typical_mistakes():
    def with_intercept(X, y):
        return SVC(kernel="linear", C=1e8, tol=1e-10).fit(X, y).coef_[0]

    cases = {
        "not 1": lambda X, y: (w := svc_mirrored(X, y)) / np.linalg.norm(w),
        "with an intercept": with_intercept,
        "1/log t": gd_direction,
        "shape": lambda X, y: np.r_[svc_mirrored(X, y), 0.0],
        "misclassifies": lambda X, y: -svc_mirrored(X, y),
    }
    for phrase, wrong in cases.items():
        feedback = check("fr-max-margin", wrong)
        assert not feedback.passed and phrase in feedback.message, (phrase, feedback.message)


def test_max_margin_stub_is_not_attempted():
    def stub(X, y):
        raise NotImplementedError

    feedback = check("fr-max-margin", stub)
    assert not feedback.passed and "not attempted" in feedback.message, feedback.message


def test_max_margin_accepts_solvers_at_default_tolerances():
    """The tolerance is for the problem, not for one solver's settings: SVC (tol=1e-3 on its dual) and
    LinearSVC without an intercept, both at their defaults, are within it."""

    def svc_default(X, y):
        return SVC(kernel="linear", C=1e6).fit(np.vstack([X, -X]), np.concatenate([y, -y])).coef_[0]

    def linear_svc_default(X, y):
        return (
            LinearSVC(fit_intercept=False, loss="hinge", C=1e6, max_iter=100_000).fit(X, y).coef_[0]
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for solver in (svc_default, linear_svc_default):
            feedback = check("fr-max-margin", solver)
            assert feedback.passed, (solver.__name__, feedback.message)


def test_max_margin_wrong_scale_message_shows_the_margin():
    """A right direction at 1.01 times the scale: the message prints the smallest margin to enough digits."""
    feedback = check("fr-max-margin", lambda X, y: 1.01 * svc_mirrored(X, y))
    assert not feedback.passed and "is 1.01, not 1" in feedback.message, feedback.message
