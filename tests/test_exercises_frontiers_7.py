"""Checks of the code exercise of Section 11.7: Knuth's TwoSum passes, Fast2Sum (exact only when
|a| ≥ |b|), a zero error term and a non-float answer fail with a message that says why, and an
unfinished stub is "not attempted"."""

from __future__ import annotations

from fractions import Fraction

from nblib.exercises import check


def two_sum(a, b):
    """Knuth's TwoSum: s = fl(a + b) and e = (a + b) − s exactly, for any order of magnitudes."""
    s = a + b
    bv = s - a
    av = s - bv
    return s, (a - av) + (b - bv)


def test_two_sum_accepts_knuths_algorithm():
    feedback = check("fr-two-sum", two_sum)
    assert feedback.passed, feedback.message


def test_two_sum_names_typical_mistakes():
    def fast_two_sum(a, b):  # Dekker's: exact only for |a| ≥ |b|
        s = a + b
        return s, b - (s - a)

    cases = {
        "|a| < |b|": fast_two_sum,
        "not exactly a + b": lambda a, b: (a + b, 0.0),
        "rounded sum": lambda a, b: (a, b),
        "a pair": lambda a, b: a + b,
        "not a float64": lambda a, b: (
            a + b,
            Fraction(a) + Fraction(b) - Fraction(a + b) + Fraction(1, 3),
        ),
    }
    for phrase, wrong in cases.items():
        feedback = check("fr-two-sum", wrong)
        assert not feedback.passed and phrase in feedback.message, (phrase, feedback.message)


def test_two_sum_stub_is_not_attempted():
    def stub(a, b):
        raise NotImplementedError

    feedback = check("fr-two-sum", stub)
    assert not feedback.passed and "not attempted" in feedback.message, feedback.message
