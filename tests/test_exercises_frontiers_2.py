"""Checks of the code exercise of Section 11.2: the closed-form optimum and a numerical argmin pass;
swapped exponents, a pair off the budget and a wrong return type fail with a message that says
why; an unfinished stub is "not attempted"."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

from nblib.exercises import check


def compute_optimal(A, B, alpha, beta, C):
    """The closed form N_opt = G (C/6)^(β/(α+β)), G = (αA/(βB))^(1/(α+β)), D_opt = C/(6 N_opt)."""
    G = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    N = G * (C / 6) ** (beta / (alpha + beta))
    return N, C / (6 * N)


def test_compute_optimal_accepts_the_closed_form():
    feedback = check("fr-compute-optimal", compute_optimal)
    assert feedback.passed, feedback.message


def test_compute_optimal_accepts_a_numerical_minimizer():
    """An independent route: minimize A N^-α + B (C/6N)^-β over log N, no closed form used."""

    def numeric(A, B, alpha, beta, C):
        def loss(t):
            return A * np.exp(-alpha * t) + B * (C / 6) ** -beta * np.exp(beta * t)

        t = minimize_scalar(loss, bracket=(0.0, 40.0), tol=1e-12).x
        return np.exp(t), C / (6 * np.exp(t))

    feedback = check("fr-compute-optimal", numeric)
    assert feedback.passed, feedback.message


def test_compute_optimal_names_typical_mistakes():
    def swapped(A, B, alpha, beta, C):
        G = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
        N = G * (C / 6) ** (alpha / (alpha + beta))  # the exponent of the other term
        return N, C / (6 * N)

    def reversed_pair(A, B, alpha, beta, C):
        return compute_optimal(A, B, alpha, beta, C)[::-1]

    def off_budget(A, B, alpha, beta, C):
        N, D = compute_optimal(A, B, alpha, beta, C)
        return N, 6 * D  # forgot the factor 6

    def wrong_ratio(A, B, alpha, beta, C):
        N = ((C / 6) ** 0.5) * 1.3
        return N, C / (6 * N)

    cases = {
        "look swapped": swapped,
        "in the order (N_opt, D_opt)": reversed_pair,
        "not the budget": off_budget,
        "not the minimizer": wrong_ratio,
        "should return a pair": lambda A, B, alpha, beta, C: 1.0,
        "positive and finite": lambda A, B, alpha, beta, C: (-1.0, -C / 6),
    }
    for phrase, wrong in cases.items():
        feedback = check("fr-compute-optimal", wrong)
        assert not feedback.passed and phrase in feedback.message, (phrase, feedback.message)


def test_compute_optimal_stub_is_not_attempted():
    def stub(A, B, alpha, beta, C):
        raise NotImplementedError

    feedback = check("fr-compute-optimal", stub)
    assert not feedback.passed and "not attempted" in feedback.message, feedback.message


def test_compute_optimal_accepts_an_array_pair():
    """np.array([N, D]) is the same pair as a tuple; a learner should not be failed for the container."""

    def as_array(A, B, alpha, beta, C):
        return np.array(compute_optimal(A, B, alpha, beta, C))

    feedback = check("fr-compute-optimal", as_array)
    assert feedback.passed, feedback.message
    feedback = check("fr-compute-optimal", lambda A, B, alpha, beta, C: np.ones((2, 2)))
    assert not feedback.passed and "should return a pair" in feedback.message, feedback.message
