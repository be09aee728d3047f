"""nblib.training: the loop against a hand-written one, learning real tasks, and input checks."""

import time

import numpy as np
import pytest

from nblib import data, losses, nn, optim, training


def test_digits_two_hidden_layers_reach_95_percent():
    X_train, X_test, y_train, y_test = data.digits(rng=0)
    model = nn.MLP([64, 64, 64, 10], activation="relu", rng=0)
    start = time.perf_counter()
    history = training.train(
        model, X_train, y_train, optimizer=optim.Adam(lr=3e-3), epochs=30, batch_size=32, rng=0
    )
    seconds = time.perf_counter() - start
    test_accuracy = training.accuracy(model, X_test, y_test)
    print(f"digits 64-64-64-10: test accuracy {test_accuracy:.4f}, training took {seconds:.2f} s")
    assert test_accuracy >= 0.95
    assert history.loss[-1] < 0.1 * history.loss[0]
    assert seconds < 60  # a few seconds on one core; only a guard against a pathological slowdown


def manual_sgd_epoch(model, X, y, lr, batch_size, seed):
    """One epoch of minibatch SGD on the mean cross-entropy, written out with numpy only."""
    order = np.random.default_rng(seed).permutation(len(X))
    for start in range(0, len(X), batch_size):
        batch = order[start : start + batch_size]
        logits = model.forward(X[batch])
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(batch)), y[batch]] -= 1  # ∂/∂logits of the summed cross-entropy
        model.backward(p / len(batch))
        for param, grad in zip(model.params, model.grads, strict=True):
            param -= lr * grad


def test_train_is_minibatch_sgd():
    X, y = data.spirals(90, n_classes=3, rng=0)
    ours, reference = (nn.MLP([2, 8, 3], activation="tanh", rng=1) for _ in range(2))
    training.train(ours, X, y, optimizer=optim.SGD(lr=0.5), epochs=1, batch_size=16, rng=7)
    manual_sgd_epoch(reference, X, y, lr=0.5, batch_size=16, seed=7)
    for a, b in zip(ours.params, reference.params, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_history_and_validation_set():
    X, y = data.two_moons(300, noise=0.1, rng=0)
    X_tr, X_val, y_tr, y_val = data.train_test_split(X, y, 0.25, rng=0)
    model = nn.MLP([2, 16, 16, 2], activation="tanh", rng=0)
    history = training.train(
        model,
        X_tr,
        y_tr,
        optimizer=optim.Adam(lr=0.01),
        epochs=40,
        batch_size=16,
        rng=0,
        X_val=X_val,
        y_val=y_val,
    )
    assert history.epochs == 40
    for values in (
        history.loss,
        history.accuracy,
        history.val_loss,
        history.val_accuracy,
        history.lr,
    ):
        assert len(values) == 40 and all(np.isfinite(values))
    assert history.loss[-1] < history.loss[0] / 5
    assert history.val_accuracy[-1] == pytest.approx(training.accuracy(model, X_val, y_val))
    assert history.val_loss[-1] == pytest.approx(losses.cross_entropy(model(X_val), y_val))
    assert history.val_accuracy[-1] >= 0.97
    assert history.lr == [0.01] * 40


def test_schedule_sets_the_learning_rate_each_epoch():
    X, y = data.blobs(40, centers=2, rng=0)
    opt = optim.SGD(lr=1.0)
    history = training.train(
        nn.MLP([2, 2]), X, y, optimizer=opt, epochs=4, schedule=lambda epoch: 0.1 / (1 + epoch)
    )
    np.testing.assert_allclose(history.lr, [0.1, 0.05, 0.1 / 3, 0.025])
    assert opt.lr == pytest.approx(0.025)


def test_mse_regression_and_binary_cross_entropy():
    X, y = data.noisy_regression(200, fn=np.sin, noise=0.05, rng=0)
    model = nn.MLP([1, 32, 32, 1], activation="tanh", rng=0)
    history = training.train(
        model, X, y, loss="mse", optimizer=optim.Adam(lr=0.01), epochs=150, batch_size=16, rng=0
    )
    assert history.accuracy == []  # no accuracy for regression
    grid = np.linspace(-2.5, 2.5, 50)[:, None]
    assert np.max(np.abs(model(grid)[:, 0] - np.sin(grid[:, 0]))) < 0.1
    assert history.loss[-1] < 0.01  # the noise alone gives 0.05² = 0.0025

    X, y = data.xor(200, noise=0.2, rng=0)
    model = nn.MLP([2, 8, 1], activation="tanh", rng=0)
    training.train(
        model,
        X,
        y,
        loss="binary_cross_entropy",
        optimizer=optim.Adam(lr=0.05),
        epochs=30,
        rng=0,
    )
    assert training.accuracy(model, X, y) >= 0.97


def test_custom_loss_pair():
    X, y = data.noisy_regression(50, fn=2, noise=0.0, rng=0)
    calls = []

    def half_sse(pred, target):
        calls.append(len(pred))
        return 0.5 * float(np.sum((pred[:, 0] - target) ** 2)) / len(pred)

    def half_sse_grad(pred, target):
        return (pred - target[:, None]) / len(pred)

    training.train(
        nn.MLP([1, 1]),
        X,
        y,
        loss=(half_sse, half_sse_grad),
        optimizer=optim.SGD(0.01),
        epochs=2,
        batch_size=20,
    )
    assert calls == [20, 20, 10] * 2


def test_predict_and_accuracy_by_hand():
    model = nn.MLP([2, 1])
    model.layers[0].W[:] = [[1.0, -1.0]]  # logit x1 - x2
    X = np.array([[2.0, 1.0], [0.0, 3.0], [1.0, 1.5], [5.0, 0.0]])
    np.testing.assert_array_equal(training.predict(model, X), [1, 0, 0, 1])
    assert training.accuracy(model, X, [1, 0, 1, 1]) == 0.75
    model = nn.MLP([2, 3])
    model.layers[0].W[:] = np.eye(3, 2)  # scores x1, x2, 0
    np.testing.assert_array_equal(
        training.predict(model, [[1.0, 2.0], [-1.0, -2.0], [3.0, 0.0]]), [1, 2, 0]
    )


def test_progress_bar_only_when_asked(capsys):
    X, y = data.blobs(20, centers=2, rng=0)
    assert training._show_progress(None) is False  # under pytest
    training.train(nn.MLP([2, 2]), X, y, epochs=2)
    assert capsys.readouterr().err == ""
    training.train(nn.MLP([2, 2]), X, y, epochs=2, progress=True)
    assert "2/2" in capsys.readouterr().err


def test_divergence_raises_instead_of_returning_nan():
    X, y = data.noisy_regression(64, fn=lambda x: 100 * x, noise=0.0, rng=0)
    model = nn.MLP([1, 16, 1], activation="relu", rng=0)
    with pytest.raises(FloatingPointError, match="learning rate"):
        training.train(model, X, y, loss="mse", optimizer=optim.SGD(lr=10.0), epochs=50)


def bad_lr_optimizer():
    opt = optim.SGD(lr=0.1)
    opt.lr = -0.1
    return opt


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"X": np.array([[np.nan, 0.0]] * 4)}, ValueError, "X contains 4 NaN"),
        ({"X": np.zeros((0, 2)), "y": np.zeros(0, int)}, ValueError, "X must not be empty"),
        ({"X": np.zeros((4, 3))}, ValueError, r"X must have 2 features .* \(4, 3\)"),
        ({"y": np.array([0, 1, 2, 0])}, ValueError, "y must hold class labels 0, ..., 1.* 0 to 2"),
        ({"y": np.array([0, -1, 1, 0])}, ValueError, "y must hold class labels"),
        ({"y": np.array([0.5, 1, 1, 0])}, ValueError, "y must hold whole numbers"),
        ({"y": np.array([0, 1, 1])}, ValueError, r"X and y .* 4 and 3"),
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
        ({"epochs": 0}, ValueError, "epochs must be >= 1"),
        ({"optimizer": bad_lr_optimizer()}, ValueError, "optimizer.lr must be > 0"),
        ({"schedule": lambda epoch: -1.0}, ValueError, r"schedule\(0\) must be > 0"),
        ({"X_val": np.zeros((2, 2))}, ValueError, "X_val and y_val"),
        ({"X_val": np.zeros((2, 2)), "y_val": [0, 5]}, ValueError, "y_val must hold class labels"),
        ({"loss": "hinge"}, ValueError, "loss must be one of"),
        ({"loss": "mse", "y": np.zeros((4, 3))}, ValueError, r"y must have shape \(n, 2\)"),
        ({"optimizer": object()}, TypeError, "optimizer must have a step"),
        ({"model": "mlp"}, TypeError, "model must be an nblib.nn.MLP"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, match):
    args = {"model": nn.MLP([2, 2]), "X": np.zeros((4, 2)), "y": np.array([0, 1, 1, 0])}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        training.train(**args)


def test_logit_losses_refuse_a_sigmoid_output():
    with pytest.raises(ValueError, match="output_activation='identity'"):
        training.train(
            nn.MLP([2, 1], output_activation="sigmoid"),
            np.zeros((4, 2)),
            np.array([0, 1, 1, 0]),
            loss="binary_cross_entropy",
        )
