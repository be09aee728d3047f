"""Checks for Chapter 1, Linear algebra (exercise labels start with ``la-``).

Each check receives the learner's answer, compares it with a reference computed
here on seeded inputs, and raises :class:`~nblib.exercises.Incorrect` with a reason
that helps without giving the answer away.
"""

from __future__ import annotations

import numpy as np

from . import Incorrect, expect_array, expect_same_function, expect_scalar, register

__all__: list[str] = []  # checks are reached through nblib.exercises.check(label, answer)

# Keep the imports above used even while the chapter has few checks.
_ = (np, Incorrect, expect_array, expect_same_function, expect_scalar, register)
