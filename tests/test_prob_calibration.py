"""nblib.prob, Section 4.2: reliability bins, ECE, Brier score and temperature scaling, against
independent computations (scipy, scikit-learn) and hand-checked cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats
from sklearn.calibration import calibration_curve

from nblib import losses, nn, prob


def _probs_labels(n=400, k=5, sharp=3.0, seed=0):
    rng = np.random.default_rng(seed)
    p = nn.softmax(sharp * rng.standard_normal((n, k)))
    labels = rng.integers(0, k, size=n)
    return p, labels


def test_ece_on_a_hand_checked_case():
    probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.4, 0.6], [0.3, 0.7]])
    labels = np.array([0, 1, 1, 1])
    # four bins with one example each: gaps 0.1, 0.8, 0.4, 0.3
    assert np.isclose(prob.expected_calibration_error(probs, labels, n_bins=10), 0.4)
    # one bin: accuracy 3/4, confidence 0.75
    assert np.isclose(prob.expected_calibration_error(probs, labels, n_bins=2), 0.0, atol=1e-15)


@pytest.mark.parametrize("n_bins", [1, 5, 15, 40])
def test_reliability_bins_equal_sklearn_calibration_curve(n_bins):
    p, labels = _probs_labels()
    bins = prob.reliability_bins(p, labels, n_bins)
    correct = (p.argmax(axis=1) == labels).astype(float)
    prob_true, prob_pred = calibration_curve(correct, p.max(axis=1), n_bins=n_bins, strategy="uniform")
    used = bins.count > 0
    np.testing.assert_allclose(bins.accuracy[used], prob_true, rtol=1e-12)
    np.testing.assert_allclose(bins.confidence[used], prob_pred, rtol=1e-12)
    assert bins.count.sum() == len(labels) and len(bins.edges) == n_bins + 1


def test_bin_edges_are_closed_on_the_right():
    # confidences 0.6, 0.8, 0.5 with 5 bins (0, .2], (.2, .4], (.4, .6], (.6, .8], (.8, 1]:
    # 0.6 and 0.5 fall in (.4, .6], 0.8 in (.6, .8]
    probs = np.array([[0.6, 0.4], [0.2, 0.8], [0.5, 0.5]])
    bins = prob.reliability_bins(probs, np.array([0, 1, 0]), n_bins=5)
    np.testing.assert_array_equal(bins.count, [0, 0, 2, 1, 0])
    _, pred = calibration_curve([1, 1, 1], [0.6, 0.8, 0.5], n_bins=5)  # scikit-learn's convention
    np.testing.assert_allclose(bins.confidence[bins.count > 0], pred)


def test_ece_equals_scipy_binned_statistic():
    p, labels = _probs_labels(n=1000, k=10, seed=3)
    conf = p.max(axis=1)
    correct = (p.argmax(axis=1) == labels).astype(float)
    edges = np.linspace(0, 1, 16)
    acc, _, _ = stats.binned_statistic(-conf, correct, "mean", bins=-edges[::-1])
    cmean, _, _ = stats.binned_statistic(-conf, conf, "mean", bins=-edges[::-1])
    count, _, _ = stats.binned_statistic(-conf, conf, "count", bins=-edges[::-1])
    used = count > 0
    expected = np.sum(count[used] / len(labels) * np.abs(acc[used] - cmean[used]))
    assert np.isclose(prob.expected_calibration_error(p, labels), expected, rtol=1e-12)


def test_ece_of_calibrated_predictions_shrinks_with_n():
    rng = np.random.default_rng(5)
    eces = []
    for n in (300, 30_000):
        p = nn.softmax(2 * rng.standard_normal((n, 3)))
        labels = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1).clip(max=2)
        eces.append(prob.expected_calibration_error(p, labels))
    assert eces[1] < eces[0] and eces[1] < 0.02


def test_brier_score_equals_sklearn():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    p, labels = _probs_labels(k=4, seed=2)
    ours = prob.brier_score(p, labels)
    onehot = np.eye(4)[labels]
    assert np.isclose(ours, np.mean(np.sum((p - onehot) ** 2, axis=1)))
    binary = np.column_stack([1 - p[:, 0], p[:, 0]])
    y01 = (labels == 0).astype(int)
    assert np.isclose(prob.brier_score(binary, y01), 2 * sklearn_metrics.brier_score_loss(y01, p[:, 0]))
    import sklearn

    if tuple(int(v) for v in sklearn.__version__.split(".")[:2]) >= (1, 7):  # multi-class + scale_by_half
        multi = sklearn_metrics.brier_score_loss(labels, p, labels=np.arange(4), scale_by_half=False)
        assert np.isclose(ours, multi, rtol=1e-12)
    assert prob.brier_score(np.eye(3), np.arange(3)) == 0.0
    assert np.isclose(prob.brier_score(np.eye(3), np.array([1, 2, 0])), 2.0)


@pytest.mark.parametrize("seed", range(4))
def test_fit_temperature_equals_scipy_minimize_scalar(seed):
    rng = np.random.default_rng(seed)
    n, k = 500, 6
    z = 4 * rng.standard_normal((n, k))
    labels = np.where(rng.random(n) < 0.7, z.argmax(axis=1), rng.integers(0, k, size=n))
    T = prob.fit_temperature(z, labels)
    res = optimize.minimize_scalar(
        lambda t: losses.cross_entropy(z / t, labels), bounds=(1e-3, 100), method="bounded",
        options={"xatol": 1e-11},
    )
    assert T > 0 and np.isclose(T, res.x, rtol=1e-6)
    # invariant to adding a constant to each row of logits
    assert np.isclose(prob.fit_temperature(z + rng.standard_normal((n, 1)), labels), T, rtol=1e-9)


def test_fit_temperature_hand_checked():
    z = np.array([[4.0, 0.0], [4.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    # 3 of 4 right at the same margin: the optimum has sigmoid(4/T) = 3/4, T = 4 / log 3
    assert np.isclose(prob.fit_temperature(z, np.array([0, 0, 1, 1])), 4 / np.log(3), rtol=1e-10)


def test_fit_temperature_recovers_a_known_temperature():
    rng = np.random.default_rng(11)
    z = 3 * rng.standard_normal((20_000, 4))
    T_true = 2.5
    p = nn.softmax(z / T_true)
    labels = (rng.random(len(z))[:, None] > np.cumsum(p, axis=1)).sum(axis=1).clip(max=3)
    # labels drawn at temperature 2.5: the MLE of T is consistent
    assert abs(prob.fit_temperature(z, labels) - T_true) < 0.1


@pytest.mark.parametrize("s", [1e-12, 1e-9, 1e-3, 1e3, 1e9])
def test_fit_temperature_is_scale_equivariant(s):
    # softmax((s z) / (s T)) = softmax(z / T): scaling the logits by s scales T* by s exactly
    rng = np.random.default_rng(3)
    z = 4 * rng.standard_normal((500, 6))
    labels = np.where(rng.random(500) < 0.7, z.argmax(axis=1), rng.integers(0, 6, size=500))
    T = prob.fit_temperature(z, labels)
    assert np.isclose(prob.fit_temperature(s * z, labels), s * T, rtol=1e-10)


def test_fit_temperature_errors():
    with pytest.raises(ValueError, match="every row of logits is constant"):
        prob.fit_temperature(np.ones((3, 4)), np.array([0, 1, 2]))
    z = np.array([[3.0, 0.0], [0.0, 2.0]])
    with pytest.raises(ValueError, match="every prediction"):
        prob.fit_temperature(z, np.array([0, 1]))
    with pytest.raises(ValueError, match="no better than average"):
        prob.fit_temperature(z, np.array([1, 0]))
    with pytest.raises(ValueError, match="labels must be integers in"):
        prob.fit_temperature(z, np.array([0, 2]))
    with pytest.raises(ValueError, match="same number of samples"):
        prob.fit_temperature(z, np.array([0, 1, 0]))
    with pytest.raises(ValueError, match="logits must be 2-d"):
        prob.fit_temperature(np.ones(3), np.array([0, 1, 0]))


def test_probability_validation_messages():
    good = np.array([[0.7, 0.3], [0.4, 0.6]])
    with pytest.raises(ValueError, match="row 1 sums to"):
        prob.expected_calibration_error(np.array([[0.7, 0.3], [0.5, 0.6]]), [0, 1])
    with pytest.raises(ValueError, match="if these are logits"):
        prob.expected_calibration_error(np.array([[2.0, -1.0], [0.5, 0.5]]), [0, 1])
    with pytest.raises(ValueError, match="at least 2"):
        prob.brier_score(np.ones((3, 1)), [0, 0, 0])
    with pytest.raises(ValueError, match="labels must be integers in"):
        prob.brier_score(good, [0, 5])
    with pytest.raises(ValueError, match="n_bins must be >= 1"):
        prob.reliability_bins(good, [0, 1], n_bins=0)
    with pytest.raises(TypeError, match="n_bins must be an integer"):
        prob.expected_calibration_error(good, [0, 1], n_bins=2.5)
    with pytest.raises(ValueError, match="NaN"):
        prob.expected_calibration_error(np.array([[np.nan, 0.5], [0.5, 0.5]]), [0, 1])
