"""Checks of the code exercise of Section 9.4 (persistent homology): a right answer passes, typical
wrong answers fail with a message that says what is wrong, a stub is "not attempted", and the
check's own pairs are right (they give nblib.topology's and ripser's diagrams)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from ripser import ripser

from nblib.exercises import check
from nblib.exercises.geometry import _persistence_pairs, _reduction_cases, _rips_boundary
from nblib.topology import bottleneck_distance, rips_persistence


def _stub(D):
    raise NotImplementedError


def _reference(D):
    R = np.array(D, dtype=bool)
    owner = {}
    for j in range(R.shape[1]):
        while R[:, j].any():
            i = int(np.flatnonzero(R[:, j])[-1])
            if i not in owner:
                owner[i] = j
                break
            R[:, j] ^= R[:, owner[i]]
    return sorted(owner.items())


def _reversed(D):
    return [(j, i) for i, j in _reference(D)]


def _unreduced(D):
    owner = {}
    for j in range(D.shape[1]):
        nz = np.flatnonzero(D[:, j])
        if nz.size and int(nz[-1]) not in owner:
            owner[int(nz[-1])] = j
    return sorted(owner.items())


def _one_pass(D):
    """Adds an earlier column at most once per column: not always reduced."""
    R = np.array(D, dtype=bool)
    owner = {}
    for j in range(R.shape[1]):
        nz = np.flatnonzero(R[:, j])
        if nz.size and int(nz[-1]) in owner:
            R[:, j] ^= R[:, owner[int(nz[-1])]]
        nz = np.flatnonzero(R[:, j])
        if nz.size and int(nz[-1]) not in owner:
            owner[int(nz[-1])] = j
    return sorted(owner.items())


def _in_place(D):
    """Right pairs, but computed by reducing D itself."""
    pairs = _reference(D)
    D[:, -1] = 0
    return pairs


def test_column_reduction_accepts_the_reference():
    feedback = check("gt-column-reduction", _reference)
    assert feedback.passed, feedback.message


def test_column_reduction_accepts_the_hints_dictionary():
    """The hint keeps a dictionary {low(j): j}; returning it is the same answer as its pairs,
    while a dictionary with a wrong pair is still rejected."""
    feedback = check("gt-column-reduction", lambda D: dict(_reference(D)))
    assert feedback.passed, feedback.message

    def off_by_one(D):
        owner = dict(_reference(D))
        first = min(owner)
        owner[first] += 1
        return owner

    assert not check("gt-column-reduction", off_by_one).passed


def test_column_reduction_stub_is_not_attempted():
    assert "not attempted" in check("gt-column-reduction", _stub).message


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_reversed, "reversed"),
        (_unreduced, "before reducing"),
        (_one_pass, "pairs,"),
        (_in_place, "in place"),
        (lambda D: [1, 2, 3], "list of pairs"),
    ],
)
def test_column_reduction_explains_common_mistakes(answer, expected):
    feedback = check("gt-column-reduction", answer)
    assert not feedback.passed
    assert expected in feedback.message, feedback.message


def _diagrams_from_pairs(X, maxdim=1):
    """Diagrams of the Rips filtration of X read from the check's pairs."""
    n = len(X)
    D = np.sqrt(np.sum((X[:, None] - X[None]) ** 2, axis=-1))
    entries = sorted(
        (
            (max((D[i, j] for i, j in combinations(s, 2)), default=0.0), p, s)
            for p in (1, 2, 3)
            for s in combinations(range(n), p)
        ),
        key=lambda e: (e[0], e[1]),
    )
    B = _rips_boundary(X)
    pairs = _persistence_pairs(B)
    killed = {j for _, j in pairs} | {i for i, _ in pairs}
    dgms = [[] for _ in range(maxdim + 1)]
    for i, j in pairs:
        p = entries[i][1] - 1
        if p <= maxdim and entries[j][0] > entries[i][0]:
            dgms[p].append((entries[i][0], entries[j][0]))
    for k, (v, size, _) in enumerate(entries):
        if size - 1 <= maxdim and k not in killed:
            dgms[size - 1].append((v, np.inf))
    return [np.array(d).reshape(-1, 2) for d in dgms]


@pytest.mark.parametrize("seed", [0, 1])
def test_check_pairs_give_the_rips_diagrams(seed):
    """The check's pairs are right, not only self-consistent: read as diagrams they equal
    nblib.topology's exactly and ripser's within its float32 rounding (2^-24 of the largest
    distance, by the stability theorem)."""
    X = np.random.default_rng(seed).uniform(size=(9, 2))
    ours = _diagrams_from_pairs(X)
    theirs = rips_persistence(X)
    dist = np.sqrt(np.sum((X[:, None] - X[None]) ** 2, axis=-1))
    peer = ripser(dist, distance_matrix=True, maxdim=1)["dgms"]
    for p in range(2):
        assert bottleneck_distance(ours[p], theirs[p]) == 0.0
        assert bottleneck_distance(ours[p], peer[p]) <= 2.0**-24 * dist.max()


def test_reduction_cases_exercise_what_they_claim():
    """Each case is a strictly upper triangular boundary matrix over Z/2 (faces first), and the
    later cases need column additions, so an answer that skips them is caught."""
    cases = _reduction_cases()
    for what, D in cases:
        assert not np.any(np.tril(D)), what
        assert set(np.unique(D)) <= {0, 1}, what
    for what, D in cases[1:]:
        assert _persistence_pairs(D) != _persistence_pairs(D, reduce=False), what
