"""nblib.data: shapes, seeding, class balance, geometry against closed forms and scikit-learn."""

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_moons

from nblib import data

CLASSIFICATION = {
    "two_moons": (data.two_moons, {}, 2),
    "spirals": (data.spirals, {"n_classes": 4}, 4),
    "xor": (data.xor, {}, 2),
    "blobs": (data.blobs, {"centers": 5, "n_features": 3}, 5),
}


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("n", [8, 203])
def test_classification_shapes_balance_and_seeding(name, n):
    make, kwargs, n_classes = CLASSIFICATION[name]
    X, y = make(n, rng=1, **kwargs)
    d = kwargs.get("n_features", 2)
    assert X.shape == (n, d) and y.shape == (n,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    counts = np.bincount(y, minlength=n_classes)
    assert len(counts) == n_classes and counts.max() - counts.min() <= 1 and counts.sum() == n
    assert np.all(np.isfinite(X))
    X2, y2 = make(n, rng=1, **kwargs)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make(n, rng=2, **kwargs)
    assert not np.allclose(X, X3)
    X4, _ = make(n, rng=np.random.default_rng(1), **kwargs)  # a Generator works like its seed
    np.testing.assert_array_equal(X, X4)
    assert len(set(y[: n // 2])) > 1  # shuffled: the classes are not in blocks


def test_two_moons_match_scikit_learn_without_noise():
    X, y = data.two_moons(101, noise=0.0, rng=0)
    Xs, ys = make_moons(101, noise=0.0, shuffle=False)
    for label in (0, 1):  # the same points per class, in another order
        ours, theirs = X[y == label], Xs[ys == label]
        assert ours.shape == theirs.shape
        distance = np.linalg.norm(ours[:, None, :] - theirs[None, :, :], axis=-1)
        np.testing.assert_allclose(distance.min(axis=1), 0, atol=1e-12)  # each of ours is theirs
        np.testing.assert_allclose(distance.min(axis=0), 0, atol=1e-12)  # and vice versa


def test_spiral_points_lie_on_their_arm():
    K = 3
    X, y = data.spirals(300, n_classes=K, noise=0.0, rng=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() >= 0 and r.max() == pytest.approx(1.0)
    keep = r > 1e-9
    angle = np.arctan2(X[keep, 0], X[keep, 1])  # x = r sin θ, y = r cos θ
    expected = 4 * r[keep] + 2 * np.pi * y[keep] / K
    np.testing.assert_allclose(np.angle(np.exp(1j * (angle - expected))), 0, atol=1e-9)


def test_xor_labels_are_xor_of_signs():
    X, y = data.xor(400, noise=0.1, rng=0)
    np.testing.assert_array_equal(y, ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int))


def test_blobs_given_centers():
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, -10.0]])
    X, y = data.blobs(30000, centers=centers, std=2.0, rng=0)
    for k, c in enumerate(centers):
        np.testing.assert_allclose(X[y == k].mean(axis=0), c, atol=0.1)
        np.testing.assert_allclose(X[y == k].std(axis=0), 2.0, rtol=0.05)
    X, _ = data.blobs(50, centers=4, n_features=3, box=(-1, 1), std=0.0, rng=0)
    assert np.all(np.abs(X) <= 1)


def test_noisy_regression():
    X, y = data.noisy_regression(50, fn=np.cos, noise=0.0, rng=0, x_range=(-1, 2))
    assert X.shape == (50, 1) and y.shape == (50,)
    assert X.min() >= -1 and X.max() <= 2
    np.testing.assert_allclose(y, np.cos(X[:, 0]))
    X, y, f = data.noisy_regression(40, fn=3, noise=0.0, rng=5, return_fn=True)
    coef = np.polynomial.polynomial.polyfit(X[:, 0], y, 3)  # a cubic fits exactly
    np.testing.assert_allclose(coef, f.coef, atol=1e-9)
    X, y = data.noisy_regression(20000, fn=lambda x: 0 * x, noise=0.5, rng=0)
    assert np.std(y) == pytest.approx(0.5, rel=0.03)
    a = data.noisy_regression(10, rng=3)
    b = data.noisy_regression(10, rng=3)
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: data.two_moons(0), "n must be >= 2"),
        (lambda: data.two_moons(10.5), "n must be an integer"),
        (lambda: data.two_moons(10, noise=-0.1), "noise must be >= 0"),
        (lambda: data.spirals(10, n_classes=1), "n_classes must be >= 2"),
        (lambda: data.spirals(2, n_classes=3), "n must be >= 3"),
        (lambda: data.xor(10, noise=np.nan), "noise must be finite"),
        (lambda: data.blobs(10, centers=0), "centers must be >= 1"),
        (lambda: data.blobs(10, std=-1), "std must be >= 0"),
        (lambda: data.blobs(10, centers=[1.0, 2.0]), "centers must be 2-d"),
        (lambda: data.blobs(10, box=(1, -1)), "box must be"),
        (lambda: data.noisy_regression(10, fn=-1), "fn .* must be >= 0"),
        (lambda: data.noisy_regression(10, x_range=(2, 1)), "x_range"),
        (lambda: data.noisy_regression(10, fn=lambda x: x[:3]), "fn must map"),
    ],
)
def test_generator_validation(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_train_test_split_partitions_the_samples():
    X = np.arange(100.0)[:, None] * [1, -1]
    y = np.arange(100) % 3
    X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, 0.3, rng=0)
    assert len(X_te) == 30 and len(X_tr) == 70
    ids = np.concatenate([X_tr[:, 0], X_te[:, 0]])
    np.testing.assert_array_equal(np.sort(ids), np.arange(100.0))  # disjoint, nothing lost
    np.testing.assert_array_equal(y_tr, X_tr[:, 0].astype(int) % 3)  # rows stay paired
    np.testing.assert_array_equal(y_te, X_te[:, 0].astype(int) % 3)
    again = data.train_test_split(X, y, 0.3, rng=0)
    np.testing.assert_array_equal(again[1], X_te)
    assert not np.array_equal(data.train_test_split(X, y, 0.3, rng=1)[1], X_te)


def test_train_test_split_stratified():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    X = np.arange(100.0)
    _, _, y_tr, y_te = data.train_test_split(X, y, 0.2, rng=0, stratify=True)
    np.testing.assert_array_equal(np.bincount(y_te), [10, 6, 4])
    np.testing.assert_array_equal(np.bincount(y_tr), [40, 24, 16])


@pytest.mark.parametrize("fraction", [0.0, 1.0, 1.5, -0.1])
def test_train_test_split_bad_fraction(fraction):
    with pytest.raises(ValueError, match="test_fraction"):
        data.train_test_split(np.zeros((10, 2)), np.zeros(10), fraction)


def test_train_test_split_errors():
    with pytest.raises(ValueError, match="test_fraction=0.01 of 10 samples leaves no test"):
        data.train_test_split(np.zeros((10, 2)), np.zeros(10), 0.01)
    with pytest.raises(ValueError, match=r"X and y .* 10 and 9"):
        data.train_test_split(np.zeros((10, 2)), np.zeros(9))


def test_standardize():
    rng = np.random.default_rng(0)
    X = rng.normal([1.0, -5.0, 3.0], [2.0, 0.1, 0.0], size=(500, 3))
    Z, mean, std = data.standardize(X)
    np.testing.assert_allclose(Z[:, :2].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z[:, :2].std(axis=0), 1)
    np.testing.assert_allclose(Z[:, 2], 0, atol=1e-12)  # a constant feature is only centred
    X_new = np.array([[1.0, -5.0, 3.0]])
    Z_new, _, _ = data.standardize(X_new, mean, std)
    np.testing.assert_allclose(Z_new, (X_new - X.mean(0)) / np.where(X.std(0) > 0, X.std(0), 1))
    with pytest.raises(ValueError, match="both mean and std"):
        data.standardize(X, mean)
    with pytest.raises(ValueError, match=r"mean must have shape \(3,\)"):
        data.standardize(X, mean[:2], std[:2])
    with pytest.raises(ValueError, match="NaN"):
        data.standardize(np.array([[np.nan]]))


def test_digits():
    X_tr, X_te, y_tr, y_te = data.digits()
    assert X_tr.shape[1] == X_te.shape[1] == 64 and len(X_tr) + len(X_te) == 1797
    assert len(X_te) == pytest.approx(0.25 * 1797, abs=10)
    assert X_tr.dtype == np.float64 and y_tr.dtype == np.int64
    assert X_tr.min() == 0.0 and X_tr.max() == 1.0
    assert set(np.unique(y_te)) == set(range(10))
    counts = np.bincount(y_te) / np.bincount(np.concatenate([y_tr, y_te]))
    np.testing.assert_allclose(counts, 0.25, atol=0.02)  # stratified
    X, y = data.digits(test_fraction=None, scale=False, dtype=np.float32)
    ref = load_digits()
    np.testing.assert_array_equal(X, ref.data)
    np.testing.assert_array_equal(y, ref.target)
    assert X.dtype == np.float32
    np.testing.assert_array_equal(data.digits(rng=3)[3], data.digits(rng=3)[3])
    assert not np.array_equal(data.digits(rng=3)[3], data.digits(rng=4)[3])
