"""The forward pass: activations, a dense layer and a multilayer perceptron.

Chapter 1 writes one layer as

.. math::  y = \\sigma(W x + b)                                        (1.1)

and, for a batch stacked as the rows of ``X`` (shape ``(batch, n_in)``),

.. math::  Y = \\sigma(X W^\\top + b)                                   (1.2)

so the whole batch is one matrix product. Here ``W`` has shape ``(n_out, n_in)``,
as in the book, and ``b`` shape ``(n_out,)``.

Backpropagation (the calculus chapter) runs the chain rule ∂L/∂W = ∂L/∂y · ∂y/∂z · ∂z/∂W backwards
through each layer, with ``Z = X Wᵀ + b`` and ``Y = σ(Z)``:

.. math::  Δ = ∂L/∂Y ⊙ σ'(Z)         (the error signal δ of each sample, one per row)   (bp.1)
.. math::  ∂L/∂W = Δᵀ X,   ∂L/∂b = Σ_batch Δ,   ∂L/∂X = Δ W                       (bp.2)

``Dense.forward`` keeps ``X`` and ``Y`` for this; ``Dense.backward`` stores ``dW``, ``db``
and returns ``∂L/∂X``, which is the ``∂L/∂Y`` of the layer below.
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


# Their derivatives σ'(z), each written through the output y = σ(z), which the forward pass
# has already computed: no exponential is evaluated twice. Pass y, not z.


def sigmoid_grad(y: np.ndarray) -> np.ndarray:
    """σ'(z) = σ(z)(1 − σ(z)) = y(1 − y), given the output y = σ(z)."""
    return y * (1 - y)


def tanh_grad(y: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 − tanh²(z) = 1 − y², given the output y = tanh(z)."""
    return 1 - y * y


def relu_grad(y: np.ndarray) -> np.ndarray:
    """relu'(z) = 1 if z > 0 else 0 (0 at z = 0, as in PyTorch), given y = relu(z) (y > 0 ⇔ z > 0)."""
    return (y > 0).astype(y.dtype)


def identity_grad(y: np.ndarray) -> np.ndarray:
    """identity'(z) = 1."""
    return np.ones_like(y)


ACTIVATION_GRADS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": sigmoid_grad,
    "tanh": tanh_grad,
    "relu": relu_grad,
    "identity": identity_grad,
}


# ---------------------------------------------------------------------------
# Initialization (the probability chapter derives these variances from variance propagation)
# ---------------------------------------------------------------------------

#: Accepted ``init`` names. ``"xavier"`` is Glorot's scheme under its other common name
#: (Xavier Glorot; ``torch.nn.init.xavier_normal_``), so it is an alias of ``"glorot"``.
INITS: tuple[str, ...] = ("auto", "lecun", "glorot", "he", "orthogonal", "xavier")

#: Other names of the same scheme, mapped to the name nblib stores in ``Dense.init``.
INIT_ALIASES: dict[str, str] = {"xavier": "glorot"}

#: ``torch.nn.init.calculate_gain`` for the book's activations (the default orthogonal gain).
GAINS: dict[str, float] = {
    "relu": float(np.sqrt(2.0)),
    "tanh": 5.0 / 3.0,
    "sigmoid": 1.0,
    "identity": 1.0,
}


def init_variance(init: str, n_in: int, n_out: int) -> float:
    """The weight variance of a Gaussian initialization scheme.

    Variance propagation (Section 4.4, eqs. ``eq-pr-forward-variance`` and
    ``eq-pr-backward-variance``) keeps the signal's second moment constant forward when
    n_in·Var(W)·c = 1 and backward when n_out·Var(W)·c = 1, with c = 1 for a linear unit
    and c = 1/2 for relu:

    * ``"lecun"``: 1/n_in (forward, linear or tanh near 0; LeCun et al. 1998);
    * ``"glorot"``: 2/(n_in + n_out), the harmonic-mean compromise of the forward and
      backward conditions (Glorot & Bengio 2010; ``torch.nn.init.xavier_normal_``);
    * ``"he"``: 2/n_in (forward, relu; He et al. 2015; ``kaiming_normal_``, fan_in);
    * ``"xavier"``: the same as ``"glorot"`` (Xavier Glorot's scheme).

    >>> init_variance("glorot", 100, 300)
    0.005
    """
    init = INIT_ALIASES.get(check_choice(init, "init", ("lecun", "glorot", "he", "xavier")), init)
    n_in = check_scalar(n_in, "n_in", low=1, integer=True)
    n_out = check_scalar(n_out, "n_out", low=1, integer=True)
    if init == "glorot":
        return 2.0 / (n_in + n_out)
    return (2.0 if init == "he" else 1.0) / n_in


def init_weights(
    n_out: int,
    n_in: int,
    init: str = "lecun",
    *,
    rng: np.random.Generator | int | None = None,
    activation: str = "identity",
    gain: float | None = None,
) -> np.ndarray:
    """A weight matrix of shape ``(n_out, n_in)`` drawn by the scheme ``init``.

    ``"lecun"``, ``"glorot"``, ``"he"`` draw N(0, :func:`init_variance`) entries.
    ``"orthogonal"`` follows ``torch.nn.init.orthogonal_``: the Q factor of the QR
    decomposition of a Gaussian matrix (its rows orthonormal if n_out ≤ n_in, else its
    columns), signs fixed by diag(R) so it is Haar-distributed, times ``gain`` (default
    ``GAINS[activation]``), so WWᵀ = gain²·I or WᵀW = gain²·I (Saxe et al. 2014).

    >>> W = init_weights(3, 5, "orthogonal", rng=0, gain=2.0)
    >>> bool(np.allclose(W @ W.T, 4 * np.eye(3)))
    True
    """
    init = INIT_ALIASES.get(check_choice(init, "init", INITS[1:]), init)
    n_in = check_scalar(n_in, "n_in", low=1, integer=True)
    n_out = check_scalar(n_out, "n_out", low=1, integer=True)
    rng = np.random.default_rng(rng)
    if init != "orthogonal":
        if gain is not None:
            raise ValueError(f"gain applies only to init='orthogonal', got init={init!r}")
        scale = np.sqrt(init_variance(init, n_in, n_out))
        return scale * rng.standard_normal((n_out, n_in))
    check_choice(activation, "activation", tuple(GAINS))
    gain = (
        GAINS[activation]
        if gain is None
        else check_scalar(gain, "gain", low=0, low_inclusive=False)
    )
    A = rng.standard_normal((n_out, n_in))
    if n_out < n_in:
        A = A.T
    Q, R = np.linalg.qr(A)
    Q *= np.sign(np.diag(R))  # a unique, Haar-distributed Q (torch does the same)
    if n_out < n_in:
        Q = Q.T
    return gain * Q


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
    init : how to draw the initial weights (biases start at zero), see :func:`init_variance`:
        ``"lecun"`` (normal, variance 1/n_in), ``"glorot"`` (normal, variance 2/(n_in + n_out)),
        ``"he"`` (normal, variance 2/n_in, for relu), ``"orthogonal"`` (a random matrix with
        orthonormal rows or columns times ``gain``, as ``torch.nn.init.orthogonal_``) or
        ``"auto"`` (he for relu, lecun otherwise). ``"xavier"`` is another name of
        ``"glorot"`` (as in ``torch.nn.init.xavier_normal_``); ``Dense.init`` stores ``"glorot"``.
    gain : only for ``init="orthogonal"``: the scale of the orthogonal matrix; default
        ``torch.nn.init.calculate_gain(activation)``: √2 for relu, 5/3 for tanh, 1 otherwise.
    dtype : ``np.float64`` or ``np.float32``; inputs are converted to it.
    name : used in error messages, e.g. ``"layer 2"``.

    After ``forward`` and ``backward``, ``dW`` and ``db`` hold ∂L/∂W and ∂L/∂b, eq. (bp.2).
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: str = "relu",
        *,
        rng: np.random.Generator | int | None = None,
        init: str = "auto",
        gain: float | None = None,
        dtype: type = np.float64,
        name: str = "dense",
    ) -> None:
        self.n_in = check_scalar(n_in, "n_in", low=1, integer=True)
        self.n_out = check_scalar(n_out, "n_out", low=1, integer=True)
        self.activation = check_choice(activation, "activation", tuple(ACTIVATIONS))
        init = INIT_ALIASES.get(check_choice(init, "init", INITS), init)
        if init == "auto":
            init = "he" if activation == "relu" else "lecun"
        if gain is not None and init != "orthogonal":
            raise ValueError(f"gain applies only to init='orthogonal', got init={init!r}")
        rng = np.random.default_rng(rng)
        self.init = init
        self.W = init_weights(
            self.n_out, self.n_in, init, rng=rng, activation=activation, gain=gain
        ).astype(dtype)
        self.b = np.zeros(self.n_out, dtype=dtype)
        self.name = name
        self.dW: np.ndarray | None = None  # ∂L/∂W, set by backward
        self.db: np.ndarray | None = None  # ∂L/∂b, set by backward
        self._x: np.ndarray | None = None  # the input and output of the last forward pass
        self._y: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"Dense({self.n_in} -> {self.n_out}, {self.activation})"

    @property
    def params(self) -> list[np.ndarray]:
        """The layer's parameters ``[W, b]``; optimizers update these arrays in place."""
        return [self.W, self.b]

    @property
    def grads(self) -> list[np.ndarray]:
        """The gradients ``[dW, db]`` from the last ``backward``, in the order of ``params``."""
        if self.dW is None or self.db is None:
            raise RuntimeError(f"{self.name} has no gradients yet: call forward, then backward")
        return [self.dW, self.db]

    def _check_input(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, f"input of {self.name}", ndim=(1, 2), dtype=self.W.dtype)
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
        """y = σ(x Wᵀ + b): ``(batch, n_in) -> (batch, n_out)`` (a single 1-d x gives 1-d y).

        Keeps ``x`` and ``y`` (not copies) for ``backward``.
        """
        return self._forward(self._check_input(x))

    __call__ = forward

    def _forward(self, x: np.ndarray) -> np.ndarray:
        """``forward`` for an input already checked and converted to the layer's dtype."""
        z = x @ self.W.T
        z += self.b  # in place: saves one temporary array the size of z
        y = ACTIVATIONS[self.activation](z)
        self._x, self._y = x, y
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """Given ∂L/∂y of the last forward pass, store ``dW``, ``db`` and return ∂L/∂x.

        Eqs. (bp.1)–(bp.2): δ = ∂L/∂y ⊙ σ'(z), dW = δᵀ x, db = Σ_batch δ, ∂L/∂x = δ W.
        Gradients are overwritten by each call, not accumulated.
        """
        y = self._output()
        grad_output = as_float_array(grad_output, f"grad_output of {self.name}", dtype=y.dtype)
        if grad_output.shape != y.shape:
            raise ValueError(
                f"grad_output of {self.name} must have the shape of its last output {y.shape}, "
                f"got shape {grad_output.shape}"
            )
        return self._backward(grad_output)

    def _output(self) -> np.ndarray:
        """The output cached by the last forward pass (an error if there was none)."""
        if self._y is None:
            raise RuntimeError(
                f"{self.name}: backward needs the input and output of a forward pass; "
                "call forward first"
            )
        return self._y

    def _backward(self, grad_output: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """``backward`` for a checked grad_output; skips ∂L/∂x if ``input_grad`` is False."""
        x, y = self._x, self._y
        if y.ndim == 1:  # a single sample is a batch of one
            x, y, grad_output = x[None, :], y[None, :], grad_output[None, :]
        if self.activation == "identity":
            delta = grad_output  # σ'(z) = 1
        else:
            delta = grad_output * ACTIVATION_GRADS[self.activation](y)  # δ = ∂L/∂y ⊙ σ'(z)
        self.dW = delta.T @ x  # ∂L/∂W = δᵀ x: (n_out, batch) @ (batch, n_in)
        self.db = delta.sum(axis=0)  # ∂L/∂b = Σ_batch δ
        if not input_grad:
            return None
        return (delta @ self.W).reshape(self._x.shape)  # ∂L/∂x = δ W

    def flops(self, batch: int = 1) -> int:
        """Floating-point operations of one forward pass: 2·batch·n_in·n_out for the product
        (one multiply and one add per weight and sample), plus batch·n_out for the bias."""
        return 2 * batch * self.n_in * self.n_out + batch * self.n_out


class MLP:
    """A multilayer perceptron: dense layers applied in turn, x → f_L(… f_2(f_1(x))).

    ``MLP([2, 16, 16, 1], activation="tanh", output_activation="identity")`` builds three
    layers 2→16→16→1 with tanh hidden units and a linear output. ``init`` is passed to
    every :class:`Dense` layer (``"auto"``: he for relu layers, lecun for the others).

    One training step is ``model.forward(X)``, then ``model.backward(dL/dY)``, then
    ``optimizer.step(model.params, model.grads)``.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "relu",
        output_activation: str = "identity",
        *,
        rng: np.random.Generator | int | None = None,
        init: str = "auto",
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
                init=init,
                dtype=dtype,
                name=f"layer {i + 1} ({n_in} -> {n_out})",
            )
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True))
        ]

    def __repr__(self) -> str:
        return "MLP(" + ", ".join(map(repr, self.layers)) + ")"

    @property
    def dtype(self) -> np.dtype:
        """The dtype of the parameters (and of every activation and gradient)."""
        return self.layers[0].W.dtype

    @property
    def params(self) -> list[np.ndarray]:
        """All parameters in order ``[W1, b1, W2, b2, ...]``."""
        return [p for layer in self.layers for p in layer.params]

    @property
    def grads(self) -> list[np.ndarray]:
        """The gradients from the last ``backward``, ``[dW1, db1, dW2, db2, ...]`` like ``params``."""
        return [g for layer in self.layers for g in layer.grads]

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Apply every layer in turn; ``(batch, sizes[0]) -> (batch, sizes[-1])``."""
        return self._forward(self.layers[0]._check_input(x))

    __call__ = forward

    def _forward(self, x: np.ndarray) -> np.ndarray:
        """``forward`` for an input already checked: the shapes of the layers fit by construction."""
        for layer in self.layers:
            x = layer._forward(x)
        return x

    def backward(self, grad_output: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        """Backpropagate ∂L/∂y of the last forward pass through the layers in reverse.

        Each layer stores its ``dW``, ``db`` (collected in ``grads``) and hands ∂L/∂x down
        as the ∂L/∂y of the layer below. Returns ∂L/∂x of the network input, or ``None``
        with ``input_grad=False`` (training does not need it, and it saves one product).
        """
        last = self.layers[-1]
        y = last._output()
        grad_output = as_float_array(grad_output, "grad_output", dtype=y.dtype)
        if grad_output.shape != y.shape:
            raise ValueError(
                f"grad_output must have the shape of the output of {last.name}, {y.shape}, "
                f"got shape {grad_output.shape}"
            )
        return self._backward(grad_output, input_grad)

    def _backward(self, grad_output: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """``backward`` for a checked grad_output."""
        grad = grad_output
        for i in reversed(range(len(self.layers))):
            grad = self.layers[i]._backward(grad, input_grad=input_grad or i > 0)
        return grad

    def hidden_representations(self, x: np.ndarray) -> list[np.ndarray]:
        """The output of every layer, ``[h1, h2, ..., y]``: what each layer makes of the data."""
        x = self.layers[0]._check_input(x)
        outputs = []
        for layer in self.layers:
            x = layer._forward(x)
            outputs.append(x)
        return outputs

    def flops(self, batch: int = 1) -> int:
        """Forward-pass FLOPs summed over layers (activations not counted)."""
        return sum(layer.flops(batch) for layer in self.layers)

    def num_params(self) -> int:
        """Number of scalar parameters Σ (n_in·n_out + n_out)."""
        return sum(p.size for p in self.params)
