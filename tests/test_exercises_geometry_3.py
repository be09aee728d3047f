"""Checks of the code exercise of Section 9.3 (simplicial homology): the reference rank over Z/p
agrees with sympy's rank over GF(p), a right answer passes, typical wrong answers fail with a
message that says what is wrong, and a stub is "not attempted"."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from sympy.polys.matrices import DomainMatrix

from nblib.exercises import check
from nblib.exercises.geometry import _rank_cases, _rank_mod_p


def _sympy_rank(A, p):
    """Rank over GF(p) by sympy's own elimination: an independent peer of the reference."""
    return (
        DomainMatrix.from_Matrix(sympy.Matrix(np.asarray(A).tolist()))
        .convert_to(sympy.GF(p))
        .rank()
    )


def _stub(A, p):
    raise NotImplementedError


def _real_rank(A, p):
    return int(np.linalg.matrix_rank(np.asarray(A, dtype=float)))


def _always_mod2(A, p):
    return _rank_mod_p(A, 2)


def _as_float(A, p):
    return float(_rank_mod_p(A, p))


def _in_place(A, p):
    A %= p
    return _rank_mod_p(A, p)


def _pivot_before_reducing(A, p):
    """Chooses the pivot among entries not yet reduced mod p, so it skips a column whose first
    nonzero entry is a multiple of p although a lower entry is not."""
    M = np.array(A, dtype=np.int64)
    rank = 0
    for c in range(M.shape[1]):
        nz = np.flatnonzero(M[rank:, c])
        if nz.size == 0:
            continue
        r = rank + int(nz[0])
        M[[rank, r]] = M[[r, rank]]
        if M[rank, c] % p == 0:
            continue
        M[rank] = M[rank] * pow(int(M[rank, c]) % p, -1, p) % p
        for r in range(M.shape[0]):
            if r != rank:
                M[r] = (M[r] - M[r, c] * M[rank]) % p
        rank += 1
        if rank == M.shape[0]:
            break
    return rank


def test_reference_rank_equals_sympy_over_gf_p():
    for what, A, p in _rank_cases():
        assert _rank_mod_p(A, p) == _sympy_rank(A, p), what
    rng = np.random.default_rng(0)
    for p in (2, 3, 5, 7, 11):
        A = rng.integers(-4, 5, (6, 4)) @ rng.integers(-4, 5, (4, 8))
        assert _rank_mod_p(A, p) == _sympy_rank(A, p), p


def test_rank_cases_depend_on_the_field():
    """Each wrong answer the check names is wrong on some case: the real rank and the rank
    mod 2 both differ from the rank over Z/p somewhere."""
    cases = _rank_cases()
    assert any(_real_rank(A, p) != _rank_mod_p(A, p) for _, A, p in cases)
    assert any(p != 2 and _rank_mod_p(A, 2) != _rank_mod_p(A, p) for _, A, p in cases)


def test_rank_mod_p_accepts_the_reference_and_sympy():
    for answer in (_rank_mod_p, lambda A, p: int(_sympy_rank(A, p))):
        feedback = check("gt-rank-mod-p", answer)
        assert feedback.passed, feedback.message


def test_rank_mod_p_stub_is_not_attempted():
    assert "not attempted" in check("gt-rank-mod-p", _stub).message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_real_rank, "rank over the reals"),
        (_always_mod2, "rank over Z/2"),
        (_as_float, "as an int"),
        (_in_place, "in place"),
        (lambda A, p: 1, "not the rank over Z/2"),
        (_pivot_before_reducing, "nonzero entry mod p"),
    ],
)
def test_rank_mod_p_explains_common_mistakes(answer, expected):
    feedback = check("gt-rank-mod-p", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message
