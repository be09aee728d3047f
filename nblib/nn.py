"""The forward pass: activations, a dense layer and a multilayer perceptron.

Chapter 1 writes one layer as

.. math::  y = \\sigma(W x + b)                                        (1.1)

and, for a batch stacked as the rows of ``X`` (shape ``(batch, n_in)``),

.. math::  Y = \\sigma(X W^\\top + b)                                   (1.2)

so the whole batch is one matrix product. Here ``W`` has shape ``(n_out, n_in)``,
as in the book, and ``b`` shape ``(n_out,)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ._validate import as_float_array, check_choice, check_scalar

# ---------------------------------------------------------------------------
# Activations. Each works elementwise on arrays of any shape (softmax and
# log_softmax along ``axis``) and is stable at extreme inputs.
# ---------------------------------------------------------------------------


def _as_float(z: np.ndarray) -> np.ndarray:
    """Keep float32/float64 as they are; turn ints, bools and lists into float64."""
    z = np.asarray(z)
    return z if z.dtype in (np.float32, np.float64) else z.astype(np.float64)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic sigmoid σ(z) = 1 / (1 + e^{-z}), computed without overflow for any z."""
    z = _as_float(z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def tanh(z: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent tanh(z) = (e^z − e^{-z}) / (e^z + e^{-z}) = 2σ(2z) − 1."""
    return np.tanh(z)


def relu(z: np.ndarray) -> np.ndarray:
    """Rectified linear unit relu(z) = max(z, 0)."""
    return np.maximum(z, 0)


def identity(z: np.ndarray) -> np.ndarray:
    """The identity, used for a linear output layer."""
    return np.asarray(z)


def log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """log softmax(z)_i = z_i − log Σ_j e^{z_j}, via the log-sum-exp shift by max_j z_j."""
    z = _as_float(z)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """softmax(z)_i = e^{z_i} / Σ_j e^{z_j}, shifted by max_j z_j so no exponent overflows."""
    z = _as_float(z)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "identity": identity,
}


# ---------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------


class Dense:
    """A fully connected layer y = σ(x Wᵀ + b) over a batch, eq. (1.2).

    Parameters
    ----------
    n_in, n_out : number of input and output features.
    activation : one of ``"relu"``, ``"tanh"``, ``"sigmoid"``, ``"identity"``.
    rng : a ``numpy.random.Generator`` (or seed) for the initial weights.
    init : ``"he"`` (variance 2/n_in, for relu), ``"xavier"`` (variance 1/n_in) or
        ``"auto"`` (he for relu, xavier otherwise). Biases start at zero.
    name : used in error messages, e.g. ``"layer 2"``.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: str = "relu",
        *,
        rng: np.random.Generator | int | None = None,
        init: str = "auto",
        dtype: type = np.float64,
        name: str = "dense",
    ) -> None:
        self.n_in = check_scalar(n_in, "n_in", low=1, integer=True)
        self.n_out = check_scalar(n_out, "n_out", low=1, integer=True)
        self.activation = check_choice(activation, "activation", tuple(ACTIVATIONS))
        init = check_choice(init, "init", ("auto", "he", "xavier"))
        if init == "auto":
            init = "he" if activation == "relu" else "xavier"
        rng = np.random.default_rng(rng)
        scale = np.sqrt((2.0 if init == "he" else 1.0) / self.n_in)
        self.W = (scale * rng.standard_normal((self.n_out, self.n_in))).astype(dtype)
        self.b = np.zeros(self.n_out, dtype=dtype)
        self.name = name

    def __repr__(self) -> str:
        return f"Dense({self.n_in} -> {self.n_out}, {self.activation})"

    @property
    def params(self) -> list[np.ndarray]:
        """The layer's parameters ``[W, b]``; optimizers update these arrays in place."""
        return [self.W, self.b]

    def _check_input(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, f"input of {self.name}", ndim=(1, 2))
        if x.shape[-1] != self.n_in:
            raise ValueError(
                f"{self.name} expects inputs with {self.n_in} features, i.e. shape "
                f"(batch, {self.n_in}), but got shape {x.shape}; its weight W has shape {self.W.shape}"
            )
        return x

    def pre_activation(self, x: np.ndarray) -> np.ndarray:
        """z = x Wᵀ + b, shape ``(batch, n_out)``."""
        return self._check_input(x) @ self.W.T + self.b

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y = σ(x Wᵀ + b): ``(batch, n_in) -> (batch, n_out)`` (a single 1-d x gives 1-d y)."""
        return ACTIVATIONS[self.activation](self.pre_activation(x))

    __call__ = forward

    def flops(self, batch: int = 1) -> int:
        """Floating-point operations of one forward pass: 2·batch·n_in·n_out for the product
        (one multiply and one add per weight and sample), plus batch·n_out for the bias."""
        return 2 * batch * self.n_in * self.n_out + batch * self.n_out


class MLP:
    """A multilayer perceptron: dense layers applied in turn, x → f_L(… f_2(f_1(x))).

    ``MLP([2, 16, 16, 1], activation="tanh", output_activation="identity")`` builds three
    layers 2→16→16→1 with tanh hidden units and a linear output.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "relu",
        output_activation: str = "identity",
        *,
        rng: np.random.Generator | int | None = None,
        dtype: type = np.float64,
    ) -> None:
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least an input and an output size, got {sizes}")
        rng = np.random.default_rng(rng)
        self.sizes = sizes
        self.layers = [
            Dense(
                n_in,
                n_out,
                activation if i < len(sizes) - 2 else output_activation,
                rng=rng,
                dtype=dtype,
                name=f"layer {i + 1} ({n_in} -> {n_out})",
            )
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True))
        ]

    def __repr__(self) -> str:
        return "MLP(" + ", ".join(map(repr, self.layers)) + ")"

    @property
    def params(self) -> list[np.ndarray]:
        """All parameters in order ``[W1, b1, W2, b2, ...]``."""
        return [p for layer in self.layers for p in layer.params]

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Apply every layer in turn; ``(batch, sizes[0]) -> (batch, sizes[-1])``."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    __call__ = forward

    def hidden_representations(self, x: np.ndarray) -> list[np.ndarray]:
        """The output of every layer, ``[h1, h2, ..., y]``: what each layer makes of the data."""
        outputs = []
        for layer in self.layers:
            x = layer.forward(x)
            outputs.append(x)
        return outputs

    def flops(self, batch: int = 1) -> int:
        """Forward-pass FLOPs summed over layers (activations not counted)."""
        return sum(layer.flops(batch) for layer in self.layers)

    def num_params(self) -> int:
        """Number of scalar parameters Σ (n_in·n_out + n_out)."""
        return sum(p.size for p in self.params)
