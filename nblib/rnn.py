"""Recurrent networks: a vanilla RNN and an LSTM, with backpropagation through time.

A recurrent layer applies the same cell at every time step t = 0, …, T−1 to a sequence
``X`` of shape ``(T, batch, n_in)`` (an unbatched ``(T, n_in)`` is a batch of one) and
returns every hidden state, shape ``(T, batch, n_hidden)``. The vanilla RNN is

.. math::  h_t = φ(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})                  (rnn.1)

with φ = tanh or relu. The LSTM (Hochreiter & Schmidhuber 1997, with a forget gate) is

.. math::  [a^i; a^f; a^g; a^o] = W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}
.. math::  c_t = σ(a^f) ⊙ c_{t-1} + σ(a^i) ⊙ \\tanh(a^g),   h_t = σ(a^o) ⊙ \\tanh(c_t)   (lstm.1)

Names, shapes and gate order (input, forget, cell, output) are those of PyTorch's
``nn.RNN``/``nn.LSTM``, so weights copy over directly: ``W_ih`` is ``weight_ih_l0``,
``W_hh`` is ``weight_hh_l0``, ``b_ih``/``b_hh`` the two biases; the initial weights are
drawn, like PyTorch's, from U(−1/√n_hidden, 1/√n_hidden).

Backpropagation through time (BPTT) is the chain rule of the unrolled graph: going back
from t = T−1, the gradient reaching h_t is the loss's own ∂L/∂h_t plus what flows back
from step t+1, and every step adds its share to the (shared) weight gradients:

.. math::  δ_t = (∂L/∂h_t + δ_{t+1} W_{hh}) ⊙ φ'(a_t),   ∂L/∂W_{hh} = Σ_t δ_tᵀ h_{t-1},
           ∂L/∂W_{ih} = Σ_t δ_tᵀ x_t,   ∂L/∂x_t = δ_t W_{ih}                           (bptt.1)

(for the RNN; the LSTM adds the cell path ∂L/∂c_{t-1} = ∂L/∂c_t ⊙ σ(a^f_t)).
``params``/``grads`` follow ``nblib.nn``: ``[W_ih, W_hh, b_ih, b_hh]`` and their gradients,
overwritten (not accumulated) by each ``backward``.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_choice, check_scalar
from .nn import ACTIVATION_GRADS, ACTIVATIONS, sigmoid

#: Nonlinearities of the vanilla RNN (those PyTorch's ``nn.RNN`` offers).
RNN_ACTIVATIONS: tuple[str, ...] = ("tanh", "relu")


class _Recurrent:
    """Shared parameter handling, input checks and weight-gradient sums of RNN and LSTM."""

    n_gates = 1

    def __init__(self, n_in, n_hidden, rng, dtype, name) -> None:
        self.n_in = check_scalar(n_in, "n_in", low=1, integer=True)
        self.n_hidden = check_scalar(n_hidden, "n_hidden", low=1, integer=True)
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise ValueError(f"dtype must be np.float32 or np.float64, got {dtype!r}")
        rng = np.random.default_rng(rng)
        k = 1.0 / np.sqrt(self.n_hidden)  # PyTorch's default: U(−k, k) for every parameter
        G = self.n_gates * self.n_hidden
        self.W_ih = rng.uniform(-k, k, (G, self.n_in)).astype(dtype)
        self.W_hh = rng.uniform(-k, k, (G, self.n_hidden)).astype(dtype)
        self.b_ih = rng.uniform(-k, k, G).astype(dtype)
        self.b_hh = rng.uniform(-k, k, G).astype(dtype)
        self.name = name
        self.dW_ih: np.ndarray | None = None  # ∂L/∂W_ih etc., set by backward
        self.dW_hh: np.ndarray | None = None
        self.db_ih: np.ndarray | None = None
        self.db_hh: np.ndarray | None = None
        self.dh0: np.ndarray | None = None  # ∂L/∂h0, set by backward
        self._X: np.ndarray | None = None  # cached by forward (batched, checked)
        self._H: np.ndarray | None = None
        self._h0: np.ndarray | None = None
        self._unbatched = False

    @property
    def dtype(self) -> np.dtype:
        """The dtype of the parameters (and of every state and gradient)."""
        return self.W_ih.dtype

    @property
    def params(self) -> list[np.ndarray]:
        """``[W_ih, W_hh, b_ih, b_hh]`` (PyTorch's order); optimizers update them in place."""
        return [self.W_ih, self.W_hh, self.b_ih, self.b_hh]

    @property
    def grads(self) -> list[np.ndarray]:
        """The gradients from the last ``backward``, in the order of ``params``."""
        if self.dW_ih is None:
            raise RuntimeError(f"{self.name} has no gradients yet: call forward, then backward")
        return [self.dW_ih, self.dW_hh, self.db_ih, self.db_hh]

    def num_params(self) -> int:
        """Number of scalar parameters, G·(n_in + n_hidden + 2) with G gate rows."""
        return sum(p.size for p in self.params)

    def _check_X(self, X) -> np.ndarray:
        X = as_float_array(X, f"X of {self.name}", ndim=(2, 3), dtype=self.dtype)
        if X.shape[-1] != self.n_in:
            raise ValueError(
                f"X of {self.name} must have shape (T, batch, {self.n_in}) or (T, {self.n_in}) "
                f"(n_in = {self.n_in} features last), got shape {X.shape}"
            )
        self._unbatched = X.ndim == 2
        return X[:, None, :] if self._unbatched else X

    def _check_state(self, s, name: str, batch: int) -> np.ndarray:
        """An initial state (h0 or c0): None means zeros; shape (batch, n_hidden)."""
        if s is None:
            return np.zeros((batch, self.n_hidden), dtype=self.dtype)
        want = (self.n_hidden,) if self._unbatched else (batch, self.n_hidden)
        s = as_float_array(s, f"{name} of {self.name}", dtype=self.dtype)
        if s.shape != want:
            raise ValueError(
                f"{name} of {self.name} must have shape {want} (one state of n_hidden = "
                f"{self.n_hidden} per sequence in X), got shape {s.shape}"
            )
        return s.reshape(batch, self.n_hidden)

    def _out(self, A: np.ndarray) -> np.ndarray:
        """Drop the batch axis again for an unbatched input."""
        return A[:, 0, :] if self._unbatched else A

    def _check_grad(self, grad_H) -> np.ndarray:
        if self._H is None:
            raise RuntimeError(f"{self.name}: backward needs a forward pass first; call forward")
        want = self._out(self._H).shape
        grad_H = as_float_array(grad_H, f"grad_H of {self.name}", dtype=self.dtype)
        if grad_H.shape != want:
            raise ValueError(
                f"grad_H of {self.name} must have the shape of the last output {want}, "
                f"got shape {grad_H.shape}"
            )
        return grad_H[:, None, :] if self._unbatched else grad_H

    def _weight_grads(self, dA: np.ndarray) -> np.ndarray:
        """Sum each step's share, eq. (bptt.1), given δ_t = ∂L/∂a_t for all t; return ∂L/∂X."""
        X, H, h0 = self._X, self._H, self._h0
        H_prev = np.concatenate([h0[None], H[:-1]], axis=0)  # h_{t-1} for t = 0, …, T−1
        G = dA.shape[-1]
        flat = dA.reshape(-1, G)
        self.dW_ih = flat.T @ X.reshape(-1, self.n_in)
        self.dW_hh = flat.T @ H_prev.reshape(-1, self.n_hidden)
        self.db_ih = flat.sum(axis=0)
        self.db_hh = self.db_ih.copy()
        return self._out(dA @ self.W_ih)


class RNN(_Recurrent):
    """A vanilla (Elman) recurrent layer h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), eq. (rnn.1).

    Parameters
    ----------
    n_in, n_hidden : sizes of x_t and h_t.
    activation : ``"tanh"`` or ``"relu"`` (PyTorch's ``nonlinearity``).
    rng : a ``numpy.random.Generator`` (or seed) for the initial U(−1/√n_hidden, 1/√n_hidden) weights.
    dtype : ``np.float64`` or ``np.float32``; inputs are converted to it.
    name : used in error messages.

    ``forward(X, h0)`` returns all hidden states; ``backward(∂L/∂H)`` runs BPTT, stores the
    weight gradients (``grads``) and ``dh0`` = ∂L/∂h0, and returns ∂L/∂X.
    """

    def __init__(
        self,
        n_in: int,
        n_hidden: int,
        activation: str = "tanh",
        *,
        rng: np.random.Generator | int | None = None,
        dtype: type = np.float64,
        name: str = "rnn",
    ) -> None:
        self.activation = check_choice(activation, "activation", RNN_ACTIVATIONS)
        super().__init__(n_in, n_hidden, rng, dtype, name)

    def __repr__(self) -> str:
        return f"RNN({self.n_in} -> {self.n_hidden}, {self.activation})"

    def forward(self, X: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        """All hidden states h_1…h_T of eq. (rnn.1): ``(T, batch, n_in) -> (T, batch, n_hidden)``.

        ``h0`` (shape ``(batch, n_hidden)``; default zeros) is the state before the first step.
        """
        X = self._check_X(X)
        h = self._check_state(h0, "h0", X.shape[1])
        phi = ACTIVATIONS[self.activation]
        XW = X @ self.W_ih.T + (self.b_ih + self.b_hh)  # the input part of every step at once
        H = np.empty(X.shape[:2] + (self.n_hidden,), dtype=self.dtype)
        self._h0 = h
        for t in range(X.shape[0]):
            h = H[t] = phi(XW[t] + h @ self.W_hh.T)
        self._X, self._H = X, H
        return self._out(H)

    __call__ = forward

    def backward(self, grad_H: np.ndarray) -> np.ndarray:
        """BPTT, eq. (bptt.1): given ∂L/∂h_t for every t, store the gradients and return ∂L/∂X."""
        grad_H = self._check_grad(grad_H)
        H, dphi = self._H, ACTIVATION_GRADS[self.activation]
        dA = np.empty_like(H)
        dh = np.zeros_like(H[0])  # the gradient flowing back from step t+1
        for t in reversed(range(H.shape[0])):
            dA[t] = (grad_H[t] + dh) * dphi(H[t])  # δ_t
            dh = dA[t] @ self.W_hh
        self.dh0 = dh[0] if self._unbatched else dh
        return self._weight_grads(dA)


class LSTM(_Recurrent):
    """A long short-term memory layer, eq. (lstm.1), gates stacked (input, forget, cell, output).

    Parameters as :class:`RNN` (without ``activation``); ``W_ih`` has shape
    ``(4·n_hidden, n_in)``, rows ``[0:H]`` the input gate, ``[H:2H]`` the forget gate,
    ``[2H:3H]`` the cell candidate, ``[3H:4H]`` the output gate, as in PyTorch.

    ``forward(X, h0, c0)`` returns all hidden states and keeps the cell states in ``C``;
    ``backward(∂L/∂H)`` stores ``grads``, ``dh0`` and ``dc0`` and returns ∂L/∂X.
    """

    n_gates = 4

    def __init__(
        self,
        n_in: int,
        n_hidden: int,
        *,
        rng: np.random.Generator | int | None = None,
        dtype: type = np.float64,
        name: str = "lstm",
    ) -> None:
        super().__init__(n_in, n_hidden, rng, dtype, name)
        self.C: np.ndarray | None = None  # cell states c_1…c_T of the last forward
        self.dc0: np.ndarray | None = None  # ∂L/∂c0, set by backward
        self._c0: np.ndarray | None = None
        self._gates: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"LSTM({self.n_in} -> {self.n_hidden})"

    def forward(
        self, X: np.ndarray, h0: np.ndarray | None = None, c0: np.ndarray | None = None
    ) -> np.ndarray:
        """All hidden states of eq. (lstm.1): ``(T, batch, n_in) -> (T, batch, n_hidden)``.

        ``h0``, ``c0`` (shape ``(batch, n_hidden)``; default zeros) are the states before the
        first step; the cell states c_1…c_T are kept in ``self.C`` (same shape as the output).
        """
        X = self._check_X(X)
        batch, Hn = X.shape[1], self.n_hidden
        h = self._check_state(h0, "h0", batch)
        c = self._check_state(c0, "c0", batch)
        self._h0, self._c0 = h, c
        XW = X @ self.W_ih.T + (self.b_ih + self.b_hh)
        T = X.shape[0]
        H = np.empty((T, batch, Hn), dtype=self.dtype)
        C = np.empty_like(H)
        gates = np.empty((T, batch, 4 * Hn), dtype=self.dtype)  # σ(a^i), σ(a^f), tanh(a^g), σ(a^o)
        for t in range(T):
            a = XW[t] + h @ self.W_hh.T
            g = gates[t]
            g[:, : 2 * Hn] = sigmoid(a[:, : 2 * Hn])
            g[:, 2 * Hn : 3 * Hn] = np.tanh(a[:, 2 * Hn : 3 * Hn])
            g[:, 3 * Hn :] = sigmoid(a[:, 3 * Hn :])
            c = C[t] = g[:, Hn : 2 * Hn] * c + g[:, :Hn] * g[:, 2 * Hn : 3 * Hn]
            h = H[t] = g[:, 3 * Hn :] * np.tanh(c)
        self._X, self._H, self._gates = X, H, gates
        self.C = self._out(C)
        self._C = C
        return self._out(H)

    __call__ = forward

    def backward(self, grad_H: np.ndarray) -> np.ndarray:
        """BPTT through eq. (lstm.1): store the gradients (``grads``, ``dh0``, ``dc0``), return ∂L/∂X.

        Backwards from t = T−1, with dh, dc the gradients reaching h_t, c_t:
        dc ← dc + dh ⊙ o ⊙ (1 − tanh² c_t); then δ^i = dc ⊙ g ⊙ i(1−i), δ^f = dc ⊙ c_{t−1} ⊙ f(1−f),
        δ^g = dc ⊙ i ⊙ (1−g²), δ^o = dh ⊙ tanh c_t ⊙ o(1−o); dh ← δ W_hh, dc ← dc ⊙ f.
        """
        grad_H = self._check_grad(grad_H)
        C, G, Hn = self._C, self._gates, self.n_hidden
        C_prev = np.concatenate([self._c0[None], C[:-1]], axis=0)
        dA = np.empty_like(G)
        dh = np.zeros_like(C[0])
        dc = np.zeros_like(C[0])
        for t in reversed(range(C.shape[0])):
            i, f = G[t, :, :Hn], G[t, :, Hn : 2 * Hn]
            g, o = G[t, :, 2 * Hn : 3 * Hn], G[t, :, 3 * Hn :]
            tc = np.tanh(C[t])
            dh = grad_H[t] + dh
            dc = dc + dh * o * (1 - tc * tc)
            d = dA[t]
            d[:, :Hn] = dc * g * i * (1 - i)
            d[:, Hn : 2 * Hn] = dc * C_prev[t] * f * (1 - f)
            d[:, 2 * Hn : 3 * Hn] = dc * i * (1 - g * g)
            d[:, 3 * Hn :] = dh * tc * o * (1 - o)
            dh = d @ self.W_hh
            dc = dc * f
        self.dh0 = dh[0] if self._unbatched else dh
        self.dc0 = dc[0] if self._unbatched else dc
        return self._weight_grads(dA)
