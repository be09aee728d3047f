"""nblib.losses: gradients against finite differences and autograd, values against torch."""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from autograd.scipy.special import logsumexp as anp_logsumexp

from nblib import losses


def rel_err(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


def central_differences(f, x, h=1e-6):
    """∂f/∂x entry by entry, (f(x + h eᵢ) − f(x − h eᵢ)) / 2h."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = h
        grad[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


# The same losses in autograd's numpy, written from their definitions: an independent truth.
def anp_cross_entropy(z, y):
    return -anp.mean(z[np.arange(len(y)), y] - anp_logsumexp(z, axis=1))


def anp_bce(z, t):
    p = 1 / (1 + anp.exp(-z))
    return anp.mean(-t * anp.log(p) - (1 - t) * anp.log(1 - p))


def anp_huber(p, t, delta=0.7):
    r = p - t
    return anp.mean(anp.where(anp.abs(r) <= delta, 0.5 * r**2, delta * (anp.abs(r) - 0.5 * delta)))


rng = np.random.default_rng(0)
LOGITS = 2 * rng.standard_normal((6, 4))
LABELS = rng.integers(0, 4, 6)
PRED, TARGET = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
BIN_LOGITS, BIN_TARGETS = 3 * rng.standard_normal((7, 2)), rng.uniform(0, 1, (7, 2))

# (loss, loss_grad, first argument, second argument, autograd version of the loss)
CASES = {
    "mse": (losses.mse, losses.mse_grad, PRED, TARGET, lambda p, t: anp.mean((p - t) ** 2)),
    "huber": (
        lambda p, t: losses.huber(p, t, delta=0.7),
        lambda p, t: losses.huber_grad(p, t, delta=0.7),
        PRED,
        TARGET,
        anp_huber,
    ),
    "cross_entropy": (
        losses.cross_entropy,
        losses.cross_entropy_grad,
        LOGITS,
        LABELS,
        anp_cross_entropy,
    ),
    "binary_cross_entropy": (
        losses.binary_cross_entropy,
        losses.binary_cross_entropy_grad,
        BIN_LOGITS,
        BIN_TARGETS,
        anp_bce,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_loss_gradients_against_finite_differences_and_autograd(name):
    loss, loss_grad, x, y, anp_loss = CASES[name]
    grad = loss_grad(x, y)
    assert grad.shape == x.shape
    assert isinstance(loss(x, y), float)
    assert loss(x, y) == pytest.approx(float(anp_loss(x, y)), rel=1e-12)
    assert rel_err(grad, autograd.grad(anp_loss)(x, y)) <= 1e-12
    assert rel_err(grad, central_differences(lambda v: loss(v, y), x)) <= 1e-6


def test_huber_is_quadratic_then_linear():
    # r = 0.5 (inside δ = 1): ½ r² = 0.125; r = 3: δ(|r| − ½δ) = 2.5; mean = 1.3125
    assert losses.huber(np.array([0.5, 3.0]), np.zeros(2)) == pytest.approx(1.3125)
    np.testing.assert_allclose(losses.huber_grad(np.array([0.5, -3.0]), np.zeros(2)), [0.25, -0.5])


@pytest.mark.parametrize("penalty", ["l1", "l2"])
def test_penalty_gradients(penalty):
    value = getattr(losses, f"{penalty}_penalty")
    grad = getattr(losses, f"{penalty}_penalty_grad")
    params = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    lam = 0.3
    if penalty == "l1":
        by_hand = lam * sum(np.abs(w).sum() for w in params)  # λ Σ|w|
        anp_value = lambda ws: lam * sum(anp.sum(anp.abs(w)) for w in ws)  # noqa: E731
    else:
        by_hand = lam / 2 * sum((w**2).sum() for w in params)  # (λ/2) Σ w²
        anp_value = lambda ws: lam / 2 * sum(anp.sum(w**2) for w in ws)  # noqa: E731
    assert value(params, lam) == pytest.approx(by_hand, rel=1e-14)
    grads = grad(params, lam)
    assert isinstance(grads, list) and [g.shape for g in grads] == [w.shape for w in params]
    for i, (g, g_ad) in enumerate(zip(grads, autograd.grad(anp_value)(params), strict=True)):
        assert rel_err(g, g_ad) <= 1e-12

        def one_array(v, i=i):
            return value([v if j == i else w for j, w in enumerate(params)], lam)

        assert rel_err(g, central_differences(one_array, params[i])) <= 1e-6
    # A single array in, a single array out, equal to the list version.
    np.testing.assert_array_equal(grad(params[0], lam), grads[0])
    assert value(params[0], lam) == pytest.approx(value(params[:1], lam))


def test_l1_subgradient_is_zero_at_zero():
    np.testing.assert_array_equal(
        losses.l1_penalty_grad(np.array([-2.0, 0.0, 3.0]), 0.5), [-0.5, 0, 0.5]
    )


def test_cross_entropy_by_hand():
    # Equal logits: softmax is uniform, the loss is log K and the gradient (1/K − 1{y}) / n.
    logits, labels = np.zeros((2, 4)), np.array([0, 3])
    assert losses.cross_entropy(logits, labels) == pytest.approx(np.log(4), rel=1e-15)
    expected = np.full((2, 4), 0.25)
    expected[[0, 1], [0, 3]] -= 1
    np.testing.assert_allclose(losses.cross_entropy_grad(logits, labels), expected / 2)


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4 - 1.0]])
    labels = np.array([1, 1])
    # Sample 1: log Σ e^z − z_1 = 1e4 − (−1e4) = 2e4 (the other terms vanish against e^{1e4}).
    # Sample 2: log(e^{1e4} + e^{1e4 − 1}) − 1e4 = log(1 + e^{−1}).
    expected = (2e4 + np.log1p(np.exp(-1.0))) / 2
    value = losses.cross_entropy(logits, labels)
    assert np.isfinite(value) and value == pytest.approx(expected, rel=1e-15)
    grad = losses.cross_entropy_grad(logits, labels)
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-15)  # softmax − onehot sums to 0
    np.testing.assert_allclose(grad[0], [0.5, -0.5, 0.0], atol=1e-300)


def test_binary_cross_entropy_is_stable_for_huge_logits():
    z, t = np.array([1e4, -1e4, 1e4, 0.0]), np.array([0.0, 1.0, 1.0, 0.5])
    # softplus(z) − t z: 1e4, 1e4, 0, log 2
    expected = (2e4 + np.log(2)) / 4
    assert losses.binary_cross_entropy(z, t) == pytest.approx(expected, rel=1e-15)
    np.testing.assert_allclose(losses.binary_cross_entropy_grad(z, t), [0.25, -0.25, 0, 0])


def test_values_equal_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    t = torch.from_numpy
    big = np.concatenate([LOGITS, 1e4 * np.sign(LOGITS)])
    big_labels = np.concatenate([LABELS, LABELS])
    for logits, labels in [(LOGITS, LABELS), (big, big_labels)]:
        ours = losses.cross_entropy(logits, labels)
        theirs = F.cross_entropy(t(logits), t(labels)).item()
        assert ours == pytest.approx(theirs, rel=1e-14)
    big_bin = np.concatenate([BIN_LOGITS, 1e4 * np.sign(BIN_LOGITS)])
    big_targets = np.concatenate([BIN_TARGETS, BIN_TARGETS])
    for z, y in [(BIN_LOGITS, BIN_TARGETS), (big_bin, big_targets)]:
        theirs = F.binary_cross_entropy_with_logits(t(z), t(y)).item()
        assert losses.binary_cross_entropy(z, y) == pytest.approx(theirs, rel=1e-14)
    assert losses.mse(PRED, TARGET) == pytest.approx(
        F.mse_loss(t(PRED), t(TARGET)).item(), rel=1e-14
    )
    for delta in (0.3, 1.0, 2.5):
        theirs = F.huber_loss(t(PRED), t(TARGET), delta=delta).item()
        assert losses.huber(PRED, TARGET, delta) == pytest.approx(theirs, rel=1e-14)


def test_gradients_equal_torch_autograd():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    for ours, theirs, x, y in [
        (losses.cross_entropy_grad, F.cross_entropy, LOGITS, LABELS),
        (
            losses.binary_cross_entropy_grad,
            F.binary_cross_entropy_with_logits,
            BIN_LOGITS,
            BIN_TARGETS,
        ),
    ]:
        x_t = torch.tensor(x, requires_grad=True)
        theirs(x_t, torch.from_numpy(y)).backward()
        np.testing.assert_allclose(ours(x, y), x_t.grad.numpy(), rtol=1e-12, atol=1e-17)


def test_float32_stays_float32():
    logits = LOGITS.astype(np.float32)
    assert losses.cross_entropy_grad(logits, LABELS).dtype == np.float32
    assert (
        losses.binary_cross_entropy_grad(BIN_LOGITS.astype(np.float32), BIN_TARGETS).dtype
        == np.float32
    )
    assert losses.mse_grad(PRED.astype(np.float32), TARGET).dtype == np.float32


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: losses.cross_entropy(LOGITS, LABELS[:5]), "logits and labels"),
        (lambda: losses.cross_entropy(LOGITS, np.array([0, 1, 2, 3, 4, 0])), r"labels .*\[0, 4\)"),
        (lambda: losses.cross_entropy_grad(LOGITS, np.array([0, 1, 2, 3, -1, 0])), "labels"),
        (lambda: losses.cross_entropy(LOGITS, np.array([0, 1, 2, 3, 0.5, 0])), "labels"),
        (
            lambda: losses.cross_entropy(np.zeros((0, 3)), np.zeros(0, int)),
            "logits must not be empty",
        ),
        (lambda: losses.cross_entropy(LOGITS[0], LABELS[:1]), "logits must be 2-d"),
        (
            lambda: losses.cross_entropy(np.where(LOGITS > 0, np.nan, LOGITS), LABELS),
            "logits contains",
        ),
        (lambda: losses.mse(PRED, TARGET[:4]), r"pred and target .*\(5, 3\) and \(4, 3\)"),
        (lambda: losses.mse_grad(PRED, np.full_like(TARGET, np.inf)), "target contains"),
        (lambda: losses.huber(PRED, TARGET, delta=0.0), "delta must be > 0"),
        (lambda: losses.huber(np.zeros(0), np.zeros(0)), "pred must not be empty"),
        (lambda: losses.binary_cross_entropy(BIN_LOGITS, BIN_TARGETS[:, :1]), "logits and targets"),
        (lambda: losses.binary_cross_entropy(BIN_LOGITS, BIN_TARGETS + 1), r"targets .*\[0, 1\]"),
        (lambda: losses.l2_penalty([PRED, np.array([np.nan])], 0.1), r"params\[1\] contains"),
        (lambda: losses.l1_penalty(PRED, -0.1), "lam must be >= 0"),
        (lambda: losses.l2_penalty_grad([], 0.1), "params must hold at least one"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
