"""Geometry and topology of data (Chapter 9), from scratch.

- :func:`intrinsic_dimension`: the dimension d of the manifold a cloud lies on, from
  nearest-neighbour distance ratios: TwoNN (Facco et al. 2017) or the Levina–Bickel (2005)
  maximum-likelihood estimator with MacKay & Ghahramani's (2005) averaging;
- :func:`betti_numbers`: β_p = dim H_p of a simplicial complex over Z/2,
  β_p = n_p − rank ∂_p − rank ∂_{p+1};
- :func:`rips_persistence`: the persistence diagrams of the Vietoris–Rips filtration in
  dimensions 0 and 1, as ripser's ``dgms`` (an edge enters at its length, a triangle at its
  longest edge);
- :func:`bottleneck_distance`: the exact bottleneck distance between two diagrams, as persim's
  ``bottleneck``, with points at infinity matched to points at infinity.

ripser and persim are the peers a reader would use; ``tests/test_topology.py`` checks this
module against them and against scikit-dimension.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching
from scipy.spatial.distance import cdist, pdist

from ._validate import as_float_array, check_choice, check_scalar

__all__ = ["betti_numbers", "bottleneck_distance", "intrinsic_dimension", "rips_persistence"]


# ---------------------------------------------------------------------------
# Intrinsic dimension
# ---------------------------------------------------------------------------


def _knn_distances(X: np.ndarray, k: int, chunk: int = 512) -> np.ndarray:
    """(n, k) sorted distances from each row of X to its k nearest other rows (exact)."""
    n = len(X)
    out = np.empty((n, k))
    for start in range(0, n, chunk):
        D = cdist(X[start : start + chunk], X)
        D[np.arange(len(D)), np.arange(start, start + len(D))] = np.inf  # not its own neighbour
        part = np.partition(D, k - 1, axis=1)[:, :k]
        out[start : start + len(D)] = np.sort(part, axis=1)
    return out


def intrinsic_dimension(X: Any, method: str = "twonn", k: int | None = None) -> float:
    """Estimate the intrinsic dimension of the point cloud ``X`` (n points as rows).

    ``method="twonn"`` (Facco et al. 2017): with r₁ ≤ r₂ a point's two nearest-neighbour
    distances, μ = r₂/r₁ is Pareto(1, d) on a locally uniform d-manifold, so log μ ~ Exp(d)
    and the unbiased maximum-likelihood estimate is d̂ = (n − 1) / Σᵢ log μᵢ. This is
    scikit-dimension's ``TwoNN(discard_fraction=0, method="mle")``; Facco et al.'s own recipe
    (and scikit-dimension's default) instead fits a line to the empirical CDF after discarding
    the largest 10 % of the ratios. ``k`` must be left as None.

    ``method="mle"`` (Levina & Bickel 2005) with k neighbours (default 20): each point gives
    1/m̂ᵢ = (1/(k−1)) Σ_{j<k} log(T_k/T_j), T_j its j-th neighbour distance, whose mean is
    exactly 1/d under the local Poisson model; following MacKay & Ghahramani (2005) the
    inverses are averaged, d̂ = 1 / meanᵢ(1/m̂ᵢ) (Levina–Bickel average the m̂ᵢ themselves,
    which is biased upwards). This is scikit-dimension's ``MLE().fit(X, n_neighbors=k,
    comb="mle")``.
    """
    X = as_float_array(X, "X", ndim=2).astype(np.float64, copy=False)
    check_choice(method, "method", ("twonn", "mle"))
    n = len(X)
    if method == "twonn":
        if k is not None:
            raise ValueError(f"k is not used by method='twonn' (two neighbours); got k={k!r}")
        if n < 3:
            raise ValueError(f"X must have at least 3 points for TwoNN, got {n}")
        T = _knn_distances(X, 2)
    else:
        k = 20 if k is None else check_scalar(k, "k", low=2, integer=True)
        if k > n - 1:
            raise ValueError(f"k must be at most n - 1 = {n - 1} (X has {n} points), got {k}")
        T = _knn_distances(X, k)
    if np.any(T[:, 0] == 0):
        dup = int(np.count_nonzero(T[:, 0] == 0))
        raise ValueError(
            f"X has {dup} point(s) with a duplicate: log-ratios of distances need r1 > 0"
        )
    logs = np.log(T[:, -1:] / T[:, :-1])  # log(T_k / T_j), j < k
    if method == "twonn":
        return float((n - 1) / logs.sum())
    inverse = logs.sum(axis=1) / (k - 1)
    return float(1.0 / inverse.mean())


# ---------------------------------------------------------------------------
# Simplicial homology over Z/2
# ---------------------------------------------------------------------------


def _rank_gf2(columns: Iterable[int]) -> int:
    """Rank over Z/2 of vectors given as bit masks (Gaussian elimination on leading bits)."""
    pivots: dict[int, int] = {}
    for v in columns:
        while v:
            top = v.bit_length() - 1
            if top not in pivots:
                pivots[top] = v
                break
            v ^= pivots[top]
    return len(pivots)


def betti_numbers(simplices: Iterable[Iterable[Any]]) -> tuple[int, ...]:
    """Betti numbers (β₀, …, β_top) over Z/2 of the complex the simplices generate.

    ``simplices`` is an iterable of simplices, each a tuple of distinct hashable vertices;
    the complex is closed under faces here (listing the facets, e.g. the triangles of a
    triangulated surface, is enough). β_p = n_p − rank ∂_p − rank ∂_{p+1}, where ∂_p sends a
    p-simplex to the sum of its p + 1 facets (no signs over Z/2).
    """
    try:
        items = list(simplices)
    except TypeError as exc:
        raise TypeError(
            f"simplices must be an iterable of vertex tuples, got {type(simplices).__name__}"
        ) from exc
    if not items:
        raise ValueError("simplices must contain at least one simplex")
    faces: list[set[frozenset]] = []
    for s in items:
        if isinstance(s, (str, bytes)) or not isinstance(s, Iterable):
            raise TypeError(f"each simplex must be a tuple of vertices, got {s!r} in simplices")
        verts = tuple(s)
        if not verts:
            raise ValueError("simplices contains an empty simplex")
        try:
            vset = frozenset(verts)
        except TypeError as exc:
            raise TypeError(f"vertices must be hashable, got simplex {s!r} in simplices") from exc
        if len(vset) != len(verts):
            raise ValueError(f"simplex {s!r} in simplices repeats a vertex")
        while len(faces) < len(verts):
            faces.append(set())
        for p in range(len(verts)):  # close under faces
            faces[p].update(frozenset(f) for f in combinations(verts, p + 1))
    index = [{s: i for i, s in enumerate(layer)} for layer in faces]
    ranks = [0]  # rank ∂_0 = 0
    for p in range(1, len(faces)):
        below = index[p - 1]
        cols = (sum(1 << below[s - {v}] for v in s) for s in index[p])
        ranks.append(_rank_gf2(cols))
    ranks.append(0)  # nothing above the top dimension
    return tuple(len(faces[p]) - ranks[p] - ranks[p + 1] for p in range(len(faces)))


# ---------------------------------------------------------------------------
# Vietoris–Rips persistence in dimensions 0 and 1
# ---------------------------------------------------------------------------


#: Largest dense column (one byte per triangle key, m·n keys: n ≈ 730 points unthresholded);
#: beyond it, reduced columns are sorted arrays (slower on long-lived classes, no memory blow-up).
_BITMAP_BYTES = 200_000_000


def _first_true(bitmap: np.ndarray, start: int) -> int:
    """Index of the first True at or after ``start`` (-1 if none), scanning in growing blocks."""
    step = 4096
    while start < len(bitmap):
        block = bitmap[start : start + step]
        i = int(block.argmax())
        if block[i]:
            return start + i
        start += step
        step = min(2 * step, 1 << 22)
    return -1


def _xor_sorted(col: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Symmetric difference of two sorted arrays of distinct keys (column addition over Z/2).

    A merge by binary search: O(len(other) log len(col)) plus one copy, no re-sort of the
    long column (the reduced columns of a long-lived class grow to many thousand entries).
    """
    if len(other) > len(col):
        col, other = other, col
    pos = np.searchsorted(col, other)
    hit = pos < len(col)
    hit[hit] = col[pos[hit]] == other[hit]
    col = np.delete(col, pos[hit])
    new = other[~hit]
    return np.insert(col, np.searchsorted(col, new), new)


def rips_persistence(X: Any, maxdim: int = 1, max_edge: float = np.inf) -> list[np.ndarray]:
    """Persistence diagrams [dgm_0, …, dgm_maxdim] of the Vietoris–Rips filtration of ``X``.

    A vertex enters at 0, an edge at its length, a triangle at its longest edge; only
    simplices with all edges ≤ ``max_edge`` are used. Each diagram is an (m, 2) array of
    (birth, death), classes alive at the end having death ``inf``; pairs with
    death = birth are left out, as ripser does. ``maxdim`` is 0 or 1.

    H₀ is the column reduction of ∂₁: Kruskal's algorithm, the deaths are the
    minimum-spanning-tree edge lengths. H₁ is the standard column reduction over Z/2 done on
    the coboundary matrix δ₁ (cohomology gives the same pairs; de Silva, Morozov &
    Vejdemo-Johansson 2011) with edges ordered by length, triangles by their longest edge:
    the spanning-tree edges are cleared, and an edge that is the longest edge of some
    triangle pairs with the first such triangle at once (an apparent pair, found for all
    edges in one vectorized pass; Bauer 2021). Only the remaining edges are reduced one by one.
    """
    X = as_float_array(X, "X", ndim=2).astype(np.float64, copy=False)
    maxdim = check_scalar(maxdim, "maxdim", low=0, high=1, integer=True)
    if isinstance(max_edge, bool) or not isinstance(
        max_edge, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"max_edge must be a real number or inf, got {type(max_edge).__name__}")
    if np.isnan(max_edge) or max_edge < 0:
        raise ValueError(f"max_edge must be >= 0 (or inf), got {max_edge!r}")
    n = len(X)
    iu, ju = np.triu_indices(n, 1)
    lengths = pdist(X) if n > 1 else np.empty(0)
    order = np.argsort(lengths, kind="stable")
    order = order[lengths[order] <= max_edge]
    a, b, L = iu[order], ju[order], lengths[order]
    m = len(order)

    # H0: Kruskal with union-find; the i-th edge in order is negative iff it joins two trees.
    parent = np.arange(n)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    tree = np.zeros(m, dtype=bool)
    joined = 0
    for i in range(m):
        ra, rb = find(a[i]), find(b[i])
        if ra != rb:
            parent[ra] = rb
            tree[i] = True
            joined += 1
            if joined == n - 1:
                break
    deaths0 = L[tree]
    dgm0 = np.column_stack([np.zeros(np.count_nonzero(deaths0 > 0)), deaths0[deaths0 > 0]])
    essential0 = np.tile([0.0, np.inf], (n - joined, 1))
    dgms = [np.vstack([dgm0, essential0])]
    if maxdim == 0:
        return dgms

    # H1. R[u, v] = rank of edge uv in the order (BIG if absent or u = v). A triangle whose
    # longest edge has rank f and whose other vertex is c gets the key f * n + c: an order
    # refining the diameter, with each triangle just after its longest edge.
    BIG = np.iinfo(np.int64).max // (2 * max(n, 1))
    R = np.full((n, n), BIG, dtype=np.int64)
    R[a, b] = R[b, a] = np.arange(m)
    cols = np.arange(n)
    candidates = np.flatnonzero(~tree)  # spanning-tree edges are cleared
    apparent_c = np.full(m, -1, dtype=np.int64)
    step = max(1, 2_000_000 // max(n, 1))
    for start in range(0, len(candidates), step):
        e = candidates[start : start + step]
        earlier = np.maximum(R[a[e]], R[b[e]]) < e[:, None]  # c with both other edges before e
        has = earlier.any(axis=1)
        apparent_c[e[has]] = earlier[has].argmax(axis=1)  # the first triangle with longest edge e

    def coboundary(e: int) -> np.ndarray:
        """Sorted keys of the triangles containing edge e (within max_edge)."""
        ra, rb = R[a[e]], R[b[e]]
        top = np.maximum(np.maximum(ra, rb), e)
        ok = top < BIG
        # the vertex opposite the longest edge: c if it is e, b if it is ac, a if it is bc
        opposite = np.where(top == e, cols, np.where(top == ra, b[e], a[e]))
        return np.sort(top[ok] * n + opposite[ok])

    pivots: dict[int, np.ndarray] = {}  # key of pivot triangle -> reduced column owning it

    def owner(p: int) -> np.ndarray | None:
        """The reduced column whose pivot is the triangle with key p, if any."""
        f, c = divmod(p, n)
        if apparent_c[f] == c:  # an apparent column is its own coboundary
            return coboundary(f)
        return pivots.get(p)

    # A long-lived class's column grows to many thousand triangles: it is kept as a dense
    # boolean vector over the keys (an addition toggles len(other) entries, the pivot only
    # moves up) when that fits in _BITMAP_BYTES, else as a sorted array.
    bitmap = np.zeros(m * n, dtype=bool) if m * n <= _BITMAP_BYTES else None
    pairs, essential1 = [], []
    for e in candidates[apparent_c[candidates] < 0][::-1]:  # the rest, longest first
        col = coboundary(e)
        if bitmap is None:
            while col.size and (other := owner(int(col[0]))) is not None:
                col = _xor_sorted(col, other)
        elif col.size:
            bitmap[col] = True
            touched, p = [col], int(col[0])
            while p >= 0 and (other := owner(p)) is not None:
                bitmap[other] = ~bitmap[other]
                touched.append(other)
                p = _first_true(bitmap, p)
            keys = np.unique(np.concatenate(touched))
            col = keys[bitmap[keys]]
            bitmap[col] = False
        if col.size:
            pivots[int(col[0])] = col
            death = L[int(col[0]) // n]
            if death > L[e]:
                pairs.append((L[e], death))
        else:
            essential1.append((L[e], np.inf))
    dgm1 = np.array(pairs + essential1, dtype=np.float64).reshape(-1, 2)
    dgms.append(dgm1)
    return dgms


# ---------------------------------------------------------------------------
# Bottleneck distance
# ---------------------------------------------------------------------------


def _check_diagram(dgm: Any, name: str) -> np.ndarray:
    """An (m, 2) float array of (birth, death) with finite births and death >= birth."""
    arr = as_float_array(dgm, name, finite=False, nonempty=False).astype(np.float64, copy=False)
    if arr.size == 0:
        return np.empty((0, 2))
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{name} must be an (m, 2) array of (birth, death), got shape {arr.shape}")
    if np.isnan(arr).any() or not np.isfinite(arr[:, 0]).all():
        raise ValueError(f"{name} has NaN values or non-finite births")
    if np.any(arr[:, 1] < arr[:, 0]):
        raise ValueError(f"{name} has a point with death < birth")
    return arr


def _finite_bottleneck(S: np.ndarray, T: np.ndarray) -> float:
    """Exact bottleneck distance between finite diagrams (L∞, diagonal at half-persistence).

    Each point may go to another point (cost ‖p − q‖∞) or to the diagonal (cost (d − b)/2);
    the distance is the least δ with a perfect matching using costs ≤ δ, found by bisection
    over the candidate costs with a maximum bipartite matching at each step.
    """
    M, N = len(S), len(T)
    if M + N == 0:
        return 0.0
    C = np.full((M + N, N + M), np.inf)
    C[:M, :N] = np.maximum(
        np.abs(S[:, None, 0] - T[None, :, 0]), np.abs(S[:, None, 1] - T[None, :, 1])
    )
    C[np.arange(M), N + np.arange(M)] = (S[:, 1] - S[:, 0]) / 2  # S_i to its diagonal copy
    C[M + np.arange(N), np.arange(N)] = (T[:, 1] - T[:, 0]) / 2  # diagonal copy of T_j to T_j
    C[M:, N:] = 0.0  # diagonal to diagonal
    values = np.unique(C[np.isfinite(C)])
    lo, hi = 0, len(values) - 1  # values[hi] always admits a perfect matching
    while lo < hi:
        mid = (lo + hi) // 2
        match = maximum_bipartite_matching(csr_matrix(C <= values[mid]), perm_type="column")
        if np.all(match >= 0):
            hi = mid
        else:
            lo = mid + 1
    return float(values[lo])


def bottleneck_distance(dgm1: Any, dgm2: Any) -> float:
    """The bottleneck distance d_B = min over matchings of max cost between two diagrams.

    Costs are as persim's ``bottleneck``: ‖p − q‖∞ between points, (death − birth)/2 to the
    diagonal. Points with infinite death are matched only to each other, at cost
    |birth − birth'| (sorted births are an optimal matching on a line); if the two diagrams
    have different numbers of them, d_B = inf. persim drops such points instead.
    """
    S = _check_diagram(dgm1, "dgm1")
    T = _check_diagram(dgm2, "dgm2")
    inf_S, inf_T = np.isinf(S[:, 1]), np.isinf(T[:, 1])
    if inf_S.sum() != inf_T.sum():
        return float("inf")
    essential = 0.0
    if inf_S.any():
        essential = float(np.max(np.abs(np.sort(S[inf_S, 0]) - np.sort(T[inf_T, 0]))))
    return max(essential, _finite_bottleneck(S[~inf_S], T[~inf_T]))
