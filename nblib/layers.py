"""Layers of modern architectures: batch and layer normalization, residual blocks, attention.

Every layer follows ``nblib.nn.Dense``: ``forward(x)`` keeps what ``backward`` needs,
``backward(∂L/∂y)`` stores the parameter gradients (overwritten, not accumulated) and
returns ∂L/∂x, and ``params``/``grads`` are lists in the same order, so the layers chain
with ``Dense`` and any ``nblib.optim`` optimizer. Names, defaults and numbers are PyTorch's
(``nn.BatchNorm1d``, ``nn.LayerNorm``, ``F.scaled_dot_product_attention``).

Normalization. With x̂ = (x − μ)/√(σ² + ε) and y = γ ⊙ x̂ + β, where μ and σ² (biased) are
taken over the batch (BatchNorm, per feature) or over the features (LayerNorm, per
sample), of n values each, the backward pass is

.. math::  ∂L/∂γ = Σ ∂L/∂y ⊙ x̂,   ∂L/∂β = Σ ∂L/∂y
.. math::  g = γ ⊙ ∂L/∂y,   ∂L/∂x = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) / √(σ² + ε)       (norm.1)

(the two means over the same n values as μ: they are the parts of g along the directions
that μ and σ² remove). In evaluation mode BatchNorm uses fixed running statistics, so it
is affine and ∂L/∂x = γ ⊙ ∂L/∂y / √(running_var + ε).

Attention. For queries Q (T_q × d_k), keys K (T_k × d_k) and values V (T_k × d_v),

.. math::  S = Q Kᵀ / √d_k,   P = softmax_row(S),   O = P V                             (att.1)

(the 1/√d_k keeps the variance of each score near 1 when the entries of Q and K are
independent with variance 1, so the softmax does not saturate as d_k grows), and

.. math::  dV = Pᵀ dO,   dP = dO Vᵀ,   dS = P ⊙ (dP − rowsum(dP ⊙ P)),
           dQ = dS K / √d_k,   dK = dSᵀ Q / √d_k                                          (att.2)

where the middle line is the softmax Jacobian diag(p) − p pᵀ applied row by row.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import as_float_array, check_scalar

_FLOATS = (np.float32, np.float64)


def _check_dtype(dtype: Any) -> np.dtype:
    if np.dtype(dtype) not in _FLOATS:
        raise ValueError(f"dtype must be np.float32 or np.float64, got {dtype!r}")
    return np.dtype(dtype)


def _norm_backward(g: np.ndarray, xhat: np.ndarray, inv_std: np.ndarray, axis: int) -> np.ndarray:
    """Eq. (norm.1): ∂L/∂x from g = γ ⊙ ∂L/∂y, with the means over ``axis``."""
    mean_g = g.mean(axis=axis, keepdims=True)
    mean_gx = (g * xhat).mean(axis=axis, keepdims=True)
    return (g - mean_g - xhat * mean_gx) * inv_std


class _Norm:
    """Shared parameters (γ = 1, β = 0 at the start, as PyTorch), checks and gradients."""

    def __init__(self, n_features, eps, dtype, name) -> None:
        self.n_features = check_scalar(n_features, "n_features", low=1, integer=True)
        self.eps = check_scalar(eps, "eps", low=0)
        dtype = _check_dtype(dtype)
        self.gamma = np.ones(self.n_features, dtype=dtype)  # PyTorch's ``weight``
        self.beta = np.zeros(self.n_features, dtype=dtype)  # PyTorch's ``bias``
        self.name = name
        self.dgamma: np.ndarray | None = None  # ∂L/∂γ, set by backward
        self.dbeta: np.ndarray | None = None  # ∂L/∂β, set by backward
        self._xhat: np.ndarray | None = None  # cached by forward
        self._inv_std: np.ndarray | None = None

    @property
    def dtype(self) -> np.dtype:
        """The dtype of the parameters (inputs are converted to it)."""
        return self.gamma.dtype

    @property
    def params(self) -> list[np.ndarray]:
        """``[gamma, beta]`` (PyTorch's ``weight`` and ``bias``); optimizers update them in place."""
        return [self.gamma, self.beta]

    @property
    def grads(self) -> list[np.ndarray]:
        """The gradients ``[dgamma, dbeta]`` from the last ``backward``, in the order of ``params``."""
        if self.dgamma is None or self.dbeta is None:
            raise RuntimeError(f"{self.name} has no gradients yet: call forward, then backward")
        return [self.dgamma, self.dbeta]

    def _check_input(self, x, ndim, shape_text: str) -> np.ndarray:
        x = as_float_array(x, f"input of {self.name}", ndim=ndim, dtype=self.dtype)
        if x.shape[-1] != self.n_features:
            raise ValueError(
                f"{self.name} expects inputs of shape {shape_text} with n_features = "
                f"{self.n_features} last, got shape {x.shape}"
            )
        return x

    def _check_grad(self, grad_output) -> np.ndarray:
        if self._xhat is None:
            raise RuntimeError(f"{self.name}: backward needs a forward pass first; call forward")
        grad_output = as_float_array(
            grad_output, f"grad_output of {self.name}", dtype=self.dtype, nonempty=False
        )
        if grad_output.shape != self._xhat.shape:
            raise ValueError(
                f"grad_output of {self.name} must have the shape of its last output "
                f"{self._xhat.shape}, got shape {grad_output.shape}"
            )
        return grad_output

    def _param_grads(self, grad_output: np.ndarray) -> None:
        """∂L/∂γ = Σ ∂L/∂y ⊙ x̂ and ∂L/∂β = Σ ∂L/∂y over every axis but the features."""
        axes = tuple(range(grad_output.ndim - 1))
        self.dgamma = (grad_output * self._xhat).sum(axis=axes)
        self.dbeta = grad_output.sum(axis=axes)


class BatchNorm(_Norm):
    """Batch normalization (Ioffe & Szegedy 2015) of ``(batch, n_features)`` inputs, as
    PyTorch's ``nn.BatchNorm1d``.

    Training mode (``training = True``, the default): each feature is normalized by the
    mean and biased variance of the batch, y = γ ⊙ (x − μ_B)/√(σ²_B + ε) + β, and the
    running statistics are updated as PyTorch does, with the *unbiased* batch variance:
    ``running_mean ← (1 − m)·running_mean + m·μ_B``,
    ``running_var ← (1 − m)·running_var + m·σ²_B·n/(n − 1)`` (they start at 0 and 1).
    Evaluation mode (``training = False``): the running statistics replace the batch's,
    so the layer is a fixed affine map and one sample's output does not depend on the others.

    Switch with the attribute ``training`` or, as in PyTorch, ``train()`` / ``eval()``
    (both return the layer). ``backward`` uses the mode of the last ``forward``.

    Parameters
    ----------
    n_features : number of features (PyTorch's ``num_features``).
    momentum : m above, in [0, 1]; default 0.1 as PyTorch.
    eps : ε added to the variance, default 1e-5 as PyTorch (0 is allowed: the layer is then
        exactly invariant to rescaling its input, which the book uses; a zero-variance
        feature is then an error).
    dtype : ``np.float64`` or ``np.float32``; inputs are converted to it.
    name : used in error messages.
    """

    def __init__(
        self,
        n_features: int,
        *,
        momentum: float = 0.1,
        eps: float = 1e-5,
        dtype: type = np.float64,
        name: str = "batchnorm",
    ) -> None:
        super().__init__(n_features, eps, dtype, name)
        self.momentum = check_scalar(momentum, "momentum", low=0, high=1)
        self.running_mean = np.zeros(self.n_features, dtype=self.dtype)
        self.running_var = np.ones(self.n_features, dtype=self.dtype)
        self.training = True
        self._trained_forward = True  # the mode of the last forward pass

    def __repr__(self) -> str:
        mode = "train" if self.training else "eval"
        return f"BatchNorm({self.n_features}, {mode})"

    def train(self, mode: bool = True) -> BatchNorm:
        """Set training mode (``mode=False``: evaluation mode); returns the layer, as PyTorch."""
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"mode must be True or False, got {mode!r}")
        self.training = bool(mode)
        return self

    def eval(self) -> BatchNorm:
        """Set evaluation mode (use the running statistics); returns the layer."""
        return self.train(False)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y = γ ⊙ x̂ + β: ``(batch, n_features) -> (batch, n_features)``.

        In training mode also updates ``running_mean`` and ``running_var`` (in place).
        """
        x = self._check_input(x, 2, f"(batch, {self.n_features})")
        if self.training:
            n = x.shape[0]
            if n < 2:
                raise ValueError(
                    f"input of {self.name} must hold at least 2 samples in training mode (the "
                    f"batch variance of one sample is 0 and its unbiased estimate undefined), "
                    f"got shape {x.shape}; call eval() to use the running statistics"
                )
            mean = x.mean(axis=0)
            var = x.var(axis=0)  # biased: what the normalization uses
            if self.eps == 0 and np.any(var == 0):
                bad = np.flatnonzero(var == 0).tolist()
                raise ValueError(
                    f"input of {self.name} has zero batch variance in feature(s) {bad} and "
                    "eps = 0: the normalization divides by 0; use eps > 0"
                )
            m = self.momentum
            self.running_mean *= 1 - m
            self.running_mean += m * mean
            self.running_var *= 1 - m
            self.running_var += m * var * (n / (n - 1))  # unbiased, as PyTorch
        else:
            mean, var = self.running_mean, self.running_var
        inv_std = 1.0 / np.sqrt(var + self.eps)
        xhat = (x - mean) * inv_std
        self._xhat, self._inv_std, self._trained_forward = xhat, inv_std, self.training
        return self.gamma * xhat + self.beta

    __call__ = forward

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """Store ``dgamma``, ``dbeta`` and return ∂L/∂x, eq. (norm.1) with means over the batch
        (training mode) or γ ⊙ ∂L/∂y / √(running_var + ε) (evaluation mode)."""
        grad_output = self._check_grad(grad_output)
        self._param_grads(grad_output)
        g = grad_output * self.gamma
        if not self._trained_forward:
            return g * self._inv_std
        return _norm_backward(g, self._xhat, self._inv_std, axis=0)


class LayerNorm(_Norm):
    """Layer normalization (Ba et al. 2016) over the last axis, as PyTorch's
    ``nn.LayerNorm(n_features)`` (elementwise affine, ε = 1e-5).

    Each sample (each row of the last axis) is normalized by its own mean and biased
    variance over the ``n_features`` values, y = γ ⊙ (x − μ)/√(σ² + ε) + β; there are no
    running statistics and no training/evaluation difference. Inputs of any shape
    ``(..., n_features)``: ``(batch, n_features)``, or ``(batch, T, n_features)`` for sequences.

    Parameters
    ----------
    n_features : size of the last axis (PyTorch's ``normalized_shape``).
    eps : ε added to the variance, default 1e-5 as PyTorch.
    dtype : ``np.float64`` or ``np.float32``; inputs are converted to it.
    name : used in error messages.
    """

    def __init__(
        self,
        n_features: int,
        *,
        eps: float = 1e-5,
        dtype: type = np.float64,
        name: str = "layernorm",
    ) -> None:
        super().__init__(n_features, eps, dtype, name)

    def __repr__(self) -> str:
        return f"LayerNorm({self.n_features})"

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y = γ ⊙ x̂ + β with statistics over the last axis: ``(..., n) -> (..., n)``."""
        if np.ndim(x) == 0:
            raise ValueError(f"input of {self.name} must be at least 1-d, got a scalar")
        x = self._check_input(x, None, f"(..., {self.n_features})")
        mean = x.mean(axis=-1, keepdims=True)
        var = x.var(axis=-1, keepdims=True)
        if self.eps == 0 and np.any(var == 0):
            raise ValueError(
                f"input of {self.name} has a sample with zero variance over its features and "
                "eps = 0: the normalization divides by 0; use eps > 0"
            )
        inv_std = 1.0 / np.sqrt(var + self.eps)
        xhat = (x - mean) * inv_std
        self._xhat, self._inv_std = xhat, inv_std
        return self.gamma * xhat + self.beta

    __call__ = forward

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """Store ``dgamma``, ``dbeta`` and return ∂L/∂x, eq. (norm.1) with means over the features."""
        grad_output = self._check_grad(grad_output)
        self._param_grads(grad_output)
        return _norm_backward(grad_output * self.gamma, self._xhat, self._inv_std, axis=-1)


class Residual:
    """A residual (skip) connection y = x + f(x) around a block f (He et al. 2016).

    ``block`` is any object with ``forward``, ``backward``, ``params`` and ``grads`` whose
    output has the shape of its input (a square ``nn.Dense``, a ``LayerNorm``, a small
    stack). Its backward is the identity plus the block's:
    ∂L/∂x = ∂L/∂y + (∂f/∂x)ᵀ ∂L/∂y, so the gradient always has a path that no
    layer multiplies. ``params`` and ``grads`` are the block's.
    """

    def __init__(self, block: Any, *, name: str = "residual") -> None:
        # look on the class (a ``grads`` property raises before backward) and the instance
        has = {a for a in ("forward", "backward", "params", "grads") if hasattr(type(block), a)}
        has |= set(getattr(block, "__dict__", {}))
        missing = [a for a in ("forward", "backward", "params", "grads") if a not in has]
        if missing:
            raise TypeError(
                f"block must have forward, backward, params and grads (like nblib.nn.Dense); "
                f"{type(block).__name__} lacks {', '.join(missing)}"
            )
        self.block = block
        self.name = name

    def __repr__(self) -> str:
        return f"Residual({self.block!r})"

    @property
    def params(self) -> list[np.ndarray]:
        """The block's parameters (the skip connection has none)."""
        return self.block.params

    @property
    def grads(self) -> list[np.ndarray]:
        """The block's gradients from the last ``backward``."""
        return self.block.grads

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y = x + block(x); the block must keep the shape of x."""
        x = as_float_array(x, f"input of {self.name}")
        fx = self.block.forward(x)
        if np.shape(fx) != x.shape:
            raise ValueError(
                f"block of {self.name} must return the shape of its input {x.shape} so that "
                f"x + block(x) is defined, got shape {np.shape(fx)}"
            )
        return x + fx

    __call__ = forward

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """∂L/∂x = ∂L/∂y + the block's backward of ∂L/∂y (which also stores the block's grads)."""
        grad_output = as_float_array(grad_output, f"grad_output of {self.name}")
        return grad_output + self.block.backward(grad_output)


# ---------------------------------------------------------------------------
# Scaled dot-product attention
# ---------------------------------------------------------------------------


def _check_attention(Q, K, V, mask):
    """Check shapes and the mask; return batched float arrays, the mask and whether Q was 2-d."""
    Q = as_float_array(Q, "Q", ndim=(2, 3))
    K = as_float_array(K, "K", ndim=(2, 3))
    V = as_float_array(V, "V", ndim=(2, 3))
    if not Q.ndim == K.ndim == V.ndim:
        raise ValueError(
            f"Q, K and V must all be (batch, T, d) or all (T, d), got shapes "
            f"{Q.shape}, {K.shape} and {V.shape}"
        )
    unbatched = Q.ndim == 2
    if unbatched:
        Q, K, V = Q[None], K[None], V[None]
    dtype = np.result_type(Q, K, V)
    Q, K, V = Q.astype(dtype, copy=False), K.astype(dtype, copy=False), V.astype(dtype, copy=False)
    if not Q.shape[0] == K.shape[0] == V.shape[0]:
        raise ValueError(
            f"Q, K and V must have the same batch size, got shapes {Q.shape}, {K.shape} and {V.shape}"
        )
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(
            f"Q and K must have the same last dimension d_k (a score is a dot product q·k), "
            f"got shapes {Q.shape} and {K.shape}"
        )
    if K.shape[1] != V.shape[1]:
        raise ValueError(
            f"K and V must have the same number of positions T_k (one value per key), "
            f"got shapes {K.shape} and {V.shape}"
        )
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise TypeError(
                f"mask must be a boolean array, True where attention is allowed (PyTorch's "
                f"boolean attn_mask), got dtype {mask.dtype}; additive float masks are not accepted"
            )
        T_q, T_k = Q.shape[1], K.shape[1]
        allowed = [(T_q, T_k)] if unbatched else [(T_q, T_k), (Q.shape[0], T_q, T_k)]
        if mask.shape not in allowed:
            want = " or ".join(map(str, allowed))
            raise ValueError(f"mask must have shape (T_q, T_k) = {want}, got shape {mask.shape}")
        empty = ~mask.any(axis=-1)
        if empty.any():
            rows = (np.flatnonzero(empty) if empty.ndim == 1 else np.argwhere(empty)).tolist()
            raise ValueError(
                f"mask allows no key for query row(s) {rows[:5]}{' ...' if len(rows) > 5 else ''}: "
                "the softmax over an empty set is undefined (PyTorch returns NaN or zeros, "
                "depending on its version); "
                "allow at least one key per query"
            )
    return Q, K, V, mask, unbatched


def _attention_weights(Q, K, mask) -> np.ndarray:
    """P = softmax_row(Q Kᵀ/√d_k) with disallowed scores set to −∞ (their weight is 0)."""
    S = (
        Q @ np.swapaxes(K, -1, -2) * (1.0 / float(np.sqrt(Q.shape[-1])))
    )  # a Python float keeps float32
    if mask is not None:
        S = np.where(mask, S, -np.inf)
    S = S - S.max(axis=-1, keepdims=True)  # finite: every row has an allowed key
    P = np.exp(S)
    P /= P.sum(axis=-1, keepdims=True)
    return P


def scaled_dot_product_attention(
    Q: np.ndarray,
    K: np.ndarray,
    V: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    return_weights: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """O = softmax_row(Q Kᵀ/√d_k) V, eq. (att.1), as ``torch.nn.functional.scaled_dot_product_attention``.

    Shapes: Q ``(batch, T_q, d_k)``, K ``(batch, T_k, d_k)``, V ``(batch, T_k, d_v)`` →
    O ``(batch, T_q, d_v)`` (2-d inputs ``(T, d)`` are one sequence). ``mask``: a boolean
    ``(T_q, T_k)`` (or ``(batch, T_q, T_k)``) array, True where query i may attend to key j
    (e.g. ``np.tril(np.ones((T, T), bool))`` is causal); a row with no True raises a
    ``ValueError``. With ``return_weights`` also returns P, shape ``(batch, T_q, T_k)``.
    """
    Q, K, V, mask, unbatched = _check_attention(Q, K, V, mask)
    P = _attention_weights(Q, K, mask)
    O = P @ V
    if unbatched:
        O, P = O[0], P[0]
    return (O, P) if return_weights else O


def scaled_dot_product_attention_backward(
    Q: np.ndarray,
    K: np.ndarray,
    V: np.ndarray,
    grad_out: np.ndarray,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dQ, dK, dV) = ∂L/∂(Q, K, V) given ``grad_out`` = ∂L/∂O, eq. (att.2).

    Recomputes P, then dV = Pᵀ dO, dP = dO Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)),
    dQ = dS K/√d_k, dK = dSᵀ Q/√d_k. Masked scores have P = 0, hence dS = 0: no gradient
    flows through a disallowed pair. Arguments as :func:`scaled_dot_product_attention`.
    """
    Q, K, V, mask, unbatched = _check_attention(Q, K, V, mask)
    want = (Q.shape[0], Q.shape[1], V.shape[-1])
    grad_out = as_float_array(grad_out, "grad_out", dtype=Q.dtype)
    if grad_out.shape != (want[1:] if unbatched else want):
        shape = want[1:] if unbatched else want
        raise ValueError(
            f"grad_out must have the shape of the output (batch, T_q, d_v) = {shape}, "
            f"got shape {grad_out.shape}"
        )
    dO = grad_out.reshape(want)
    P = _attention_weights(Q, K, mask)
    dV = np.swapaxes(P, -1, -2) @ dO
    dP = dO @ np.swapaxes(V, -1, -2)
    dS = P * (dP - (dP * P).sum(axis=-1, keepdims=True))
    scale = 1.0 / float(np.sqrt(Q.shape[-1]))
    dQ = dS @ K * scale
    dK = np.swapaxes(dS, -1, -2) @ Q * scale
    if unbatched:
        return dQ[0], dK[0], dV[0]
    return dQ, dK, dV
