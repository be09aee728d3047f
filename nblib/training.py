"""A training loop for ``nn.MLP``: minibatch gradient descent with any optimizer.

One epoch visits the training set once, in a fresh random order, in minibatches B:

.. math::  θ ← \\mathrm{step}\\big(θ, ∇_θ \\tfrac{1}{|B|} \\textstyle\\sum_{i∈B} ℓ(f_θ(x_i), y_i)\\big)

where the gradient comes from backpropagation (``model.backward``) and the step from the
optimizer (``optimizer.step(model.params, model.grads)``, e.g. θ ← θ − η∇ for SGD).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import losses, optim
from ._validate import as_float_array, as_int_array, check_same_length, check_scalar
from .nn import MLP

# loss name -> is it a classification loss (integer labels / 0-1 targets)?
LOSSES = {"cross_entropy": True, "binary_cross_entropy": True, "mse": False}

LossPair = tuple[
    Callable[[np.ndarray, np.ndarray], float], Callable[[np.ndarray, np.ndarray], np.ndarray]
]


@dataclass
class History:
    """What happened during training, one entry per epoch.

    ``loss`` is the mean training loss over the epoch's minibatches (as the parameters
    moved); ``accuracy`` the fraction of those minibatch samples classified correctly
    (classification losses only); ``val_loss`` and ``val_accuracy`` are measured on the
    validation set after each epoch, when one is given; ``lr`` is the learning rate used.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.loss)


# ---------------------------------------------------------------------------
# Predictions
# ---------------------------------------------------------------------------


def _labels_from_output(model: MLP, out: np.ndarray) -> np.ndarray:
    """Class labels from network outputs: argmax of the scores, or a threshold for one output."""
    if out.shape[1] > 1:
        return np.argmax(out, axis=1)
    threshold = 0.5 if model.layers[-1].activation == "sigmoid" else 0.0  # σ(z) > 1/2 ⇔ z > 0
    return (out[:, 0] > threshold).astype(np.int64)


def predict(model: MLP, X: np.ndarray) -> np.ndarray:
    """Predicted class labels, shape ``(n,)``.

    With several outputs, the class with the largest score (logit); with one output, 1
    where the logit is > 0 (or the output > 1/2 if the output activation is sigmoid).
    For regression, use ``model(X)`` itself.
    """
    return _labels_from_output(model, model.forward(np.atleast_2d(X)))


def accuracy(model: MLP, X: np.ndarray, y: np.ndarray) -> float:
    """The fraction of samples whose predicted class equals the label ``y``."""
    X = np.atleast_2d(as_float_array(X, "X", ndim=(1, 2)))
    y = as_int_array(y, "y", ndim=1)
    check_same_length(X, y, "X", "y")
    return float(np.mean(predict(model, X) == y))


# ---------------------------------------------------------------------------
# Checks, done once before the loop so the loop itself runs unchecked
# ---------------------------------------------------------------------------


def _loss_functions(loss: str | LossPair) -> tuple[LossPair, bool]:
    """The loss and its gradient ∂ℓ/∂prediction, and whether it is a classification loss."""
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(
                f"loss must be one of {', '.join(map(repr, LOSSES))} or a pair "
                f"(loss_fn, loss_grad), got {loss!r}"
            )
        return (getattr(losses, loss), getattr(losses, loss + "_grad")), LOSSES[loss]
    if isinstance(loss, tuple) and len(loss) == 2 and all(map(callable, loss)):
        return loss, False
    raise TypeError(f"loss must be a name or a pair (loss_fn, loss_grad), got {loss!r}")


def _check_data(model: MLP, X: Any, y: Any, loss: Any, x_name: str, y_name: str):
    """X as a (n, n_in) array in the model's dtype, y as the loss expects it."""
    X = as_float_array(X, x_name, ndim=2, dtype=model.dtype)
    if X.shape[1] != model.sizes[0]:
        raise ValueError(
            f"{x_name} must have {model.sizes[0]} features (columns) for the model's input "
            f"layer, got shape {X.shape}"
        )
    n_out = model.sizes[-1]
    if loss == "cross_entropy":
        y = as_int_array(y, y_name, ndim=1)
        if n_out < 2:
            raise ValueError(
                "loss='cross_entropy' needs a model with at least 2 outputs (one per class)"
            )
        if y.size and (y.min() < 0 or y.max() >= n_out):
            raise ValueError(
                f"{y_name} must hold class labels 0, ..., {n_out - 1} (one per model output), "
                f"got labels from {y.min()} to {y.max()}"
            )
    elif isinstance(loss, str):  # mse, binary_cross_entropy: one target per output
        y = as_float_array(y, y_name, ndim=(1, 2), dtype=model.dtype)
        if y.ndim == 1 and n_out == 1:
            y = y[:, None]
        if y.shape[1:] != (n_out,):
            raise ValueError(
                f"{y_name} must have shape (n, {n_out}) for a model with {n_out} outputs, got {y.shape}"
            )
        if loss == "binary_cross_entropy" and np.any((y < 0) | (y > 1)):
            raise ValueError(f"{y_name} must hold targets in [0, 1] for binary_cross_entropy")
    else:
        y = np.asarray(y)
    check_same_length(X, y, x_name, y_name)
    return X, y


def _check_lr(lr: Any, name: str) -> float:
    return check_scalar(lr, name, low=0.0, low_inclusive=False)


def _show_progress(progress: bool | None) -> bool:
    """Whether to draw a progress bar: ``progress`` if given, else only in a live notebook.

    A live notebook is an IPython kernel started by a Jupyter server (which sets
    ``JPY_SESSION_NAME``) or Colab, outside pytest and CI. Notebooks executed in batch
    (nbclient, nbval, a Jupyter Book build) stay quiet; ``NBLIB_PROGRESS=0/1`` overrides.
    """
    if progress is not None:
        return bool(progress)
    env = os.environ
    if env.get("NBLIB_PROGRESS") in ("0", "1"):
        return env["NBLIB_PROGRESS"] == "1"
    if env.get("CI") or "PYTEST_CURRENT_TEST" in env:
        return False
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    in_kernel = type(shell).__name__ == "ZMQInteractiveShell"
    return in_kernel and ("JPY_SESSION_NAME" in env or "google.colab" in sys.modules)


# ---------------------------------------------------------------------------
# The loop
# ---------------------------------------------------------------------------


def _epoch(model, X, y, batches, loss_fn, loss_grad, optimizer, count_correct):
    """One pass over the minibatches: forward, loss, backward, step.

    Returns the loss summed over samples and the number classified correctly (if
    ``count_correct`` is given). The data were checked once by ``train``, so the model's
    unchecked ``_forward``/``_backward`` are used.
    """
    total_loss, correct = 0.0, 0
    for batch in batches:
        xb, yb = X[batch], y[batch]
        out = model._forward(xb)
        batch_loss = loss_fn(out, yb)
        if not np.isfinite(batch_loss):
            raise FloatingPointError(f"the loss became {batch_loss}")
        model._backward(loss_grad(out, yb), input_grad=False)  # ∂L/∂x of the data is not needed
        optimizer.step(model.params, model.grads)
        total_loss += batch_loss * len(batch)
        if count_correct is not None:
            correct += count_correct(out, yb)
    return total_loss, correct


def train(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    loss: str | LossPair = "cross_entropy",
    optimizer: Any = None,
    *,
    epochs: int = 10,
    batch_size: int = 32,
    rng: np.random.Generator | int | None = None,
    schedule: Callable[[int], float] | None = None,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    progress: bool | None = None,
) -> History:
    """Fit ``model`` to ``(X, y)`` by minibatch gradient descent; returns a ``History``.

    loss : ``"cross_entropy"`` (integer labels ``y``, model outputs are logits),
        ``"binary_cross_entropy"`` (one logit output, targets in [0, 1]), ``"mse"``, or a
        pair ``(loss_fn, loss_grad)`` with the signatures of ``nblib.losses``.
    optimizer : any object with ``step(params, grads)`` and a learning rate ``lr``
        (``nblib.optim``); default ``optim.Adam(lr=1e-3)``. It updates ``model.params`` in place.
    epochs, batch_size : passes over the data, and samples per step (the last batch of an
        epoch may be smaller).
    rng : seed or generator for the order of the samples in each epoch.
    schedule : ``schedule(epoch) -> lr``, called before each epoch (epochs count from 0).
    X_val, y_val : a validation set, evaluated after every epoch.
    progress : draw a progress bar (``tqdm``); ``None`` draws one only in a live notebook.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an nblib.nn.MLP, got {type(model).__name__}")
    (loss_fn, loss_grad), classify = _loss_functions(loss)
    if classify and model.layers[-1].activation == "sigmoid":
        raise ValueError(
            f"loss={loss!r} takes logits, but the model's output activation is sigmoid; "
            "build the model with output_activation='identity'"
        )
    X, y = _check_data(model, X, y, loss, "X", "y")
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    if X_val is not None:
        X_val, y_val = _check_data(model, X_val, y_val, loss, "X_val", "y_val")
    epochs = check_scalar(epochs, "epochs", low=1, integer=True)
    batch_size = check_scalar(batch_size, "batch_size", low=1, integer=True)
    if optimizer is None:
        optimizer = optim.Adam(lr=1e-3)
    if not callable(getattr(optimizer, "step", None)) or not hasattr(optimizer, "lr"):
        raise TypeError(
            f"optimizer must have a step(params, grads) method and an lr, got {optimizer!r}"
        )
    _check_lr(optimizer.lr, "optimizer.lr")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a function epoch -> learning rate, got {schedule!r}")
    rng = np.random.default_rng(rng)

    def count_correct(out: np.ndarray, targets: np.ndarray) -> int:
        labels = targets if targets.ndim == 1 else targets[:, 0] > 0.5
        return int(np.count_nonzero(_labels_from_output(model, out) == labels))

    counter = count_correct if classify else None

    history = History()
    n = len(X)
    bar = range(epochs)
    if _show_progress(progress):
        from tqdm.auto import tqdm

        bar = tqdm(bar, desc="training", unit="epoch")
    for epoch in bar:
        if schedule is not None:
            optimizer.lr = _check_lr(schedule(epoch), f"schedule({epoch})")
        history.lr.append(float(optimizer.lr))
        order = rng.permutation(n)
        batches = [order[start : start + batch_size] for start in range(0, n, batch_size)]
        try:  # overflow or 0/0 anywhere in a step stops training with a message, not NaNs
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                total_loss, correct = _epoch(
                    model, X, y, batches, loss_fn, loss_grad, optimizer, counter
                )
        except FloatingPointError as exc:
            raise FloatingPointError(
                f"training diverged in epoch {epoch} ({exc}); the learning rate "
                f"(optimizer.lr = {optimizer.lr}) may be too large"
            ) from exc
        history.loss.append(total_loss / n)
        postfix = {"loss": history.loss[-1]}
        if classify:
            history.accuracy.append(correct / n)
        if X_val is not None:
            out = model._forward(X_val)
            history.val_loss.append(float(loss_fn(out, y_val)))
            postfix["val_loss"] = history.val_loss[-1]
            if classify:
                history.val_accuracy.append(count_correct(out, y_val) / len(X_val))
                postfix["val_acc"] = history.val_accuracy[-1]
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(postfix)
    return history
