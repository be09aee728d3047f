"""Checks for Chapter 3, Optimization (exercise labels start with ``op-``).

Each check receives the learner's answer, compares it with a reference computed
here on seeded inputs, and raises :class:`~nblib.exercises.Incorrect` with a reason
that helps without giving the answer away.
"""

from __future__ import annotations

import numpy as np

from . import (
    Incorrect,
    as_answer_array,
    call_on_copy,
    expect_array,
    expect_function,
    expect_same_function,
    expect_scalar,
    register,
)

__all__: list[str] = []  # checks are reached through nblib.exercises.check(label, answer)

# Sections append their checks below, each under its own section heading.
_ = (np, Incorrect, as_answer_array, call_on_copy, expect_array, expect_function)
_ = (expect_same_function, expect_scalar, register)
