"""Checks for Chapter 9, Geometry and topology of data (exercise labels start with ``gt-``). How a check works: :mod:`nblib.exercises`."""

from __future__ import annotations

import numpy as np

from . import (
    Incorrect,
    as_answer_array,
    call_on_copy,
    expect_function,
    register,
)

__all__: list[str] = []  # checks are reached through nblib.exercises.check(label, answer)


# ---------------------------------------------------------------------------
# Section 9.1
# ---------------------------------------------------------------------------


def _correlation_cases() -> list[tuple[str, np.ndarray, float, float]]:
    """Point clouds with two radii: a grid whose distances hit both radii exactly (so < and <= differ
    at each),
    a circle rotated into R^3 (slope near 1) and a uniform cube in R^3 (slope near 3, edge effects)."""
    rng = np.random.default_rng(91)
    grid = np.array([(i, j) for i in range(6) for j in range(6)], dtype=float)
    t = rng.uniform(0, 2 * np.pi, 300)
    Q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    circle = np.c_[np.cos(t), np.sin(t), np.zeros_like(t)] @ Q
    cube = rng.uniform(size=(400, 3))
    return [
        (
            "a 6 x 6 integer grid, radii sqrt(2) and sqrt(8) (some distances equal each)",
            grid,
            np.sqrt(2),
            np.sqrt(8),
        ),
        ("300 points on a circle in R^3, radii 0.1 and 0.5", circle, 0.1, 0.5),
        ("400 uniform points in the unit cube, radii 0.1 and 0.3", cube, 0.1, 0.3),
    ]


def _pair_distances(X: np.ndarray) -> np.ndarray:
    """Distances of the distinct pairs i < j."""
    i, j = np.triu_indices(len(X), 1)
    return np.sqrt(np.sum((X[i] - X[j]) ** 2, axis=1))


def _corr_slope(dist: np.ndarray, r_small: float, r_large: float, *, strict=True, extra=0) -> float:
    """Slope of log C between the radii; ``strict=False`` counts ties at r (<=) and ``extra`` adds
    pairs that are not there (the n self-pairs): the two mistakes the check recognizes."""
    below = np.less if strict else np.less_equal
    c_small = np.count_nonzero(below(dist, r_small)) + extra
    c_large = np.count_nonzero(below(dist, r_large)) + extra
    return float(np.log(c_large / c_small) / np.log(r_large / r_small))


@register("gt-correlation-dimension")
def _check_correlation_dimension(answer) -> str:
    expect_function(answer, "correlation_dimension_answer")
    for what, X, r_small, r_large in _correlation_cases():
        value = call_on_copy(answer, "correlation_dimension_answer", X, r_small, r_large)
        if isinstance(value, bool) or np.ndim(value) != 0:
            raise Incorrect(
                f"on {what} your answer is a {type(value).__name__}; return one number, the slope"
            )
        got = float(value)
        if not np.isfinite(got):
            raise Incorrect(
                f"on {what} your answer is {got}; both radii have pairs below them, so both "
                "counts are positive and the slope is finite"
            )
        dist = _pair_distances(X)
        want = _corr_slope(dist, r_small, r_large)
        if np.isclose(got, want, rtol=1e-9, atol=1e-12):
            continue
        if np.isclose(got, _corr_slope(dist, r_small, r_large, strict=False), rtol=1e-9):
            raise Incorrect(
                f"on {what} you counted pairs at distance exactly r; C(r) counts pairs strictly "
                "closer than r (use <, not <=)"
            )
        if np.isclose(got, _corr_slope(dist, r_small, r_large, extra=len(X) / 2), rtol=1e-9) or (
            np.isclose(got, _corr_slope(dist, r_small, r_large, extra=len(X)), rtol=1e-9)
        ):
            raise Incorrect(
                f"on {what} you counted each point as a pair with itself (distance 0 < r); "
                "leave out the diagonal of the distance matrix"
            )
        c_small, c_large = np.mean(dist < r_small), np.mean(dist < r_large)
        if np.isclose(got, np.log(c_large / c_small) / (r_large - r_small), rtol=1e-9):
            raise Incorrect(
                f"on {what} you divided by r_large - r_small; the slope is taken against log r"
            )
        if np.isclose(got, _corr_slope(dist**2, r_small, r_large), rtol=1e-9):
            raise Incorrect(
                f"on {what} you compared squared distances with r; compare distances with r"
            )
        raise Incorrect(
            f"on {what} your slope is {'too large' if got > want else 'too small'}; it should be "
            "(log C(r_large) - log C(r_small)) / (log r_large - log r_small), with C(r) the "
            "fraction of distinct pairs closer than r"
        )
    return (
        "your slope counts the distinct pairs strictly closer than each radius: about 1 on a circle, "
        "and below 3 in a cube, whose faces cut the balls near them"
    )


# ---------------------------------------------------------------------------
# Section 9.2
# ---------------------------------------------------------------------------


def _mds_cases() -> list[tuple[str, np.ndarray, int]]:
    """Distance matrices: Euclidean of exact dimension d, Euclidean of higher dimension (truncated),
    and a non-Euclidean one whose double-centered matrix has large negative eigenvalues."""
    rng = np.random.default_rng(92)
    cases = []
    Z2 = rng.standard_normal((9, 2)) * [3.0, 1.0] + 4.0
    cases.append(("distances of 9 points in the plane, d = 2", Z2, 2))
    Z3 = rng.standard_normal((12, 3)) * [4.0, 2.0, 0.5]
    cases.append(("distances of 12 points in 3 dimensions, d = 2", Z3, 2))
    out = [(what, np.sqrt(np.sum((Z[:, None] - Z[None]) ** 2, axis=-1)), d) for what, Z, d in cases]
    R = rng.uniform(1.0, 2.0, (10, 10))
    R = np.triu(R, 1)
    out.append(("a non-Euclidean 10 x 10 dissimilarity matrix, d = 2", R + R.T, 2))
    return out


def _double_centered(D: np.ndarray) -> np.ndarray:
    n = len(D)
    H = np.eye(n) - np.ones((n, n)) / n
    return -0.5 * H @ (D**2) @ H


def _gram_of_eigs(B: np.ndarray, idx: np.ndarray) -> np.ndarray:
    evals, evecs = np.linalg.eigh(B)
    V = evecs[:, idx]
    return V @ np.diag(evals[idx]) @ V.T


@register("gt-classical-mds")
def _check_classical_mds(answer) -> str:
    expect_function(answer, "classical_mds_answer")
    for what, D, d in _mds_cases():
        n = len(D)
        got = as_answer_array(
            call_on_copy(answer, "classical_mds_answer", D, d), "classical_mds_answer(D, d)"
        )
        if got.shape != (n, d):
            raise Incorrect(
                f"on {what} your answer has shape {got.shape}; it should be ({n}, {d}), one row of "
                "d coordinates per point"
            )
        B = _double_centered(D)
        evals = np.linalg.eigvalsh(B)
        order = np.argsort(evals)
        want = _gram_of_eigs(B, order[::-1][:d])  # rotation-invariant: Y Y^T of the top d
        gram = got @ got.T
        scale = float(np.abs(evals).max())
        if np.allclose(gram, want, atol=1e-8 * scale):
            continue
        if np.allclose(gram, _gram_of_eigs(B, order[:d]), atol=1e-8 * scale) or np.allclose(
            gram, -_gram_of_eigs(B, order[:d]), atol=1e-8 * scale
        ):
            raise Incorrect(
                f"on {what} you kept the eigenvectors of the smallest eigenvalues; classical MDS keeps "
                "the d largest (np.linalg.eigh sorts them in increasing order)"
            )
        if np.allclose(gram, 2 * want, atol=1e-8 * scale):
            raise Incorrect(
                f"on {what} your coordinates are too large by a factor sqrt(2): B = -1/2 H D^2 H"
            )
        if np.allclose(got.T @ got, np.eye(d), atol=1e-6):
            raise Incorrect(
                f"on {what} your columns are unit eigenvectors; scale each by the square root of its "
                "eigenvalue"
            )
        raise Incorrect(
            f"on {what} your coordinates do not reproduce the top-{d} part of B = -1/2 H D^2 H (compared "
            "through their Gram matrix, so any rotation is fine); did you square the distances and "
            "center both rows and columns?"
        )
    return (
        "your coordinates reproduce Euclidean distances exactly and give the best rank-d Gram matrix "
        "for the truncated and non-Euclidean cases"
    )


# ---------------------------------------------------------------------------
# Section 9.3
# ---------------------------------------------------------------------------


def _rank_mod_p(A: np.ndarray, p: int) -> int:
    """Rank over the field Z/p (p prime) by Gauss–Jordan elimination on integers mod p."""
    M = np.array(A, dtype=np.int64) % p
    rank = 0
    for c in range(M.shape[1]):
        nz = np.flatnonzero(M[rank:, c])
        if nz.size == 0:
            continue
        r = rank + int(nz[0])
        M[[rank, r]] = M[[r, rank]]
        M[rank] = M[rank] * pow(int(M[rank, c]), -1, p) % p  # scale the pivot to 1
        others = np.flatnonzero(M[:, c])
        others = others[others != rank]
        M[others] = (M[others] - np.outer(M[others, c], M[rank])) % p
        rank += 1
        if rank == M.shape[0]:
            break
    return rank


#: The 6-vertex real projective plane (the icosahedron with antipodal points identified).
_RP2 = [(0, 1, 2), (0, 2, 3), (0, 3, 4), (0, 4, 5), (0, 1, 5)]
_RP2 += [(1, 2, 4), (2, 3, 5), (1, 3, 4), (2, 4, 5), (1, 3, 5)]


def _signed_boundary_rp2() -> np.ndarray:
    """The signed boundary matrix ∂₂ of the projective plane (15 edges × 10 triangles): rank 10
    over Q and over Z/3, rank 9 over Z/2 (H₂(RP², Z/2) = Z/2, H₂(RP², Q) = 0)."""
    edges = sorted({e for t in _RP2 for e in ((t[0], t[1]), (t[0], t[2]), (t[1], t[2]))})
    row = {e: i for i, e in enumerate(edges)}
    D = np.zeros((len(edges), len(_RP2)), dtype=np.int64)
    for j, (a, b, c) in enumerate(_RP2):
        D[row[(b, c)], j], D[row[(a, c)], j], D[row[(a, b)], j] = 1, -1, 1
    return D


def _rank_cases() -> list[tuple[str, np.ndarray, int]]:
    """Integer matrices whose rank depends on the field: the projective plane's ∂₂ (entries ±1),
    a 4 × 4 matrix of determinant 6 hidden by unimodular changes of basis, a 7 × 9 product
    of a 7 × 4 and a 4 × 9 matrix mod 7, and a 2 × 2 matrix whose first entry is a nonzero
    multiple of p (a pivot search that does not reduce mod p first skips its column)."""
    rng = np.random.default_rng(93)
    D = _signed_boundary_rp2()
    U = np.triu(rng.integers(-3, 4, (4, 4)), 1) + np.eye(4, dtype=np.int64)  # det 1
    L = np.tril(rng.integers(-3, 4, (4, 4)), -1) + np.eye(4, dtype=np.int64)  # det 1
    S = L @ np.diag([1, 1, 1, 6]) @ U
    P = rng.integers(0, 7, (7, 4)) @ rng.integers(0, 7, (4, 9))
    return [
        ("the projective plane's signed boundary matrix, p = 2", D, 2),
        ("the projective plane's signed boundary matrix, p = 3", D, 3),
        ("a 4 x 4 integer matrix of determinant 6, p = 2", S, 2),
        ("the same matrix, p = 3", S, 3),
        ("the same matrix, p = 5", S, 5),
        ("a 7 x 9 product of a 7 x 4 and a 4 x 9 integer matrix, p = 7", P, 7),
        ("the 2 x 2 matrix [[3, 1], [1, 0]], p = 3", np.array([[3, 1], [1, 0]]), 3),
    ]


@register("gt-rank-mod-p")
def _check_rank_mod_p(answer) -> str:
    expect_function(answer, "rank_mod_p")
    for what, A, p in _rank_cases():
        got = call_on_copy(answer, "rank_mod_p", A, p)
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer)):
            raise Incorrect(
                f"on {what} rank_mod_p returned {type(got).__name__}; return the rank as an int"
            )
        want = _rank_mod_p(A, p)
        if int(got) == want:
            continue
        if int(got) == int(np.linalg.matrix_rank(A.astype(float))) != want:
            raise Incorrect(
                f"on {what} you returned the rank over the reals; reduce every entry and every "
                "row operation modulo p"
            )
        if p != 2 and int(got) == _rank_mod_p(A, 2):
            raise Incorrect(
                f"on {what} you returned the rank over Z/2; for p > 2 divide the pivot row by the "
                "pivot (its inverse mod p is pow(a, -1, p)) and subtract multiples, not XOR"
            )
        raise Incorrect(
            f"on {what} you returned rank {int(got)}, which is not the rank over Z/{p}; after "
            "each row operation take the entries mod p, and count a column as a pivot only if "
            "it has a nonzero entry mod p at or below the current row"
        )
    return (
        "your ranks are right over Z/2, Z/3, Z/5 and Z/7, including the matrices whose rank "
        "depends on the field"
    )


# ---------------------------------------------------------------------------
# Section 9.4
# ---------------------------------------------------------------------------


def _rips_boundary(X: np.ndarray) -> np.ndarray:
    """Boundary matrix over Z/2 of the Vietoris–Rips filtration of X up to triangles, columns and
    rows in filtration order (by diameter, faces before cofaces at ties)."""
    from itertools import combinations

    n = len(X)
    D = np.sqrt(np.sum((X[:, None] - X[None]) ** 2, axis=-1))
    simplices = [
        (max((D[i, j] for i, j in combinations(s, 2)), default=0.0), p, s)
        for p in (1, 2, 3)
        for s in combinations(range(n), p)
    ]
    simplices.sort(key=lambda v: (v[0], v[1]))
    index = {s: k for k, (_, _, s) in enumerate(simplices)}
    B = np.zeros((len(simplices), len(simplices)), dtype=np.uint8)
    for j, (_, _, s) in enumerate(simplices):
        if len(s) > 1:
            for face in combinations(s, len(s) - 1):
                B[index[face], j] = 1
    return B


def _reduction_cases() -> list[tuple[str, np.ndarray]]:
    """Boundary matrices in filtration order: a filled triangle, a square whose loop a diagonal
    splits in two before two triangles fill it, and the Rips filtration of 8 points (120 columns)."""
    tri = np.zeros((7, 7), dtype=np.uint8)  # vertices 0-2, edges 3 = 01, 4 = 12, 5 = 02, triangle 6
    for j, faces in {3: (0, 1), 4: (1, 2), 5: (0, 2), 6: (3, 4, 5)}.items():
        tri[list(faces), j] = 1
    sq = np.zeros((13, 13), dtype=np.uint8)  # vertices 0-3; edges 4 = 01, 5 = 12, 6 = 23, 7 = 03,
    for j, faces in {  # 8 = 02 (diagonal); triangles 9 = 012, 10 = 023; then edge 11 = 13 and
        4: (0, 1),  # triangle 12 = 013 (makes a loop the last triangle kills)
        5: (1, 2),
        6: (2, 3),
        7: (0, 3),
        8: (0, 2),
        9: (4, 5, 8),
        10: (6, 7, 8),
        11: (1, 3),
        12: (4, 7, 11),
    }.items():
        sq[list(faces), j] = 1
    X = np.random.default_rng(94).uniform(size=(8, 2))
    return [
        ("a filled triangle (7 simplices)", tri),
        ("a square with a diagonal, filled in (13 simplices)", sq),
        ("the Rips filtration of 8 random points (120 simplices)", _rips_boundary(X)),
    ]


def _persistence_pairs(D: np.ndarray, *, reduce: bool = True) -> set[tuple[int, int]]:
    """Pairs (low(j), j) of the standard column reduction over Z/2 (left to right, adding
    earlier columns with the same lowest one); ``reduce=False`` reads the lows of D itself, a
    mistake the check recognizes."""
    R = np.array(D, dtype=bool)
    owner: dict[int, int] = {}
    for j in range(R.shape[1]):
        while reduce:
            nz = np.flatnonzero(R[:, j])
            if nz.size == 0 or int(nz[-1]) not in owner:
                break
            R[:, j] ^= R[:, owner[int(nz[-1])]]
        nz = np.flatnonzero(R[:, j])
        if nz.size and int(nz[-1]) not in owner:
            owner[int(nz[-1])] = j
    return set(owner.items())


def _as_pairs(value, what: str) -> set[tuple[int, int]]:
    if isinstance(value, dict):  # the hint's dictionary {low(j): j} is the same answer
        value = value.items()
    try:
        pairs = [tuple(int(v) for v in p) for p in value]
    except (TypeError, ValueError) as exc:
        raise Incorrect(f"{what} should be a list of pairs (i, j) of column indices") from exc
    if any(len(p) != 2 for p in pairs):
        raise Incorrect(f"{what} should be a list of pairs (i, j); some items are not pairs")
    if len(set(pairs)) != len(pairs):
        raise Incorrect(f"{what} lists a pair twice; each pair (low(j), j) appears once")
    return set(pairs)


@register("gt-column-reduction")
def _check_column_reduction(answer) -> str:
    expect_function(answer, "persistence_pairs_answer")
    for what, D in _reduction_cases():
        got = _as_pairs(
            call_on_copy(answer, "persistence_pairs_answer", D), "persistence_pairs_answer(D)"
        )
        want = _persistence_pairs(D)
        if got == want:
            continue
        if {(j, i) for i, j in got} == want:
            raise Incorrect(
                f"on {what} your pairs are reversed: return (i, j) = (low(j), j), the simplex that "
                "creates a class first and the one that kills it second"
            )
        if got == _persistence_pairs(D, reduce=False):
            raise Incorrect(
                f"on {what} you read the lowest ones of D before reducing it: while column j "
                "shares its lowest one with an earlier column, add that column to it"
            )
        missing, extra = sorted(want - got), sorted(got - want)
        detail = f"e.g. the pair {missing[0]} is missing" if missing else f"e.g. {extra[0]}"
        raise Incorrect(
            f"on {what} you found {len(got)} pairs, {len(got & want)} of them right, out of "
            f"{len(want)} ({detail}); reduce columns left to right, adding an earlier column "
            "with the same lowest one until the lowest one is new or the column is zero"
        )
    return (
        "your reduction pairs every simplex correctly, on a filled triangle, a square with a "
        "diagonal and a 120-simplex Rips filtration"
    )


# ---------------------------------------------------------------------------
# Section 9.5
# ---------------------------------------------------------------------------


def _polygon(angles: np.ndarray, radius: np.ndarray | float = 1.0) -> np.ndarray:
    """Vertices (m, 2) at the given angles and radii."""
    return np.column_stack([np.cos(angles), np.sin(angles)]) * np.reshape(radius, (-1, 1))


def _winding_cases() -> list[tuple[str, np.ndarray, np.ndarray, int]]:
    """Closed polygons and points with known winding numbers: by construction (a circle traced
    k times around a point inside has winding k, a point outside its disk 0), and a square and a
    non-convex star whose closing edge matters."""
    circle = _polygon(np.linspace(0, 2 * np.pi, 40, endpoint=False))
    twice = _polygon(
        np.linspace(0, 4 * np.pi, 70, endpoint=False), 1.0 + 0.1 * np.cos(np.linspace(0, 1, 70))
    )
    square = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
    star_angles = np.linspace(0, 2 * np.pi, 10, endpoint=False)
    star = _polygon(star_angles, np.where(np.arange(10) % 2 == 0, 2.0, 0.6))
    between_tips = 1.5 * np.array([np.cos(np.pi / 5), np.sin(np.pi / 5)])  # in a notch, outside
    return [
        (
            "a counter-clockwise circle of 40 vertices around (0.2, 0.1)",
            circle,
            np.array([0.2, 0.1]),
            1,
        ),
        ("the same circle traversed clockwise", circle[::-1], np.array([0.2, 0.1]), -1),
        ("the circle and the outside point (3, 0)", circle, np.array([3.0, 0.0]), 0),
        ("a loop traced twice around the origin (70 vertices)", twice, np.array([0.05, -0.02]), 2),
        ("the square with 4 vertices (±1, ±1) around (0.3, 0.5)", square, np.array([0.3, 0.5]), 1),
        ("a 5-pointed star and a point inside it", star, np.array([0.1, 0.2]), 1),
        ("a 5-pointed star and a point in a notch between two tips", star, between_tips, 0),
    ]


def _winding_variants(curve: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """The right value and three mistakes: no closing edge, no wrapping of the angle steps into
    (-pi, pi], and a sign flip."""
    d = curve - p
    ang = np.arctan2(d[:, 1], d[:, 0])
    steps = np.diff(np.append(ang, ang[0]))
    wrapped = (steps + np.pi) % (2 * np.pi) - np.pi
    return {
        "right": wrapped.sum() / (2 * np.pi),
        "open": wrapped[:-1].sum() / (2 * np.pi),
        "unwrapped": steps.sum() / (2 * np.pi),
    }


@register("gt-winding-number")
def _check_winding_number(answer) -> str:
    expect_function(answer, "winding_number_answer")
    for what, curve, p, want in _winding_cases():
        value = call_on_copy(answer, "winding_number_answer", curve, p)
        try:
            got = float(value)
        except (TypeError, ValueError) as exc:
            raise Incorrect(
                f"on {what} your answer is {value!r}; return one number, the winding number"
            ) from exc
        if abs(got - round(got)) > 1e-6:
            variants = _winding_variants(curve, p)
            if abs(got - variants["open"]) < 1e-6:
                raise Incorrect(
                    f"on {what} you got {got:.4f}, not an integer: the polygon is closed, so include "
                    "the edge from the last vertex back to the first"
                )
            raise Incorrect(
                f"on {what} you got {got:.4f}, not an integer; the angle steps along a closed curve "
                "add up to a multiple of 2 pi"
            )
        got_int = int(round(got))
        if got_int == want:
            continue
        if got_int == -want:
            raise Incorrect(
                f"on {what} you got {got_int} instead of {want}: the sign is flipped; "
                "counter-clockwise turns count as positive (angle from arctan2(dy, dx))"
            )
        if abs(got - _winding_variants(curve, p)["unwrapped"]) < 1e-6:
            raise Incorrect(
                f"on {what} you got {got_int} instead of {want}: bring each angle step into "
                "(-pi, pi] before adding (arctan2 jumps by 2 pi where the curve crosses the "
                "negative x-axis as seen from p)"
            )
        raise Incorrect(f"on {what} your winding number is {got_int}; it should be {want}")
    return (
        "your winding numbers are right for circles traced once, backwards and twice, for points "
        "outside, and for a square and a non-convex star"
    )
