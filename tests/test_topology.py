"""nblib.topology (Chapter 9) against independent truths: Betti numbers of explicit
triangulations (with the Euler characteristic χ = Σ (−1)^p n_p = Σ (−1)^p β_p), scipy's minimum
spanning tree (H0), ripser's diagrams and persim's bottleneck distance (the peers a reader
uses), the Vietoris–Rips diagram of the circle (Adamaszek & Adams 2017) with the stability
theorem (Chazal, de Silva & Oudot 2014), and scikit-dimension's TwoNN and MLE estimators."""

from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np
import pytest
from persim import bottleneck as persim_bottleneck
from ripser import ripser
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial.distance import pdist, squareform

from nblib import topology
from nblib.topology import betti_numbers, bottleneck_distance, intrinsic_dimension, rips_persistence

#: ripser stores distances as float32: births and deaths agree with ours to a few float32
#: roundings of the largest distance (2^-24 relative each).
F32 = 8 * 2.0**-24


def _finite(dgm):
    return dgm[np.isfinite(dgm[:, 1])]


def _persim(d1, d2):
    """persim's bottleneck on the finite points (it warns about and drops infinite ones)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return persim_bottleneck(_finite(d1), _finite(d2))


def _euler(simplices):
    """χ = Σ (−1)^p n_p of the closure of the simplices, counted directly."""
    faces = {
        frozenset(f) for s in simplices for p in range(1, len(s) + 1) for f in combinations(s, p)
    }
    return sum((-1) ** (len(f) - 1) for f in faces)


# ---------------------------------------------------------------------------
# Betti numbers of triangulations
# ---------------------------------------------------------------------------


def _grid_torus(m=3):
    """The m × m grid on the torus, each square cut into two triangles (m ≥ 3 is a triangulation)."""
    v = lambda i, j: (i % m) * m + (j % m)  # noqa: E731
    tris = []
    for i in range(m):
        for j in range(m):
            tris += [
                (v(i, j), v(i + 1, j), v(i + 1, j + 1)),
                (v(i, j), v(i, j + 1), v(i + 1, j + 1)),
            ]
    return tris


#: Möbius's 7-vertex torus (the Császár torus's triangulation): {i, i+1, i+3}, {i, i+2, i+3} mod 7.
TORUS7 = [(i, (i + 1) % 7, (i + 3) % 7) for i in range(7)] + [
    (i, (i + 2) % 7, (i + 3) % 7) for i in range(7)
]
#: The 6-vertex real projective plane: the icosahedron with antipodal points identified.
RP2 = [
    (0, 1, 2),
    (0, 2, 3),
    (0, 3, 4),
    (0, 4, 5),
    (0, 5, 1),
    (1, 2, 4),
    (2, 3, 5),
    (3, 4, 1),
    (4, 5, 2),
    (5, 1, 3),
]

SURFACES = {
    "circle": ([(0, 1), (1, 2), (0, 2)], (1, 1)),
    "sphere": (list(combinations(range(4), 3)), (1, 0, 1)),
    "torus 3x3": (_grid_torus(3), (1, 2, 1)),
    "torus 7 vertices": (TORUS7, (1, 2, 1)),
    "RP2 6 vertices": (RP2, (1, 1, 1)),
    "two points and a solid triangle": ([(0,), (1,), (2, 3, 4)], (3, 0, 0)),
}


@pytest.mark.parametrize("name", SURFACES)
def test_betti_numbers_of_triangulations(name):
    simplices, expected = SURFACES[name]
    betti = betti_numbers(simplices)
    assert betti == expected
    assert sum((-1) ** p * b for p, b in enumerate(betti)) == _euler(simplices)  # χ two ways


@pytest.mark.parametrize("name", ["torus 3x3", "torus 7 vertices", "RP2 6 vertices"])
def test_closed_surface_data_are_pseudomanifolds(name):
    """Each edge of the listed surfaces lies in exactly two triangles (so the data are closed surfaces)."""
    simplices, _ = SURFACES[name]
    counts = {}
    for t in simplices:
        for e in combinations(sorted(t), 2):
            counts[e] = counts.get(e, 0) + 1
    assert set(counts.values()) == {2}


def test_betti_numbers_close_under_faces():
    """Listing faces explicitly changes nothing: the complex is the closure of what is listed."""
    closed = [f for t in TORUS7 for p in (1, 2, 3) for f in combinations(t, p)]
    assert betti_numbers(closed) == betti_numbers(TORUS7) == (1, 2, 1)


@pytest.mark.parametrize(
    "simplices, error, match",
    [
        ([], ValueError, "simplices"),
        ([(0, 0, 1)], ValueError, "repeats"),
        (5, TypeError, "simplices"),
        ([(0, 1), 3], TypeError, "simplex"),
        ([()], ValueError, "empty"),
        ([([0], 1)], TypeError, "hashable"),
    ],
)
def test_betti_numbers_rejects_bad_input(simplices, error, match):
    with pytest.raises(error, match=match):
        betti_numbers(simplices)


# ---------------------------------------------------------------------------
# Rips persistence against scipy and ripser
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_h0_deaths_are_the_minimum_spanning_tree(seed):
    X = np.random.default_rng(seed).normal(size=(70, 3))
    dgm0 = rips_persistence(X, maxdim=0)[0]
    mst = minimum_spanning_tree(squareform(pdist(X))).data
    np.testing.assert_allclose(np.sort(_finite(dgm0)[:, 1]), np.sort(mst), rtol=1e-12)
    assert np.all(dgm0[:, 0] == 0) and np.sum(np.isinf(dgm0[:, 1])) == 1  # one component


@pytest.mark.parametrize(
    "seed, n, dim, max_edge",
    [(0, 50, 2, np.inf), (1, 80, 2, np.inf), (2, 60, 3, np.inf), (3, 70, 2, 0.5), (4, 60, 3, 0.9)],
)
def test_rips_persistence_equals_ripser(seed, n, dim, max_edge):
    X = np.random.default_rng(seed).normal(size=(n, dim))
    mine = rips_persistence(X, maxdim=1, max_edge=max_edge)
    ref = ripser(X, maxdim=1, thresh=max_edge)["dgms"]
    tol = F32 * pdist(X).max()
    for p in (0, 1):
        assert mine[p].shape[1] == 2
        assert _persim(mine[p], ref[p]) <= tol
        assert bottleneck_distance(mine[p], ref[p]) <= tol  # also matches the infinite points
    if np.isfinite(max_edge):
        assert np.isinf(mine[0][:, 1]).sum() > 1  # the threshold leaves several components


def test_sorted_array_reduction_equals_bitmap_reduction(monkeypatch):
    """The two representations of a reduced column give the same diagram."""
    rng = np.random.default_rng(5)
    t = rng.uniform(0, 2 * np.pi, 80)
    X = np.c_[np.cos(t), np.sin(t)] + 0.05 * rng.normal(size=(80, 2))
    dense = rips_persistence(X)[1]
    monkeypatch.setattr(topology, "_BITMAP_BYTES", 0)
    sparse = rips_persistence(X)[1]
    np.testing.assert_array_equal(np.sort(dense, axis=0), np.sort(sparse, axis=0))


def test_dense_circle_h1_bar_dies_near_sqrt3():
    """The circle's Rips diagram in H1 is the one point (0, √3) (Adamaszek & Adams 2017, chord
    metric). A sample whose largest angular gap is g is within Hausdorff distance
    h = 2 sin(g/4) of the circle, so its diagram is within 2h in bottleneck distance: one bar
    with birth ≤ 2h and |death − √3| ≤ 2h, all others shorter than 4h."""
    t = np.sort(np.random.default_rng(0).uniform(0, 2 * np.pi, 150))
    gap = np.max(np.diff(np.r_[t, t[0] + 2 * np.pi]))
    h = 2 * np.sin(gap / 4)
    # 4h < √3: (0, √3) cannot be matched to the diagonal, so one bar lasts at least √3 − 4h;
    # 8h < √3 makes that longer than the 4h every other bar is held to, so it is singled out.
    assert 8 * h < np.sqrt(3)
    dgm1 = rips_persistence(np.c_[np.cos(t), np.sin(t)])[1]
    persistence = dgm1[:, 1] - dgm1[:, 0]
    assert np.sum(persistence > 4 * h) == 1
    birth, death = dgm1[np.argmax(persistence)]
    assert birth <= 2 * h and abs(death - np.sqrt(3)) <= 2 * h


@pytest.mark.parametrize("trial", range(4))
def test_diagrams_are_stable_under_perturbation(trial):
    """Moving each point by at most ε moves each pairwise distance by at most 2ε, so the
    diagrams move by at most 2ε in bottleneck distance (Cohen-Steiner, Edelsbrunner & Harer 2007)."""
    rng = np.random.default_rng(100 + trial)
    X = rng.normal(size=(40, 2))
    eps = 0.02 * (trial + 1)
    u = rng.normal(size=X.shape)
    u *= eps * rng.uniform(size=(len(X), 1)) ** 0.5 / np.linalg.norm(u, axis=1, keepdims=True)
    for p, (a, b) in enumerate(zip(rips_persistence(X), rips_persistence(X + u), strict=True)):
        assert bottleneck_distance(a, b) <= 2 * eps + 1e-12, f"H{p}"


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"X": np.ones(5)}, ValueError, "X must be 2-d"),
        ({"X": [[0.0, np.nan], [1.0, 1.0]]}, ValueError, "X contains"),
        ({"X": np.eye(3), "maxdim": 2}, ValueError, "maxdim"),
        ({"X": np.eye(3), "max_edge": -1.0}, ValueError, "max_edge"),
        ({"X": np.eye(3), "max_edge": np.nan}, ValueError, "max_edge"),
    ],
)
def test_rips_persistence_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        rips_persistence(**kwargs)


# ---------------------------------------------------------------------------
# Bottleneck distance against persim
# ---------------------------------------------------------------------------


def _random_diagram(rng, size):
    birth = rng.uniform(0, 1, size)
    return np.c_[birth, birth + rng.exponential(0.3, size)]


@pytest.mark.parametrize("seed", range(6))
def test_bottleneck_equals_persim_on_random_diagrams(seed):
    """Both search the same finite set of candidate costs for the least feasible one."""
    rng = np.random.default_rng(seed)
    d1, d2 = _random_diagram(rng, rng.integers(0, 25)), _random_diagram(rng, rng.integers(1, 25))
    assert bottleneck_distance(d1, d2) == pytest.approx(_persim(d1, d2), rel=1e-12, abs=0)
    assert bottleneck_distance(d1, d2) == bottleneck_distance(d2, d1)


def test_bottleneck_matches_infinite_points_to_infinite_points():
    finite = np.array([[0.0, 1.0], [0.2, 0.5]])
    a = np.vstack([finite, [[0.0, np.inf], [0.3, np.inf]]])
    b = np.vstack([finite, [[0.1, np.inf], [0.0, np.inf]]])
    # births sorted, 0 ↔ 0 and 0.3 ↔ 0.1, cost 0.2 (the crossed matching costs 0.3)
    assert bottleneck_distance(a, b) == pytest.approx(0.2, abs=1e-15)
    assert bottleneck_distance(a, finite) == np.inf  # two essential classes against none


@pytest.mark.parametrize(
    "d1, d2, match",
    [
        (np.ones((3, 3)), np.ones((1, 2)), "dgm1"),
        (np.ones((1, 2)), [[1.0, 0.5]], "dgm2"),
        ([[np.nan, 1.0]], np.ones((1, 2)), "dgm1"),
    ],
)
def test_bottleneck_rejects_bad_diagrams(d1, d2, match):
    with pytest.raises(ValueError, match=match):
        bottleneck_distance(d1, d2)


# ---------------------------------------------------------------------------
# Intrinsic dimension against the truth and scikit-dimension
# ---------------------------------------------------------------------------


def _embed(Y, rng, ambient=50):
    """Y (n, k) isometrically placed in R^50 by a random orthonormal frame."""
    Q, _ = np.linalg.qr(rng.normal(size=(ambient, Y.shape[1])))
    return Y @ Q.T


def _manifold(name, n, rng):
    if name == "circle":
        t = rng.uniform(0, 2 * np.pi, n)
        return _embed(np.c_[np.cos(t), np.sin(t)], rng), 1
    if name == "sphere":
        Y = rng.normal(size=(n, 3))
        return _embed(Y / np.linalg.norm(Y, axis=1, keepdims=True), rng), 2
    if name == "torus":  # the flat torus S¹ × S¹ ⊂ R⁴
        s, t = rng.uniform(0, 2 * np.pi, (2, n))
        return _embed(np.c_[np.cos(s), np.sin(s), np.cos(t), np.sin(t)], rng), 2
    return _embed(rng.normal(size=(n, 3)), rng), 3  # a 3-dimensional linear subspace


@pytest.mark.parametrize("name", ["circle", "sphere", "torus", "subspace"])
def test_intrinsic_dimension_on_manifolds_in_r50(name):
    """log μ ~ Exp(d), so TwoNN's standard error is d/√n ≤ 3/√1500 ≈ 0.08: ±0.3 is ≥ 3.8 of
    them; the averaged MLE pools k − 1 = 19 log-ratios per point and is tighter still."""
    X, d = _manifold(name, 1500, np.random.default_rng(7))
    for method in ("twonn", "mle"):
        assert abs(intrinsic_dimension(X, method=method) - d) <= 0.3, method


# skdim's TwoNN also fits its line through -log(1 - F) with F = 1 at the last ratio when nothing
# is discarded: a harmless log(0) warning in a value the "mle" method does not use.
@pytest.mark.filterwarnings("ignore:divide by zero encountered in log:RuntimeWarning")
@pytest.mark.parametrize("name", ["sphere", "subspace"])
def test_intrinsic_dimension_equals_scikit_dimension(name):
    skdim = pytest.importorskip("skdim")
    X, _ = _manifold(name, 600, np.random.default_rng(3))
    twonn = skdim.id.TwoNN(discard_fraction=0.0, method="mle").fit(X).dimension_
    assert intrinsic_dimension(X, method="twonn") == pytest.approx(twonn, rel=1e-9)
    mle = skdim.id.MLE().fit(X, n_neighbors=12, comb="mle").dimension_
    assert intrinsic_dimension(X, method="mle", k=12) == pytest.approx(mle, rel=1e-9)
    # Levina & Bickel's own average of the pointwise estimates is ≥ ours (the harmonic mean).
    assert skdim.id.MLE().fit(X, n_neighbors=12, comb="mean").dimension_ >= mle


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"method": "pca"}, ValueError, "method"),
        ({"method": "mle", "k": -3}, ValueError, "k must be"),
        ({"method": "mle", "k": 2.5}, TypeError, "k must be"),
        ({"method": "twonn", "k": 5}, ValueError, "k is not used"),
        ({"method": "mle", "k": 40}, ValueError, "at most"),
    ],
)
def test_intrinsic_dimension_rejects_bad_arguments(kwargs, error, match):
    X = np.random.default_rng(0).normal(size=(30, 4))
    with pytest.raises(error, match=match):
        intrinsic_dimension(X, **kwargs)


def test_intrinsic_dimension_rejects_nan_and_duplicates():
    X = np.random.default_rng(0).normal(size=(30, 4))
    with pytest.raises(ValueError, match="X contains"):
        intrinsic_dimension(np.where(np.eye(30, 4) > 0, np.nan, X))
    with pytest.raises(ValueError, match="duplicate"):
        intrinsic_dimension(np.vstack([X, X[:1]]))
