"""Loss functions and weight penalties, each with its gradient.

One convention throughout:

- ``name(pred, target)`` returns the loss as a Python float, averaged over the batch
  (over every entry, as ``torch.nn.functional`` does with ``reduction="mean"``);
- ``name_grad(pred, target)``, with the same arguments, returns ∂loss/∂pred, an array
  of the shape of its first argument. It is what backpropagation starts from
  (``model.backward(cross_entropy_grad(logits, labels))``).

The penalties ``l1_penalty(params, lam)`` and ``l2_penalty(params, lam)`` are sums, not
means, and their ``_grad`` returns one gradient per parameter array.

Classification losses take **logits** (unnormalized scores), never probabilities: the
log of a softmax or sigmoid is computed in one stable step (log-sum-exp, softplus), so
logits of ±10⁴ give the right finite loss instead of ``log(0)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._validate import as_float_array, as_int_array, check_same_length, check_scalar
from .nn import log_softmax, sigmoid, softmax

# ---------------------------------------------------------------------------
# Checks shared by the losses
# ---------------------------------------------------------------------------


def _pair(pred: Any, target: Any, pred_name: str, target_name: str):
    """Both arrays as floats of the same shape (``target`` in ``pred``'s dtype)."""
    pred = as_float_array(pred, pred_name)
    target = as_float_array(target, target_name, dtype=pred.dtype)
    if pred.shape != target.shape:
        raise ValueError(
            f"{pred_name} and {target_name} must have the same shape, "
            f"got {pred.shape} and {target.shape}"
        )
    return pred, target


def _logits_labels(logits: Any, labels: Any):
    """Logits of shape (batch, n_classes) and integer labels in [0, n_classes)."""
    logits = as_float_array(logits, "logits", ndim=2)
    labels = as_int_array(labels, "labels", ndim=1)
    check_same_length(logits, labels, "logits", "labels")
    n_classes = logits.shape[1]
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(
            f"labels must be class indices in [0, {n_classes}) for logits of shape "
            f"{logits.shape}, got labels from {labels.min()} to {labels.max()}"
        )
    return logits, labels


def _param_list(params: Any) -> tuple[list[np.ndarray], bool]:
    """A list of float arrays ``params[i]``, and whether a single array was given."""
    single = not isinstance(params, (list, tuple))
    items = [params] if single else list(params)
    if not items:
        raise ValueError("params must hold at least one array, got an empty list")
    names = ["params"] if single else [f"params[{i}]" for i in range(len(items))]
    return [as_float_array(p, name) for p, name in zip(items, names, strict=True)], single


# ---------------------------------------------------------------------------
# Regression losses
# ---------------------------------------------------------------------------


def mse(pred: np.ndarray, target: np.ndarray) -> float:
    """Mean squared error L = (1/N) Σᵢ (predᵢ − targetᵢ)², the mean over all N entries
    (``torch.nn.functional.mse_loss``). No factor ½."""
    pred, target = _pair(pred, target, "pred", "target")
    return float(np.mean((pred - target) ** 2))


def mse_grad(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """∂L/∂pred = 2 (pred − target) / N."""
    pred, target = _pair(pred, target, "pred", "target")
    return 2 * (pred - target) / pred.size


def _check_delta(delta: float) -> float:
    return check_scalar(delta, "delta", low=0.0, low_inclusive=False)


def huber(pred: np.ndarray, target: np.ndarray, delta: float = 1.0) -> float:
    """Huber loss, the mean over all entries of, with r = pred − target,

    .. math::  ℓ(r) = ½ r²  if |r| ≤ δ,   δ (|r| − ½ δ)  otherwise:

    quadratic near 0, linear (so robust to outliers) beyond δ, with a continuous
    derivative. Equals ``torch.nn.functional.huber_loss(pred, target, delta=δ)``.
    """
    pred, target = _pair(pred, target, "pred", "target")
    delta = _check_delta(delta)
    r = np.abs(pred - target)
    return float(np.mean(np.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta))))


def huber_grad(pred: np.ndarray, target: np.ndarray, delta: float = 1.0) -> np.ndarray:
    """∂L/∂pred = clip(pred − target, −δ, δ) / N."""
    pred, target = _pair(pred, target, "pred", "target")
    delta = _check_delta(delta)
    return np.clip(pred - target, -delta, delta) / pred.size


# ---------------------------------------------------------------------------
# Classification losses, from logits
# ---------------------------------------------------------------------------


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Softmax cross-entropy averaged over the batch:

    .. math::  L = −(1/n) Σᵢ log softmax(zᵢ)_{yᵢ} = (1/n) Σᵢ (log Σⱼ e^{z_{ij}} − z_{i,yᵢ})

    ``logits`` z of shape (batch, n_classes), ``labels`` y integers in [0, n_classes) of
    shape (batch,). The log-sum-exp is shifted by maxⱼ z_{ij}, so it never overflows.
    Equals ``torch.nn.functional.cross_entropy(logits, labels)``.
    """
    logits, labels = _logits_labels(logits, labels)
    return float(-np.mean(log_softmax(logits)[np.arange(len(labels)), labels]))


def cross_entropy_grad(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """∂L/∂z = (softmax(z) − onehot(y)) / n, shape (batch, n_classes)."""
    logits, labels = _logits_labels(logits, labels)
    grad = softmax(logits)
    grad[np.arange(len(labels)), labels] -= 1
    return grad / len(labels)


def _logits_targets(logits: Any, targets: Any):
    logits, targets = _pair(logits, targets, "logits", "targets")
    if np.any((targets < 0) | (targets > 1)):
        raise ValueError(
            f"targets must be probabilities in [0, 1], got values from "
            f"{targets.min():.3g} to {targets.max():.3g}"
        )
    return logits, targets


def binary_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    """Binary cross-entropy of targets t ∈ [0, 1] under p = σ(z), from the logits z,
    the mean over all entries:

    .. math::  ℓ = −t log σ(z) − (1 − t) log(1 − σ(z)) = softplus(z) − t z

    using log σ(z) = −softplus(−z) and softplus(z) = log(1 + eᶻ) = max(z, 0) + log1p(e^{−|z|}),
    which is exact and finite for any z. Equals
    ``torch.nn.functional.binary_cross_entropy_with_logits(logits, targets)``.
    """
    z, t = _logits_targets(logits, targets)
    softplus = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(softplus - t * z))


def binary_cross_entropy_grad(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """∂L/∂z = (σ(z) − t) / N."""
    z, t = _logits_targets(logits, targets)
    return (sigmoid(z) - t) / z.size


# ---------------------------------------------------------------------------
# Penalties (regularization)
# ---------------------------------------------------------------------------

Params = np.ndarray | Sequence[np.ndarray]


def _check_lam(lam: float) -> float:
    return check_scalar(lam, "lam", low=0.0)


def l1_penalty(params: Params, lam: float) -> float:
    """R(w) = λ Σ |w|, summed over every entry of every array in ``params``
    (an array or a list of arrays, e.g. ``model.params``)."""
    arrays, _ = _param_list(params)
    lam = _check_lam(lam)
    return lam * float(sum(np.sum(np.abs(w)) for w in arrays))


def l1_penalty_grad(params: Params, lam: float) -> np.ndarray | list[np.ndarray]:
    """∂R/∂w = λ sign(w), using the subgradient 0 at w = 0; an array for an array,
    a list for a list."""
    arrays, single = _param_list(params)
    lam = _check_lam(lam)
    grads = [lam * np.sign(w) for w in arrays]
    return grads[0] if single else grads


def l2_penalty(params: Params, lam: float) -> float:
    """R(w) = (λ/2) Σ w², summed over every entry of every array in ``params``.

    The ½ makes the gradient λw, so adding R to the loss is torch's ``weight_decay=λ``
    (in SGD and Adam, which add λw to the gradient).
    """
    arrays, _ = _param_list(params)
    lam = _check_lam(lam)
    return 0.5 * lam * float(sum(np.sum(w**2) for w in arrays))


def l2_penalty_grad(params: Params, lam: float) -> np.ndarray | list[np.ndarray]:
    """∂R/∂w = λ w; an array for an array, a list for a list."""
    arrays, single = _param_list(params)
    lam = _check_lam(lam)
    grads = [lam * w for w in arrays]
    return grads[0] if single else grads
